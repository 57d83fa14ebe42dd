"""`digest check`: the library and themes.yml -> a list of located Problems.

Each paper file is composed once with libyaml into a node tree and its values
are built here from the nodes, so duplicate keys, bad dates and the line:col of
every key and value come out of one pass. The per-field rules are those of
content/schema/paper.schema.json, applied by a small interpreter of the few
keywords that schema uses: jsonschema per file is too slow for 10,000 files,
and tests/test_validate.py keeps the two in agreement.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from . import yamlio
from .ids import arxiv_key, title_key
from .model import PAPER_FIELDS, DigestError, Problem
from .themes import load_taxonomy

# Stable problem codes. CONTRIBUTING.md documents each one (a test keeps them in
# step); themes.yml's own problems are T0xx, from digest/themes.py.
YAML_SYNTAX = "Y001"
DUPLICATE_KEY = "Y002"
UNSUPPORTED_YAML = "Y003"
MISSING_FIELD = "S001"
WRONG_TYPE = "S002"
UNKNOWN_KEY = "S003"
OUT_OF_RANGE = "S004"
UNKNOWN_THEME = "S005"
INVALID_DATE = "D001"
UNREADABLE_FILE = "F001"
ID_NOT_FILE_NAME = "I001"
DUPLICATE_PAPER = "I002"
NOT_HOUSE_STYLE = "W001"
IGNORED_FILE = "W002"

# The rules live with the project, not with a content folder: every library is
# held to the same schema (bench libraries in a temp folder have no schema/).
SCHEMA_PATH = Path(__file__).resolve().parents[1] / "content" / "schema" / "paper.schema.json"
PAPERS_DIR = "papers"
PAPER_SUFFIX = ".yaml"
THEMES_FILE = "themes.yml"

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SAFE = yaml.constructor.SafeConstructor()
_TAG = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP, _TIMESTAMP = (_TAG + t for t in ("str", "seq", "map", "timestamp"))
# The scalar tags PyYAML's safe loader reads; the rest build collections or objects.
_SCALAR_TAGS = frozenset(_TAG + t for t in ("null", "bool", "int", "float", "binary", "timestamp"))
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TYPE_NOUNS = {"string": "a string", "integer": "an integer", "boolean": "true or false",
               "array": "a list", "object": "a mapping", "date": "a date as YYYY-MM-DD"}


@dataclass(frozen=True)
class InvalidDate:
    """A plain scalar YAML resolves as a date but no calendar has (2025-02-30)."""

    text: str


@dataclass
class PaperFile:
    """A paper file that parsed as YAML: its values, and the key and value node of each key."""

    path: str
    text: str
    root: yaml.MappingNode
    values: dict[Any, Any]
    nodes: dict[Any, tuple[yaml.Node, yaml.Node]]


def load_schema(path: Path = SCHEMA_PATH) -> dict[str, Any]:
    """The paper JSON Schema."""
    return json.loads(path.read_text(encoding="utf-8"))


# --- reading YAML into values with marks -------------------------------------


def _problem(path: str, node_or_mark: Any, code: str, message: str) -> Problem:
    mark = getattr(node_or_mark, "start_mark", node_or_mark)
    return Problem(path, mark.line + 1, mark.column + 1, code, message)


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


class _Builder:
    """Builds Python values from a node tree as PyYAML's safe loader would, noting problems."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []
        self._open: set[int] = set()  # collections being built, to stop on recursive aliases

    def build(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if id(node) in self._open:
            self._report(node, UNSUPPORTED_YAML, "expected plain YAML values, got a recursive alias")
            return None
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                if node.tag != _SEQ:
                    self._unsupported_tag(node)
                return [self.build(item) for item in node.value]
            if node.tag != _MAP:
                self._unsupported_tag(node)
            return self.mapping(node)[0]
        finally:
            self._open.discard(id(node))

    def mapping(self, node: yaml.MappingNode) -> tuple[dict, dict]:
        """The mapping's values and, per key, its (key node, value node); PyYAML keeps the last."""
        values: dict[Any, Any] = {}
        nodes: dict[Any, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = self._value(key_node)
            try:
                hash(key)
            except TypeError:  # a list or mapping as a key: unique, and reported as unknown
                key = ("unhashable", key_node.start_mark.index)
            if key in nodes:
                first = nodes[key][0].start_mark.line + 1
                self._report(key_node, DUPLICATE_KEY, f"duplicate key {_key_text(key_node)}: "
                             f"expected each key once, got it again (first on line {first})")
            nodes[key] = (key_node, value_node)
            values[key] = self._value(value_node)
        return values, nodes

    def _value(self, node: yaml.Node) -> Any:
        # Most nodes are plain strings: skip the dispatch (10,000 files add up).
        if node.tag == _STR and isinstance(node, yaml.ScalarNode):
            return node.value
        return self.build(node)

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == _STR:
            return node.value
        if node.tag not in _SCALAR_TAGS:
            self._unsupported_tag(node)
            return node.value
        try:
            return _SAFE.yaml_constructors[node.tag](_SAFE, node)
        except (ValueError, yaml.YAMLError):
            if node.tag == _TIMESTAMP and not node.style:
                return InvalidDate(node.value)
            self._report(node, UNSUPPORTED_YAML, f"expected a value that {_short_tag(node.tag)} "
                         f"can read, got {yamlio.double_quoted(node.value)}")
            return node.value

    def _unsupported_tag(self, node: yaml.Node) -> None:
        self._report(node, UNSUPPORTED_YAML,
                     f"expected plain YAML values, got the tag {_short_tag(node.tag)}")

    def _report(self, node: yaml.Node, code: str, message: str) -> None:
        self.problems.append(_problem(self.path, node, code, message))


def _key_text(node: yaml.Node) -> str:
    text = node.value if isinstance(node, yaml.ScalarNode) else "(a collection)"
    return yamlio.double_quoted(text)


def _syntax_problem(path: str, text: str, exc: yaml.YAMLError) -> Problem:
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        return Problem(path, line, col, YAML_SYNTAX, "invalid YAML: expected printable text, "
                       f"got the control character #x{exc.character:04x}")
    mark = exc.problem_mark or exc.context_mark
    message = exc.problem or "cannot parse"
    if exc.context and exc.context.startswith("while") and exc.context_mark is not None:
        cm = exc.context_mark
        message += f" ({exc.context} that starts at line {cm.line + 1}, column {cm.column + 1})"
    elif exc.context:
        message = f"{exc.context}, {message}"
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Problem(path, line, col, YAML_SYNTAX, f"invalid YAML: {message}")


def read_paper(path: str, text: str) -> tuple[PaperFile | None, list[Problem]]:
    """Parse one paper file; None (with the problems) when it is not YAML or not a mapping."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        return None, [_syntax_problem(path, text, exc)]
    if not isinstance(root, yaml.MappingNode):
        got = "an empty file" if root is None else _describe(_Builder(path).build(root), root)
        where = root if root is not None else yaml.Mark("", 0, 0, 0, None, None)
        return None, [_problem(path, where, WRONG_TYPE,
                               f"expected a mapping of paper fields (key: value lines), got {got}")]
    builder = _Builder(path)
    if root.tag != _MAP:
        builder._unsupported_tag(root)
    values, nodes = builder.mapping(root)
    return PaperFile(path, text, root, values, nodes), builder.problems


def read_bytes(path: str, data: bytes) -> tuple[str | None, list[Problem]]:
    """Decode a file as UTF-8, or the problem pointing at the first bad byte."""
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Problem(path, line, col, UNREADABLE_FILE,
                              f"cannot read: expected UTF-8 text, got the byte 0x{data[exc.start]:02x}")]


# --- the schema's rules -------------------------------------------------------


def _describe(value: Any, node: yaml.Node | None = None) -> str:
    """How a value reads in "expected X, got Y"."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {node.value if isinstance(node, yaml.ScalarNode) else value}"
    if isinstance(value, datetime):
        return f"the date and time {node.value if isinstance(node, yaml.ScalarNode) else value}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    if isinstance(value, InvalidDate):
        return f"{value.text}, a date that does not exist"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"the string {yamlio.double_quoted(shown)}"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    return "a mapping" if isinstance(value, dict) else f"a {type(value).__name__} value"


def _type_of(rule: dict[str, Any]) -> str:
    return "date" if rule.get("format") == "date" else rule["type"]


def _has_type(value: Any, kind: str) -> bool:
    if kind == "date":
        return isinstance(value, date) and not isinstance(value, datetime)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    python = {"string": str, "boolean": bool, "array": list, "object": dict}[kind]
    return isinstance(value, python)


def _type_hint(value: Any, node: yaml.Node, kind: str) -> str:
    """What the curator should do when YAML read their text as the wrong type."""
    # libyaml marks plain scalars with style "", PyYAML's Python parser with None.
    plain = isinstance(node, yaml.ScalarNode) and not node.style and value is not None
    if kind == "string" and plain and not isinstance(value, str):
        return f"; put it in quotes to keep it as text: {yamlio.double_quoted(node.value)}"
    if kind == "date" and isinstance(value, str) and _ISO_DAY.match(value):
        return "; write the date without quotes"
    return ""


class _RuleChecker:
    """Applies the schema's keywords to one value and its node."""

    def __init__(self, path: str, problems: list[Problem]):
        self.path = path
        self.problems = problems

    def check(self, value: Any, node: yaml.Node, rule: dict[str, Any], where: str) -> None:
        if "anyOf" in rule:  # alternatives told apart by type: the one whose type fits applies
            fitting = [r for r in rule["anyOf"] if _has_type(value, _type_of(r))]
            if not fitting:
                nouns = " or ".join(_TYPE_NOUNS[_type_of(r)] for r in rule["anyOf"])
                self._report(node, WRONG_TYPE, f"{where}: expected {nouns}, got {_describe(value, node)}")
                return
            rule = fitting[0]
        kind = _type_of(rule)
        if not _has_type(value, kind):
            code = INVALID_DATE if kind == "date" else WRONG_TYPE
            self._report(node, code, f"{where}: expected {_TYPE_NOUNS[kind]}, "
                         f"got {_describe(value, node)}{_type_hint(value, node, kind)}")
        elif kind == "string" and "pattern" in rule and not re.search(rule["pattern"], value):
            self._report(node, OUT_OF_RANGE,
                         f"{where}: {rule['patternErrorMessage']}, got {_describe(value)}")
        elif kind == "integer" and "minimum" in rule and value < rule["minimum"]:
            self._report(node, OUT_OF_RANGE,
                         f"{where}: expected an integer >= {rule['minimum']}, got {value}")
        elif kind == "array":
            self._check_array(value, node, rule, where)

    def _check_array(self, value: list, node: yaml.Node, rule: dict[str, Any], where: str) -> None:
        count = len(value)
        if count < rule.get("minItems", 0):
            self._report(node, OUT_OF_RANGE, f"{where}: expected at least {rule['minItems']} "
                         f"item{'s' if rule['minItems'] != 1 else ''}, got {count}")
        if count > rule.get("maxItems", count):
            self._report(node, OUT_OF_RANGE,
                         f"{where}: expected at most {rule['maxItems']} items, got {count}")
        seen: set[Any] = set()
        for index, (item, item_node) in enumerate(zip(value, node.value)):
            self.check(item, item_node, rule["items"], f"{where}[{index}]")
            marker = repr(item)  # lists and mappings are unhashable
            if rule.get("uniqueItems") and marker in seen:
                self._report(item_node, OUT_OF_RANGE, f"{where}[{index}]: expected each item "
                             f"once, got {_describe(item)} again")
            seen.add(marker)

    def _report(self, node: yaml.Node, code: str, message: str) -> None:
        self.problems.append(_problem(self.path, node, code, message))


def check_fields(paper: PaperFile, schema: dict[str, Any]) -> list[Problem]:
    """Required fields, unknown keys and each field's rules, as the schema states them."""
    problems: list[Problem] = []
    rules = schema["properties"]
    checker = _RuleChecker(paper.path, problems)
    for key, (key_node, value_node) in paper.nodes.items():
        if key not in rules:
            problems.append(_problem(paper.path, key_node, UNKNOWN_KEY, _unknown_key(key_node)))
        else:
            checker.check(paper.values[key], value_node, rules[key], key)
    missing = [k for k in schema["required"] if k not in paper.values]
    for key in missing:
        problems.append(_problem(paper.path, paper.root, MISSING_FIELD, f"missing required field "
                                 f'"{key}": expected every paper to have {_listed(schema["required"])}'))
    return problems


def _unknown_key(key_node: yaml.Node) -> str:
    text = key_node.value if isinstance(key_node, yaml.ScalarNode) else ""
    close = difflib.get_close_matches(text, PAPER_FIELDS, n=1)
    hint = f'did you mean "{close[0]}"?' if close else f"paper fields are {_listed(PAPER_FIELDS)}"
    return f"unknown key {_key_text(key_node)}: expected a paper field, got an unknown key; {hint}"


def _listed(words: tuple[str, ...] | list[str]) -> str:
    return ", ".join(words[:-1]) + " and " + words[-1]


# --- checks that need more than one field or file ---------------------------------


_NON_WORD = re.compile(r"[\W_]+")


def closest_theme(text: str, theme_names: Mapping[str, str]) -> str | None:
    """The theme id a curator most likely meant: same id in other case, a theme's
    name written as an id (`reinforcement-learning` for `rl`), or a near spelling."""
    folded = text.casefold()
    by_case = {tid.casefold(): tid for tid in theme_names}
    if folded in by_case:
        return by_case[folded]
    by_name = {_NON_WORD.sub(" ", name.casefold()).strip(): tid for tid, name in theme_names.items()}
    words = _NON_WORD.sub(" ", folded).strip()
    if words in by_name:
        return by_name[words]
    close = difflib.get_close_matches(folded, list(by_case), n=1, cutoff=0.7)
    if close:
        return by_case[close[0]]
    close = difflib.get_close_matches(words, list(by_name), n=1, cutoff=0.75)
    return by_name[close[0]] if close else None


def check_themes(paper: PaperFile, theme_names: Mapping[str, str], themes_path: str) -> list[Problem]:
    """Every curated theme id exists in themes.yml; suggest the closest one when not.

    `theme_names` maps each theme id to its name.
    """
    themes = paper.values.get("themes")
    if not isinstance(themes, list) or "themes" not in paper.nodes:
        return []
    problems = []
    known = set(theme_names)
    for index, (item, node) in enumerate(zip(themes, paper.nodes["themes"][1].value)):
        if not isinstance(item, str) or item in known:
            continue
        close = closest_theme(item, theme_names)
        hint = f'did you mean "{close}"?' if close else f"known ids are {_listed(sorted(known))}"
        problems.append(_problem(paper.path, node, UNKNOWN_THEME, f"themes[{index}]: expected a "
                                 f"theme id from {themes_path}, got {_describe(item)}; {hint}"))
    return problems


def check_id(paper: PaperFile, stem: str) -> list[Problem]:
    """The id is the file name: URLs and merges find a paper by it."""
    pid = paper.values.get("id")
    if not isinstance(pid, str) or pid == stem:
        return []
    node = paper.nodes["id"][1]
    return [_problem(paper.path, node, ID_NOT_FILE_NAME, f'id: expected "{stem}" (the file name '
                     f"without {PAPER_SUFFIX}), got {_describe(pid)}; rename the file or fix the id")]


def check_duplicates(papers: list[PaperFile]) -> list[Problem]:
    """Two files for one paper: titles equal once case, spacing and Unicode forms are
    ignored, or the same arXiv id whatever its version."""
    first: dict[tuple[str, str], str] = {}
    problems = []
    for paper in sorted(papers, key=lambda p: p.path):
        title, arxiv = paper.values.get("title"), arxiv_key(paper.values.get("arxiv"))
        keys = [("title", "the same title as {} (ignoring case and spacing)",
                 title_key(title) if isinstance(title, str) and title.strip() else None),
                ("arxiv", "the same arXiv id as {} (version aside)", arxiv)]
        for field, what, key in keys:
            other = first.setdefault((field, key), paper.path) if key else paper.path
            if other != paper.path:
                problems.append(_problem(paper.path, paper.nodes[field][1], DUPLICATE_PAPER,
                                         f"{field}: expected one file per paper, got "
                                         f"{what.format(other)}; merge the two files"))
                break  # one report per file is enough to send the curator to the other
    return problems


def check_house_style(paper: PaperFile) -> list[Problem]:
    """A warning where `digest fmt` would change the file, pointing at the first changed line."""
    from .fmt import FormatRefused, format_paper  # fmt reads files with this module's parser

    if "\r\n" in paper.text:
        first = paper.text.split("\r\n", 1)[0]
        return [Problem(paper.path, 1, len(first) + 1, NOT_HOUSE_STYLE, "not in the house style: "
                        "expected lines ending in LF, got CRLF (Windows) line ends; run `digest fmt`",
                        "warning")]
    try:
        expected = format_paper(paper)
    except FormatRefused:  # fmt refuses what the check reports as errors elsewhere
        return []
    if expected == paper.text:
        return []
    got_lines, want_lines = paper.text.splitlines(), expected.splitlines()
    line = next((i for i, (a, b) in enumerate(zip(got_lines, want_lines)) if a != b),
                min(len(got_lines), len(want_lines)))
    got, want = _line_at(got_lines, line), _line_at(want_lines, line)
    col = 0
    if got is not None and want is not None:
        col = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b),
                   min(len(got), len(want)))
    return [Problem(paper.path, line + 1, col + 1, NOT_HOUSE_STYLE, "not in the house style: "
                    f"expected {_snippet(want, col)}, got {_snippet(got, col)}; run `digest fmt`",
                    "warning")]


