"""Paper YAML text -> values, with the line and column of every key and value.

The one parser of paper files: digest/reader.py reads every file through it
for check, fmt, ingest and build alike. Each file is composed once with
libyaml into a node tree and its values are built here from the nodes, as
PyYAML's safe loader would, so duplicate keys, bad dates and the line:col of
every key and value come out of one pass. It refuses what the commands could
not all read the same way or safely, each with a located problem:

- anchors, aliases and merge keys: no expansion happens (ten nested levels of
  ten aliases would build 10^10 values);
- tags, and tabs outside quoted text (libyaml accepts a tab after `key:` or
  inside a plain title; ruamel, which fmt and ingest update files with, does not);

and warns where YAML reads a curator's text differently than it was meant: a
` #` inside an unquoted title starts a comment, and the rest is silently lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import yaml

from . import yamlio
from .codes import (
    ALIAS,
    COMMENT_IN_TEXT,
    DUPLICATE_KEY,
    TAB,
    UNREADABLE_FILE,
    UNSUPPORTED_YAML,
    WRONG_TYPE,
    YAML_SYNTAX,
)
from .model import Problem

_SAFE = yaml.constructor.SafeConstructor()
_TAG = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP, _TIMESTAMP = (_TAG + t for t in ("str", "seq", "map", "timestamp"))
# The scalar tags PyYAML's safe loader reads; the rest build collections or objects.
_SCALAR_TAGS = frozenset(_TAG + t for t in ("null", "bool", "int", "float", "binary", "timestamp"))


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



def located(path: str, node_or_mark: Any, code: str, message: str,
            severity: str = "error") -> Problem:
    """A problem at a node's (or event's, or mark's) start."""
    mark = getattr(node_or_mark, "start_mark", node_or_mark)
    return Problem(path, mark.line + 1, mark.column + 1, code, message, severity)


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
        self.problems.append(located(self.path, node, code, message))


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
    return Problem(path, line, col, YAML_SYNTAX, f"invalid YAML: {message}{_syntax_hint(message)}")


