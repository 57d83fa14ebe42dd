"""Page planning: view objects for the templates, and the one place text is escaped.

Templates in site_templates/ are Jinja with StrictUndefined. Every `{{ }}` in
them goes through `escape_text` (the environment's finalize hook) unless the
value is `Markup` this module made: a link target, a front-matter string or a
curator's note rendered here. So a title or abstract always reaches the page
as text: its HTML, Markdown and template syntax are never interpreted, by
Markdown or by the browser.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import jinja2
import markdown
import yaml
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString
from markupsafe import Markup

from . import urls
from .bibtex import bibtex_entry
from .grouping import MONTH_NAMES, DayGroup, Groups, Month, MonthGroup, YearGroup, in_pages
from .model import Paper, Theme
from .outbound import URL_PATTERN, is_web_url, outbound_links, split_urls, trim_url

SITE_NAME = "Paper Digest"
CARDS_PER_PAGE = 100  # no list page holds more cards than this
SNIPPET_CHARS = 200  # of the abstract on a card
CARD_THEMES = 3
CARD_AUTHORS = 3
PAGE_AUTHORS = 10  # names on a paper page before "et al."
EARLIER_DAYS_ON_HOME = 5
NEWER_DAYS_ON_HOME = 7  # days newer than the latest listing day, linked above it
CARDS_PER_EARLIER_DAY = 5

# --- escaping: the only place page text is escaped --------------------------

# HTML's five, then every character Markdown (with the extensions MkDocs and
# Material might enable) gives a meaning to, as numeric character references:
# Markdown leaves a reference alone and the browser shows the character.
# Line breaks become references too, so a value never starts a Markdown line;
# so do tabs, which Python-Markdown expands to spaces even inside raw HTML;
# STX/ETX are Python-Markdown's placeholder delimiters. `&` goes first and `#`
# second: the later replacements contain both.
_TEXT_ESCAPES = (
    ("&", "&amp;"), ("#", "&#35;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#39;"),
    *((c, f"&#{ord(c)};") for c in "\\`*_{}[]()+-.!|$~^=:\t\n\r\x02\x03"),
)
# What YAML cannot hold between double quotes without a backslash escape, once
# escape_text has run (it leaves non-ASCII text alone). U+2028 and U+2029 are
# line breaks to YAML 1.1, which would drop the spaces around them.
_YAML_UNSAFE = re.compile(
    "[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)


_SPECIAL = re.compile("[" + re.escape("".join(char for char, _ in _TEXT_ESCAPES)) + "]")


def escape_text(value: object) -> str:
    """Text made safe for anywhere in a generated page: raw HTML, Markdown, attributes."""
    text = str(value)
    if _SPECIAL.search(text) is None:
        return text
    # A chain of str.replace is several times faster than str.translate
    # (10,000 pages call this 200,000 times).
    for char, reference in _TEXT_ESCAPES:
        if char in text:
            text = text.replace(char, reference)
    return text


def _finalize(value: object) -> str:
    if isinstance(value, Markup):
        return str(value)
    return escape_text(value)


def yaml_string(value: object) -> Markup:
    """A front-matter scalar holding the escaped text (MkDocs themes print it as HTML)."""
    text = str(value) if isinstance(value, Markup) else escape_text(value)
    if _YAML_UNSAFE.search(text) is None:
        return Markup(f'"{text}"')  # no `"`, `\\` or line break left to escape
    dumped = yaml.safe_dump(text, default_style='"', allow_unicode=True, width=float("inf"))
    return Markup(dumped.rstrip("\n"))


def make_environment(templates_dir: Path) -> jinja2.Environment:
    """The Jinja environment for site_templates/: strict, and escaping every value."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        undefined=jinja2.StrictUndefined,
        # finalize escapes every value, for Markdown as well as HTML. Shared
        # pieces are includes, not macros: an include's output is not a value,
        # so it is not escaped a second time.
        autoescape=False,
        finalize=_finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["yaml"] = yaml_string
    env.filters["papers"] = lambda count: f"{count} paper" if count == 1 else f"{count} papers"
    return env


# --- curator notes: the one field rendered as Markdown ----------------------

_SAFE_SCHEMES = ("", "http", "https", "mailto")
_STX, _ETX = "\x02", "\x03"  # Python-Markdown's placeholder delimiters
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")  # browsers ignore these inside a scheme
# Links into the wider web from text the digest did not write: no endorsement
# for search engines, and no window.opener for the page opened.
LINK_REL = "nofollow noopener"


def _safe_url(url: str) -> bool:
    """Whether a note's link may keep its URL: its scheme as the browser will read it."""
    # Python-Markdown writes character references in a URL through to the
    # attribute (`&#106;avascript:` is `javascript:` to the browser), and keeps
    # `&` as a placeholder until after the tree processors: decode both first.
    decoded = html.unescape(url.replace(f"{_STX}amp{_ETX}", "&"))
    try:
        scheme = urlsplit(_URL_NOISE.sub("", decoded)).scheme.lower()
    except ValueError:
        return False
    return scheme in _SAFE_SCHEMES


class _NoteSafety(Treeprocessor):
    """Keeps notes below the page's own headings, drops links to scripts and
    marks links out as such."""

    def run(self, root: ElementTree.Element) -> None:
        for element in root.iter():
            if element.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                element.tag = f"h{min(int(element.tag[1]) + 2, 6)}"
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None and not _safe_url(value):
                    del element.attrib[attribute]
            if element.tag == "a" and element.get("href"):
                element.set("rel", LINK_REL)


class _BareUrl(InlineProcessor):
    """An http(s) URL written out in a note becomes a link, as in an abstract."""

    def handleMatch(self, match, data):
        url = trim_url(match.group(0))
        if not is_web_url(url):
            return None, None, None
        link = ElementTree.Element("a", {"href": url})
        link.text = AtomicString(url)
        return link, match.start(0), match.start(0) + len(url)


def _note_markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=[], output_format="html")
    # No raw HTML: a `<script>` in a note is shown as text, not run.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    # After <autolinks>, before emphasis: `_` and `*` inside a URL stay in it.
    md.inlinePatterns.register(_BareUrl(URL_PATTERN, md), "bare_url", 115)
    md.treeprocessors.register(_NoteSafety(md), "note_safety", 0)
    return md


_NOTES = _note_markdown()


def render_note(text: str) -> Markup:
    """A curator's note as HTML: Markdown formatting, but no raw HTML and no script links."""
    html = _NOTES.reset().convert(text)
    # Python-Markdown emits its own placeholders as STX/ETX; none should remain,
    # and a literal one in the note must not reach the page.
    return Markup(html.replace("\x02", "").replace("\x03", ""))


def linked_text(text: str) -> Markup:
    """Text escaped as `escape_text` does, with its http(s) URLs as links (rel nofollow noopener).

    Anything else that looks like a link (`javascript:`, `data:`, `www.`) stays text.
    """
    parts = []
    for piece, is_url in split_urls(text):
        escaped = escape_text(piece)
        parts.append(f'<a href="{escaped}" rel="{LINK_REL}">{escaped}</a>' if is_url else escaped)
    return Markup("".join(parts))


# --- dates --------------------------------------------------------------------

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# What each kind of date is called on a page: a paper known only by the day it
# was ingested says so, rather than seeming to be published then.
KIND_LABELS = {"listed": "listed", "published": "published", "added": "added to the digest"}


def day_label(day: date) -> str:
    """A date for display, the same in every locale: 13 Oct 2025."""
    return f"{day.day} {MONTH_NAMES[day.month - 1][:3]} {day.year}"


def weekday_label(day: date) -> str:
    """A day page's name: Mon 13 Oct 2025."""
    return f"{DAY_NAMES[day.weekday()]} {day_label(day)}"


def date_label(paper: Paper) -> str:
    """The paper's date with what it is: 'listed 13 Oct 2025', 'added to the digest 26 Jan 2026'."""
    return f"{KIND_LABELS[paper.date_kind]} {day_label(paper.date)}"


def all_dates(paper: Paper) -> tuple[str, ...]:
    """Every date the sources give, the paper's own date first."""
    known = [("listed", paper.listed), ("published", paper.published), ("added", paper.added)]
    rest = [f"{KIND_LABELS[kind]} {day_label(day)}" for kind, day in known
            if day is not None and kind != paper.date_kind]
    return (date_label(paper), *rest)


# --- facts, as a reader reads them ------------------------------------------------


def author_line(paper: Paper, shown: int) -> str:
    """The first `shown` names, then "et al." with the count; a bare count when names are unknown."""
    names, count = paper.authors, paper.author_count
    if names:
        if len(names) <= shown:
            return ", ".join(names)
        return f"{', '.join(names[:shown])} et al. ({count or len(names)} authors)"
    if count:
        return "1 author" if count == 1 else f"{count} authors"
    return ""


def organization_name(paper: Paper) -> str | None:
    """The organisation's display name. A copied Daily Papers page writes its
    organisation line as `<handle> <name>` ("zai-org Z.ai", "MIT Massachusetts
    Institute of Technology"); the API, and so a paper with an API source, gives the name."""
    name = paper.organization
    if not name or any(not source.endswith(".txt") for source in paper.sources):
        return name
    handle, _, rest = name.partition(" ")
    return rest.strip() or handle


_DATED_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DUMP_SUFFIXES = (".txt", ".json")


def source_label(source: str) -> str:
    """A source as a reader names it: 'Daily Papers, 26 Jan 2026' for a dump of a
    dated listing, 'Daily Papers' for a page copy without a date, else as written."""
    if not source.endswith(_DUMP_SUFFIXES):
        return source  # a curator's label such as "manual"
    found = _DATED_NAME.search(source)
    if found:
        try:
            return f"Daily Papers, {day_label(date(*map(int, found.groups())))}"
        except ValueError:
            pass
    return "Daily Papers"


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The abstract's first `limit` characters or so, ending at a word, with an ellipsis if cut."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit + 1].rsplit(" ", 1)[0] if " " in flat[:limit + 1] else flat[:limit]
    return cut.rstrip(",;:.-–— ") + "…"


# --- view objects ---------------------------------------------------------------


@dataclass(frozen=True)
class PaperLink:
    """A paper as linked from another page (related papers)."""

    title: Markup  # escaped once per paper: a title appears on many pages
    href: Markup
    date: str


@dataclass(frozen=True)
class Chip:
    name: str
    href: Markup


@dataclass(frozen=True)
class CardView:
    """A paper as a list shows it: enough to decide whether to open it."""

    title: Markup
    href: Markup
    date: str
    themes: tuple[Chip, ...]
    upvotes: int | None
    people: str  # first authors, else the organisation, else ""
    snippet: str


@dataclass(frozen=True)
class ThemeLink:
    name: str
    href: Markup
    description: str
    count: int
    feed: Markup
    matched: tuple[str, ...] = ()  # phrases that filed the paper here automatically


@dataclass(frozen=True)
class Link:
    label: str
    href: Markup
    count: int = 0


@dataclass(frozen=True)
class Section:
    """A run of cards under a heading (a month, a day), with a link to all of them when cut."""

    label: str
    anchor: Markup
    cards: tuple[Markup, ...]
    more: Link | None = None


@dataclass(frozen=True)
class Pager:
    """Links between the pages of one long list."""

    number: int
    pages: tuple[Link, ...]  # label is the page number
    newer: Markup | None
    older: Markup | None


@dataclass(frozen=True)
class SourceView:
    label: str
    name: str  # the file name, for the tooltip


@dataclass(frozen=True)
class PaperView:
    """Everything the paper page shows, as text ready for the template; "" or None is left out."""

    title: str
    abstract: Markup
    dates: tuple[str, ...]  # the paper's date first
    day: Link  # the day page it is listed on
    links: tuple[Link, ...]  # links out; label is what they are
    authors: str
    authors_named: bool  # names, searched; a bare count is not
    organization: str | None
    upvotes: int | None
    themes: tuple[ThemeLink, ...]
    origin: str  # "curated" | "auto"
    unsorted: bool
    note: Markup | None
    tags: tuple[str, ...]
    sources: tuple[SourceView, ...]
    bibtex: str | None


