"""BibTeX entries for papers with an arXiv id, as arXiv itself suggests citing them.

One `@misc` per paper (eprint, archivePrefix, authors, year, title, URL), keyed
by the paper id, which is unique and never changes. Text is escaped for BibTeX
and LaTeX: the characters LaTeX gives a meaning to become commands, and braces
become `\\textbraceleft{}` / `\\textbraceright{}` rather than `\\{`, because
BibTeX counts every brace, escaped or not, when it finds where a field ends.
Other characters (accents, CJK, emoji) stay as UTF-8, which biblatex and
modern BibTeX read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from . import urls
from .model import Paper, Theme
from .outbound import ARXIV_ABS

if TYPE_CHECKING:  # render imports this module for the paper page's entry
    from .grouping import Groups
    from .render import Output


_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIAL = re.compile("[" + re.escape("".join(_LATEX)) + "]")
_SPACE = re.compile(r"\s+")
# An author field is names joined by " and ": a name holding " and " or a
# comma (read as "Last, First") is braced to stay one name, as written.
_NAME_SEPARATOR = re.compile(r",|\band\b", re.IGNORECASE)


def escape(text: str) -> str:
    """Text as a BibTeX field value that LaTeX prints as the same characters, on one line."""
    # Control characters mean nothing to LaTeX and break some readers.
    text = "".join(ch for ch in text if ch >= " " or ch in "\t\n\r")
    return _SPECIAL.sub(lambda m: _LATEX[m.group()], _SPACE.sub(" ", text).strip())


def _name(name: str) -> str:
    escaped = escape(name)
    return f"{{{escaped}}}" if _NAME_SEPARATOR.search(name) else escaped


def bibtex_entry(paper: Paper) -> str | None:
    """The paper's `@misc` entry, or None without an arXiv id (nothing to cite it by)."""
    if not paper.arxiv:
        return None
    eprint = escape(paper.arxiv)
    fields = [("title", f"{{{escape(paper.title)}}}")]  # braced again: keep its capitals
    if paper.authors:
        fields.append(("author", " and ".join(_name(name) for name in paper.authors)))
    fields += [
        ("year", str((paper.published or paper.date).year)),
        ("eprint", eprint),
        ("archivePrefix", "arXiv"),
        ("url", ARXIV_ABS.format(id=eprint)),
    ]
    body = ",\n".join(f"  {key} = {{{value}}}" for key, value in fields)
    return f"@misc{{{paper.id},\n{body}\n}}\n"


def bibtex_file(entries: Iterable[str | None]) -> bytes:
    """The entries of the citable papers (None for the others), in the order given,
    blank-line separated."""
    return "\n".join(entry for entry in entries if entry is not None).encode("utf-8")


def plan_bibliographies(groups: Groups, themes: Sequence[Theme]) -> list[Output]:
    """/papers.bib with every visible citable paper, and themes/<id>/papers.bib per theme."""
    from .render import Output

    entries = {paper.id: bibtex_entry(paper) for paper in groups.papers}  # once, not per list
    outputs = [Output(urls.PAPERS_BIB, bibtex_file(entries[p.id] for p in groups.papers))]
    outputs += [Output(urls.theme_bib_url(theme.id),
                       bibtex_file(entries[p.id] for p in groups.by_theme[theme.id])) for theme in themes]
    return outputs
