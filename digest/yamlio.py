"""Reading and writing paper YAML in the house style.

New files are emitted here, field by field, so the output is deterministic and
fast, and every string reads back as the same string under both YAML 1.1
(PyYAML) and YAML 1.2 (ruamel, editors): a title `no`, `null` or `2024-01-01`
stays text. Existing files that a curator may have touched are updated with
ruamel's round-trip mode so comments and their formatting survive.
"""

from __future__ import annotations

import copy
import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedSeq
from ruamel.yaml.nodes import ScalarNode as RuamelScalarNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

SCHEMA_COMMENT = "# yaml-language-server: $schema=../schema/paper.schema.json\n"

# libyaml's C parser where PyYAML was built with it, else PyYAML's own: paper and theme files use it.
FastLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Characters YAML allows unescaped (the spec's c-printable), minus the ones
# YAML 1.1 treats as line breaks and the byte-order mark.
_UNPRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_PLAIN_BAD = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]|: |:$| #|^[-?:,\[\]{}#&*!|>'\"%@`\s]|\s$")
# A plain string must resolve to a string under both schemas: YAML 1.1
# (PyYAML: `no` is false) and YAML 1.2 (ruamel, editors: `1e3` is a float).
_RESOLVER_11 = yaml.resolver.Resolver()
_RESOLVER_12 = VersionedResolver(version=(1, 2))
_STR_TAG = "tag:yaml.org,2002:str"
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\x00": "\\0",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


# Both resolvers pick implicit types by a value's first character: a value
# starting with any other character is a string under both, without asking.
_IMPLICIT = (_RESOLVER_11.yaml_implicit_resolvers, _RESOLVER_12.versioned_resolver)
_TYPED_FIRST = (None if any(None in table for table in _IMPLICIT)
                else frozenset(key for table in _IMPLICIT for key in table if key))


def plain_is_safe(value: str) -> bool:
    """True when `value` can be written unquoted and still read back as itself."""
    if not value or _PLAIN_BAD.search(value):
        return False
    if _TYPED_FIRST is not None and value[0] not in _TYPED_FIRST:
        return True
    return (_RESOLVER_11.resolve(yaml.ScalarNode, value, (True, False)) == _STR_TAG
            and str(_RESOLVER_12.resolve(RuamelScalarNode, value, (True, False))) == _STR_TAG)


def _escape_char(ch: str) -> str:
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    if not _UNPRINTABLE.match(ch):
        return ch
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


# Exactly the characters _escape_char changes; the rest is copied as it is.
_NEEDS_ESCAPE = re.compile("[" + re.escape("".join(_ESCAPES)) + "]|" + _UNPRINTABLE.pattern)


def double_quoted(value: str) -> str:
    """A YAML double-quoted scalar on one line that reads back as exactly `value`."""
    return '"' + _NEEDS_ESCAPE.sub(lambda match: _escape_char(match.group()), value) + '"'


def _literal_is_safe(value: str) -> bool:
    # A literal block keeps text as written, except leading spaces on the first
    # line, whitespace-only lines, CRs and runs of trailing newlines.
    if "\n" not in value.rstrip("\n") or value.endswith("\n\n") or value[:1] in " \t\n":
        return False
    if _UNPRINTABLE.search(value) or any(c in value for c in "\r\x85\u2028\u2029\ufeff"):
        return False
    return all(line.strip() or not line for line in value.split("\n"))


