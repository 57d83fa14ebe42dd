"""Daily Papers text dumps -> raw entries with source line numbers.

Three page layouts exist, told apart by their text (never by file name):

- metadata: a header ending in a day (`Jan 26`), then per paper a title, an
  abstract and optionally `  • 4 authors` (or an organisation line), `·`, and
  `Oct 13, 2025` with an optional upvote count, blocks separated by blank lines;
- blank-line: the same header, then titles and abstracts separated by blank lines;
- compact: two header lines, `Subscribe` glued to the first title, then titles
  and abstracts on alternating lines.

Titles and abstracts are told apart by their shape, not only by their position,
so a paper with a missing abstract is reported and skipped without shifting the
pairing of every paper after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .model import DigestError, Problem, RawEntry

METADATA, BLANK_LINE, COMPACT = "metadata", "blank-line", "compact"

MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_MONTH = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
HEADER_DAY = re.compile(rf"^{_MONTH}\s+(\d{{1,2}})$")
PUBLISHED = re.compile(rf"^{_MONTH}\s+(\d{{1,2}}),\s*(\d{{4}})(?:\s+(\d+))?$")
AUTHORS = re.compile(r"^(?:[•·*-]\s*)?(\d+)\s+authors?$")
MIDDLE_DOT = "·"
HEADER_LINES = frozenset({
    "new",
    "Get trending papers in your email inbox!",
    "Get trending papers in your email inbox once a day!",
    "Subscribe",
    "Daily Papers",
    "byAK and the research community",
})
SUBSCRIBE = "Subscribe"


@dataclass(frozen=True)
class Line:
    number: int  # 1-based, in the original file
    text: str  # outer whitespace stripped


@dataclass
class ParsedDump:
    """What one dump holds: its layout, header day, entries and warnings."""

    name: str
    layout: str
    header_day: tuple[int, int] | None  # (month, day) from the page header
    entries: list[RawEntry] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    day: date | None = None  # the whole day, when the dump says it (API responses)


class DumpError(DigestError):
    """The file is not a Daily Papers dump; nothing from it may be used."""


def decode_dump(data: bytes, name: str) -> str:
    """Bytes -> text: UTF-8 (with or without BOM); binary files are refused."""
    if b"\x00" in data:
        raise DumpError(f"{name}: not a Daily Papers dump: binary data (NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DumpError(f"{name}: not a Daily Papers dump: not UTF-8 text "
                        f"(invalid byte at offset {exc.start})") from None


def split_lines(text: str) -> list[Line]:
    """Numbered, stripped lines; CRLF and CR end a line, nothing else does.

    str.splitlines() would also split on U+2028, U+0085 and friends, which can
    sit inside an abstract.
    """
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return [Line(n, raw.strip()) for n, raw in enumerate(text.split("\n"), 1)]


def parse_dump(text: str, name: str) -> ParsedDump:
    """Parse one dump's text. Raises DumpError when it is not a Daily Papers dump."""
    lines = split_lines(text)
    body_start, header_day, glued = _read_header(lines, name)
    layout = _detect_layout(lines[body_start:], glued)
    parsed = ParsedDump(name, layout, header_day)
    body = [ln for ln in lines[body_start:] if ln.text]
    if glued is not None:
        body.insert(0, glued)
    if layout == METADATA:
        _parse_metadata(body, parsed)
    else:
        _pair_segment(body, parsed, None)
    if not parsed.entries:
        raise DumpError(f"{name}: not a Daily Papers dump: a header but no papers")
    return parsed


def _read_header(lines: list[Line], name: str) -> tuple[int, tuple[int, int] | None, Line | None]:
    """Index of the first body line, the header day, and a title glued to `Subscribe`."""
    seen_header = seen_subscribe = False
    header_day = None
    for index, line in enumerate(lines):
        if not line.text:
            continue
        if line.text in HEADER_LINES:
            seen_header = True
            seen_subscribe = seen_subscribe or line.text == SUBSCRIBE
            continue
        day = HEADER_DAY.match(line.text)
        if seen_header and header_day is None and day:
            header_day = _month_day(day.group(1), int(day.group(2)))
            continue
        # Compact pages glue the first title to the button text; a page with a
        # `Subscribe` line of its own may still have a title starting "Subscribe".
        if seen_header and not seen_subscribe and line.text.startswith(SUBSCRIBE):
            glued = Line(line.number, line.text[len(SUBSCRIBE):].strip())
            return index + 1, header_day, glued
        if not seen_header:
            break
        return index, header_day, None
    if not any(ln.text for ln in lines):
        raise DumpError(f"{name}: not a Daily Papers dump: the file is empty")
    if not seen_header:
        first = next(ln for ln in lines if ln.text)
        raise DumpError(
            f"{name}:{first.number}: not a Daily Papers dump: expected the page header "
            f"('Get trending papers in your email inbox!' ...), got {first.text[:60]!r}"
        )
    raise DumpError(f"{name}: not a Daily Papers dump: a header but no papers")


