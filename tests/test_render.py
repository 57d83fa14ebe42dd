"""digest/render.py: the one escaper, front matter, curator notes, date labels and page views."""

from __future__ import annotations

import html
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from mkdocs.utils.meta import get_data as mkdocs_front_matter
from mkdocs.utils.yaml import yaml_load  # mkdocs.yml uses !ENV

from digest import urls
from digest.grouping import group_papers
from digest.model import Paper, Theme
from digest.render import (
    LATEST_ON_HOME, Planner, SiteModel, date_label, day_label, escape_text, make_environment,
    paper_view, plan_pages, render_note, yaml_string,
)
from digest.themes import UNSORTED, UNSORTED_THEME

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "site_templates"
# The Markdown extensions mkdocs.yml enables: escaped text must mean nothing to them either.
MKDOCS_EXTENSIONS = [
    name if isinstance(name, str) else next(iter(name))
    for name in yaml_load((ROOT / "mkdocs.yml").read_text())["markdown_extensions"]
]

# Every character Markdown, HTML or Jinja gives a meaning to, and the line
# breaks and tabs that would change how Python-Markdown reads a line.
SPECIALS = "&#<>\"'\\`*_{}[]()+-.!|$~^=:%@\t\n\r"
# Text as curators and dumps write it, with the specials mixed in.
texts = st.text(st.one_of(st.characters(blacklist_categories=("Cs",)), st.sampled_from(SPECIALS)))
INERT = "%@"  # hostile-looking, but nothing to Markdown or HTML: left as they are
REFERENCE = re.compile(r"&(?:#[0-9]+|amp|lt|gt|quot);")


# --- escape_text --------------------------------------------------------------


@pytest.mark.parametrize("text, escaped", [
    ("Deep nets, 2024", "Deep nets, 2024"),  # nothing special: the same string
    ("<script>alert(1)</script>", "&lt;script&gt;alert&#40;1&#41;&lt;/script&gt;"),
    ("{{ 7*7 }}", "&#123;&#123; 7&#42;7 &#125;&#125;"),
    ("*x* a | b", "&#42;x&#42; a &#124; b"),
    ("\\%", "&#92;%"),
    ("&amp;", "&amp;amp;"),
    ("&#35;", "&amp;&#35;35;"),  # `&` first, `#` second: no reference is escaped twice
    ("# h\n- i\tj", "&#35; h&#10;&#45; i&#9;j"),
    ("Λόγος 🚀", "Λόγος 🚀"),
])
def test_escape_text_turns_special_characters_into_references(text, escaped):
    assert escape_text(text) == escaped


@given(texts)
def test_escaped_text_reads_back_as_the_same_text(text):
    # html.unescape drops references to C0 controls such as STX; browsers keep them.
    text = text.replace("\x02", "").replace("\x03", "")
    assert html.unescape(escape_text(text)) == text


@given(texts)
def test_escaped_text_holds_no_special_character_outside_a_reference(text):
    left = REFERENCE.sub("", escape_text(text))
    assert set(left) & set(SPECIALS + "\x02\x03") <= set(INERT)


@given(texts.filter(lambda t: t[:1].strip() != "" and t == t.rstrip()))
def test_markdown_interprets_nothing_in_escaped_text(text):
    escaped = escape_text(text)
    assert markdown.markdown(escaped, extensions=MKDOCS_EXTENSIONS) == f"<p>{escaped}</p>"


# --- front matter ------------------------------------------------------------------


def test_yaml_string_quotes_the_escaped_text():
    assert yaml_string('Say "no" & <b>') == '"Say &quot;no&quot; &amp; &lt;b&gt;"'
    assert yaml_string("no") == '"no"'  # never YAML's false


def test_yaml_string_keeps_the_spaces_around_a_unicode_line_separator():
    # YAML 1.1 reads U+2028 as a line break and folds the spaces around it away.
    assert yaml_string("a \u2028 b") == '"a \\L b"'


def test_yaml_string_leaves_markup_it_made_alone():
    assert yaml_string(Markup("feeds/themes/llm.xml")) == '"feeds/themes/llm.xml"'


@given(texts)
@settings(max_examples=300)
def test_mkdocs_reads_the_front_matter_title_as_the_escaped_text(text):
    _, meta = mkdocs_front_matter(f"---\ntitle: {yaml_string(text)}\n---\n\nbody\n")
    assert meta == {"title": escape_text(text)}


# --- the Jinja environment ------------------------------------------------------------


def test_every_value_is_escaped_and_template_syntax_in_values_is_text():
    env = make_environment(TEMPLATES)
    template = env.from_string("<h1>{{ title }}</h1>{{ note }}")
    assert template.render(title="{{ 7*7 }} <b>", note=Markup("<p>ok</p>")) == (
        "<h1>&#123;&#123; 7&#42;7 &#125;&#125; &lt;b&gt;</h1><p>ok</p>")


