"""Machine-readable outputs: Atom feeds of the latest papers and papers.json.

Both are pure functions of the grouped papers, byte-identical for the same
input: no build time anywhere, entries in the site's reading order, ids
derived from the paper id. An entry's `updated` is its paper's date, with a
time of day from its rank among that day's papers (the first at 23:59:59,
the next a second earlier), so the values are distinct and sort the way the
site lists the papers; a feed's `updated` is its newest entry's. Text goes
through each format's own serializer (ElementTree, json); XML 1.0 cannot
hold control characters at all, so those are dropped from feed text.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from xml.etree import ElementTree

from . import urls
from .grouping import DayGroup, Groups
from .model import Paper, Theme
from .render import Output

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50
FEED_AUTHORS = 10  # names per entry; a big collaboration would swamp the feed
GENERATOR = "Paper Digest"
# Entry and feed ids must never change once published: a UUID derived from
# the page URL is stable, valid in Atom, and needs no domain name.
_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://paper-digest.invalid/")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class FeedSpec:
    """One Atom feed: where it lives, what it is called, which page it belongs to."""

    url: str
    title: str
    page_url: str


def _xml_text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _timestamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def entry_times(days: Sequence[DayGroup]) -> dict[str, str]:
    """Each paper's `updated`: its date at 23:59:59 less one second per paper
    ranked above it that day (reading order), so feeds sort as the site does."""
    last = time(23, 59, 59)
    stamps = {}
    for day in days:
        end = datetime.combine(day.day, last)
        for rank, paper in enumerate(day.papers):
            moment = end - timedelta(seconds=min(rank, 86399))
            stamps[paper.id] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return stamps


def _atom_id(url: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, url)}"


def _child(parent: ElementTree.Element, tag: str, text: str | None = None, **attrs: str):
    element = ElementTree.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = _xml_text(text)
    return element


def atom_feed(
    spec: FeedSpec,
    papers: Sequence[Paper],
    themes_of: Mapping[str, Sequence[str]],
    themes: Mapping[str, Theme],
    updated: date,
    site_url: str = "",
    times: Mapping[str, str] | None = None,
) -> bytes:
    """An Atom 1.0 document for `papers` (already in feed order).

    `times` gives each entry's `updated` (see `entry_times`; by default the
    paper's date). `updated` dates an empty feed; otherwise the newest entry does.
    Links are absolute under `site_url` when the site's address is known (not
    every feed reader resolves relative ones); else relative to the feed's own
    URL, so the site can live anywhere. Ids never depend on the address.
    """

    def href(path: str) -> str:
        return site_url.rstrip("/") + "/" + path if site_url else urls.relative(spec.url, path)

    feed = ElementTree.Element("feed", {"xmlns": ATOM_NS})
    _child(feed, "id", _atom_id(spec.url))
    _child(feed, "title", spec.title)
    stamps = {paper.id: (times or {}).get(paper.id) or _timestamp(paper.date) for paper in papers}
    _child(feed, "updated", max(stamps.values(), default=_timestamp(updated)))
    _child(_child(feed, "author"), "name", GENERATOR)
    _child(feed, "link", rel="self", type="application/atom+xml",
           href=href(spec.url))
    _child(feed, "link", rel="alternate", type="text/html", href=href(spec.page_url))
    _child(feed, "generator", GENERATOR)
    for paper in papers:
        page = urls.paper_url(paper.id)
        entry = _child(feed, "entry")
        _child(entry, "id", _atom_id(page))
        _child(entry, "title", paper.title)
        _child(entry, "link", rel="alternate", type="text/html", href=href(page))
        if paper.published is not None:
            _child(entry, "published", _timestamp(paper.published))
        _child(entry, "updated", stamps[paper.id])
        for name in paper.authors[:FEED_AUTHORS]:
            _child(_child(entry, "author"), "name", name)
        for theme_id in themes_of[paper.id]:
            _child(entry, "category", term=theme_id, label=_xml_text(themes[theme_id].name))
        _child(entry, "summary", paper.abstract, type="text")
    ElementTree.indent(feed)
    data = ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"
    # A parser reads a raw CR as a line feed; ElementTree writes one as a
    # reference only in attributes, so the text's CRs (the only raw ones) become
    # references too.
    return data.replace(b"\r", b"&#13;")


def papers_json(
    papers: Sequence[Paper],
    themes_of: Mapping[str, Sequence[str]],
    origins: Mapping[str, str],
) -> bytes:
    """papers.json: every visible paper, sorted by id, with its resolved themes and page URL.

    Unknown facts are null; `authors` is the list of names, else a count, else null.
    """
    records = [
        {
            "id": paper.id,
            "title": paper.title,
            "abstract": paper.abstract,
            "arxiv": paper.arxiv,
            "published": paper.published.isoformat() if paper.published else None,
            "listed": paper.listed.isoformat() if paper.listed else None,
            "added": paper.added.isoformat(),
            "date": paper.date.isoformat(),
            "date_kind": paper.date_kind,
            "authors": list(paper.authors) or paper.author_count,
            "organization": paper.organization,
            "upvotes": paper.upvotes,
            "code": paper.code,
            "project": paper.project,
            "themes": list(themes_of[paper.id]),
            "theme_origin": origins[paper.id],
            "url": urls.paper_url(paper.id),
        }
        for paper in sorted(papers, key=lambda p: p.id)
    ]
    # One paper per line: readable and diffable, and json's fast C encoder
    # (indent= would fall back to the pure-Python one).
    lines = ",\n".join(json.dumps(record, ensure_ascii=False) for record in records)
    return f"[\n{lines}\n]\n".encode("utf-8") if records else b"[]\n"


def plan_feeds(
    groups: Groups,
    themes: Sequence[Theme],
    themes_of: Mapping[str, Sequence[str]],
    origins: Mapping[str, str],
    site_url: str = "",
) -> list[Output]:
    """The latest papers' feed, one feed per theme (Unsorted too), and papers.json."""
    by_id = {theme.id: theme for theme in themes}
    # An empty feed still needs a fixed `updated`: the newest paper, else the epoch.
    newest = groups.days[0].day if groups.days else date(1970, 1, 1)
    times = entry_times(groups.days)
    feeds = [(FeedSpec(urls.LATEST_FEED, f"{GENERATOR}: latest papers", urls.HOME),
              groups.papers)]
    feeds += [(FeedSpec(urls.theme_feed_url(theme.id), f"{GENERATOR}: {theme.name}",
                        urls.theme_url(theme.id)), groups.by_theme[theme.id])
              for theme in themes]
    outputs = [
        Output(spec.url, atom_feed(spec, papers[:FEED_SIZE], themes_of, by_id, newest, site_url, times))
        for spec, papers in feeds
    ]
    outputs.append(Output(urls.PAPERS_JSON, papers_json(groups.papers, themes_of, origins)))
    return outputs
