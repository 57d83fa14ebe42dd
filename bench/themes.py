"""How well and how fast theme assignment works, against hand labels it was not tuned on.

    python bench/themes.py [--corpus PATH] [--errors tune] [--repeat N]
    python bench/themes.py --write-training   # regenerate digest/theme_training.json
    python bench/themes.py --search           # choose the model's settings on tune only
    python bench/themes.py --curve            # the learning curve, on tune only

Reads the shipped seed dumps (content/dumps) and every dump of the corpus,
finds the labelled papers of bench/themes_labels.yml by title, and prints for
the learned assigner (digest/theme_model.py, trained on the tune split that
ships as digest/theme_training.json) and, for comparison, the keyword rules
alone: primary-hit rate (the reader's primary theme is among the assigned
ones) and micro precision / recall / F1 over (paper, theme) pairs, on the
held-out split, its seed papers alone, and the tune split (leave-one-out for
the model: each tune paper is scored by a model trained without it). Then the
Unsorted share on the shipped library and the whole corpus, the effect of 50
curator pins (averaged over 20 draws, and in three single designs), and the
time to train and to assign the corpus. Where bench/themes_second_reader.yml
exists, also how far a second reader, labelling the held-out papers blind,
agrees with the first: about the best any assigner can score.

Honesty: `--errors`, `--search` and `--curve` only ever look at the tune split,
and the training file is checked to hold no held-out paper.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digest import theme_model  # noqa: E402
from digest.dumps import decode_dump, parse_dump  # noqa: E402
from digest.reader import read_library  # noqa: E402
from digest.model import DigestError, Paper  # noqa: E402
from digest.theme_model import (  # noqa: E402
    Example, ThemeModel, held_out_scores, leave_one_out, train_model, training_set)
from digest.theme_report import per_theme, scores, summary, unsorted_share  # noqa: E402
from digest.themes import UNSORTED, Taxonomy, assign_themes, explain, load_taxonomy  # noqa: E402

SPLITS = ("tune", "heldout")
PINS = 50
DRAWS = 20  # draws of 50 pins averaged: which 50 papers moves one draw's figure more than pinning does
# The settings --search tries: each a module constant of digest/theme_model.py.
GRID = {
    "RIDGE": (0.3, 1.0),
    "WORD_SCALE": (4.0, 6.0),
    "RULE_SCALE": (4.0, 6.0),
    "RULE_HALF": (6.0, 9.0),
    "ALSO_TARGET": (0.5, 0.7, 1.0),
    "UNSORTED_BELOW": (0.05, 0.1, 0.15, 0.2, 0.25),
    "ALSO_ABOVE": (0.25, 0.3, 0.35, 0.4, 0.5),
}
DECIDE = ("UNSORTED_BELOW", "ALSO_ABOVE")  # settings that need no refit

Themes = tuple[str, ...]


def read_dumps(folder: Path) -> dict[str, str]:
    """Title -> abstract of the unique papers of a folder's dumps, first occurrence wins."""
    papers: dict[str, str] = {}
    for dump in sorted(folder.glob("*.txt")):
        for entry in parse_dump(decode_dump(dump.read_bytes(), dump.name), dump.name).entries:
            papers.setdefault(entry.title, entry.abstract)
    return papers


def as_paper(n: int, title: str, abstract: str, themes: Themes = ()) -> Paper:
    return Paper(f"p{n}", title, abstract, date(2000, 1, 1), themes=themes)


def gold(label: dict) -> Themes:
    return (label["primary"], *label["also"])


def fixed_order(title: str, salt: str = "") -> str:
    """A sort key for an arbitrary order that never changes: the SHA-1 of salt and title."""
    return hashlib.sha1((salt + title).encode()).hexdigest()


def pin_choice(tune: list[dict], misfiled: set[str] = frozenset()) -> list[dict]:
    """The tune papers a curator is taken to have pinned: 50 of the seed papers, in
    the order of their titles' SHA-1, so the choice is fixed; those in `misfiled`
    first, as a curator pins the papers whose themes look wrong to them."""
    seeds = [label for label in tune if label.get("origin") == "seeds"] or tune
    return sorted(seeds, key=lambda label: (label["title"] not in misfiled,
                                            fixed_order(label["title"])))[:PINS]


def pin_draw(tune: list[dict], draw: int) -> list[dict]:
    """Draw number `draw` of 50 tune papers taken to be pinned: fixed by SHA-1 of draw and title."""
    return sorted(tune, key=lambda label: fixed_order(label["title"], f"{draw}:"))[:PINS]


