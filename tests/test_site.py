"""Whole sites built by digest.site.build_site with MkDocs, read back as a browser would.

(a) the shipped content (the session's `built_site`): every page, link, search
entry and feed; (b) a small library with hostile titles and abstracts whose text
must reach the HTML unchanged and inert; (c) a hidden paper that must be
nowhere; (d) a library with errors, which must leave the site as it was.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import pytest
import yaml

from digest import yamlio
from digest.reader import read_library
from digest.model import PAPER_FIELDS, DigestError
from digest.search_index import indexed_pages
from digest.site import build_site
from digest.theme_model import train_model
from digest.themes import load_taxonomy
from digest.validate import check_library

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
SEED_PAPERS = 467  # content/papers as shipped: 365 from the text dumps, 102 more from 5 API days
NAV = ["Home", "Themes", "Archive", "About"]
ATOM = "{http://www.w3.org/2005/Atom}"
SITE = "http://digest.test/"  # any origin: relative links are resolved against it
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


# --- reading the built site ---------------------------------------------------------


class Page(HTMLParser):
    """One HTML page as the browser reads it: elements, links, the paper's title and abstract."""

    def __init__(self, path: Path):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.links: list[tuple[str | None, str]] = []  # (href, text) of every <a>, in order
        self.sections: list[tuple[str, str]] = []  # ("month" or "other", h2 id), ("link", href)
        self.scripts: list[tuple[str | None, str]] = []  # (src, code)
        self.nav: list[str] = []  # labels of the primary navigation's top-level links
        self.head_title = ""  # the <title> element
        self.title = ""
        self.abstract = ""
        self.dates = ""
        self.note: list[str] = []  # text of each block of the curator's note
        self.facts: dict[str, str] = {}  # the paper's <dt>: <dd>
        self._open: list[tuple[str, dict[str, str | None]]] = []
        self._anchor: tuple[str | None, list[str]] | None = None  # the <a> being read
        self._fact: str | None = None
        self.feed(path.read_text(encoding="utf-8"))
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if tag == "a":
            self._anchor = (attrs.get("href"), [])
        if tag == "a" and attrs.get("href") is not None:
            self.sections.append(("link", attrs["href"]))
        if tag == "h2":
            heading = attrs.get("id") or ""
            self.sections.append(("month" if heading.startswith("month-") else "other", heading))
        if tag == "script":
            self.scripts.append((attrs.get("src"), ""))
        if tag not in VOID:
            self._open.append((tag, attrs))
        if tag in ("p", "h2", "h3", "li") and any("paper-note" in self._classes(a)
                                                  for _, a in self._open):
            self.note.append("")

    def handle_endtag(self, tag):
        if tag == "a" and self._anchor is not None:
            href, text = self._anchor[0], "".join(self._anchor[1])
            self.links.append((href, text))
            if self._in_primary_nav() and self._nav_depth() == 1:
                self.nav.append(text.strip())
            self._anchor = None
        if any(open_tag == tag for open_tag, _ in self._open):
            while self._open.pop()[0] != tag:
                pass

    def handle_data(self, data):
        if self._anchor is not None:
            self._anchor[1].append(data)
        if self._open and self._open[-1][0] == "script":
            src, code = self.scripts[-1]
            self.scripts[-1] = (src, code + data)
        if self._open and self._open[-1][0] == "title":
            self.head_title += data
        if any(attrs.get("id") == "paper-title" for _, attrs in self._open):
            self.title += data
        classes = [c for _, attrs in self._open for c in self._classes(attrs)]
        if "paper-dates" in classes:
            self.dates += data
        if "paper-note" in classes and self.note:
            self.note[-1] += data
        if self._open and self._open[-1][0] == "dt":
            self._fact = data
            self.facts[data] = ""
        if self._open and self._open[-1][0] == "dd" and self._fact is not None:
            self.facts[self._fact] += data
        # The abstract's paragraph, links in it included.
        if "paper-abstract" in classes and any(tag == "p" for tag, _ in self._open):
            self.abstract += data

    @staticmethod
    def _classes(attrs) -> list[str]:
        return (attrs.get("class") or "").split()

    def _in_primary_nav(self) -> bool:
        navs = [attrs for tag, attrs in self._open if tag == "nav"]
        return bool(navs) and "md-nav--primary" in self._classes(navs[0]) and len(navs) == 1

    def _nav_depth(self) -> int:
        return sum(1 for tag, _ in self._open if tag == "ul")

    def paper_links(self, url: str) -> list[str]:
        """Ids of the papers this page (at site-relative `url`) links to, in order."""
        return [pid for href, _ in self.links if href and (pid := paper_id_of(url, href))]

    def listed_by_month(self, url: str) -> list[tuple[str | None, str]]:
        """(id of the month section it is in, paper id) for each paper link, in order,
        up to the first heading that is not a month's (the nearest Unsorted papers)."""
        month, listed = None, []
        for kind, value in self.sections:
            if kind == "other":
                break
            if kind == "month":
                month = value
            elif (pid := paper_id_of(url, value)) is not None:
                listed.append((month, pid))
        return listed


