"""The built site as a reader sees it: headless Chromium on 127.0.0.1.

Every page visited is watched for console errors, uncaught exceptions, failed
requests, HTTP errors and dialogs; any of them fails the test (at teardown).
"""

from __future__ import annotations

import json
import shutil
import struct
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import yaml

import conftest
from conftest import CONTENT, serve

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
HOSTILE_PAPERS = Path(__file__).parent / "fixtures" / "hostile" / "papers"
HOSTILE_ID = "escaping-bold-and-quotes"
LOCAL = ("http://127.0.0.1:", "data:", "blob:")


class Watched:
    """A browser context with every console error, failed request and dialog recorded."""

    def __init__(self, browser, viewport: dict):
        self.context = browser.new_context(viewport=viewport)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        # On the context, not the page: a popup or a second page is watched too.
        problem = self.problems.append
        context = self.context
        context.on("console", lambda m: m.type == "error" and problem(f"console: {m.text}"))
        context.on("weberror", lambda e: problem(f"uncaught: {e.error}"))
        context.on("requestfailed", lambda r: problem(f"request failed: {r.url} {r.failure}"))
        context.on("response", lambda r: r.status >= 400 and problem(f"HTTP {r.status}: {r.url}"))
        context.on("dialog", self._dialog)
        # The site must work offline: a request for anything but the local
        # server (a web font, a CDN script) is recorded and never sent.
        context.route(lambda url: not url.startswith(LOCAL), self._offsite)

    def _offsite(self, route):
        self.problems.append(f"off-site request: {route.request.url}")
        route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def visit(self, url: str):
        # networkidle: every request the page made has finished, so leaving the
        # page cannot abort a request mid-flight (which would count as failed).
        self.page.goto(url, wait_until="networkidle")
        return self.page

    def follow(self, link):
        """Click a link like a reader and wait for the page it opens."""
        with self.page.expect_navigation(wait_until="networkidle"):
            link.click()
        return self.page

    def close(self):
        self.context.close()


@pytest.fixture
def watch(browser):
    """Opens watched browser contexts; at teardown, any problem or dialog fails the test."""
    opened: list[Watched] = []

    def open_context(viewport: str = "desktop") -> Watched:
        opened.append(Watched(browser, VIEWPORTS[viewport]))
        return opened[-1]

    yield open_context
    for watched in opened:
        watched.close()
    problems = [p for w in opened for p in w.problems]
    dialogs = [d for w in opened for d in w.dialogs]
    assert dialogs == [], f"dialogs opened: {dialogs}"
    assert problems == [], "\n".join(problems)


