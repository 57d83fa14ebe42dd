"""Orchestrates a build: read, model, render, write, MkDocs.

Two phases, as in Pelican: the library is read as `digest check` reads it
(digest/reader.py), themes are resolved, papers grouped and related papers
found into one complete SiteModel, and every page rendered in memory, so a bad
input stops the build before any file is written, with check's messages. Then
the pages, feeds and papers.json go to the build folder (digest/writer.py) and
MkDocs (digest/mkdocs_runner.py) builds them into a staging folder that
replaces the site folder only when the whole build succeeded.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import Executor
from functools import partial
from pathlib import Path

from .bibtex import plan_bibliographies
from .feeds import plan_feeds
from .grouping import group_papers, visible
from .mkdocs_runner import run_mkdocs, serve
from .model import DigestError, Paper
from .progress import Progress
from .project import Project, find_project
from .reader import read_library
from .related import related_papers
from .search_index import IndexAlongside, index_site, paper_page_bodies, paper_pages
from .render import Output, SiteModel, make_environment, plan_listing_pages, plan_paper_pages
from .theme_model import ThemeModel, train_model, unsorted_by_nearest_theme
from .themes import UNSORTED, Assignment, load_taxonomy
from .workers import Workers, joined, start_shares
from .writer import docs_lock, staged, write_docs

# --- phase 1: read, model, render (nothing written) ----------------------------------


def read_model(content_dir: Path, progress: Progress, workers: Workers | None = None) -> SiteModel:
    """The library and taxonomy read, themes resolved, papers grouped and related.

    With `workers`, a large library is read by worker processes, and one of them
    finds the related papers (which need only the texts) while this process files
    the papers under themes.
    """
    with progress.stage("load") as notes:
        library = read_library(content_dir, workers=workers)
        library.raise_errors("nothing built")
        papers = library.papers
        taxonomy = load_taxonomy(content_dir / "themes.yml")
        shown = visible(papers)
        notes.append(f"{len(papers)} papers, {len(papers) - len(shown)} hidden, "
                     f"{len(library.problems)} warning(s)")
    pool = workers.pool_for(len(shown)) if workers else None
    related_job = pool.submit(related_papers, shown) if pool else None
    with progress.stage("themes") as notes:
        # Curators' `themes:` (hidden papers' too) teach the model that files the rest.
        model = train_model(taxonomy, pinned=papers)
        assigned = assign_themes(model, shown, pool)
        assignments = dict(zip((paper.id for paper in shown), assigned))
        themes = (*taxonomy.themes, taxonomy.get(UNSORTED))
        themes_of = {pid: tuple(a.themes) for pid, a in assignments.items()}
        groups = group_papers(shown, themes_of, [theme.id for theme in themes])
        nearest = unsorted_by_nearest_theme(shown, assigned, model)
        curated = sum(1 for a in assignments.values() if a.origin == "curated")
        notes.append(f"{len(themes) - 1} themes; {curated} curated, "
                     f"{len(groups.by_theme[UNSORTED])} unsorted, {len(groups.years)} years")
    with progress.stage("related") as notes:
        related = related_job.result() if related_job else related_papers(shown)
        notes.append(f"{sum(map(len, related.values()))} links among {len(related)} papers"
                     + (" (in a worker, alongside themes)" if related_job else ""))
    return SiteModel(
        groups=groups,
        themes=themes,
        origins={pid: a.origin for pid, a in assignments.items()},
        reasons={pid: dict(a.reasons) for pid, a in assignments.items()},
        themes_of=themes_of,
        related=related,
        unsorted_id=UNSORTED,
        nearest={theme_id: tuple(pid for pid, _ in found) for theme_id, found in nearest.items()},
    )


def assign_themes(model: ThemeModel, papers: Sequence[Paper],
                  pool: Executor | None) -> list[Assignment]:
    """Each paper's themes; with a pool, a worker files the second half meanwhile
    (a paper's themes depend on it alone, not on the papers filed with it)."""
    if pool is None:
        return model.assign(papers)
    half = len(papers) // 2
    second = pool.submit(model.assign, papers[half:])
    return model.assign(papers[:half]) + second.result()


def plan_outputs(content_dir: Path, templates_dir: Path, progress: Progress,
                 site_url: str = "") -> list[Output]:
    """Every file of the docs folder, in memory: Markdown pages, Atom feeds, papers.json.

    `site_url` is where the site will be published ("" when unknown), for feed links.
    """
    with Workers() as workers:
        model = read_model(content_dir, progress, workers)
        env = make_environment(templates_dir)
        with progress.stage("render") as notes:
            # The workers render the paper pages while this process renders the rest.
            pool = workers.pool_for(len(model.groups.papers))
            jobs = start_shares(pool, partial(paper_pages_share, templates_dir, model),
                                model.groups.papers) if pool else []
            listing = plan_listing_pages(env, model)
            feeds = plan_feeds(model.groups, model.themes, model.themes_of, model.origins,
                               site_url)  # the Atom feeds, then papers.json
            bibs = plan_bibliographies(model.groups, model.themes)
            papers = joined(jobs) if pool else plan_paper_pages(env, model)
            notes.append(f"{len(listing)} listing pages, {len(papers)} paper pages, "
                         f"{len(feeds) - 1} feeds, papers.json, {len(bibs)} BibTeX files")
    return listing + feeds + bibs + papers


def paper_pages_share(templates_dir: Path, model: SiteModel, papers: Sequence[Paper]) -> list[Output]:
    """A worker's share of the paper pages."""
    return plan_paper_pages(make_environment(templates_dir), model, papers)


def run_search_index(site_dir: Path, outputs: list[Output], progress: Progress) -> None:
    """Index the built paper pages with Pagefind (digest/search_index.py)."""
    with progress.stage("search") as notes:
        result = index_site(site_dir, len(paper_pages(outputs)))
        notes.append(f"{result.pages} pages, {result.words} words, {result.filters} filters (Pagefind)")


# --- commands ------------------------------------------------------------------------


def build_site(content_dir: Path, site_dir: Path, progress: bool = True, *,
               docs_dir: Path | None = None, search: bool = True) -> None:
    """`digest build`: read and check the library, render the pages, build the site with
    MkDocs and (with `search`) index it for search.

    Raises DigestError, and leaves site_dir as it was, when a file has an error,
    a page cannot be rendered, MkDocs (strict) warns or the index fails.
    """
    report = Progress(progress)
    project = find_project(content_dir)
    docs_dir = docs_dir or project.docs_dir
    # MkDocs reads a relative site_dir from the config's folder; the reader means this one.
    site_dir = site_dir.resolve()
    outputs = plan_outputs(content_dir, project.templates_dir, report, project.site_url)
    pages = sum(1 for output in outputs if output.path.endswith(".md"))
    with docs_lock(docs_dir):
        write_docs(docs_dir, outputs, report)
        site_dir.parent.mkdir(parents=True, exist_ok=True)
        with staged(site_dir) as staging:
            if search:
                mkdocs_with_index(project, docs_dir, staging, report, outputs, pages)
            else:
                run_mkdocs(project, docs_dir, staging, report, pages)
    report.line(f"built {site_dir}" + ("" if search else " (no search index)"))


def mkdocs_with_index(project: Project, docs_dir: Path, staging: Path, report: Progress,
                      outputs: list[Output], pages: int) -> None:
    """MkDocs builds the site into `staging` while Pagefind indexes the paper pages
    on the other core; the index joins the site only when both succeeded."""
    with tempfile.TemporaryDirectory(prefix=".digest-index-", dir=staging.parent) as work:
        started = time.perf_counter()
        index = IndexAlongside(Path(work), paper_page_bodies(outputs))
        try:
            run_mkdocs(project, docs_dir, staging, report, pages)
            waited = time.perf_counter()
            result = index.finish(staging)  # a failed index publishes nothing
        finally:
            index.cancel()
        # The time the index added: what was left of it once MkDocs was done.
        report.done("search", f"{result.pages} pages, {result.words} words, {result.filters} "
                    f"filters (Pagefind, alongside MkDocs: "
                    f"{time.perf_counter() - started:.1f}s in all)", time.perf_counter() - waited)


def serve_site(content_dir: Path, dev_addr: str) -> None:
    """`digest serve`: build, serve on dev_addr, and rebuild when content or templates change."""
    report = Progress(True)
    project = find_project(content_dir)
    outputs: list[Output] = []

    def write_pages() -> bool:
        try:
            outputs[:] = plan_outputs(content_dir, project.templates_dir, report)
        except DigestError as exc:
            # Keep serving the last good site, and say what to fix.
            for problem in sorted(exc.problems):
                report.line(str(problem))
            report.line(f"Error: {exc} (still serving the previous build)")
            return False
        with docs_lock(project.docs_dir):
            write_docs(project.docs_dir, outputs, report)
        return True

    def index(site_dir: Path) -> None:
        try:
            run_search_index(site_dir, outputs, report)
        except DigestError as exc:
            report.line(f"Error: {exc} (this preview has no search)")

    serve(project, project.docs_dir, dev_addr, write_pages, report, after_build=index)