def paper_id_of(page_url: str, href: str) -> str | None:
    """The id of the paper page a link leads to, resolved like a browser; else None."""
    match = re.fullmatch(r"/papers/([^/]+)/", urlsplit(urljoin(SITE + page_url, href)).path)
    return match.group(1) if match else None


def papers_of(site: Path) -> list[dict]:
    return json.loads((site / "papers.json").read_text(encoding="utf-8"))


def read_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def site_files(site: Path) -> list[Path]:
    """Every text file the build made from the content (the theme's own assets and
    the search index, which is compressed, left out: see indexed_pages)."""
    return [p for p in sorted(site.rglob("*")) if p.is_file() and "assets" not in p.parts
            and "pagefind" not in p.parts and p.suffix != ".gz"]


# --- (a) the shipped content -------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds() -> dict[str, dict]:
    """The shipped papers as their YAML files say, by id, hidden ones left out."""
    papers = [read_yaml(p) for p in sorted((CONTENT / "papers").glob("*.yaml"))]
    return {p["id"]: p for p in papers if not p.get("hidden")}


def test_every_shipped_paper_has_a_page_at_its_permanent_url(built_site, seeds):
    pages = {p.parent.name for p in (built_site / "papers").glob("*/index.html")}
    assert len(seeds) == SEED_PAPERS
    assert pages == set(seeds)


def test_every_paper_page_shows_its_title_abstract_and_dates(built_site, seeds):
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    def label(day: date) -> str:
        return f"{day.day} {months[day.month - 1]} {day.year}"

    weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    for pid, paper in seeds.items():
        page = Page(built_site / "papers" / pid / "index.html")
        assert (page.title, page.abstract) == (paper["title"], paper["abstract"]), pid
        known = [("listed", paper.get("listed")), ("published", paper.get("published")),
                 ("added to the digest", paper["added"])]
        dates = [f"{kind} {label(day)}" for kind, day in known if day is not None]  # own date first
        day = day_of(paper)
        dates.append(f"All papers of {weekdays[day.weekday()]} {label(day)}")
        assert page.dates == " · ".join(dates), pid
        # A fact the sources do not give is left out, never "unknown".
        # A copied page's organisation line is "<handle> <name>": the page shows the name.
        organization = paper.get("organization")
        if organization and all(source.endswith(".txt") for source in paper["sources"]):
            organization = organization.partition(" ")[2]
        facts = {"Authors": paper.get("authors"), "Organisation": organization,
                 "Upvotes": paper.get("upvotes")}
        known = {key: value for key, value in facts.items() if value is not None}
        authors = known.get("Authors")
        if isinstance(authors, int):
            known["Authors"] = f"{authors} author" + ("s" if authors != 1 else "")
        elif authors:  # names: the first 10, then "et al." with the count
            known["Authors"] = ", ".join(authors[:10]) + (
                f" et al. ({len(authors)} authors)" if len(authors) > 10 else "")
        assert {k: page.facts[k] for k in facts if k in page.facts} == {
            k: str(v) for k, v in known.items()}, pid
        assert ">unknown<" not in (built_site / "papers" / pid / "index.html").read_text(), pid


def _expected_themes() -> dict[str, tuple[str, ...]]:
    taxonomy = load_taxonomy(CONTENT / "themes.yml")
    papers = read_library(CONTENT).papers
    shown = [p for p in papers if not p.hidden]
    return {p.id: got.themes for p, got in zip(shown, train_model(taxonomy, papers).assign(shown))}


