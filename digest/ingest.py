"""`digest ingest`: read every dump, merge into the library, then write, and print a ledger.

All dumps and the whole library are read before the first write, so an error in
any dump leaves the library untouched.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import click

from .dumps import DumpError, ParsedDump, added_date, decode_dump, parse_dump
from .hf_api import looks_like_api_response, parse_api_dump
from .library import MergeResult, merge_entries, write_library
from .model import DigestError, Problem
from .reader import read_library

DUMP_SUFFIXES = (".txt", ".json")  # page copies, saved API responses


@dataclass
class IngestReport:
    dumps: list[ParsedDump]
    merge: MergeResult
    written: list[Path]


def find_dumps(paths: list[Path]) -> list[Path]:
    """Dump files named directly, or the .txt and .json files in named folders, sorted by name."""
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise DigestError(f"{path}: no such file or folder (expected dump files, or a folder "
                              "of them; with --content DIR, dumps are read from DIR/dumps)")
        if path.is_dir():
            found.extend(p for p in path.iterdir() if p.is_file() and p.suffix in DUMP_SUFFIXES)
        else:
            found.append(path)
    if not found:
        raise DigestError(f"no dumps found in {', '.join(map(str, paths))} (expected *.txt or *.json files)")
    names = [p.name for p in found]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        # Sources are recorded by file name, so two dumps may not share one.
        raise DigestError(f"two dumps share the file name {duplicates[0]!r}; rename one")
    return sorted(found, key=lambda p: p.name)


def read_dumps(files: list[Path], progress: bool) -> list[ParsedDump]:
    """Parse every dump; all errors are collected and raised together."""
    parsed, errors = [], []
    with click.progressbar(files, label="Reading dumps", file=sys.stderr,
                           hidden=not progress or len(files) < 5) as bar:
        for path in bar:
            try:
                text = decode_dump(path.read_bytes(), path.name)
                # Told apart by content, as the text layouts are, never by the file name.
                parse = parse_api_dump if looks_like_api_response(text) else parse_dump
                parsed.append(parse(text, path.name))
            except DumpError as exc:
                errors.append(str(exc).replace(path.name, str(path), 1))
    if errors:
        raise DigestError("\n".join(errors + [f"{len(errors)} dump(s) refused; nothing written"]))
    return parsed


def library_values(papers_dir: Path) -> dict[str, dict]:
    """Existing paper mappings by file stem (the id), read as every command reads
    them; a library with errors stops the ingest before anything is written."""
    library = read_library(papers_dir.parent, themes=False)
    library.raise_errors("nothing ingested; fix the files (see `digest check`)")
    return {Path(r.path).stem: r.values for r in library.reads if r.values is not None}


def run_ingest(
    paths: list[Path],
    papers_dir: Path,
    *,
    today: date,
    fallback_date: date | None = None,
    dry_run: bool = False,
    progress: bool = True,
) -> IngestReport:
    dumps = read_dumps(find_dumps(paths), progress)
    existing = library_values(papers_dir)
    merge = merge_entries(
        [(d.name, d.entries, d.day or added_date(d.header_day, today, fallback_date))
         for d in dumps],
        existing,
    )
    written = [] if dry_run else write_library(papers_dir, merge)
    print_ledger(dumps, merge, written, dry_run)
    return IngestReport(dumps, merge, written)


def print_ledger(dumps: list[ParsedDump], merge: MergeResult, written: list[Path], dry_run: bool) -> None:
    echo = click.echo
    width = max([len(d.name) for d in dumps] + [4])
    echo(f"{'dump':<{width}}  {'layout':<10} {'entries':>7} {'new':>6} {'merged':>6} {'warnings':>8}")
    warnings: list[Problem] = []
    for d in dumps:
        entries, new, merged = merge.counts.get(d.name, [0, 0, 0])
        echo(f"{d.name:<{width}}  {d.layout:<10} {entries:>7} {new:>6} {merged:>6} {len(d.warnings):>8}")
        warnings.extend(d.warnings)
    totals = [sum(c[i] for c in merge.counts.values()) for i in range(3)]
    echo(f"{'total':<{width}}  {len(dumps):<10} {totals[0]:>7} {totals[1]:>6} {totals[2]:>6} {len(warnings):>8}")
    for warning in warnings:
        echo(f"warning: {warning}", err=True)
    updated = len(merge.changed)
    if dry_run:
        echo(f"dry run: would write {len(merge.new)} new and update {updated} paper file(s)")
    else:
        echo(f"wrote {len(merge.new)} new and updated {updated} paper file(s); "
             f"{len(written)} file(s) changed")