@pytest.fixture(scope="module")
def papers(built_site) -> list[dict]:
    return json.loads((built_site / "papers.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def theme_names() -> dict[str, str]:
    themes = yaml.safe_load((CONTENT / "themes.yml").read_text(encoding="utf-8"))["themes"]
    return {**{t["id"]: t["name"] for t in themes}, "unsorted": "Unsorted"}


def shown_day(day: str) -> str:
    """A date as pages show it: 13 Oct 2025."""
    parsed = date.fromisoformat(day)
    return f"{parsed.day} {MONTHS[parsed.month - 1]} {parsed.year}"


def paths(links) -> list[str]:
    """The URL paths a locator's links point to, in page order."""
    return links.evaluate_all("links => links.map(a => new URL(a.href).pathname)")


def texts(locator) -> list[str]:
    return [text.strip() for text in locator.all_inner_texts()]


def newest_first(papers: list[dict]) -> list[dict]:
    return sorted(papers, key=lambda p: (-date.fromisoformat(p["date"]).toordinal(), p["id"]))


def smallest_theme(papers: list[dict], at_least: int = 3) -> str:
    """The theme with the fewest papers, but at least `at_least` (ties by id)."""
    counts = Counter(t for p in papers for t in p["themes"])
    return min((n, theme) for theme, n in counts.items() if n >= at_least)[1]


def richest_paper(papers: list[dict]) -> dict:
    """The paper with the most optional facts filled in (ties by id)."""
    facts = ("published", "authors", "organization", "upvotes")
    return min(papers, key=lambda p: (-sum(p[f] is not None for f in facts), p["id"]))


def added_only_paper(papers: list[dict]) -> dict:
    """The first paper (by id) known only by its added date and filed under a theme."""
    return min((p for p in papers if p["published"] is None and "unsorted" not in p["themes"]),
               key=lambda p: p["id"])


def assert_no_horizontal_scroll(page, viewport: dict):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{page.url}: {width}px wide in a {viewport['width']}px window"


# --- the watcher itself ------------------------------------------------------


def test_watcher_records_console_errors_failed_requests_and_dialogs(browser, tmp_path):
    (tmp_path / "index.html").write_text(
        "<!doctype html><title>bad page</title><img src='missing.png'>"
        "<script>console.error('boom'); alert('hello');"
        "fetch('http://127.0.0.1:9/').catch(() => {});"
        "fetch('https://fonts.googleapis.com/css?family=Roboto').catch(() => {});"
        "setTimeout(() => { throw new Error('late') }, 0);</script>")
    watched = Watched(browser, VIEWPORTS["desktop"])
    with serve(tmp_path) as url:
        watched.visit(url + "/")
    watched.close()
    found = "\n".join(watched.problems)
    assert "console: boom" in found
    assert "uncaught: " in found and "late" in found
    assert f"HTTP 404: {url}/missing.png" in found
    assert "request failed: http://127.0.0.1:9/" in found
    assert "off-site request: https://fonts.googleapis.com/css?family=Roboto" in found
    assert watched.dialogs == ["alert: hello"]


def test_missing_chromium_skips_with_install_hint_or_fails_when_required(monkeypatch):
    monkeypatch.setattr(conftest, "chromium_path", lambda: None)
    monkeypatch.delenv(conftest.REQUIRE_BROWSER, raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"sudo apt-get install chromium"):
        conftest.chromium_or_skip()
    monkeypatch.setenv(conftest.REQUIRE_BROWSER, "1")
    with pytest.raises(pytest.fail.Exception, match=r"no Chromium: install .*DIGEST_REQUIRE_BROWSER is set"):
        conftest.chromium_or_skip()


# --- pages -------------------------------------------------------------------


def test_home_shows_theme_counts_and_latest_additions(watch, site_url, papers, theme_names):
    page = watch().visit(site_url + "/")
    assert page.locator("article h1").inner_text() == "Paper Digest"
    assert page.locator(".digest-totals").inner_text().startswith(f"{len(papers)} papers in ")

    assert page.locator("h2#latest-additions").inner_text() == "Latest additions"
    latest = page.locator("#latest-additions ~ ul.paper-list").first.locator("li")
    # Most recently added first; then newest date, then id.
    ranked = sorted(papers, key=lambda p: (-date.fromisoformat(p["added"]).toordinal(),
                                           -date.fromisoformat(p["date"]).toordinal(), p["id"]))
    shown = latest.count()
    assert 10 <= shown <= len(papers)
    expected = ranked[:shown]
    assert paths(latest.locator("a")) == ["/" + p["url"] for p in expected]
    assert texts(latest.locator("a")) == [p["title"] for p in expected]
    assert texts(latest.locator(".paper-date")) == [f"added {shown_day(p['added'])}" for p in expected]

    table = [(paths(row.locator("a"))[0], *texts(row.locator("td"))[:2])
             for row in page.locator("table.theme-table tbody tr").all()]
    counts = Counter(t for p in papers for t in p["themes"])
    ordered = [t for t in theme_names if t in counts]  # themes.yml order, Unsorted last
    assert table == [(f"/themes/{t}/", theme_names[t], str(counts[t])) for t in ordered]


def test_theme_page_lists_its_papers_and_each_link_opens_the_paper(watch, site_url, papers):
    theme = smallest_theme(papers)
    expected = newest_first([p for p in papers if theme in p["themes"]])
    watched = watch()
    page = watched.visit(f"{site_url}/themes/{theme}/")
    links = page.locator("article ul.paper-list a")
    assert paths(links) == ["/" + p["url"] for p in expected]
    assert texts(links) == [p["title"] for p in expected]
    for index, paper in enumerate(expected):
        watched.follow(page.locator("article ul.paper-list a").nth(index))
        assert page.url == f"{site_url}/{paper['url']}"
        assert page.locator("h1#paper-title").inner_text() == paper["title"]
        page.go_back(wait_until="networkidle")
        assert page.url == f"{site_url}/themes/{theme}/"


@pytest.mark.parametrize("choose", [richest_paper, added_only_paper], ids=["richest", "added-only"])
def test_paper_page_shows_abstract_dates_themes_and_related(watch, site_url, papers, theme_names, choose):
    paper = choose(papers)
    by_path = {"/" + p["url"]: p for p in papers}
    watched = watch()
    page = watched.visit(f"{site_url}/{paper['url']}")
    assert page.locator("h1#paper-title").inner_text() == paper["title"]
    assert page.locator(".paper-abstract").inner_text() == paper["abstract"]
    dates = ([f"published {shown_day(paper['published'])}"] if paper["published"] else []) + [
        f"added {shown_day(paper['added'])}"]
    assert page.locator(".paper-dates").inner_text() == " · ".join(dates)

    facts = dict(zip(texts(page.locator("dl.paper-facts dt")), texts(page.locator("dl.paper-facts dd"))))
    assert facts["Authors"] == str(paper["authors"] or "unknown")
    assert facts["Organisation"] == str(paper["organization"] or "unknown")
    assert facts["Upvotes"] == str(paper["upvotes"] if paper["upvotes"] is not None else "unknown")
    theme_links = page.locator("dl.paper-facts dd a")
    assert texts(theme_links) == [theme_names[t] for t in paper["themes"]]
    assert paths(theme_links) == [f"/themes/{t}/" for t in paper["themes"]]

    assert page.locator("section.related h2").inner_text() == "Related papers"
    related = page.locator("section.related a")
    related_paths = paths(related)
    assert len(related_paths) == 5 == len(set(related_paths))
    assert "/" + paper["url"] not in related_paths
    assert texts(related) == [by_path[path]["title"] for path in related_paths]
    watched.follow(related.first)
    assert page.locator("h1#paper-title").inner_text() == by_path[related_paths[0]]["title"]


def test_every_kind_of_page_loads_cleanly(watch, site_url):
    watched = watch()
    years = paths(watched.visit(site_url + "/archive/").locator("ul.year-list a"))
    assert len(years) >= 2
    for path in ("/themes/", years[0], years[-1], "/about/", "/404.html"):
        page = watched.visit(site_url + path)
        assert page.locator("article h1").count() == 1, path
        assert page.locator("article h1").inner_text().strip(), path


# The words of each element's text that the layout splits across two lines.
BROKEN_WORDS = """elements => elements.flatMap(element => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    const broken = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode())
        for (const word of node.data.matchAll(/\\S+/g)) {
            const range = document.createRange();
            range.setStart(node, word.index);
            range.setEnd(node, word.index + word[0].length);
            if (range.getClientRects().length > 1) broken.push(word[0]);
        }
    return broken;
})"""


def test_theme_table_breaks_no_theme_name_mid_word_on_phones(watch, site_url):
    page = watch("phone").visit(site_url + "/")
    names = page.locator("table.theme-table td:first-child")
    assert names.count() > 0
    assert names.evaluate_all(BROKEN_WORDS) == []


# --- hostile content ---------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A small site whose paper holds markup, template code and Markdown; (url, paper)."""
    from digest.site import build_site

    root = tmp_path_factory.mktemp("hostile")
    content = root / "content"
    shutil.copytree(CONTENT / "schema", content / "schema")
    shutil.copy(CONTENT / "themes.yml", content / "themes.yml")
    shutil.copytree(HOSTILE_PAPERS, content / "papers")
    build_site(content, root / "site", progress=False)
    paper = yaml.safe_load((HOSTILE_PAPERS / f"{HOSTILE_ID}.yaml").read_text(encoding="utf-8"))
    with serve(root / "site") as url:
        yield url, paper


def test_hostile_paper_shows_markup_as_text_and_runs_nothing(watch, hostile, screenshot_dir):
    url, paper = hostile
    assert "<script>alert(1)</script>" in paper["abstract"] and "<b>bold</b>" in paper["title"]
    watched = watch()
    page = watched.visit(f"{url}/papers/{HOSTILE_ID}/")
    page.wait_for_timeout(200)  # room for a late onerror or timer to fire
    assert watched.dialogs == []
    assert page.locator("h1#paper-title").inner_text() == paper["title"]
    assert page.locator(".paper-abstract").inner_text() == paper["abstract"]
    assert page.title() == f"{paper['title']} - Paper Digest"
    for element in ("script", "img", "b", "em", "strong", "table", "code", "a", "h2"):
        assert page.locator(f".paper-abstract {element}, h1#paper-title {element}").count() == 0, element

    page.screenshot(path=screenshot_dir / "hostile-paper-desktop.png", full_page=True, animations="disabled")

    for listing in ("/", "/themes/unsorted/"):
        page = watched.visit(url + listing)
        link = page.locator(f"article a[href$='papers/{HOSTILE_ID}/']")
        assert link.inner_text() == paper["title"], listing


# --- screenshots -------------------------------------------------------------


def png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_screenshots(watch, site_url, papers, screenshot_dir, viewport):
    """Whole pages (home, theme, paper) as a reader sees them (search: test_search.py)."""
    size = VIEWPORTS[viewport]
    paper = richest_paper(papers)
    watched = watch(viewport)
    shots = {
        "home": "/",
        "theme": f"/themes/{paper['themes'][0]}/",
        "paper": f"/{paper['url']}",
    }
    for name, path in shots.items():
        page = watched.visit(site_url + path)
        assert_no_horizontal_scroll(page, size)
        page.screenshot(path=screenshot_dir / f"{name}-{viewport}.png", full_page=True, animations="disabled")
    for name in shots:
        width, height = png_size(screenshot_dir / f"{name}-{viewport}.png")
        assert width == size["width"] and height >= size["height"], name
