"""Search in the browser: the header's box over Pagefind's index, on the built seed
site and on a small site with hostile text and a hidden paper.

Every page is watched as in test_browser.py (the `watch` fixture): a console
error, a failed or off-site request or a dialog fails the test.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter

import pytest
import yaml

from conftest import CONTENT, serve
from test_browser import (HOSTILE_ID, HOSTILE_PAPERS, VIEWPORTS, papers, png_size,  # noqa: F401
                          shown_day, theme_names, watch)

pytestmark = pytest.mark.browser

BOX = "input.paper-search__input"
WAIT_MS = 10_000
HOSTILE_WORD = "Quillwort"  # first word of the hostile paper's abstract, in no other paper
SHOWN, HIDDEN = "Wombatgram", "Quokkagram"  # in a visible paper, in a hidden one
COMMON = "learning"


# --- driving the box -------------------------------------------------------------


def open_search(page):
    """Open the search like a reader: phones first tap the header's search icon."""
    icon = page.locator(".paper-search__open")
    if icon.is_visible():
        icon.click()
    else:
        page.locator(BOX).click()
    page.locator(".paper-search__panel").wait_for(state="visible")
    return page.locator(BOX)


def status(page) -> str:
    return page.locator(".paper-search__status").inner_text()


def wait_for_status(page, pattern: str) -> str:
    page.wait_for_function(
        "pattern => new RegExp(pattern).test(document.querySelector('.paper-search__status').textContent)",
        arg=pattern, timeout=WAIT_MS)
    return status(page)


def search(page, query: str) -> int:
    """Type a query key by key; the number of papers it matches, once shown."""
    box = open_search(page)
    box.fill("")
    box.press_sequentially(query, delay=20)
    return matches(page, query)


def matches(page, query: str, before: str = "") -> int:
    """The number of papers the status says `query` matches, once it differs from `before`."""
    pattern = rf"(\d+ papers? match(es)?|No paper matches) “{re.escape(query)}”"
    if before:
        page.wait_for_function("before => document.querySelector('.paper-search__status').textContent"
                               " !== before", arg=before, timeout=WAIT_MS)
    text = wait_for_status(page, pattern)
    return 0 if text.startswith("No paper") else int(text.split()[0])


def result_paths(page) -> list[str]:
    return page.locator("a.paper-search__link").evaluate_all(
        "links => links.map(a => new URL(a.href).pathname)")


def all_result_paths(page) -> list[str]:
    """Every result, clicking "More results" until there are no more."""
    more = page.locator(".paper-search__more")
    while more.is_visible():
        shown = page.locator(".paper-search__result").count()
        more.click()
        page.wait_for_function(f"document.querySelectorAll('.paper-search__result').length > {shown}")
    return result_paths(page)


def option_counts(page, name: str) -> dict[str, int]:
    """A filter's values and the count each option shows, e.g. {"Vision": 12}."""
    options = page.locator(f"select[data-filter={name}] option").evaluate_all(
        "options => options.filter(o => o.value).map(o => [o.value, o.textContent])")
    counts = {}
    for value, text in options:
        assert text == f"{value} ({text.rsplit('(', 1)[1]}", text
        counts[value] = int(text.rsplit("(", 1)[1].rstrip(")"))
    return counts


def wait_for_filters(page) -> None:
    page.wait_for_function("document.querySelectorAll('select[data-filter=theme] option').length > 1",
                           timeout=WAIT_MS)


# --- choosing test cases from papers.json --------------------------------------------


def tokens(text: str) -> set[str]:
    return {t.lower() for t in re.findall(r"[A-Za-z]+", text)}


def searched_text(paper: dict) -> str:
    return " ".join(str(paper[k] or "") for k in ("title", "abstract", "organization", "authors"))