def day_of(paper: dict) -> date:
    """The paper's date: the day it was listed when known, else published, else added."""
    return paper.get("listed") or paper.get("published") or paper["added"]


def assert_by_month_newest_first(page: Page, url: str, seeds: dict[str, dict]) -> list[str]:
    """Each paper listed under its own month's section, newest first; the ids listed."""
    listed = page.listed_by_month(url)
    for month, pid in listed:
        day = day_of(seeds[pid])
        assert month == f"month-{day.year}-{day.month:02d}", (url, pid)
    days = [day_of(seeds[pid]) for _, pid in listed]
    assert days == sorted(days, reverse=True), f"{url} is not newest first"
    return [pid for _, pid in listed]


def list_pages(site: Path, url: str) -> list[tuple[str, Page]]:
    """The pages of a list at `url`: itself, then page/2/ and on (100 cards a page)."""
    pages, number, more = [], 1, url
    while more:
        pages.append((more, Page(site / more / "index.html")))
        number += 1
        more = f"{url}page/{number}/" if (site / url / "page" / str(number)).is_dir() else None
    return pages


def test_every_paper_is_linked_from_each_of_its_theme_pages_by_month(built_site, seeds):
    expected: dict[str, list[str]] = {}
    for pid, themes in sorted(_expected_themes().items()):
        for theme in themes:
            expected.setdefault(theme, []).append(pid)
    linked = {}
    for theme in expected:
        linked[theme] = sorted(pid for url, page in list_pages(built_site, f"themes/{theme}/")
                               for pid in assert_by_month_newest_first(page, url, seeds))
    assert linked == expected  # each paper once on each of its theme pages, and on no other
    assert {pid for pids in expected.values() for pid in pids} == set(seeds)


def reading_key(paper: dict) -> tuple:
    """The site's order: date newest first, then upvotes (more first), then title."""
    upvotes = paper.get("upvotes")
    return (-day_of(paper).toordinal(), -(-1 if upvotes is None else upvotes),
            paper["title"].casefold(), paper["title"], paper["id"])


def test_every_paper_is_on_its_day_page_which_its_month_and_year_pages_link(built_site, seeds):
    found: Counter[str] = Counter()
    days = sorted({day_of(p) for p in seeds.values()})
    for day in days:
        url = f"days/{day.isoformat()}/"
        listed = [pid for page_url, page in list_pages(built_site, url)
                  for pid in page.paper_links(page_url)]
        expected = sorted((p for p in seeds.values() if day_of(p) == day), key=reading_key)
        assert listed == [p["id"] for p in expected], url  # one card each, in reading order
        found.update(listed)
        for index in (f"archive/{day.year}/{day.month:02d}/", f"archive/{day.year}/"):
            hrefs = [href for href, _ in Page(built_site / index / "index.html").links]
            assert any(urljoin(SITE + index, h) == SITE + url for h in hrefs), (index, url)
    assert found == Counter(set(seeds))  # every paper once, on its day's page


def test_the_home_page_has_the_newest_day_theme_counts_and_totals(built_site, seeds):
    page = Page(built_site / "index.html")
    latest = page.paper_links("")
    newest = sorted(seeds.values(), key=reading_key)
    # The latest listing day first, else (no paper listed) the newest day.
    start = next((p for p in newest if p.get("listed")), newest[0])
    first_day = [p["id"] for p in newest if day_of(p) == day_of(start)]
    # The newest day first (up to 100 cards), in reading order.
    assert latest[:min(100, len(first_day))] == first_day[:100]
    ranks = {p["id"]: i for i, p in enumerate(newest)}
    assert [ranks[pid] for pid in latest] == sorted(ranks[pid] for pid in latest)
    raw = (built_site / "index.html").read_text(encoding="utf-8")
    assert f"{len(seeds)} papers in " in raw
    counts = Counter(t for themes in _expected_themes().values() for t in themes)
    for theme, count in counts.items():
        assert f'<a href="themes/{theme}/">' in raw and re.search(
            rf'<a href="themes/{theme}/">[^<]*</a></td>\n<td>{count}</td>', raw), theme


