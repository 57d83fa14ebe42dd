"""`digest fmt`: rewrite paper files in the house style that `digest ingest` writes.

A file without comments is rewritten by `yamlio.dump_paper` itself, so fmt and
ingest can never disagree on the style. A file with comments goes through
ruamel's round trip, which keeps them; keys are put in canonical order and each
value is rewritten the house way from the value PyYAML reads (the loaders'
view), so `hidden: yes` becomes `hidden: true` and never the string "yes".
Every rewrite is read back and must give the same values, or the file is refused.
"""

from __future__ import annotations

import functools
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from . import yamlio
from .codes import INVALID_DATE, WRONG_TYPE, YAML_SYNTAX
from .files import write_atomically
from .model import PAPER_FIELDS, DigestError, Problem
from .paper_yaml import CURATOR_TEXT, InvalidDate, PaperFile, read_paper
from .reader import read_library
from .schema import check_fields, load_schema

_HOUSE_SCALARS = (str, bool, int, date)


class FormatRefused(Exception):
    """A file fmt will not rewrite, with the problems that say why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


def _ordered_keys(keys: list[Any]) -> list[Any]:
    """Canonical key order; keys the schema does not know keep their order, last."""
    return [k for k in PAPER_FIELDS if k in keys] + [k for k in keys if k not in PAPER_FIELDS]


def _is_house_scalar(value: Any) -> bool:
    return isinstance(value, _HOUSE_SCALARS) and not isinstance(value, datetime)


def _dump_paper_can_write(values: dict[Any, Any]) -> bool:
    """dump_paper writes str keys with house scalars or flat lists of them, nothing else."""
    for key, value in values.items():
        items = value if isinstance(value, list) else [value]
        if not isinstance(key, str) or not all(_is_house_scalar(v) for v in items):
            return False
    return True


def _dump_in_order(values: dict[str, Any]) -> str:
    return yamlio.dump_paper({k: values[k] for k in _ordered_keys(list(values))})


def _has_comments(node: Any) -> bool:
    """True when the round-trip document holds a comment other than the schema line."""
    ca = getattr(node, "ca", None)
    if ca is not None:
        tokens = [ca.comment, ca.end, *ca.items.values()]
        if any(_token_has_comment(t) for t in tokens):
            return True
    if isinstance(node, CommentedMap):
        return any(_has_comments(v) for v in node.values())
    if isinstance(node, CommentedSeq):
        return any(_has_comments(v) for v in node)
    return False


def _token_has_comment(token: Any) -> bool:
    if token is None:
        return False
    if isinstance(token, list):
        return any(_token_has_comment(t) for t in token)
    text = getattr(token, "value", "")
    return "#" in text.replace(yamlio.SCHEMA_COMMENT, "")


def _house_value(value: Any, current: Any) -> Any:
    """The round-trip value that writes `value` (as PyYAML read it) in the house style."""
    if isinstance(value, list) and isinstance(current, CommentedSeq):
        for index, item in enumerate(value):
            _assign(current, index, _house_value(item, current[index]))
        if value:
            current.fa.set_block_style()
        return current
    if isinstance(value, str):
        return yamlio.roundtrip_value(value)
    if _is_house_scalar(value):
        return value
    return current  # floats, nulls, mappings: not the house's business, left as written


def _assign(container: CommentedMap | CommentedSeq, key: Any, value: Any) -> None:
    """Set an item; comments stay, the old quoting style does not."""
    if value is not container[key]:
        # ruamel would re-wrap a plain str in the old value's quoting style.
        container[key] = None
        container[key] = value


def _last_line(node: yaml.Node) -> int:
    """0-based line of a value's last character; a block collection ends with its last item."""
    if isinstance(node, yaml.CollectionNode) and not node.flow_style and node.value:
        last = node.value[-1]
        return _last_line(last[1] if isinstance(last, tuple) else last)
    end = node.end_mark
    # Block scalars end at the start of the line after them.
    return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line


def _reordered_text(paper: PaperFile) -> str:
    """The text with its top-level entries in canonical order, each with the comments above it.

    Done on lines rather than in ruamel, which files a comment line under the
    key before it and would move it away from the key it talks about. Comments
    above the first key stay at the top: they usually speak for the whole file.
    """
    keys = list(paper.nodes)
    order = _ordered_keys(keys)
    starts = [key_node.start_mark for key_node, _ in paper.nodes.values()]
    if order == keys or paper.root.flow_style or any(m.column for m in starts):
        return paper.text
    lines = paper.text.splitlines(keepends=True)
    ends = [_last_line(value_node) for _, value_node in paper.nodes.values()]
    pieces = {}
    for index, key in enumerate(keys):
        first = ends[index - 1] + 1 if index else starts[0].line
        pieces[key] = lines[first:ends[index] + 1]
    head, tail = lines[:starts[0].line], lines[ends[-1] + 1:]
    if tail == [] and not pieces[keys[-1]][-1].endswith("\n"):
        pieces[keys[-1]][-1] += "\n"  # the last line may move up
    return "".join(head + [line for key in order for line in pieces[key]] + tail)


def _roundtrip(paper: PaperFile) -> str:
    rt = yamlio.roundtrip_yaml()
    try:
        doc = rt.load(_reordered_text(paper))
    except (RuamelError, ValueError) as exc:
        raise FormatRefused([Problem(paper.path, 1, 1, YAML_SYNTAX,
                                     f"invalid YAML: fmt cannot read this file ({exc})")]) from exc
    if _dump_paper_can_write(paper.values) and not _has_comments(doc):
        return _dump_in_order(paper.values)
    for key in list(doc):
        if key in paper.values:
            _assign(doc, key, _house_value(paper.values[key], doc[key]))
    _quote_text_before_comments(doc)
    buffer = io.StringIO()
    rt.dump(doc, buffer)
    return _schema_comment_first(buffer.getvalue())


