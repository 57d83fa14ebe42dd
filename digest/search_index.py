"""The site's search index: Pagefind over the paper pages.

`digest build` hands the paper pages' HTML (their Markdown bodies, which are
HTML; `data-pagefind-body` in paper.md.j2) to a child process,
`python -m digest.search_index`, that writes them out and runs Pagefind while
MkDocs builds the site on the other core; `digest serve` runs Pagefind over
the site it built. Either way Pagefind writes a static, chunked index into
`<site>/pagefind/`; the browser then fetches only the chunks a query needs,
so a search costs the same at 10,000 papers as at 300. The binary comes from
the `pagefind[bin]` wheel and works offline: nothing is downloaded.
"""

from __future__ import annotations

import gzip
import json
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import urls
from .model import DigestError

if TYPE_CHECKING:  # the indexer child imports this module and need not load the renderer
    from .render import Output

BUNDLE_DIR = "pagefind"
# Paper pages are the only results: listing pages (home, themes, archive) never are.
PAGES_GLOB = urls.PAPER.format(id="*") + "index.html"
# One language for the whole site: the index is not split by <html lang>.
LANGUAGE = "en"
# Pagefind's warning when no page marks what it should index.
NO_BODY = "Did not find a data-pagefind-body element"
# Each page's record ("fragment") is gzipped JSON after this signature.
FRAGMENT_SIGNATURE = b"pagefind_dcd"
# IndexAlongside's hand-over to its child process: the command and the pages,
# and the folder the pages are written to.
JOB_FILE, JOB_SITE = "job.pickle", "pages"


@dataclass(frozen=True)
class IndexResult:
    pages: int
    words: int
    filters: int


def pagefind_command(site_dir: Path) -> list[str]:
    """The Pagefind command line that indexes site_dir's paper pages in place."""
    try:
        from pagefind_bin import get_executable
    except ImportError:
        raise DigestError("Pagefind is not installed: python3 -m pip install 'pagefind[bin]'") from None
    binary = get_executable()
    if binary is None:
        raise DigestError("the pagefind[bin] package holds no pagefind binary for this platform")
    return [str(binary), "--site", str(site_dir), "--glob", PAGES_GLOB,
            "--output-subdir", BUNDLE_DIR, "--force-language", LANGUAGE]


def _count(label: str, log: str) -> int:
    found = re.search(rf"Indexed (\d+) {label}", log)
    return int(found.group(1)) if found else 0


def parse_summary(log: str) -> IndexResult:
    """The counts in Pagefind's closing summary ("Indexed 365 pages", ...)."""
    return IndexResult(_count("pages?", log), _count("words?", log), _count("filters?", log))


def index_site(site_dir: Path, expected_pages: int) -> IndexResult:
    """Index site_dir's paper pages into site_dir/pagefind.

    Raises DigestError when Pagefind fails, indexes another number of pages
    than `expected_pages` (a change of URLs would otherwise publish a search
    that misses papers), or finds no data-pagefind-body on them (a paper
    template without it would have whole pages, menus and all, indexed).
    """
    try:
        done = subprocess.run(pagefind_command(site_dir), capture_output=True, text=True,
                              encoding="utf-8", errors="replace")
    except OSError as exc:
        raise DigestError(f"Pagefind could not be started: {exc}") from None
    return _verdict(done.returncode, done.stdout + done.stderr, expected_pages)


def _verdict(returncode: int, log: str, expected_pages: int) -> IndexResult:
    if returncode != 0:
        detail = " ".join(line.strip() for line in log.splitlines() if "rror" in line)
        raise DigestError(f"Pagefind failed (exit {returncode}): {detail or log.strip()[-300:]}")
    if NO_BODY in log:
        raise DigestError("Pagefind found no data-pagefind-body on the paper pages "
                          "(site_templates/paper.md.j2); nothing published")
    result = parse_summary(log)
    if result.pages != expected_pages:
        raise DigestError(f"Pagefind indexed {result.pages} pages, expected the "
                          f"{expected_pages} paper pages; nothing published")
    return result


