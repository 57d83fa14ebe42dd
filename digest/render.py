"""Page planning: view objects for the templates, and the one place text is escaped.

Templates in site_templates/ are Jinja with StrictUndefined. Every `{{ }}` in
them goes through `escape_text` (the environment's finalize hook) unless the
value is `Markup` this module made: a relative URL, a front-matter string or a
curator's note rendered here. So a title or abstract always reaches the page
as text: its HTML, Markdown and template syntax are never interpreted, by
Markdown or by the browser.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import jinja2
import markdown
import yaml
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from . import urls
from .grouping import MONTH_NAMES, Groups, MonthGroup, by_month, latest_additions
from .model import Paper, Theme

SITE_NAME = "Paper Digest"
LATEST_ON_HOME = 20

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
    return env


# --- curator notes: the one field rendered as Markdown ----------------------

_SAFE_SCHEMES = ("", "http", "https", "mailto")
_STX, _ETX = "\x02", "\x03"  # Python-Markdown's placeholder delimiters
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")  # browsers ignore these inside a scheme


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
    """Keeps notes below the page's own headings and drops links to scripts."""

    def run(self, root: ElementTree.Element) -> None:
        for element in root.iter():
            if element.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                element.tag = f"h{min(int(element.tag[1]) + 2, 6)}"
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None and not _safe_url(value):
                    del element.attrib[attribute]


def _note_markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=[], output_format="html")
    # No raw HTML: a `<script>` in a note is shown as text, not run.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.treeprocessors.register(_NoteSafety(md), "note_safety", 0)
    return md


_NOTES = _note_markdown()


def render_note(text: str) -> Markup:
    """A curator's note as HTML: Markdown formatting, but no raw HTML and no script links."""
    html = _NOTES.reset().convert(text)
    # Python-Markdown emits its own placeholders as STX/ETX; none should remain,
    # and a literal one in the note must not reach the page.
    return Markup(html.replace("\x02", "").replace("\x03", ""))


# --- dates --------------------------------------------------------------------


def day_label(day: date) -> str:
    """A date for display, the same in every locale: 13 Oct 2025."""
    return f"{day.day} {MONTH_NAMES[day.month - 1][:3]} {day.year}"


def date_label(paper: Paper) -> str:
    """The paper's date with what it is: 'published 13 Oct 2025' or 'added 26 Jan 2026'."""
    return f"{paper.date_kind} {day_label(paper.date)}"


# --- view objects ---------------------------------------------------------------


@dataclass(frozen=True)
class PaperLink:
    """A paper as listed on another page."""

    title: Markup  # escaped once per paper: a title appears on many pages
    href: Markup
    date: str


@dataclass(frozen=True)
class ThemeLink:
    name: str
    href: Markup
    description: str
    count: int
    feed: Markup
    matched: tuple[str, ...] = ()  # phrases that filed the paper here automatically


@dataclass(frozen=True)
class MonthView:
    label: str
    anchor: Markup
    papers: tuple[PaperLink, ...]


@dataclass(frozen=True)
class YearLink:
    label: str
    href: Markup
    count: int


@dataclass(frozen=True)
class PaperView:
    """Everything the paper page shows, as text ready for the template."""

    title: str
    abstract: str
    dates: tuple[str, ...]  # the paper's date first
    authors: str
    organization: str
    upvotes: str
    themes: tuple[ThemeLink, ...]
    origin: str  # "curated" | "auto"
    unsorted: bool
    note: Markup | None
    tags: tuple[str, ...]
    sources: tuple[str, ...]
    related: tuple[PaperLink, ...]


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


class _Page:
    """Builds the links of one page, relative to where that page lives."""

    def __init__(self, planner: Planner, url: str):
        self.model = planner.model
        self.planner = planner
        self.url = url
        self.themes_by_id = planner.themes_by_id

    def href(self, target: str) -> Markup:
        return Markup(urls.relative(self.url, target))

    def paper_link(self, paper: Paper) -> PaperLink:
        title, target, when = self.planner.listing(paper)
        return PaperLink(title, self.href(target), when)

    def theme_link(self, theme_id: str, matched: tuple[str, ...] = ()) -> ThemeLink:
        theme = self.themes_by_id[theme_id]
        return ThemeLink(
            theme.name,
            self.href(urls.theme_url(theme_id)),
            theme.description,
            len(self.model.groups.by_theme[theme_id]),
            self.href(urls.theme_feed_url(theme_id)),
            matched,
        )

    def months(self, groups: Sequence[MonthGroup]) -> tuple[MonthView, ...]:
        return tuple(
            MonthView(g.month.label, Markup(g.month.anchor), tuple(self.paper_link(p) for p in g.papers))
            for g in groups
        )


def _known(value: object) -> str:
    return "unknown" if value is None else str(value)


def paper_view(page: _Page, paper: Paper) -> PaperView:
    model = page.model
    dates = [date_label(paper)]
    if paper.published is not None:
        dates.append(f"added {day_label(paper.added)}")
    reasons = model.reasons.get(paper.id, {})
    theme_ids = model.themes_of[paper.id]
    return PaperView(
        title=paper.title,
        abstract=paper.abstract,
        dates=tuple(dates),
        authors=", ".join(paper.authors) if paper.authors else _known(paper.author_count),
        organization=_known(paper.organization),
        upvotes=_known(paper.upvotes),
        themes=tuple(page.theme_link(t, tuple(reasons.get(t, ()))) for t in theme_ids),
        origin=model.origins[paper.id],
        unsorted=theme_ids == (model.unsorted_id,),
        note=render_note(paper.note) if paper.note else None,
        tags=paper.tags,
        sources=paper.sources,
        related=tuple(page.paper_link(page.planner.papers_by_id[r])
                      for r in model.related.get(paper.id, ())),
    )


