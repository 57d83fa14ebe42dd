"""Pure grouping of papers into the site's views: by theme, by day, month and year.

Every list of the site is in one reading order (`reading_order`): date, newest
first, then upvotes, more first, then title; the paper id breaks what is left,
so the same library always yields the same pages. A group key owns its label,
anchor and sort order; URLs come from `urls`.
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
    """A calendar month, the section key of year pages."""

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

    @property
    def url(self) -> str:
        return urls.month_url(self.year, self.month)


@dataclass(frozen=True)
class DayGroup:
    """One day page: the papers dated that day, in reading order."""

    day: date
    papers: tuple[Paper, ...]

    @property
    def url(self) -> str:
        return urls.day_url(self.day)


@dataclass(frozen=True)
class MonthGroup:
    """One month page: the days of a month that have papers, newest first."""

    month: Month
    days: tuple[DayGroup, ...]

    @property
    def count(self) -> int:
        return sum(len(day.papers) for day in self.days)


@dataclass(frozen=True)
class YearGroup:
    """One year page of the date archive: its months, newest first."""

    year: int
    months: tuple[MonthGroup, ...]

    @property
    def url(self) -> str:
        return urls.year_url(self.year)

    @property
    def count(self) -> int:
        return sum(group.count for group in self.months)


def visible(papers: Iterable[Paper]) -> list[Paper]:
    """The papers the site shows: `hidden: true` removes a paper from every view."""
    return [paper for paper in papers if not paper.hidden]


def reading_key(paper: Paper) -> tuple[int, int, str, str, str]:
    """Date newest first, then upvotes (more first; unknown counts as none), then title."""
    upvotes = -1 if paper.upvotes is None else paper.upvotes
    return (-paper.date.toordinal(), -upvotes, paper.title.casefold(), paper.title, paper.id)


def reading_order(papers: Iterable[Paper]) -> list[Paper]:
    """Papers as every list of the site shows them: see `reading_key`."""
    return sorted(papers, key=reading_key)


def by_day(papers: Iterable[Paper]) -> tuple[DayGroup, ...]:
    """Day pages, newest day first, each in reading order."""
    days: dict[date, list[Paper]] = {}
    for paper in reading_order(papers):
        days.setdefault(paper.date, []).append(paper)
    return tuple(DayGroup(day, tuple(days[day])) for day in sorted(days, reverse=True))


def by_year(days: Sequence[DayGroup]) -> tuple[YearGroup, ...]:
    """The archive: years, newest first, of months, newest first, of the given days."""
    months: dict[Month, list[DayGroup]] = {}
    for group in sorted(days, key=lambda g: g.day, reverse=True):
        months.setdefault(Month.of(group.day), []).append(group)
    years: dict[int, list[MonthGroup]] = {}
    for month in sorted(months, reverse=True):
        years.setdefault(month.year, []).append(MonthGroup(month, tuple(months[month])))
    return tuple(YearGroup(year, tuple(groups)) for year, groups in years.items())


def by_theme(
    papers: Iterable[Paper],
    themes_of: Mapping[str, Sequence[str]],
    theme_ids: Sequence[str],
) -> dict[str, tuple[Paper, ...]]:
    """Each theme's papers in reading order, in the order of `theme_ids`.

    `themes_of` maps a paper id to its resolved themes; a paper appears under
    every one of them.
    """
    groups: dict[str, list[Paper]] = {theme_id: [] for theme_id in theme_ids}
    for paper in reading_order(papers):
        for theme_id in themes_of[paper.id]:
            if theme_id not in groups:
                raise DigestError(
                    f"papers/{paper.id}.yaml: themes: expected one of the ids in themes.yml, "
                    f"got {theme_id!r}"
                )
            groups[theme_id].append(paper)
    return {theme_id: tuple(members) for theme_id, members in groups.items()}


def in_pages(papers: Sequence[Paper], size: int) -> list[tuple[Paper, ...]]:
    """A long list cut into pages of at most `size`; an empty list is one empty page."""
    return [tuple(papers[start:start + size]) for start in range(0, len(papers), size)] or [()]


@dataclass(frozen=True)
class Groups:
    """Every view of the visible papers, computed before any page is written."""

    papers: tuple[Paper, ...]  # reading order
    by_theme: dict[str, tuple[Paper, ...]]  # theme id -> papers, in taxonomy order, Unsorted last
    days: tuple[DayGroup, ...]  # newest first
    years: tuple[YearGroup, ...]


def group_papers(
    papers: Iterable[Paper],
    themes_of: Mapping[str, Sequence[str]],
    theme_ids: Sequence[str],
) -> Groups:
    """Group the visible papers by theme and by date; `theme_ids` ends with Unsorted's id."""
    shown = visible(papers)
    days = by_day(shown)
    ordered = tuple(paper for day in days for paper in day.papers)
    return Groups(ordered, by_theme(shown, themes_of, theme_ids), days, by_year(days))