def test_the_home_page_and_the_latest_feed_are_in_the_sites_order(built_site, seeds):
    ranked = {p["id"]: i for i, p in enumerate(sorted(seeds.values(), key=reading_key))}
    home = [pid for pid in Page(built_site / "index.html").paper_links("") if pid in ranked]
    feed = ElementTree.parse(built_site / "feeds" / "latest.xml").getroot()
    entries = list(feed.iter(f"{ATOM}entry"))
    listed = [paper_id_of("feeds/latest.xml", e.find(f"{ATOM}link").get("href")) for e in entries]
    # Every pair of entries in the order date, upvotes, title: each list is sorted by rank.
    for order in (home, listed):
        assert [ranked[pid] for pid in order] == sorted(ranked[pid] for pid in order)
    assert len(listed) == 50
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert len(set(updated)) == len(updated) == 50
    assert updated == sorted(updated, reverse=True)


def test_every_paper_page_links_out_and_to_arxiv_when_it_has_an_id(built_site, seeds):
    for pid, paper in seeds.items():
        page = Page(built_site / "papers" / pid / "index.html")
        outbound = [href for tag, attrs in page.elements if tag == "a"
                    and "md-button" in (attrs.get("class") or "")
                    for href in [attrs.get("href") or ""]]
        assert outbound and all(h.startswith(("https://", "http://")) for h in outbound), pid
        if paper.get("arxiv"):
            assert f"https://arxiv.org/abs/{paper['arxiv']}" in outbound, pid


def test_the_navigation_holds_only_the_four_sections(built_site, seeds):
    pid = next(iter(seeds))
    for path in (built_site / "index.html", built_site / "papers" / pid / "index.html"):
        assert Page(path).nav == NAV, path


def test_paper_pages_stay_small(built_site, seeds):
    # Material's page chrome is about 11 KB and an abstract at most a few KB. A
    # page that listed every paper (a nav of 365 entries) would pass 40 KB.
    sizes = {pid: (built_site / "papers" / pid / "index.html").stat().st_size for pid in seeds}
    assert max(sizes.values()) < 24_000, max(sizes, key=sizes.get)


def test_a_paper_page_has_no_table_of_contents(built_site, seeds):
    # Its headings are raw HTML: one inside Markdown in HTML (md_in_html) would
    # be given an id and a table of contents, and Material's "Skip to content"
    # would lead to it.
    for pid in seeds:
        page = Page(built_site / "papers" / pid / "index.html")
        assert [attrs for tag, attrs in page.elements if tag in ("h2", "h3") and "id" in attrs] == [], pid
        assert not any("md-skip" in (attrs.get("class") or "") for _, attrs in page.elements), pid


def test_pages_ask_for_no_web_font(built_site):
    # theme.font: false; the browser tests also refuse any off-site request.
    for path in ("index.html", "about/index.html"):
        assert "fonts.g" not in (built_site / path).read_text(encoding="utf-8"), path


def test_papers_json_urls_and_feed_links_lead_to_pages(built_site, seeds):
    records = papers_of(built_site)
    assert [r["id"] for r in records] == sorted(seeds)
    for record in records:
        assert (built_site / record["url"] / "index.html").is_file(), record["url"]
        paper = seeds[record["id"]]
        assert (record["title"], record["abstract"], record["added"]) == (
            paper["title"], paper["abstract"], paper["added"].isoformat())
    for feed in sorted((built_site / "feeds").rglob("*.xml")):
        url = feed.relative_to(built_site).as_posix()
        root = ElementTree.parse(feed).getroot()
        for entry in root.iter(f"{ATOM}entry"):
            pid = paper_id_of(url, entry.find(f"{ATOM}link").get("href"))
            assert pid in seeds and entry.findtext(f"{ATOM}title") == seeds[pid]["title"], url


# --- (b) and (c): a small library with hostile text and a hidden paper ---------------------