def _compose(path: str, text: str) -> tuple[PaperFile | None, list[Problem]]:
    """Parse one paper file; None (with the problems) when it is not YAML or not a mapping."""
    try:
        root = yaml.compose(text, Loader=yamlio.FastLoader)
    except yaml.YAMLError as exc:
        return None, [_syntax_problem(path, text, exc)]
    if not isinstance(root, yaml.MappingNode):
        got = "an empty file" if root is None else _describe(_Builder(path).build(root), root)
        where = root if root is not None else yaml.Mark("", 0, 0, 0, None, None)
        return None, [located(path, where, WRONG_TYPE,
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


# --- what a reader needs told: syntax hints, tabs, aliases, comments ---------

# libyaml's message -> how to fix it, for the mistakes curators make.
_HINTS = (
    ("mapping values are not allowed", "a value holding \": \" must be quoted: put the whole "
     "value in double quotes"),
    ("could not find expected ':'", "every line is `key: value`, a list item `  - value`, or "
     "the continuation of a value indented under its key"),
    ("did not find expected key", "check the indentation: keys start at the beginning of the "
     "line and list items are indented by two spaces"),
    ("expected <block end>", "check the indentation: keys start at the beginning of the line "
     "and list items are indented by two spaces"),
    ("did not find expected ',' or ']'", "close the `[` list with `]`, or write one `  - item` "
     "per line"),
    ("did not find expected ',' or '}'", "close the `{` with `}`, or put the value in quotes"),
    ("found unexpected end of stream", "a quote is not closed: end the value with the quote it "
     "starts with"),
    ("found unknown escape character", "inside double quotes a backslash starts an escape: "
     "write \\\\ for a backslash, or use single quotes"),
    ("cannot start any token", "a value cannot start with @ or a backtick: put it in quotes"),
    ("found undefined alias", "`*name` is an alias, which paper files do not use: put the "
     "value in quotes"),
)


def _syntax_hint(message: str) -> str:
    return next((f"; {hint}" for needle, hint in _HINTS if needle in message), "")


def _tab_problems(path: str, text: str, root: yaml.Node | None) -> list[Problem]:
    """Tabs where ruamel refuses them: anywhere but inside quoted or block text and comments."""
    spans = [(n.start_mark.index, n.end_mark.index) for n in _scalars(root)
             if n.style in ('"', "'", "|", ">")]
    problems = []
    offset = 0
    for number, line in enumerate(text.split("\n"), 1):
        column = line.find("\t")
        while column >= 0:
            at = offset + column
            if not any(start <= at < end for start, end in spans) and not _in_comment(line, column):
                problems.append(Problem(
                    path, number, column + 1, TAB, "a tab character: expected spaces, got a tab; "
                    "YAML indents and separates with spaces (a tab inside a title or abstract "
                    "is kept only in double quotes, written \\t)"))
                break  # one per line is enough to find it
            column = line.find("\t", column + 1)
        offset += len(line) + 1
    return problems


def _in_comment(line: str, column: int) -> bool:
    match = re.search(r"(^|\s)#", line[:column])
    return match is not None


def _scalars(node: yaml.Node | None):
    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _scalars(item)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _scalars(key)
            yield from _scalars(value)


def _alias_problems(path: str, text: str) -> list[Problem]:
    """Every anchor and alias, located; found from the event stream, so nothing is expanded."""
    if "&" not in text and "*" not in text:
        return []
    problems = []
    try:
        for event in yaml.parse(text, Loader=yamlio.FastLoader):
            if isinstance(event, yaml.AliasEvent):
                problems.append(located(path, event, ALIAS, f"expected plain values, got the "
                                        f"alias *{event.anchor}; write the value itself"))
            elif getattr(event, "anchor", None):
                problems.append(located(path, event, ALIAS, f"expected plain values, got the "
                                        f"anchor &{event.anchor}; remove it"))
    except yaml.YAMLError:
        pass  # compose reports the syntax error
    return problems


# Fields whose text a curator writes, as a value or as list items.
CURATOR_TEXT = ("title", "abstract", "organization", "note", "tags", "authors")
_COMMENT_AFTER = re.compile(r"[ \t]+#")


def _comment_problems(paper: PaperFile) -> list[Problem]:
    """A warning where ` #` cut a curator's unquoted text short."""
    problems = []
    for key in CURATOR_TEXT:
        if key not in paper.nodes:
            continue
        value_node = paper.nodes[key][1]
        items = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for node in items:
            if not isinstance(node, yaml.ScalarNode) or node.style or node.tag != _STR:
                continue
            rest = paper.text[node.end_mark.index:].split("\n", 1)[0]
            if not _COMMENT_AFTER.match(rest):
                continue
            meant = paper.text[node.start_mark.index:node.end_mark.index] + rest
            problems.append(located(paper.path, node, COMMENT_IN_TEXT, f"{key}: \" #\" starts a "
                                    f"YAML comment, so this reads as {yamlio.double_quoted(node.value)}"
                                    f"; to keep the rest, quote it: {yamlio.double_quoted(meant.strip())}",
                                    "warning"))
    return problems


def read_paper(path: str, text: str) -> tuple[PaperFile | None, list[Problem]]:
    """Parse one paper file; None (with the problems) when it is not safe, plain YAML
    holding a mapping. Warnings come with a PaperFile."""
    aliases = _alias_problems(path, text)
    if aliases:
        return None, aliases
    paper, problems = _compose(path, text)
    if "\t" in text:
        tabs = _tab_problems(path, text, paper.root if paper is not None else None)
        if tabs:
            located_at = {(p.line, p.col) for p in tabs}
            return None, tabs + [p for p in problems if (p.line, p.col) not in located_at]
    if paper is not None and " #" in text:
        problems += _comment_problems(paper)
    return paper, problems
