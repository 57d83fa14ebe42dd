"""Time `digest build` against a bare `mkdocs build` of the same pages, and size the site.

    python bench/build.py                 # the real corpus (../shared/corpus/scale), ingested to a temp dir
    python bench/build.py --content content   # the shipped seed library
    python bench/build.py --runs 3        # median of three runs of each command

The bench works on a copy of the project (mkdocs.yml, site_templates/ and
the content) in a temporary folder, so it never touches the checkout's own
.digest-build/ or site/. Both commands run as fresh processes into fresh
site folders, alternating. `digest build` renders into .digest-build/docs
(mkdocs.yml's docs_dir), which the bare `mkdocs build` then reads, so the
difference is exactly what digest adds: checking, loading, themes, related
papers, rendering and writing the pages, and indexing them for search with
Pagefind (its stage is timed apart, from `digest build`'s progress lines).
The two commands alternate in order from run to run and the disk is synced
before each.
Targets: ratio without indexing <= 1.15, indexing <= 25% of the rest of the
build, paper page <= 25 KB, whole site <= 300 MB.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "scale"
TODAY = "2026-11-25"
RATIO_TARGET, PAGE_TARGET_KB, SITE_TARGET_MB, INDEX_SHARE_TARGET = 1.15, 25, 300, 0.25


def run(command: list[str], **kwargs) -> tuple[float, subprocess.CompletedProcess]:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")  # Material's end-of-life banner
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, **kwargs)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{done.stdout}\n{done.stderr}")
    return elapsed, done


def project_copy(into: Path, content: Path | None) -> Path:
    """A project folder of its own: mkdocs.yml, templates, and content (copied or ingested)."""
    shutil.copy(ROOT / "mkdocs.yml", into / "mkdocs.yml")
    shutil.copytree(ROOT / "site_templates", into / "site_templates")
    if content is None:
        return ingest_corpus(into)
    shutil.copytree(content, into / "content")
    return into / "content"


def ingest_corpus(into: Path) -> Path:
    if not CORPUS.is_dir():
        sys.exit(f"corpus not found: {CORPUS} (or pass --content DIR)")
    content = into / "content"
    print(f"ingesting {CORPUS} into {content} ...", flush=True)
    elapsed, _ = run([sys.executable, "-m", "digest", "ingest", str(CORPUS), "--content",
                      str(content), "--today", TODAY, "--quiet"])
    shutil.copy(ROOT / "content" / "themes.yml", content / "themes.yml")
    shutil.copytree(ROOT / "content" / "schema", content / "schema")
    print(f"  {len(list((content / 'papers').glob('*.yaml')))} papers in {elapsed:.1f} s")
    return content


def stage_seconds(stderr: str, stage: str) -> float:
    """A stage's time from `digest build`'s progress lines ("search  ...  12.34s")."""
    return sum(float(s) for s in re.findall(rf"^{stage}\s.*?([\d.]+)s\s*$", stderr, flags=re.M))


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, help="content folder (default: ingest the corpus)")
    parser.add_argument("--runs", type=int, default=3, help="paired runs of the two commands (median)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="digest-bench-") as tmp:
        work = Path(tmp)
        content = project_copy(work, args.content.resolve() if args.content else None)
        digest_times, mkdocs_times, index_times = [], [], []
        for n in range(args.runs):
            site, bare = work / f"site-{n}", work / f"bare-{n}"
            digest_cmd = [sys.executable, "-m", "digest", "build", "--content", str(content),
                          "--site", str(site)]
            mkdocs_cmd = [sys.executable, "-m", "mkdocs", "build", "--quiet", "--config-file",
                          str(work / "mkdocs.yml"), "--site-dir", str(bare)]
            # Alternate which command goes first, and flush the last run's
            # 180 MB of writes before timing the next, so neither command pays
            # for the other's disk traffic.
            for command in ((digest_cmd, mkdocs_cmd) if n % 2 == 0 else (mkdocs_cmd, digest_cmd)):
                os.sync()
                elapsed, done = run(command)
                if command is digest_cmd:
                    digest_times.append(elapsed)
                    index_times.append(stage_seconds(done.stderr, "search"))
                    if n == 0:
                        print("digest build stages:")
                        print("".join(f"  {line}\n" for line in done.stderr.splitlines()
                                      if line.strip()))
                else:
                    mkdocs_times.append(elapsed)
            if n:
                shutil.rmtree(work / f"site-{n - 1}", ignore_errors=True)
            shutil.rmtree(bare, ignore_errors=True)
        site = work / f"site-{args.runs - 1}"

        pages = sorted((site / "papers").rglob("index.html"))
        sizes = [p.stat().st_size for p in pages]
        digest_s, mkdocs_s = statistics.median(digest_times), statistics.median(mkdocs_times)
        # Each run pairs the two commands back to back; the median of the
        # pairs' ratios is steadier than a ratio of medians on a noisy machine.
        ratio = statistics.median(d / m for d, m in zip(digest_times, mkdocs_times))
        # What indexing adds to the rest of `digest build`, run by run: the "search"
        # stage is the wait for Pagefind once MkDocs is done. Pagefind runs alongside
        # MkDocs, so what it costs MkDocs by sharing the cores is in MkDocs' time and
        # shows only in the ratio with indexing.
        share = statistics.median(i / (d - i) for d, i in zip(digest_times, index_times))
        bare_ratio = statistics.median((d - i) / m for d, i, m in
                                       zip(digest_times, index_times, mkdocs_times))
        site_mb = folder_size(site) / 1e6
        biggest = max(sizes) / 1000 if sizes else 0.0

        def verdict(ok: bool) -> str:
            return "ok" if ok else "OVER TARGET"

        print(f"papers:               {len(pages)}")
        print(f"digest build:         {digest_s:7.2f} s   (runs: {', '.join(f'{t:.2f}' for t in digest_times)})")
        print(f"bare mkdocs build:    {mkdocs_s:7.2f} s   (runs: {', '.join(f'{t:.2f}' for t in mkdocs_times)})")
        print(f"Pagefind wait:        {statistics.median(index_times):7.2f} s   (after MkDocs; runs: "
              f"{', '.join(f'{t:.2f}' for t in index_times)})")
        print(f"ratio (median of runs):{ratio:6.3f}     with indexing")
        print(f"ratio without indexing:{bare_ratio:6.3f}     target <= {RATIO_TARGET}  "
              f"{verdict(bare_ratio <= RATIO_TARGET)}")
        print(f"indexing's wait adds: {share:7.1%}     of the rest of digest build (sharing the cores "
              "with MkDocs: see the ratio with indexing), target <= "
              f"{INDEX_SHARE_TARGET:.0%}  {verdict(share <= INDEX_SHARE_TARGET)}")
        if sizes:
            print(f"paper page HTML:      {statistics.mean(sizes) / 1000:7.1f} KB mean, "
                  f"{biggest:.1f} KB max   target <= {PAGE_TARGET_KB} KB  {verdict(biggest <= PAGE_TARGET_KB)}")
        print(f"search index:         {folder_size(site / 'pagefind') / 1e6:7.1f} MB   (Pagefind, "
              f"{sum(1 for _ in (site / 'pagefind').rglob('*.pf_*'))} files; a query fetches a few)")
        print(f"papers.json:          {(site / 'papers.json').stat().st_size / 1e6:7.1f} MB")
        print(f"whole site:           {site_mb:7.1f} MB   target <= {SITE_TARGET_MB} MB  "
              f"{verdict(site_mb <= SITE_TARGET_MB)}")


if __name__ == "__main__":
    main()