HOSTILE = {
    "script": "<script>alert(1)</script>",
    "img": "<img src=x onerror=alert(2)>",
    "jinja": "{{ 7*7 }} {% raw %}",
    "emphasis": "*x* and _y_",
    "table": "a | b",
    "backslash": "\\% and \\*",
    "math": "$x$",
    "link": "[link](http://x)",
    "code": "`code` and ``more``",
    "entity": "&amp; &lt; &#35;",
    "comment": "<!-- c --> ]]>",
    "greek": "Λόγος και αριθμός",
    "emoji": "🚀 rocket 👩‍🔬",
    "tab": "a\tb",
}
# Abstract lines that Markdown would read as a heading or a list item.
ABSTRACT_LINES = "\n# Heading line\n- list item\n1. numbered\n> quoted\n\nnew paragraph"
MARKERS = ("Wombatgram", "Quokkagram")  # only in the visible twin, only in the hidden twin


def write_paper(papers_dir: Path, stem: str | None = None, **fields) -> Path:
    """A paper file in the house style (`digest fmt` would leave it alone), named for its id."""
    fields.setdefault("added", date(2026, 1, 26))
    fields.setdefault("sources", ["test.txt"])
    path = papers_dir / f"{stem or fields['id']}.yaml"
    path.write_text(yamlio.dump_paper({k: fields[k] for k in PAPER_FIELDS if k in fields}),
                    encoding="utf-8")
    return path


def small_content(folder: Path, seeds: int = 3) -> Path:
    """themes.yml, the schema and the first `seeds` shipped papers, in folder/content."""
    content = folder / "content"
    (content / "papers").mkdir(parents=True)
    shutil.copy(CONTENT / "themes.yml", content / "themes.yml")
    shutil.copytree(CONTENT / "schema", content / "schema")
    for path in sorted((CONTENT / "papers").glob("*.yaml"))[:seeds]:
        shutil.copy(path, content / "papers" / path.name)
    return content