def test_an_undefined_name_fails_the_render():
    with pytest.raises(jinja2.UndefinedError):
        make_environment(TEMPLATES).from_string("{{ paper.missing }}").render(paper=object())


# --- curator notes ----------------------------------------------------------------------


class _Elements(HTMLParser):
    """Every element of an HTML fragment with its attributes, references decoded."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text = ""
        self.feed(str(text))  # Markup would escape what is added to it
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text += data

    def tags(self) -> list[str]:
        return [tag for tag, _ in self.elements]


def _scheme(url: str) -> str:
    # As a browser reads a URL: ASCII whitespace and controls inside it ignored.
    return urlsplit(re.sub(r"[\x00-\x20\x7f]", "", url)).scheme.lower()


def test_a_note_is_markdown_with_its_headings_below_the_pages_own():
    note = _Elements(render_note("A **bold** and *quiet* note.\n\n# Heading\n\n- one\n- two"))
    assert note.tags() == ["p", "strong", "em", "h3", "ul", "li", "li"]
    assert note.text.split() == "A bold and quiet note. Heading one two".split()


def test_raw_html_in_a_note_is_shown_as_text():
    text = "<script>alert(1)</script> <img src=x onerror=alert(2)>\n\n<div>block</div>"
    note = _Elements(render_note(text))
    assert note.tags() == ["p", "p"]
    assert note.text == "<script>alert(1)</script> <img src=x onerror=alert(2)>\n<div>block</div>"


@pytest.mark.parametrize("note", [
    "[a](javascript:alert(1))",
    "[a](JaVaScRiPt:alert(1))",
    "[a](&#106;avascript:alert(1))",
    "[a](&#x6A;avascript:alert(1))",
    "[a](javascript&#58;alert(1))",
    "[a](javascript&colon;alert(1))",
    "[a](jav&Tab;ascript:alert(1))",
    "[a](<javascript:alert(1)>)",
    "[a](data:text/html,<script>alert(1)</script>)",
    "[a](vbscript:msgbox(1))",
    "![a](&#106;avascript:alert(1))",
    "[a][r]\n\n[r]: &#106;avascript:alert(1)",
])
def test_a_link_in_a_note_never_runs_script(note):
    elements = _Elements(render_note(note)).elements
    targets = [(tag, attrs) for tag, attrs in elements if tag in ("a", "img")]
    assert len(targets) == 1  # the link is still there, as text or image
    tag, attrs = targets[0]
    # html.parser decodes references in attributes as the browser does.
    assert _scheme(attrs.get("href") or attrs.get("src") or "") in ("", "http", "https")


def test_safe_links_in_a_note_keep_their_url():
    note = render_note("[docs](https://example.org/a?b=1&c=2) <ada@example.org>")
    elements = _Elements(note).elements
    assert [attrs["href"] for tag, attrs in elements if tag == "a"] == [
        "https://example.org/a?b=1&c=2", "mailto:ada@example.org"]


def test_markdowns_placeholder_characters_never_reach_the_page():
    assert "\x02" not in render_note("a \x02wzxhzdk:0\x03 b") and "\x03" not in render_note("\x03")


# --- dates ----------------------------------------------------------------------------------


def test_day_labels_are_the_same_in_every_locale():
    days = [date(2025, 10, 13), date(2026, 1, 5), date(2024, 9, 30)]
    assert [day_label(day) for day in days] == ["13 Oct 2025", "5 Jan 2026", "30 Sep 2024"]


def test_a_date_label_says_which_date_it_is():
    assert date_label(paper("p", published=date(2025, 10, 13))) == "published 13 Oct 2025"
    assert date_label(paper("a")) == "added 26 Jan 2026"


# --- page views -------------------------------------------------------------------------------

LLM = Theme("llm", "Language models", "Large language models.")
VISION = Theme("vision", "Computer vision", "Images & video.")


def paper(pid, added=date(2026, 1, 26), **fields):
    fields.setdefault("title", pid.title())
    fields.setdefault("abstract", f"About {pid}.")
    return Paper(id=pid, added=added, sources=("d.txt",), **fields)


def site_model(papers, themes_of, origins=None, reasons=None, related=None) -> SiteModel:
    themes = (LLM, VISION, UNSORTED_THEME)
    shown = [p for p in papers if not p.hidden]
    return SiteModel(
        groups=group_papers(papers, themes_of, [t.id for t in themes]),
        themes=themes,
        origins=origins or {p.id: "auto" for p in shown},
        reasons=reasons or {},
        themes_of=themes_of,
        related=related or {p.id: () for p in shown},
        unsorted_id=UNSORTED,
    )


def view_of(model: SiteModel, pid: str):
    planner = Planner(make_environment(TEMPLATES), model)
    return paper_view(planner.at(urls.paper_url(pid)), planner.papers_by_id[pid])


FULL = paper("full", title="Full <facts>", published=date(2025, 10, 13), author_count=4,
             organization="Org & Co", upvotes=0, tags=("t",), note="A *note*.")
BARE = paper("bare")
MODEL = site_model(
    [FULL, BARE],
    {"full": ("llm", "vision"), "bare": (UNSORTED,)},
    reasons={"full": {"llm": ("language model",), "vision": ("image", "video")}},
    related={"full": ("bare",), "bare": ("full",)},
)


def test_a_paper_view_shows_known_facts_and_says_unknown_otherwise():
    full, bare = view_of(MODEL, "full"), view_of(MODEL, "bare")
    assert (full.authors, full.organization, full.upvotes) == ("4", "Org & Co", "0")
    assert (bare.authors, bare.organization, bare.upvotes) == ("unknown", "unknown", "unknown")


def test_a_paper_view_lists_its_date_first_then_the_date_added():
    assert view_of(MODEL, "full").dates == ("published 13 Oct 2025", "added 26 Jan 2026")
    assert view_of(MODEL, "bare").dates == ("added 26 Jan 2026",)


def test_a_paper_view_links_its_themes_with_the_phrases_that_matched():
    view = view_of(MODEL, "full")
    assert [(t.name, t.href, t.matched, t.count) for t in view.themes] == [
        ("Language models", "../../themes/llm/", ("language model",), 1),
        ("Computer vision", "../../themes/vision/", ("image", "video"), 1),
    ]
    assert (view.origin, view.unsorted) == ("auto", False)
    assert view_of(MODEL, "bare").unsorted is True


def test_a_paper_view_renders_the_note_and_links_related_papers():
    view = view_of(MODEL, "full")
    assert view.note == "<p>A <em>note</em>.</p>"
    assert [(r.title, r.href, r.date) for r in view.related] == [
        ("Bare", "../bare/", "added 26 Jan 2026")]
    assert view_of(MODEL, "bare").related[0].title == "Full &lt;facts&gt;"  # escaped once


def _paper_page(model: SiteModel, pid: str) -> str:
    pages = {o.path: o.data.decode() for o in plan_pages(make_environment(TEMPLATES), model)}
    return pages[urls.source_path(urls.paper_url(pid))]


def test_the_paper_page_says_why_it_has_its_themes():
    curated = site_model([paper("c", themes=("vision",))], {"c": ("vision",)}, origins={"c": "curated"})
    assert "Themes chosen by a curator." in _paper_page(curated, "c")
    assert ("Language models (matched “language model”); "
            "Computer vision (matched “image”, “video”).") in _paper_page(MODEL, "full")
    assert "Unsorted: no theme's keywords matched" in _paper_page(MODEL, "bare")


def test_the_paper_page_front_matter_and_heading_hold_the_escaped_title():
    page = _paper_page(MODEL, "full")
    assert page.startswith('---\ntitle: "Full &lt;facts&gt;"\n')
    assert '<h1 id="paper-title" data-pagefind-weight="10">Full &lt;facts&gt;</h1>' in page
    assert "<dt data-pagefind-ignore>Authors</dt><dd data-pagefind-ignore>4</dd>" in page
    assert "<dt data-pagefind-ignore>Upvotes</dt><dd data-pagefind-ignore>0</dd>" in page


def test_hidden_papers_are_on_no_page_and_in_no_count():
    papers = [paper(f"p{i}", added=date(2026, 1, i + 1)) for i in range(LATEST_ON_HOME + 1)]
    secret = paper("secret", title="Secret", added=date(2026, 3, 1), hidden=True)
    themes_of = {p.id: ("llm",) for p in [*papers, secret]}
    model = site_model([*papers, secret], themes_of)
    outputs = plan_pages(make_environment(TEMPLATES), model)
    assert [o.path for o in outputs if "secret" in o.data.decode().lower()] == []
    home = next(o.data.decode() for o in outputs if o.path == "index.md")
    latest = re.findall(r'<li><a href="papers/([^/]+)/', home)
    # The newest additions, the oldest one left out: the hidden one took no place.
    assert latest == [f"p{i}" for i in range(LATEST_ON_HOME, 0, -1)]
    assert f"{LATEST_ON_HOME + 1} papers in 2 themes (0 unsorted)" in home
    assert '<td><a href="themes/llm/">Language models</a></td><td>21</td>' in home


def test_every_page_has_its_own_source_file():
    outputs = plan_pages(make_environment(TEMPLATES), MODEL)
    paths = [o.path for o in outputs]
    assert len(paths) == len(set(paths))
    assert set(paths) == {
        "index.md", "themes/index.md", "themes/llm.md", "themes/vision.md", "themes/unsorted.md",
        "archive/index.md", "archive/2026.md", "archive/2025.md", "archive/unknown.md", "about.md",
        "papers/full.md", "papers/bare.md",
    }