def _ends_in_comment(token_slot: Any) -> bool:
    """Whether a ruamel comment slot holds a comment on the value's own line."""
    token = token_slot[2] if isinstance(token_slot, list) and len(token_slot) > 2 else None
    if isinstance(token_slot, list) and token is None:
        token = token_slot[0]
    return token is not None and token.value.lstrip(" \t").startswith("#")


def _quote_text_before_comments(doc: CommentedMap) -> None:
    """Curator text followed by an end-of-line comment goes in double quotes: unquoted,
    ` #` inside it would start a comment, and check warns (Y006) about any that does."""
    for key in CURATOR_TEXT:
        value = doc.get(key)
        if isinstance(value, str) and _ends_in_comment(doc.ca.items.get(key)):
            _assign(doc, key, DoubleQuotedScalarString(value))
        elif isinstance(value, CommentedSeq):
            for index, item in enumerate(value):
                if isinstance(item, str) and _ends_in_comment(value.ca.items.get(index)):
                    _assign(value, index, DoubleQuotedScalarString(item))


def _schema_comment_first(text: str) -> str:
    lines = text.splitlines(keepends=True)
    if lines[:1] == [yamlio.SCHEMA_COMMENT]:
        return text
    head = 0
    while head < len(lines) and lines[head].startswith("#"):
        head += 1
    kept = [line for line in lines[:head] if line != yamlio.SCHEMA_COMMENT]
    return yamlio.SCHEMA_COMMENT + "".join(kept + lines[head:])


def _house_text(paper: PaperFile) -> str:
    if _dump_paper_can_write(paper.values):
        house = _dump_in_order(paper.values)
        # Without a "#" there is no comment to keep: no need for ruamel's slow round trip.
        if house == paper.text or "#" not in paper.text.replace(yamlio.SCHEMA_COMMENT, ""):
            return house
    return _roundtrip(paper)


@functools.cache
def _text_fields() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The schema's text fields, and its lists of text (dates are typed strings, not text)."""
    rules = load_schema()["properties"]
    single = tuple(k for k, r in rules.items() if r.get("type") == "string" and "format" not in r)
    # `authors` is a list of names or a count: its list alternative counts too.
    lists = tuple(k for k, r in rules.items()
                  if any(alt.get("type") == "array" and alt.get("items", {}).get("type") == "string"
                         for alt in r.get("anyOf", [r])))
    return single, lists


def _text_is_mistyped(values: dict[Any, Any]) -> bool:
    """True when a text field holds something else (`title: no` reads as false)."""
    single, lists = _text_fields()
    if any(values.get(key) is not None and not isinstance(values[key], str) for key in single):
        return True
    return any(isinstance(values.get(key), list) and not all(isinstance(v, str) for v in values[key])
               for key in lists)


def format_paper(paper: PaperFile) -> str:
    """The house-style text of a paper file that parsed cleanly; FormatRefused if it cannot be.

    A file whose text fields read as another type is refused: rewriting
    `title: no` as `title: false` would lose the word the curator typed, and the
    read-back below cannot tell (both read as false). check and fmt pass only
    files without errors; this guards any other caller of this public function.
    """
    if any(isinstance(v, InvalidDate) for v in paper.values.values()):
        dates = [p for p in check_fields(paper, load_schema()) if p.code == INVALID_DATE]
        raise FormatRefused(dates)
    if _text_is_mistyped(paper.values):
        mistyped = [p for p in check_fields(paper, load_schema()) if p.code == WRONG_TYPE]
        if mistyped:
            raise FormatRefused(mistyped)
    source = paper
    if "\r\n" in paper.text:
        # Windows line ends: format the LF text (the house style), whose values are the same.
        unix, problems = read_paper(paper.path, paper.text.replace("\r\n", "\n"))
        if unix is not None and not any(p.severity == "error" for p in problems):
            source = unix
    text = _house_text(source)
    if text == paper.text:  # the common case: a file ingest wrote, untouched
        return text
    again, problems = read_paper(paper.path, text)
    if (again is None or again.values != paper.values
            or any(p.severity == "error" for p in problems)):
        raise DigestError(f"{paper.path}: fmt would change what the file means; "
                          "nothing written (please report this as a bug)")
    return text


def plan_formatting(content_dir: Path) -> tuple[dict[Path, str], list[Problem]]:
    """New text for every paper file not in the house style, and the problems that
    stop fmt: any error `digest check` reports, read the same way."""
    # Theme ids are another file's business: fmt holds a file to what it says itself.
    library = read_library(content_dir, themes=False, keep_files=True)
    refused = library.errors
    changes: dict[Path, str] = {}
    for read in library.reads:
        if read.file is None or read.paper is None:
            continue
        try:
            new_text = format_paper(read.file)
        except FormatRefused as exc:
            refused += exc.problems
            continue
        if new_text != read.file.text:
            changes[Path(read.path)] = new_text
    return changes, refused


def format_library(content_dir: Path, write: bool) -> list[Path]:
    """Rewrite (or with write=False, only list) the paper files not in the house style.

    Every file is read and formatted before any is written: if one cannot be
    (YAML errors), nothing is written and its problems are raised.
    """
    changes, refused = plan_formatting(content_dir)
    if refused:
        files = len({p.path for p in refused})
        raise DigestError(f"{files} file(s) cannot be formatted until their YAML is fixed; "
                          "nothing written", problems=sorted(refused))
    if write:
        for path, text in changes.items():
            write_atomically(path, text.encode("utf-8"))
    return list(changes)
