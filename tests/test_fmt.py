"""digest/fmt.py: the house style, comments kept, idempotent, meaning never changed."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from digest import yamlio
from digest.fmt import FormatRefused, format_library, format_paper
from digest.model import DigestError
from digest.paper_yaml import read_paper

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "scale"
HEAD = yamlio.SCHEMA_COMMENT


def fmt(text: str) -> str:
    paper, problems = read_paper("p.yaml", text)
    assert [p for p in problems if p.severity == "error"] == []
    return format_paper(paper)


FIELDS = {
    "id": "x",
    "title": "no",
    "abstract": "First line.\nSecond line: with a colon.",
    "published": date(2025, 5, 19),
    "authors": 3,
    "added": date(2025, 10, 13),
    "sources": ["a.txt", "b.txt"],
    "themes": ["vision"],
    "hidden": True,
}


def test_a_file_written_by_dump_paper_is_unchanged():
    text = yamlio.dump_paper(FIELDS)
    assert fmt(text) == text


def test_quotes_lists_and_order_become_the_house_style():
    text = ("title: 'Plain'\nid: x\nabstract: \"a: b\"\nadded: 2025-10-13\n"
            "sources: [a.txt, 'b.txt']\nhidden: yes\nupvotes: 0x10\n")
    assert fmt(text) == HEAD + (
        'id: x\ntitle: Plain\nabstract: "a: b"\nupvotes: 16\nadded: 2025-10-13\n'
        "sources:\n  - a.txt\n  - b.txt\nhidden: true\n")


def test_comments_are_kept_and_move_with_their_keys():
    text = (
        "# Curated by Ana.\n"
        "title: 'A title'   # shortened\n"
        "id: x\n"
        "abstract: Text.\n"
        "# hide until the camera-ready\n"
        "hidden: yes\n"
        "added: 2025-10-13\n"
        "sources: [a.txt]\n"
        "themes:\n"
        "- vision  # main one\n"
        "# more to come\n"
    )
    assert fmt(text) == (
        HEAD
        + "# Curated by Ana.\n"
        "id: x\n"
        'title: "A title"   # shortened\n'  # text before a comment stays quoted (Y006)
        "abstract: Text.\n"
        "added: 2025-10-13\n"
        "sources:\n"
        "  - a.txt\n"
        "themes:\n"
        "  - vision # main one\n"
        "# hide until the camera-ready\n"
        "hidden: true\n"
        "# more to come\n"
    )


def test_a_hash_inside_text_is_not_a_comment():
    assert fmt("id: x\ntitle: 'C# for science'\n") == HEAD + "id: x\ntitle: C# for science\n"
    assert fmt("id: x\ntitle: 'Problem #12'\n") == HEAD + 'id: x\ntitle: "Problem #12"\n'


def test_the_schema_comment_goes_first():
    text = "# mine\n" + HEAD + "id: x  # keep\n"
    assert fmt(text) == HEAD + "# mine\nid: x  # keep\n"


def test_values_fmt_does_not_own_are_left_as_written():
    text = HEAD + "id: x\nnote:\nrating: 1.50  # not a paper field\n"
    assert fmt(text) == text


IDEMPOTENCE_CASES = [
    "title: 'x'\nid: y\n",
    "id: y\nnote: |\n  two\n  lines\n",
    "# c\nid: y\ntags: [a, b]  # tags\nthemes:\n  - a\n",
    "id: y\nabstract: >\n  folded\n  text\n\n# before hidden\nhidden: no\n",
    'id: y\ntitle: "tab\\there"\norganization: \'O\'\'Brien\'  # quote\n',
]


@pytest.mark.parametrize("text", IDEMPOTENCE_CASES)
def test_fmt_is_idempotent_and_keeps_the_meaning(text):
    once = fmt(text)
    assert fmt(once) == once
    assert yaml.safe_load(once) == yaml.safe_load(text)


# Any text a title or note may hold, with the characters YAML treats specially.
TEXT = st.lists(st.sampled_from(list("ab #:-'\"\\\n\t\x85\u2028é ") + ["no", "1e3", "null"]),
                max_size=8).map("".join)


@settings(max_examples=200, deadline=None)
@given(title=TEXT, note=TEXT, comment=st.booleans())
def test_any_string_keeps_its_value(title, note, comment):
    text = f"id: x\ntitle: {yamlio.double_quoted(title)}\nnote: {yamlio.double_quoted(note)}\n"
    if comment:
        text = "# a comment\n" + text
    once = fmt(text)
    assert yaml.safe_load(once) == {"id": "x", "title": title, "note": note}
    assert fmt(once) == once


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def test_format_library_rewrites_only_what_changes(tmp_path):
    house = yamlio.dump_paper(FIELDS)
    house_y = yamlio.dump_paper({**FIELDS, "id": "y", "title": "Why"})
    write(tmp_path, {"papers/x.yaml": house, "papers/y.yaml": house_y.removeprefix(HEAD)})
    y = tmp_path / "papers" / "y.yaml"
    assert format_library(tmp_path, write=False) == [y]
    assert y.read_text() == house_y.removeprefix(HEAD)
    assert format_library(tmp_path, write=True) == [y]
    assert y.read_text() == house_y
    assert format_library(tmp_path, write=True) == []


def test_files_with_errors_are_refused_and_nothing_is_written(tmp_path):
    def paper(pid: str) -> str:
        return yamlio.dump_paper({**FIELDS, "id": pid, "title": pid}).removeprefix(HEAD)

    write(tmp_path, {"papers/a.yaml": paper("a") + "id: b\n", "papers/b.yaml": "id: [b\n",
                     "papers/c.yaml": paper("c"),
                     "papers/d.yaml": paper("d").replace("2025-05-19", "2025-02-30")})
    with pytest.raises(DigestError) as raised:
        format_library(tmp_path, write=True)
    assert str(raised.value) == ("3 file(s) cannot be formatted until their YAML is fixed; "
                                 "nothing written")
    assert [(Path(p.path).name, p.line, p.code) for p in raised.value.problems] == [
        ("a.yaml", 15, "Y002"), ("a.yaml", 15, "I001"), ("b.yaml", 2, "Y001"), ("d.yaml", 6, "D001")]
    assert (tmp_path / "papers" / "c.yaml").read_text() == paper("c")


def test_text_that_reads_as_another_type_is_refused_not_rewritten(tmp_path):
    typed = ("id: a\ntitle: no\ntags: [on, off, 1.0, ~]  # mine\nabstract: A.\n"
             "added: 2025-10-13\nsources: [a.txt]\n")
    write(tmp_path, {"papers/a.yaml": typed})
    with pytest.raises(DigestError) as raised:
        format_library(tmp_path, write=True)
    assert [(p.line, p.code) for p in raised.value.problems] == [
        (2, "S002"), (3, "S002"), (3, "S002"), (3, "S002"), (3, "S002")]
    assert raised.value.problems[0].message.endswith('put it in quotes to keep it as text: "no"')
    assert (tmp_path / "papers" / "a.yaml").read_text() == typed


# read_paper accepts these files (the schema is checked later), so format_paper refuses
# them itself, with check's messages: `title: false` would read back as `title: no` does.
@pytest.mark.parametrize("fields, refused", [
    ("title: no\nabstract: A.\ntags: [on, 1.0]\n", [
        'p.yaml:2:8: S002 title: expected a string, got the boolean false; '
        'put it in quotes to keep it as text: "no"',
        'p.yaml:4:8: S002 tags[0]: expected a string, got the boolean true; '
        'put it in quotes to keep it as text: "on"',
        'p.yaml:4:12: S002 tags[1]: expected a string, got the number 1.0; '
        'put it in quotes to keep it as text: "1.0"']),
    ("title: A\nabstract: A.\npublished: 2025-02-30\n", [
        "p.yaml:4:12: D001 published: expected a date as YYYY-MM-DD, got 2025-02-30, "
        "a date that does not exist"]),
])
def test_format_paper_refuses_mistyped_text_and_dates_that_do_not_exist(fields, refused):
    with pytest.raises(FormatRefused) as raised:
        fmt(f"id: a\n{fields}added: 2025-10-13\nsources: [a.txt]\n")
    assert [str(p) for p in raised.value.problems] == refused


def test_windows_line_ends_become_lf_with_one_schema_comment():
    text = (yamlio.dump_paper(FIELDS) + "# mine\nnote: x  # kept\n").replace("\n", "\r\n")
    once = fmt(text)
    assert "\r" not in once
    assert once.count(HEAD) == 1
    assert once.endswith('# mine\nnote: "x" # kept\nhidden: true\n')
    assert fmt(once) == once


def test_the_shipped_library_is_in_the_house_style():
    if not any((ROOT / "content" / "papers").glob("*.yaml")):
        pytest.skip("content/papers is empty until the first ingest")
    assert format_library(ROOT / "content", write=False) == []


@pytest.mark.corpus
def test_every_file_ingest_writes_from_the_corpus_is_in_the_house_style(tmp_path):
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus is not here")
    subprocess.run([sys.executable, "-m", "digest", "ingest", str(CORPUS), "--content",
                    str(tmp_path), "--today", "2026-11-25", "-q"], check=True, capture_output=True)
    assert format_library(tmp_path, write=False) == []



def test_author_names_that_read_as_another_type_are_refused_and_a_count_is_kept(tmp_path):
    required = "abstract: A.\nadded: 2025-10-13\nsources: [a.txt]\n"
    names = f"id: a\ntitle: A\n{required}authors:\n  - Ada Lovelace\n  - No  # a surname\n"
    write(tmp_path, {"papers/a.yaml": names,
                     "papers/b.yaml": f"id: b\ntitle: B\n{required}authors: 4  # counted\n"})
    with pytest.raises(DigestError) as raised:
        format_library(tmp_path, write=True)
    assert [(p.path.rsplit("/", 1)[1], p.line, p.code) for p in raised.value.problems] == [
        ("a.yaml", 8, "S002")]
    assert (tmp_path / "papers" / "a.yaml").read_text() == names
