"""`digest init DIR`: a new digest, laid out like this repository.

    DIR/mkdocs.yml                     the site's configuration (the package's)
    DIR/content/dumps/                 dumps to ingest
    DIR/content/papers/                the library, one YAML file per paper
    DIR/content/themes.yml             the taxonomy (the package's)
    DIR/content/schema/paper.schema.json   for editors (each paper file points at it)
    DIR/.github/workflows/digest.yml   check pull requests, publish to GitHub Pages
    DIR/README.md, DIR/.gitignore

Nothing is overwritten: a folder that already holds any of these is refused.
The files are staged in a temporary folder and moved into place at the end.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from . import resources
from .model import DigestError


def _layout() -> dict[str, Path | None]:
    """Each path of a new digest and the file it is copied from (None: an empty folder)."""
    skeleton = resources.skeleton_dir()
    return {
        "mkdocs.yml": resources.default_config(),
        "content/dumps/.gitkeep": None,
        "content/papers/.gitkeep": None,
        "content/themes.yml": resources.default_themes(),
        "content/schema/paper.schema.json": resources.schema_file(),
        ".github/workflows/digest.yml": skeleton / "workflows" / "digest.yml",
        "README.md": skeleton / "README.md",
        ".gitignore": skeleton / "gitignore",
    }


def create_digest(folder: Path) -> list[Path]:
    """Lay out a new digest in `folder` (made if missing); the paths written."""
    layout = _layout()
    taken = sorted(name for name in {p.split("/")[0] for p in layout} if (folder / name).exists())
    if taken:
        raise DigestError(f"{folder}: already holds {', '.join(taken)}; nothing written "
                          "(digest init makes a new digest in an empty or new folder)")
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".digest-init-", dir=folder) as tmp:
        stage = Path(tmp)
        for name, source in layout.items():
            target = stage / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if source is None:
                target.touch()
            else:
                shutil.copyfile(source, target)
        for top in sorted({p.split("/")[0] for p in layout}):
            (stage / top).rename(folder / top)
    return [folder / name for name in layout]
