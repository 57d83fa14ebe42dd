"""digest/writer.py: the docs folder holds exactly the outputs; the site is swapped in whole."""

from __future__ import annotations

import os

import pytest

from digest.model import DigestError
from digest.render import Output
from digest.writer import staged, write_outputs


def test_the_folder_holds_exactly_the_outputs_and_unchanged_files_are_left_alone(tmp_path):
    write_outputs(tmp_path, [Output("a.md", b"A"), Output("x/b.md", b"B"), Output("y/c.md", b"C")])
    os.utime(tmp_path / "a.md", (0, 0))
    result = write_outputs(tmp_path, [Output("a.md", b"A"), Output("x/b.md", b"B2")])
    assert (result.written, result.unchanged, result.removed) == (1, 1, 1)
    assert (tmp_path / "a.md").stat().st_mtime == 0  # not rewritten
    assert (tmp_path / "x" / "b.md").read_bytes() == b"B2"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "a.md", "x", "x/b.md"]  # y/ went with its only page


def test_two_outputs_for_one_path_are_refused_before_anything_is_written(tmp_path):
    with pytest.raises(DigestError, match="^papers/x.md: two outputs would be written to this path$"):
        write_outputs(tmp_path / "docs", [Output("papers/x.md", b"1"), Output("papers/x.md", b"2")])
    assert not (tmp_path / "docs").exists()


def test_the_site_is_replaced_only_by_a_build_that_succeeded(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "old.html").write_text("old")
    with pytest.raises(RuntimeError):
        with staged(site) as staging:
            staging.mkdir()  # as MkDocs makes its site folder
            (staging / "new.html").write_text("half")
            raise RuntimeError("MkDocs failed")
    assert [p.name for p in site.iterdir()] == ["old.html"]
    with staged(site) as staging:
        staging.mkdir()
        (staging / "new.html").write_text("new")
    assert [p.name for p in site.iterdir()] == ["new.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no staging or old folder left
