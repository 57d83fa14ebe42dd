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
HOSTILE_WORD = "Quillwort"  # first word of its abstract, in no other paper
LOCAL = ("http://127.0.0.1:", "data:", "blob:")


class Watched:
    """A browser context with every console error, failed request and dialog recorded."""

    def __init__(self, browser, viewport: dict, color_scheme: str = "light"):
        self.context = browser.new_context(viewport=viewport, color_scheme=color_scheme)
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
        # networkidle: the search index and worker have loaded, so leaving the
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

    def open_context(viewport: str = "desktop", color_scheme: str = "light") -> Watched:
        opened.append(Watched(browser, VIEWPORTS[viewport], color_scheme))
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


def reading_order(papers: list[dict]) -> list[dict]:
    """The site's order: date newest first, then upvotes (more first), then title."""
    return sorted(papers, key=lambda p: (
        -date.fromisoformat(p["date"]).toordinal(),
        -(-1 if p["upvotes"] is None else p["upvotes"]), p["title"].casefold(), p["title"], p["id"]))


KIND_LABELS = {"listed": "listed", "published": "published", "added": "added to the digest"}


def date_label(paper: dict) -> str:
    return f"{KIND_LABELS[paper['date_kind']]} {shown_day(paper['date'])}"


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


def test_home_shows_the_newest_day_first_then_earlier_days_and_theme_counts(
        watch, site_url, papers, theme_names):
    page = watch().visit(site_url + "/")
    assert page.locator("article h1").inner_text() == "Paper Digest"
    assert page.locator(".digest-totals").inner_text().startswith(f"{len(papers)} papers in ")

    ranked = reading_order(papers)
    # The latest listing day first, else (no paper listed) the newest day.
    start = next((p for p in ranked if p["date_kind"] == "listed"), ranked[0])
    newest_day = [p for p in ranked if p["date"] == start["date"]]
    first = page.locator("article h2").first
    assert first.get_attribute("id") == f"day-{start['date']}"
    cards = page.locator("article ol.cards").first.locator("li.card")
    assert cards.count() == min(100, len(newest_day))  # the newest day in full, up to a page
    titles = page.locator("article li.card .card-title a")
    shown = [path.removeprefix("/") for path in paths(titles)]
    # Every pair of cards in the site's order: date, upvotes, title.
    rank = {p["url"]: i for i, p in enumerate(ranked)}
    assert [rank[url] for url in shown] == sorted(rank[url] for url in shown)
    assert shown[:cards.count()] == [p["url"] for p in newest_day[:cards.count()]]
    assert page.locator("article h2[id^='day-']").count() > 1  # then earlier days

    table = [(paths(row.locator("a"))[0], *texts(row.locator("td"))[:2])
             for row in page.locator("table.theme-table tbody tr").all()]
    counts = Counter(t for p in papers for t in p["themes"])
    ordered = [t for t in theme_names if t in counts]  # themes.yml order, Unsorted last
    assert table == [(f"/themes/{t}/", theme_names[t], str(counts[t])) for t in ordered]


