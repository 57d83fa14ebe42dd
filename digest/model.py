"""Value objects shared by every stage of the pipeline. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# Canonical order of keys in a paper's YAML file. Ingest-owned facts first,
# curator fields last, so a curator's diff stays at the bottom of the file.
PAPER_FIELDS = (
    "id",
    "title",
    "abstract",
    "arxiv",
    "published",
    "listed",
    "authors",
    "organization",
    "upvotes",
    "code",
    "project",
    "added",
    "sources",
    "themes",
    "tags",
    "note",
    "hidden",
)
CURATOR_FIELDS = ("themes", "tags", "note", "hidden")


@dataclass(frozen=True)
class RawEntry:
    """One paper as read from one dump, before merging."""

    title: str
    abstract: str
    source: str  # dump file name
    line: int  # 1-based line of the title in the dump (of the paper's record in a JSON dump)
    authors: int | tuple[str, ...] | None = None  # a count (text dumps) or names (API)
    organization: str | None = None
    published: date | None = None
    upvotes: int | None = None
    arxiv: str | None = None
    listed: date | None = None  # the day it was on Daily Papers
    code: str | None = None  # GitHub repository URL
    project: str | None = None  # project page URL


@dataclass(frozen=True)
class Paper:
    """One paper of the library, as loaded from its YAML file."""

    id: str
    title: str
    abstract: str
    added: date
    sources: tuple[str, ...] = ()
    published: date | None = None
    authors: tuple[str, ...] = ()  # names in order, when known
    author_count: int | None = None  # len(authors) when names are known, else a dump's count
    organization: str | None = None  # display name, e.g. "UC Berkeley"
    upvotes: int | None = None
    arxiv: str | None = None  # arXiv id, e.g. 2510.12345 or 2510.12345v2
    listed: date | None = None  # the day it was listed on Daily Papers
    code: str | None = None  # GitHub repository URL
    project: str | None = None  # project page URL
    themes: tuple[str, ...] = ()  # curated; empty means "assign automatically"
    tags: tuple[str, ...] = ()
    note: str | None = None  # Markdown
    hidden: bool = False

    @property
    def date(self) -> date:
        """The date views sort and group by: the day it was listed on Daily Papers,
        else its publication date, else the day it was added to the digest.

        A reader browses Daily Papers by listing day, so that comes first; a
        paper from a text dump without one is dated by what it says of itself.
        """
        return self.listed or self.published or self.added

    @property
    def date_kind(self) -> str:
        """What `date` is: "listed", "published" or "added" (to the digest)."""
        if self.listed is not None:
            return "listed"
        return "published" if self.published is not None else "added"


@dataclass(frozen=True)
class Theme:
    """One theme of the curated taxonomy in content/themes.yml."""

    id: str
    name: str
    description: str
    keywords: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True, order=True)
class Problem:
    """A defect in the input, located to path:line:col, with a stable code."""

    path: str
    line: int
    col: int
    code: str
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}"


class DigestError(Exception):
    """An error the CLI reports as one clean line (or several problems) and exit 1."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []
