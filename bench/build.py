"""Time `digest build` against a bare `mkdocs build` of the same pages, and size the site.

    python bench/build.py                 # the real corpus (../shared/corpus/scale), ingested to a temp dir
    python bench/build.py --content content   # the shipped seed library
    python bench/build.py --runs 3        # median of three runs of each command

The bench works on a copy of the project (mkdocs.yml, site_templates/ and
the content) in a temporary folder, so it never touches the checkout's own
.digest-build/ or site/. Each run times three fresh processes into fresh site
folders, in an order that rotates from run to run, with the disk synced before
each: `digest build`, `digest build --no-search-index`, and a bare `mkdocs
build` of the Markdown that digest wrote into .digest-build/docs (mkdocs.yml's
docs_dir). So digest build / bare mkdocs is exactly what digest adds
(checking, loading, themes, related papers, rendering and writing the pages,
and the search index), and with / without the index is what indexing adds,
Pagefind's sharing of the cores with MkDocs included.
Targets: digest build <= 1.15 x bare mkdocs, indexing <= 25% of the build
without it, paper page <= 25 KB, whole site <= 300 MB.
"""

from __future__ import annotations

import argparse
import os
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
        times: dict[str, list[float]] = {"digest": [], "no-index": [], "mkdocs": []}
        for n in range(args.runs):
            site = work / f"site-{n}"
            commands = {
                "digest": [sys.executable, "-m", "digest", "build", "--content", str(content),
                           "--site", str(site)],
                "no-index": [sys.executable, "-m", "digest", "build", "--content", str(content),
                             "--site", str(work / f"plain-{n}"), "--no-search-index"],
                "mkdocs": [sys.executable, "-m", "mkdocs", "build", "--quiet", "--config-file",
                           str(work / "mkdocs.yml"), "--site-dir", str(work / f"bare-{n}")],
            }
            names = list(commands)
            # Rotate which command goes first (run 0 starts with digest build, which writes
            # the pages the bare build reads), and flush the last run's 200 MB of writes
            # before timing the next, so no command pays for another's disk traffic.
            for name in names[n % 3:] + names[:n % 3]:
                os.sync()
                elapsed, done = run(commands[name])
                times[name].append(elapsed)
                if name == "digest" and n == 0:
                    print("digest build stages:")
                    print("".join(f"  {line}\n" for line in done.stderr.splitlines() if line.strip()))
            for old in (f"site-{n - 1}", f"plain-{n}", f"bare-{n}"):
                shutil.rmtree(work / old, ignore_errors=True)
        site = work / f"site-{args.runs - 1}"

        pages = sorted((site / "papers").rglob("index.html"))
        sizes = [p.stat().st_size for p in pages]
        # Each run times the commands back to back; the median of the runs' ratios
        # is steadier than a ratio of medians on a noisy machine.
        ratio = statistics.median(d / m for d, m in zip(times["digest"], times["mkdocs"]))
        plain_ratio = statistics.median(p / m for p, m in zip(times["no-index"], times["mkdocs"]))
        share = statistics.median(d / p - 1 for d, p in zip(times["digest"], times["no-index"]))
        site_mb = folder_size(site) / 1e6
        biggest = max(sizes) / 1000 if sizes else 0.0

        def verdict(ok: bool) -> str:
            return "ok" if ok else "OVER TARGET"

        def figures(name: str) -> str:
            runs = times[name]
            return f"{statistics.median(runs):7.2f} s   (runs: {', '.join(f'{t:.2f}' for t in runs)})"

        print(f"papers:                  {len(pages)}")
        print(f"digest build:            {figures('digest')}")
        print(f"  without search index:  {figures('no-index')}")
        print(f"bare mkdocs build:       {figures('mkdocs')}")
        print(f"ratio to bare mkdocs:    {ratio:7.3f}     target <= {RATIO_TARGET}  "
              f"{verdict(ratio <= RATIO_TARGET)}   (median of runs)")
        print(f"  without search index:  {plain_ratio:7.3f}")
        print(f"indexing adds:           {share:7.1%}     of digest build without it, target <= "
              f"{INDEX_SHARE_TARGET:.0%}  {verdict(share <= INDEX_SHARE_TARGET)}")
        if sizes:
            print(f"paper page HTML:         {statistics.mean(sizes) / 1000:7.1f} KB mean, "
                  f"{biggest:.1f} KB max   target <= {PAGE_TARGET_KB} KB  {verdict(biggest <= PAGE_TARGET_KB)}")
        print(f"search index:            {folder_size(site / 'pagefind') / 1e6:7.1f} MB   (Pagefind, "
              f"{sum(1 for _ in (site / 'pagefind').rglob('*.pf_*'))} files; a query fetches a few)")
        print(f"papers.json:             {(site / 'papers.json').stat().st_size / 1e6:7.1f} MB")
        print(f"whole site:              {site_mb:7.1f} MB   target <= {SITE_TARGET_MB} MB  "
              f"{verdict(site_mb <= SITE_TARGET_MB)}")


if __name__ == "__main__":
    main()
