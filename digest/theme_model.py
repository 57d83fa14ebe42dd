"""Themes learned from labelled papers: a linear model over a paper's words and the keyword rules.

Each theme t gives a paper the score

    z_t = words . W_t  +  rules . R_t  +  b_t

- `words`: tf-idf of the paper's words (title words counted twice), unit length;
- `rules`: every theme's keyword-rule points (digest/themes.py), squashed to
  [0, 1) by s / (s + RULE_HALF), so many phrases count more than one but no
  phrase, however heavy, can outvote the rest of the abstract on its own;
  a theme's classifier sees all themes' rule scores, so it can learn that
  another theme's phrases argue against it.

W, R and b come from ridge regression towards 1 for a paper's themes and 0
for the others, trained on: the labelled papers shipped with the package
(digest/theme_training.json, the tune split of bench/themes_labels.yml), one
small document per theme made of its name, description and keywords, and
every library paper whose `themes:` a curator set. The ridge is solved in its
dual form (an n x n system for n labelled papers), so training is exact,
deterministic and takes a fraction of a second, and leave-one-out predictions
come free for `digest themes --report`.

The best theme is the primary; further themes join it above ALSO_ABOVE, at
most three in all; a paper whose best score stays below UNSORTED_BELOW fits
nothing and is Unsorted. Every assigned theme names its evidence: the
theme's phrases that matched, then the words that weighed most for it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

import numpy as np

from .model import Paper
from .related import STOP_WORDS
from .themes import MAX_THEMES, UNSORTED, Assignment, Taxonomy, matched_rules, rule_table, words

TRAINING = Path(__file__).with_name("theme_training.json")

# Chosen by leave-one-out on the tune split only (bench/themes.py --search).
RIDGE = 1.0  # the ridge penalty: larger keeps weights small and the scores near 0
WORD_SCALE = 6.0  # how cheap word features are to use
RULE_SCALE = 4.0  # how cheap rule features are to use
RULE_HALF = 9.0  # rule points at which a theme's rule feature reaches one half
BIAS_SCALE = 3.0  # the intercept is (almost) unpenalised
TITLE_REPEAT = 2  # title words count this many times
ALSO_TARGET = 1.0  # the target for a paper's further themes; its primary's is 1
UNSORTED_BELOW = 0.15
ALSO_ABOVE = 0.35
EVIDENCE_WORDS = 4  # words named as evidence for a theme, after its phrases
EVIDENCE_SHARE = 0.05  # ... if each adds at least this share of the theme's score


@dataclass(frozen=True)
class Example:
    """A paper whose themes a person chose, primary first: training data."""

    title: str
    abstract: str
    themes: tuple[str, ...]


@dataclass(frozen=True)
class _Docs:
    """A batch of papers as model input: sparse tf-idf rows and dense rule features."""

    doc: np.ndarray  # row of each nonzero (sorted)
    term: np.ndarray  # vocabulary index of each nonzero
    value: np.ndarray  # its unit-normalised tf-idf
    starts: np.ndarray  # doc i's nonzeros are [starts[i], starts[i + 1])
    rules: np.ndarray  # n x T squashed rule scores
    # the rules that matched, sorted by doc, theme, points (biggest first), rule number;
    # those of doc d and theme t are matched[found[d * T + t]:found[d * T + t + 1]]
    matched: np.ndarray
    found: np.ndarray

    def word_rows(self, width: int) -> np.ndarray:
        """The tf-idf rows as a dense n x width matrix (width: the vocabulary size)."""
        dense = np.zeros((len(self.starts) - 1, width))
        dense[self.doc, self.term] = self.value
        return dense


@dataclass(frozen=True)
class ThemeModel:
    """A trained assigner for one taxonomy: score, assign and explain papers."""

    taxonomy: Taxonomy
    vocabulary: dict[str, int]
    terms: tuple[str, ...]
    idf: np.ndarray
    word_weights: np.ndarray  # V x T
    rule_weights: np.ndarray  # T x T: rule feature of theme u -> score of theme t
    bias: np.ndarray  # T
    examples: int  # labelled papers it learned from (theme documents not counted)

    def __post_init__(self) -> None:
        phrases = tuple(phrase for _, phrase, _, _ in rule_table(self.taxonomy))
        object.__setattr__(self, "_phrases", phrases)
        # words of each rule's phrase: a word a phrase already names is not named again
        object.__setattr__(self, "_phrase_words", tuple(frozenset(words(phrase)) for phrase in phrases))

    # --- input ------------------------------------------------------------------

    def _docs(self, papers: Sequence[tuple[str, str]]) -> _Docs:
        return _featurise(papers, self.taxonomy, self.vocabulary, self.idf)

    # --- scores -----------------------------------------------------------------

    def _scores(self, docs: _Docs) -> np.ndarray:
        n, themes = len(docs.starts) - 1, len(self.taxonomy.themes)
        out = docs.rules @ self.rule_weights + self.bias
        for t in range(themes):  # one weighted count per theme: no n x V matrix
            out[:, t] += np.bincount(docs.doc, weights=docs.value * self.word_weights[docs.term, t],
                                     minlength=n)
        return out

    def scores(self, papers: Sequence[Paper]) -> np.ndarray:
        """n x T theme scores, in taxonomy order; about 1 means "this theme", 0 "not"."""
        return self._scores(self._docs([(p.title, p.abstract) for p in papers]))

    # --- assignment --------------------------------------------------------------

    def assign(self, papers: Sequence[Paper]) -> list[Assignment]:
        """Each paper's themes: the curator's when set, else the model's, with evidence."""
        auto = [(p.title, p.abstract) for p in papers if not p.themes]
        found = iter(self._assign_texts(auto))
        return [Assignment(tuple(p.themes), "curated") if p.themes else next(found) for p in papers]

    def _assign_texts(self, texts: Sequence[tuple[str, str]]) -> list[Assignment]:
        docs = self._docs(texts)
        return self._decide(docs, self._scores(docs))

    def _decide(self, docs: _Docs, scores: np.ndarray) -> list[Assignment]:
        ids, themes = self.taxonomy.ids, len(self.taxonomy.ids)
        order = np.argsort(-scores, axis=1, kind="stable")[:, :MAX_THEMES]  # ties: file order
        ranked = np.take_along_axis(scores, order, axis=1)
        chosen = ranked >= ALSO_ABOVE
        chosen[:, 0] = True
        # what the paper itself adds to its best theme, the intercept (how common
        # the theme is) left out: a prior is no evidence that anything fits
        own = ranked[:, 0] - self.bias[order[:, 0]]
        chosen[own < UNSORTED_BELOW] = False
        heavy = [self._heavy_words(docs, order[:, r], chosen[:, r]) for r in range(order.shape[1])]
        matched_all, found = docs.matched.tolist(), docs.found.tolist()  # lists slice faster
        out = []
        for i, (row, picked, scored) in enumerate(zip(order.tolist(), chosen.tolist(), ranked.tolist())):
            reasons = []
            for r, t in enumerate(row):
                if not picked[r]:
                    continue
                cell = i * themes + t
                matched = matched_all[found[cell]:found[cell + 1]]
                named = set().union(*(self._phrase_words[k] for k in matched))
                fresh = [(w, gain) for w, gain in heavy[r][i] if w not in named]
                # words that hardly moved the score are no evidence, unless nothing else is
                extra = [w for w, gain in fresh if gain >= EVIDENCE_SHARE * scored[r]]
                extra = (extra or ([] if matched else [w for w, _ in fresh[:2]]))[:EVIDENCE_WORDS]
                if matched or extra:  # a theme with nothing in the paper for it is not assigned
                    reasons.append((ids[t], tuple(self._phrases[k] for k in matched) + tuple(extra)))
            if reasons:
                out.append(Assignment(tuple(theme_id for theme_id, _ in reasons), "auto", tuple(reasons)))
            else:
                out.append(Assignment((UNSORTED,), "auto"))
        return out

    def _heavy_words(self, docs: _Docs, theme: np.ndarray,
                     wanted: np.ndarray) -> list[list[tuple[str, float]]]:
        """Per doc, the words that add most to the score of its theme `theme[doc]`, with what
        they add, heaviest first, a few spare for words a phrase names; none where not `wanted`."""
        n, spare = len(theme), 2 * EVIDENCE_WORDS
        out: list[list[tuple[str, float]]] = [[] for _ in range(n)]
        rows = np.flatnonzero(wanted)
        if not len(docs.term) or not len(rows):
            return out
        # the wanted docs' nonzeros, each at its position within its doc's row
        lengths = docs.starts[rows + 1] - docs.starts[rows]
        at = np.repeat(docs.starts[rows] - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        row_of = np.repeat(np.arange(len(rows)), lengths)
        slot = at - docs.starts[docs.doc[at]]
        gains = np.zeros((len(rows), max(int(lengths.max()), spare)))
        gains[row_of, slot] = docs.value[at] * self.word_weights[docs.term[at], theme[docs.doc[at]]]
        # stable: equal gains keep vocabulary order, whatever else is in the batch
        top = np.argsort(-gains, axis=1, kind="stable")[:, :spare]
        top_gains = np.take_along_axis(gains, top, axis=1)
        at = np.minimum(docs.starts[rows, None] + top, len(docs.term) - 1)
        terms = self.terms
        for d, row, row_gains in zip(rows.tolist(), docs.term[at].tolist(), top_gains.tolist()):
            out[d] = [(terms[k], g) for k, g in zip(row, row_gains) if g > 0]
        return out

    def contributions(self, paper: Paper, theme_id: str) -> list[tuple[str, float]]:
        """What made up one theme's score for a paper, biggest first: each word,
        each theme's rule feature (`rules:<theme>`) and the intercept."""
        docs = self._docs([(paper.title, paper.abstract)])
        t = self.taxonomy.ids.index(theme_id)
        parts = [(self.terms[k], float(v * self.word_weights[k, t]))
                 for k, v in zip(docs.term.tolist(), docs.value.tolist())]
        parts += [(f"rules:{u}", float(docs.rules[0, j] * self.rule_weights[j, t]))
                  for j, u in enumerate(self.taxonomy.ids) if docs.rules[0, j]]
        parts.append(("intercept", float(self.bias[t])))
        return sorted(parts, key=lambda part: (-abs(part[1]), part[0]))


def nearest_themes(paper: Paper, model: ThemeModel, count: int = 3) -> list[tuple[str, float]]:
    """The `count` themes whose scores for the paper are highest, best first, with
    the scores rounded to 3 places: where an Unsorted paper would most likely go."""
    row = model.scores([paper])[0]
    best = np.argsort(-row, kind="stable")[:count].tolist()
    return [(model.taxonomy.ids[t], round(float(row[t]), 3)) for t in best]


def unsorted_by_nearest_theme(papers: Sequence[Paper], assignments: Sequence[Assignment],
                              model: ThemeModel) -> dict[str, list[tuple[str, float]]]:
    """For each theme, the Unsorted papers whose best-scoring theme it is, as
    (paper id, score), best first (ties by id): what a theme page lists for
    curators to file. Themes no Unsorted paper is nearest to are left out."""
    lost = [p for p, a in zip(papers, assignments) if a.themes == (UNSORTED,)]
    out: dict[str, list[tuple[str, float]]] = {}
    for paper, row in zip(lost, model.scores(lost) if lost else ()):
        t = int(np.argmax(row))  # first of equal scores: taxonomy order
        out.setdefault(model.taxonomy.ids[t], []).append((paper.id, round(float(row[t]), 3)))
    return {theme_id: sorted(found, key=lambda f: (-f[1], f[0])) for theme_id, found in out.items()}


# --- features ---------------------------------------------------------------------


def _tokens(title: str, abstract: str) -> tuple[list[str], list[str]]:
    return words(title), words(abstract)


def _featurise(papers: Sequence[tuple[str, str]], taxonomy: Taxonomy,
               vocabulary: dict[str, int], idf: np.ndarray) -> _Docs:
    """tf-idf rows (sublinear tf, unit length) over the known vocabulary, and rule features."""
    n = len(papers)
    tokens, lengths, rule_doc, rule_ids, in_titles, in_abstracts = [], [], [], [], [], []
    for i, (title, abstract) in enumerate(papers):
        title_words, abstract_words = _tokens(title, abstract)
        in_title, in_abstract = matched_rules(title_words, abstract_words, taxonomy)
        both = in_title | in_abstract
        rule_ids += both
        in_titles += [r in in_title for r in both]
        in_abstracts += [r in in_abstract for r in both]
        rule_doc += [i] * len(both)
        tokens += title_words * TITLE_REPEAT
        tokens += abstract_words
        lengths.append(len(title_words) * TITLE_REPEAT + len(abstract_words))
    rules, matched, found = _rule_features(taxonomy, n, np.array(rule_doc, dtype=np.int64),
                                           np.array(rule_ids, dtype=np.int64),
                                           np.array(in_titles, dtype=bool), np.array(in_abstracts, dtype=bool))
    width = max(len(vocabulary), 1)
    doc = np.repeat(np.arange(n, dtype=np.int64), lengths)
    flat = np.fromiter(map(vocabulary.get, tokens, repeat(-1)), dtype=np.int64, count=len(tokens))
    known = flat >= 0
    keys, counts = np.unique(doc[known] * width + flat[known], return_counts=True)  # by doc, then term
    doc, term = keys // width, keys % width
    value = (1.0 + np.log(counts)) * idf[term]
    norms = np.sqrt(np.bincount(doc, weights=value * value, minlength=n))
    value = value / np.where(norms > 0, norms, 1.0)[doc]
    starts = np.searchsorted(doc, np.arange(n + 1))
    return _Docs(doc, term, value, starts, rules, matched, found)


def _rule_features(taxonomy: Taxonomy, n: int, doc: np.ndarray, rule: np.ndarray, in_title: np.ndarray,
                   in_abstract: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Squashed rule scores (n x T) and the matched rules sorted for naming as evidence.

    A phrase in the title adds weight x title_weight, in the abstract its weight.
    """
    table = rule_table(taxonomy)
    themes = len(taxonomy.themes)
    theme_of = np.array([t for t, _, _, _ in table], dtype=np.int64)[rule]
    points = (np.array([a for _, _, a, _ in table])[rule] * in_abstract
              + np.array([t for _, _, _, t in table])[rule] * in_title)
    cell = doc * themes + theme_of
    scores = np.bincount(cell, weights=points, minlength=n * themes).reshape(n, themes)
    order = np.lexsort((rule, -points, cell))  # by cell, biggest first, then file order
    found = np.searchsorted(cell[order], np.arange(n * themes + 1))
    return scores / (scores + RULE_HALF), rule[order], found


# --- training ----------------------------------------------------------------------


def shipped_examples(path: Path = TRAINING) -> list[Example]:
    """The labelled papers that ship with the package."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return [Example(e["title"], e["abstract"], tuple(e["themes"])) for e in data["papers"]]


def pinned_examples(papers: Iterable[Paper]) -> list[Example]:
    """Papers whose themes a curator set, as training data."""
    return [Example(p.title, p.abstract, tuple(p.themes)) for p in papers if p.themes]


def theme_documents(taxonomy: Taxonomy) -> list[Example]:
    """One document per theme from its own words: name, description and keyword phrases."""
    return [Example(theme.name, " ".join((theme.description, *theme.keywords)), (theme.id,))
            for theme in taxonomy.themes]


def training_set(taxonomy: Taxonomy, pinned: Iterable[Paper] = (),
                 shipped: Sequence[Example] | None = None) -> list[Example]:
    """Everything the model learns from, in one order whatever the input order.

    A curator's pin replaces a shipped label for the same title; labels of
    themes this taxonomy does not have are dropped (validation reports them).
    """
    known = set(taxonomy.ids)
    chosen: dict[str, Example] = {}
    for example in (*(shipped_examples() if shipped is None else shipped), *pinned_examples(pinned)):
        themes = tuple(t for t in example.themes if t in known)
        if themes:
            chosen[_title_key(example.title)] = Example(example.title, example.abstract, themes)
    return sorted(chosen.values(), key=lambda e: (e.title, e.abstract, e.themes))


def _title_key(title: str) -> str:
    return " ".join(words(title))


@dataclass(frozen=True)
class _Fit:
    """The dual solution of a ridge fit, kept for leave-one-out predictions."""

    model: ThemeModel
    targets: np.ndarray  # n x T
    hat_diagonal: np.ndarray  # n: how much each example predicts itself
    fitted: np.ndarray  # n x T


def train_model(taxonomy: Taxonomy, pinned: Iterable[Paper] = (),
                shipped: Sequence[Example] | None = None) -> ThemeModel:
    """A model trained on the shipped labels, the theme documents and the library's pins."""
    return _fit(taxonomy, training_set(taxonomy, pinned, shipped)).model


def _fit(taxonomy: Taxonomy, examples: list[Example]) -> _Fit:
    docs_in = examples + theme_documents(taxonomy)
    ids = {theme_id: t for t, theme_id in enumerate(taxonomy.ids)}
    tokens = [_tokens(e.title, e.abstract) for e in docs_in]
    frequency: dict[str, int] = {}
    for title_words, abstract_words in tokens:
        for word in set(title_words) | set(abstract_words):
            frequency[word] = frequency.get(word, 0) + 1
    # stop words, bare numbers and single letters weigh little and cost much: left out
    terms = tuple(sorted(w for w in frequency if w not in STOP_WORDS and len(w) > 1 and not w.isdigit()))
    vocabulary = {term: k for k, term in enumerate(terms)}
    n = len(docs_in)
    # ln(n / df): a word in every labelled paper weighs nothing
    idf = np.array([math.log(n / frequency[term]) for term in terms])
    docs = _featurise([(e.title, e.abstract) for e in docs_in], taxonomy, vocabulary, idf)
    dense = docs.word_rows(len(terms))
    targets = np.zeros((n, len(ids)))
    for i, example in enumerate(docs_in):
        targets[i, [ids[t] for t in example.themes[1:]]] = ALSO_TARGET
        targets[i, ids[example.themes[0]]] = 1.0
    kernel = WORD_SCALE ** 2 * (dense @ dense.T) + RULE_SCALE ** 2 * (docs.rules @ docs.rules.T) + BIAS_SCALE ** 2
    inverse = np.linalg.inv(kernel + RIDGE * np.eye(n))
    dual = inverse @ targets
    model = ThemeModel(
        taxonomy=taxonomy,
        vocabulary=vocabulary,
        terms=terms,
        idf=idf,
        word_weights=WORD_SCALE ** 2 * (dense.T @ dual),
        rule_weights=RULE_SCALE ** 2 * (docs.rules.T @ dual),
        bias=BIAS_SCALE ** 2 * dual.sum(axis=0),
        examples=len(examples),
    )
    hat = kernel @ inverse
    return _Fit(model, targets[:len(examples)], np.diag(hat)[:len(examples)],
                (hat @ targets)[:len(examples)])


def held_out_scores(taxonomy: Taxonomy, examples: list[Example]) -> tuple[ThemeModel, _Docs, np.ndarray]:
    """The model trained on all examples, the examples as its input, and each
    example's scores from a model trained on all the others.

    Exact for the ridge fit (prediction minus the example's own pull on itself);
    the vocabulary and idf still include the example, a small optimism.
    """
    fit = _fit(taxonomy, examples)
    leverage = fit.hat_diagonal[:, None]
    held = (fit.fitted - leverage * fit.targets) / (1.0 - leverage)
    return fit.model, fit.model._docs([(e.title, e.abstract) for e in examples]), held


def leave_one_out(taxonomy: Taxonomy, examples: list[Example]) -> list[tuple[str, ...]]:
    """For each example, the themes a model trained on all the others would assign."""
    model, docs, held = held_out_scores(taxonomy, examples)
    return [a.themes for a in model._decide(docs, held)]
