"""digest/validate.py: every problem code, located and worded exactly; the schema and the checks agree."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from digest import paper_yaml, reader, schema, yamlio
from digest.cli import main
from digest.model import PAPER_FIELDS
from digest.schema import load_schema
from digest.validate import check_library

ROOT = Path(__file__).resolve().parents[1]

THEMES = """\
themes:
  - id: vision
    name: Vision
    description: Images and video.
    keywords: [image, video]
  - id: language
    name: Language
    description: Text and language models.
    keywords: [language model]
  - id: agents
    name: Agents
    description: Models that act.
    keywords: [agent]
  - id: robotics
    name: Robotics
    description: Robots.
    keywords: [robot]
"""

# One valid library: every field used once, and a title that needs quotes.
PAPERS = {
    "sparse-attention": {
        "id": "sparse-attention",
        "title": "Faster Video Diffusion with Trainable Sparse Attention",
        "abstract": "Scaling video diffusion transformers is limited by attention.",
        "published": date(2025, 5, 19),
        "authors": 8,
        "organization": "HKU",
        "upvotes": 8,
        "added": date(2025, 10, 13),
        "sources": ["000_a.txt", "001_b.txt"],
        "themes": ["vision"],
        "tags": ["attention"],
        "note": "Read with the *VSA* paper.",
        "hidden": False,
    },
    "granularity-axis": {
        "id": "granularity-axis",
        "title": "The Granularity Axis",
        "abstract": "Roles from micro to macro.",
        "added": date(2025, 10, 13),
        "sources": ["000_a.txt"],
    },
    "code-world": {
        "id": "code-world",
        "title": "Code2World: A GUI World Model",
        "abstract": "GUI agents that predict the next screen.",
        "added": date(2025, 10, 14),
        "sources": ["001_b.txt"],
        "themes": ["agents", "vision"],
    },
}
A = "content/papers/sparse-attention.yaml"
B = "content/papers/granularity-axis.yaml"
C = "content/papers/code-world.yaml"


def library_files() -> dict[str, str]:
    files = {f"content/papers/{pid}.yaml": yamlio.dump_paper(fields) for pid, fields in PAPERS.items()}
    files["content/themes.yml"] = THEMES
    return files


def write_library(root: Path, files: dict[str, str | bytes]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")


@pytest.fixture
def library(tmp_path, monkeypatch):
    """A valid library in ./content, problems reported with paths relative to it."""
    monkeypatch.chdir(tmp_path)
    files = library_files()
    write_library(tmp_path, files)
    return files


def lines(problems) -> list[str]:
    return [str(p) for p in problems]


def test_the_valid_library_has_no_problems(library):
    assert lines(check_library(Path("content")).problems) == []


def test_the_fixture_shows_the_house_style():
    assert library_files()[C].splitlines()[1:4] == [
        "id: code-world", 'title: "Code2World: A GUI World Model"',
        "abstract: GUI agents that predict the next screen."]


# One defect per library: (file, text replaced, replacement, the one problem expected).
# None as the replaced text appends; a whole-file replacement uses "" -> text.
DEFECTS = {
    "yaml syntax error": (A, "title: Faster", "title: [Faster",
        f"{A}:4:9: Y001 invalid YAML: did not find expected ',' or ']' "
        "(while parsing a flow sequence that starts at line 3, column 8); close the `[` list "
        "with `]`, or write one `  - item` per line"),
    "an alias": (A, None, "note: *summary\n",
        f"{A}:19:7: Y004 expected plain values, got the alias *summary; write the value itself"),
    "a tab after a key": (A, "upvotes: 8", "upvotes:\t8",
        f"{A}:8:9: Y005 a tab character: expected spaces, got a tab; YAML indents and "
        "separates with spaces (a tab inside a title or abstract is kept only in double "
        "quotes, written \\t)"),
    "a comment inside a title": (A, "title: Faster Video Diffusion with Trainable Sparse Attention",
        "title: Optimal Sparsity #1 in Video Diffusion",
        f'{A}:3:8: Y006 title: " #" starts a YAML comment, so this reads as "Optimal Sparsity"; '
        'to keep the rest, quote it: "Optimal Sparsity #1 in Video Diffusion"'),
    "duplicate key": (A, None, "authors: 9\n",
        f'{A}:19:1: Y002 duplicate key "authors": expected each key once, got it again '
        "(first on line 6)"),
    "unsupported tag": (A, "upvotes: 8", "upvotes: !votes 8",
        f"{A}:8:10: Y003 expected plain YAML values, got the tag !votes"),
    "missing required field": (B, "abstract: Roles from micro to macro.\n", "",
        f'{B}:2:1: S001 missing required field "abstract": expected every paper to have '
        "id, title, abstract, added and sources"),
    "title read as a boolean": (A, "title: Faster Video Diffusion with Trainable Sparse Attention",
        "title: no",
        f'{A}:3:8: S002 title: expected a string, got the boolean false; '
        'put it in quotes to keep it as text: "no"'),
    "title read as a number": (B, "title: The Granularity Axis", "title: 2024",
        f'{B}:3:8: S002 title: expected a string, got the integer 2024; '
        'put it in quotes to keep it as text: "2024"'),
    "authors as words": (A, "authors: 8", "authors: eight",
        f'{A}:6:10: S002 authors: expected a list or an integer, got the string "eight"'),
    "hidden as a number": (A, "hidden: false", "hidden: 1",
        f"{A}:18:9: S002 hidden: expected true or false, got the integer 1"),
    "themes as one string": (C, "themes:\n  - agents\n  - vision", "themes: agents",
        f'{C}:8:9: S002 themes: expected a list, got the string "agents"'),
    "not a mapping": (B, "", "- The Granularity Axis\n",
        f'{B}:1:1: S002 expected a mapping of paper fields (key: value lines), got a list of 1 item'),
    "unknown key with a suggestion": (A, "tags:", "tag:",
        f'{A}:15:1: S003 unknown key "tag": expected a paper field, got an unknown key; '
        'did you mean "tags"?'),
    "unknown key without one": (B, None, "rating: 5\n",
        f'{B}:8:1: S003 unknown key "rating": expected a paper field, got an unknown key; '
        "paper fields are id, title, abstract, arxiv, published, listed, authors, organization, "
        "upvotes, code, project, added, sources, themes, tags, note and hidden"),
    "authors below 1": (A, "authors: 8", "authors: 0",
        f"{A}:6:10: S004 authors: expected an integer >= 1, got 0"),
    "upvotes below 0": (A, "upvotes: 8", "upvotes: -2",
        f"{A}:8:10: S004 upvotes: expected an integer >= 0, got -2"),
    "four themes": (A, "  - vision\n", "  - vision\n  - language\n  - agents\n  - robotics\n",
        f"{A}:14:3: S004 themes: expected at most 3 items, got 4"),
    "theme twice": (C, "  - vision\n", "  - agents\n",
        f'{C}:10:5: S004 themes[1]: expected each item once, got the string "agents" again'),
    "no sources": (B, "sources:\n  - 000_a.txt\n", "sources: []\n",
        f"{B}:6:10: S004 sources: expected at least 1 item, got 0"),
    "id not a slug": (B, "id: granularity-axis", "id: Granularity_Axis",
        f'{B}:2:5: S004 id: expected a slug of lowercase letters a-z, digits and single '
        'hyphens, got the string "Granularity_Axis"'),
    "source with a folder": (B, "  - 000_a.txt", "  - dumps/000_a.txt",
        f'{B}:7:5: S004 sources[0]: expected a dump file name without a folder, '
        'got the string "dumps/000_a.txt"'),
    "unknown theme": (A, "  - vision", "  - vison",
        f'{A}:14:5: S005 themes[0]: expected a theme id from content/themes.yml, got the '
        'string "vison"; did you mean "vision"?'),
    "theme id in capitals": (A, "  - vision", "  - VISION",
        f'{A}:14:5: S005 themes[0]: expected a theme id from content/themes.yml, got the '
        'string "VISION"; did you mean "vision"?'),
    "theme given by its name": (C, "  - agents", "  - Robotics",
        f'{C}:9:5: S005 themes[0]: expected a theme id from content/themes.yml, got the '
        'string "Robotics"; did you mean "robotics"?'),
    "unknown theme, nothing close": (C, "  - agents", "  - zzz",
        f'{C}:9:5: S005 themes[0]: expected a theme id from content/themes.yml, got the '
        'string "zzz"; known ids are agents, language, robotics and vision'),
    "date that does not exist": (A, "published: 2025-05-19", "published: 2025-02-30",
        f"{A}:5:12: D001 published: expected a date as YYYY-MM-DD, got 2025-02-30, "
        "a date that does not exist"),
    "quoted date": (B, "added: 2025-10-13", 'added: "2025-10-13"',
        f'{B}:5:8: D001 added: expected a date as YYYY-MM-DD, got the string "2025-10-13"; '
        "write the date without quotes"),
    "date in words": (A, "published: 2025-05-19", "published: May 19, 2025",
        f'{A}:5:12: D001 published: expected a date as YYYY-MM-DD, got the string "May 19, 2025"'),
    "date with a time": (A, "published: 2025-05-19", "published: 2025-05-19 10:30:00",
        f"{A}:5:12: D001 published: expected a date as YYYY-MM-DD, got the date and time "
        "2025-05-19 10:30:00"),
    "not UTF-8": (B, "Roles", "R\udcf4les",  # a lone byte 0xf4, written raw
        f"{B}:4:12: F001 cannot read: expected UTF-8 text, got the byte 0xf4"),
    "id is not the file name": (B, "id: granularity-axis", "id: granularity",
        f'{B}:2:5: I001 id: expected "granularity-axis" (the file name without .yaml), got '
        'the string "granularity"; rename the file or fix the id'),
    "two files for one paper": (C, '"Code2World: A GUI World Model"', "the granularity  AXIS",
        f"{B}:3:8: I002 title: expected one file per paper, got the same title as {C} "
        "(ignoring case and spacing); merge the two files"),
    "not in the house style": (A, "title: Faster Video Diffusion with Trainable Sparse Attention",
        "title: 'Faster Video Diffusion with Trainable Sparse Attention'",
        f"{A}:3:8: W001 not in the house style: expected \"Faster Video Diffusion with "
        "Trainable...\", got \"'Faster Video Diffusion with Trainabl...\"; run `digest fmt`"),
    "keys out of order": (B, "id: granularity-axis\ntitle: The Granularity Axis\n",
        "title: The Granularity Axis\nid: granularity-axis\n",
        f'{B}:2:1: W001 not in the house style: expected "id: granularity-axis", got '
        '"title: The Granularity Axis"; run `digest fmt`'),
    "a .yml paper file is ignored": ("content/papers/notes.yml", "", "id: notes\n",
        "content/papers/notes.yml:1:1: W002 ignored file: expected a paper file named "
        "<id>.yaml, got notes.yml"),
    "no themes.yml": ("content/themes.yml", THEMES, None,
        "content/themes.yml:1:1: F001 cannot read: expected the theme taxonomy here, "
        "got no such file"),
}


def inject(files: dict[str, str], name: str, old: str | None, new: str | None) -> dict:
    """The library files with one defect: `old` replaced by `new` in file `name`."""
    files = dict(files)
    if new is None:
        del files[name]
    elif old is None:
        files[name] += new
    elif old == "":
        files[name] = new
    else:
        assert old in files[name], f"fixture drift: {old!r} not in {name}"
        files[name] = files[name].replace(old, new, 1)
    text = files.get(name)
    if isinstance(text, str) and "\udcf4" in text:  # a raw byte that is not UTF-8
        files[name] = text.encode("utf-8", "surrogateescape")
    return files


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_one_defect_gives_one_problem_at_its_line(defect, tmp_path, monkeypatch):
    name, old, new, expected = DEFECTS[defect]
    monkeypatch.chdir(tmp_path)
    write_library(tmp_path, inject(library_files(), name, old, new))
    assert lines(check_library(Path("content")).problems) == [expected]


def test_a_symlink_in_the_library_is_not_followed(library):
    Path("content/papers/passwd.yaml").symlink_to("/etc/passwd")
    assert lines(check_library(Path("content")).problems) == [
        "content/papers/passwd.yaml:1:1: F002 not read: expected a paper file, got a symbolic "
        "link; copy the file itself here"]


def test_two_files_with_one_arxiv_id_are_two_files_for_one_paper(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    files = inject(library_files(), C, "abstract: GUI agents that predict the next screen.\n",
                   'abstract: GUI agents that predict the next screen.\narxiv: "2510.12345"\n')
    files = inject(files, B, "abstract: Roles from micro to macro.\n",
                   "abstract: Roles from micro to macro.\narxiv: 2510.12345v2\n")
    write_library(tmp_path, files)
    assert lines(check_library(Path("content")).problems) == [
        f"{B}:5:8: I002 arxiv: expected one file per paper, got the same arXiv id as {C} "
        "(version aside); merge the two files"]


def test_every_code_has_an_exact_message_test():
    tested = {re.search(r": ([A-Z]\d{3}) ", expected).group(1) for *_, expected in DEFECTS.values()}
    assert tested | {"F002"} == set(emitted_codes())  # F002: the symlink test above


def emitted_codes() -> list[str]:
    source = (ROOT / "digest" / "codes.py").read_text(encoding="utf-8")
    return re.findall(r'^[A-Z_]+ = "([A-Z]\d{3})"', source, flags=re.M)


def test_a_broken_themes_yml_is_reported_with_its_own_problems(library):
    broken = THEMES.replace("    name: Language\n", "")
    write_library(Path("."), {"content/themes.yml": broken})
    problems = check_library(Path("content")).problems
    assert [(p.path, p.line, p.code) for p in problems] == [("content/themes.yml", 6, "T005")]


def test_comments_in_the_house_style_are_no_warning(library):
    text = library[C].replace("id: code-world", "id: code-world  # from the 2025 dump")
    write_library(Path("."), {C: "# Curated by Ana.\n" + text})
    assert lines(check_library(Path("content")).problems) == [
        f'{C}:1:3: W001 not in the house style: expected "yaml-language-server: $schema=../sche...", '
        'got "Curated by Ana."; run `digest fmt`']
    write_library(Path("."), {C: text.replace("\n", "\n# Curated by Ana.\n", 1)})
    assert lines(check_library(Path("content")).problems) == []


def test_all_problems_of_a_run_come_together_sorted(library):
    write_library(Path("."), {
        B: library[B].replace("id: granularity-axis", "id: g"),
        A: library[A].replace("upvotes: 8", "upvotes: -1").replace("authors: 8", "authors: 0"),
    })
    assert [(p.path, p.line, p.code) for p in check_library(Path("content")).problems] == [
        (B, 2, "I001"), (A, 6, "S004"), (A, 8, "S004")]


def test_many_problems_in_one_file_each_keep_their_line(library):
    text = library[A].replace("authors: 8", "authors: 0").replace("tags:", "tag:")
    text = text.replace("published: 2025-05-19", "published: 2025-02-30")
    write_library(Path("."), {A: text})
    assert [(p.line, p.code) for p in check_library(Path("content")).problems] == [
        (5, "D001"), (6, "S004"), (15, "S003")]


def test_check_never_raises_on_a_damaged_file(library):
    """Deleting any one character gives problems or none, never an exception."""
    text = library[C]
    schema = load_schema()
    for cut in range(len(text)):
        damaged = text[:cut] + text[cut + 1:]
        reader.read_paper_text(C, "code-world", damaged,
                               reader.Rules(schema, {"vision": "Vision", "agents": "Agents"}))


# --- the JSON Schema and the hand checks ---------------------------------------


def test_schema_is_a_draft_2020_12_schema_editors_can_use():
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert tuple(schema["properties"]) == PAPER_FIELDS
    for name, rule in schema["properties"].items():
        assert rule.get("description"), name
        assert "description" in rule.get("items", {"description": "-"}), name
    assert yamlio.SCHEMA_COMMENT.strip().endswith("../schema/paper.schema.json")


# The keywords validate.py interprets; anything else in the schema would be ignored silently.
INTERPRETED = {"type", "format", "pattern", "patternErrorMessage", "minimum", "minItems",
               "maxItems", "uniqueItems", "items", "description", "anyOf", "maxLength"}


def test_schema_uses_only_keywords_the_checks_interpret():
    for name, rule in load_schema()["properties"].items():
        alternatives = rule.get("anyOf", [])
        for part in (rule, rule.get("items", {}), *alternatives, *(a.get("items", {}) for a in alternatives)):
            assert set(part) <= INTERPRETED, name
            assert ("pattern" in part) == ("patternErrorMessage" in part), name
            assert part.get("format", "date") == "date", name


VALID = {"id": "x", "title": "T", "abstract": "A.", "added": date(2025, 1, 2), "sources": ["a.txt"]}
# Documents on which both must agree: valid (first) and broken in one field each.
AGREEMENT_DOCS = [
    {},
    {"authors": 3, "upvotes": 0, "published": date(2024, 2, 29), "organization": "Org",
     "themes": ["vision", "agents"], "tags": ["a", "b"], "note": "", "hidden": True},
    {"abstract": ""},
    {"id": "X y"}, {"id": 7}, {"title": ""}, {"title": " "}, {"title": False},
    {"abstract": None}, {"published": "May 2025"}, {"published": 20250101},
    {"authors": 0}, {"authors": "8"}, {"authors": True}, {"organization": ""},
    {"upvotes": -1}, {"added": None}, {"sources": []}, {"sources": "a.txt"},
    {"sources": ["a.txt", "a.txt"]}, {"sources": ["x/a.txt"]}, {"themes": []},
    {"themes": ["a", "b", "c", "d"]}, {"themes": ["Vision"]}, {"themes": ["a", "a"]},
    {"tags": [""]}, {"tags": "a"}, {"tags": [1]}, {"note": 5}, {"hidden": "yes"},
    {"hidden": 0}, {"extra": 1}, {"_drop": "title"}, {"_drop": "sources"},
]


def json_view(value):
    """A YAML value as a JSON document (what an editor's YAML 1.2 parser sees)."""
    if isinstance(value, dict):
        return {k: json_view(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_view(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value


@pytest.mark.parametrize("change", AGREEMENT_DOCS, ids=repr)
def test_schema_and_hand_checks_agree(change):
    doc = dict(VALID)
    if "_drop" in change:
        del doc[change["_drop"]]
    else:
        doc.update(change)
    validator = Draft202012Validator(load_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
    by_schema = {(e.path[0] if e.path else e.validator) for e in validator.iter_errors(json_view(doc))}
    text = "".join(f"{k}: {yamlio.double_quoted(v) if isinstance(v, str) else json_repr(v)}\n"
                   for k, v in doc.items())
    paper, problems = paper_yaml.read_paper("p.yaml", text)
    assert problems == [] and paper.values == doc
    by_hand = set()
    for problem in schema.check_fields(paper, load_schema()):
        key = problem.message.split(":")[0].split("[")[0]
        by_hand.add({"S001": "required", "S003": "additionalProperties"}.get(problem.code, key))
    assert by_hand == by_schema


def json_repr(value) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, list):
        return "[" + ", ".join(yamlio.double_quoted(v) if isinstance(v, str) else json_repr(v)
                               for v in value) + "]"
    return str(value.isoformat() if isinstance(value, date) else value)


def test_where_the_checks_are_stricter_than_the_schema():
    """YAML distinctions a JSON view cannot see: a quoted date, and 8.0 authors."""
    validator = Draft202012Validator(load_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
    base = "id: x\ntitle: T\nabstract: A.\nsources: [a.txt]\n"
    for extra, code in (('added: "2025-01-02"\n', "D001"), ("added: 2025-01-02\nauthors: 8.0\n", "S002")):
        paper, _ = paper_yaml.read_paper("p.yaml", base + extra)
        assert [p.code for p in schema.check_fields(paper, load_schema())] == [code]
        assert list(validator.iter_errors(json_view(paper.values))) == []


# --- the shipped library and the CLI -------------------------------------------------


def test_the_shipped_library_has_no_problems():
    if not any((ROOT / "content" / "papers").glob("*.yaml")):
        pytest.skip("content/papers is empty until the first ingest")
    assert lines(check_library(ROOT / "content").problems) == []


def test_cli_check_exits_1_on_errors_and_prints_them(library):
    write_library(Path("."), {B: library[B].replace("id: granularity-axis", "id: g")})
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(f"{B}:2:5: I001 ")


def test_cli_check_passes_warnings_unless_strict(library):
    write_library(Path("."), {"content/papers/notes.txt": "x"})
    assert CliRunner().invoke(main, ["check"]).exit_code == 0
    assert CliRunner().invoke(main, ["check", "--strict"]).exit_code == 1


def test_cli_check_annotates_pull_requests_in_github_actions(library, monkeypatch):
    write_library(Path("."), {B: library[B].replace("added: 2025-10-13", "added: 2025-13-01")})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = CliRunner().invoke(main, ["check"])
    assert f"::error file={B},line=5,col=8::D001 added: expected a date" in result.stdout


def test_annotations_follow_strict_and_only_a_true_github_actions(library, monkeypatch):
    write_library(Path("."), {"content/papers/notes.txt": "x"})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert "::warning file=content/papers/notes.txt,line=1,col=1::W002" in \
        CliRunner().invoke(main, ["check"]).stdout
    assert "::error file=content/papers/notes.txt,line=1,col=1::W002" in \
        CliRunner().invoke(main, ["check", "--strict"]).stdout
    monkeypatch.setenv("GITHUB_ACTIONS", "false")
    assert "::" not in CliRunner().invoke(main, ["check", "--strict"]).stdout


def test_windows_line_ends_are_one_house_style_warning_on_line_1(library):
    write_library(Path("."), {B: library[B].replace("\n", "\r\n")})
    first = library[B].split("\n", 1)[0]
    assert lines(check_library(Path("content")).problems) == [
        f"{B}:1:{len(first) + 1}: W001 not in the house style: expected lines ending in LF, "
        "got CRLF (Windows) line ends; run `digest fmt`"]


@pytest.mark.parametrize("typed, meant", [
    ("reinforcement-learning", "rl"), ("Reinforcement Learning", "rl"), ("RL", "rl"),
    ("optimisation", "optimization"), ("computer_vision", "vision"), ("diffusion", None)])
def test_the_closest_theme_is_found_by_case_name_or_spelling(typed, meant):
    names = {"rl": "Reinforcement learning", "optimization": "Optimization",
             "vision": "Computer vision", "generative": "Generative models"}
    assert schema.closest_theme(typed, names) == meant
