"""digest/render.py: the one escaper, front matter, curator notes, date labels and page views."""

from __future__ import annotations

import dataclasses

import html
import posixpath
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
from digest.bibtex import plan_bibliographies
from digest.feeds import plan_feeds
from digest.grouping import group_papers
from digest.model import Paper, Theme
from digest.render import (
    CARDS_PER_PAGE, Planner, SiteModel, all_dates, author_line, date_label, day_label, escape_text,
    linked_text, make_environment, organization_name, paper_view, plan_pages, render_note, snippet,
    source_label,
    yaml_string,
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


# Titles that would end a link, start another, or give it attributes if their
# characters were read as Markdown (or HTML) in a link's text.
NASTY_TITLES = [
    "a](gone.md) [b", "]", "[", "[link](http://x)", "![img](x.png)", "<http://x>", "x{ .evil }",
    "{#id}", "*x* and _y_", "`code` and ``more``", "back\\slash\\", "a | b", "<script>alert(1)</script>",
    "&amp; &#35;", "$x_1$", "{{ 7*7 }}", " padded ", "",
]


def _markdown_link(text: str) -> str:
    return f"[{escape_text(text)}](x.md){{ .c }}"


@pytest.mark.parametrize("title", NASTY_TITLES)
def test_escaped_text_is_the_whole_text_of_a_markdown_link(title):
    # escape_text turns every character Markdown gives a meaning to into a
    # reference, `[`, `]`, `(`, `)`, `{` and `\` among them: so it is also the
    # link-text escape, and a title can neither close its link nor add to it.
    made = markdown.markdown(_markdown_link(title), extensions=MKDOCS_EXTENSIONS)
    assert made == f'<p><a class="c" href="x.md">{escape_text(title)}</a></p>'
    link = _Elements(made)
    assert (link.text, [tag for tag, _ in link.elements]) == (title, ["p", "a"])


@given(texts)
def test_markdown_reads_an_escaped_link_text_as_text_in_html_too(text):
    # As in a card: a Markdown link inside HTML (md_in_html).
    escaped = escape_text(text)
    page = f'<div markdown="block">\n<p markdown="span">{_markdown_link(text)}</p>\n</div>'
    assert markdown.markdown(page, extensions=MKDOCS_EXTENSIONS) == (
        f'<div>\n<p><a class="c" href="x.md">{escaped}</a></p>\n</div>')


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
    assert {attrs["rel"] for tag, attrs in elements if tag == "a"} == {"nofollow noopener"}


def test_a_url_written_out_in_a_note_becomes_a_link_and_keeps_its_underscores():
    note = _Elements(render_note("See https://github.com/a_b/c_d_e. Or `https://in.code/x`, "
                                 "javascript:alert(1) and data:text/html,x."))
    assert [(tag, attrs) for tag, attrs in note.elements if tag == "a"] == [
        ("a", {"href": "https://github.com/a_b/c_d_e", "rel": "nofollow noopener"})]
    assert note.tags() == ["p", "a", "code"]
    assert note.text == ("See https://github.com/a_b/c_d_e. Or https://in.code/x, "
                         "javascript:alert(1) and data:text/html,x.")


# --- URLs in abstracts ------------------------------------------------------------------


def test_http_urls_in_an_abstract_become_links_and_the_rest_stays_text():
    text = "Code: https://github.com/x/y_z (and http://a.example/?q=1&r=<2>)."
    fragment = _Elements(linked_text(text))
    assert [attrs for tag, attrs in fragment.elements] == [
        {"href": "https://github.com/x/y_z", "rel": "nofollow noopener"},
        {"href": "http://a.example/?q=1&r=", "rel": "nofollow noopener"},
    ]
    assert fragment.text == text  # the same text, links or not


@pytest.mark.parametrize("text", [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)//https",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1) ftp://example.org/x www.example.org",
    "https:// alone, and https://",
    '"><a href=javascript:alert(1)>x</a>',
])
def test_only_http_urls_ever_become_links(text):
    fragment = _Elements(linked_text(text))
    assert fragment.elements == [] and fragment.text == text


@given(texts)
def test_linked_text_reads_back_as_the_same_text_and_links_only_http(text):
    text = text.replace("\x02", "").replace("\x03", "")
    fragment = _Elements(linked_text(text))
    assert fragment.text == text
    assert {tag for tag, _ in fragment.elements} <= {"a"}
    assert all(_scheme(attrs["href"]) in ("http", "https") for _, attrs in fragment.elements)


