from datetime import date


from digest.library import merge_entries, write_library
from digest.model import RawEntry
from digest.reader import read_library


D1, D2 = date(2026, 1, 26), date(2026, 2, 1)


def entry(title, source, **facts):
    return RawEntry(title=title, abstract=f"About {title}.", source=source, line=1, **facts)


def test_same_title_in_two_dumps_is_one_paper_with_merged_facts():
    merge = merge_entries([
        ("b.txt", [entry("Deep  Nets", "b.txt", upvotes=3)], D2),
        ("a.txt", [entry("deep nets", "a.txt", published=date(2025, 1, 1), upvotes=1,
                         organization="org Org")], D1),
    ], {})
    assert list(merge.new) == ["deep-nets"]
    paper = merge.new["deep-nets"]
    assert (paper["title"], paper["published"], paper["organization"], paper["upvotes"],
            paper["added"], paper["sources"]) == (
        "Deep  Nets", date(2025, 1, 1), "org Org", 3, D1, ["a.txt", "b.txt"])
    assert merge.counts == {"b.txt": [1, 1, 0], "a.txt": [1, 0, 1]}


def test_a_dump_already_seen_changes_nothing():
    existing = {"x": {"id": "x", "title": "X", "abstract": "A.", "added": D1, "upvotes": 1,
                      "sources": ["a.txt"]}}
    merge = merge_entries([("a.txt", [entry("X", "a.txt", upvotes=99)], D1)], existing)
    assert (merge.new, merge.changed) == ({}, {})


def test_new_dump_fills_gaps_and_keeps_curated_values():
    existing = {"x": {"id": "x", "title": "X", "abstract": "A.", "added": D1, "upvotes": 5,
                      "organization": "Curated Org", "sources": ["a.txt"]}}
    merge = merge_entries([("b.txt", [entry("X", "b.txt", upvotes=2, organization="Other",
                                            published=date(2025, 3, 3), authors=4)], D2)], existing)
    assert merge.changed == {"x": {"published": date(2025, 3, 3), "authors": 4,
                                   "sources": ["a.txt", "b.txt"]}}


def test_paper_is_found_by_id_after_a_curator_edits_its_title():
    existing = {"deep-nets": {"id": "deep-nets", "title": "Deep Networks (curated)",
                              "abstract": "About Deep Nets.", "added": D1, "sources": ["a.txt"]}}
    merge = merge_entries([("b.txt", [entry("Deep Nets", "b.txt")], D2)], existing)
    assert merge.new == {}
    assert merge.changed == {"deep-nets": {"sources": ["a.txt", "b.txt"]}}


def test_another_paper_whose_title_slugs_alike_is_not_merged_into_an_edited_one():
    existing = {"foo-bar": {"id": "foo-bar", "title": "Foo: Bar (revised)", "abstract": "About Foo: Bar.",
                            "added": D1, "sources": ["a.txt"]}}
    merge = merge_entries([("b.txt", [entry("Foo Bar!", "b.txt", authors=9, upvotes=77)], D2)], existing)
    assert merge.changed == {}
    assert [(pid.startswith("foo-bar-"), p["title"]) for pid, p in merge.new.items()] == [(True, "Foo Bar!")]


def test_re_ingest_finds_an_edited_paper_under_its_hash_suffixed_id():
    first = merge_entries([("a.txt", [entry("Foo: Bar", "a.txt"), entry("Foo Bar?", "a.txt")], D1)], {})
    hashed = next(pid for pid in first.new if pid != "foo-bar")
    library = {pid: dict(fields) for pid, fields in first.new.items()}
    library[hashed]["title"] = "Foo Bar? (typo fixed)"
    again = merge_entries([("a.txt", [entry("Foo: Bar", "a.txt"), entry("Foo Bar?", "a.txt")], D1)], library)
    assert (again.new, again.changed, again.counts) == ({}, {}, {"a.txt": [2, 0, 2]})


def test_slug_collision_gets_a_title_hash_suffix():
    merge = merge_entries([("a.txt", [entry("Deep Nets", "a.txt"), entry("Deep: Nets!", "a.txt")], D1)], {})
    assert sorted(merge.new) == ["deep-nets", "deep-nets-" + merge_entries(
        [("a.txt", [entry("Deep: Nets!", "a.txt")], D1)], {"deep-nets": {"title": "Deep Nets"}}
    ).new.popitem()[0].rsplit("-", 1)[1]]


def test_write_and_load_round_trip(tmp_path):
    merge = merge_entries([("a.txt", [entry("no", "a.txt", authors=2)], D1)], {})
    written = write_library(tmp_path / "papers", merge)
    assert [p.name for p in written] == ["no.yaml"]
    (paper,) = read_library(tmp_path, themes=False).papers
    assert (paper.id, paper.title, paper.author_count, paper.added, paper.sources) == (
        "no", "no", 2, D1, ("a.txt",))
    assert not list((tmp_path / "papers").glob(".*.tmp"))


def test_a_fact_the_curator_changed_or_removed_is_not_overwritten_by_a_new_dump():
    a = ("a.txt", [entry("X", "a.txt", upvotes=40, organization="Org A")], D1)
    b = ("b.txt", [entry("X", "b.txt", upvotes=50, organization="Org B", authors=3)], D2)
    first = merge_entries([a], {})
    paper = dict(first.new["x"], upvotes=1)  # the curator lowered upvotes
    del paper["organization"]  # and removed the organisation
    merge = merge_entries([a, b], {"x": paper})
    assert merge.changed == {"x": {"authors": 3, "sources": ["a.txt", "b.txt"]}}
    # Untouched facts still follow the dumps: the highest upvotes win.
    merge = merge_entries([a, b], {"x": dict(first.new["x"])})
    assert merge.changed["x"]["upvotes"] == 50


def test_without_the_papers_own_dumps_a_new_dump_keeps_the_highest_upvotes():
    first = merge_entries([("a.txt", [entry("X", "a.txt", upvotes=40)], D1)], {})
    paper = dict(first.new["x"], upvotes=1)
    merge = merge_entries([("b.txt", [entry("X", "b.txt", upvotes=50)], D2)], {"x": paper})
    assert merge.changed["x"]["upvotes"] == 50


def test_a_later_duplicate_in_one_dump_is_not_mistaken_for_a_curator_edit():
    a = ("a.txt", [entry("X", "a.txt", upvotes=10), entry("X", "a.txt", upvotes=20, authors=2)], D1)
    first = merge_entries([a], {})
    assert (first.new["x"]["upvotes"], first.new["x"]["authors"]) == (10, None)
    merge = merge_entries([a, ("b.txt", [entry("X", "b.txt", upvotes=15, authors=4)], D2)],
                          {"x": dict(first.new["x"])})
    assert merge.changed["x"] == {"authors": 4, "upvotes": 15, "sources": ["a.txt", "b.txt"]}


