from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import main
from digest.ids import title_key
from digest.dumps import decode_dump, parse_dump

ROOT = Path(__file__).resolve().parents[1]
DUMPS = ROOT / "content" / "dumps"
SEEDS = sorted(DUMPS.glob("*.txt"))  # the four text dumps; DUMPS holds API responses too
CORPUS = ROOT.parent / "shared" / "corpus" / "scale"
ABS = ("We propose a method that works well on many benchmarks. It is simple, fast and it "
       "comes with code that everybody can run on a laptop in a few minutes.")
HEADER = ("new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
          "byAK and the research community\n\nJan 26\n\n")


def ingest(content, *args):
    result = CliRunner().invoke(main, ["ingest", "--content", str(content), "--today",
                                       "2026-11-25", "-q", *map(str, args)])
    return result


@pytest.fixture
def dumps(tmp_path):
    """An empty dumps folder beside the content (tmp_path)."""
    folder = tmp_path / "dumps"
    folder.mkdir()
    return folder


def snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(Path(folder).glob("*.yaml"))}


def test_seeds_ledger_and_library(tmp_path):
    result = ingest(tmp_path, *SEEDS)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["dump", "layout", "entries", "new", "merged", "warnings"]
    assert lines[1].split() == ["000_cba90ecda3dd230a.txt", "metadata", "34", "34", "0", "0"]
    assert lines[5].split() == ["total", "4", "387", "365", "22", "0"]
    assert lines[6] == "wrote 365 new and updated 0 paper file(s); 365 file(s) changed"
    papers = snapshot(tmp_path / "papers")
    assert len(papers) == 365
    # Re-ingest with nothing new: byte-identical, nothing written.
    again = ingest(tmp_path, *SEEDS)
    assert again.output.splitlines()[-1] == "wrote 0 new and updated 0 paper file(s); 0 file(s) changed"
    assert snapshot(tmp_path / "papers") == papers


def test_seed_titles_abstracts_and_metadata_are_exact(tmp_path):
    from digest.reader import read_library

    ingest(tmp_path, *SEEDS)
    papers = {title_key(p.title): p for p in read_library(tmp_path).papers}
    expected = [e for f in SEEDS
                for e in parse_dump(decode_dump(f.read_bytes(), f.name), f.name).entries]
    assert len(expected) == 387 and len(papers) == 365
    for e in expected:
        paper = papers[title_key(e.title)]
        assert (paper.title, paper.abstract) == (e.title, e.abstract)
    with_meta = [e for e in expected if e.source.startswith("000_") and e.published]
    assert len(with_meta) == 33
    for e in with_meta:
        paper = papers[title_key(e.title)]
        assert (paper.author_count or paper.organization) and paper.published == e.published
        assert paper.upvotes == e.upvotes or (paper.upvotes or 0) > (e.upvotes or 0)
    zai = papers[title_key("Boundary-Guided Policy Optimization for Memory-efficient RL of "
                           "Diffusion Large Language Models")]
    assert (zai.organization, zai.upvotes, str(zai.published), str(zai.added)) == (
        "zai-org Z.ai", 2, "2025-10-13", "2026-01-26")


def test_shipped_library_is_what_ingest_makes(tmp_path):
    result = ingest(tmp_path, DUMPS)
    assert result.exit_code == 0
    assert snapshot(tmp_path / "papers") == snapshot(ROOT / "content" / "papers")


def test_curator_edits_and_comments_survive_a_new_dump(tmp_path, dumps):
    (dumps / "a.txt").write_text(HEADER + f"Alpha Paper\n\n{ABS}\n")
    ingest(tmp_path, dumps)
    path = tmp_path / "papers" / "alpha-paper.yaml"
    curated = path.read_text().replace("title: Alpha Paper", "title: 'Alpha: Paper'  # curated") + (
        "themes: [llm]\nnote: |\n  See *also* the blog.\n")
    path.write_text(curated)
    (dumps / "b.txt").write_text(HEADER.replace("Jan 26", "Feb 2") + f"Alpha Paper\n\n{ABS}\n\n"
                                 "  • 3 authors\n·\nJan 5, 2026 12\n")
    result = ingest(tmp_path, dumps)
    assert result.output.splitlines()[-1] == "wrote 0 new and updated 1 paper file(s); 1 file(s) changed"
    text = path.read_text()
    assert "title: 'Alpha: Paper'  # curated\n" in text
    assert text.endswith("themes: [llm]\nnote: |\n  See *also* the blog.\n")
    assert "published: 2026-01-05\nauthors: 3\nupvotes: 12\nadded: 2026-01-26\n" in text
    assert "  - a.txt\n  - b.txt\n" in text
    before = snapshot(tmp_path / "papers")
    ingest(tmp_path, dumps)
    assert snapshot(tmp_path / "papers") == before


