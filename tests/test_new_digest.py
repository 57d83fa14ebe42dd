"""`digest init`: a new digest in which ingest, check and build work as they do here."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from digest.cli import main

SEEDS = sorted((Path(__file__).resolve().parents[1] / "content" / "dumps").glob("*.txt"))


def digest(*args: str):
    return CliRunner().invoke(main, list(args))


def test_init_lays_out_a_digest_like_this_repository(tmp_path):
    result = digest("init", str(tmp_path / "d"))
    assert result.exit_code == 0, result.output
    made = sorted(str(p.relative_to(tmp_path / "d")) for p in (tmp_path / "d").rglob("*") if p.is_file())
    assert made == [".github/workflows/digest.yml", ".gitignore", "README.md",
                    "content/dumps/.gitkeep", "content/papers/.gitkeep",
                    "content/schema/paper.schema.json", "content/themes.yml", "mkdocs.yml"]
    root = Path(__file__).resolve().parents[1]
    assert (tmp_path / "d" / "mkdocs.yml").read_bytes() == (root / "mkdocs.yml").read_bytes()


def test_init_refuses_a_folder_that_holds_a_digest_and_writes_nothing(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "notes.txt").write_text("mine")
    result = digest("init", str(tmp_path))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: {tmp_path}: already holds content; nothing written (digest init makes a new "
        "digest in an empty or new folder)"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "notes.txt"]


def test_ingest_check_and_build_work_in_a_new_digest(tmp_path, monkeypatch):
    folder = tmp_path / "d"
    assert digest("init", str(folder)).exit_code == 0
    shutil.copy(SEEDS[0], folder / "content" / "dumps" / SEEDS[0].name)
    monkeypatch.chdir(folder)  # as a curator runs it: from the digest's folder, no options
    for command in (["ingest", "--quiet", "--today", "2026-11-25"], ["check", "--strict"],
                    ["build", "--quiet"]):
        result = digest(*command)
        assert result.exit_code == 0, (command, result.output)
    papers = list((folder / "content" / "papers").glob("*.yaml"))
    assert papers and (folder / "site" / "index.html").is_file()
    assert len(list((folder / "site" / "papers").iterdir())) == len(papers)


def test_build_outside_a_digest_says_what_it_expected(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = digest("build")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: {tmp_path / 'content'}: expected a digest's content folder (with papers/ and "
        "themes.yml), got none; run this in the digest's folder, point at one with --content "
        "DIR, or create a digest with `digest init DIR`"]