@dataclass(frozen=True)
class Output:
    """One file of the generated docs folder."""

    path: str  # relative to the docs folder, POSIX
    data: bytes


@dataclass(frozen=True)
class SiteModel:
    """What the pages are made of: read, resolved and grouped before any page is rendered."""

    groups: Groups
    themes: tuple[Theme, ...]  # taxonomy order, Unsorted last
    origins: Mapping[str, str]  # paper id -> "curated" | "auto"
    reasons: Mapping[str, Mapping[str, tuple[str, ...]]]  # paper id -> theme id -> phrases
    themes_of: Mapping[str, tuple[str, ...]]  # paper id -> resolved theme ids
    related: Mapping[str, tuple[str, ...]]  # paper id -> related paper ids
    unsorted_id: str
    # theme id -> the Unsorted papers whose best-scoring theme it is, best first
    nearest: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


# Where a card's links lead up to the docs folder's root from the linking page's
# source file, until that page's depth is known.
ROOT = "{root}"
# Said to readers on the Unsorted theme's pages; the taxonomy's own text is for curators.
UNSORTED_DESCRIPTION = "Papers that none of the themes fits yet."


class _Page:
    """Builds the links of one page: Markdown link targets, the source files of the
    pages linked, relative to this page's source file (urls.link)."""

    def __init__(self, planner: Planner, url: str):
        self.model = planner.model
        self.planner = planner
        self.url = url
        self.root = urls.to_root(urls.source_path(url))
        self.themes_by_id = planner.themes_by_id

    def href(self, target: str) -> Markup:
        return Markup(urls.link(self.url, target))

    def paper_link(self, paper: Paper) -> PaperLink:
        return PaperLink(self.planner.title(paper), Markup(self.root + self.planner.source(paper)),
                         self.planner.date_label(paper))

    def cards(self, papers: Sequence[Paper]) -> tuple[Markup, ...]:
        return tuple(self.planner.card(paper, self.root) for paper in papers)

    def theme_link(self, theme_id: str, matched: tuple[str, ...] = ()) -> ThemeLink:
        theme = self.themes_by_id[theme_id]
        description = UNSORTED_DESCRIPTION if theme_id == self.model.unsorted_id else theme.description
        return ThemeLink(
            theme.name,
            self.href(urls.theme_url(theme_id)),
            description,
            len(self.model.groups.by_theme[theme_id]),
            self.href(urls.theme_feed_url(theme_id)),
            matched,
        )

    def group_link(self, group: DayGroup | MonthGroup | YearGroup) -> Link:
        """A link to a day, month or year page, named as that page's heading, with its count."""
        if isinstance(group, DayGroup):
            return Link(weekday_label(group.day), self.href(group.url), len(group.papers))
        if isinstance(group, MonthGroup):
            return Link(group.month.label, self.href(group.month.url), group.count)
        return Link(str(group.year), self.href(group.url), group.count)

    def by_month(self, papers: Sequence[Paper]) -> tuple[Section, ...]:
        """Cards under month headings; the papers are in reading order, so months are runs."""
        runs: dict[Month, list[Paper]] = {}
        for paper in papers:
            runs.setdefault(Month.of(paper.date), []).append(paper)
        return tuple(Section(month.label, Markup(month.anchor), self.cards(members))
                     for month, members in runs.items())


def paper_view(page: _Page, paper: Paper) -> PaperView:
    model = page.model
    reasons = model.reasons.get(paper.id, {})
    theme_ids = model.themes_of[paper.id]
    day = page.planner.day_of(paper)
    return PaperView(
        title=paper.title,
        abstract=linked_text(paper.abstract),
        dates=all_dates(paper),
        day=Link(f"All papers of {weekday_label(day.day)}", page.href(day.url), len(day.papers)),
        links=tuple(Link(link.label, Markup(escape_text(link.url)), 0) for link in outbound_links(paper)),
        authors=author_line(paper, PAGE_AUTHORS),
        authors_named=bool(paper.authors),
        organization=organization_name(paper),
        upvotes=paper.upvotes,
        themes=tuple(page.theme_link(t, tuple(reasons.get(t, ()))) for t in theme_ids),
        origin=model.origins[paper.id],
        unsorted=theme_ids == (model.unsorted_id,),
        note=render_note(paper.note) if paper.note else None,
        tags=paper.tags,
        sources=tuple(SourceView(source_label(s), s) for s in paper.sources),
        bibtex=bibtex_entry(paper),
    )


