"""Crawl the built site: every internal link and anchor must resolve, and every
page must be reachable from the home page by following links."""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

EXTERNAL_SCHEMES = ("http", "https", "mailto", "tel", "data", "javascript")
LINK_ATTRIBUTES = {"a": "href", "area": "href", "link": "href",
                   "script": "src", "img": "src", "source": "src", "iframe": "src"}


class _PageParser(HTMLParser):
    """The links and anchor targets of one page (HTML, or an Atom feed's <link>s)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(key):
                self.ids.add(attrs[key])
        value = attrs.get(LINK_ATTRIBUTES.get(tag, ""))
        if value is not None:
            self.links.append(value)


def parse_page(path: Path) -> _PageParser:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def resolve(site: Path, page: Path, link: str) -> tuple[Path, str] | None:
    """The file and fragment an internal link points to; None for external links."""
    target, fragment = urldefrag(link)
    if urlsplit(target).scheme in EXTERNAL_SCHEMES or target.startswith("//"):
        return None
    if not target:
        return page, unquote(fragment)
    path = unquote(urlsplit(target).path)
    # A path from the root ("/assets/...") is the site's root: it is served at /.
    base = site if path.startswith("/") else page.parent
    resolved = (base / path.lstrip("/")).resolve()
    if path.endswith("/") or resolved.is_dir():  # a folder is served as its index.html
        resolved = resolved / "index.html"
    return resolved, unquote(fragment)


def site_pages(site: Path) -> list[Path]:
    """Every file of the site that holds links: HTML pages and XML (feeds, sitemap)."""
    return sorted(p.resolve() for pattern in ("*.html", "*.xml") for p in site.rglob(pattern))


def broken_links(site: Path) -> list[str]:
    """`page: link -> problem` for every link of the site to a missing file or anchor."""
    site = site.resolve()
    pages = {page: parse_page(page) for page in site_pages(site)}
    broken = []
    for page, parsed in pages.items():
        for link in parsed.links:
            found = resolve(site, page, link)
            if found is None:
                continue
            target, fragment = found
            name = page.relative_to(site)
            if not target.is_relative_to(site):
                broken.append(f"{name}: {link} -> outside the site")
            elif not target.is_file():
                broken.append(f"{name}: {link} -> missing {target.relative_to(site)}")
            elif fragment and target in pages and fragment not in pages[target].ids:
                broken.append(f"{name}: {link} -> no anchor #{fragment}")
    return broken


def reachable(site: Path, start: str = "index.html") -> set[Path]:
    """The HTML pages a reader can reach from `start` by following links."""
    site = site.resolve()
    first = site / start
    seen = {first}
    queue = deque([first])
    while queue:
        page = queue.popleft()
        for link in parse_page(page).links:
            found = resolve(site, page, link)
            if found is None:
                continue
            target = found[0]
            if target.suffix == ".html" and target.is_file() and target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_crawler_reports_missing_pages_files_and_anchors(tmp_path):
    site = write(tmp_path / "site", {
        "index.html": (
            '<a href="a/">ok</a><a href="a/#x">ok</a><a href="a/index.html#y">ok: name</a>'
            '<a href="/a/?q=1#x">ok: from the root, with a query</a><a href="caf%C3%A9/">ok: encoded</a>'
            '<a href="#top" id="top">ok: here</a><a href="https://example.org/">external</a>'
            '<a href="mailto:a@example.org">external</a><link rel="stylesheet" href="style.css">'
            '<a href="b/">bad</a><a href="#nope">bad</a><img src="img.png"><a href="empty/">bad</a>'
            '<a href="../../outside.html">bad</a>'),
        "style.css": "",
        "a/index.html": ('<h2 id="x">x</h2><a name="y"></a><a href="../">up</a>'
                         '<script src="../app.js"></script>'),
        "café/index.html": "<p>accents</p>",
        "empty/readme.txt": "a folder without index.html",
        "feeds/latest.xml": '<feed><link rel="alternate" href="../a/"/><link href="../gone/"/></feed>',
    })
    assert broken_links(site) == [
        "a/index.html: ../app.js -> missing app.js",
        "feeds/latest.xml: ../gone/ -> missing gone/index.html",
        "index.html: b/ -> missing b/index.html",
        "index.html: #nope -> no anchor #nope",
        "index.html: img.png -> missing img.png",
        "index.html: empty/ -> missing empty/index.html",
        "index.html: ../../outside.html -> outside the site",
    ]


def test_crawler_reaches_linked_pages_only(tmp_path):
    site = write(tmp_path / "site", {
        "index.html": '<a href="a/">a</a><a href="https://example.org/b/">external</a>',
        "a/index.html": '<a href="../b/deep.html#x">b</a><a href="../">home</a>',
        "b/deep.html": '<p id="x">deep</p>',
        "orphan/index.html": '<a href="../">home</a>',
    })
    assert {p.relative_to(site.resolve()).as_posix() for p in reachable(site)} == {
        "index.html", "a/index.html", "b/deep.html"}


def test_built_site_has_no_broken_internal_links(built_site):
    pages = list(built_site.rglob("*.html"))
    assert len(pages) > 365  # every paper page plus home, themes, archive, about
    assert broken_links(built_site) == []


def test_every_page_of_the_built_site_is_reachable_from_home(built_site):
    pages = {p.resolve() for p in built_site.rglob("*.html")} - {(built_site / "404.html").resolve()}
    unreached = pages - reachable(built_site)
    assert sorted(str(p.relative_to(built_site.resolve())) for p in unreached) == []