def title_word_cases(papers: list[dict], wanted: int) -> list[tuple[str, dict]]:
    """`wanted` (word, paper) pairs spread over the papers by id: a title word of 7+
    letters that no other paper's searched text holds, nor begins a word of."""
    vocabulary = sorted({t for p in papers for t in tokens(searched_text(p))})
    owners = Counter(t for p in papers for t in tokens(searched_text(p)))
    cases = []
    for paper in sorted(papers, key=lambda p: p["id"]):
        for word in re.findall(r"[A-Za-z]{7,}", paper["title"]):
            longer = [t for t in vocabulary if t.startswith(word.lower()) and t != word.lower()]
            if owners[word.lower()] == 1 and not longer:
                cases.append((word, paper))
                break
    assert len(cases) >= wanted
    return [cases[i * len(cases) // wanted] for i in range(wanted)]


def punctuated_cases(papers: list[dict]) -> list[tuple[str, dict]]:
    """Names with punctuation inside (μ-Transfer, LLaMA-7B, Qwen2.5) that one title holds."""
    found: dict[str, list[dict]] = {}
    for paper in papers:
        for name in re.findall(r"(?<![\w^$])[^\W\d_]\w*(?:[-.]\w+)+", paper["title"]):
            if re.search(r"\d|[^\x00-\x7f]", name):
                found.setdefault(name, []).append(paper)
    return sorted((name, ps[0]) for name, ps in found.items() if len(ps) == 1)


# --- finding ---------------------------------------------------------------------------


def test_a_title_word_finds_its_paper_first(watch, site_url, papers):
    page = watch().visit(site_url + "/")
    for word, paper in title_word_cases(papers, 12):
        assert search(page, word) >= 1, word
        assert result_paths(page)[0] == "/" + paper["url"], word
        first = page.locator(".paper-search__result").first
        assert first.locator(".paper-search__title").inner_text() == paper["title"]
        assert first.locator(".paper-search__excerpt mark").count() >= 1, word


def test_a_punctuated_name_finds_its_paper_first(watch, site_url, papers):
    cases = punctuated_cases(papers)
    assert "μ-Transfer" in dict(cases) and len(cases) >= 3
    page = watch().visit(site_url + "/")
    for name, paper in cases:
        assert search(page, name) >= 1, name
        assert result_paths(page)[0] == "/" + paper["url"], name


def test_each_result_shows_its_date_with_its_kind_and_its_themes(watch, site_url, papers, theme_names):
    by_path = {"/" + p["url"]: p for p in papers}
    page = watch().visit(site_url + "/")
    assert search(page, COMMON) > 10
    items = page.locator(".paper-search__result")
    assert items.count() == 10  # the first page of results
    for index, path in enumerate(result_paths(page)):
        paper = by_path[path]
        kind = {"added": "added to the digest"}.get(paper["date_kind"], paper["date_kind"])
        expected = (f"{kind} {shown_day(paper['date'])} · "
                    + ", ".join(theme_names[t] for t in paper["themes"]))
        assert items.nth(index).locator(".paper-search__meta").inner_text() == expected
        excerpt = items.nth(index).locator(".paper-search__excerpt").inner_text()
        assert 0 < len(excerpt.split()) <= 30, excerpt  # a few words, not the abstract


def test_a_word_found_nowhere_says_so(watch, site_url):
    page = watch().visit(site_url + "/")
    assert search(page, "zzqxvbnotaword") == 0
    assert page.locator(".paper-search__result").count() == 0


# --- filters --------------------------------------------------------------------------


def test_the_filters_count_every_paper_as_papers_json_does(watch, site_url, papers, theme_names):
    page = watch().visit(site_url + "/")
    open_search(page)
    wait_for_filters(page)
    assert option_counts(page, "theme") == Counter(theme_names[t] for p in papers for t in p["themes"])
    assert option_counts(page, "year") == Counter(p["date"][:4] for p in papers)


def test_a_theme_filter_narrows_the_results_to_its_count(watch, site_url, papers, theme_names):
    page = watch().visit(site_url + "/")
    total = search(page, COMMON)
    counts = option_counts(page, "theme")
    assert sum(counts.values()) >= total  # a paper counts once per theme
    theme = max((n, name) for name, n in counts.items() if n < total)[1]
    before = status(page)
    page.locator("select[data-filter=theme]").select_option(theme)
    assert matches(page, COMMON, before) == counts[theme]
    by_path = {"/" + p["url"]: p for p in papers}
    found = all_result_paths(page)
    assert len(found) == counts[theme]
    assert all(theme in [theme_names[t] for t in by_path[path]["themes"]] for path in found)
    assert f"theme={theme.replace(' ', '+')}" in page.url


def test_a_theme_page_offers_the_search_within_its_theme(watch, site_url, papers, theme_names):
    theme = Counter(t for p in papers for t in p["themes"]).most_common(1)[0][0]
    page = watch().visit(f"{site_url}/themes/{theme}/")
    open_search(page)
    wait_for_filters(page)
    assert page.locator("select[data-filter=theme]").input_value() == theme_names[theme]
    assert theme_names[theme] in status(page)
    in_theme = {"/" + p["url"] for p in papers if theme in p["themes"]}
    assert search(page, COMMON) >= 1
    assert set(all_result_paths(page)) <= in_theme


def test_a_filter_without_words_fetches_no_index_chunk(watch, site_url, theme_names):
    watched = watch()
    page = watched.visit(site_url + "/")
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    open_search(page)
    wait_for_filters(page)
    page.locator("select[data-filter=theme]").select_option(theme_names["vision"])
    page.locator("select[data-filter=year]").select_option(index=1)
    page.wait_for_load_state("networkidle")
    assert "Type a word" in status(page)
    assert page.locator(".paper-search__result").count() == 0
    assert [url for url in fetched if "/pagefind/index/" in url or "/pagefind/fragment/" in url] == []


# --- keyboard and URL -------------------------------------------------------------------


def test_the_keyboard_focuses_moves_opens_and_closes(watch, site_url, papers):
    word, paper = title_word_cases(papers, 1)[0]
    watched = watch()
    page = watched.visit(site_url + "/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.matches('input.paper-search__input')")
    page.keyboard.type(COMMON, delay=20)
    matches(page, COMMON)
    items = page.locator(".paper-search__result")
    for key, selected in (("ArrowDown", 0), ("ArrowDown", 1), ("ArrowUp", 0)):
        page.keyboard.press(key)
        assert items.evaluate_all("items => items.map(i => i.getAttribute('aria-selected'))")[:2] == [
            "true" if i == selected else "false" for i in range(2)], key
    page.keyboard.press("Escape")
    assert page.locator(".paper-search__panel").is_hidden()

    page.keyboard.press("s")
    assert page.evaluate("document.activeElement.matches('input.paper-search__input')")
    page.locator(BOX).fill("")
    page.keyboard.type(word, delay=20)
    matches(page, word)
    page.keyboard.press("ArrowDown")
    with page.expect_navigation(wait_until="networkidle"):
        page.keyboard.press("Enter")
    assert page.url == f"{site_url}/{paper['url']}"
    assert page.locator("h1#paper-title").inner_text() == paper["title"]


def test_a_search_url_reopens_the_search(watch, site_url, papers, theme_names):
    word, paper = title_word_cases(papers, 1)[0]
    page = watch().visit(site_url + "/about/")
    search(page, word)
    assert page.url == f"{site_url}/about/?q={word}"
    reopened = watch().visit(page.url)
    assert matches(reopened, word) >= 1
    assert reopened.locator(BOX).input_value() == word
    assert result_paths(reopened)[0] == "/" + paper["url"]

    theme = theme_names[paper["themes"][0]]
    filtered = watch().visit(f"{site_url}/?q={COMMON}&theme={theme}")
    found = matches(filtered, COMMON)
    assert filtered.locator("select[data-filter=theme]").input_value() == theme
    assert found == option_counts(filtered, "theme")[theme]


# --- looks ----------------------------------------------------------------------------


@pytest.mark.parametrize("viewport, at_least", [("desktop", 5), ("phone", 3)])
def test_enough_results_fit_the_screen(watch, site_url, screenshot_dir, viewport, at_least):
    size = VIEWPORTS[viewport]
    page = watch(viewport).visit(site_url + "/")
    assert search(page, COMMON) >= 10
    boxes = page.locator(".paper-search__result").evaluate_all(
        "items => items.map(i => i.getBoundingClientRect()).map(r => [r.top, r.bottom])")
    whole = [top for top, bottom in boxes if top >= 0 and bottom <= size["height"]]
    assert len(whole) >= at_least, boxes
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= size["width"]
    page.screenshot(path=screenshot_dir / f"search-{viewport}.png", animations="disabled")
    assert png_size(screenshot_dir / f"search-{viewport}.png") == (size["width"], size["height"])


def test_on_a_phone_the_icon_opens_the_search_and_the_arrow_closes_it(watch, site_url):
    page = watch("phone").visit(site_url + "/")
    assert page.locator(BOX).is_hidden()
    assert search(page, COMMON) >= 1  # opened by the header's icon
    page.locator(".paper-search__close").click()
    assert page.locator(".paper-search__panel").is_hidden()
    assert page.locator(BOX).is_hidden() and page.locator(".paper-search__open").is_visible()


def test_the_results_follow_the_light_and_dark_schemes(watch, site_url, built_site):
    page = watch().visit(site_url + "/")
    # Material's palette stylesheet defines the schemes' colours (the site
    # loads it once mkdocs.yml sets theme.palette).
    palette = next((built_site / "assets" / "stylesheets").glob("palette.*.min.css")).name
    page.add_style_tag(url=f"{site_url}/assets/stylesheets/{palette}")
    search(page, COMMON)
    colours = {}
    for scheme in ("default", "slate"):
        page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
        colours[scheme] = page.evaluate("""() => [
            getComputedStyle(document.querySelector('.paper-search__panel')).backgroundColor,
            getComputedStyle(document.body).backgroundColor,
            getComputedStyle(document.querySelector('.paper-search__excerpt')).color,
            getComputedStyle(document.body).color]""")
    for scheme, (panel, body, text, body_text) in colours.items():
        assert (panel, text) == (body, body_text), scheme
    assert colours["default"][0] != colours["slate"][0]


def test_search_works_under_a_sub_path(watch, built_site, tmp_path, papers):
    word, paper = title_word_cases(papers, 1)[0]
    (tmp_path / "repo").symlink_to(built_site, target_is_directory=True)
    with serve(tmp_path) as url:
        watched = watch()
        page = watched.visit(url + "/repo/themes/")
        assert search(page, word) >= 1
        assert result_paths(page)[0] == f"/repo/{paper['url']}"
        watched.follow(page.locator("a.paper-search__link").first)
        assert page.url == f"{url}/repo/{paper['url']}"


def test_the_404_page_searches_too(watch, site_url, papers):
    # Its links are absolute ("/"), not relative like every other page's.
    word, paper = title_word_cases(papers, 1)[0]
    page = watch().visit(site_url + "/404.html")
    assert search(page, word) >= 1
    assert result_paths(page)[0] == "/" + paper["url"]


# --- hostile text and a hidden paper ---------------------------------------------------


@pytest.fixture(scope="module")
def small_site(tmp_path_factory):
    """The hostile papers, plus twins of one of them: visible (Wombatgram) and hidden
    (Quokkagram); served; yields (url, papers by id)."""
    from digest import yamlio
    from digest.model import PAPER_FIELDS
    from digest.site import build_site

    root = tmp_path_factory.mktemp("search")
    content = root / "content"
    shutil.copytree(CONTENT / "schema", content / "schema")
    shutil.copy(CONTENT / "themes.yml", content / "themes.yml")
    shutil.copytree(HOSTILE_PAPERS, content / "papers")
    seeds = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
             for p in sorted((content / "papers").glob("*.yaml"))}
    model = seeds["plain-neighbour-paper-about-transformers"]
    for marker, hidden in ((SHOWN, False), (HIDDEN, True)):
        fields = {**model, "id": f"twin-{marker.lower()}", "title": f"{model['title']} {marker}",
                  "hidden": hidden}
        (content / "papers" / f"{fields['id']}.yaml").write_text(
            yamlio.dump_paper({k: fields[k] for k in PAPER_FIELDS if k in fields}), encoding="utf-8")
    build_site(content, root / "site", progress=False)
    with serve(root / "site") as url:
        yield url, seeds


def test_a_hidden_paper_is_not_found(watch, small_site):
    url, _ = small_site
    page = watch().visit(url + "/")
    assert search(page, SHOWN) == 1
    assert result_paths(page) == [f"/papers/twin-{SHOWN.lower()}/"]
    assert search(page, HIDDEN) == 0


def test_hostile_text_shows_as_text_in_results_and_runs_nothing(watch, small_site):
    url, seeds = small_site
    paper = seeds[HOSTILE_ID]
    assert "<script>alert(1)</script>" in paper["abstract"] and "<b>bold</b>" in paper["title"]
    watched = watch()
    page = watched.visit(url + "/")
    for word in (HOSTILE_WORD, "alert", "bold"):  # "alert" follows <script>, "bold" <b>
        assert search(page, word) >= 1, word
        item = page.locator(".paper-search__result").first
        assert result_paths(page)[0] == f"/papers/{HOSTILE_ID}/", word
        assert item.locator(".paper-search__title").inner_text() == paper["title"]
        assert item.locator("script, img, b").count() == 0, word
        if word == "alert":
            excerpt = item.locator(".paper-search__excerpt").inner_text()
            assert "<script>alert(1)</script>" in excerpt, excerpt
            marks = item.locator(".paper-search__excerpt mark").all_inner_texts()
            assert marks and all("alert" in mark for mark in marks), marks
    page.wait_for_timeout(200)  # room for a late onerror or timer to fire
    assert watched.dialogs == []