def latest_listing_day(days: Sequence[DayGroup]) -> int:
    """The index of the newest day with a paper listed on Daily Papers that day; 0 when
    no paper has a listing day (a library of copied pages only)."""
    return next((index for index, day in enumerate(days)
                 if any(paper.date_kind == "listed" for paper in day.papers)), 0)


def pager(page: _Page, base: str, number: int, count: int) -> Pager | None:
    """Links to every page of a list at `base` cut into `count` pages; None for one page."""
    if count <= 1:
        return None
    links = tuple(Link(str(n), page.href(urls.page_url(base, n))) for n in range(1, count + 1))
    return Pager(number, links,
                 links[number - 2].href if number > 1 else None,
                 links[number].href if number < count else None)


# --- planning ---------------------------------------------------------------------


class Planner:
    """Renders every page of a SiteModel in memory; nothing is written here."""

    def __init__(self, env: jinja2.Environment, model: SiteModel):
        self.env = env
        self.model = model
        self.themes_by_id = {theme.id: theme for theme in model.themes}
        self.papers_by_id = {paper.id: paper for paper in model.groups.papers}
        self.days = {group.day: group for group in model.groups.days}
        self._titles: dict[str, Markup] = {}
        self._cards: dict[tuple[str, str], Markup] = {}
        self._card_bodies: dict[str, str] = {}
        self._date_labels: dict[str, str] = {}
        self._sources: dict[str, str] = {}
        self._card_template = env.get_template("_card.md.j2")

    def at(self, url: str) -> _Page:
        return _Page(self, url)

    def title(self, paper: Paper) -> Markup:
        """A paper's escaped title, computed once per build."""
        found = self._titles.get(paper.id)
        if found is None:
            found = self._titles[paper.id] = Markup(escape_text(paper.title))
        return found

    def source(self, paper: Paper) -> str:
        """The source file of a paper's page, from the docs folder; computed once per build."""
        found = self._sources.get(paper.id)
        if found is None:
            found = self._sources[paper.id] = urls.source_path(urls.paper_url(paper.id))
        return found

    def day_of(self, paper: Paper) -> DayGroup:
        return self.days[paper.date]

    def card(self, paper: Paper, root: str) -> Markup:
        """A paper's card for pages `root` below the site's root.

        Rendered once per paper with ROOT where the way to the root goes, then
        completed once per depth: escaped text never holds a raw `{`, so the
        marker can only be the one the links were given.
        """
        key = (paper.id, root)
        found = self._cards.get(key)
        if found is None:
            found = self._cards[key] = Markup(self._card_html(paper).replace(ROOT, root))
        return found

    def _card_html(self, paper: Paper) -> str:
        found = self._card_bodies.get(paper.id)
        if found is None:
            people = author_line(paper, CARD_AUTHORS) if paper.authors else (organization_name(paper) or "")
            themes = self.model.themes_of[paper.id][:CARD_THEMES]
            view = CardView(
                title=self.title(paper),
                href=Markup(ROOT + self.source(paper)),
                date=self.date_label(paper),
                themes=tuple(Chip(self.themes_by_id[t].name,
                                  Markup(ROOT + urls.source_path(urls.theme_url(t))))
                             for t in themes),
                upvotes=paper.upvotes,
                people=people,
                snippet=snippet(paper.abstract),
            )
            found = self._card_bodies[paper.id] = self._card_template.render(card=view)
        return found

    def date_label(self, paper: Paper) -> str:
        """`date_label(paper)`, computed once per build: a paper is listed on many pages."""
        found = self._date_labels.get(paper.id)
        if found is None:
            found = self._date_labels[paper.id] = date_label(paper)
        return found

    def render(self, template: str, page: _Page, **context: object) -> Output:
        text = self.env.get_template(template).render(site_name=SITE_NAME, **context)
        return Output(urls.source_path(page.url), text.encode("utf-8"))

    def paged(self, template: str, base: str, papers: Sequence[Paper], *, months: bool,
              context: Callable[[_Page], dict[str, object]]) -> list[Output]:
        """One page per CARDS_PER_PAGE papers of a list at `base`: its `cards`, or with
        `months` its `sections` (cards under month headings), and `context(page)`."""
        chunks = in_pages(papers, CARDS_PER_PAGE)
        outputs = []
        for number, chunk in enumerate(chunks, start=1):
            page = self.at(urls.page_url(base, number))
            shown = {"sections": page.by_month(chunk)} if months else {"cards": page.cards(chunk)}
            outputs.append(self.render(template, page, page_number=number,
                                       pager=pager(page, base, number, len(chunks)),
                                       **shown, **context(page)))
        return outputs

    def home(self) -> Output:
        """The latest listing day in full, then the days before it; newer days whose
        papers were only added to the digest (a copied page without dates) are linked."""
        page = self.at(urls.HOME)
        days = self.model.groups.days
        start = latest_listing_day(days)
        sections = tuple(
            self.day_section(page, day, CARDS_PER_PAGE if index == 0 else CARDS_PER_EARLIER_DAY)
            for index, day in enumerate(days[start:start + 1 + EARLIER_DAYS_ON_HOME]))
        return self.render(
            "home.md.j2", page,
            sections=sections,
            newer=tuple(page.group_link(day) for day in days[:min(start, NEWER_DAYS_ON_HOME)]),
            newer_more=max(0, start - NEWER_DAYS_ON_HOME),
            themes=tuple(page.theme_link(theme.id) for theme in self.model.themes),
            totals=_totals(self.model),
            feed=page.href(urls.LATEST_FEED),
            themes_href=page.href(urls.THEMES),
            archive_href=page.href(urls.ARCHIVE),
            about_href=page.href(urls.ABOUT),
        )

    def day_section(self, page: _Page, day: DayGroup, limit: int) -> Section:
        shown = day.papers[:limit]
        more = page.group_link(day) if len(day.papers) > len(shown) else None
        return Section(weekday_label(day.day), Markup(f"day-{day.day.isoformat()}"),
                       page.cards(shown), more)

    def theme_pages(self) -> list[Output]:
        page = self.at(urls.THEMES)
        themes = tuple(page.theme_link(theme.id) for theme in self.model.themes)
        outputs = [self.render("themes.md.j2", page, themes=themes)]
        for theme in self.model.themes:
            outputs += self.paged(
                "theme.md.j2", urls.theme_url(theme.id), self.model.groups.by_theme[theme.id],
                months=True,
                context=lambda page, theme_id=theme.id: {
                    "theme": page.theme_link(theme_id),
                    # on the first page only
                    "nearest": (self.nearest_to(page, theme_id)
                                if page.url == urls.theme_url(theme_id) else ()),
                    "unsorted": theme_id == self.model.unsorted_id,
                    "bib": page.href(urls.theme_bib_url(theme_id)),
                    "feed_url": Markup(urls.theme_feed_url(theme_id)),  # front matter: from the root
                },
            )
        return outputs

    def nearest_to(self, page: _Page, theme_id: str) -> tuple[tuple[ThemeLink, tuple[PaperLink, ...]], ...]:
        """For a theme's page, the Unsorted papers nearest to it; for Unsorted's own
        page, its papers under the theme nearest to each: for curators to file them."""
        found, every = self.model.nearest, theme_id == self.model.unsorted_id
        listed = [t.id for t in self.model.themes if t.id in found and (every or t.id == theme_id)]
        return tuple((page.theme_link(t), tuple(page.paper_link(self.papers_by_id[p]) for p in found[t]))
                     for t in listed)

    def day_pages(self) -> list[Output]:
        outputs = []
        for index, day in enumerate(self.model.groups.days):
            outputs += self.paged("day.md.j2", day.url, day.papers, months=False,
                                  context=lambda page, index=index: self._day_context(page, index))
        return outputs

    def _day_context(self, page: _Page, index: int) -> dict[str, object]:
        """A day page's heading, counts by kind of date, and links to the days around it."""
        days = self.model.groups.days
        day = days[index]
        kinds = Counter(paper.date_kind for paper in day.papers)
        month = Month.of(day.day)
        return {
            "label": weekday_label(day.day),
            "count": len(day.papers),
            "kinds": tuple((label, kinds[kind]) for kind, label in KIND_LABELS.items() if kinds[kind]),
            "newer": page.group_link(days[index - 1]) if index > 0 else None,
            "older": page.group_link(days[index + 1]) if index + 1 < len(days) else None,
            "month": Link(month.label, page.href(month.url)),
        }

    def archive_pages(self) -> list[Output]:
        groups = self.model.groups
        page = self.at(urls.ARCHIVE)
        outputs = [self.render(
            "archive.md.j2", page,
            years=tuple((page.group_link(y), tuple(map(page.group_link, y.months))) for y in groups.years),
        )]
        for year in groups.years:
            page = self.at(year.url)
            outputs.append(self.render(
                "year.md.j2", page, year=year.year, count=year.count,
                months=tuple((page.group_link(m), tuple(map(page.group_link, m.days)))
                             for m in year.months)))
            for month in year.months:
                page = self.at(month.month.url)
                outputs.append(self.render(
                    "month.md.j2", page, label=month.month.label, count=month.count,
                    year=page.group_link(year), days=tuple(map(page.group_link, month.days))))
        return outputs

    def about(self) -> Output:
        page = self.at(urls.ABOUT)
        return self.render(
            "about.md.j2", page,
            totals=_totals(self.model),
            feed=page.href(urls.LATEST_FEED),
            papers_json=page.href(urls.PAPERS_JSON),
            papers_bib=page.href(urls.PAPERS_BIB),
            themes_href=page.href(urls.THEMES),
            archive_href=page.href(urls.ARCHIVE),
        )

    def paper_pages(self, papers: Sequence[Paper]) -> list[Output]:
        """paper.md.j2 for each paper, then _related.md.j2 with its related papers."""
        template = self.env.get_template("paper.md.j2")
        ending = self.env.get_template("_related.md.j2")
        outputs = []
        for paper in papers:
            page = self.at(urls.paper_url(paper.id))
            links = tuple(page.paper_link(self.papers_by_id[r])
                          for r in self.model.related.get(paper.id, ()))
            text = (template.render(site_name=SITE_NAME, paper=paper_view(page, paper))
                    + ending.render(links=links))
            outputs.append(Output(urls.source_path(page.url), text.encode("utf-8")))
        return outputs