@pytest.fixture(scope="module")
def small_site(tmp_path_factory) -> tuple[Path, Path]:
    """(content, site): three shipped papers, one hostile paper per payload, twin papers."""
    folder = tmp_path_factory.mktemp("small")
    content = small_content(folder)
    papers = content / "papers"
    for name, text in HOSTILE.items():
        write_paper(papers, id=f"hostile-{name}", title=text,
                    abstract=f"{text} in an abstract.{ABSTRACT_LINES} {text}",
                    published=date(2025, 10, 13), organization=f"handle {text} Lab", upvotes=0)
    write_paper(papers, id="hostile-note", title="A paper with a note", abstract="Plain.",
                note="A **bold** note.\n\n<script>alert(3)</script>\n\n"
                     "[click](&#106;avascript:alert(4)) <img src=x onerror=alert(5)>")
    # Twins of a shipped paper, added last: they would top the latest additions
    # and its related papers, unless hidden.
    seed = read_yaml(sorted(papers.glob("a-*.yaml"))[0])
    for marker, hidden in zip(MARKERS, (False, True)):
        write_paper(papers, id=f"twin-{marker.lower()}", title=f"{seed['title']} {marker}",
                    abstract=seed["abstract"], added=date(2026, 12, 31), hidden=hidden)
    assert check_library(content).problems == []  # valid and in the house style
    site = folder / "site"
    build_site(content, site, progress=False, docs_dir=folder / "docs")
    return content, site


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_title_and_abstract_reach_the_page_as_the_same_text(small_site, name):
    content, site = small_site
    paper = read_yaml(content / "papers" / f"hostile-{name}.yaml")
    page = Page(site / "papers" / f"hostile-{name}" / "index.html")
    assert page.title == paper["title"] == HOSTILE[name]
    assert page.head_title == f"{paper['title']} - Paper Digest"  # from the front matter
    assert page.abstract == paper["abstract"]
    assert page.facts["Organisation"] == f"{HOSTILE[name]} Lab"
    assert page.facts["Upvotes"] == "0"  # known, though zero


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_title_is_listed_searchable_and_exported_as_the_same_text(small_site, name):
    content, site = small_site
    title = read_yaml(content / "papers" / f"hostile-{name}.yaml")["title"]
    listed = [text for href, text in Page(site / "days" / "2025-10-13" / "index.html").links
              if paper_id_of("days/2025-10-13/", href) == f"hostile-{name}"]
    assert listed == [title]
    search = {r["url"]: r["meta"]["title"] for r in indexed_pages(site)}
    assert search[f"/papers/hostile-{name}/"] == title
    assert {r["id"]: r["title"] for r in papers_of(site)}[f"hostile-{name}"] == title
    feed = ElementTree.parse(site / "feeds" / "latest.xml").getroot()
    titles = {paper_id_of("feeds/latest.xml", e.find(f"{ATOM}link").get("href")):
              e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")}
    assert titles[f"hostile-{name}"] == title


def test_no_page_runs_script_from_the_content(small_site):
    _, site = small_site
    theirs = Page(site / "papers" / "hostile-note" / "index.html").scripts  # the theme's own
    assert theirs and all("alert" not in code for _, code in theirs)
    for path in sorted(site.rglob("*.html")):
        page = Page(path)
        handlers = [(tag, name) for tag, attrs in page.elements for name in attrs
                    if name.startswith("on")]
        assert handlers == [], path
        if path.parent.parent.name == "papers":
            assert page.scripts == theirs, path
        assert all("alert" not in code for _, code in page.scripts), path
        for tag, attrs in page.elements:
            for name in ("href", "src"):
                target = re.sub(r"[\x00-\x20]", "", attrs.get(name) or "").lower()
                assert not target.startswith(("javascript:", "data:", "vbscript:")), (path, target)


def test_the_curators_note_is_rendered_as_markdown_without_raw_html(small_site):
    _, site = small_site
    page = Page(site / "papers" / "hostile-note" / "index.html")
    assert [block.strip() for block in page.note] == [
        "Curator's note", "A bold note.", "<script>alert(3)</script>",
        "click <img src=x onerror=alert(5)>"]
    assert ("strong", {}) in page.elements
    assert [link for link in page.links if link[1] == "click"] == [(None, "click")]  # no URL left


def test_a_hidden_paper_is_nowhere_in_the_site(small_site):
    content, site = small_site
    shown, hidden = MARKERS
    files = {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in site_files(site)}
    # The visible twin shows where the hidden one would have been.
    expected_places = {"index.html", "days/2026-12-31/index.html", "feeds/latest.xml", "papers.json",
                       "papers/twin-wombatgram/index.html"}
    assert expected_places <= {path for path, text in files.items() if shown in text}
    searched = {r["url"]: r["content"] for r in indexed_pages(site)}
    assert [url for url, text in searched.items() if shown in text] == ["/papers/twin-wombatgram/"]
    assert [url for url, text in searched.items() if hidden in text or "quokkagram" in url] == []
    seed_id = sorted((content / "papers").glob("a-*.yaml"))[0].stem
    related = Page(site / "papers" / seed_id / "index.html").paper_links(f"papers/{seed_id}/")
    assert "twin-wombatgram" in related
    assert [path for path, text in files.items() if hidden in text or "twin-quokkagram" in text] == []
    visible = [p for p in (content / "papers").glob("*.yaml") if not read_yaml(p).get("hidden")]
    assert len(papers_of(site)) == len(visible) == len(HOSTILE) + 5
    assert f"{len(visible)} papers in " in files["index.html"]


# --- (d) a library with errors leaves the site as it was -----------------------------------------


@pytest.fixture
def old_site(tmp_path) -> Path:
    site = tmp_path / "site"
    (site / "papers").mkdir(parents=True)
    (site / "index.html").write_text("the previous build\n", encoding="utf-8")
    return site


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("mistake, code, line", [
    ({"themes": ["no-such-theme"]}, "S005", 9),  # stops the build while reading
    ({"id": "not-the-file-name"}, "I001", 2),  # the pages can be made: only the check finds it
])
def test_a_library_with_an_error_raises_and_leaves_the_site_untouched(
        tmp_path, old_site, mistake, code, line):
    content = small_content(tmp_path, seeds=2)
    fields = {"id": "broken", "title": "Broken", "abstract": "Broken.", **mistake}
    path = write_paper(content / "papers", "broken", **fields)
    before = _snapshot(old_site)
    with pytest.raises(DigestError) as caught:
        build_site(content, old_site, progress=False, docs_dir=tmp_path / "docs")
    problems = [(p.path, p.line, p.code) for p in caught.value.problems]
    assert problems == [(path.as_posix(), line, code)]
    assert _snapshot(old_site) == before
    assert not (tmp_path / ".site.staging").exists() and not (tmp_path / ".site.old").exists()
