"""digest/feeds.py: Atom feeds of the latest papers (overall and per theme) and papers.json."""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path
from urllib.parse import urljoin
from xml.etree import ElementTree

from digest import urls
from digest.feeds import FEED_SIZE, FeedSpec, atom_feed, entry_times, papers_json, plan_feeds
from digest.grouping import by_day, group_papers, reading_order
from digest.model import Paper, Theme
from digest.render import make_environment, plan_pages
from digest.render import SiteModel
from digest.themes import UNSORTED, UNSORTED_THEME

ROOT = Path(__file__).resolve().parents[1]
A = "{http://www.w3.org/2005/Atom}"
BASE = "https://digest.example/sub/"  # wherever the site is mounted

LLM = Theme("llm", "Language models", "Large language models.")
VISION = Theme("vision", "Vision & <video>", "Images.")
THEMES = (LLM, VISION, UNSORTED_THEME)


def paper(pid, added, **fields):
    fields.setdefault("title", pid.title())
    fields.setdefault("abstract", f"About {pid}.")
    return Paper(id=pid, added=added, sources=("d.txt",), **fields)


OLD = paper("old", date(2026, 1, 5), published=date(2025, 12, 24), author_count=3, organization="Lab",
            upvotes=7)
NEW = paper("new", date(2026, 2, 1), title='Tags <b>&amp; "quotes" ]]> \x01bell', abstract="a\r\nb")
MID = paper("mid", date(2026, 1, 20))
SECRET = paper("secret", date(2026, 3, 1), title="Secret", hidden=True)
LIBRARY = [OLD, NEW, MID, SECRET]
THEMES_OF = {"old": ("llm", "vision"), "new": ("vision",), "mid": (UNSORTED,), "secret": ("llm",)}
ORIGINS = {"old": "curated", "new": "auto", "mid": "auto"}


def feeds(papers=LIBRARY) -> dict[str, bytes]:
    groups = group_papers(papers, THEMES_OF, [t.id for t in THEMES])
    return {o.path: o.data for o in plan_feeds(groups, THEMES, THEMES_OF, ORIGINS)}


def parse(data: bytes) -> ElementTree.Element:
    root = ElementTree.fromstring(data)
    assert root.tag == f"{A}feed"
    return root


def entries(feed: ElementTree.Element) -> list[ElementTree.Element]:
    return feed.findall(f"{A}entry")


def link(element: ElementTree.Element, rel: str) -> str:
    return element.find(f"{A}link[@rel='{rel}']").get("href")


# --- Atom -----------------------------------------------------------------------


def test_one_latest_feed_and_one_feed_per_theme_unsorted_too():
    assert sorted(feeds()) == ["feeds/latest.xml", "feeds/themes/llm.xml",
                               "feeds/themes/unsorted.xml", "feeds/themes/vision.xml", "papers.json"]


def test_a_feed_has_the_elements_atom_requires():
    feed = parse(feeds()["feeds/themes/vision.xml"])
    assert feed.findtext(f"{A}title") == "Paper Digest: Vision & <video>"
    assert feed.findtext(f"{A}updated") == "2026-02-01T23:59:59Z"  # its newest entry
    assert feed.findtext(f"{A}author/{A}name") == "Paper Digest"
    assert uuid.UUID(feed.findtext(f"{A}id").removeprefix("urn:uuid:")).version == 5
    # Links are relative to the feed itself: they work wherever the site is mounted.
    feed_url = BASE + "feeds/themes/vision.xml"
    assert urljoin(feed_url, link(feed, "self")) == feed_url
    assert urljoin(feed_url, link(feed, "alternate")) == BASE + "themes/vision/"
    assert len(entries(feed)) == 2
    for entry in entries(feed):
        required = [len(entry.findall(f"{A}{tag}")) for tag in ("id", "title", "updated", "summary")]
        assert required == [1, 1, 1, 1]
        assert entry.find(f"{A}link[@rel='alternate']").get("type") == "text/html"


def test_entries_are_the_latest_papers_with_their_facts():
    feed = parse(feeds()["feeds/latest.xml"])
    feed_url = BASE + "feeds/latest.xml"
    assert [urljoin(feed_url, link(e, "alternate")) for e in entries(feed)] == [
        BASE + "papers/new/", BASE + "papers/mid/", BASE + "papers/old/"]
    old = entries(feed)[2]
    assert old.findtext(f"{A}published") == "2025-12-24T00:00:00Z"
    assert old.findtext(f"{A}updated") == "2025-12-24T23:59:59Z"  # its date: published
    assert old.findall(f"{A}author") == []  # only a count of authors is known
    assert [(c.get("term"), c.get("label")) for c in old.findall(f"{A}category")] == [
        ("llm", "Language models"), ("vision", "Vision & <video>")]
    assert old.find(f"{A}summary").get("type") == "text"
    assert old.findtext(f"{A}summary") == "About old."