def test_markdowns_placeholder_characters_never_reach_the_page():
    assert "\x02" not in render_note("a \x02wzxhzdk:0\x03 b") and "\x03" not in render_note("\x03")


# --- dates ----------------------------------------------------------------------------------


def test_day_labels_are_the_same_in_every_locale():
    days = [date(2025, 10, 13), date(2026, 1, 5), date(2024, 9, 30)]
    assert [day_label(day) for day in days] == ["13 Oct 2025", "5 Jan 2026", "30 Sep 2024"]


def test_a_date_label_says_which_date_it_is():
    assert date_label(paper("l", listed=date(2025, 10, 14), published=date(2025, 10, 13))) == (
        "listed 14 Oct 2025")
    assert date_label(paper("p", published=date(2025, 10, 13))) == "published 13 Oct 2025"
    assert date_label(paper("a")) == "added to the digest 26 Jan 2026"


def test_every_known_date_is_shown_the_papers_own_first():
    full = paper("f", listed=date(2025, 10, 14), published=date(2025, 10, 13))
    assert all_dates(full) == (
        "listed 14 Oct 2025", "published 13 Oct 2025", "added to the digest 26 Jan 2026")
    assert all_dates(paper("a")) == ("added to the digest 26 Jan 2026",)


# --- facts as a reader reads them -----------------------------------------------------------


def test_authors_are_named_up_to_a_limit_then_et_al_with_the_count():
    names = tuple(f"Author {i}" for i in range(1, 13))
    assert author_line(paper("n", authors=names, author_count=12), 10) == (
        "Author 1, Author 2, Author 3, Author 4, Author 5, Author 6, Author 7, Author 8, "
        "Author 9, Author 10 et al. (12 authors)")
    assert author_line(paper("t", authors=names[:2], author_count=2), 10) == "Author 1, Author 2"
    assert author_line(paper("c", author_count=4), 10) == "4 authors"
    assert author_line(paper("o", author_count=1), 10) == "1 author"
    assert author_line(paper("u"), 10) == ""


def test_the_organisation_is_its_display_name_without_a_page_copys_handle():
    assert organization_name(paper("t", organization="zai-org Z.ai")) == "Z.ai"
    assert organization_name(paper("m", organization="MIT Massachusetts Institute of Technology",
                                   sources=("a.txt", "b.txt"))) == "Massachusetts Institute of Technology"
    assert organization_name(paper("o", organization="Qwen")) == "Qwen"
    # The API gives the display name itself.
    assert organization_name(paper("a", organization="UC Berkeley", sources=("2025-10-14.json",))) == (
        "UC Berkeley")
    assert organization_name(paper("c", organization="UC Berkeley", sources=("manual",))) == "UC Berkeley"
    assert organization_name(paper("n")) is None


def test_sources_are_named_for_readers_not_by_file_name():
    assert source_label("2025-11-20.json") == "Daily Papers, 20 Nov 2025"
    assert source_label("000_cba90ecda3dd230a.txt") == "Daily Papers"
    assert source_label("2025-02-30.json") == "Daily Papers"  # no such day
    assert source_label("manual") == "manual"


def test_a_snippet_ends_at_a_word_with_an_ellipsis_when_cut():
    assert snippet("Short   abstract\non two lines.") == "Short abstract on two lines."
    long = "word " * 100
    cut = snippet(long, 42)
    assert cut == "word word word word word word word word…" and len(cut) <= 43
    assert snippet("x" * 300, 10) == "xxxxxxxxxx…"


# --- page views -------------------------------------------------------------------------------

LLM = Theme("llm", "Language models", "Large language models.")
VISION = Theme("vision", "Computer vision", "Images & video.")


def paper(pid, added=date(2026, 1, 26), **fields):
    fields.setdefault("title", pid.title())
    fields.setdefault("abstract", f"About {pid}.")
    fields.setdefault("sources", ("d.txt",))
    return Paper(id=pid, added=added, **fields)


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
             organization="org Org & Co", upvotes=0, tags=("t",), note="A *note*.")
BARE = paper("bare")
API = paper("api", title="Api {paper} & $x_1$", arxiv="2510.12345v2", listed=date(2025, 10, 14),
            published=date(2025, 10, 13), authors=("Ada Lovelace", "Alan Turing"), author_count=2,
            organization="Org", upvotes=12, code="https://github.com/o/r",
            project="https://o.example/r", sources=("2025-10-14.json",))
