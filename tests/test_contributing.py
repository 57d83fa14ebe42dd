"""CONTRIBUTING.md: every problem code documented with an example, and its example paper valid."""

from __future__ import annotations

import re
from pathlib import Path

from digest import reader, schema

ROOT = Path(__file__).resolve().parents[1]
GUIDE = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


def emitted_codes() -> set[str]:
    """The codes codes.py defines, the ones themes.py reports for themes.yml and
    the warnings dumps.py and hf_api.py give while ingesting."""
    source = (ROOT / "digest" / "codes.py").read_text(encoding="utf-8")
    codes = set(re.findall(r'^[A-Z_]+ = "([A-Z]\d{3})"', source, flags=re.M))
    themes = (ROOT / "digest" / "themes.py").read_text(encoding="utf-8")
    dumps = "".join((ROOT / "digest" / name).read_text(encoding="utf-8")
                    for name in ("dumps.py", "hf_api.py"))
    return codes | set(re.findall(r'"(T\d{3})"', themes)) | set(re.findall(r'"(W1\d\d)"', dumps))


def documented() -> dict[str, str]:
    """Code -> the text of its `### CODE ...` section."""
    sections = re.split(r"^### ", GUIDE, flags=re.M)[1:]
    return {m.group(1): body for body in sections if (m := re.match(r"([A-Z]\d{3}) ", body))}


def test_every_code_is_documented_and_nothing_else():
    assert emitted_codes() and set(documented()) == emitted_codes()


def test_every_code_has_an_example_line_with_that_code():
    for code, body in documented().items():
        examples = re.findall(r"^    (\S+:\d+:\d+: ([A-Z]\d{3}) .+)$", body, flags=re.M)
        assert examples, code
        assert {found for _, found in examples} == {code}, code


def test_the_example_paper_is_valid_and_in_the_house_style():
    example = re.search(r"```yaml\n(.*?)```", GUIDE, flags=re.S).group(1)
    stem = re.search(r"^id: (.+)$", example, flags=re.M).group(1)
    names, _ = reader.load_theme_names(ROOT / "content" / "themes.yml")
    rules = reader.Rules(schema.load_schema(), names, "content/themes.yml")
    read = reader.read_paper_text(f"content/papers/{stem}.yaml", stem, example, rules)
    assert read.problems == [] and read.paper is not None
    assert set(re.findall(r"^\| `(\w+)` \|", GUIDE, flags=re.M)) == set(schema.load_schema()["properties"])
