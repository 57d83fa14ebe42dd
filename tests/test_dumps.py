from datetime import date

import pytest

from digest.dumps import (
    BLANK_LINE,
    COMPACT,
    METADATA,
    DumpError,
    added_date,
    decode_dump,
    label_lines,
    parse_dump,
    split_lines,
)

HEADER = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
    "byAK and the research community\n\nJan 26\n\n"
)
ABS1 = ("We study how large models learn. Our method improves accuracy by 14% over the "
        "baseline on three benchmarks, and we release code and data for everyone to use.")
ABS2 = ("Diffusion models are slow at inference time. We propose a distillation scheme that "
        "needs only four steps while matching the quality of the teacher on ImageNet.")
ABS3 = ("Agents that use tools fail in surprising ways. We collect a benchmark of failures "
        "and show that simple reflection fixes half of them without any extra training.")


def entries(text, name="d.txt"):
    return [(e.title, e.abstract) for e in parse_dump(text, name).entries]


def test_metadata_layout_reads_authors_organisation_date_and_upvotes():
    text = (HEADER + "First Paper\n\n" + ABS1 + "\n\n  • 4 authors\n·\nOct 13, 2025\n\n"
            "Second Paper\n\n" + ABS2 + "\n\nzai-org Z.ai\n·\nOct 13, 2025 2\n\n"
            "Third Paper\n\n" + ABS3)
    parsed = parse_dump(text, "m.txt")
    assert parsed.layout == METADATA
    assert parsed.header_day == (1, 26)
    first, second, third = parsed.entries
    assert (first.title, first.authors, first.organization, first.published, first.upvotes) == (
        "First Paper", 4, None, date(2025, 10, 13), None)
    assert (second.organization, second.authors, second.upvotes) == ("zai-org Z.ai", None, 2)
    assert (third.title, third.abstract, third.published, third.authors) == (
        "Third Paper", ABS3, None, None)
    assert [e.line for e in parsed.entries] == [13, 21, 29]
    assert parsed.warnings == []


def test_blank_line_layout():
    text = HEADER.replace("Jan 26", "Sep 17") + f"Alpha\n\n{ABS1}\n\nBeta\n\n{ABS2}\n"
    parsed = parse_dump(text, "b.txt")
    assert parsed.layout == BLANK_LINE
    assert parsed.header_day == (9, 17)
    assert entries(text) == [("Alpha", ABS1), ("Beta", ABS2)]


def test_compact_layout_unglues_first_title():
    text = ("Get trending papers in your email inbox once a day!\n"
            "Get trending papers in your email inbox!\n"
            f"SubscribeAlpha: a title\n{ABS1}\nBeta\n{ABS2}\n")
    parsed = parse_dump(text, "c.txt")
    assert parsed.layout == COMPACT
    assert parsed.header_day is None
    assert entries(text) == [("Alpha: a title", ABS1), ("Beta", ABS2)]
    assert [e.line for e in parsed.entries] == [3, 5]


def test_layout_comes_from_text_not_file_name():
    text = HEADER + f"Alpha\n\n{ABS1}\n"
    assert parse_dump(text, "001_compact_looking.txt").layout == BLANK_LINE


def test_crlf_bom_trailing_whitespace_and_no_final_newline():
    text = "\ufeff" + (HEADER + f"Alpha  \n\n{ABS1}\t\n\nBeta\n\n{ABS2}").replace("\n", "\r\n")
    assert entries(decode_dump(text.encode("utf-8"), "x.txt")) == [("Alpha", ABS1), ("Beta", ABS2)]


def test_text_that_looks_like_metadata_stays_in_the_abstract():
    tricky = ("A survey with 14 authors as of May 24, 2024 · costs $5 and \\alpha < \\beta > "
              "gamma; Greek αβγ and 中文 stay. <script>alert(1)</script> {{ 7*7 }} *x* a | b \\%.")
    text = HEADER + f"Title with $x$ and \\n\n\n{tricky}\n\n  • 14 authors\n·\nMay 24, 2024 7\n"
    parsed = parse_dump(text, "t.txt")
    assert [(e.title, e.abstract, e.authors, e.upvotes) for e in parsed.entries] == [
        ("Title with $x$ and \\n", tricky, 14, 7)]


def test_line_separator_characters_do_not_split_lines():
    abstract = ABS1 + " Odd\u2028separator and \x85 next-line."
    assert entries(HEADER + f"Alpha\n\n{abstract}\n") == [("Alpha", abstract)]
    assert [ln.text for ln in split_lines("a\u2028b\r\nc\rd")] == ["a\u2028b", "c", "d"]


