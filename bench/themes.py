"""How well and how fast automatic theme assignment works on the real corpus.

    python bench/themes.py [--corpus PATH] [--errors tune] [--repeat N]

Reads every dump of the corpus with digest.dumps, finds the hand-labelled
papers of bench/themes_labels.yml by title, assigns themes with
content/themes.yml, and prints: primary-hit rate (the reader's primary theme is
among the assigned ones), micro precision / recall / F1 over (paper, theme)
pairs, per-theme counts, the same for the tune and held-out splits, the
distribution of themes over the whole corpus, and the assignment time.
`--errors tune` lists the tune split's mistakes for whoever edits the rules;
tune only on those, so the held-out figures stay honest.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digest.dumps import decode_dump, parse_dump  # noqa: E402
from digest.model import DigestError, Paper  # noqa: E402
from digest.themes import UNSORTED, Assignment, explain, assign_themes, load_taxonomy  # noqa: E402

SPLITS = ("tune", "heldout")


def read_corpus(corpus: Path) -> list[Paper]:
    """Unique papers of all dumps, first occurrence wins, in file order."""
    papers: dict[str, Paper] = {}
    for dump in sorted(corpus.glob("*.txt")):
        parsed = parse_dump(decode_dump(dump.read_bytes(), dump.name), dump.name)
        for entry in parsed.entries:
            if entry.title not in papers:
                papers[entry.title] = Paper(f"p{len(papers)}", entry.title, entry.abstract, date(2000, 1, 1))
    return list(papers.values())


def scores(rows: list[tuple[dict, Assignment]]) -> dict[str, float]:
    """Primary-hit rate and micro precision / recall / F1 over (paper, theme) pairs."""
    hits = sum(label["primary"] in got.themes for label, got in rows)
    gold = [{label["primary"], *label["also"]} for label, _ in rows]
    tp = sum(len(g & set(got.themes)) for g, (_, got) in zip(gold, rows))
    n_pred = sum(len(got.themes) for _, got in rows)
    n_gold = sum(len(g) for g in gold)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    first = sum(got.themes[0] == label["primary"] for label, got in rows)
    n = max(len(rows), 1)
    return {"n": len(rows), "primary_hit": hits / n, "primary_first": first / n,
            "precision": precision, "recall": recall, "f1": f1}


def per_theme(rows: list[tuple[dict, Assignment]], ids: tuple[str, ...]) -> list[str]:
    gold = Counter(t for label, _ in rows for t in {label["primary"], *label["also"]})
    primary = Counter(label["primary"] for label, _ in rows)
    pred = Counter(t for _, got in rows for t in got.themes)
    tp = Counter(t for label, got in rows for t in set(got.themes) & {label["primary"], *label["also"]})
    lines = [f"  {'theme':<17}{'primary':>8}{'labelled':>9}{'assigned':>9}{'correct':>8}{'P':>7}{'R':>7}"]
    for theme_id in ids + (UNSORTED,):
        if gold[theme_id] or pred[theme_id]:
            p = f"{tp[theme_id] / pred[theme_id]:.2f}" if pred[theme_id] else "-"
            r = f"{tp[theme_id] / gold[theme_id]:.2f}" if gold[theme_id] else "-"
            lines.append(f"  {theme_id:<17}{primary[theme_id]:>8}{gold[theme_id]:>9}{pred[theme_id]:>9}"
                         f"{tp[theme_id]:>8}{p:>7}{r:>7}")
    return lines


def summary(name: str, rows: list[tuple[dict, Assignment]]) -> str:
    s = scores(rows)
    return (f"{name:<8} n={s['n']:<4} primary-hit {s['primary_hit']:.3f}  "
            f"(primary ranked first {s['primary_first']:.3f})  "
            f"micro P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "scale")
    parser.add_argument("--labels", type=Path, default=ROOT / "bench" / "themes_labels.yml")
    parser.add_argument("--themes", type=Path, default=ROOT / "content" / "themes.yml")
    parser.add_argument("--errors", choices=SPLITS, help="list the mistakes made on this split")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs over the corpus (default 3)")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 1

    started = time.perf_counter()
    try:
        taxonomy = load_taxonomy(args.themes)
    except DigestError as exc:
        print("\n".join(map(str, exc.problems)) or str(exc), file=sys.stderr)
        return 1
    load_s = time.perf_counter() - started
    papers = read_corpus(args.corpus)
    times = []
    for _ in range(args.repeat):  # best of several: the machine is shared, noise only adds
        started = time.perf_counter()
        assigned = [assign_themes(paper, taxonomy) for paper in papers]
        times.append(time.perf_counter() - started)
    assign_s = min(times)
    by_title = {paper.title: got for paper, got in zip(papers, assigned)}

    labels = yaml.safe_load(args.labels.read_text(encoding="utf-8"))["papers"]
    missing = [label["title"] for label in labels if label["title"] not in by_title]
    rows = [(label, by_title[label["title"]]) for label in labels if label["title"] in by_title]

    print(f"labelled papers: {len(labels)} ({len(rows)} found in the corpus"
          + (f", missing: {missing}" if missing else "") + ")")
    print(summary("all", rows))
    for split in SPLITS:
        print(summary(split, [row for row in rows if row[0]["split"] == split]))
    print("\nper theme, all labelled papers (labelled = as primary or additional theme):")
    print("\n".join(per_theme(rows, taxonomy.ids)))
    for split in SPLITS:
        print(f"\nper theme, {split} split:")
        print("\n".join(per_theme([row for row in rows if row[0]["split"] == split], taxonomy.ids)))

    anywhere = Counter(t for got in assigned for t in got.themes)
    first = Counter(got.themes[0] for got in assigned)
    sizes = Counter(len(got.themes) for got in assigned if got.themes != (UNSORTED,))
    print(f"\nwhole corpus: {len(papers)} unique papers; unsorted {anywhere[UNSORTED]} "
          f"({anywhere[UNSORTED] / len(papers):.1%}); papers with 1/2/3 themes: "
          f"{sizes[1]}/{sizes[2]}/{sizes[3]}")
    print(f"  {'theme':<17}{'primary':>8}{'any':>7}")
    for theme_id in taxonomy.ids + (UNSORTED,):
        print(f"  {theme_id:<17}{first[theme_id]:>8}{anywhere[theme_id]:>7}")
    print(f"\ntime: load taxonomy {load_s * 1000:.1f} ms; assign {len(papers)} papers "
          f"{assign_s * 1000:.0f} ms, best of {args.repeat} "
          f"({assign_s / len(papers) * 1e6:.0f} us per paper; all runs: "
          f"{', '.join(f'{t * 1000:.0f}' for t in times)} ms)")

    if args.errors:
        print(f"\nmistakes on the {args.errors} split (labels: primary + also | assigned):")
        for label, got in rows:
            gold = [label["primary"], *label["also"]]
            if label["split"] == args.errors and set(gold) != set(got.themes):
                mark = "MISS" if label["primary"] not in got.themes else "    "
                print(f"{mark} {label['title'][:90]}\n     {gold} | {explain(got)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
