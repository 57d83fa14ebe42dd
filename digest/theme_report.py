"""What `digest themes` prints: why a paper got its themes, and how well the model does.

Pure functions from a trained model and papers to lines of text; the figures
(primary-hit rate, micro precision / recall / F1, per-theme counts) are the
ones bench/themes.py prints too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from .model import Paper
from .theme_model import Example, ThemeModel, leave_one_out, nearest_themes, training_set
from .themes import UNSORTED, words

Themes = tuple[str, ...]
SHOWN_PARTS = 8  # contributions listed per theme by --explain


def scores(pairs: Sequence[tuple[Themes, Themes]]) -> dict[str, float]:
    """Primary-hit rate (the labelled primary is among the assigned themes), how
    often it is assigned first, and micro precision / recall / F1 over (paper,
    theme) pairs; each pair is (labelled themes, primary first; assigned themes)."""
    hits = sum(want[0] in got for want, got in pairs)
    first = sum(want[0] == got[0] for want, got in pairs)
    tp = sum(len(set(want) & set(got)) for want, got in pairs)
    n_pred = sum(len(got) for _, got in pairs)
    n_gold = sum(len(want) for want, _ in pairs)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    n = max(len(pairs), 1)
    return {"n": len(pairs), "primary_hit": hits / n, "primary_first": first / n,
            "precision": precision, "recall": recall, "f1": f1}


def summary(name: str, pairs: Sequence[tuple[Themes, Themes]]) -> str:
    s = scores(pairs)
    return (f"  {name:<30} n={s['n']:<4} primary-hit {s['primary_hit']:.3f}  "
            f"(first {s['primary_first']:.3f})  micro P {s['precision']:.3f}  "
            f"R {s['recall']:.3f}  F1 {s['f1']:.3f}")


def per_theme(pairs: Sequence[tuple[Themes, Themes]], ids: Sequence[str]) -> list[str]:
    """A table: per theme, how often labelled (as primary, at all), assigned, correct; P and R."""
    labelled = Counter(t for want, _ in pairs for t in want)
    primary = Counter(want[0] for want, _ in pairs)
    assigned = Counter(t for _, got in pairs for t in got)
    correct = Counter(t for want, got in pairs for t in set(want) & set(got))
    lines = [f"  {'theme':<17}{'primary':>8}{'labelled':>9}{'assigned':>9}{'correct':>8}{'P':>7}{'R':>7}"]
    for theme_id in (*ids, UNSORTED):
        if labelled[theme_id] or assigned[theme_id]:
            p = f"{correct[theme_id] / assigned[theme_id]:.2f}" if assigned[theme_id] else "-"
            r = f"{correct[theme_id] / labelled[theme_id]:.2f}" if labelled[theme_id] else "-"
            lines.append(f"  {theme_id:<17}{primary[theme_id]:>8}{labelled[theme_id]:>9}"
                         f"{assigned[theme_id]:>9}{correct[theme_id]:>8}{p:>7}{r:>7}")
    return lines


def unsorted_share(assigned: Sequence[Themes]) -> str:
    n = sum(themes == (UNSORTED,) for themes in assigned)
    return f"{n} of {len(assigned)} ({n / max(len(assigned), 1):.1%})"


def explain_paper(paper: Paper, model: ThemeModel) -> list[str]:
    """Why the paper has its themes: for each (or, when curated or Unsorted, for the
    nearest ones) its score, the phrases that matched and what weighed most."""
    got = model.assign([paper])[0]
    lines = [paper.title, f"themes: {', '.join(got.themes)} ({got.origin})"]
    if got.origin == "curated":
        lines.append("  chosen by a curator in the paper's file; it also teaches the model. "
                     "The model alone would score:")
    elif got.themes == (UNSORTED,):
        lines.append("  no theme scored enough; the nearest ones:")
    evidence = dict(got.reasons)
    ranked = nearest_themes(paper, model, len(model.taxonomy.ids))
    filed = got.origin == "auto" and got.themes != (UNSORTED,)
    listed = got.themes if filed else tuple(t for t, _ in ranked[:3])
    for theme_id, score in sorted((p for p in ranked if p[0] in listed), key=lambda p: listed.index(p[0])):
        lines.append(f"{theme_id}: score {score:.3f}"
                     + (f"; evidence: {', '.join(evidence[theme_id])}" if theme_id in evidence else ""))
        parts = model.contributions(paper, theme_id)
        lines.append("  for:     " + _parts([p for p in parts if p[1] > 0]))
        lines.append("  against: " + _parts([p for p in parts if p[1] < 0]))
    return lines


def _parts(parts: list[tuple[str, float]]) -> str:
    return ", ".join(f"{name} {value:+.3f}" for name, value in parts[:SHOWN_PARTS]) or "nothing"


def report(model: ThemeModel, library: Sequence[Paper],
           shipped: Sequence[Example] | None = None) -> list[str]:
    """Leave-one-out precision and recall per theme on every labelled paper the
    model learns from (the shipped labels and the library's pins), and the
    library's Unsorted share."""
    examples = training_set(model.taxonomy, library, shipped)
    pinned = {" ".join(words(p.title)) for p in library if p.themes}
    got = leave_one_out(model.taxonomy, examples)
    pairs = [(e.themes, themes) for e, themes in zip(examples, got)]
    from_library = sum(" ".join(words(e.title)) in pinned for e in examples)
    lines = [f"labelled papers: {len(examples)} ({len(examples) - from_library} shipped with the "
             f"package, {from_library} pinned by curators in this library); each scored by a model "
             "trained on all the others:",
             summary("leave-one-out", pairs), *per_theme(pairs, model.taxonomy.ids)]
    shown = [p for p in library if not p.hidden]
    auto = [a.themes for a in model.assign(shown) if a.origin == "auto"]
    lines.append(f"library: {len(shown)} visible papers, {len(shown) - len(auto)} with curated "
                 f"themes; Unsorted: {unsorted_share(auto)} of the automatically filed")
    return lines
