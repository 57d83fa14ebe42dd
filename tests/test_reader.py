"""digest/reader.py: one reading of the library for check, fmt, ingest and build.

The table test breaks a small project's library one way at a time and asserts
that the four commands give the same verdict and name the same file:line.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest import reader, workers, yamlio
from digest.cli import main
from digest.model import DigestError

SHIPPED = Path(__file__).resolve().parents[1] / "content"
LOCATED = re.compile(r"^(\S+:\d+:\d+: [A-Z]\d{3}) ", re.M)
DUMP = ("new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
        "byAK and the research community\n\nJan 26\n\nA Paper Nobody Had Before\n\n"
        "We study something new and show that it works on three benchmarks, with code.\n")


def paper_text(**fields) -> str:
    base = {"id": "p", "title": "A title", "abstract": "An abstract.",
            "added": __import__("datetime").date(2026, 1, 2), "sources": ["a.txt"]}
    return yamlio.dump_paper({**base, **fields})


def alias_bomb() -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    return "\n".join(lines) + "\nid: p\n"


# name -> (file name, text or a callable making the file, code, line, severity)
DEFECTS = {
    "syntax error": ("p.yaml", paper_text().replace("title: A title", "title: a: b"), "Y001", 3, "error"),
    "tab after a key": ("p.yaml", paper_text(upvotes=3).replace("upvotes: 3", "upvotes:\t3"),
                        "Y005", 8, "error"),
    "tab inside a title": ("p.yaml", paper_text().replace("A title", "A\ttitle"), "Y005", 3, "error"),
    "aliases nested ten deep": ("p.yaml", alias_bomb(), "Y004", 1, "error"),
    "duplicate key": ("p.yaml", paper_text() + "title: Again\n", "Y002", 8, "error"),
    "note too long": ("p.yaml", paper_text(note="[" * 20_000), "S004", 8, "error"),
    "file too large": ("p.yaml", paper_text(abstract="word " * 14_000), "F001", 1, "error"),
    "symlink to a system file": ("p.yaml", "/etc/passwd", "F002", 1, "error"),
    "hidden draft with a syntax error": (".draft.yaml", "title: [unclosed\n", "W002", 1, "warning"),
    "comment inside a title": ("p.yaml", paper_text().replace("A title", "Optimal Sparsity #1 in MoE"),
                               "Y006", 3, "warning"),
}


def run(command: str, project: Path, *args: str):
    content = str(project / "content")
    argv = {"check": ["check", "--content", content],
            "fmt": ["fmt", "--content", content],
            "ingest": ["ingest", "--content", content, "--today", "2026-11-25", "--quiet",
                       str(project / "dump.txt")],
            "build": ["build", "--content", content, "--site", str(project / "site"), "--quiet"],
            }[command]
    return CliRunner().invoke(main, argv + list(args))


@pytest.mark.parametrize("defect", DEFECTS)
def test_check_fmt_ingest_and_build_agree_on_a_broken_file(project, defect):
    name, text, code, line, severity = DEFECTS[defect]
    target = project / "content" / "papers" / name
    if defect.startswith("symlink"):
        target.symlink_to(text)
    else:
        target.write_text(text, encoding="utf-8")
    (project / "dump.txt").write_text(DUMP, encoding="utf-8")
    where = f"{target.as_posix()}:{line}:"
    before = {p.name: p.read_bytes() for p in (project / "content" / "papers").glob("*.yaml")}
    results = {}
    for command in ("check", "fmt", "ingest", "build"):
        started = time.perf_counter()
        results[command] = run(command, project)
        assert time.perf_counter() - started < 30, command  # no alias or bracket blow-up
    check = results["check"]
    assert [m for m in LOCATED.findall(check.output) if m.startswith(where)], check.output
    assert f": {code} " in check.output
    assert "root:" not in check.output  # a symlink's target is never read
    expected_exit = 1 if severity == "error" else 0
    for command, result in results.items():
        assert result.exit_code == expected_exit, (command, result.output)
        if severity == "error":
            # The same located problems, word for word, from every command.
            assert LOCATED.findall(result.output) == LOCATED.findall(check.output), command
    if severity == "error":
        assert not (project / "site").exists()
        after = {p.name: p.read_bytes() for p in (project / "content" / "papers").glob("*.yaml")}
        assert after == before  # ingest and fmt wrote nothing


def test_the_check_stays_fast_on_an_alias_bomb(tmp_path):
    started = time.perf_counter()
    read = reader.read_paper_text("p.yaml", "p", alias_bomb(), reader.Rules({}, None))
    assert time.perf_counter() - started < 1
    assert [(p.code, p.line) for p in read.problems][:2] == [("Y004", 1), ("Y004", 2)]
    assert read.paper is None


def test_library_files_leave_out_drafts_and_links_with_a_problem(tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    for name in ("b.yaml", "a.yaml", ".draft.yaml", "notes.txt", ".gitkeep"):
        (papers / name).write_text("x", encoding="utf-8")
    (papers / "link.yaml").symlink_to(papers / "a.yaml")
    (papers / "sub").mkdir()
    files, problems = reader.library_files(papers)
    assert [f.name for f in files] == ["a.yaml", "b.yaml"]
    assert [(Path(p.path).name, p.code, p.severity) for p in problems] == [
        (".draft.yaml", "W002", "warning"), ("link.yaml", "F002", "error"),
        ("notes.txt", "W002", "warning")]


def test_the_library_read_by_several_processes_equals_one_read_in_this_one(monkeypatch):
    one = reader.read_library(SHIPPED)
    monkeypatch.setattr(workers, "PARALLEL_MIN", 2)
    monkeypatch.setattr(workers, "pool_size", lambda: 2)  # workers even on one core
    two = reader.read_library(SHIPPED)
    assert two.papers == one.papers and two.problems == one.problems
    assert [r.path for r in two.reads] == [r.path for r in one.reads]
    assert len(one.papers) == len(list((SHIPPED / "papers").glob("*.yaml")))


def test_a_broken_file_read_in_a_worker_is_located(tmp_path, monkeypatch):
    papers = tmp_path / "papers"
    papers.mkdir()
    for index in range(5):
        (papers / f"p{index}.yaml").write_text(paper_text(id=f"p{index}", title=f"T{index}"),
                                               encoding="utf-8")
    (papers / "p3.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    monkeypatch.setattr(workers, "PARALLEL_MIN", 2)
    monkeypatch.setattr(workers, "pool_size", lambda: 2)
    library = reader.read_library(tmp_path, themes=False)
    assert [str(p) for p in library.errors] == [
        f"{(papers / 'p3.yaml').as_posix()}:2:1: Y001 invalid YAML: did not find expected ',' or "
        "']' (while parsing a flow sequence that starts at line 1, column 5); close the `[` list "
        "with `]`, or write one `  - item` per line"]
    with pytest.raises(DigestError, match=r"^1 problem\(s\); nothing built$"):
        library.raise_errors("nothing built")
    assert [p.id for p in library.papers] == ["p0", "p1", "p2", "p4"]


# Any text a curator may type into a title, a tag or a note (no control
# characters, which YAML cannot hold unescaped and the schema has no use for).
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60).filter(
    lambda s: s.strip())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=TEXT, tag=TEXT, note=TEXT)
def test_any_curator_text_survives_reading_and_formatting_unchanged(tmp_path, title, tag, note):
    from digest.fmt import format_paper
    from digest.paper_yaml import read_paper

    text = paper_text(title=title, tags=[tag], note=note)
    read = reader.read_paper_text("p.yaml", "p", text, reader.Rules(reader.load_schema(), None))
    assert [p for p in read.problems if p.severity == "error"] == []
    assert (read.paper.title, read.paper.tags, read.paper.note) == (title, (tag,), note)
    parsed, _ = read_paper("p.yaml", text)
    assert format_paper(parsed) == text  # fmt leaves what ingest wrote as it is


def test_reading_is_the_same_whatever_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert reader.read_library(SHIPPED).papers == reader.read_library(
        Path(os.path.relpath(SHIPPED, tmp_path))).papers
