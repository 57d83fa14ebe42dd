"""`digest check`: the library and themes.yml -> every located Problem, sorted.

The library is read as every command reads it (digest/reader.py), so check
reports exactly what stops fmt, ingest or build; on top, it warns where a file
is not in the house style `digest fmt` writes.
"""

from __future__ import annotations

from pathlib import Path

from . import yamlio
from .codes import NOT_HOUSE_STYLE
from .fmt import FormatRefused, format_paper
from .model import Problem
from .paper_yaml import PaperFile
from .reader import Library, read_library


def check_house_style(paper: PaperFile) -> list[Problem]:
    """A warning where `digest fmt` would change the file, pointing at the first changed line."""
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


def check_library(content_dir: Path) -> Library:
    """The library in content_dir read as `digest check` reads it: its `problems` are every
    problem of content_dir/papers and content_dir/themes.yml, house style included."""
    return read_library(content_dir, extra=check_house_style)
