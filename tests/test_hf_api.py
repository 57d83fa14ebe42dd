"""digest/hf_api.py: saved Daily Papers API responses -> raw entries."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.dumps import DumpError
from digest.hf_api import (
    looks_like_api_response, parse_api_dump, read_records, unwrap_abstract, unwrap_title,
)

ROOT = Path(__file__).resolve().parents[1]
RECORDINGS = ROOT.parent / "shared" / "hf-api"
SHIPPED = sorted((ROOT / "content" / "dumps").glob("*.json"))


def record(**paper) -> dict:
    base = {"id": "2510.12345", "title": "A Title", "summary": "An abstract.", "authors": []}
    return {"paper": {**base, **paper}, "title": "A Title", "numComments": 0}


def parse(*records, name="2025-10-22.json", **kwargs):
    return parse_api_dump(json.dumps(list(records), indent=2), name, **kwargs)


def test_every_field_of_a_recent_record():
    parsed = parse(record(
        id="2510.19338v2",
        title="Every Step Evolves: Scaling Reinforcement Learning for Trillion-Scale\n  Thinking Model",
        summary="Line one\nwraps here.\n  A second paragraph\nalso wraps.",
        authors=[{"_id": "1", "name": "Ling Team", "hidden": False},
                 {"_id": "2", "name": "Anonymous", "hidden": True},
                 {"_id": "3", "name": " Ang  Li ", "hidden": False, "user": {"name": "ang"}}],
        publishedAt="2025-10-21T13:52:08.000Z", submittedOnDailyAt="2025-10-22T00:00:00.000Z",
        upvotes=51, githubRepo="https://github.com/inclusionAI/Ring-V2", githubStars=60,
        projectPage="https://example.org/ring", organization={"name": "inclusionAI",
                                                               "fullname": "inclusionAI Lab"},
        ai_summary="ignored", ai_keywords=["ignored"]))
    (entry,) = parsed.entries
    assert (parsed.layout, parsed.day, parsed.warnings) == ("api", date(2025, 10, 22), [])
    assert entry.title == ("Every Step Evolves: Scaling Reinforcement Learning for "
                           "Trillion-Scale Thinking Model")
    assert entry.abstract == "Line one wraps here.\n\nA second paragraph also wraps."
    assert entry.arxiv == "2510.19338v2"
    assert entry.authors == ("Ling Team", "Ang Li")  # the hidden author is left out
    assert (entry.published, entry.listed, entry.upvotes) == (
        date(2025, 10, 21), date(2025, 10, 22), 51)
    assert (entry.organization, entry.code, entry.project) == (
        "inclusionAI Lab", "https://github.com/inclusionAI/Ring-V2", "https://example.org/ring")
    assert (entry.source, entry.line) == ("2025-10-22.json", 2)


def test_an_early_record_has_only_the_required_fields_and_lists_on_the_files_day():
    (entry,) = parse(record(publishedAt="2024-05-29T17:57:16.000Z", upvotes=0),
                     name="2024-05-30.json").entries
    assert (entry.listed, entry.published, entry.upvotes) == (
        date(2024, 5, 30), date(2024, 5, 29), 0)
    assert (entry.authors, entry.organization, entry.code, entry.project) == (None,) * 4


def test_publication_times_are_read_as_utc_days():
    (entry,) = parse(record(publishedAt="2025-10-21T23:30:00-02:00")).entries
    assert entry.published == date(2025, 10, 22)


def test_without_a_day_in_the_name_the_usual_listing_day_is_the_dumps_day():
    parsed = parse(record(submittedOnDailyAt="2025-10-21T00:00:00.000Z"),
                   record(id="2510.00002", title="B", submittedOnDailyAt="2025-10-22T00:00:00.000Z"),
                   record(id="2510.00003", title="C", submittedOnDailyAt="2025-10-22T09:00:00.000Z"),
                   name="saved.json")
    assert parsed.day == date(2025, 10, 22)
    assert parse(record(), name="saved.json").day is None


def test_the_organization_falls_back_to_the_records_own_and_to_its_account_name():
    top = record()
    top["organization"] = {"name": "ucberkeley", "fullname": "UC Berkeley"}
    assert parse(top).entries[0].organization == "UC Berkeley"
    assert parse(record(organization={"name": "acme"})).entries[0].organization == "acme"


def test_empty_optional_values_are_missing_without_a_warning():
    parsed = parse(record(githubRepo="", projectPage=None, organization=None,
                          authors=[{"name": "X", "hidden": True}]))
    assert parsed.warnings == []
    assert (parsed.entries[0].code, parsed.entries[0].project, parsed.entries[0].authors) == (
        None, None, None)


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("upvotes", "12", "expected a whole number >= 0, got the string '12'"),
    ("upvotes", -1, "expected a whole number >= 0, got a number"),
    ("githubRepo", "github.com/x/y", "expected an http(s) URL, got the string 'github.com/x/y'"),
    ("publishedAt", "yesterday", "expected a date and time, got the string 'yesterday'"),
    ("authors", ["Ada"], "expected a list of authors with names, got a list"),
    ("organization", "Acme", "expected an organization with a name, got the string 'Acme'"),
])
def test_an_optional_field_of_the_wrong_kind_is_ignored_with_a_located_warning(field, value, expected):
    parsed = parse(record(), record(id="2510.00002", title="B", **{field: value}))
    assert [str(w) for w in parsed.warnings] == [
        f"2025-10-22.json:{parsed.entries[1].line}:1: W107 paper 2510.00002: {field}: "
        f"{expected}; ignored"]
    assert parsed.entries[1].line == 12 and len(parsed.entries) == 2


@pytest.mark.parametrize(("text", "expected"), [
    ("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>",
     "x.json:1: not a Daily Papers API response: invalid JSON: Expecting value (column 1)"),
    ('[{"paper": {"id": "2510.12345", "title": "A', "x.json:1: not a Daily Papers API response: "
     "invalid JSON: Unterminated string starting at (column 42)"),
    ('{"error": "Invalid date"}',
     "x.json:1: not a Daily Papers API response: expected a list of papers, got an object: Invalid date"),
    ('["2510.12345", "2510.12346"]', "x.json:1: not a Daily Papers API response: "
     "expected a record with a `paper` object, got the string '2510.12345'"),
    ("[]", "x.json:1: not a Daily Papers API response: an empty list (no papers that day)"),
    ('[\n{"paper": {"id": "10.1000/x", "title": "T", "summary": "S"}}]',
     "x.json:2: not a Daily Papers API response: paper.id: expected an arXiv id such as "
     "2510.12345, got the string '10.1000/x'"),
    ('[{"paper": {"id": "2510.12345", "title": " \\n ", "summary": "S"}}]',
     "x.json:1: not a Daily Papers API response: paper.title: expected text, got an empty string"),
    ('[{"paper": {"id": "2510.12345", "title": "T"}}]',
     "x.json:1: not a Daily Papers API response: paper.summary: expected text, got null"),
])
def test_what_is_not_a_response_is_refused_naming_the_file_and_line(text, expected):
    with pytest.raises(DumpError) as raised:
        parse_api_dump(text, "x.json")
    assert str(raised.value) == expected


def test_a_response_is_told_from_a_page_by_its_first_character():
    assert looks_like_api_response('\ufeff\n  [{"paper": {}}]')
    assert looks_like_api_response('{"error": "x"}')
    assert not looks_like_api_response("new\n\nGet trending papers in your email inbox!\n")


def test_records_carry_the_line_they_start_on():
    text = '[\n  {"paper": 1},\n\n  {"paper":\n 2}, {"paper": 3}\n]'
    assert read_records(text, "x.json") == [(2, {"paper": 1}), (4, {"paper": 2}), (5, {"paper": 3})]


@pytest.mark.parametrize(("raw", "expected"), [
    ("One line, kept as it is: $x_1$ < *y* ", "One line, kept as it is: $x_1$ < *y*"),
    ("wrapped\nat eighty\r\ncolumns", "wrapped at eighty columns"),
    ("first.\n  Second paragraph.", "first.\n\nSecond paragraph."),
    ("first.\n\n\nSecond.\n \nThird.", "first.\n\nSecond.\n\nThird."),
    ("RLHF --\nvalue-incentivized", "RLHF -- value-incentivized"),
    ("keeps\u2028its\u00a0odd spaces", "keeps\u2028its\u00a0odd spaces"),
])
def test_abstracts_lose_arxivs_hard_line_breaks_but_keep_paragraphs(raw, expected):
    assert unwrap_abstract(raw) == expected


def test_titles_are_one_line():
    assert unwrap_title(" MAP-Neo: Highly Capable\n  Series ") == "MAP-Neo: Highly Capable Series"


# --- every recorded day, every era of the format -------------------------------


def recordings() -> list[Path]:
    return sorted(RECORDINGS.glob("*.json")) if RECORDINGS.is_dir() else SHIPPED


@pytest.mark.parametrize("path", recordings(), ids=lambda p: p.name)
def test_every_recorded_paper_reads_as_recorded(path):
    raw = json.loads(path.read_text(encoding="utf-8"))
    parsed = parse_api_dump(path.read_text(encoding="utf-8"), path.name)
    assert parsed.warnings == [] and len(parsed.entries) == len(raw)
    for entry, item in zip(parsed.entries, raw):
        paper = item["paper"]
        assert entry.arxiv == paper["id"]
        assert entry.title == " ".join(paper["title"].split())  # arXiv's wrapping undone
        assert entry.title.replace(" ", "") == "".join(paper["title"].split())
        assert entry.abstract.split() == paper["summary"].split()  # every word, in order
        assert entry.authors == tuple(a["name"] for a in paper["authors"] if not a["hidden"])
        assert entry.published.isoformat() == paper["publishedAt"][:10]
        assert entry.listed.isoformat() == (paper.get("submittedOnDailyAt") or path.stem)[:10]
        assert entry.upvotes == paper["upvotes"]
        assert entry.code == (paper.get("githubRepo") or None)
        assert entry.project == (paper.get("projectPage") or None)
        organization = paper.get("organization") or item.get("organization")
        assert entry.organization == (organization["fullname"].strip() if organization else None)


def test_the_recordings_cover_every_era():
    """Early days have no listing day, links or organisation; later ones have each."""
    if not RECORDINGS.is_dir():
        pytest.skip(f"no recordings in {RECORDINGS}")
    eras = {}
    for path in recordings():
        entries = parse_api_dump(path.read_text(encoding="utf-8"), path.name).entries
        eras[path.stem] = {k for k in ("code", "project", "organization")
                           if any(getattr(e, k) for e in entries)}
    assert eras["2024-05-30"] == set()
    assert eras["2025-03-12"] >= {"code", "project"} and "organization" not in eras["2025-03-12"]
    assert eras["2026-08-03"] >= {"code", "project"}
    assert any("organization" in found for day, found in eras.items() if day >= "2025-10")


_LINE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), min_size=1)


@settings(max_examples=200, deadline=None)
@given(title=_LINE.map(str.strip).filter(bool), abstract=_LINE.map(str.strip))
def test_any_title_and_abstract_on_one_line_survive_verbatim(title, abstract):
    (entry,) = parse(record(title=title, summary=abstract)).entries
    assert (entry.title, entry.abstract) == (title, abstract)
