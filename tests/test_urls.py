from datetime import date

import pytest

from digest import urls
from digest.model import DigestError


def test_page_urls_are_derived_from_ids_alone():
    assert urls.paper_url("deep-nets") == "papers/deep-nets/"
    assert urls.theme_url("llm") == "themes/llm/"
    assert urls.year_url(2025) == "archive/2025/"
    assert urls.theme_feed_url("llm") == "feeds/themes/llm.xml"
    assert urls.month_anchor(2025, 3) == "month-2025-03"
    assert urls.month_url(2025, 3) == "archive/2025/03/"
    assert urls.day_url(date(2025, 3, 7)) == "days/2025-03-07/"
    assert urls.theme_bib_url("llm") == "themes/llm/papers.bib"


def test_a_long_lists_first_page_is_the_list_itself():
    assert urls.page_url("themes/llm/", 1) == "themes/llm/"
    assert urls.page_url("themes/llm/", 3) == "themes/llm/page/3/"
    assert urls.source_path(urls.page_url("days/2025-03-07/", 2)) == "days/2025-03-07/page/2.md"


@pytest.mark.parametrize("url, root", [
    ("", ""), ("about/", "../"), ("papers/x/", "../../"), ("themes/llm/page/2/", "../../../../"),
    ("feeds/themes/llm.xml", "../../"), ("index.md", ""), ("themes/llm.md", "../"),
    ("papers/index/index.md", "../../"),
])
def test_the_way_to_the_root_depends_on_the_depth_alone(url, root):
    assert urls.to_root(url) == root


def test_an_id_that_would_escape_its_folder_is_refused():
    with pytest.raises(DigestError) as caught:
        urls.paper_url("../etc")
    assert str(caught.value) == (
        "paper id: expected lowercase letters, digits, '-' or '_', got '../etc'")


def test_source_paths_give_mkdocs_the_same_urls():
    assert urls.source_path(urls.HOME) == "index.md"
    assert urls.source_path(urls.THEMES) == "themes/index.md"
    assert urls.source_path(urls.ARCHIVE) == "archive/index.md"
    assert urls.source_path(urls.ABOUT) == "about.md"
    assert urls.source_path("papers/deep-nets/") == "papers/deep-nets.md"
    assert urls.source_path("archive/2025/") == "archive/2025.md"
    assert urls.source_path("archive/2025/03/") == "archive/2025/03.md"


def test_ids_mkdocs_reads_as_an_index_page_get_their_own_folder():
    assert urls.source_path(urls.paper_url("index")) == "papers/index/index.md"
    assert urls.source_path(urls.paper_url("readme")) == "papers/readme/index.md"


@pytest.mark.parametrize("url", [urls.HOME, urls.THEMES, urls.ABOUT, "papers/deep-nets/", "papers/index/",
                                 "papers/readme/", "archive/2025/03/", "days/2025-03-07/page/2/"])
def test_the_url_of_a_pages_source_is_the_pages_url(url):
    assert urls.url_of_source(urls.source_path(url)) == url


def test_paper_urls_are_told_from_other_pages():
    assert urls.is_paper_url(urls.paper_url("index")) and urls.is_paper_url("papers/deep-nets/")
    assert not any(map(urls.is_paper_url, (urls.HOME, urls.THEMES, "papers/", "papers/a/page/2/",
                                            urls.PAPERS_JSON, "themes/llm/")))


@pytest.mark.parametrize("start, target, href", [
    ("papers/a/", "papers/b/", "../b/"),
    ("papers/a/", "papers/a/", "./"),
    ("papers/a/", "", "../../"),
    ("", "papers/b/", "papers/b/"),
    ("", "", "./"),
    ("archive/", "archive/2025/", "2025/"),
    ("themes/llm/", "themes/llm/#month-2025-03", "./#month-2025-03"),
    ("about/", "papers.json", "../papers.json"),
    ("feeds/latest.xml", "feeds/latest.xml", "latest.xml"),
    ("feeds/themes/llm.xml", "themes/llm/", "../../themes/llm/"),
])
def test_relative_links_resolve_like_a_browser(start, target, href):
    assert urls.relative(start, target) == href


@pytest.mark.parametrize("start, target, link", [
    ("", "papers/b/", "papers/b.md"),
    ("themes/llm/", "papers/b/", "../papers/b.md"),
    ("papers/a/", "papers/b/", "b.md"),
    ("papers/index/", "papers/b/", "../b.md"),
    ("papers/b/", "papers/index/", "index/index.md"),
    ("themes/llm/page/2/", "themes/llm/", "../../llm.md"),
    ("days/2025-10-14/", "days/2025-10-14/page/2/", "2025-10-14/page/2.md"),
    ("archive/", "archive/2025/", "2025.md"),
    ("about/", "themes/", "themes/index.md"),
    ("about/", "", "index.md"),
    ("about/", "papers.json", "papers.json"),
    ("themes/llm/", "themes/llm/papers.bib", "llm/papers.bib"),
    ("themes/llm/", "feeds/themes/llm.xml", "../feeds/themes/llm.xml"),
    ("archive/2025/", "themes/llm/#month-2025-03", "../themes/llm.md#month-2025-03"),
])
def test_links_lead_from_source_file_to_source_file(start, target, link):
    assert urls.link(start, target) == link


def test_a_file_is_its_own_source():
    assert urls.source_file(urls.LATEST_FEED) == "feeds/latest.xml"
    assert urls.source_file(urls.theme_bib_url("llm")) == "themes/llm/papers.bib"
    assert urls.source_file(urls.HOME) == "index.md"
    assert urls.source_file(urls.paper_url("x")) == "papers/x.md"