def test_text_is_xml_escaped_and_reads_back_the_same():
    new = entries(parse(feeds()["feeds/latest.xml"]))[0]
    # XML 1.0 cannot hold U+0001 at all; everything else comes back as written.
    assert new.findtext(f"{A}title") == 'Tags <b>&amp; "quotes" ]]> bell'
    assert new.findtext(f"{A}summary") == "a\r\nb"


def test_each_theme_feed_holds_that_themes_papers_only():
    got = {path: [link(e, "alternate").split("/")[-2] for e in entries(parse(data))]
           for path, data in feeds().items() if path.endswith(".xml")}
    assert got == {
        "feeds/latest.xml": ["new", "mid", "old"],
        "feeds/themes/llm.xml": ["old"],
        "feeds/themes/vision.xml": ["new", "old"],
        "feeds/themes/unsorted.xml": ["mid"],
    }


def test_hidden_papers_are_in_no_feed_and_do_not_date_it():
    for path, data in feeds().items():
        assert b"Secret" not in data and b"secret" not in data, path
    assert parse(feeds()["feeds/themes/llm.xml"]).findtext(f"{A}updated") == "2025-12-24T23:59:59Z"


def test_entry_ids_are_stable_and_one_per_paper():
    def ids(data):
        return {link(e, "alternate").split("/")[-2]: e.findtext(f"{A}id") for e in entries(parse(data))}

    first = ids(feeds()["feeds/latest.xml"])
    assert len(set(first.values())) == 3
    # The same paper has the same id in every feed and in every build, whatever
    # else changes (here: its title, and the papers around it).
    retitled = [paper("old", OLD.added, title="Renamed"), MID]
    assert ids(feeds(retitled)["feeds/latest.xml"])["old"] == first["old"]
    assert ids(feeds()["feeds/themes/vision.xml"]) == {k: first[k] for k in ("new", "old")}


def test_only_the_latest_papers_are_in_a_feed():
    many = [paper(f"p{i:03d}", date(2026, 1, 1).fromordinal(date(2026, 1, 1).toordinal() + i))
            for i in range(FEED_SIZE + 5)]
    themes_of = {p.id: ("llm",) for p in many}
    groups = group_papers(many, themes_of, [t.id for t in THEMES])
    data = {o.path: o.data for o in plan_feeds(groups, THEMES, themes_of, {p.id: "auto" for p in many})}
    listed = [link(e, "alternate").split("/")[-2] for e in entries(parse(data["feeds/latest.xml"]))]
    assert listed == [f"p{i:03d}" for i in range(FEED_SIZE + 4, 4, -1)]


def test_entries_are_in_reading_order_with_distinct_updated_times_that_keep_it():
    day = date(2026, 2, 2)
    same_day = [paper(f"s{i}", date(2026, 2, 3), listed=day, upvotes=i % 3, title=f"T{i}")
                for i in range(6)]
    named = paper("named", date(2026, 2, 3), listed=date(2026, 2, 1), upvotes=500,
                  authors=tuple(f"Author {i}" for i in range(12)), author_count=12)
    library = [*same_day, named]
    themes_of = {p.id: ("llm",) for p in library}
    groups = group_papers(library, themes_of, [t.id for t in THEMES])
    data = {o.path: o.data for o in plan_feeds(groups, THEMES, themes_of, {p.id: "auto" for p in library})}
    feed = parse(data["feeds/latest.xml"])
    order = [link(e, "alternate").split("/")[-2] for e in entries(feed)]
    assert order == [p.id for p in reading_order(library)] == ["s2", "s5", "s1", "s4", "s0", "s3", "named"]
    updated = [e.findtext(f"{A}updated") for e in entries(feed)]
    assert updated == ["2026-02-02T23:59:59Z", "2026-02-02T23:59:58Z", "2026-02-02T23:59:57Z",
                       "2026-02-02T23:59:56Z", "2026-02-02T23:59:55Z", "2026-02-02T23:59:54Z",
                       "2026-02-01T23:59:59Z"]
    assert feed.findtext(f"{A}updated") == updated[0]
    # The same paper has the same `updated` in every feed it is in.
    theme = parse(data["feeds/themes/llm.xml"])
    assert [e.findtext(f"{A}updated") for e in entries(theme)] == updated
    names = [a.findtext(f"{A}name") for a in entries(feed)[-1].findall(f"{A}author")]
    assert names == [f"Author {i}" for i in range(10)]


