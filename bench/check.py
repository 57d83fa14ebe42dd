"""Time `digest check` over the real 9,877-paper corpus (target: <= 5 s on 2 cores).

Builds the library in a temporary folder with `digest ingest` from
../shared/corpus/scale, copies content/themes.yml beside it so theme ids are
checked too, then runs `python -m digest check` on it a few times and prints
wall-clock and CPU seconds per run and the problems found.

    python bench/check.py [--runs 3] [--corpus ../shared/corpus/scale]
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBLEM_LINE = re.compile(r"^.+:\d+:\d+: [A-Z]\d{3} ", re.M)


def digest(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "digest", *args], cwd=ROOT,
                          capture_output=True, text=True)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "scale")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="digest-bench-") as tmp:
        content = Path(tmp) / "content"
        started = time.perf_counter()
        built = digest("ingest", str(args.corpus), "--content", str(content),
                       "--today", "2026-11-25", "-q")
        if built.returncode != 0:
            print(built.stderr, file=sys.stderr)
            return 1
        shutil.copy(ROOT / "content" / "themes.yml", content / "themes.yml")
        papers = len(list((content / "papers").glob("*.yaml")))
        print(f"library: {papers} papers (ingest took {time.perf_counter() - started:.1f} s)")
        walls = []
        for run in range(1, args.runs + 1):
            cpu, started = children_cpu(), time.perf_counter()
            checked = digest("check", "--content", str(content))
            walls.append(time.perf_counter() - started)
            problems = len(PROBLEM_LINE.findall(checked.stderr))
            if checked.returncode != 0 and not problems:  # a crash, not a verdict
                print(checked.stderr, file=sys.stderr)
                return 1
            print(f"run {run}: {walls[-1]:.2f} s wall, {children_cpu() - cpu:.2f} s CPU, "
                  f"{problems} problem(s), exit {checked.returncode}")
        print(f"digest check: {min(walls):.2f} s (best of {args.runs}), {problems} problem(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