# --- planning ---------------------------------------------------------------------


class Planner:
    """Renders every page of a SiteModel in memory; nothing is written here."""

    def __init__(self, env: jinja2.Environment, model: SiteModel):
        self.env = env
        self.model = model
        self.themes_by_id = {theme.id: theme for theme in model.themes}
        self.papers_by_id = {paper.id: paper for paper in model.groups.papers}
        self._listings: dict[str, tuple[Markup, str, str]] = {}

    def at(self, url: str) -> _Page:
        return _Page(self, url)

    def listing(self, paper: Paper) -> tuple[Markup, str, str]:
        """A paper's escaped title, URL and date label, computed once per build."""
        found = self._listings.get(paper.id)
        if found is None:
            found = (Markup(escape_text(paper.title)), urls.paper_url(paper.id), date_label(paper))
            self._listings[paper.id] = found
        return found

    def render(self, template: str, page: _Page, **context: object) -> Output:
        text = self.env.get_template(template).render(site_name=SITE_NAME, **context)
        return Output(urls.source_path(page.url), text.encode("utf-8"))

    def home(self) -> Output:
        page = self.at(urls.HOME)
        latest = latest_additions(self.model.groups.papers, LATEST_ON_HOME)
        return self.render(
            "home.md.j2", page,
            latest=tuple(
                PaperLink(page.paper_link(p).title, page.href(urls.paper_url(p.id)),
                          f"added {day_label(p.added)}")
                for p in latest
            ),
            themes=tuple(page.theme_link(theme.id) for theme in self.model.themes),
            totals=_totals(self.model),
            feed=page.href(urls.LATEST_FEED),
            themes_href=page.href(urls.THEMES),
            archive_href=page.href(urls.ARCHIVE),
            about_href=page.href(urls.ABOUT),
        )

    def theme_pages(self) -> list[Output]:
        page = self.at(urls.THEMES)
        themes = tuple(page.theme_link(theme.id) for theme in self.model.themes)
        outputs = [self.render("themes.md.j2", page, themes=themes)]
        for theme in self.model.themes:
            page = self.at(urls.theme_url(theme.id))
            outputs.append(self.render(
                "theme.md.j2", page,
                theme=page.theme_link(theme.id),
                unsorted=theme.id == self.model.unsorted_id,
                months=page.months(by_month(self.model.groups.by_theme[theme.id])),
                feed_url=Markup(urls.theme_feed_url(theme.id)),
            ))
        return outputs

    def archive_pages(self) -> list[Output]:
        groups = self.model.groups
        page = self.at(urls.ARCHIVE)
        outputs = [self.render(
            "archive.md.j2", page,
            years=tuple(YearLink(str(y.year), page.href(y.url), y.count) for y in groups.years),
            undated=YearLink("Date unknown", page.href(urls.UNDATED), len(groups.undated)),
        )]
        for year in groups.years:
            page = self.at(year.url)
            outputs.append(self.render("year.md.j2", page, year=year.year, count=year.count,
                                       months=page.months(year.months)))
        page = self.at(urls.UNDATED)
        outputs.append(self.render("undated.md.j2", page,
                                   papers=tuple(page.paper_link(p) for p in groups.undated)))
        return outputs

    def about(self) -> Output:
        page = self.at(urls.ABOUT)
        return self.render(
            "about.md.j2", page,
            totals=_totals(self.model),
            feed=page.href(urls.LATEST_FEED),
            papers_json=page.href(urls.PAPERS_JSON),
            themes_href=page.href(urls.THEMES),
            archive_href=page.href(urls.ARCHIVE),
        )

    def paper_pages(self, related: Callable[[], Mapping[str, Sequence[str]]]) -> list[Output]:
        """paper.md.j2 for every paper, then _related.md.j2 appended to each.

        `related` is called once every other part of every page is rendered,
        so the related papers can still be in the making meanwhile.
        """
        template = self.env.get_template("paper.md.j2")
        bodies = []
        for paper in self.model.groups.papers:
            page = self.at(urls.paper_url(paper.id))
            bodies.append((paper.id, page, template.render(site_name=SITE_NAME,
                                                           paper=paper_view(page, paper))))
        ending = self.env.get_template("_related.md.j2")
        found = related()
        outputs = []
        for paper_id, page, body in bodies:
            links = tuple(page.paper_link(self.papers_by_id[r]) for r in found.get(paper_id, ()))
            text = body + ending.render(links=links)
            outputs.append(Output(urls.source_path(page.url), text.encode("utf-8")))
        return outputs


def plan_pages(env: jinja2.Environment, model: SiteModel) -> list[Output]:
    """Every Markdown page of the site, rendered in memory."""
    return plan_listing_pages(env, model) + plan_paper_pages(env, model)


def plan_listing_pages(env: jinja2.Environment, model: SiteModel) -> list[Output]:
    """Home, themes, archive and about: the pages that do not need related papers."""
    planner = Planner(env, model)
    return [planner.home(), *planner.theme_pages(), *planner.archive_pages(), planner.about()]


def plan_paper_pages(
    env: jinja2.Environment,
    model: SiteModel,
    related: Callable[[], Mapping[str, Sequence[str]]] | None = None,
) -> list[Output]:
    """One page per paper, its related papers from `related()` if given, else `model.related`."""
    return Planner(env, model).paper_pages(related or (lambda: model.related))


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
    return Totals(
        papers=len(papers),
        themes=len(model.themes) - 1,
        unsorted=len(model.groups.by_theme[model.unsorted_id]),
        curated=sum(1 for p in papers if model.origins[p.id] == "curated"),
        first=day_label(papers[-1].date) if papers else "",
        last=day_label(papers[0].date) if papers else "",
    )
