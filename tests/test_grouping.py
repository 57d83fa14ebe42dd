from datetime import date

import pytest

from digest.grouping import (
    Month, by_month, by_theme, by_year, group_papers, latest_additions, newest_first, visible,
)
from digest.model import DigestError, Paper


def paper(pid, added=date(2026, 1, 26), published=None, hidden=False):
    return Paper(id=pid, title=pid.title(), abstract="", added=added, published=published,
                 hidden=hidden)


A = paper("a", published=date(2025, 10, 13))
B = paper("b")  # added 26 Jan 2026, no published date
C = paper("c", published=date(2025, 10, 2))
D = paper("d", published=date(2025, 10, 13))  # same day as A
E = paper("e", published=date(2024, 12, 31), added=date(2026, 2, 1))
H = paper("h", hidden=True)


def ids(papers):
    return [p.id for p in papers]


def test_hidden_papers_leave_every_view():
    assert ids(visible([A, H, B])) == ["a", "b"]
    groups = group_papers([A, H], {"a": ("x",), "h": ("x",)}, ["x"])
    assert ids(groups.papers) == ["a"]
    assert ids(groups.by_theme["x"]) == ["a"]
    # H (added 26 Jan 2026) would be the only paper of 2026.
    assert [(y.year, y.count) for y in groups.years] == [(2025, 1)]
    assert ids(latest_additions(groups.papers, 5)) == ["a"]


def test_newest_first_uses_the_papers_date_and_breaks_ties_by_id():
    assert ids(newest_first([C, D, E, B, A])) == ["b", "a", "d", "c", "e"]


def test_latest_additions_are_by_date_added():
    assert ids(latest_additions([A, B, C, E], 3)) == ["e", "b", "a"]


def test_months_are_newest_first_with_labels_and_anchors():
    groups = by_month([C, B, A, D])
    assert [(g.month.label, g.month.anchor, ids(g.papers)) for g in groups] == [
        ("January 2026", "month-2026-01", ["b"]),
        ("October 2025", "month-2025-10", ["a", "d", "c"]),
    ]


def test_years_hold_month_sections_and_nothing_is_undated():
    years, undated = by_year([A, B, C, E])
    assert [(y.year, y.url, y.count, [g.month for g in y.months]) for y in years] == [
        (2026, "archive/2026/", 1, [Month(2026, 1)]),
        (2025, "archive/2025/", 2, [Month(2025, 10)]),
        (2024, "archive/2024/", 1, [Month(2024, 12)]),
    ]
    assert undated == ()


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
