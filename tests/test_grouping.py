"""digest/grouping.py: the reading order, days, months, years and themes."""

from datetime import date

import pytest

from digest.grouping import (
    Month, by_day, by_theme, by_year, group_papers, in_pages, reading_order, visible,
)
from digest.model import DigestError, Paper


def paper(pid, added=date(2026, 1, 26), published=None, listed=None, upvotes=None, hidden=False,
          title=None):
    return Paper(id=pid, title=title or pid.title(), abstract="", added=added, published=published,
                 listed=listed, upvotes=upvotes, hidden=hidden)


A = paper("a", published=date(2025, 10, 13))
B = paper("b")  # added 26 Jan 2026, nothing else
C = paper("c", published=date(2025, 10, 2))
D = paper("d", published=date(2025, 10, 13))  # same day as A
E = paper("e", published=date(2024, 12, 31), added=date(2026, 2, 1))
H = paper("h", hidden=True)


def ids(papers):
    return [p.id for p in papers]


def test_a_papers_date_is_the_listing_day_else_published_else_added():
    both = paper("x", published=date(2025, 10, 1), listed=date(2025, 10, 3), added=date(2026, 1, 1))
    assert (both.date, both.date_kind) == (date(2025, 10, 3), "listed")
    assert (A.date, A.date_kind) == (date(2025, 10, 13), "published")
    assert (B.date, B.date_kind) == (date(2026, 1, 26), "added")


def test_hidden_papers_leave_every_view():
    assert ids(visible([A, H, B])) == ["a", "b"]
    groups = group_papers([A, H], {"a": ("x",), "h": ("x",)}, ["x"])
    assert ids(groups.papers) == ["a"]
    assert ids(groups.by_theme["x"]) == ["a"]
    # H (added 26 Jan 2026) would be the only paper of 2026.
    assert [(y.year, y.count) for y in groups.years] == [(2025, 1)]
    assert [d.day for d in groups.days] == [date(2025, 10, 13)]


def test_reading_order_is_date_newest_first_then_upvotes_then_title():
    day = date(2025, 10, 13)
    papers = [
        paper("quiet", listed=day, upvotes=0, title="Zebra"),
        paper("unknown", listed=day, title="Aardvark"),  # upvotes unknown: below 0
        paper("loud", listed=day, upvotes=40, title="Mole"),
        paper("tie-b", listed=day, upvotes=7, title="beta"),
        paper("tie-a", listed=day, upvotes=7, title="Alpha"),  # title ignoring case
        paper("newer", added=date(2025, 10, 14), title="Zz"),
        paper("older", published=date(2025, 10, 12), upvotes=999),
    ]
    assert ids(reading_order(papers)) == [
        "newer", "loud", "tie-a", "tie-b", "quiet", "unknown", "older"]
    assert ids(reading_order(papers[::-1])) == ids(reading_order(papers))


def test_the_same_title_twice_is_still_in_a_total_order():
    twins = [paper("twin-2", title="Twin"), paper("twin-1", title="Twin")]
    assert ids(reading_order(twins)) == ["twin-1", "twin-2"]


def test_days_are_newest_first_each_in_reading_order():
    loud = paper("loud", published=date(2025, 10, 13), upvotes=9)
    days = by_day([C, B, A, D, loud])
    assert [(d.day, d.url, ids(d.papers)) for d in days] == [
        (date(2026, 1, 26), "days/2026-01-26/", ["b"]),
        (date(2025, 10, 13), "days/2025-10-13/", ["loud", "a", "d"]),
        (date(2025, 10, 2), "days/2025-10-02/", ["c"]),
    ]


def test_years_hold_months_that_hold_days():
    years = by_year(by_day([A, B, C, D, E]))
    assert [(y.year, y.url, y.count) for y in years] == [
        (2026, "archive/2026/", 1), (2025, "archive/2025/", 3), (2024, "archive/2024/", 1)]
    october = years[1].months[0]
    assert (october.month, october.month.url, october.month.label, october.count) == (
        Month(2025, 10), "archive/2025/10/", "October 2025", 3)
    assert [d.day.day for d in october.days] == [13, 2]


def test_a_paper_is_listed_under_each_of_its_themes():
    groups = by_theme([A, B, C], {"a": ("x", "y"), "b": ("y",), "c": ("unsorted",)},
                      ["x", "y", "unsorted"])
    assert {t: ids(p) for t, p in groups.items()} == {
        "x": ["a"], "y": ["b", "a"], "unsorted": ["c"]}


def test_a_theme_missing_from_the_taxonomy_names_the_paper():
    with pytest.raises(DigestError) as caught:
        by_theme([A], {"a": ("nope",)}, ["x"])
    assert str(caught.value) == (
        "papers/a.yaml: themes: expected one of the ids in themes.yml, got 'nope'")


def test_long_lists_are_cut_into_pages():
    papers = [paper(f"p{i}") for i in range(5)]
    assert [ids(page) for page in in_pages(papers, 2)] == [["p0", "p1"], ["p2", "p3"], ["p4"]]
    assert in_pages([], 2) == [()]
