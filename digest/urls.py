"""Every output path and URL of the site, in one place.

A page URL is site-relative and ends in `/` (the home page is ""). Links
between pages are Markdown links to the target's source file, relative to the
linking page's source file (`link`): MkDocs (strict) checks each one and
writes the relative URL, and any generator that reads the same Markdown
folder resolves them the same way. So the site works under any mount path.
"""

from __future__ import annotations

import re
from datetime import date

from .model import DigestError

HOME = ""
THEMES = "themes/"
ARCHIVE = "archive/"
ABOUT = "about/"
PAPERS_JSON = "papers.json"
PAPERS_BIB = "papers.bib"
LATEST_FEED = "feeds/latest.xml"

PAPER = "papers/{id}/"
THEME = "themes/{id}/"
THEME_BIB = "themes/{id}/papers.bib"
YEAR = "archive/{year}/"
MONTH = "archive/{year:04d}/{month:02d}/"
DAY = "days/{day}/"
PAGE = "{url}page/{number}/"  # the second and later pages of a long list
THEME_FEED = "feeds/themes/{id}.xml"
MONTH_ANCHOR = "month-{year:04d}-{month:02d}"

# What a path segment built from an id may contain; anything else would
# escape its folder or need quoting in a URL.
_SEGMENT = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _segment(value: str, what: str) -> str:
    if not _SEGMENT.match(value):
        raise DigestError(f"{what}: expected lowercase letters, digits, '-' or '_', got {value!r}")
    return value


def paper_url(paper_id: str) -> str:
    """The permanent URL of a paper's page, derived from its id alone."""
    return PAPER.format(id=_segment(paper_id, "paper id"))


def theme_url(theme_id: str) -> str:
    return THEME.format(id=_segment(theme_id, "theme id"))


def theme_bib_url(theme_id: str) -> str:
    return THEME_BIB.format(id=_segment(theme_id, "theme id"))


def year_url(year: int) -> str:
    return YEAR.format(year=year)


def month_url(year: int, month: int) -> str:
    return MONTH.format(year=year, month=month)


def day_url(day: date) -> str:
    return DAY.format(day=day.isoformat())


def page_url(url: str, number: int) -> str:
    """Page `number` (from 1) of the long list at `url`: the first page is `url` itself."""
    return url if number == 1 else PAGE.format(url=url, number=number)


def to_root(path: str) -> str:
    """The prefix that leads from the file at `path` (or the page URL) to the root ("" from "index.md").

    Links made with it are the same on every page at one depth, so a piece of
    a page (a paper's card) is rendered once per depth, not once per page.
    """
    return "../" * path.count("/")  # "themes/llm.md" is one folder down, "feeds/a/b.xml" two


def month_anchor(year: int, month: int) -> str:
    """The id of a month's section on theme and year pages."""
    return MONTH_ANCHOR.format(year=year, month=month)


def theme_feed_url(theme_id: str) -> str:
    return THEME_FEED.format(id=_segment(theme_id, "theme id"))


# Pages with pages below them; MkDocs serves `<folder>/index.md` at `<folder>/`.
SECTIONS = frozenset({HOME, THEMES, ARCHIVE})
# Names MkDocs treats as a folder's index page wherever they are.
_INDEX_NAMES = frozenset({"index", "readme"})


def source_path(url: str) -> str:
    """The Markdown file (relative to the docs folder) that MkDocs turns into `url`.

    `papers/x/` comes from `papers/x.md` (one folder for 10,000 papers, not
    10,000 folders), except where MkDocs would read that name as an index:
    a paper whose id is `index` gets `papers/index/index.md`, so its URL is
    still `papers/index/`.
    """
    name = url.rstrip("/").rpartition("/")[2]
    if url in SECTIONS or name.lower() in _INDEX_NAMES:
        return f"{url}index.md"
    return f"{url[:-1]}.md"


def url_of_source(path: str) -> str:
    """The URL of the page MkDocs builds from the Markdown file `path`: the
    inverse of source_path (`papers/x.md` and `papers/index/index.md` both
    give their paper's URL)."""
    stem = path[:-len(".md")]
    folder, _, name = stem.rpartition("/")
    if name.lower() in _INDEX_NAMES:
        return f"{folder}/" if folder else HOME
    return f"{stem}/"


def is_paper_url(url: str) -> bool:
    """Whether `url` is a paper's page (PAPER with some id), not another page under it."""
    prefix = PAPER.partition("{")[0]
    paper_id = url[len(prefix):-1]
    return url.startswith(prefix) and url.endswith("/") and bool(paper_id) and "/" not in paper_id


def source_file(url: str) -> str:
    """The file of the docs folder that `url` is made from: a page's Markdown
    source, or the file itself (a feed, papers.bib, papers.json)."""
    return url if url.rpartition("/")[2] else source_path(url)


def link(from_url: str, to_url: str) -> str:
    """The Markdown link target from the page at `from_url` to the page or file at
    `to_url`: the target's source file, relative to the linking page's source file."""
    target, mark, anchor = to_url.partition("#")
    return relative(source_path(from_url), source_file(target) + mark + anchor)


def relative(from_url: str, to_url: str) -> str:
    """The href that leads from the page or file at `from_url` to `to_url`.

    A page URL is a folder ("papers/x/"); a file URL ("feeds/latest.xml") is
    resolved from the folder holding it, as a browser would. Both are
    normalised site-relative URLs as made here (no "." or ".." segments).
    """
    folder = from_url.split("/")[:-1]  # "papers/x/" -> [papers, x]; "feeds/a.xml" -> [feeds]
    target, _, anchor = to_url.partition("#")
    parts = target.split("/")  # the last part is a file name, or "" for a page
    common = 0
    while common < len(folder) and common < len(parts) - 1 and folder[common] == parts[common]:
        common += 1
    path = "../" * (len(folder) - common) + "/".join(parts[common:]) or "./"
    return f"{path}#{anchor}" if anchor else path