def _line_at(lines: list[str], index: int) -> str | None:
    return lines[index] if index < len(lines) else None


def _snippet(line: str | None, col: int) -> str:
    """The line from the first changed character on, short enough to read."""
    if line is None:
        return "the end of the file"
    text = line[col:]
    if not text:
        return "the end of the line"
    return yamlio.double_quoted(text if len(text) <= 40 else text[:37] + "...")


# --- the whole library ----------------------------------------------------------


def check_paper_text(path: str, stem: str, text: str, schema: dict[str, Any],
                     theme_names: Mapping[str, str] | None, themes_path: str,
                     ) -> tuple[PaperFile | None, list[Problem]]:
    """Every single-file check of one paper file (theme ids skipped when themes.yml is broken)."""
    paper, problems = read_paper(path, text)
    if paper is None:
        return None, problems
    stages = [check_fields(paper, schema), check_id(paper, stem)]
    if theme_names is not None:
        # First, so that `RL` is told "did you mean rl" rather than only the id pattern.
        stages.insert(0, check_themes(paper, theme_names, themes_path))
    for found in stages:
        # A value already reported (a tag, an id that is no slug) is not reported again.
        located = {(p.line, p.col) for p in problems}
        problems += [p for p in found if (p.line, p.col) not in located]
    if not problems:
        problems += check_house_style(paper)
    return paper, problems


