"""The one reader of the library, shared by check, fmt, ingest and build.

Which files make up the library, and each file read into a Paper with its
located problems, the same way for every command: a file that `digest check`
accepts, every command accepts, and one that a command cannot use is one
check reports, at its line. The library is every regular `*.yaml` file of
`content/papers/`; a hidden draft (`.x.yaml`) is left out with a warning, and
a symlink is never followed (it could point anywhere, /etc/passwd included).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from .codes import IGNORED_FILE, NOT_A_PAPER_FILE, UNREADABLE_FILE
from .model import DigestError, Paper, Problem
from .paper_yaml import PaperFile, read_bytes, read_paper
from .schema import PAPER_SUFFIX, Identity, check_duplicates, check_fields, check_id, check_themes
from .schema import load_schema, identity_of
from .themes import load_taxonomy
from .workers import Workers, joined, start_shares

PAPERS_DIR = "papers"
THEMES_FILE = "themes.yml"
# Documented limits (CONTRIBUTING.md), checked before a file is parsed: a paper
# file is a few KB; these stop a pathological file from costing minutes.
MAX_FILE_BYTES = 64 * 1024

# A check run on each file that parsed, in the worker that read it (module-level,
# so that it can be sent to a worker process): digest check's house style.
FileCheck = Callable[[PaperFile], list[Problem]]


@dataclass(frozen=True)
class Rules:
    """What every paper file is held to."""

    schema: dict[str, Any]
    theme_names: Mapping[str, str] | None  # None: theme ids are not checked
    themes_path: str = THEMES_FILE


@dataclass
class PaperRead:
    """One library file as read: its paper (None when it has errors), its values and problems."""

    path: str
    problems: list[Problem]
    paper: Paper | None = None
    values: dict[str, Any] | None = None  # the mapping as YAML reads it, for ingest
    identity: Identity | None = None
    file: PaperFile | None = None  # the node tree, only when asked for (fmt)


@dataclass
class Library:
    reads: list[PaperRead]
    problems: list[Problem] = field(default_factory=list)  # sorted, of every file and the library

    @property
    def papers(self) -> list[Paper]:
        """Every paper read without errors, sorted by id."""
        return sorted((r.paper for r in self.reads if r.paper is not None), key=lambda p: p.id)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def raise_errors(self, consequence: str) -> None:
        """Stop the command, with check's messages, if any file has an error."""
        errors = self.errors
        if errors:
            raise DigestError(f"{len(errors)} problem(s); {consequence}", problems=errors)


# --- which files ---------------------------------------------------------------


def library_files(papers_dir: Path) -> tuple[list[Path], list[Problem]]:
    """The paper files, sorted by name, and a problem for each file left out."""
    if not papers_dir.is_dir():
        return [], []
    files, problems = [], []
    for entry in sorted(papers_dir.iterdir(), key=lambda e: e.name):
        label = entry.as_posix()
        if entry.is_symlink():
            problems.append(Problem(label, 1, 1, NOT_A_PAPER_FILE, "not read: expected a paper "
                                    "file, got a symbolic link; copy the file itself here"))
        elif not entry.is_file():
            continue
        elif entry.suffix != PAPER_SUFFIX:
            if not entry.name.startswith("."):
                problems.append(Problem(label, 1, 1, IGNORED_FILE, f"ignored file: expected a "
                                        f"paper file named <id>{PAPER_SUFFIX}, got {entry.name}",
                                        "warning"))
        elif entry.name.startswith("."):
            problems.append(Problem(label, 1, 1, IGNORED_FILE, f"ignored file: expected a paper "
                                    f"file named <id>{PAPER_SUFFIX}, got the hidden file "
                                    f"{entry.name}; no command reads it", "warning"))
        else:
            files.append(entry)
    return files, problems


# --- one file -------------------------------------------------------------------


def as_strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _authors(value: Any) -> tuple[tuple[str, ...], int | None]:
    """YAML `authors` (a count, or the list of names) as (names, count)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (), value
    names = as_strings(value)
    return names, (len(names) or None)


def paper_from_values(data: Mapping[str, Any]) -> Paper:
    """A Paper from a file's values that passed the schema (field names as in PAPER_FIELDS)."""
    names, count = _authors(data.get("authors"))
    return Paper(
        id=str(data["id"]),
        title=str(data["title"]),
        abstract=str(data.get("abstract") or ""),
        added=data["added"],
        sources=as_strings(data.get("sources")),
        published=data.get("published"),
        authors=names,
        author_count=count,
        organization=data.get("organization"),
        upvotes=data.get("upvotes"),
        arxiv=data.get("arxiv"),
        listed=data.get("listed"),
        code=data.get("code"),
        project=data.get("project"),
        themes=as_strings(data.get("themes")),
        tags=as_strings(data.get("tags")),
        note=data.get("note") or None,
        hidden=bool(data.get("hidden", False)),
    )


