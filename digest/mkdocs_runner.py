"""MkDocs, run in this process on the generated Markdown: the one module that
imports it (besides reading mkdocs.yml in project.py), so that another static
site generator reading the same Markdown folder could take its place."""

from __future__ import annotations

import logging
from pathlib import Path

from .model import DigestError
from .progress import Progress
from .project import Project


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


def _page_counter(progress: Progress, total: int):
    from mkdocs.plugins import BasePlugin

    class PageCounter(BasePlugin):
        """Counts pages through MkDocs' two passes for the live progress line."""

        counts = {"read": 0, "built": 0}

        def tick(self, stage: str) -> None:
            self.counts[stage] += 1
            if self.counts[stage] % 250 == 0:
                progress.update(f"mkdocs   {stage} {self.counts[stage]}/{total} pages")

        def on_page_markdown(self, markdown, **kwargs):
            self.tick("read")
            return markdown

        def on_post_page(self, output, **kwargs):
            self.tick("built")
            return output

    return PageCounter()


def run_mkdocs(project: Project, docs_dir: Path, site_dir: Path, progress: Progress,
               pages: int) -> None:
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
                config = load_config(str(project.config_file), docs_dir=str(docs_dir),
                                     site_dir=str(site_dir), strict=True,
                                     **project.mkdocs_overrides())
                config.plugins["digest/progress"] = _page_counter(progress, pages)
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


def serve(project: Project, docs_dir: Path, dev_addr: str, write_pages, progress: Progress,
          after_build=None) -> None:
    """Serve the site on dev_addr with MkDocs' live-reload server; `write_pages()` renders
    the Markdown into docs_dir (False when it could not), then MkDocs rebuilds the site
    and `after_build(site_dir)` runs on it (the search index)."""
    import shutil
    import tempfile

    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.livereload import LiveReloadServer

    site_dir = Path(tempfile.mkdtemp(prefix="digest-serve-"))
    docs_dir.mkdir(parents=True, exist_ok=True)  # MkDocs refuses a config whose docs_dir is missing

    def config():
        return load_config(str(project.config_file), docs_dir=str(docs_dir),
                           site_dir=str(site_dir), dev_addr=dev_addr, strict=False,
                           **project.mkdocs_overrides())

    def rebuild() -> None:
        if write_pages():
            current = config()
            current.site_url = serve_url
            build(current, serve_url=serve_url)
            if after_build is not None:
                after_build(site_dir)

    host, port = config().dev_addr
    serve_url = f"http://{host}:{port}/"
    server = LiveReloadServer(builder=rebuild, host=host, port=port, root=str(site_dir))
    try:
        rebuild()
        for path in (project.content_dir, project.templates_dir, project.config_file):
            server.watch(str(path))
        progress.line(f"serving on {serve_url}; rebuilding when {project.content_dir} or "
                      f"{project.templates_dir.name}/ changes (Ctrl+C stops)")
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)