@pytest.mark.parametrize("sep", ["\n", "\n\n"])
def test_missing_abstract_does_not_shift_later_pairs(sep):
    if sep == "\n":
        head = ("Get trending papers in your email inbox once a day!\n"
                "Get trending papers in your email inbox!\nSubscribe")
    else:
        head = HEADER
    body = sep.join(["Alpha", ABS1, "Lonely title without abstract", "Beta", ABS2, "Gamma", ABS3])
    parsed = parse_dump(head + body + "\n", "gap.txt")
    assert [(e.title, e.abstract) for e in parsed.entries] == [
        ("Alpha", ABS1), ("Beta", ABS2), ("Gamma", ABS3)]
    warning, *inferred = parsed.warnings
    assert (warning.code, warning.severity, warning.message) == (
        "W101", "warning", "title without an abstract; paper skipped")
    assert warning.line == (5 if sep == "\n" else 17)
    assert str(warning).startswith("gap.txt:")
    # The papers after the gap were paired by shape, not position: each is flagged.
    assert [(w.code, w.severity) for w in inferred] == [("W106", "warning")] * 2
    assert [w.line for w in inferred] == ([6, 8] if sep == "\n" else [19, 23])


def test_missing_abstract_in_metadata_layout_keeps_metadata_on_its_paper():
    text = (HEADER + f"Alpha\n\n  • 3 authors\n·\nJan 2, 2024\n\nBeta\n\n{ABS2}\n\n"
            "  • 5 authors\n·\nFeb 3, 2024 9\n")
    parsed = parse_dump(text, "m.txt")
    assert [(e.title, e.authors, e.upvotes) for e in parsed.entries] == [("Beta", 5, 9)]
    assert [(w.code, w.line) for w in parsed.warnings] == [("W101", 13)]


def test_metadata_of_a_paper_missing_its_abstract_is_not_given_to_the_paper_before():
    text = (HEADER + f"Alpha\n\n{ABS1}\n\nBeta\n\n  • 2 authors\n·\nOct 14, 2025 7\n\n"
            f"Gamma\n\n{ABS3}\n\n  • 5 authors\n·\nOct 15, 2025 3\n")
    parsed = parse_dump(text, "m.txt")
    assert [(e.title, e.authors, e.published, e.upvotes) for e in parsed.entries] == [
        ("Alpha", None, None, None), ("Gamma", 5, date(2025, 10, 15), 3)]
    assert [(w.code, w.line) for w in parsed.warnings] == [("W101", 17)]


def test_metadata_of_a_paper_missing_its_title_is_not_given_to_the_paper_before():
    text = HEADER + f"Alpha\n\n{ABS1}\n\n{ABS2}\n\n  • 2 authors\n·\nOct 14, 2025 7\n"
    parsed = parse_dump(text, "m.txt")
    assert [(e.title, e.authors, e.upvotes) for e in parsed.entries] == [("Alpha", None, None)]
    assert [(w.code, w.line) for w in parsed.warnings] == [("W102", 17)]


@pytest.mark.parametrize("byline", ["Yahoo! Research", "Foo Inc. Research Lab", "S.A. Lab"])
def test_an_organisation_with_sentence_punctuation_is_still_a_byline(byline):
    text = HEADER + f"Alpha\n\n{ABS1}\n\n{byline}\n·\nOct 1, 2025 5\n"
    parsed = parse_dump(text, "m.txt")
    assert [(e.abstract, e.organization, e.upvotes) for e in parsed.entries] == [(ABS1, byline, 5)]
    assert parsed.warnings == []


def test_a_date_group_without_byline_keeps_the_abstract():
    text = (HEADER + f"Alpha\n\n{ABS1}\n\n·\nOct 13, 2025 12\n\n"
            f"Beta\n\n{ABS2}\n\nSnapchat Snapchat Inc.\n·\nOct 1, 2025\n")
    parsed = parse_dump(text, "m.txt")
    assert [(e.abstract, e.organization, e.published, e.upvotes) for e in parsed.entries] == [
        (ABS1, None, date(2025, 10, 13), 12), (ABS2, "Snapchat Snapchat Inc.", date(2025, 10, 1), None)]
    assert parsed.warnings == []