def _month_day(month: str, day: int) -> tuple[int, int] | None:
    number = MONTHS[month[:3].lower()]
    return (number, day) if 1 <= day <= 31 else None


def _detect_layout(body: list[Line], glued: Line | None) -> str:
    if glued is not None:
        return COMPACT
    texts = [ln.text for ln in body]
    if any(t == MIDDLE_DOT and i + 1 < len(texts) and PUBLISHED.match(texts[i + 1])
           for i, t in enumerate(texts)):
        return METADATA
    return BLANK_LINE


# --- metadata layout --------------------------------------------------------


@dataclass(frozen=True)
class _Meta:
    line: int  # where the group starts, for warnings
    authors: int | None
    organization: str | None
    published: date | None
    upvotes: int | None


def _parse_metadata(body: list[Line], parsed: ParsedDump) -> None:
    """Split the body at metadata groups; each group closes the paper before it."""
    segment: list[Line] = []
    i = 0
    while i < len(body):
        # `byline`, `·`, date; or `·`, date alone (a paper with no author or
        # organisation line). A byline must look like one: an abstract right
        # before a bare `·` stays the abstract.
        if _is_group(body, i + 1) and _is_byline(body[i].text):
            group = (body[i], body[i + 2])
        elif _is_group(body, i):
            group = (None, body[i + 1])
        else:
            group = None
        if group is not None:
            _pair_segment(segment, parsed, _read_meta(*group, parsed))
            segment = []
            i += 3 if group[0] is not None else 2
            continue
        if body[i].text == MIDDLE_DOT:
            parsed.warnings.append(_warning(parsed.name, body[i], "W103",
                                            "stray '·' line without an author/organisation and date; ignored"))
        else:
            segment.append(body[i])
        i += 1
    _pair_segment(segment, parsed, None)


def _is_group(body: list[Line], i: int) -> bool:
    """True when body[i] is a `·` line followed by a publication date."""
    return i + 1 < len(body) and body[i].text == MIDDLE_DOT and bool(PUBLISHED.match(body[i + 1].text))


def _is_byline(text: str) -> bool:
    """An author count, or an organisation ("Yahoo! Research", "Snapchat Inc."):
    a short line; an abstract is longer, or a sentence of more than 60 characters."""
    if AUTHORS.match(text):
        return True
    return len(text) <= 150 and not (len(text) > 60 and text.endswith((".", "!", "?")))


def _read_meta(first: Line | None, when: Line, parsed: ParsedDump) -> _Meta:
    match = PUBLISHED.match(when.text)
    assert match
    month, day, year, votes = match.groups()
    try:
        published = date(int(year), MONTHS[month[:3].lower()], int(day))
    except ValueError:
        parsed.warnings.append(_warning(parsed.name, when, "W104",
                                        f"date {when.text!r} does not exist; published left unknown"))
        published = None
    authors = AUTHORS.match(first.text) if first is not None else None
    return _Meta(
        line=(first or when).number,
        authors=int(authors.group(1)) if authors else None,
        organization=first.text if first is not None and not authors else None,
        published=published,
        upvotes=int(votes) if votes is not None else None,
    )


# --- pairing titles and abstracts -------------------------------------------

TITLE, ABSTRACT = 0, 1
_SENTENCE_END = re.compile(r"[.!?][\"')\]]?\s+[A-Z(]")
# Cost of breaking the title/abstract alternation: high enough that a line's
# shape must clearly disagree with its position before a gap is assumed.
_GAP = 6.0


def _title_cost(text: str) -> float:
    n = len(text)
    cost = 0.0 if n <= 150 else 3.0 if n <= 220 else 8.0 if n <= 350 else 14.0
    if text.endswith(".") and n > 60:
        cost += 2.0
    cost += 2.0 * min(len(_SENTENCE_END.findall(text)), 3)
    return cost


def _abstract_cost(text: str) -> float:
    n = len(text)
    cost = 10.0 if n < 60 else 5.0 if n < 100 else 3.0 if n < 160 else 1.0 if n < 250 else 0.0
    if not text.endswith((".", "!", "?", ")", '"', "]")):
        cost += 3.0 if n < 100 else 1.0  # a short line with no sentence end is a title
    return cost


def label_lines(texts: list[str]) -> list[int]:
    """Most likely TITLE/ABSTRACT label per line (Viterbi over shape costs).

    Alternation title, abstract, title, ... is free; two titles or two
    abstracts in a row, a leading abstract or a trailing title cost _GAP each.
    """
    if not texts:
        return []
    emit = [(_title_cost(t), _abstract_cost(t)) for t in texts]
    cost = [emit[0][TITLE], emit[0][ABSTRACT] + _GAP]
    back: list[tuple[int, int]] = []
    for e in emit[1:]:
        from_title = (cost[TITLE] + _GAP, cost[ABSTRACT])  # -> TITLE from (T, A)
        from_abs = (cost[TITLE], cost[ABSTRACT] + _GAP)  # -> ABSTRACT from (T, A)
        prev_t = 0 if from_title[0] <= from_title[1] else 1
        prev_a = 0 if from_abs[0] <= from_abs[1] else 1
        back.append((prev_t, prev_a))
        cost = [from_title[prev_t] + e[TITLE], from_abs[prev_a] + e[ABSTRACT]]
    cost[TITLE] += _GAP  # a dump ending on a title lost that title's abstract
    state = TITLE if cost[TITLE] < cost[ABSTRACT] else ABSTRACT
    labels = [state]
    for prev in reversed(back):
        state = prev[state]
        labels.append(state)
    return labels[::-1]


# Lines that cannot be what their place says, far outside what real dumps
# hold (the corpus's longest title has 175 characters, its shortest abstract 165).
TITLE_MAX = 300
ABSTRACT_MIN = 50


def position_holds(texts: list[str]) -> bool:
    """Whether lines alternate title, abstract, ... with nothing missing: an even
    count, and no line in a title's or an abstract's place that cannot be one."""
    return (len(texts) % 2 == 0 and all(len(t) <= TITLE_MAX for t in texts[::2])
            and all(len(t) >= ABSTRACT_MIN for t in texts[1::2]))


def pair_labels(texts: list[str]) -> tuple[list[int], bool]:
    """TITLE/ABSTRACT per line, and whether they were inferred from the lines' shapes.

    Position decides while the alternation holds, whatever a line looks like (a
    title may end with a full stop, an abstract may be one short line); only
    when it provably breaks do shapes locate the missing line.
    """
    if position_holds(texts):
        return [TITLE if i % 2 == 0 else ABSTRACT for i in range(len(texts))], False
    labels = label_lines(texts)
    # A line too long for a title is an abstract, whatever its neighbours say.
    return [ABSTRACT if len(t) > TITLE_MAX else label for t, label in zip(texts, labels)], True


def _pair_segment(segment: list[Line], parsed: ParsedDump, meta: _Meta | None) -> None:
    """Pair titles with abstracts; a metadata group belongs to the segment's last paper."""
    labels, inferred = pair_labels([ln.text for ln in segment])
    pending: Line | None = None
    pairs: list[tuple[Line, Line]] = []
    for index, (line, label) in enumerate(zip(segment, labels)):
        if label == TITLE:
            if pending is not None:
                parsed.warnings.append(_warning(parsed.name, pending, "W101",
                                                "title without an abstract; paper skipped"))
            pending = line
        elif pending is None:
            parsed.warnings.append(_warning(parsed.name, line, "W102",
                                            "abstract without a title; skipped"))
        else:
            if inferred and index % 2 == 0:  # not where position alone would have put it
                parsed.warnings.append(_warning(
                    parsed.name, pending, "W106", "title and abstract paired by their shape, "
                    "since a line is missing before them; check this paper"))
            pairs.append((pending, line))
            pending = None
    # The group closes the paper just before it; when that paper lost its title
    # or its abstract, the group goes with it rather than to the paper before.
    owner = (len(pairs) - 1 if meta is not None and pairs and segment[-1] is pairs[-1][1]
             else None)
    if pending is not None:
        parsed.warnings.append(_warning(parsed.name, pending, "W101",
                                        "title without an abstract; paper skipped"))
        pending = None
    for index, (title, abstract) in enumerate(pairs):
        m = meta if index == owner else None
        parsed.entries.append(RawEntry(
            title=title.text,
            abstract=abstract.text,
            source=parsed.name,
            line=title.number,
            authors=m.authors if m else None,
            organization=m.organization if m else None,
            published=m.published if m else None,
            upvotes=m.upvotes if m else None,
        ))
    if meta is not None and not segment:  # a skipped title already took the blame
        parsed.warnings.append(Problem(parsed.name, meta.line, 1, "W105",
                                       "metadata without a paper; ignored", "warning"))


def _warning(name: str, line: Line, code: str, message: str) -> Problem:
    return Problem(name, line.number, 1, code, message, "warning")


def added_date(header_day: tuple[int, int] | None, today: date, fallback: date | None) -> date:
    """When a dump's papers entered the digest.

    The header day's year is the latest one that puts the day on or before the
    ingest date (Feb 29 looks back to a leap year); without a header day,
    `fallback` (the --date option), else the ingest date.
    """
    if header_day is None:
        return fallback or today
    month, day = header_day
    for year in range(today.year, today.year - 9, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return fallback or today