def nearest_is_pin(model: ThemeModel, base: list[tuple[str, str]], pins: list[tuple[str, str]],
                   papers: list[tuple[str, str]]) -> list[bool]:
    """For each paper, whether its nearest labelled paper (cosine of the model's tf-idf
    rows; ties go to the base) is one of the pins: the papers a pin should teach."""
    def rows(texts: list[tuple[str, str]]) -> np.ndarray:
        return model._docs(texts).word_rows(len(model.terms))
    nearest = np.argmax(rows(papers) @ rows(base + pins).T, axis=1)
    return (nearest >= len(base)).tolist()


def write_training(tune: list[dict], texts: dict[str, str], path: Path) -> None:
    """The tune split with its abstracts, as the package ships it."""
    papers = [{"title": label["title"], "abstract": texts[label["title"]], "themes": list(gold(label))}
              for label in sorted(tune, key=lambda label: label["title"])]
    header = ("Labelled papers the theme model learns from: the tune split of bench/themes_labels.yml "
              "with their abstracts. Generated by `python bench/themes.py --write-training`; "
              "never holds a held-out paper.")
    text = json.dumps({"about": header, "papers": papers}, ensure_ascii=False, indent=1)
    path.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {len(papers)} labelled papers to {path}")


def search(taxonomy: Taxonomy, examples: list[Example]) -> None:
    """Leave-one-out on the tune split for every setting of GRID; best micro-F1 first."""
    results = []
    fitted, decided = [name for name in GRID if name not in DECIDE], [name for name in GRID if name in DECIDE]
    for values in itertools.product(*(GRID[name] for name in fitted)):
        for name, value in zip(fitted, values):
            setattr(theme_model, name, value)
        model, docs, held = held_out_scores(taxonomy, examples)
        for thresholds in itertools.product(*(GRID[name] for name in decided)):
            for name, value in zip(decided, thresholds):
                setattr(theme_model, name, value)
            got = [a.themes for a in model._decide(docs, held)]
            s = scores([(e.themes, themes) for e, themes in zip(examples, got)])
            unsorted = sum(themes == (UNSORTED,) for themes in got) / len(got)
            results.append((round(s["f1"], 3), round(s["primary_hit"], 3), -unsorted,
                            dict(zip(fitted + decided, values + thresholds))))
    print(f"leave-one-out on {len(examples)} tune papers; best 15 of {len(results)} settings:")
    for f1, hit, unsorted, settings in sorted(results, key=lambda r: r[:3], reverse=True)[:15]:
        print(f"  F1 {f1:.3f}  primary-hit {hit:.3f}  unsorted {-unsorted:.1%}  "
              + ", ".join(f"{name}={value}" for name, value in settings.items()))


def learning_curve(taxonomy: Taxonomy, examples: list[Example], draws: int = DRAWS) -> None:
    """Micro-F1 on a fifth of the tune split against how many of the rest the model learns from:
    what 50 more labelled papers (a curator's pins) can be expected to add at each size."""
    fold = len(examples) // 5
    sizes = (100, 200, 300, len(examples) - fold)
    found: dict[int, list[float]] = {size: [] for size in sizes}
    for draw in range(draws):
        order = sorted(examples, key=lambda e: fixed_order(e.title, f"{draw}:"))
        scored, rest = order[:fold], order[fold:]
        papers = [as_paper(n, e.title, e.abstract) for n, e in enumerate(scored)]
        for size in sizes:
            got = train_model(taxonomy, shipped=rest[:size]).assign(papers)
            found[size].append(scores([(e.themes, a.themes) for e, a in zip(scored, got)])["f1"])
    print(f"learning curve on the tune split, {draws} draws of {fold} papers scored by models trained "
          f"on some of the other {len(examples) - fold} (mean micro-F1 +- standard error):")
    for smaller, size in zip((None, *sizes), sizes):
        gain = ""
        if smaller:  # paired by draw: the same scored papers, so the draw's luck cancels
            steps = [b - a for a, b in zip(found[smaller], found[size])]
            gain = (f"; {size - smaller} more: {statistics.mean(steps):+.4f} "
                    f"+- {statistics.stdev(steps) / draws ** 0.5:.4f}, rose in {sum(x > 0 for x in steps)} "
                    f"of {draws}")
        print(f"  {size:>4} labelled papers: {statistics.mean(found[size]):.3f} "
              f"+- {statistics.stdev(found[size]) / draws ** 0.5:.3f}{gain}")