def test_a_bad_dump_leaves_the_library_untouched(tmp_path, dumps):
    (dumps / "a.txt").write_text(HEADER + f"Alpha\n\n{ABS}\n")
    (dumps / "b.txt").write_bytes(b"\x00\x01binary")
    (dumps / "c.txt").write_text("")
    result = ingest(tmp_path, dumps)
    assert result.exit_code == 1
    assert f"{dumps / 'b.txt'}: not a Daily Papers dump: binary data (NUL bytes)" in result.output
    assert f"{dumps / 'c.txt'}: not a Daily Papers dump: the file is empty" in result.output
    assert "2 dump(s) refused; nothing written" in result.output
    assert not (tmp_path / "papers").exists()


def test_a_paper_file_ingest_cannot_update_is_a_clean_error_and_nothing_is_written(tmp_path, dumps):
    (dumps / "a.txt").write_text(HEADER + f"Alpha\n\n{ABS}\n\nBeta\n\n{ABS}!\n")
    ingest(tmp_path, dumps)
    path = tmp_path / "papers" / "alpha.yaml"
    path.write_text(path.read_text() + "upvotes: 9\nupvotes: 10\n")
    before = snapshot(tmp_path / "papers")
    (dumps / "b.txt").write_text(HEADER + f"Alpha\n\n{ABS}\n\nBeta\n\n{ABS}!\n\nGamma\n\n{ABS}?\n")
    result = ingest(tmp_path, dumps)
    assert result.exit_code == 1
    assert (f"{path.as_posix()}:9:1: Y002 duplicate key \"upvotes\": expected each key once, "
            "got it again (first on line 8)") in result.output
    assert "nothing ingested" in result.output
    assert "Traceback" not in result.output
    assert snapshot(tmp_path / "papers") == before


def test_dry_run_writes_nothing_and_warnings_name_file_and_line(tmp_path, dumps):
    (dumps / "a.txt").write_text(HEADER + f"Alpha\n\nOrphan title\n\nBeta\n\n{ABS}\n")
    result = CliRunner().invoke(
        main, ["ingest", "--content", str(tmp_path), "--today", "2026-11-25", "--dry-run", str(dumps)])
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "dry run: would write 1 new and update 0 paper file(s)"
    assert "warning: a.txt:13:1: W101 title without an abstract; paper skipped" in result.stderr
    assert "warning: a.txt:15:1: W101 title without an abstract; paper skipped" in result.stderr
    assert not (tmp_path / "papers").exists()


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/scale is absent")
def test_real_corpus(tmp_path):
    from digest.reader import read_library

    result = ingest(tmp_path, CORPUS)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-2].split() == ["total", "62", "10272", "9877", "395", "0"]
    papers = {title_key(p.title): p for p in read_library(tmp_path).papers}
    assert len(papers) == 9877
    for f in sorted(CORPUS.glob("*.txt")):
        for e in parse_dump(decode_dump(f.read_bytes(), f.name), f.name).entries:
            assert (papers[title_key(e.title)].title, papers[title_key(e.title)].abstract) == (
                e.title, e.abstract)


