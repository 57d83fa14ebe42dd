"""`digest build` as a maintainer or a pull request's CI runs it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import main

ROOT = Path(__file__).resolve().parents[1]


def build(project: Path, *args: str, **env: str):
    return CliRunner().invoke(main, ["build", "--content", str(project / "content"),
                                     "--site", str(project / "site"), *args], env=env)


def test_build_quiet_makes_the_site_and_prints_nothing(project):
    result = build(project, "--quiet")
    assert (result.exit_code, result.output) == (0, "")
    assert (project / "site" / "index.html").is_file()
    assert len(list((project / "site" / "papers").iterdir())) == 3


def test_build_shows_each_stage_with_its_counts(project):
    result = build(project)
    assert result.exit_code == 0, result.output
    stages = [line.split()[0] for line in result.output.splitlines()]
    for stage in ("load", "themes", "render", "related", "write", "mkdocs", "search"):
        assert stage in stages, result.output
    assert "3 papers, 0 hidden, 0 warning(s)" in result.output
    assert result.output.rstrip().endswith(f"built {project / 'site'}")


def test_build_without_the_search_index_builds_the_rest(project):
    result = build(project, "--no-search-index")
    assert result.exit_code == 0, result.output
    assert "search" not in [line.split()[0] for line in result.output.splitlines()]
    assert result.output.rstrip().endswith(f"built {project / 'site'} (no search index)")
    assert (project / "site" / "index.html").is_file()
    assert not (project / "site" / "pagefind").exists()


def test_build_with_a_broken_paper_exits_1_names_the_line_and_builds_nothing(project):
    paper = sorted((project / "content" / "papers").glob("*.yaml"))[0]
    lines = paper.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("added:"))
    lines[number - 1] = "added: 2025-02-30\n"
    paper.write_text("".join(lines), encoding="utf-8")
    result = build(project, "--quiet", GITHUB_ACTIONS="true")
    assert result.exit_code == 1
    where = f"{(project / 'content' / 'papers' / paper.name).as_posix()}:{number}:8"
    assert f"{where}: D001 added: expected a date as YYYY-MM-DD, got 2025-02-30, " \
           "a date that does not exist" in result.output
    assert f"::error file={where.rsplit(':', 2)[0]},line={number},col=8::D001 added:" in result.output
    assert "Error: 1 problem(s); nothing built" in result.output
    assert not (project / "site").exists()


def test_a_page_linking_a_missing_page_or_anchor_exits_1_and_builds_nothing(project):
    # Pages link each other with Markdown links to .md files, which MkDocs (strict) checks.
    about = project / "site_templates" / "about.md.j2"
    about.write_text(about.read_text(encoding="utf-8")
                     + "\nSee [an old page](gone.md) and [a section](themes/index.md#gone).\n",
                     encoding="utf-8")
    result = build(project, "--quiet")
    assert result.exit_code == 1
    assert ("Error: MkDocs failed: Aborted with 2 warnings in strict mode! "
            "(mkdocs: warning: Doc file 'about.md' contains a link 'gone.md', but the target is not "
            "found among documentation files.; mkdocs: warning: Doc file 'about.md' contains a link "
            "'themes/index.md#gone', but the doc 'themes/index.md' does not contain an anchor '#gone'.)"
            ) in result.output
    assert not (project / "site").exists()


def test_content_without_its_own_mkdocs_yml_builds_beside_itself(project, monkeypatch):
    # No mkdocs.yml beside the content or in the working folder: the package's
    # is used, but the generated pages stay beside the content and a relative
    # --site is the reader's.
    (project / "mkdocs.yml").unlink()
    shutil.rmtree(project / "site_templates")
    monkeypatch.chdir(project)
    ours = ROOT / ".digest-build" / "docs" / "papers"
    before = sorted(p.name for p in ours.iterdir()) if ours.is_dir() else None
    result = CliRunner().invoke(main, ["build", "--content", "content", "--site", "out", "--quiet"])
    assert (result.exit_code, result.output) == (0, "")
    assert len(list((project / "out" / "papers").iterdir())) == 3
    assert len(list((project / ".digest-build" / "docs" / "papers").iterdir())) == 3
    assert not list(project.glob(".out.*")) and not list(ROOT.glob(".out.*"))
    assert (sorted(p.name for p in ours.iterdir()) if ours.is_dir() else None) == before


@pytest.mark.parametrize("line, fact", [
    ("added: '2026-01-26'", 'added: expected a date as YYYY-MM-DD, got the string "2026-01-26"'),
    ("note: 5", "note: expected a string, got the integer 5"),
])
def test_a_file_the_loader_cannot_use_is_reported_not_a_traceback(project, line, fact):
    paper = sorted((project / "content" / "papers").glob("*.yaml"))[0]
    key = line.split(":")[0]
    text = "".join(l for l in paper.read_text(encoding="utf-8").splitlines(keepends=True)
                   if not l.startswith(f"{key}:"))
    paper.write_text(text + line + "\n", encoding="utf-8")
    result = build(project, "--quiet")
    assert result.exit_code == 1
    assert fact in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an uncaught error
    assert not (project / "site").exists()


def test_the_published_address_makes_feed_links_absolute(project):
    result = build(project, "--quiet", DIGEST_SITE_URL="https://example.org/digest/")
    assert result.exit_code == 0, result.output
    feed = (project / "site" / "feeds" / "latest.xml").read_text(encoding="utf-8")
    assert '<link rel="self" type="application/atom+xml" href="https://example.org/digest/feeds/latest.xml" />' in feed
    assert 'href="https://example.org/digest/papers/' in feed and 'href="../' not in feed


def test_an_annotation_cannot_be_forged_by_a_file_name_or_a_message():
    from digest.cli import annotation
    from digest.model import Problem

    problem = Problem("content/papers/x,line=99:a%b.yaml", 3, 5, "S002",
                      "title: expected a string,\r\ngot 100% ::error::")
    assert annotation(problem, "error") == (
        "::error file=content/papers/x%2Cline=99%3Aa%25b.yaml,line=3,col=5::"
        "S002 title: expected a string,%0D%0Agot 100%25 ::error::")