def second_reader(path: Path, heldout: list[dict], assigned: list[Themes], taxonomy: Taxonomy) -> None:
    """How well a second careful reader, labelling held-out papers blind, agrees with the first
    (whose labels are the benchmark): about the best any assigner can score against them."""
    second = {label["title"]: (label["primary"], *label["also"])
              for label in yaml.safe_load(path.read_text(encoding="utf-8"))["papers"]}
    unknown = sorted({t for themes in second.values() for t in themes} - set(taxonomy.ids))
    rows = [(gold(label), second[label["title"]], got)
            for label, got in zip(heldout, assigned) if label["title"] in second]
    print(f"\nsecond reader: {len(rows)} held-out papers labelled blind ({path.name})"
          + (f"; unknown themes: {unknown}" if unknown else ""))
    print(summary("second reader vs first", [(first, other) for first, other, _ in rows]))
    print(summary("model vs first", [(first, got) for first, _, got in rows]))
    print(summary("model vs second", [(other, got) for _, other, got in rows]))


def print_errors(taxonomy: Taxonomy, tune: list[Example], origin: dict[str, str]) -> None:
    """The tune split's mistakes, leave-one-out, for whoever edits the rules or the model."""
    examples = training_set(taxonomy, shipped=tune)
    model = train_model(taxonomy, shipped=tune)
    loo = leave_one_out(taxonomy, examples)
    for name in ("seeds", "corpus"):
        print(summary(f"tune {name}, leave-one-out", [(e.themes, got) for e, got in zip(examples, loo)
                                                    if origin[e.title] == name]))
    print("mistakes on the tune split, leave-one-out (labels: primary + also | assigned):")
    for example, got in zip(examples, loo):
        if set(example.themes) != set(got):
            mark = "MISS" if example.themes[0] not in got else "    "
            evidence = model.assign([as_paper(0, example.title, example.abstract)])[0]
            print(f"{mark} {example.title[:90]}\n     {list(example.themes)} | {list(got)}"
                  f"  (full model: {explain(evidence)})")