def test_stray_dot_nonexistent_date_and_orphan_metadata_are_warned_at_their_lines():
    text = (HEADER + f"Alpha\n\n{ABS1}\n\n  • 4 authors\n·\nFeb 30, 2025\n\n"
            f"  • 2 authors\n·\nOct 14, 2025 3\n\nBeta\n\n{ABS2}\n\n·\n")
    parsed = parse_dump(text, "m.txt")
    assert [(e.title, e.authors, e.published) for e in parsed.entries] == [
        ("Alpha", 4, None), ("Beta", None, None)]
    assert [(w.code, w.line) for w in parsed.warnings] == [("W104", 19), ("W105", 21), ("W103", 29)]


def test_abstract_without_title_is_reported():
    text = HEADER + f"Alpha\n\n{ABS1}\n\n{ABS2}\n\nGamma\n\n{ABS3}\n"
    parsed = parse_dump(text, "x.txt")
    assert [e.title for e in parsed.entries] == ["Alpha", "Gamma"]
    assert [(w.code, w.line) for w in parsed.warnings] == [("W102", 17), ("W106", 19)]


def test_one_sentence_abstract_and_long_title_pair_by_position():
    long_title = "A " + "very " * 30 + "long title about models"
    short_abstract = "We show that it works."
    text = HEADER + f"{long_title}\n\n{short_abstract}\n\nBeta\n\n{ABS2}\n"
    assert entries(text) == [(long_title, short_abstract), ("Beta", ABS2)]


def test_label_lines_prefers_alternation():
    assert label_lines(["T1", ABS1, "T2", ABS2]) == [0, 1, 0, 1]
    assert label_lines([]) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "x.txt: not a Daily Papers dump: the file is empty"),
        (b"  \n\n ", "x.txt: not a Daily Papers dump: the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "x.txt: not a Daily Papers dump: binary data (NUL bytes)"),
        (b"caf\xe9", "x.txt: not a Daily Papers dump: not UTF-8 text (invalid byte at offset 3)"),
        (b"Dear diary,\ntoday I read papers.\n",
         "x.txt:1: not a Daily Papers dump: expected the page header "
         "('Get trending papers in your email inbox!' ...), got 'Dear diary,'"),
        (HEADER.encode(), "x.txt: not a Daily Papers dump: a header but no papers"),
    ],
)
def test_files_that_are_not_dumps_are_errors(data, message):
    with pytest.raises(DumpError) as info:
        parse_dump(decode_dump(data, "x.txt"), "x.txt")
    assert str(info.value) == message


def test_added_date_infers_the_year():
    today = date(2026, 11, 25)
    assert added_date((1, 26), today, None) == date(2026, 1, 26)
    assert added_date((12, 1), today, None) == date(2025, 12, 1)
    assert added_date((2, 29), today, None) == date(2024, 2, 29)
    assert added_date(None, today, date(2026, 5, 1)) == date(2026, 5, 1)
    assert added_date(None, today, None) == today


COMPACT_HEAD = ("Get trending papers in your email inbox once a day!\n"
                "Get trending papers in your email inbox!\nSubscribe")


def test_compact_layout_pairs_by_position_whatever_the_lines_look_like():
    # A title ending in a full stop and a short unpunctuated abstract: a valid
    # dump whose lines alternate, so position decides and nothing is lost.
    short = "We add a gate to every transformer block and train it end to end"
    lines = ["Scaling Laws Revisited.", ABS1, "Beta", short, "Gamma networks", ABS3]
    parsed = parse_dump(COMPACT_HEAD + "\n".join(lines) + "\n", "c.txt")
    assert parsed.layout == COMPACT
    assert entries(COMPACT_HEAD + "\n".join(lines) + "\n") == [
        ("Scaling Laws Revisited.", ABS1), ("Beta", short), ("Gamma networks", ABS3)]
    assert parsed.warnings == []


def test_a_line_too_long_for_a_title_is_never_paired_as_one():
    long_abstract = ABS2 + " " + ABS3  # an abstract whose title was lost
    lines = ["Alpha", ABS1, long_abstract, "Gamma", ABS3]
    parsed = parse_dump(COMPACT_HEAD + "\n".join(lines) + "\n", "c.txt")
    assert [(e.title, e.abstract) for e in parsed.entries] == [("Alpha", ABS1), ("Gamma", ABS3)]
    assert [(w.code, w.line) for w in parsed.warnings] == [("W102", 5), ("W106", 6)]
    assert all(len(e.title) <= 300 for e in parsed.entries)