def _read_text(path: Path) -> tuple[str | None, list[Problem]]:
    label = path.as_posix()
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [Problem(label, 1, 1, UNREADABLE_FILE, f"cannot read: expected a paper "
                                  f"file of at most {MAX_FILE_BYTES // 1024} KiB, got "
                                  f"{size / 1024:.0f} KiB")]
        return read_bytes(label, path.read_bytes())
    except OSError as exc:
        return None, [Problem(label, 1, 1, UNREADABLE_FILE, "cannot read: expected a readable "
                              f"file, got {exc.strerror}")]


def read_paper_file(path: Path, rules: Rules, extra: FileCheck | None = None,
                    keep_file: bool = False) -> PaperRead:
    """One paper file: every single-file problem, and its Paper when it has no error."""
    text, problems = _read_text(path)
    if text is None:
        return PaperRead(path.as_posix(), problems)
    return read_paper_text(path.as_posix(), path.stem, text, rules, extra, keep_file)


def read_paper_text(label: str, stem: str, text: str, rules: Rules,
                    extra: FileCheck | None = None, keep_file: bool = False) -> PaperRead:
    """A paper file's text, read and checked; `stem` is its file name without .yaml."""
    parsed, problems = read_paper(label, text)
    read = PaperRead(label, problems)
    if parsed is None:
        return read
    stages = [check_fields(parsed, rules.schema), check_id(parsed, stem)]
    if rules.theme_names is not None:
        # First, so that `RL` is told "did you mean rl" rather than only the id pattern.
        stages.insert(0, check_themes(parsed, rules.theme_names, rules.themes_path))
    for found in stages:
        # A value already reported (a tag, an id that is no slug) is not reported again.
        at = {(p.line, p.col) for p in problems}
        problems += [p for p in found if (p.line, p.col) not in at]
    read.values = parsed.values
    read.identity = identity_of(parsed)
    if not any(p.severity == "error" for p in problems):
        read.paper = paper_from_values(parsed.values)
        if extra is not None and not problems:  # one mistake, one problem
            problems += extra(parsed)
    if keep_file:
        read.file = parsed
    return read


# --- the whole library ----------------------------------------------------------


def load_theme_names(themes_file: Path) -> tuple[dict[str, str] | None, list[Problem]]:
    """The valid theme ids with their names, or None and the problems of a broken themes.yml."""
    label = themes_file.as_posix()
    if not themes_file.is_file():
        return None, [Problem(label, 1, 1, UNREADABLE_FILE,
                              "cannot read: expected the theme taxonomy here, got no such file")]
    try:
        return {theme.id: theme.name for theme in load_taxonomy(themes_file).themes}, []
    except DigestError as exc:
        message = str(exc).removeprefix(f"{themes_file}: ")
        return None, exc.problems or [Problem(label, 1, 1, UNREADABLE_FILE, message)]


def _read_files(paths: list[Path], rules: Rules, extra: FileCheck | None,
                keep_files: bool) -> list[PaperRead]:
    return [read_paper_file(path, rules, extra, keep_files) for path in paths]


def read_library(content_dir: Path, *, themes: bool = True, extra: FileCheck | None = None,
                 keep_files: bool = False, workers: Workers | None = None) -> Library:
    """Every file of content_dir/papers, read and checked; with `themes`, theme ids are
    checked against content_dir/themes.yml, whose own problems are included.

    Read in worker processes (digest/workers.py) when the library is large: the
    caller's `workers` when it has them for later stages too, else its own.
    """
    problems: list[Problem] = []
    theme_names = None
    themes_file = content_dir / THEMES_FILE
    if themes:
        theme_names, problems = load_theme_names(themes_file)
    rules = Rules(load_schema(), theme_names, themes_file.as_posix())
    files, listing = library_files(content_dir / PAPERS_DIR)
    problems += listing
    with nullcontext(workers) if workers else Workers() as serving:  # no process until asked
        pool = None if keep_files else serving.pool_for(len(files))  # node trees are too costly to send
        reads = (joined(start_shares(pool, partial(_read_files, rules=rules, extra=extra, keep_files=False),
                                     files))
                 if pool is not None else _read_files(files, rules, extra, keep_files))
    for read in reads:
        problems += read.problems
    problems += check_duplicates([r.identity for r in reads if r.identity is not None])
    return Library(reads, sorted(problems))
