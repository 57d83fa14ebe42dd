"""Saved Hugging Face Daily Papers API responses (JSON dumps) -> raw entries.

`GET https://huggingface.co/api/daily_papers?date=YYYY-MM-DD` answers a JSON
list, one record per paper: `paper` holds the arXiv id, title, summary,
authors, dates, upvotes and, in later years, the organisation, GitHub
repository and project page. The shape drifts over time, so only the id,
title and summary are required; every other field is optional, and one of the
wrong kind is ignored with a warning (W107) rather than refusing the day.
Nothing else of a record reaches the library.

`fetch` reads each response with `read_records` and `parse_records`, as
`parse_api_dump` does, and refuses one before saving it, so a saved dump is
always one that ingest accepts.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any

from .dumps import DumpError, ParsedDump
from .model import Problem, RawEntry

API = "api"
ARXIV_ID = re.compile(r"^\d{4}\.\d{4,5}(v\d+)?$")
URL = re.compile(r"^https?://\S+$")
DAY_IN_NAME = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")
# arXiv wraps titles and abstracts at about 80 columns and starts a new
# paragraph of an abstract on an indented line (or after a blank line).
_PARAGRAPH_BREAK = re.compile(r"[ \t]*\n(?:[ \t]*\n)+[ \t]*|[ \t]*\n[ \t]+")
_WRAP = re.compile(r"[ \t]*\n[ \t]*")
IGNORED = "W107"


def looks_like_api_response(text: str) -> bool:
    """True when the text is JSON rather than a copied page (a page starts with its header)."""
    return text.lstrip("\ufeff \t\r\n")[:1] in ("[", "{")


def unwrap_title(text: str) -> str:
    """A title on one line: arXiv's hard line breaks become single spaces."""
    return _WRAP.sub(" ", text.replace("\r\n", "\n")).strip()


def unwrap_abstract(text: str) -> str:
    """An abstract without arXiv's hard line breaks; paragraphs stay apart by one blank line."""
    paragraphs = _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n").strip())
    return "\n\n".join(_WRAP.sub(" ", p) for p in paragraphs if p)


def day_of_name(name: str) -> date | None:
    """The day a file name holds (`fetch` saves each day as YYYY-MM-DD.json)."""
    match = DAY_IN_NAME.search(name)
    if match is None:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None


def _refuse(name: str, line: int | None, reason: str) -> DumpError:
    where = f"{name}:{line}" if line else name
    return DumpError(f"{where}: not a Daily Papers API response: {reason}")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return f"the string {value[:40]!r}"
    return "a list" if isinstance(value, list) else "an object"