def load_theme_names(themes_file: Path) -> tuple[dict[str, str] | None, list[Problem]]:
    """The valid theme ids with their names, or None and the problems of a broken themes.yml."""
    label = themes_file.as_posix()
    if not themes_file.is_file():
        return None, [Problem(label, 1, 1, UNREADABLE_FILE,
                              "cannot read: expected the theme taxonomy here, got no such file")]
    try:
        return {theme.id: theme.name for theme in load_taxonomy(themes_file).themes}, []
    except DigestError as exc:
        message = str(exc).removeprefix(f"{themes_file}: ")
        return None, exc.problems or [Problem(label, 1, 1, UNREADABLE_FILE, message)]


def check_library(content_dir: Path) -> list[Problem]:
    """Every problem of the library in content_dir/papers and of content_dir/themes.yml."""
    schema = load_schema()
    themes_file = content_dir / THEMES_FILE
    theme_names, problems = load_theme_names(themes_file)
    papers_dir = content_dir / PAPERS_DIR
    entries = sorted(papers_dir.iterdir(), key=lambda e: e.name) if papers_dir.is_dir() else []
    papers = []
    for entry in entries:
        label = entry.as_posix()
        if entry.name.startswith(".") or not entry.is_file():
            continue
        if entry.suffix != PAPER_SUFFIX:
            problems.append(Problem(label, 1, 1, IGNORED_FILE, f"ignored file: expected a paper "
                                    f"file named <id>{PAPER_SUFFIX}, got {entry.name}", "warning"))
            continue
        try:
            text, read_problems = read_bytes(label, entry.read_bytes())
        except OSError as exc:
            text, read_problems = None, [Problem(label, 1, 1, UNREADABLE_FILE, "cannot read: "
                                                 f"expected a readable file, got {exc.strerror}")]
        problems += read_problems
        if text is None:
            continue
        paper, file_problems = check_paper_text(label, entry.stem, text, schema, theme_names,
                                                themes_file.as_posix())
        problems += file_problems
        if paper is not None:
            papers.append(paper)
    problems += check_duplicates(papers)
    return sorted(problems)