def scalar(value: Any) -> str:
    """One scalar in the house style."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, date)):
        return str(value) if not isinstance(value, date) else value.isoformat()
    if isinstance(value, str):
        return value if plain_is_safe(value) else double_quoted(value)
    raise TypeError(f"cannot write {type(value).__name__} as a YAML scalar")


def _block(value: str) -> str:
    chomp = "" if value.endswith("\n") else "-"
    body = "".join(f"  {line}\n" if line else "\n" for line in value.rstrip("\n").split("\n"))
    return f"|{chomp}\n{body}"


def dump_paper(fields: dict[str, Any]) -> str:
    """The YAML text of a new paper file: schema comment, then keys in the given order."""
    out = [SCHEMA_COMMENT]
    for key, value in fields.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            if not value:
                out.append(f"{key}: []\n")
            else:
                out.append(f"{key}:\n" + "".join(f"  - {scalar(v)}\n" for v in value))
        elif isinstance(value, str) and _literal_is_safe(value):
            out.append(f"{key}: {_block(value)}")
        else:
            out.append(f"{key}: {scalar(value)}\n")
    return "".join(out)


def roundtrip_yaml() -> YAML:
    """ruamel configured to write the house style (2-space maps, `  - ` lists, no wrapping)."""
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 1 << 30
    rt.indent(mapping=2, sequence=4, offset=2)
    rt.allow_duplicate_keys = False
    # Two keys holding the same date object (listed and added) must not become
    # an anchor and an alias: curators would not recognise them.
    keeps_aliases = rt.representer.ignore_aliases
    rt.representer.ignore_aliases = lambda data: isinstance(data, date) or keeps_aliases(data)
    return rt


def roundtrip_value(value: Any) -> Any:
    """Wrap a new value so ruamel writes it as dump_paper would."""
    if isinstance(value, str):
        if _literal_is_safe(value):
            return LiteralScalarString(value)
        return value if plain_is_safe(value) else DoubleQuotedScalarString(value)
    if isinstance(value, (list, tuple)):
        return [roundtrip_value(v) for v in value]
    return value


def append_items(seq: CommentedSeq, items: list[Any]) -> None:
    """Append to a round-trip list, keeping comments where the curator put them.

    ruamel hangs the comment lines that follow a list on its last item, so a
    plain append would put them above the new items, inside the list: they
    move to the new last item, and only the old item's end-of-line comment stays.
    """
    if not items:
        return
    last = len(seq) - 1
    entry = seq.ca.items.get(last)
    token = entry[0] if entry else None
    after = None
    if token is not None:
        own_line, _, following = token.value.partition("\n")
        lines = following.splitlines(keepends=True)
        # Indented comment lines right below the item are about the item.
        keep = next((i for i, line in enumerate(lines) if not line.startswith((" ", "\t"))),
                    len(lines))
        if keep < len(lines):
            after = copy.copy(token)
            after.value = "\n" + "".join(lines[keep:])
            kept = own_line + "\n" + "".join(lines[:keep])
            if kept.strip():
                token.value = kept
            else:
                entry[0] = None
    seq.extend(items)
    if after is not None:
        seq.ca.items[len(seq) - 1] = [after, None, None, None]


def update_file(path: Path, changes: dict[str, Any], order: tuple[str, ...]) -> str:
    """Return the text of `path` with `changes` applied, comments and formatting kept.

    New keys go after the nearest preceding key in `order`, so files stay in the
    canonical key order.
    """
    rt = roundtrip_yaml()
    doc = rt.load(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if key in doc:
            if isinstance(value, list) and isinstance(doc[key], list):
                old = list(doc[key])
                if value[:len(old)] == old:  # new items at the end: above trailing comments
                    append_items(doc[key], [roundtrip_value(v) for v in value[len(old):]])
                else:
                    # New items go in where `value` has them (ingest keeps sources in
                    # name order); ruamel moves the comments of the items after them.
                    for index, item in enumerate(value):
                        if index >= len(doc[key]) or doc[key][index] != item:
                            doc[key].insert(index, roundtrip_value(item))
            else:
                doc[key] = roundtrip_value(value)
            continue
        earlier = order[: order.index(key)] if key in order else order
        position = max((i + 1 for i, k in enumerate(doc) if k in earlier), default=len(doc))
        doc.insert(position, key, roundtrip_value(value))
    buffer = io.StringIO()
    rt.dump(doc, buffer)
    return buffer.getvalue()