def test_a_content_folder_without_dumps_is_one_clean_error(tmp_path):
    result = CliRunner().invoke(main, ["ingest", "--content", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: {tmp_path / 'dumps'}: no such file or folder (expected dump files, or a folder "
        "of them; with --content DIR, dumps are read from DIR/dumps)"]


# --- API responses (JSON dumps) beside the text dumps ----------------------------


def api_record(title, arxiv, **paper):
    names = paper.pop("names", ["Ada Lovelace", "Alan Turing"])
    return {"paper": {"id": arxiv, "title": title, "summary": ABS, "upvotes": 7,
                      "authors": [{"name": n, "hidden": False} for n in names],
                      "publishedAt": "2026-01-05T10:00:00.000Z", **paper},
            "title": title}


def write_api(folder, name, *records):
    import json

    (folder / name).write_text(json.dumps(list(records), indent=2), encoding="utf-8")


def test_a_response_is_recognised_by_its_content_and_its_papers_get_every_fact(tmp_path, dumps):
    write_api(dumps, "saved.txt", api_record("Alpha Paper", "2601.00001", githubRepo="https://github.com/a/b",
                                            submittedOnDailyAt="2026-01-26T00:00:00.000Z"))
    result = ingest(tmp_path, dumps)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1].split() == ["saved.txt", "api", "1", "1", "0", "0"]
    text = (tmp_path / "papers" / "alpha-paper.yaml").read_text()
    assert text.split("\n", 4)[4] == (
        'arxiv: "2601.00001"\npublished: 2026-01-05\nlisted: 2026-01-26\n'
        "authors:\n  - Ada Lovelace\n  - Alan Turing\nupvotes: 7\ncode: https://github.com/a/b\n"
        "added: 2026-01-26\nsources:\n  - saved.txt\n")


def test_a_broken_response_names_the_file_and_nothing_is_written(tmp_path, dumps):
    (dumps / "a.txt").write_text(HEADER + f"Alpha\n\n{ABS}\n")
    (dumps / "2026-01-27.json").write_text('[{"paper": {"id": "2601.00001", "title": "Al')
    result = ingest(tmp_path, dumps)
    assert result.exit_code == 1
    assert (f"{dumps / '2026-01-27.json'}:1: not a Daily Papers API response: invalid JSON: "
            "Unterminated string starting at (column 42)") in result.output
    assert not (tmp_path / "papers").exists()


def two_sources(folder):
    """A text dump and an API response holding the same paper (same title)."""
    text, api = folder / "text", folder / "api"
    text.mkdir()
    api.mkdir()
    (text / "000_page.txt").write_text(HEADER + f"Alpha paper\n\n{ABS}\n\n  • 2 authors\n·\n"
                                       "Jan 5, 2026 3\n\nBeta\n\n{ABS}!\n".replace("{ABS}", ABS))
    write_api(api, "2026-01-27.json", api_record("Alpha paper", "2601.00001", upvotes=9,
                                                 organization={"fullname": "Analytical Engines"}),
              api_record("Gamma", "2601.00002"))
    return text, api


@pytest.mark.parametrize("order", ["text first", "api first"])
def test_one_paper_from_a_text_dump_and_a_response_whatever_the_order(tmp_path, order):
    text, api = two_sources(tmp_path)
    together = tmp_path / "together"
    assert ingest(together, text / "000_page.txt", api / "2026-01-27.json").exit_code == 0
    apart = tmp_path / "apart"
    for folder in ([text, api] if order == "text first" else [api, text]):
        result = ingest(apart, folder)
        assert result.exit_code == 0, result.output
    assert snapshot(apart / "papers") == snapshot(together / "papers")
    alpha = (apart / "papers" / "alpha-paper.yaml").read_text()
    assert alpha.split("\n", 4)[4] == (
        'arxiv: "2601.00001"\npublished: 2026-01-05\nlisted: 2026-01-27\n'
        "authors:\n  - Ada Lovelace\n  - Alan Turing\norganization: Analytical Engines\n"
        "upvotes: 9\nadded: 2026-01-26\nsources:\n  - 000_page.txt\n  - 2026-01-27.json\n")
    assert sorted(snapshot(apart / "papers")) == ["alpha-paper.yaml", "beta.yaml", "gamma.yaml"]


def test_a_paper_listed_on_two_days_is_one_entry_found_by_its_arxiv_id(tmp_path, dumps):
    write_api(dumps, "2026-01-27.json", api_record("Alpha", "2601.00001", upvotes=3))
    write_api(dumps, "2026-01-28.json", api_record("Alpha (retitled)", "2601.00001v2", upvotes=12,
                                                  names=["Ada Lovelace"]))
    result = ingest(tmp_path, dumps)
    assert result.output.splitlines()[-2].split() == ["total", "2", "2", "1", "1", "0"]
    text = (tmp_path / "papers" / "alpha.yaml").read_text()
    assert "title: Alpha\n" in text and 'arxiv: "2601.00001"\n' in text
    assert "listed: 2026-01-27\nauthors:\n  - Ada Lovelace\n  - Alan Turing\nupvotes: 12\n" in text


def test_a_curators_author_list_and_removed_fact_survive_a_new_response(tmp_path):
    text, api = two_sources(tmp_path)
    ingest(tmp_path, text / "000_page.txt")
    path = tmp_path / "papers" / "alpha-paper.yaml"
    curated = path.read_text().replace("published: 2026-01-05\n", "").replace(
        "authors: 2\n", "authors:  # checked on arXiv\n  - A. Lovelace\n  - A. M. Turing\n")
    path.write_text(curated)
    result = ingest(tmp_path, text / "000_page.txt", api / "2026-01-27.json")
    assert result.exit_code == 0, result.output
    after = path.read_text()
    assert "authors:  # checked on arXiv\n  - A. Lovelace\n  - A. M. Turing\n" in after
    assert "published" not in after  # removed by the curator, not brought back
    assert 'arxiv: "2601.00001"\n' in after and "organization: Analytical Engines\n" in after


RECORDINGS = ROOT.parent / "shared" / "hf-api"


@pytest.mark.corpus
@pytest.mark.skipif(not RECORDINGS.is_dir(), reason="../shared/hf-api is absent")
def test_every_recorded_day_ingests_with_its_papers_facts(tmp_path):
    import json

    from digest.reader import read_library

    result = ingest(tmp_path, RECORDINGS, *SEEDS)
    assert result.exit_code == 0, result.output
    by_arxiv = {p.arxiv: p for p in read_library(tmp_path, themes=False).papers if p.arxiv}
    records = [(path.stem, item["paper"]) for path in sorted(RECORDINGS.glob("*.json"))
               for item in json.loads(path.read_text(encoding="utf-8"))]
    assert len(records) == 450 and len(by_arxiv) == len({r["id"] for _, r in records})
    for day, record in records:
        paper = by_arxiv[record["id"]]
        assert paper.title == " ".join(record["title"].split())
        assert paper.authors == tuple(a["name"] for a in record["authors"] if not a["hidden"])
        assert paper.author_count == len(paper.authors)
        assert (str(paper.published), str(paper.listed)) == (
            record["publishedAt"][:10], (record.get("submittedOnDailyAt") or day)[:10])
        assert paper.upvotes == record["upvotes"] and f"{day}.json" in paper.sources
    # The two seed papers the recordings list too are one entry each, with both sources.
    both = [p for p in by_arxiv.values() if any(s.endswith(".txt") for s in p.sources)]
    assert sorted(p.arxiv for p in both) == ["2410.10672", "2508.18672"]


def test_api_facts_win_over_a_text_dumps_whichever_came_first(tmp_path):
    text, api = two_sources(tmp_path)
    page = text / "000_page.txt"
    page.write_text(page.read_text().replace("  • 2 authors\n", "Text Org\n").replace(
        "Jan 5, 2026 3", "Jan 4, 2026 3"))
    files = (page, api / "2026-01-27.json")
    libraries = {}
    for history, first in (("together", None), ("text first", files[0]), ("api first", files[1])):
        content = tmp_path / history
        if first is not None:
            assert ingest(content, first).exit_code == 0
        result = ingest(content, *files)  # all of the paper's dumps, as `digest ingest` reads them
        assert result.exit_code == 0, result.output
        libraries[history] = snapshot(content / "papers")
    assert libraries["text first"] == libraries["together"] == libraries["api first"]
    alpha = libraries["together"]["alpha-paper.yaml"].decode()
    assert "published: 2026-01-05\n" in alpha and "organization: Analytical Engines\n" in alpha