def plan_pages(env: jinja2.Environment, model: SiteModel) -> list[Output]:
    """Every Markdown page of the site, rendered in memory."""
    return plan_listing_pages(env, model) + plan_paper_pages(env, model)


def plan_listing_pages(env: jinja2.Environment, model: SiteModel) -> list[Output]:
    """Home, themes, days, archive and about: every page but the paper pages, which
    plan_paper_pages renders (in worker processes, for a large library, meanwhile)."""
    planner = Planner(env, model)
    return [planner.home(), *planner.theme_pages(), *planner.day_pages(),
            *planner.archive_pages(), planner.about()]


def plan_paper_pages(env: jinja2.Environment, model: SiteModel,
                     papers: Sequence[Paper] | None = None) -> list[Output]:
    """One page per paper (of `papers`, default all), with its related papers
    (model.related, found before rendering)."""
    return Planner(env, model).paper_pages(model.groups.papers if papers is None else papers)


@dataclass(frozen=True)
class Totals:
    papers: int
    themes: int
    unsorted: int
    curated: int
    first: str
    last: str


def _totals(model: SiteModel) -> Totals:
    papers = model.groups.papers
    days = model.groups.days
    return Totals(
        papers=len(papers),
        themes=len(model.themes) - 1,
        unsorted=len(model.groups.by_theme[model.unsorted_id]),
        curated=sum(1 for p in papers if model.origins[p.id] == "curated"),
        first=day_label(days[-1].day) if days else "",
        last=day_label(days[0].day) if days else "",
    )