def test_entry_times_stay_within_their_day():
    crowd = [paper(f"p{i:05d}", date(2026, 2, 3)) for i in range(3)]
    assert entry_times(by_day(crowd)) == {
        "p00000": "2026-02-03T23:59:59Z", "p00001": "2026-02-03T23:59:58Z",
        "p00002": "2026-02-03T23:59:57Z"}


def test_an_empty_feed_is_still_valid_and_dated():
    data = atom_feed(FeedSpec("feeds/themes/x.xml", "X", "themes/x/"), [], {}, {}, date(2026, 2, 3))
    feed = parse(data)
    assert (entries(feed), feed.findtext(f"{A}updated")) == ([], "2026-02-03T00:00:00Z")


def test_links_are_absolute_when_the_site_address_is_known_and_ids_do_not_change():
    groups = group_papers(LIBRARY, THEMES_OF, [t.id for t in THEMES])
    here = {o.path: o.data for o in plan_feeds(groups, THEMES, THEMES_OF, ORIGINS)}
    there = {o.path: o.data for o in plan_feeds(groups, THEMES, THEMES_OF, ORIGINS,
                                                "https://example.org/digest/")}
    feed, relative = parse(there["feeds/themes/vision.xml"]), parse(here["feeds/themes/vision.xml"])
    assert (link(feed, "self"), link(feed, "alternate")) == (
        "https://example.org/digest/feeds/themes/vision.xml", "https://example.org/digest/themes/vision/")
    assert [link(e, "alternate") for e in entries(feed)] == [
        "https://example.org/digest/papers/new/", "https://example.org/digest/papers/old/"]
    assert [link(e, "alternate") for e in entries(relative)] == ["../../papers/new/", "../../papers/old/"]
    assert [e.findtext(f"{A}id") for e in entries(feed)] == [e.findtext(f"{A}id") for e in entries(relative)]


def test_feeds_are_byte_identical_for_the_same_library_in_any_order():
    assert feeds(LIBRARY) == feeds(LIBRARY[::-1])


# --- papers.json -------------------------------------------------------------------------


def test_papers_json_lists_every_visible_paper_with_its_facts():
    records = json.loads(feeds()["papers.json"])
    assert [r["id"] for r in records] == ["mid", "new", "old"]
    assert records[2] == {
        "id": "old", "title": "Old", "abstract": "About old.", "arxiv": None,
        "published": "2025-12-24", "listed": None, "added": "2026-01-05",
        "date": "2025-12-24", "date_kind": "published",
        "authors": 3, "organization": "Lab", "upvotes": 7, "code": None, "project": None,
        "themes": ["llm", "vision"], "theme_origin": "curated", "url": "papers/old/",
    }
    mid = records[0]
    assert (mid["published"], mid["authors"], mid["organization"], mid["upvotes"]) == (None,) * 4
    assert (mid["date"], mid["date_kind"], mid["themes"]) == ("2026-01-20", "added", [UNSORTED])
    assert records[1]["title"] == NEW.title  # JSON holds any text, controls included


def test_papers_json_carries_what_an_api_dump_gave():
    api = paper("api", date(2026, 8, 3), arxiv="2607.23802", listed=date(2026, 8, 3),
                published=date(2026, 7, 26), authors=("Qinsi Wang", "Jing Shi"), author_count=2,
                code="https://github.com/a/b", project="https://a.github.io/b")
    (record,) = json.loads(papers_json([api], {"api": ("llm",)}, {"api": "auto"}))
    assert {k: record[k] for k in ("arxiv", "published", "listed", "authors", "code", "project")} == {
        "arxiv": "2607.23802", "published": "2026-07-26", "listed": "2026-08-03",
        "authors": ["Qinsi Wang", "Jing Shi"], "code": "https://github.com/a/b",
        "project": "https://a.github.io/b"}


def test_papers_json_urls_are_pages_the_site_has():
    groups = group_papers(LIBRARY, THEMES_OF, [t.id for t in THEMES])
    model = SiteModel(groups, THEMES, ORIGINS, {}, THEMES_OF, {p: () for p in ORIGINS}, UNSORTED)
    pages = {o.path for o in plan_pages(make_environment(ROOT / "site_templates"), model)}
    urls_listed = [r["url"] for r in json.loads(papers_json(groups.papers, THEMES_OF, ORIGINS))]
    assert [urls.source_path(u) in pages for u in urls_listed] == [True] * 3


def test_an_empty_library_gives_an_empty_list():
    assert json.loads(papers_json([], {}, {})) == []
