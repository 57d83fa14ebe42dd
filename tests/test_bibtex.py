"""digest/bibtex.py: entries escaped for BibTeX, read back with bibtexparser."""

from __future__ import annotations

import re
from datetime import date

import bibtexparser
from bibtexparser.bparser import BibTexParser
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.bibtex import bibtex_entry, bibtex_file, escape, plan_bibliographies
from digest.grouping import group_papers
from digest.model import Paper, Theme
from digest.themes import UNSORTED, UNSORTED_THEME

# The inverse of the escaping, as LaTeX reads the commands back into characters.
LATEX_READS = {
    r"\textbackslash{}": "\\", r"\textbraceleft{}": "{", r"\textbraceright{}": "}",
    r"\textasciitilde{}": "~", r"\textasciicircum{}": "^",
    r"\&": "&", r"\%": "%", r"\$": "$", r"\#": "#", r"\_": "_",
}
_COMMAND = re.compile("|".join(re.escape(c) for c in sorted(LATEX_READS, key=len, reverse=True)))


def as_latex_prints(value: str) -> str:
    return _COMMAND.sub(lambda m: LATEX_READS[m.group()], value)


def parse(text: str) -> list[dict]:
    parser = BibTexParser(common_strings=False, interpolate_strings=False)
    return bibtexparser.loads(text, parser=parser).entries


def paper(pid="p", **fields) -> Paper:
    fields.setdefault("title", "A Title")
    fields.setdefault("arxiv", "2510.12345")
    return Paper(id=pid, abstract="", added=date(2026, 1, 26), **fields)


def test_an_entry_is_misc_with_eprint_authors_year_title_and_url():
    entry = bibtex_entry(paper(title="Deep & Wide: 100% of $x_1$", published=date(2025, 10, 13),
                               authors=("Ada Lovelace", "Alan Turing"), author_count=2))
    assert entry == (
        "@misc{p,\n"
        "  title = {{Deep \\& Wide: 100\\% of \\$x\\_1\\$}},\n"
        "  author = {Ada Lovelace and Alan Turing},\n"
        "  year = {2025},\n"
        "  eprint = {2510.12345},\n"
        "  archivePrefix = {arXiv},\n"
        "  url = {https://arxiv.org/abs/2510.12345}\n"
        "}\n")
    [parsed] = parse(entry)
    assert parsed == {
        "ENTRYTYPE": "misc", "ID": "p", "title": "{Deep \\& Wide: 100\\% of \\$x\\_1\\$}",
        "author": "Ada Lovelace and Alan Turing", "year": "2025", "eprint": "2510.12345",
        "archiveprefix": "arXiv", "url": "https://arxiv.org/abs/2510.12345",
    }


def test_a_paper_without_an_arxiv_id_has_no_entry():
    assert bibtex_entry(paper(arxiv=None)) is None


def test_the_year_is_the_publication_year_else_the_papers_date():
    assert "year = {2025}" in bibtex_entry(paper(published=date(2025, 12, 31), listed=date(2026, 1, 2)))
    assert "year = {2026}" in bibtex_entry(paper(listed=date(2026, 1, 2)))


def test_unbalanced_braces_and_backslashes_still_parse():
    title = r"Set {x | x \notin A} and a lone { brace, \ and }} more"
    [parsed] = parse(bibtex_entry(paper(title=title)))
    assert as_latex_prints(parsed["title"][1:-1]) == title


def test_a_name_with_a_comma_or_and_stays_one_name():
    entry = bibtex_entry(paper(authors=("Smith, Jr., John", "Tom and Jerry", "Ng"), author_count=3))
    [parsed] = parse(entry)
    assert parsed["author"] == "{Smith, Jr., John} and {Tom and Jerry} and Ng"


# Titles as the API sends them: any printable text, with LaTeX's specials mixed in.
titles = st.text(st.one_of(st.characters(blacklist_categories=("Cs", "Cc")),
                           st.sampled_from("{}\\&%$#_~^@\"=,")), min_size=1).filter(str.strip)


@given(titles, titles)
@settings(max_examples=150, deadline=None)  # bibtexparser is slow on a loaded machine
def test_any_title_and_name_parse_back_to_the_same_text(title, name):
    [parsed] = parse(bibtex_entry(paper(title=title, authors=(name,), author_count=1)))
    assert as_latex_prints(parsed["title"][1:-1]) == " ".join(title.split())
    author = parsed["author"]
    if author != escape(name):  # braced to stay one name
        author = author[1:-1]
    assert as_latex_prints(author) == " ".join(name.split())


def test_escape_turns_every_special_character_into_a_command_on_one_line():
    assert escape("a\\b{c}d&e%f$g#h_i~j^k\nl\x01m") == (
        r"a\textbackslash{}b\textbraceleft{}c\textbraceright{}d\&e\%f\$g\#h\_i"
        r"\textasciitilde{}j\textasciicircum{}k lm")


def test_bib_files_hold_every_visible_citable_paper_of_the_site_or_theme():
    papers = [paper("a", listed=date(2026, 1, 2)), paper("b", arxiv=None),
              paper("c", arxiv="2501.00001", listed=date(2026, 1, 3)),
              paper("h", arxiv="2501.00002", hidden=True)]
    themes = (Theme("llm", "LLM", ""), UNSORTED_THEME)
    themes_of = {"a": ("llm",), "b": ("llm",), "c": (UNSORTED,), "h": ("llm",)}
    groups = group_papers(papers, themes_of, [t.id for t in themes])
    files = {o.path: parse(o.data.decode()) for o in plan_bibliographies(groups, themes)}
    assert {path: [e["ID"] for e in entries] for path, entries in files.items()} == {
        "papers.bib": ["c", "a"], "themes/llm/papers.bib": ["a"], "themes/unsorted/papers.bib": ["c"]}
    assert bibtex_file([]) == b""