def test_theme_page_lists_its_papers_and_each_link_opens_the_paper(watch, site_url, papers):
    theme = smallest_theme(papers)
    expected = reading_order([p for p in papers if theme in p["themes"]])
    watched = watch()
    page = watched.visit(f"{site_url}/themes/{theme}/")
    links = page.locator("article li.card .card-title a")
    assert paths(links) == ["/" + p["url"] for p in expected]
    assert texts(links) == [p["title"] for p in expected]
    assert texts(page.locator("article li.card .card-date")) == [date_label(p) for p in expected]
    for index, paper in enumerate(expected):
        watched.follow(page.locator("article li.card .card-title a").nth(index))
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
    # Its own date first, then the other dates the sources give.
    dates = [date_label(paper)]
    if paper["published"] and paper["date_kind"] != "published":
        dates.append(f"published {shown_day(paper['published'])}")
    if paper["date_kind"] != "added":
        dates.append(f"added to the digest {shown_day(paper['added'])}")
    assert page.locator(".paper-dates").inner_text().startswith(" · ".join(dates) + " · All papers of ")

    facts = dict(zip(texts(page.locator("dl.paper-facts dt")), texts(page.locator("dl.paper-facts dd"))))
    # A fact the sources do not give is left out.
    known = {"Authors": paper["authors"], "Organisation": paper["organization"],
             "Upvotes": paper["upvotes"]}
    assert {k for k in known if known[k] is not None} == set(facts) & set(known)
    assert "unknown" not in facts.values()
    theme_links = page.locator("dl.paper-facts dd.paper-themes a")
    assert texts(theme_links) == [theme_names[t] for t in paper["themes"]]
    assert paths(theme_links) == [f"/themes/{t}/" for t in paper["themes"]]

    assert page.locator("h2.related").inner_text() == "Related papers"
    related = page.locator("ul.paper-list a")
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


# --- reader pages on a library with the API's facts ------------------------------

READER_PAPERS = Path(__file__).parent / "fixtures" / "reader" / "papers"
API_PAPER = "rldx-1-technical-report"  # arXiv id, 68 names, organisation, code, project
TEXT_PAPER = "a-text-dump-paper-without-an-arxiv-id"
LINKS_PAPER = "links-in-an-abstract-added-only"


def build_fixture_site(tmp_path_factory, name: str, papers: Path) -> Path:
    """A site built from a fixture folder of papers with the shipped themes and schema."""
    from digest.site import build_site

    root = tmp_path_factory.mktemp(name)
    content = root / "content"
    shutil.copytree(CONTENT / "schema", content / "schema")
    shutil.copy(CONTENT / "themes.yml", content / "themes.yml")
    shutil.copytree(papers, content / "papers")
    build_site(content, root / "site", progress=False)
    return root / "site"


@pytest.fixture(scope="module")
def reader_site(tmp_path_factory):
    """The reader fixture library (copied from the recorded API days) built and served; (url, papers by id)."""
    site = build_fixture_site(tmp_path_factory, "reader", READER_PAPERS)
    records = json.loads((site / "papers.json").read_text(encoding="utf-8"))
    with serve(site) as url:
        yield url, {r["id"]: r for r in records}