class IndexAlongside:
    """Pagefind over the paper pages while MkDocs builds the site, on the other core.

    The paper pages' bodies are the HTML digest rendered (every part Pagefind
    reads is raw HTML in paper.md.j2), so they are indexed from a folder of
    their own. A child process (`python -m digest.search_index WORK`) writes
    that folder, runs Pagefind over it and deletes the pages again: writing and
    deleting 10,000 small files took 1 to 6 s of the building process's time
    when it did them itself. The index then moves into the built site.
    """

    def __init__(self, work_dir: Path, pages: dict[str, bytes]):
        self.work_dir = work_dir
        self.expected = len(pages)
        with open(work_dir / JOB_FILE, "wb") as job:
            pickle.dump((pagefind_command(work_dir / JOB_SITE), pages), job,
                        protocol=pickle.HIGHEST_PROTOCOL)
        try:
            # Its own process group, so that cancel() ends Pagefind with it.
            self.process = subprocess.Popen(
                [sys.executable, "-m", __name__, str(work_dir)], stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, env=_child_env(), **_new_group())
        except OSError as exc:
            raise DigestError(f"the search indexer could not be started: {exc}") from None

    def finish(self, site_dir: Path) -> IndexResult:
        """Wait for the index, check it, and move it into site_dir/pagefind."""
        out, _ = self.process.communicate()
        result = _verdict(self.process.returncode, out.decode("utf-8", "replace"), self.expected)
        shutil.move(str(self.work_dir / JOB_SITE / BUNDLE_DIR), str(site_dir / BUNDLE_DIR))
        return result

    def cancel(self) -> None:
        if self.process.poll() is None:
            if os.name == "posix":
                os.killpg(self.process.pid, signal.SIGKILL)
            else:
                self.process.kill()
        self.process.wait()


def _child_env() -> dict[str, str]:
    """This environment, with the folder holding this `digest` package first on the
    child's import path: the child runs this code, installed or not, from any folder."""
    here = str(Path(__file__).resolve().parents[1])
    rest = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": here + (os.pathsep + rest if rest else "")}


def _new_group() -> dict:
    if os.name == "posix":
        return {"start_new_session": True}
    return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}


def run_index_job(work_dir: Path) -> int:
    """The child's side of IndexAlongside: pages out, Pagefind over them, pages gone.

    Pagefind's log goes to this process's output, which the builder reads.
    """
    # Pagefind's threads take every core they can: at the lowest priority they
    # take only what MkDocs, one thread, leaves idle, instead of slowing it down.
    if hasattr(os, "nice"):
        os.nice(19)
    with open(work_dir / JOB_FILE, "rb") as job:
        command, pages = pickle.load(job)
    site = work_dir / JOB_SITE
    for path, body in pages.items():
        target = site / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
                           b"</head><body>\n" + body + b"\n</body></html>\n")
    del pages
    try:
        returncode = subprocess.run(command).returncode
    except OSError as exc:
        print(f"Error: Pagefind could not be started: {exc}", flush=True)
        returncode = 1
    # Only the index is wanted from here on; the pages would cost the builder a
    # second or more to delete with the rest of the work folder.
    for entry in site.iterdir():
        if entry.name != BUNDLE_DIR:
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    return returncode


def paper_pages(outputs: Iterable[Output]) -> list[tuple[str, Output]]:
    """The paper pages among `outputs`, each with the path of the HTML page MkDocs
    builds from it (papers/<id>.md -> papers/<id>/index.html)."""
    found = []
    for output in outputs:
        url = urls.url_of_source(output.path) if output.path.endswith(".md") else ""
        if urls.is_paper_url(url):
            found.append((url + "index.html", output))
    return found


def paper_page_bodies(outputs: Iterable[Output]) -> dict[str, bytes]:
    """Each paper page's HTML, its Markdown page less the front matter, by its HTML path."""
    return {path: (output.data.split(b"\n---\n", 1)[1] if output.data.startswith(b"---\n") else output.data)
            for path, output in paper_pages(outputs)}


def indexed_pages(site_dir: Path) -> list[dict]:
    """What the index holds, one record per result page (url, content, meta,
    filters), read back from Pagefind's fragment files; sorted by URL."""
    records = []
    for path in sorted((site_dir / BUNDLE_DIR / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        if not data.startswith(FRAGMENT_SIGNATURE):
            raise DigestError(f"{path}: expected a Pagefind fragment, got another file")
        records.append(json.loads(data[len(FRAGMENT_SIGNATURE):]))
    return sorted(records, key=lambda record: record["url"])


if __name__ == "__main__":
    sys.exit(run_index_job(Path(sys.argv[1])))
