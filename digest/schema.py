"""The paper schema (paper.schema.json) and the checks of one paper's fields.

The per-field rules are those of the JSON Schema, applied by a small
interpreter of the few keywords it uses, over the YAML node tree, so every
problem has the line and column of the value at fault. tests/test_schema.py
holds the interpreter to jsonschema's verdicts on the same documents.
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

from . import resources, yamlio
from .codes import (
    DUPLICATE_PAPER,
    ID_NOT_FILE_NAME,
    INVALID_DATE,
    MISSING_FIELD,
    OUT_OF_RANGE,
    UNKNOWN_KEY,
    UNKNOWN_THEME,
    WRONG_TYPE,
)
from .ids import arxiv_key, title_key
from .model import PAPER_FIELDS, Problem
from .paper_yaml import PaperFile, _describe, _key_text, located

PAPER_SUFFIX = ".yaml"
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TYPE_NOUNS = {"string": "a string", "integer": "an integer", "boolean": "true or false",
               "array": "a list", "object": "a mapping", "date": "a date as YYYY-MM-DD"}


def load_schema(path: Path | None = None) -> dict[str, Any]:
    """The paper JSON Schema: the package's, so that every library is held to the same
    rules (a library in a temp folder has no schema/ of its own)."""
    return json.loads((path or resources.schema_file()).read_text(encoding="utf-8"))


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
        elif kind == "string" and len(value) > rule.get("maxLength", len(value)):
            self._report(node, OUT_OF_RANGE, f"{where}: expected at most {rule['maxLength']} "
                         f"characters, got {len(value)}")
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
        self.problems.append(located(self.path, node, code, message))


def check_fields(paper: PaperFile, schema: dict[str, Any]) -> list[Problem]:
    """Required fields, unknown keys and each field's rules, as the schema states them."""
    problems: list[Problem] = []
    rules = schema["properties"]
    checker = _RuleChecker(paper.path, problems)
    for key, (key_node, value_node) in paper.nodes.items():
        if key not in rules:
            problems.append(located(paper.path, key_node, UNKNOWN_KEY, _unknown_key(key_node)))
        else:
            checker.check(paper.values[key], value_node, rules[key], key)
    missing = [k for k in schema["required"] if k not in paper.values]
    for key in missing:
        problems.append(located(paper.path, paper.root, MISSING_FIELD, f"missing required field "
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
        problems.append(located(paper.path, node, UNKNOWN_THEME, f"themes[{index}]: expected a "
                                 f"theme id from {themes_path}, got {_describe(item)}; {hint}"))
    return problems


def check_id(paper: PaperFile, stem: str) -> list[Problem]:
    """The id is the file name: URLs and merges find a paper by it."""
    pid = paper.values.get("id")
    if not isinstance(pid, str) or pid == stem:
        return []
    node = paper.nodes["id"][1]
    return [located(paper.path, node, ID_NOT_FILE_NAME, f'id: expected "{stem}" (the file name '
                     f"without {PAPER_SUFFIX}), got {_describe(pid)}; rename the file or fix the id")]


@dataclass(frozen=True)
class Identity:
    """What tells one paper from another in a file (its title, its arXiv id), and where
    each stands: all the duplicate check needs of a file."""

    path: str
    keys: tuple[tuple[str, str, int, int], ...]  # (field, key, line, col)


_SAME = {"title": "the same title as {} (ignoring case and spacing)",
         "arxiv": "the same arXiv id as {} (version aside)"}


def identity_of(paper: PaperFile) -> Identity:
    keys = []
    for field, key_of in (("title", _title_key), ("arxiv", arxiv_key)):
        value = paper.values.get(field)
        key = key_of(value)
        if key:
            mark = paper.nodes[field][1].start_mark
            keys.append((field, key, mark.line + 1, mark.column + 1))
    return Identity(paper.path, tuple(keys))


def _title_key(title: Any) -> str | None:
    return title_key(title) if isinstance(title, str) and title.strip() else None


def check_duplicates(identities: list[Identity]) -> list[Problem]:
    """Two files for one paper: titles equal once case, spacing and Unicode forms are
    ignored, or the same arXiv id whatever its version."""
    first: dict[tuple[str, str], str] = {}
    problems = []
    for paper in sorted(identities, key=lambda i: i.path):
        for field, key, line, col in paper.keys:
            other = first.setdefault((field, key), paper.path)
            if other != paper.path:
                problems.append(Problem(paper.path, line, col, DUPLICATE_PAPER,
                                        f"{field}: expected one file per paper, got "
                                        f"{_SAME[field].format(other)}; merge the two files"))
                break  # one report per file is enough to send the curator to the other
    return problems