MODEL = site_model(
    [FULL, BARE, API],
    {"full": ("llm", "vision"), "bare": (UNSORTED,), "api": ("llm",)},
    reasons={"full": {"llm": ("language model",), "vision": ("image", "video")}},
    related={"full": ("bare",), "bare": ("full",), "api": ()},
)


def test_a_paper_view_shows_known_facts_and_leaves_out_unknown_ones():
    full, bare = view_of(MODEL, "full"), view_of(MODEL, "bare")
    assert (full.authors, full.organization, full.upvotes) == ("4 authors", "Org & Co", 0)
    assert (bare.authors, bare.organization, bare.upvotes) == ("", None, None)
    page = _paper_page(MODEL, "bare")
    assert "unknown" not in page and ">Authors</dt>" not in page and ">Upvotes</dt>" not in page
    assert "<dt data-pagefind-ignore>Upvotes</dt>\n<dd data-pagefind-ignore>0</dd>" in _paper_page(MODEL, "full")  # 0 is known


def test_a_paper_view_lists_its_date_first_and_links_its_day():
    assert view_of(MODEL, "full").dates == ("published 13 Oct 2025", "added to the digest 26 Jan 2026")
    bare = view_of(MODEL, "bare")
    assert bare.dates == ("added to the digest 26 Jan 2026",)
    assert (bare.day.label, bare.day.href) == ("All papers of Mon 26 Jan 2026", "../days/2026-01-26.md")
    assert ("added to the digest 26 Jan 2026 · [All papers of Mon 26 Jan 2026](../days/2026-01-26.md)"
            "{ .paper-day }</p>") in _paper_page(MODEL, "bare")


def test_a_paper_with_an_arxiv_id_links_to_arxiv_hugging_face_code_and_project():
    assert [(link.label, link.href) for link in view_of(MODEL, "api").links] == [
        ("arXiv", "https&#58;//arxiv&#46;org/abs/2510&#46;12345v2"),
        ("PDF", "https&#58;//arxiv&#46;org/pdf/2510&#46;12345v2"),
        ("Hugging Face", "https&#58;//huggingface&#46;co/papers/2510&#46;12345"),
        ("Code", "https&#58;//github&#46;com/o/r"),
        ("Project page", "https&#58;//o&#46;example/r"),
    ]
    page = _Elements(_paper_page(MODEL, "api"))
    assert [a["href"] for tag, a in page.elements if tag == "a" and "md-button" in (a.get("class") or "")][:1] == [
        "https://arxiv.org/abs/2510.12345v2"]


def test_a_paper_without_an_arxiv_id_links_to_searches_for_its_title():
    labels = [link.label for link in view_of(MODEL, "full").links]
    assert labels == ["Search arXiv for this title", "Search Hugging Face Papers for this title"]


def test_a_paper_view_names_authors_organisation_and_sources_for_readers():
    api = view_of(MODEL, "api")
    assert (api.authors, api.organization, api.upvotes) == ("Ada Lovelace, Alan Turing", "Org", 12)
    assert [(s.label, s.name) for s in api.sources] == [("Daily Papers, 14 Oct 2025", "2025-10-14.json")]
    page = _paper_page(MODEL, "api")
    assert '<span title="2025&#45;10&#45;14&#46;json">Daily Papers, 14 Oct 2025</span>' in page


def test_a_paper_with_an_arxiv_id_offers_its_bibtex_entry():
    assert view_of(MODEL, "api").bibtex.startswith("@misc{api,\n")
    assert view_of(MODEL, "full").bibtex is None
    assert '<pre><code class="language-bibtex">&#64;misc' not in _paper_page(MODEL, "api")  # @ is plain
    assert '\n\n<section class="paper-cite" id="cite">\n<h2>Cite</h2>' in _paper_page(MODEL, "api")
    assert 'id="cite"' not in _paper_page(MODEL, "full")


def test_a_paper_view_links_its_themes_with_the_phrases_that_matched():
    view = view_of(MODEL, "full")
    assert [(t.name, t.href, t.matched, t.count) for t in view.themes] == [
        ("Language models", "../themes/llm.md", ("language model",), 2),
        ("Computer vision", "../themes/vision.md", ("image", "video"), 1),
    ]
    # Pagefind reads the page before MkDocs: each theme's filter is HTML beside its Markdown link.
    assert ('<dd class="paper-themes" data-pagefind-ignore markdown="span">'
            '[Language models](../themes/llm.md)<span data-pagefind-filter="theme:Language models"></span>, '
            '[Computer vision](../themes/vision.md)<span data-pagefind-filter="theme:Computer vision"></span>'
            '</dd>') in _paper_page(MODEL, "full")
    assert (view.origin, view.unsorted) == ("auto", False)
    assert view_of(MODEL, "bare").unsorted is True


