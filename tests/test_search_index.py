"""digest/search_index.py: Pagefind over the built site, read back from its index files."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from digest import search_index
from digest.model import DigestError
from digest.search_index import index_site, indexed_pages, parse_summary
from digest.site import build_site
from test_browser import papers, shown_day, theme_names  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
# The closing lines of a real `pagefind` run (1.5.2).
SUMMARY = """[Building search indexes]
Total:
  Indexed 1 language
  Indexed 365 pages
  Indexed 5872 words
  Indexed 2 filters
  Indexed 0 sorts

Finished in 0.850 seconds
"""


@pytest.fixture(scope="module")
def records(built_site) -> dict[str, dict]:
    return {record["url"]: record for record in indexed_pages(built_site)}


def test_parse_summary_reads_pagefinds_counts():
    assert parse_summary(SUMMARY) == search_index.IndexResult(pages=365, words=5872, filters=2)
    assert parse_summary("Indexed 1 page\nIndexed 1 word\nIndexed 1 filter") == (
        search_index.IndexResult(1, 1, 1))


def test_the_command_indexes_only_the_paper_pages(tmp_path):
    command = search_index.pagefind_command(tmp_path)
    assert Path(command[0]).is_file()  # the binary the pagefind[bin] wheel ships
    assert command[1:] == ["--site", str(tmp_path), "--glob", "papers/*/index.html",
                           "--output-subdir", "pagefind", "--force-language", "en"]


def test_the_index_holds_exactly_the_visible_papers(records, papers):
    assert sorted(records) == sorted(f"/{p['url']}" for p in papers)
    assert len(records) == len(papers) > 0


def test_each_record_has_the_title_date_themes_and_year_the_page_shows(records, papers, theme_names):
    for paper in papers:
        record = records[f"/{paper['url']}"]
        assert record["meta"]["title"] == paper["title"], paper["id"]
        kind = {"added": "added to the digest"}.get(paper["date_kind"], paper["date_kind"])
        assert record["meta"]["date"] == f"{kind} {shown_day(paper['date'])}", paper["id"]
        assert record["filters"] == {"theme": [theme_names[t] for t in paper["themes"]],
                                     "year": [paper["date"][:4]]}, paper["id"]


def test_each_record_holds_title_abstract_authors_organisation_and_nothing_else(records, papers):
    for paper in papers:
        content = records[f"/{paper['url']}"]["content"]
        # Pagefind ends a heading with a full stop when it has none.
        assert content.startswith(paper["title"]), paper["id"]
        # The organisation as shown: a copied page's "<handle> <name>" shows the name.
        facts = [paper["organization"].split(" ", 1)[-1]] if paper["organization"] else []
        for text in facts:
            assert text in content, (paper["id"], text)
        # Dates, counts, sources and the theme explanation are not searched.
        for label in ("Upvotes", "Sources", "Themes assigned", "added ", "published "):
            assert label not in content.replace(paper["abstract"], "").replace(paper["title"], ""), (
                paper["id"], label)
    with_abstract = [p for p in papers if p["abstract"]]
    assert all(" ".join(p["abstract"].split()[:8]) in records[f"/{p['url']}"]["content"]
               for p in with_abstract)


def test_theme_and_year_counts_over_the_index_match_papers_json(records, papers, theme_names):
    themes = Counter(t for r in records.values() for t in r["filters"]["theme"])
    assert themes == Counter(theme_names[t] for p in papers for t in p["themes"])
    years = Counter(y for r in records.values() for y in r["filters"]["year"])
    assert years == Counter(p["date"][:4] for p in papers)


# --- failures publish nothing ------------------------------------------------------


def small_library(folder: Path, papers: int = 3) -> Path:
    content = folder / "content"
    (content / "papers").mkdir(parents=True)
    (content / "themes.yml").write_bytes((CONTENT / "themes.yml").read_bytes())
    for path in sorted((CONTENT / "schema").iterdir()):
        (content / "schema").mkdir(exist_ok=True)
        (content / "schema" / path.name).write_bytes(path.read_bytes())
    for path in sorted((CONTENT / "papers").glob("*.yaml"))[:papers]:
        (content / "papers" / path.name).write_bytes(path.read_bytes())
    return content


def test_author_names_tags_and_organisation_are_searched_but_an_author_count_is_not(tmp_path):
    from digest import yamlio
    from digest.model import PAPER_FIELDS

    content = small_library(tmp_path, papers=1)
    papers = {
        "named": {"id": "named", "title": "Named authors", "abstract": "An abstract.",
                  "authors": ["Ada Lovelace", "Alan Turing"], "organization": "Z.ai",
                  "tags": ["Wombat-tag", "μP"]},
        "counted": {"id": "counted", "title": "Counted authors", "abstract": "Another abstract.",
                    "authors": 7},
    }
    for fields in papers.values():
        fields = {**fields, "added": date(2026, 1, 26), "sources": ["test.txt"]}
        (content / "papers" / f"{fields['id']}.yaml").write_text(
            yamlio.dump_paper({k: fields[k] for k in PAPER_FIELDS if k in fields}), encoding="utf-8")
    build_site(content, tmp_path / "site", progress=False, docs_dir=tmp_path / "docs")
    records = {r["url"]: r["content"] for r in indexed_pages(tmp_path / "site")}
    assert records["/papers/named/"] == (
        "Named authors. An abstract. Ada Lovelace, Alan Turing Z.ai Wombat-tag, μP")
    assert records["/papers/counted/"] == "Counted authors. Another abstract."


def test_papers_whose_ids_mkdocs_reads_as_index_pages_are_indexed_at_their_urls(tmp_path):
    from digest import yamlio

    content = small_library(tmp_path, papers=1)
    for paper_id in ("index", "readme"):
        fields = {"id": paper_id, "title": f"A paper called {paper_id}", "abstract": "An abstract.",
                  "added": date(2026, 1, 26), "sources": ["test.txt"]}
        (content / "papers" / f"{paper_id}.yaml").write_text(yamlio.dump_paper(fields), encoding="utf-8")
    build_site(content, tmp_path / "site", progress=False, docs_dir=tmp_path / "docs")
    urls = {r["url"] for r in indexed_pages(tmp_path / "site")}
    assert {"/papers/index/", "/papers/readme/"} <= urls and len(urls) == 3


def fake_pagefind(monkeypatch, output: str, status: int) -> None:
    script = f"import sys; print({output!r}); sys.exit({status})"
    monkeypatch.setattr(search_index, "pagefind_command", lambda site: [sys.executable, "-c", script])


@pytest.mark.parametrize("output, status, message", [
    ("Error: Failed to parse the site", 1, r"Pagefind failed \(exit 1\): Error: Failed to parse the site"),
    ("Indexed 2 pages", 0, r"Pagefind indexed 2 pages, expected the 3 paper pages; nothing published"),
    ("Did not find a data-pagefind-body element on the site.\nIndexed 3 pages", 0,
     r"Pagefind found no data-pagefind-body on the paper pages \(site_templates/paper.md.j2\); "
     "nothing published"),
])
def test_a_failed_index_raises_and_leaves_the_site_as_it_was(tmp_path, monkeypatch, output, status, message):
    content = small_library(tmp_path)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("the previous build\n", encoding="utf-8")
    fake_pagefind(monkeypatch, output, status)
    with pytest.raises(DigestError, match=message):
        build_site(content, site, progress=False, docs_dir=tmp_path / "docs")
    assert [p.name for p in site.iterdir()] == ["index.html"]
    assert (site / "index.html").read_text(encoding="utf-8") == "the previous build\n"
    assert not (tmp_path / ".site.staging").exists()


def test_a_missing_binary_is_one_clean_error(tmp_path, monkeypatch):
    monkeypatch.setattr(search_index, "pagefind_command", lambda site: [str(tmp_path / "no-pagefind")])
    with pytest.raises(DigestError, match=r"Pagefind could not be started: .*no-pagefind"):
        index_site(tmp_path, 0)


# --- the preview -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_digest_serve_previews_a_searchable_site(tmp_path):
    content = small_library(tmp_path)
    address = f"127.0.0.1:{free_port()}"
    server = subprocess.Popen([sys.executable, "-m", "digest", "serve", "--content", str(content),
                               "--dev-addr", address], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://{address}/pagefind/pagefind-entry.json") as reply:
                    entry = json.load(reply)
                break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "no search index served within 120 s"
                time.sleep(0.5)
        assert entry["languages"]["en"]["page_count"] == 3
        with urllib.request.urlopen(f"http://{address}/") as reply:
            assert 'class="paper-search"' in reply.read().decode("utf-8")
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_missing_binary_alongside_mkdocs_fails_the_build_and_keeps_the_site(tmp_path, monkeypatch):
    content = small_library(tmp_path)
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.setattr(search_index, "pagefind_command", lambda site: [str(tmp_path / "no-pagefind")])
    with pytest.raises(DigestError, match=r"Pagefind failed \(exit 1\): Error: Pagefind could not be "
                                          r"started: .*no-pagefind"):
        build_site(content, site, progress=False, docs_dir=tmp_path / "docs")
    assert list(site.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="reads Linux's /proc")
def test_a_failed_mkdocs_ends_the_indexer_and_its_pagefind_at_once(tmp_path, monkeypatch):
    from digest import site as site_module

    content = small_library(tmp_path)
    marker = tmp_path / "pagefind-still-ran"
    # A Pagefind that would take a minute, then leave a mark.
    script = f"import time, pathlib; time.sleep(60); pathlib.Path({str(marker)!r}).touch()"
    monkeypatch.setattr(search_index, "pagefind_command", lambda site: [sys.executable, "-c", script])

    def failing_mkdocs(*args, **kwargs):
        time.sleep(1)  # the indexer has started Pagefind by now
        raise DigestError("MkDocs failed: a broken link")

    monkeypatch.setattr(site_module, "run_mkdocs", failing_mkdocs)
    started = time.perf_counter()
    with pytest.raises(DigestError, match="MkDocs failed"):
        build_site(content, tmp_path / "site", progress=False, docs_dir=tmp_path / "docs")
    assert time.perf_counter() - started < 30
    assert [line for line in command_lines() if str(marker) in line] == []


def command_lines() -> list[str]:
    """The command line of every process running here (Linux's /proc)."""
    lines = []
    for entry in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            lines.append(entry.read_bytes().replace(b"\0", b" ").decode("utf-8", "replace"))
        except OSError:
            pass  # ended meanwhile
    return lines


def test_the_indexer_child_imports_this_digest_whatever_is_installed():
    env = search_index._child_env()
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(ROOT)
    found = subprocess.run([sys.executable, "-c", "import digest; print(digest.__file__)"], env=env,
                           cwd="/", capture_output=True, text=True)
    assert found.stdout.strip() == str(ROOT / "digest" / "__init__.py")
