from datetime import date

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from digest import yamlio

RT = YAML(typ="rt")
# Any text a dump line can hold: every code point except surrogates.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)


def read_both(text):
    return yaml.load(text, Loader=yaml.SafeLoader), RT.load(text)


@settings(max_examples=400, deadline=None)
@given(title=TEXT, abstract=TEXT, note=TEXT)
def test_any_string_survives_yaml_exactly(title, abstract, note):
    text = yamlio.dump_paper({"title": title, "abstract": abstract, "note": note})
    for data in read_both(text):
        assert (data["title"], data["abstract"], data["note"]) == (title, abstract, note)


def test_strings_that_look_like_other_types_stay_strings():
    tricky = ["no", "Yes", "null", "~", "2024-01-01", "1e3", "0o17", "0x1F", "1:20", ".inf",
              "12", "-", "? x", "a: b", "a #b", "#x", "@x", "`x", "%x", "!x", "*x", "&x",
              "[x]", "{x}", "|x", ">x", "'x", '"x', "x ", " x", "<<", "="]
    text = yamlio.dump_paper({f"k{i}": v for i, v in enumerate(tricky)})
    for data in read_both(text):
        assert [str(data[f"k{i}"]) for i in range(len(tricky))] == tricky
        assert all(isinstance(data[f"k{i}"], str) for i in range(len(tricky)))


def test_house_style():
    text = yamlio.dump_paper({
        "id": "x", "title": "Plain title", "published": date(2025, 10, 13), "authors": 4,
        "sources": ["000_a.txt"], "note": "Line one\n\n*two*\n", "hidden": False, "themes": [],
    })
    assert text == (
        "# yaml-language-server: $schema=../schema/paper.schema.json\n"
        "id: x\ntitle: Plain title\npublished: 2025-10-13\nauthors: 4\n"
        "sources:\n  - 000_a.txt\nnote: |\n  Line one\n\n  *two*\nhidden: false\nthemes: []\n"
    )


def test_update_file_keeps_comments_and_curator_formatting(tmp_path):
    path = tmp_path / "p.yaml"
    original = (
        "# yaml-language-server: $schema=../schema/paper.schema.json\n"
        "id: p\ntitle: 'Curated: title'  # fixed typo\nabstract: Text.\nadded: 2026-01-26\n"
        "sources:\n  - a.txt  # first seen here\nthemes: [llm, rl]\nnote: |\n  Keep *this*.\n"
    )
    path.write_text(original)
    updated = yamlio.update_file(
        path, {"published": date(2025, 1, 2), "upvotes": 3, "sources": ["a.txt", "b.txt"]},
        ("id", "title", "abstract", "published", "authors", "organization", "upvotes", "added",
         "sources", "themes", "tags", "note", "hidden"))
    assert updated == (
        "# yaml-language-server: $schema=../schema/paper.schema.json\n"
        "id: p\ntitle: 'Curated: title'  # fixed typo\nabstract: Text.\npublished: 2025-01-02\n"
        "upvotes: 3\nadded: 2026-01-26\n"
        "sources:\n  - a.txt  # first seen here\n  - b.txt\nthemes: [llm, rl]\nnote: |\n  Keep *this*.\n"
    )


@settings(max_examples=500, deadline=None)
@given(value=st.text(alphabet=st.sampled_from(list("aAyYnNoOtTfF01.-+~<=!&*: #'\"éx_")), max_size=8)
       | st.sampled_from(["no", "Yes", "off", "null", "~", "1e3", "0x1F", ".inf", "2024-01-01", "<<", "="]))
def test_plain_is_safe_agrees_with_reading_the_value_back(value):
    # The first-character shortcut must say what both YAML readers say.
    if not value or yamlio._PLAIN_BAD.search(value):
        assert not yamlio.plain_is_safe(value)
        return
    try:
        readable = all(data == {"x": value} for data in read_both(f"x: {value}\n"))
    except Exception:  # not even valid YAML written plain
        readable = False
    assert yamlio.plain_is_safe(value) == readable, value


@pytest.mark.parametrize("before, after", [
    # A comment line after the list is about what follows it, and stays there.
    ("sources:\n  - a.txt\n# checked against the PDF\nthemes:\n  - llm\n",
     "sources:\n  - a.txt\n  - b.txt\n# checked against the PDF\nthemes:\n  - llm\n"),
    # An end-of-line comment and an indented comment below an item stay with it.
    ("sources:\n  - a.txt  # first\n  # about a.txt\n\n# the note\nnote: hi\n",
     "sources:\n  - a.txt  # first\n  # about a.txt\n  - b.txt\n\n# the note\nnote: hi\n"),
    ("sources:\n  - a.txt\n# last words\n", "sources:\n  - a.txt\n  - b.txt\n# last words\n"),
])
def test_items_appended_to_a_list_go_above_the_comments_that_follow_it(tmp_path, before, after):
    path = tmp_path / "x.yaml"
    path.write_text(before, encoding="utf-8")
    assert yamlio.update_file(path, {"sources": ["a.txt", "b.txt"]}, ("sources",)) == after