def test_a_paper_page_renders_the_note_and_links_related_papers():
    assert view_of(MODEL, "full").note == "<p>A <em>note</em>.</p>"
    page = _paper_page(MODEL, "full")
    assert ('<li markdown="span">[Bare](../papers/bare.md) <span class="paper-date">added to the digest '
            '26 Jan 2026</span></li>') in page
    assert "[Full &lt;facts&gt;](../papers/full.md)" in _paper_page(MODEL, "bare")  # escaped once


def _pages(model: SiteModel) -> dict[str, str]:
    return {o.path: o.data.decode() for o in plan_pages(make_environment(TEMPLATES), model)}


def as_html(page: str) -> str:
    """A generated page's body as MkDocs' Markdown (mkdocs.yml's extensions) makes it HTML,
    before MkDocs turns its links to .md files into URLs."""
    body, _ = mkdocs_front_matter(page)
    return markdown.markdown(body, extensions=MKDOCS_EXTENSIONS)


def _paper_page(model: SiteModel, pid: str) -> str:
    return _pages(model)[urls.source_path(urls.paper_url(pid))]


def test_the_paper_page_says_why_it_has_its_themes():
    curated = site_model([paper("c", themes=("vision",))], {"c": ("vision",)}, origins={"c": "curated"})
    assert "Themes chosen by a curator." in _paper_page(curated, "c")
    assert ("Language models (matched “language model”); "
            "Computer vision (matched “image”, “video”).") in _paper_page(MODEL, "full")
    assert "Unsorted: no theme's keywords matched" in _paper_page(MODEL, "bare")


def test_the_paper_page_front_matter_and_heading_hold_the_escaped_title():
    page = _paper_page(MODEL, "full")
    assert page.startswith('---\ntitle: "Full &lt;facts&gt;"\n')
    assert '<h1 id="paper-title" data-pagefind-body data-pagefind-weight="10">Full &lt;facts&gt;</h1>' in page
    assert ("<dt data-pagefind-ignore>Authors</dt>\n<dd class=\"paper-authors\" data-pagefind-ignore>"
            "4 authors</dd>") in page  # a count is shown, not searched


CARD = re.compile(r'<li class="card" markdown="block">\n<p class="card-title" markdown="span">'
                  r'\[[^\]\n]*\]\((?:\.\./)*papers/([^/]+)\.md\)</p>\n')


def test_a_card_holds_title_date_upvotes_people_snippet_and_up_to_three_themes():
    many = paper("many", title="Many <themes>", upvotes=1, organization="lab Lab & Co",
                 abstract="word " * 80)
    model = site_model([many], {"many": ("llm", "vision", UNSORTED)})
    card = _Elements(re.search(r'<li class="card">.*?</li>', as_html(_pages(model)["index.md"]), re.S).group())
    assert card.text.split("\n")[1:3] == ["Many <themes>", "added to the digest 26 Jan 20261 upvoteLab & Co"]
    assert [(tag, attrs.get("class")) for tag, attrs in card.elements] == [
        ("li", "card"), ("p", "card-title"), ("a", None), ("p", "card-meta"), ("span", "card-date"),
        ("span", "card-upvotes"), ("span", "card-people"), ("p", "card-abstract"), ("p", "card-themes"),
        ("a", None), ("a", None), ("a", None)]
    assert [attrs.get("href") for tag, attrs in card.elements if tag == "a"] == [
        "papers/many.md", "themes/llm.md", "themes/vision.md", "themes/unsorted.md"]
    abstract = re.search(r'<p class="card-abstract">([^<]*)</p>', _pages(model)["index.md"]).group(1)
    assert html.unescape(abstract) == snippet("word " * 80) and abstract.endswith("…")


def test_a_card_names_the_first_authors_rather_than_the_organisation():
    pages = _pages(MODEL)
    assert '<span class="card-people">Ada Lovelace, Alan Turing</span>' in pages["index.md"]
    assert '<span class="card-people">Org & Co</span>' not in pages["index.md"]  # escaped, if shown
    assert '<span class="card-people">Org &amp; Co</span>' in pages["index.md"]


