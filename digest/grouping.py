"""Pure grouping of papers into the site's views: by theme, by year and month.

Every ordering here is total (ties fall back to the paper id), so the same
library always yields the same pages. A group key owns its label, anchor and
sort order; URLs come from `urls`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from . import urls
from .model import DigestError, Paper

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, the section key of theme and year pages."""

    year: int
    month: int

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def label(self) -> str:
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"

    @property
    def anchor(self) -> str:
        return urls.month_anchor(self.year, self.month)


@dataclass(frozen=True)
class MonthGroup:
    month: Month
    papers: tuple[Paper, ...]


@dataclass(frozen=True)
class YearGroup:
    """One page of the date archive: a year's papers in month sections."""

    year: int
    months: tuple[MonthGroup, ...]

    @property
    def url(self) -> str:
        return urls.year_url(self.year)

    @property
    def count(self) -> int:
        return sum(len(group.papers) for group in self.months)


def visible(papers: Iterable[Paper]) -> list[Paper]:
    """The papers the site shows: `hidden: true` removes a paper from every view."""
    return [paper for paper in papers if not paper.hidden]


def _newest_key(paper: Paper) -> tuple[int, str]:
    return (-paper.date.toordinal(), paper.id)


def newest_first(papers: Iterable[Paper]) -> list[Paper]:
    """Papers by date (published, else added), newest first; ties by id."""
    return sorted(papers, key=_newest_key)


def latest_additions(papers: Iterable[Paper], limit: int) -> list[Paper]:
    """The papers most recently added to the library, newest first."""
    ranked = sorted(papers, key=lambda p: (-p.added.toordinal(), -p.date.toordinal(), p.id))
    return ranked[:limit]


def by_month(papers: Iterable[Paper]) -> tuple[MonthGroup, ...]:
    """Month sections, newest month first, each newest paper first."""
    groups: dict[Month, list[Paper]] = {}
    for paper in newest_first(papers):
        groups.setdefault(Month.of(paper.date), []).append(paper)
    return tuple(MonthGroup(month, tuple(groups[month])) for month in sorted(groups, reverse=True))


def by_year(papers: Iterable[Paper]) -> tuple[tuple[YearGroup, ...], tuple[Paper, ...]]:
    """Archive pages, newest year first, and the papers with no date at all."""
    dated: dict[int, list[Paper]] = {}
    undated: list[Paper] = []
    for paper in papers:
        # A paper always has an added date today; the archive keeps a place
        # for undated papers so a library without one still builds.
        if paper.date is None:
            undated.append(paper)
        else:
            dated.setdefault(paper.date.year, []).append(paper)
    years = tuple(YearGroup(year, by_month(dated[year])) for year in sorted(dated, reverse=True))
    return years, tuple(sorted(undated, key=lambda p: p.id))


def by_theme(
    papers: Iterable[Paper],
    themes_of: Mapping[str, Sequence[str]],
    theme_ids: Sequence[str],
) -> dict[str, tuple[Paper, ...]]:
    """Each theme's papers, newest first, in the order of `theme_ids`.

    `themes_of` maps a paper id to its resolved themes; a paper appears under
    every one of them.
    """
    groups: dict[str, list[Paper]] = {theme_id: [] for theme_id in theme_ids}
    for paper in newest_first(papers):
        for theme_id in themes_of[paper.id]:
            if theme_id not in groups:
                raise DigestError(
                    f"papers/{paper.id}.yaml: themes: expected one of the ids in themes.yml, "
                    f"got {theme_id!r}"
                )
            groups[theme_id].append(paper)
    return {theme_id: tuple(members) for theme_id, members in groups.items()}


@dataclass(frozen=True)
class Groups:
    """Every view of the visible papers, computed before any page is written."""

    papers: tuple[Paper, ...]  # newest first
    by_theme: dict[str, tuple[Paper, ...]]  # theme id -> papers, in taxonomy order, Unsorted last
    years: tuple[YearGroup, ...]
    undated: tuple[Paper, ...]


def group_papers(
    papers: Iterable[Paper],
    themes_of: Mapping[str, Sequence[str]],
    theme_ids: Sequence[str],
) -> Groups:
    """Group the visible papers by theme and by date; `theme_ids` ends with Unsorted's id."""
    shown = visible(papers)
    years, undated = by_year(shown)
    return Groups(tuple(newest_first(shown)), by_theme(shown, themes_of, theme_ids), years, undated)