def read_records(text: str, name: str) -> list[tuple[int, Any]]:
    """Each element of the response's top-level list, with the line it starts on."""
    text = text.lstrip("\ufeff")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # An HTML error page or a body cut short ends up here.
        raise _refuse(name, exc.lineno, f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(data, list):
        detail = f": {data['error']}" if isinstance(data, dict) and isinstance(data.get("error"), str) else ""
        raise _refuse(name, 1, f"expected a list of papers, got {_kind(data)}{detail}")
    decoder, records = json.JSONDecoder(), []
    index = text.index("[") + 1
    for _ in data:  # the same elements again, now with their offsets
        while text[index] in " \t\r\n,":
            index += 1
        value, end = decoder.raw_decode(text, index)
        records.append((text.count("\n", 0, index) + 1, value))
        index = end
    return records


def parse_api_dump(text: str, name: str, day: date | None = None) -> ParsedDump:
    """Parse one saved response. Raises DumpError when it is not one.

    `day` is the day the response was asked for; by default the day in the
    file name, else the day most of its papers were listed on.
    """
    records = read_records(text, name)
    if not records:
        raise _refuse(name, 1, "an empty list (no papers that day)")
    return parse_records(records, name, day)


def parse_records(records: list[tuple[int, Any]], name: str, day: date | None = None) -> ParsedDump:
    """parse_api_dump for records already read (`read_records`), at least one."""
    papers = [(line, _paper_of(record, line, name)) for line, record in records]
    day = day or day_of_name(name) or _usual_listed_day(p for _, p in papers)
    parsed = ParsedDump(name, API, (day.month, day.day) if day else None, day=day)
    for line, paper in papers:
        parsed.entries.append(_entry(paper, line, name, day, parsed.warnings))
    return parsed


def _paper_of(record: Any, line: int, name: str) -> dict[str, Any]:
    """The record's `paper` object, its top-level title and summary as fallbacks."""
    if not isinstance(record, dict) or not isinstance(record.get("paper"), dict):
        raise _refuse(name, line, f"expected a record with a `paper` object, got {_kind(record)}")
    paper = dict(record["paper"])
    for key in ("title", "summary", "organization"):
        if paper.get(key) is None and record.get(key) is not None:
            paper[key] = record[key]
    for key, rule in (("id", "an arXiv id such as 2510.12345"), ("title", "text"),
                      ("summary", "text")):
        value = paper.get(key)
        if not isinstance(value, str) or (key == "id" and not ARXIV_ID.match(value)):
            raise _refuse(name, line, f"paper.{key}: expected {rule}, got {_kind(value)}")
    if not unwrap_title(paper["title"]):
        raise _refuse(name, line, "paper.title: expected text, got an empty string")
    return paper


def _usual_listed_day(papers) -> date | None:
    days = Counter(_utc_day(p.get("submittedOnDailyAt")) for p in papers)
    days.pop(None, None)
    return min(days, key=lambda d: (-days[d], d)) if days else None


def _utc_day(value: Any) -> date | None:
    try:
        return _moment_day(value)
    except ValueError:
        return None


def _moment_day(value: Any) -> date:
    """The UTC day of an ISO 8601 time such as 2025-10-21T13:52:08.000Z."""
    if not isinstance(value, str):
        raise ValueError(value)
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.date()


def _entry(paper: dict[str, Any], line: int, name: str, day: date | None,
           warnings: list[Problem]) -> RawEntry:
    def optional(key: str, read: Callable[[Any], Any], expected: str) -> Any:
        value = paper.get(key)
        if value is None or value == "":
            return None
        try:
            return read(value)
        except ValueError:
            warnings.append(Problem(name, line, 1, IGNORED,
                                    f"paper {paper['id']}: {key}: expected {expected}, "
                                    f"got {_kind(value)}; ignored", "warning"))
            return None

    return RawEntry(
        title=unwrap_title(paper["title"]),
        abstract=unwrap_abstract(paper["summary"]),
        source=name,
        line=line,
        arxiv=paper["id"],
        authors=optional("authors", _author_names, "a list of authors with names"),
        organization=optional("organization", _organization, "an organization with a name"),
        published=optional("publishedAt", _moment_day, "a date and time"),
        listed=optional("submittedOnDailyAt", _moment_day, "a date and time") or day,
        upvotes=optional("upvotes", _count, "a whole number >= 0"),
        code=optional("githubRepo", _url, "an http(s) URL"),
        project=optional("projectPage", _url, "an http(s) URL"),
    )


def _author_names(value: Any) -> tuple[str, ...] | None:
    """Names in order. Authors the site hides (`hidden: true`) are left out: the
    page a reader knows does not show them, so neither does the digest."""
    if not isinstance(value, list) or not all(isinstance(a, dict) for a in value):
        raise ValueError(value)
    names = []
    for author in value:
        if author.get("hidden") is True:
            continue
        name = author.get("name")
        if not isinstance(name, str):
            raise ValueError(value)
        if name.strip():
            names.append(" ".join(name.split()))
    return tuple(names) or None


def _organization(value: Any) -> str:
    """The display name ("UC Berkeley"), else the account name."""
    for key in ("fullname", "name"):
        if isinstance(value, dict) and isinstance(value.get(key), str) and value[key].strip():
            return value[key].strip()
    raise ValueError(value)


def _count(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise ValueError(value)


def _url(value: Any) -> str:
    if isinstance(value, str) and URL.match(value.strip()):
        return value.strip()
    raise ValueError(value)