def test_every_list_is_in_reading_order_and_the_home_page_starts_with_the_newest_day():
    day = date(2025, 10, 14)
    papers = [paper(f"p{i}", listed=day, upvotes=i % 3, title=f"T{i}") for i in range(6)]
    papers.append(paper("old", published=date(2025, 1, 1), upvotes=99))
    model = site_model(papers, {p.id: ("llm",) for p in papers})
    expected = ["p2", "p5", "p1", "p4", "p0", "p3", "old"]
    pages = _pages(model)
    assert CARD.findall(pages["index.md"]) == expected
    assert CARD.findall(pages["themes/llm.md"]) == expected
    assert CARD.findall(pages["days/2025-10-14.md"]) == expected[:-1]
    assert pages["index.md"].index("## Tue 14 Oct 2025 {#day-2025-10-14}") < pages["index.md"].index(
        "## Wed 1 Jan 2025 {#day-2025-01-01}")


def test_the_home_page_starts_with_the_latest_listing_day_and_links_newer_days_without_one():
    papers = [paper("listed", listed=date(2025, 10, 14), upvotes=3),
              paper("older", listed=date(2025, 10, 13)),
              paper("added-only", added=date(2026, 1, 26)),
              paper("published", published=date(2025, 12, 1))]
    home = _pages(site_model(papers, {p.id: ("llm",) for p in papers}))["index.md"]
    assert CARD.findall(home) == ["listed", "older"]
    assert ('\n\nNewer days without a Daily Papers listing: '
            '[Mon 26 Jan 2026](days/2026-01-26.md) (1 paper), '
            '[Mon 1 Dec 2025](days/2025-12-01.md) (1 paper).\n{: .newer-days }\n') in home
    # A library of copied pages only has no listing day: the newest day comes first.
    copied = _pages(site_model([FULL, BARE], {"full": ("llm",), "bare": ("llm",)}))["index.md"]
    assert CARD.findall(copied) == ["bare", "full"] and "newer-days" not in copied


def test_a_long_list_is_paginated_and_the_home_page_links_the_rest_of_its_day():
    day = date(2025, 10, 14)
    papers = [paper(f"p{i:03d}", listed=day) for i in range(CARDS_PER_PAGE + 3)]
    model = site_model(papers, {p.id: ("llm",) for p in papers})
    pages = _pages(model)
    assert len(CARD.findall(pages["days/2025-10-14.md"])) == CARDS_PER_PAGE
    assert CARD.findall(pages["days/2025-10-14/page/2.md"]) == ["p100", "p101", "p102"]
    assert len(CARD.findall(pages["themes/llm/page/2.md"])) == 3
    assert "[Older →](2025-10-14/page/2.md){ .pager-older rel=next }" in pages["days/2025-10-14.md"]
    assert "[← Newer](../../2025-10-14.md){ .pager-newer rel=prev }" in pages["days/2025-10-14/page/2.md"]
    assert "[1](../../2025-10-14.md)<span" in pages["days/2025-10-14/page/2.md"]
    assert pages["days/2025-10-14/page/2.md"].startswith('---\ntitle: "Tue 14 Oct 2025, page 2"\n')
    assert len(CARD.findall(pages["index.md"])) == CARDS_PER_PAGE
    assert "\n\n[All 103 papers of Tue 14 Oct 2025 →](days/2025-10-14.md)\n{: .more }\n" in pages["index.md"]


def test_day_pages_link_the_previous_and_next_day_and_their_month():
    pages = _pages(MODEL)
    middle = pages["days/2025-10-14.md"]
    assert "[← Mon 13 Oct 2025](2025-10-13.md){ .day-older rel=prev }" in middle
    assert "[Mon 26 Jan 2026 →](2026-01-26.md){ .day-newer rel=next }" in middle
    assert "[October 2025](../archive/2025/10.md){ .day-month }" in middle
    assert "day-newer" not in pages["days/2026-01-26.md"] and "day-older" not in pages["days/2025-10-13.md"]
    assert "1 paper added to the digest on this day." in pages["days/2026-01-26.md"]
    assert "1 paper listed on this day." in middle
    mixed = site_model([paper("l", listed=date(2025, 10, 14)), paper("p", published=date(2025, 10, 14)),
                        paper("q", published=date(2025, 10, 14))], {k: ("llm",) for k in "lpq"})
    assert "3 papers: 1 listed, 2 published on this day." in _pages(mixed)["days/2025-10-14.md"]


