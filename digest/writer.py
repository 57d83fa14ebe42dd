"""Phase 2 of a build: the generated files onto disk, and the site swapped in whole.

As Pelican's writer: nothing is written until every page has been rendered, the
same output path is never written twice, and a file that already holds the
right bytes is left alone. The site folder is replaced only by a complete build.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .model import DigestError
from .progress import Progress
from .render import Output


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
