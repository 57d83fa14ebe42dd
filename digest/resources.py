"""The files a digest needs that ship inside the package: the page templates, the
default mkdocs.yml and themes.yml, the paper schema, and what `digest init` adds.

There is one copy of each: the repository's own `site_templates/`,
`content/themes.yml`, `content/schema/` and `mkdocs.yml`,
which pyproject.toml maps into the wheel as package data below `digest/`. An
installed package finds them there; a checkout (editable install or
PYTHONPATH) finds them where they live in the repository.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

# A wheel installs as plain files, and Jinja and MkDocs need real folders.
_PACKAGE = Path(str(files("digest")))
_CHECKOUT = _PACKAGE.parent


def _data(installed: str, checkout: str) -> Path:
    inside = _PACKAGE / installed
    return inside if inside.exists() else _CHECKOUT / checkout


def templates_dir() -> Path:
    """site_templates/: Jinja page templates and the MkDocs theme overrides."""
    return _data("site_templates", "site_templates")


def default_config() -> Path:
    """The project's mkdocs.yml, which `digest init` copies into a new digest."""
    return _data("config/mkdocs.yml", "mkdocs.yml")


def default_themes() -> Path:
    """content/themes.yml, the taxonomy a new digest starts from."""
    return _data("content/themes.yml", "content/themes.yml")


def schema_file() -> Path:
    """content/schema/paper.schema.json, the contract of a paper file."""
    return _data("content/schema/paper.schema.json", "content/schema/paper.schema.json")


def skeleton_dir() -> Path:
    """What `digest init` adds around the files above: README, .gitignore, workflow."""
    return _PACKAGE / "skeleton"