def test_a_month_page_lists_its_days_and_the_archive_its_months():
    pages = _pages(MODEL)
    assert ('<li markdown="span">[Tue 14 Oct 2025](../../days/2025-10-14.md) '
            '<span class="list-count">1 paper</span></li>') in pages["archive/2025/10.md"]
    assert "[All of 2025](../2025.md)\n{: .list-count }\n" in pages["archive/2025/10.md"]
    assert ('<li markdown="span">[October 2025](2025/10.md) <span class="list-count">2 papers</span></li>'
            ) in pages["archive/index.md"]
    assert "[2 papers](2025/10.md) on 2 days\n{: .list-count }\n" in pages["archive/2025.md"]
    assert "Date unknown" not in "".join(pages.values())


def test_the_unsorted_theme_speaks_to_readers():
    page = _pages(MODEL)["themes/unsorted.md"]
    assert escape_text("Papers that none of the themes fits yet.") in page and "curator" not in page


def test_unsorted_papers_are_listed_on_their_nearest_themes_page_and_under_it_on_unsorted():
    model = dataclasses.replace(MODEL, nearest={"vision": ("bare",)})
    pages = _pages(model)
    unsorted, vision, llm = pages["themes/unsorted.md"], pages["themes/vision.md"], pages["themes/llm.md"]
    assert "## Where these papers may belong" in unsorted
    after = unsorted.split("## Where these papers may belong", 1)[1]
    assert "### [Computer vision](vision.md)" in after
    assert '<li markdown="span">[Bare](../papers/bare.md)' in after
    assert "## Unsorted papers that may belong here" in vision
    assert '<li markdown="span">[Bare](../papers/bare.md)' in vision.split("may belong here", 1)[1]
    assert "may belong" not in llm and "may belong" not in "".join(_pages(MODEL).values())


def test_hidden_papers_are_on_no_page_and_in_no_count():
    papers = [paper(f"p{i}", added=date(2026, 1, i + 1)) for i in range(21)]
    secret = paper("secret", title="Secret", added=date(2026, 3, 1), hidden=True)
    themes_of = {p.id: ("llm",) for p in [*papers, secret]}
    model = site_model([*papers, secret], themes_of)
    outputs = plan_pages(make_environment(TEMPLATES), model)
    assert [o.path for o in outputs if "secret" in o.data.decode().lower()] == []
    home = next(o.data.decode() for o in outputs if o.path == "index.md")
    assert CARD.findall(home)[0] == "p20"  # the newest visible day comes first
    assert "21 papers in 2 themes (0 unsorted)" in home
    assert '<td markdown="span">[Language models](themes/llm.md)</td><td>21</td>' in home


def test_every_page_has_its_own_source_file():
    outputs = plan_pages(make_environment(TEMPLATES), MODEL)
    paths = [o.path for o in outputs]
    assert len(paths) == len(set(paths))
    assert set(paths) == {
        "index.md", "themes/index.md", "themes/llm.md", "themes/vision.md", "themes/unsorted.md",
        "days/2026-01-26.md", "days/2025-10-14.md", "days/2025-10-13.md",
        "archive/index.md", "archive/2026.md", "archive/2026/01.md", "archive/2025.md",
        "archive/2025/10.md", "about.md", "papers/full.md", "papers/bare.md", "papers/api.md",
    }


# Markdown links: `[text](target)`, the target a path without spaces.
MARKDOWN_TARGET = re.compile(r"\]\(([^)\s]*)\)")


def test_links_between_pages_are_markdown_links_to_files_of_the_docs_folder():
    outputs = plan_pages(make_environment(TEMPLATES), MODEL)
    files = {o.path for o in [*outputs, *plan_bibliographies(MODEL.groups, MODEL.themes),
                              *plan_feeds(MODEL.groups, MODEL.themes, MODEL.themes_of, MODEL.origins)]}
    linked = set()
    for output in outputs:
        text = output.data.decode()
        folder = posixpath.dirname(output.path)
        for target in MARKDOWN_TARGET.findall(text):
            path = posixpath.normpath(posixpath.join(folder, target.partition("#")[0]))
            assert path in files, (output.path, target)
            linked.add(path)
        # What stays raw HTML links out of the site, never to a page of it.
        for href in re.findall(r'href="([^"]*)"', text):
            assert _scheme(html.unescape(href)) in ("http", "https"), (output.path, href)
    assert {"papers/bare.md", "themes/llm.md", "days/2025-10-14.md", "archive/2025/10.md",
            "feeds/latest.xml", "feeds/themes/llm.xml", "papers.bib", "themes/llm/papers.bib",
            "papers.json", "about.md", "themes/index.md", "archive/index.md"} <= linked
