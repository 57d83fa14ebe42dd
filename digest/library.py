"""Merging dump entries into the YAML library, and writing it.

The library is read by digest/reader.py (the one reader every command uses);
merging is a pure function of its values and the parsed dumps, and writing
happens only after every dump has been read.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml.error import YAMLError as RuamelError

from . import files, yamlio
from .ids import arxiv_key, new_paper_id, slugify, title_hash, title_key
from .model import PAPER_FIELDS, DigestError, RawEntry
from .reader import PAPER_SUFFIX, as_strings

# Ingest asks for the key of each title several times (matching, then merging).
_key = functools.lru_cache(maxsize=1 << 16)(title_key)


# --- merging ---------------------------------------------------------------


@dataclass
class MergeResult:
    """What ingest will write: whole new files and field changes to existing ones."""

    new: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> all fields
    changed: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> changed fields
    # per dump: (entries, new papers, merged into an existing paper)
    counts: dict[str, list[int]] = field(default_factory=dict)


def _fields_of(entry: RawEntry, paper_id: str, added: date) -> dict[str, Any]:
    return {
        "id": paper_id,
        "title": entry.title,
        "abstract": entry.abstract,
        **{key: getattr(entry, key) for key in FACTS},
        "added": added,
        "sources": [entry.source],
    }


# Facts a dump fills in when the paper lacks them; author names replace a
# count, `listed` keeps the earliest day and upvotes the highest, so none of
# these depends on the order dumps arrive in.
FILLED_FACTS = ("arxiv", "published", "authors", "organization", "code", "project")
FACTS = (*FILLED_FACTS, "listed", "upvotes")


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _replaces(key: str, new: Any, old: Any) -> bool:
    """True when a dump's value of a fact takes the place of the paper's."""
    if old is None:
        return True
    if key == "authors":
        return isinstance(new, tuple) and _is_count(old)
    if key == "listed":
        return isinstance(old, date) and new < old
    if key == "upvotes":
        return not _is_count(old) or new > old
    return False


def _with_source(sources: list[str], source: str) -> list[str]:
    """`source` added at its place in name order (fetch names dumps by day, so
    this is oldest first), whatever order the dumps were ingested in."""
    at = next((i for i, s in enumerate(sources) if s > source), len(sources))
    return [*sources[:at], source, *sources[at:]]


def _apply_entry(current: dict[str, Any], entry: RawEntry, added: date,
                 curated: frozenset[str] = frozenset(), known: bool = False) -> dict[str, Any]:
    """The fields a dump not yet seen for this paper changes.

    A dump's facts are applied once, the first time that dump is seen for the
    paper: re-ingesting changes nothing, and a value a curator removed or
    corrected is not brought back by an old dump. Facts in `curated` are the
    curator's and are not touched by a new dump either.

    `known` says every fact of the paper not in `curated` is one its dumps
    gave. Then the first API response for a paper that only text dumps gave
    replaces their facts with its own: API facts win whichever came first.
    """
    changes: dict[str, Any] = {}
    api_over_text = known and entry.arxiv is not None and current.get("arxiv") is None
    for key in FACTS:
        value, old = getattr(entry, key), current.get(key)
        if value is None or key in curated or _as_fact(old) == value:
            continue
        if _replaces(key, value, old) or (api_over_text and key in FILLED_FACTS):
            changes[key] = value
    old_added = current.get("added")
    if not isinstance(old_added, date) or added < old_added:
        changes["added"] = added
    changes["sources"] = _with_source(list(as_strings(current.get("sources"))), entry.source)
    return changes


def curated_facts(
    dumps: list[tuple[str, list[RawEntry], date]],
    existing: dict[str, dict[str, Any]],
) -> dict[str, frozenset[str]]:
    """Per existing paper, the facts a curator set, changed or removed.

    When every dump in a paper's `sources` is being ingested again, ingest
    knows what it wrote from them: each fact one of them gave (the highest
    upvotes), or nothing. A value that differs, or a fact gone from the file,
    is the curator's. When some of those dumps are absent, nothing is known,
    and the paper is not in the result.
    """
    names = {name for name, _, _ in dumps}
    by_key, by_arxiv = _indexes(existing)
    given: dict[str, dict[str, list[Any]]] = {}
    seen: set[tuple[str, str]] = set()
    for name, entries, _ in dumps:
        dump_titles = {_key(entry.title) for entry in entries}
        for entry in entries:
            pid = _find_existing(entry, by_key, by_arxiv, existing, dump_titles)
            if pid is None or entry.source not in as_strings(existing[pid].get("sources")):
                continue
            data = existing[pid]
            # Only what surely is this paper, and as merge_entries applied it:
            # the first entry of each dump (a later duplicate changed nothing).
            surely = (_key(entry.title) in by_key or arxiv_key(entry.arxiv) in by_arxiv
                      or title_key(str(data.get("abstract", ""))) == title_key(entry.abstract))
            if not surely or (name, pid) in seen:
                continue
            seen.add((name, pid))
            facts = given.setdefault(pid, {key: [] for key in FACTS})
            for key in FACTS:
                if getattr(entry, key) is not None:
                    facts[key].append(getattr(entry, key))
    curated: dict[str, frozenset[str]] = {}
    for pid, facts in given.items():
        data = existing[pid]
        if not set(as_strings(data.get("sources"))) <= names:
            continue
        wrote = {key: ([max(values)] if key == "upvotes" else values) if values else [None]
                 for key, values in facts.items()}
        curated[pid] = frozenset(key for key in FACTS if _as_fact(data.get(key)) not in wrote[key])
    return curated


def _numbered(hashed: str, existing: dict[str, dict]) -> list[str]:
    """slug-<hash>, then slug-<hash>-2, -3 ... while they exist (see ids.new_paper_id)."""
    found, n = [hashed], 2
    while f"{hashed}-{n}" in existing:
        found.append(f"{hashed}-{n}")
        n += 1
    return found


def _as_fact(value: Any) -> Any:
    # YAML gives author names as a list, dumps as a tuple.
    return tuple(value) if isinstance(value, list) else value


def _indexes(papers: dict[str, dict[str, Any]]) -> tuple[dict[str, str], dict[str, str]]:
    """Paper ids by title key and by arXiv id (without version)."""
    by_key = {_key(str(d.get("title", ""))): pid for pid, d in papers.items()}
    by_arxiv = {arxiv_key(d.get("arxiv")): pid for pid, d in papers.items() if arxiv_key(d.get("arxiv"))}
    return by_key, by_arxiv


def _find_existing(entry: RawEntry, by_key: dict[str, str], by_arxiv: dict[str, str],
                   existing: dict[str, dict], dump_titles: set[str]) -> str | None:
    """The id of the library paper this entry is, if any: the one with its arXiv
    id, else with its title. `dump_titles` holds the title keys of every entry
    of the entry's dump.
    """
    found = by_arxiv.get(arxiv_key(entry.arxiv)) or by_key.get(_key(entry.title))
    if found is not None:
        return found
    # A curator's title edit leaves the paper under the id its first title gave
    # it: the slug, or slug-<hash> when the slug was taken. The paper at such an
    # id is this one if it holds this abstract, or if this very dump went into
    # it before and its title is no longer any of the dump's titles (so it was
    # edited). Another paper whose title slugs alike is neither.
    slug = slugify(entry.title)
    hashed = f"{slug}-{title_hash(entry.title)}"
    for pid in (*_numbered(hashed, existing), slug):
        data = existing.get(pid)
        if data is None:
            continue
        if title_key(str(data.get("abstract", ""))) == title_key(entry.abstract):
            return pid
        if (entry.source in as_strings(data.get("sources"))
                and _key(str(data.get("title", ""))) not in dump_titles):
            return pid
    return None


def merge_entries(
    dumps: list[tuple[str, list[RawEntry], date]],
    existing: dict[str, dict[str, Any]],
) -> MergeResult:
    """Merge parsed dumps (name, entries, added date) into the existing library mappings."""
    result = MergeResult()
    curated = curated_facts(dumps, existing)
    current = {pid: dict(data) for pid, data in existing.items()}
    by_key, by_arxiv = _indexes(current)
    for name, entries, added in dumps:
        counts = result.counts.setdefault(name, [0, 0, 0])
        dump_titles = {_key(entry.title) for entry in entries}
        for entry in entries:
            counts[0] += 1
            pid = _find_existing(entry, by_key, by_arxiv, current, dump_titles)
            if pid is None:
                pid = new_paper_id(entry.title, current)
                current[pid] = result.new[pid] = _fields_of(entry, pid, added)
                by_key[_key(entry.title)] = pid
                if arxiv_key(entry.arxiv):
                    by_arxiv[arxiv_key(entry.arxiv)] = pid
                counts[1] += 1
                continue
            counts[2] += 1
            paper = current[pid]
            if entry.source in as_strings(paper.get("sources")):
                continue
            # A paper new in this run is known: every one of its dumps is here.
            known = pid in curated or pid in result.new
            changes = _apply_entry(paper, entry, added, curated.get(pid, frozenset()), known)
            paper.update(changes)
            if "arxiv" in changes:
                by_arxiv.setdefault(arxiv_key(changes["arxiv"]), pid)
            if pid in result.new:
                result.new[pid] = paper
            else:
                result.changed.setdefault(pid, {}).update(changes)
    return result


def write_library(papers_dir: Path, merge: MergeResult) -> list[Path]:
    """Write new and changed files; every file is staged before any is replaced."""
    papers_dir.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for pid, fields in sorted(merge.new.items()):
            ordered = {k: fields[k] for k in PAPER_FIELDS if k in fields}
            staged.append(_stage(papers_dir / f"{pid}{PAPER_SUFFIX}", yamlio.dump_paper(ordered)))
        for pid, changes in sorted(merge.changed.items()):
            path = papers_dir / f"{pid}{PAPER_SUFFIX}"
            try:
                text = yamlio.update_file(path, changes, PAPER_FIELDS)
            except RuamelError as exc:  # the reader stops ingest on errors first; a safety net
                reason = getattr(exc, "problem", None) or exc
                raise DigestError(f"{path}: cannot update this file ({reason}); "
                                  "run `digest check` and fix it; nothing written") from None
            staged.append(_stage(path, text))
    except BaseException:
        for _, tmp in staged:
            tmp.unlink(missing_ok=True)
        raise
    for final, tmp in staged:
        os.replace(tmp, final)
    return [final for final, _ in staged]


def _stage(final: Path, text: str) -> tuple[Path, Path]:
    return final, files.stage(final, text.encode("utf-8"))