def timed(repeat: int, work: Callable[[], object]) -> tuple[float, object]:
    """Best of `repeat` runs (the machine is shared: noise only adds) and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "scale")
    parser.add_argument("--labels", type=Path, default=ROOT / "bench" / "themes_labels.yml")
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--second-reader", type=Path, default=ROOT / "bench" / "themes_second_reader.yml")
    parser.add_argument("--curve", action="store_true", help="the learning curve, on the tune split only")
    parser.add_argument("--errors", choices=("tune",), help="list the model's tune mistakes (leave-one-out)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs over the corpus (default 3)")
    parser.add_argument("--search", action="store_true", help="choose settings by leave-one-out on tune")
    parser.add_argument("--write-training", action="store_true", help="regenerate the shipped training set")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 1
    try:
        taxonomy = load_taxonomy(args.content / "themes.yml")
    except DigestError as exc:
        print("\n".join(map(str, exc.problems)) or str(exc), file=sys.stderr)
        return 1

    seeds = read_dumps(args.content / "dumps")
    corpus = read_dumps(args.corpus)
    texts = {**corpus, **seeds}
    labels = yaml.safe_load(args.labels.read_text(encoding="utf-8"))["papers"]
    missing = [label["title"] for label in labels if label["title"] not in texts]
    labels = [label for label in labels if label["title"] in texts]
    split = {name: [label for label in labels if label["split"] == name] for name in SPLITS}
    tune = [Example(label["title"], texts[label["title"]], gold(label)) for label in split["tune"]]

    if args.write_training:
        write_training(split["tune"], texts, theme_model.TRAINING)
        return 0
    if args.search:
        search(taxonomy, training_set(taxonomy, shipped=tune))
        return 0
    if args.curve:
        learning_curve(taxonomy, training_set(taxonomy, shipped=tune))
        return 0
    if args.errors:
        print_errors(taxonomy, tune, {label["title"]: label.get("origin", "corpus") for label in labels})
        return 0

    shipped = theme_model.shipped_examples()
    heldout_titles = {label["title"] for label in split["heldout"]}
    leaked = [e.title for e in shipped if e.title in heldout_titles]
    stale = {e.title for e in shipped} != {e.title for e in tune}
    print(f"labelled papers: {len(labels)} found"
          + (f", {len(missing)} missing: {missing}" if missing else "")
          + "; " + ", ".join(f"{split_name} {origin} {n}" for (split_name, origin), n in sorted(
              Counter((label["split"], label.get("origin", "corpus")) for label in labels).items())))
    if leaked or stale:
        print(f"digest/theme_training.json is not the tune split (held-out papers in it: {leaked}); "
              "run --write-training", file=sys.stderr)
        return 1

    train_s, model = timed(args.repeat, lambda: train_model(taxonomy))
    print(f"model: trained on {model.examples} labelled papers + {len(taxonomy.themes)} theme "
          f"documents, {len(model.terms)} words, in {train_s * 1000:.0f} ms (best of {args.repeat})")

    def by_model(chosen: list[dict], trained=model) -> list[tuple[Themes, Themes]]:
        papers = [as_paper(n, label["title"], texts[label["title"]]) for n, label in enumerate(chosen)]
        return [(gold(label), got.themes) for label, got in zip(chosen, trained.assign(papers))]

    def by_rules(chosen: list[dict]) -> list[tuple[Themes, Themes]]:
        return [(gold(label), assign_themes(as_paper(0, label["title"], texts[label["title"]]),
                                            taxonomy).themes) for label in chosen]

    heldout_seeds = [label for label in split["heldout"] if label.get("origin") == "seeds"]
    heldout_corpus = [label for label in split["heldout"] if label.get("origin") != "seeds"]
    tune_examples = training_set(taxonomy, shipped=tune)
    loo = leave_one_out(taxonomy, tune_examples)
    model_rows = {
        "held-out, all": by_model(split["heldout"]),
        "held-out, seed papers": by_model(heldout_seeds),
        "held-out, corpus papers": by_model(heldout_corpus),
        "tune, leave-one-out": [(e.themes, got) for e, got in zip(tune_examples, loo)],
    }
    print("\nlearned model (digest/theme_model.py):")
    for name, pairs in model_rows.items():
        print(summary(name, pairs))
    print("keyword rules alone (digest/themes.py assign_themes), for comparison:")
    for name, chosen in (("held-out, all", split["heldout"]), ("held-out, seed papers", heldout_seeds),
                         ("tune (the rules were tuned on it)", split["tune"])):
        print(summary(name, by_rules(chosen)))
    print("\nper theme, held-out split, learned model:")
    print("\n".join(per_theme(model_rows["held-out, all"], taxonomy.ids)))
    if args.second_reader.is_file():
        second_reader(args.second_reader, split["heldout"], [got for _, got in model_rows["held-out, all"]],
                      taxonomy)

    library = read_library(args.content).papers
    library_model = train_model(taxonomy, pinned=library)
    print(f"\nUnsorted, shipped library ({sum(bool(p.themes) for p in library)} pinned): "
          + unsorted_share([a.themes for a in library_model.assign(library)]))
    corpus_papers = [as_paper(n, title, abstract) for n, (title, abstract) in enumerate(corpus.items())]
    assign_s, assigned = timed(args.repeat, lambda: model.assign(corpus_papers))
    print(f"Unsorted, whole corpus: {unsorted_share([a.themes for a in assigned])}")
    sizes = Counter(len(a.themes) for a in assigned if a.themes != (UNSORTED,))
    first = Counter(a.themes[0] for a in assigned)
    anywhere = Counter(t for a in assigned for t in a.themes)
    print(f"  papers with 1/2/3 themes: {sizes[1]}/{sizes[2]}/{sizes[3]}; primary / any per theme: "
          + ", ".join(f"{t} {first[t]}/{anywhere[t]}" for t in taxonomy.ids))

    # A curator pins where the themes look wrong: the tune papers that a model
    # trained on the other tune papers misfiles (its primary theme not among them).
    learnable = training_set(taxonomy, shipped=tune)  # as the model learns them: Unsorted is no label
    misfiled = {e.title for e, got in zip(learnable, leave_one_out(taxonomy, learnable))
                if e.themes[0] not in got}
    def models(base: list[Example], pins: list[dict]) -> tuple[ThemeModel, ThemeModel]:
        """A model trained on `base`, and one trained on `base` with `pins` pinned too."""
        pinned = [as_paper(n, label["title"], texts[label["title"]], gold(label)) for n, label in enumerate(pins)]
        return train_model(taxonomy, shipped=base), train_model(taxonomy, shipped=base, pinned=pinned)

    def compare(base: list[Example], pins: list[dict], chosen: list[dict]) -> tuple[dict, dict]:
        return tuple(scores(by_model(chosen, model)) for model in models(base, pins))

    def without(pins: list[dict]) -> list[Example]:
        titles = {label["title"] for label in pins}
        return [e for e in tune if e.title not in titles]

    heldouts = (("held-out, all", split["heldout"]), ("held-out, seed papers", heldout_seeds))
    # The expected effect: any one draw of 50 is noise of about +-0.005 micro-F1 on 234 papers,
    # as large as the effect itself, so DRAWS draws are averaged (decided on tune folds alone).
    print(f"\npinning, {DRAWS} draws: 50 tune papers taken out of training, then pinned back "
          f"(a model trained on {len(tune) - PINS} papers, then on those and the 50 pins)")
    found: dict[str, list[tuple[dict, dict]]] = {name: [] for name, _ in heldouts}
    near: list[tuple[list, list]] = []  # per draw, (before, after) pairs of held-out papers nearest a pin
    for draw in range(DRAWS):
        pins = pin_draw(split["tune"], draw)
        base = without(pins)
        before, after = models(base, pins)
        for name, chosen in heldouts:
            found[name].append((scores(by_model(chosen, before)), scores(by_model(chosen, after))))
        close = nearest_is_pin(after, [(e.title, e.abstract) for e in base],
                               [(label["title"], texts[label["title"]]) for label in pins],
                               [(label["title"], texts[label["title"]]) for label in split["heldout"]])
        chosen = [label for label, is_near in zip(split["heldout"], close) if is_near]
        near.append((by_model(chosen, before), by_model(chosen, after)))
    for name, pairs in found.items():
        rises = [after["f1"] - before["f1"] for before, after in pairs]
        spread = statistics.stdev(rises) / DRAWS ** 0.5
        print(f"  {name:<22} mean micro-F1 {statistics.mean(b['f1'] for b, _ in pairs):.3f} -> "
              f"{statistics.mean(a['f1'] for _, a in pairs):.3f}, change {statistics.mean(rises):+.4f} "
              f"+- {spread:.4f} (standard error), rose in {sum(r > 0 for r in rises)} and fell in "
              f"{sum(r < 0 for r in rises)} of {DRAWS}; mean primary-hit "
              f"{statistics.mean(b['primary_hit'] for b, _ in pairs):.3f} -> "
              f"{statistics.mean(a['primary_hit'] for _, a in pairs):.3f}")
    pooled = [scores([pair for draw in near for pair in draw[k]]) for k in (0, 1)]
    print(f"  held-out papers whose nearest labelled paper is a pin ({sum(len(b) for b, _ in near)} "
          f"over {DRAWS} draws): micro-F1 {pooled[0]['f1']:.3f} -> {pooled[1]['f1']:.3f}, "
          f"primary-hit {pooled[0]['primary_hit']:.3f} -> {pooled[1]['primary_hit']:.3f}")
    single = [("one draw, seed papers only", pin_choice(split["tune"])),
              ("one draw, the seed papers the model misfiles first", pin_choice(split["tune"], misfiled))]
    for heading, pins in single:
        print(f"pinning, {heading}: {sum(label['title'] in misfiled for label in pins)} misfiled")
        for name, chosen in heldouts:
            before, after = compare(without(pins), pins, chosen)
            print(f"  {name:<22} micro-F1 {before['f1']:.3f} -> {after['f1']:.3f}")
    # The case as a curator lives it: the shipped model, and papers it never saw pinned.
    fresh = [label for label in labels if label["split"] == "pins"]
    if fresh:
        print(f"pinning, {len(fresh)} papers outside both splits (labelled by a third reader) "
              f"on top of the shipped model")
        for name, chosen in heldouts:
            before, after = compare(tune, fresh, chosen)
            print(f"  {name:<22} micro-F1 {before['f1']:.3f} -> {after['f1']:.3f}")

    print(f"\ntime, best of {args.repeat}: assign {len(corpus_papers)} corpus papers with evidence "
          f"{assign_s * 1000:.0f} ms ({assign_s / len(corpus_papers) * 1e6:.0f} us per paper); "
          f"training {train_s * 1000:.0f} ms")

    return 0


if __name__ == "__main__":
    sys.exit(main())