def fixture_yaml(pid: str) -> dict:
    return yaml.safe_load((READER_PAPERS / f"{pid}.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_paper_with_an_arxiv_id_links_out_to_arxiv_pdf_hugging_face_code_and_project(
        watch, reader_site, viewport):
    url, _ = reader_site
    paper = fixture_yaml(API_PAPER)
    page = watch(viewport).visit(f"{url}/papers/{API_PAPER}/")
    links = page.locator("nav.paper-links a")
    assert texts(links) == ["arXiv", "PDF", "Hugging Face", "Code", "Project page"]
    assert links.evaluate_all("links => links.map(a => a.href)") == [
        f"https://arxiv.org/abs/{paper['arxiv']}", f"https://arxiv.org/pdf/{paper['arxiv']}",
        f"https://huggingface.co/papers/{paper['arxiv']}", paper["code"], paper["project"]]
    for index in range(links.count()):  # every link visible and clickable on the screen
        box = links.nth(index).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORTS[viewport]["width"]
    assert_no_horizontal_scroll(page, VIEWPORTS[viewport])


def test_a_paper_without_an_arxiv_id_links_to_title_searches_labelled_as_such(watch, reader_site):
    url, _ = reader_site
    page = watch().visit(f"{url}/papers/{TEXT_PAPER}/")
    links = page.locator("nav.paper-links a")
    assert texts(links) == ["Search arXiv for this title", "Search Hugging Face Papers for this title"]
    hrefs = links.evaluate_all("links => links.map(a => new URL(a.href))"
                               ".map(u => [u.origin + u.pathname, [...u.searchParams]])")
    title = fixture_yaml(TEXT_PAPER)["title"]
    assert hrefs == [["https://arxiv.org/search/", [["query", f'"{title}"'], ["searchtype", "title"]]],
                     ["https://huggingface.co/papers", [["q", f'"{title}"']]]]
    assert page.locator("#cite").count() == 0  # nothing to cite it by


def test_urls_in_an_abstract_are_links_and_script_urls_stay_text(watch, reader_site):
    url, _ = reader_site
    paper = fixture_yaml(LINKS_PAPER)
    page = watch().visit(f"{url}/papers/{LINKS_PAPER}/")
    assert page.locator(".paper-abstract").inner_text() == paper["abstract"]
    links = page.locator(".paper-abstract a")
    assert links.evaluate_all("links => links.map(a => [a.getAttribute('href'), a.rel])") == [
        ["https://github.com/example/links_demo", "nofollow noopener"],
        ["http://example.org/a?b=1&c=2", "nofollow noopener"]]


def test_the_paper_page_names_authors_organisation_and_sources_for_readers(watch, reader_site):
    url, records = reader_site
    paper = fixture_yaml(API_PAPER)
    page = watch().visit(f"{url}/papers/{API_PAPER}/")
    facts = dict(zip(texts(page.locator("dl.paper-facts dt")), texts(page.locator("dl.paper-facts dd"))))
    names = paper["authors"]
    assert facts["Authors"] == f"{', '.join(names[:10])} et al. ({len(names)} authors)"
    assert facts["Organisation"] == paper["organization"]
    assert facts["Upvotes"] == str(paper["upvotes"])
    assert facts["Sources"] == "Daily Papers, 7 May 2026"
    assert page.locator("dd.paper-sources span").get_attribute("title") == "2026-05-07.json"
    assert page.locator(".paper-dates").inner_text() == (
        "listed 7 May 2026 · published 5 May 2026 · added to the digest 26 Nov 2026 · "
        "All papers of Thu 7 May 2026")
    added_only = watch().visit(f"{url}/papers/{LINKS_PAPER}/")
    assert added_only.locator(".paper-dates").inner_text().startswith("added to the digest 25 Nov 2026")
    assert records[LINKS_PAPER]["date_kind"] == "added"


def test_the_bibtex_entry_is_copied_by_its_button(watch, reader_site):
    url, _ = reader_site
    watched = watch()
    watched.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page = watched.visit(f"{url}/papers/{API_PAPER}/")
    entry = page.locator(".paper-cite pre code").inner_text()
    assert entry.startswith(f"@misc{{{API_PAPER},") and "eprint = {2605.03269}" in entry
    page.locator(".paper-cite button[data-md-type='copy']").click()
    page.wait_for_function("() => navigator.clipboard.readText().then(t => t.length > 0)")
    assert page.evaluate("navigator.clipboard.readText()").strip() == entry.strip()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_card_shows_title_date_upvotes_people_snippet_and_themes(watch, reader_site, viewport):
    url, records = reader_site
    page = watch(viewport).visit(url + "/")
    card = page.locator("li.card").filter(has=page.locator(f"a[href$='papers/{API_PAPER}/']"))
    paper, record = fixture_yaml(API_PAPER), records[API_PAPER]
    assert card.locator(".card-title").inner_text() == paper["title"]
    assert card.locator(".card-date").inner_text() == "listed 7 May 2026"
    assert card.locator(".card-upvotes").inner_text() == f"{paper['upvotes']} upvotes"
    assert card.locator(".card-people").inner_text() == (
        f"{', '.join(paper['authors'][:3])} et al. ({len(paper['authors'])} authors)")
    snippet = card.locator(".card-abstract").inner_text()
    assert snippet.endswith("…") and len(snippet) <= 201
    assert " ".join(paper["abstract"].split()).startswith(snippet[:-1])
    chips = card.locator(".card-themes a")
    assert 1 <= chips.count() <= 3
    assert paths(chips) == [f"/themes/{t}/" for t in record["themes"][:3]]
    assert_no_horizontal_scroll(page, VIEWPORTS[viewport])
    # Without names, the card names the organisation.
    text = page.locator("li.card").filter(has=page.locator(f"a[href$='papers/{TEXT_PAPER}/']"))
    assert text.locator(".card-people").inner_text() == "Example Lab"


def test_day_pages_link_the_days_around_them_and_each_paper_links_its_day(watch, reader_site):
    url, records = reader_site
    days = sorted({r["date"] for r in records.values()}, reverse=True)
    watched = watch()
    page = watched.visit(f"{url}/papers/{API_PAPER}/")
    watched.follow(page.locator("a.paper-day"))
    assert page.url == f"{url}/days/2026-05-07/"
    assert page.locator("article h1").inner_text() == "Thu 7 May 2026"
    on_day = [r for r in records.values() if r["date"] == "2026-05-07"]
    assert paths(page.locator("li.card .card-title a")) == [
        "/" + r["url"] for r in reading_order(on_day)]
    # Older, then newer, and back: every day in turn.
    seen = [page.url.removeprefix(url + "/days/").rstrip("/")]
    while page.locator("a.day-older").count():
        watched.follow(page.locator("a.day-older"))
        seen.append(page.url.removeprefix(url + "/days/").rstrip("/"))
    while page.locator("a.day-newer").count():
        watched.follow(page.locator("a.day-newer"))
        seen.append(page.url.removeprefix(url + "/days/").rstrip("/"))
    index = days.index("2026-05-07")
    assert seen == days[index:] + days[::-1][1:]
    watched.follow(page.locator("a.day-month"))
    assert page.url == f"{url}/archive/{days[0][:4]}/{days[0][5:7]}/"
    assert f"/days/{days[0]}/" in paths(page.locator("article ul.day-list a"))


def test_the_palette_follows_the_system_and_the_toggle_switches_and_persists(watch, reader_site):
    url, _ = reader_site
    dark = watch(color_scheme="dark").visit(url + "/")
    assert dark.evaluate("document.body.dataset.mdColorScheme") == "slate"  # the system's choice
    watched = watch(color_scheme="light")
    page = watched.visit(url + "/")
    scheme = "document.body.dataset.mdColorScheme"
    assert page.evaluate(scheme) == "default"
    toggle = page.locator("form[data-md-component='palette'] label:not([hidden])")
    toggle.click()  # automatic -> light
    toggle.click()  # light -> dark
    page.wait_for_function(f"() => {scheme} === 'slate'")
    watched.visit(f"{url}/papers/{API_PAPER}/")  # another page, and a reload: still dark
    assert page.evaluate(scheme) == "slate"
    page.reload(wait_until="networkidle")
    assert page.evaluate(scheme) == "slate"


# WCAG 2 contrast of a computed CSS text colour over a background colour (rgb or
# rgba): a translucent text colour is blended over the background first, as painted.
CONTRAST = """([fg, bg]) => {
    const parse = c => { const v = c.match(/[\\d.]+/g).map(Number); return [v.slice(0, 3), v[3] ?? 1]; };
    const [[back], [front, alpha]] = [parse(bg), parse(fg)];
    const painted = front.map((v, i) => alpha * v + (1 - alpha) * back[i]);
    const lum = rgb => { const [r, g, b] = rgb.map(v => { v /= 255;
        return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    const [a, b] = [lum(painted), lum(back)];
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""
# The colour a reader sees behind an element: the first opaque background up the tree.
BACKGROUND = r"""element => {
    for (let e = element; e; e = e.parentElement) {
        const colour = getComputedStyle(e).backgroundColor;
        if (!/rgba\(.*, 0\)$/.test(colour) && colour !== 'transparent') return colour;
    }
    return getComputedStyle(document.body).backgroundColor;
}"""


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_titles_meet_wcag_aa_contrast_in_both_palettes(watch, reader_site, color_scheme):
    url, _ = reader_site
    watched = watch(color_scheme=color_scheme)
    checked = {}
    for path, selector in (("/", "li.card .card-title a"), (f"/papers/{API_PAPER}/", "h1#paper-title"),
                           ("/", "li.card .card-abstract"), ("/", "li.card .card-date"),
                           (f"/papers/{API_PAPER}/", "nav.paper-links a")):
        page = watched.visit(url + path)
        element = page.locator(selector).first
        colours = [element.evaluate("e => getComputedStyle(e).color"), element.evaluate(BACKGROUND)]
        checked[f"{path} {selector}"] = round(page.evaluate(CONTRAST, colours), 2)
    print(color_scheme, checked)
    assert {k: v for k, v in checked.items() if v < 4.5} == {}, checked


def test_the_contrast_check_blends_a_translucent_colour_and_can_fail(watch, reader_site):
    page = watch().visit(reader_site[0] + "/")
    assert round(page.evaluate(CONTRAST, ["rgb(0, 0, 0)", "rgb(255, 255, 255)"]), 1) == 21.0
    assert page.evaluate(CONTRAST, ["rgba(0, 0, 0, 0.3)", "rgb(255, 255, 255)"]) < 4.5


def test_the_footer_links_the_feeds_and_citations(watch, reader_site):
    url, _ = reader_site
    page = watch().visit(f"{url}/papers/{API_PAPER}/")
    footer = page.locator("footer .digest-footer a")
    assert texts(footer) == ["Atom feed", "BibTeX", "papers.json"]
    assert paths(footer) == ["/feeds/latest.xml", "/papers.bib", "/papers.json"]


# --- hostile content ---------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A small site whose paper holds markup, template code and Markdown; (url, paper)."""
    site = build_fixture_site(tmp_path_factory, "hostile", HOSTILE_PAPERS)
    paper = yaml.safe_load((HOSTILE_PAPERS / f"{HOSTILE_ID}.yaml").read_text(encoding="utf-8"))
    with serve(site) as url:
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
    for element in ("script", "img", "b", "em", "strong", "table", "code", "h2"):
        assert page.locator(f".paper-abstract {element}, h1#paper-title {element}").count() == 0, element
    # Its one http(s) URL is a link out, and nothing else is.
    assert page.locator("h1#paper-title a").count() == 0
    links = page.locator(".paper-abstract a")
    assert [links.get_attribute("href"), links.get_attribute("rel")] == [
        "https://example.org", "nofollow noopener"]

    page.screenshot(path=screenshot_dir / "hostile-paper-desktop.png", full_page=True, animations="disabled")

    for listing in ("/", "/themes/unsorted/"):
        page = watched.visit(url + listing)
        link = page.locator(f"article .card-title a[href$='papers/{HOSTILE_ID}/']")
        assert link.inner_text() == paper["title"], listing


# --- screenshots -------------------------------------------------------------


def png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_screenshots(watch, site_url, papers, screenshot_dir, viewport):
    """Whole pages (home, theme, paper, day) as a reader sees them, the first screen of
    each in the dark palette too (the search: tests/test_search.py)."""
    size = VIEWPORTS[viewport]
    paper = richest_paper(papers)
    shots = {
        "home": "/",
        "theme": f"/themes/{paper['themes'][0]}/",
        "paper": f"/{paper['url']}",
        "day": f"/days/{paper['date']}/",
    }
    dark = watch(viewport, "dark")
    for name, path in shots.items():
        page = dark.visit(site_url + path)
        assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"
        page.screenshot(path=screenshot_dir / f"{name}-{viewport}-dark.png", animations="disabled")
    watched = watch(viewport)
    for name, path in shots.items():
        page = watched.visit(site_url + path)
        assert_no_horizontal_scroll(page, size)
        page.screenshot(path=screenshot_dir / f"{name}-{viewport}.png", full_page=True, animations="disabled")
    for name in shots:
        width, height = png_size(screenshot_dir / f"{name}-{viewport}.png")
        assert width == size["width"] and height >= size["height"], name
