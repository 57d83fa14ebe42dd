"""Where a digest's files are: its content folder, mkdocs.yml and templates.

A digest made by `digest init` (or this repository) has mkdocs.yml beside its
content folder; its own `site_templates/` there, if any, replaces the
package's templates. Content without a mkdocs.yml builds with the package's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import resources
from .model import DigestError

CONFIG_FILE = "mkdocs.yml"
TEMPLATES_DIR = "site_templates"
# Must match docs_dir in mkdocs.yml, so a bare `mkdocs build` sees the same pages.
BUILD_DOCS_DIR = Path(".digest-build") / "docs"


@dataclass(frozen=True)
class Project:
    content_dir: Path
    config_file: Path
    templates_dir: Path
    raw_config: dict[str, Any]  # mkdocs.yml as read, its !ENV tags resolved

    @property
    def site_url(self) -> str:
        """Where the site is published ("" when unknown), for absolute feed links."""
        return str(self.raw_config.get("site_url") or "")

    @property
    def docs_dir(self) -> Path:
        """Where the generated Markdown goes: beside the content folder (in a project,
        where mkdocs.yml's docs_dir points), never in another project's folder."""
        return self.content_dir.resolve().parent / BUILD_DOCS_DIR

    def mkdocs_overrides(self) -> dict[str, Any]:
        """Options given to MkDocs on top of mkdocs.yml: the theme's overrides are
        always the templates the pages were rendered with."""
        theme = self.raw_config.get("theme") or {}
        theme = {"name": theme} if isinstance(theme, str) else dict(theme)
        theme["custom_dir"] = str(self.templates_dir / "overrides")
        return {"theme": theme}


def read_config(config_file: Path) -> dict[str, Any]:
    """mkdocs.yml as MkDocs reads it (its !ENV tags resolved)."""
    from mkdocs.utils.yaml import yaml_load

    with open(config_file, encoding="utf-8") as handle:
        return yaml_load(handle) or {}


def find_project(content_dir: Path) -> Project:
    """The digest whose content is content_dir; a clean error when there is none."""
    if not (content_dir / "papers").is_dir() and not (content_dir / "themes.yml").is_file():
        raise DigestError(
            f"{content_dir.resolve()}: expected a digest's content folder (with papers/ and "
            "themes.yml), got none; run this in the digest's folder, point at one with "
            "--content DIR, or create a digest with `digest init DIR`")
    config_file = next((folder / CONFIG_FILE for folder in (content_dir.resolve().parent, Path.cwd())
                        if (folder / CONFIG_FILE).is_file()), resources.default_config())
    own = config_file.parent / TEMPLATES_DIR
    templates = own if (own / "overrides").is_dir() else resources.templates_dir()
    return Project(content_dir, config_file, templates, read_config(config_file))
