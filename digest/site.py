"""Orchestrates a build: check, load, group, render, write, MkDocs.

Two phases, as in Pelican: everything is read, grouped and rendered in memory
first, so a bad input stops the build before any file is written; then the
Markdown pages, feeds and papers.json go to the build folder and MkDocs
turns them into the site.

Both cores are used. While this process resolves themes and renders the
listing pages, a forked child finds the related papers. `digest check`, the
slowest reader of the library (it builds every file's node tree to locate
problems), runs in a second process alongside MkDocs, which is single-threaded;
MkDocs polls it and stops at its first error. MkDocs builds into a staging
folder that replaces the site folder only once the check has passed: a library
with errors never changes the site.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .feeds import plan_feeds
from .grouping import group_papers, visible
from .library import load_papers
from .model import DigestError, Problem
from .parallel import Forked, can_fork
from .render import Output, SiteModel, make_environment, plan_listing_pages, plan_paper_pages
from .theme_model import train_model
from .themes import UNSORTED, load_taxonomy

CONFIG_FILE = "mkdocs.yml"
TEMPLATES_DIR = "site_templates"
# Must match docs_dir in mkdocs.yml, so a bare `mkdocs build` sees the same pages.
BUILD_DOCS_DIR = Path(".digest-build") / "docs"
PROJECT_ROOT = Path(__file__).resolve().parents[1]


# --- progress -------------------------------------------------------------------


class Progress:
    """One line per stage on stderr: what was done, with counts, and how long it took."""

    def __init__(self, enabled: bool, stream: TextIO | None = None):
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.live = enabled and self.stream.isatty()

    @contextmanager
    def stage(self, name: str) -> Iterator[list[str]]:
        """Time a stage; the caller appends what it did to the yielded list."""
        notes: list[str] = []
        started = time.perf_counter()
        yield notes
        self.done(name, "; ".join(notes), time.perf_counter() - started)

    def done(self, name: str, summary: str, seconds: float) -> None:
        if self.enabled:
            self.line(f"{name:<8} {summary:<64} {seconds:6.2f}s")

    def line(self, text: str) -> None:
        if self.enabled:
            print(("\r\033[K" if self.live else "") + text, file=self.stream, flush=True)

    def update(self, text: str) -> None:
        """A transient status line, only on a terminal."""
        if self.live:
            print(f"\r\033[K{text}", end="", file=self.stream, flush=True)


def build_docs_dir(content_dir: Path) -> Path:
    """Where the generated Markdown goes: beside the content folder (in a project,
    where mkdocs.yml's docs_dir points), never in another project's folder."""
    return content_dir.resolve().parent / BUILD_DOCS_DIR


def configured_site_url(config_file: Path) -> str:
    """mkdocs.yml's site_url (its !ENV tag read as MkDocs reads it), or ""."""
    from mkdocs.utils.yaml import yaml_load

    with open(config_file, encoding="utf-8") as handle:
        config = yaml_load(handle) or {}
    return str(config.get("site_url") or "")


def find_config(content_dir: Path) -> Path:
    """mkdocs.yml of the project: beside the content folder, else here, else the package's."""
    for folder in (content_dir.resolve().parent, Path.cwd(), PROJECT_ROOT):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
    raise DigestError(f"{CONFIG_FILE}: not found beside {content_dir}, here or in {PROJECT_ROOT}")


# --- the check, alongside ---------------------------------------------------------


class BackgroundCheck:
    """`digest check` of the content folder, running in a forked process (on Linux)."""

    def __init__(self, content_dir: Path, progress: Progress, pool: ProcessPoolExecutor | None):
        from .validate import check_library

        self.progress = progress
        self.started = time.perf_counter()
        self._reported = False
        self._where = "" if pool is None else " (in parallel)"
        self._future: Future[list[Problem]] = Future()
        if pool is None:
            self._future.set_result(check_library(content_dir))
        else:
            self._future = pool.submit(check_library, content_dir)

    def verdict(self, wait: bool = True) -> None:
        """Raise DigestError if the check found errors; without `wait`, only if it is done."""
        if not wait and not self._future.done():
            return
        problems = self._future.result()
        errors = [p for p in problems if p.severity == "error"]
        if not self._reported:
            self._reported = True
            self.progress.done("check", f"{len(errors)} error(s), "
                               f"{len(problems) - len(errors)} warning(s){self._where}",
                               time.perf_counter() - self.started)
        if errors:
            raise DigestError(f"{len(errors)} problem(s); nothing built", problems=errors)


@contextmanager
def background_check(content_dir: Path, progress: Progress) -> Iterator[BackgroundCheck]:
    """Run the check in a second process; where fork is not available, right here."""
    if not can_fork():
        yield BackgroundCheck(content_dir, progress, None)
        return
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
        yield BackgroundCheck(content_dir, progress, pool)


# --- phase 1: read, group, render (nothing written) -----------------------------


def _related_papers(papers):
    from .related import related_papers  # numpy: imported by the child that needs it

    return related_papers(papers)


def read_model(content_dir: Path, progress: Progress) -> tuple[SiteModel, Forked]:
    """Load the library and taxonomy, resolve themes and group; related papers
    are found alongside: the model's `related` is empty until the Forked is read."""
    with progress.stage("load") as notes:
        papers = load_papers(content_dir / "papers")
        taxonomy = load_taxonomy(content_dir / "themes.yml")
        shown = visible(papers)
        notes.append(f"{len(papers)} papers, {len(papers) - len(shown)} hidden")
    related = Forked(_related_papers, shown)
    try:
        with progress.stage("themes") as notes:
            # curators' `themes:` (hidden papers' too) teach the model that files the rest
            model = train_model(taxonomy, pinned=papers)
            assignments = {paper.id: got for paper, got in zip(shown, model.assign(shown))}
            themes = (*taxonomy.themes, taxonomy.get(UNSORTED))
            themes_of = {pid: tuple(a.themes) for pid, a in assignments.items()}
            groups = group_papers(shown, themes_of, [theme.id for theme in themes])
            curated = sum(1 for a in assignments.values() if a.origin == "curated")
            notes.append(f"{len(themes) - 1} themes; {curated} curated, "
                         f"{len(groups.by_theme[UNSORTED])} unsorted, {len(groups.years)} years")
        model = SiteModel(
            groups=groups,
            themes=themes,
            origins={pid: a.origin for pid, a in assignments.items()},
            reasons={pid: dict(a.reasons) for pid, a in assignments.items()},
            themes_of=themes_of,
            related={},
            unsorted_id=UNSORTED,
        )
    except BaseException:
        related.cancel()
        raise
    return model, related


def plan_outputs(content_dir: Path, templates_dir: Path, progress: Progress,
                 site_url: str = "") -> list[Output]:
    """Every file of the docs folder, in memory: Markdown pages, Atom feeds, papers.json.

    `site_url` is where the site will be published ("" when unknown), for feed links.
    """
    model, pending = read_model(content_dir, progress)
    try:
        return _render_outputs(model, pending, templates_dir, progress, site_url)
    finally:
        pending.cancel()  # only if rendering failed before it was read


def _render_outputs(model: SiteModel, pending: Forked, templates_dir: Path,
                    progress: Progress, site_url: str) -> list[Output]:
    env = make_environment(templates_dir)
    with progress.stage("render") as notes:
        outputs = plan_listing_pages(env, model)
        pages = len(outputs)
        outputs += plan_feeds(model.groups, model.themes, model.themes_of, model.origins, site_url)
        notes.append(f"{pages} listing pages, {len(outputs) - pages - 1} feeds, papers.json")

    def related() -> dict[str, tuple[str, ...]]:
        found = pending.result()
        progress.done("related", f"{sum(map(len, found.values()))} links among {len(found)} "
                      "papers (in parallel)", time.perf_counter() - pending.started)
        return found

    with progress.stage("render") as notes:
        papers = plan_paper_pages(env, model, related)
        notes.append(f"{len(papers)} paper pages")
    return outputs + papers


# --- phase 2: write -------------------------------------------------------------------


@dataclass(frozen=True)
class WriteResult:
    written: int
    unchanged: int
    removed: int


def write_outputs(docs_dir: Path, outputs: list[Output]) -> WriteResult:
    """Make docs_dir hold exactly `outputs`; refuses two outputs for one path.

    A file that already holds the right bytes is left alone: rewriting a file
    costs more than reading it, and an unchanged file keeps its timestamp.
    """
    seen: set[str] = set()
    for output in outputs:
        if output.path in seen:
            raise DigestError(f"{output.path}: two outputs would be written to this path")
        seen.add(output.path)
    docs_dir.mkdir(parents=True, exist_ok=True)
    existing = {
        os.path.relpath(os.path.join(folder, name), docs_dir).replace(os.sep, "/")
        for folder, _, names in os.walk(docs_dir) for name in names
    }
    made: set[Path] = {docs_dir}
    unchanged = 0
    for output in outputs:
        target = docs_dir / output.path
        if output.path in existing and target.read_bytes() == output.data:
            unchanged += 1
            continue
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(output.data)
    stale = sorted(existing - seen)
    for path in stale:
        (docs_dir / path).unlink()
    # Folders left empty by removed pages go too, deepest first.
    emptied = {parent for path in stale for parent in (docs_dir / path).parents
               if docs_dir in parent.parents}
    for folder in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
        try:
            folder.rmdir()
        except OSError:
            pass  # still holds current pages
    return WriteResult(len(outputs) - unchanged, unchanged, len(stale))


def write_docs(docs_dir: Path, outputs: list[Output], progress: Progress) -> None:
    with progress.stage("write") as notes:
        result = write_outputs(docs_dir, outputs)
        notes.append(f"{result.written} written, {result.unchanged} unchanged, "
                     f"{result.removed} removed in {docs_dir}")


@contextmanager
def docs_lock(docs_dir: Path) -> Iterator[None]:
    """Hold the docs folder alone: two builds writing it at once would mix their pages."""
    docs_dir.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; builds are the user's to serialise
        yield
        return
    with open(docs_dir.parent / f"{docs_dir.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def staged(site_dir: Path) -> Iterator[Path]:
    """A fresh folder to build into; it replaces site_dir only if the block succeeds."""
    staging = site_dir.with_name(f".{site_dir.name}.staging")
    retired = site_dir.with_name(f".{site_dir.name}.old")
    for leftover in (staging, retired):  # from a build that was killed
        shutil.rmtree(leftover, ignore_errors=True)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if site_dir.exists():
        site_dir.rename(retired)
    staging.rename(site_dir)
    shutil.rmtree(retired, ignore_errors=True)


# --- MkDocs ------------------------------------------------------------------------------


class _Collect(logging.Handler):
    """Keeps MkDocs' warnings for the error message and shows them as they come."""

    def __init__(self, progress: Progress):
        super().__init__(logging.WARNING)
        self.progress = progress
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = f"mkdocs: {record.levelname.lower()}: {record.getMessage()}"
        self.messages.append(message)
        self.progress.line(message)


def _page_counter(progress: Progress, total: int, check: BackgroundCheck | None):
    from mkdocs.plugins import BasePlugin

    class PageCounter(BasePlugin):
        """Counts pages through MkDocs' two passes for the live progress line, and
        stops the build as soon as the check running alongside reports an error."""

        counts = {"read": 0, "built": 0}

        def tick(self, stage: str) -> None:
            self.counts[stage] += 1
            if self.counts[stage] % 250 == 0:
                progress.update(f"mkdocs   {stage} {self.counts[stage]}/{total} pages")
                if check is not None:
                    check.verdict(wait=False)

        def on_page_markdown(self, markdown, **kwargs):
            self.tick("read")
            return markdown

        def on_post_page(self, output, **kwargs):
            self.tick("built")
            return output

    return PageCounter()


def run_mkdocs(config_file: Path, docs_dir: Path, site_dir: Path, progress: Progress,
               pages: int, check: BackgroundCheck | None = None) -> None:
    """Build the site with MkDocs in this process, strict: any warning fails the build."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    handler = _Collect(progress)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        with progress.stage("mkdocs") as notes:
            try:
                config = load_config(str(config_file), docs_dir=str(docs_dir),
                                     site_dir=str(site_dir), strict=True)
                config.plugins["digest/progress"] = _page_counter(progress, pages, check)
                config.plugins.on_startup(command="build", dirty=False)
                try:
                    build(config)
                finally:
                    config.plugins.on_shutdown()
            except (MkDocsException, SystemExit) as exc:
                detail = "; ".join(handler.messages[:5])
                raise DigestError(f"MkDocs failed: {exc}" + (f" ({detail})" if detail else "")) from None
            notes.append(f"{pages} pages")
    finally:
        logger.removeHandler(handler)


# --- commands ------------------------------------------------------------------------


def build_site(content_dir: Path, site_dir: Path, progress: bool = True, *,
               docs_dir: Path | None = None) -> None:
    """`digest build`: check the library, render the pages and build the site with MkDocs.

    Raises DigestError, and leaves site_dir as it was, when the check finds
    errors, a page cannot be rendered, or MkDocs (strict) warns.
    """
    report = Progress(progress)
    config_file = find_config(content_dir)
    docs_dir = docs_dir or build_docs_dir(content_dir)
    # MkDocs reads a relative site_dir from the config's folder; the reader means this one.
    site_dir = site_dir.resolve()
    site_url = configured_site_url(config_file)
    try:
        outputs = plan_outputs(content_dir, config_file.parent / TEMPLATES_DIR, report, site_url)
    except Exception:
        # A file the fast loader trusted was wrong (a quoted date, no title):
        # the check's located problems explain it; only a bug gets past them.
        BackgroundCheck(content_dir, report, None).verdict()
        raise
    pages = sum(1 for output in outputs if output.path.endswith(".md"))
    with background_check(content_dir, report) as check:
        with docs_lock(docs_dir):
            write_docs(docs_dir, outputs, report)
            with staged(site_dir) as staging:
                try:
                    run_mkdocs(config_file, docs_dir, staging, report, pages, check)
                finally:
                    check.verdict()
    report.line(f"built {site_dir}")


def serve_site(content_dir: Path, dev_addr: str) -> None:
    """`digest serve`: build, serve on dev_addr, and rebuild when content or templates change."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.livereload import LiveReloadServer

    report = Progress(True)
    config_file = find_config(content_dir)
    templates_dir = config_file.parent / TEMPLATES_DIR
    docs_dir = build_docs_dir(content_dir)
    site_dir = Path(tempfile.mkdtemp(prefix="digest-serve-"))
    docs_dir.mkdir(parents=True, exist_ok=True)  # MkDocs refuses a config whose docs_dir is missing

    def config():
        return load_config(str(config_file), docs_dir=str(docs_dir), site_dir=str(site_dir),
                           dev_addr=dev_addr, strict=False)

    def rebuild() -> None:
        try:
            with background_check(content_dir, report) as check:
                try:
                    outputs = plan_outputs(content_dir, templates_dir, report)
                finally:
                    check.verdict()  # its located problems explain a failed read best
        except DigestError as exc:
            # Keep serving the last good site, and say what to fix.
            for problem in sorted(exc.problems):
                report.line(str(problem))
            report.line(f"Error: {exc} (still serving the previous build)")
            return
        with docs_lock(docs_dir):
            write_docs(docs_dir, outputs, report)
            current = config()
            current.site_url = serve_url
            build(current, serve_url=serve_url)

    host, port = config().dev_addr
    serve_url = f"http://{host}:{port}/"
    server = LiveReloadServer(builder=rebuild, host=host, port=port, root=str(site_dir))
    try:
        rebuild()
        for path in (content_dir, templates_dir, config_file):
            server.watch(str(path))
        report.line(f"serving on {serve_url}; rebuilding when {content_dir} or "
                    f"{templates_dir.name}/ changes (Ctrl+C stops)")
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)
