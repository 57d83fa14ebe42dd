"""Time `digest ingest` over the real corpus: first ingest, then a re-ingest with nothing new.

Usage: python3 bench/ingest.py [--corpus PATH]
Targets (issue 2): first ingest <= 10 s, re-ingest <= 3 s with 0 files changed.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def digest_of(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha1(p.read_bytes()).hexdigest() for p in folder.glob("*.yaml")}


def timed_ingest(corpus: Path, content: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "digest", "ingest", str(corpus), "--content", str(content),
         "--today", "2026-11-25", "-q"],
        cwd=ROOT, check=True, capture_output=True, text=True)
    return time.perf_counter() - start, done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "scale")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"corpus not found: {args.corpus}")
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp)
        first, ledger = timed_ingest(args.corpus, content)
        papers = content / "papers"
        before = digest_of(papers)
        again, ledger_again = timed_ingest(args.corpus, content)
        after = digest_of(papers)
        changed = sum(1 for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        size = sum(p.stat().st_size for p in papers.glob("*.yaml"))
    print(f"dumps: {len(list(args.corpus.glob('*.txt')))}   papers: {len(before)}   "
          f"library: {size / 1e6:.1f} MB")
    print(f"first ingest:   {first:6.2f} s  (target <= 10 s)   {ledger}")
    print(f"re-ingest:      {again:6.2f} s  (target <=  3 s)   {ledger_again}")
    print(f"files changed by re-ingest: {changed}")


if __name__ == "__main__":
    main()
