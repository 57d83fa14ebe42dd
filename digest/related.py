"""Related papers: the nearest neighbours of each paper by TF-IDF cosine similarity.

Each paper (title and abstract) becomes a TF-IDF vector: sublinear term
frequency, idf = ln(N / df), stop words and bare numbers left out. To scale,
a paper keeps only its `KEEP_TERMS` heaviest terms shared with some other
paper (its keywords), scaled to unit length; two papers' similarity is the
cosine of these keyword vectors. Only pairs of papers sharing a keyword can
score above zero, so numpy enumerates them from the posting lists and never
forms the N x N matrix: 9,877 papers take about a second.

Pure and deterministic: float64 sums in a fixed order, scores rounded before
ranking, ties broken by paper id.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import chain

import numpy as np

from .model import Paper

RELATED = 5
KEEP_TERMS = 12
# Scores are ranked at this resolution so that last-bit float differences
# between platforms cannot reorder near-equal neighbours; the id then decides.
SCORE_BITS = 30

_WORD = re.compile(r"[^\W_]{2,}")
STOP_WORDS = frozenset(
    """
    about above after again against all also among an and any are as at based be been
    before being below between both but by can could did do does done down during each
    either for from further had has have here how however if in into is it its itself just
    may might more most much must no nor not of off on once only or other our ours out over
    own per same should show shows shown so some such than that the their them then there
    these they this those through thus to too under until up upon us use used using very
    via was we well were what when where whether which while who whom whose why will with
    within without would yet
    """.split()
)


def words_of(paper: Paper) -> list[str]:
    """The words of a paper's title and abstract, lowercased: runs of two or
    more letters or digits."""
    return _WORD.findall(f"{paper.title} {paper.abstract}".lower())


def related_papers(papers: Sequence[Paper], count: int = RELATED) -> dict[str, tuple[str, ...]]:
    """For each paper id, the ids of its `count` most similar papers, most similar first.

    A paper sharing no keyword with any other paper gets fewer, or none.
    """
    ordered = sorted(papers, key=lambda p: p.id)
    if len(ordered) >= 2 ** 21:
        raise ValueError(f"related_papers: expected fewer than 2,097,152 papers, got {len(ordered)}")
    docs, terms, counts = _term_counts([words_of(paper) for paper in ordered])
    docs, terms, weights = _keyword_vectors(docs, terms, counts, len(ordered))
    first, second, scores = _pair_scores(docs, terms, weights, len(ordered))
    ranked = _top_neighbours(first, second, scores, len(ordered), count)
    return {paper.id: tuple(ordered[j].id for j in ranked[i]) for i, paper in enumerate(ordered)}


def _term_counts(words: list[list[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(paper, term, count) for every term of every paper, sorted by paper then term."""
    flat = list(chain.from_iterable(words))
    # First-seen order numbers the terms the same way on every run.
    vocabulary = list(dict.fromkeys(flat))
    number = {term: i for i, term in enumerate(vocabulary)}
    term = np.fromiter(map(number.__getitem__, flat), dtype=np.int64, count=len(flat))
    doc = np.repeat(np.arange(len(words), dtype=np.int64), [len(w) for w in words])
    ignored = np.fromiter(
        (t in STOP_WORDS or t.isdigit() for t in vocabulary), dtype=bool, count=len(vocabulary)
    )
    keep = ~ignored[term]
    n_terms = max(len(vocabulary), 1)
    keys, counts = np.unique(doc[keep] * n_terms + term[keep], return_counts=True)
    return keys // n_terms, keys % n_terms, counts


def _keyword_vectors(
    docs: np.ndarray, terms: np.ndarray, counts: np.ndarray, n_docs: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit keyword vectors as (paper, term, weight), sorted by term then paper."""
    df = np.bincount(terms)
    weight = (1.0 + np.log(counts)) * np.log(n_docs / df[terms])
    # A term of one paper only cannot make two papers similar, nor can a term
    # of every paper (idf 0).
    keep = (df[terms] >= 2) & (weight > 0)
    docs, terms, weight = docs[keep], terms[keep], weight[keep]
    # Heaviest first within each paper; lexsort is stable, so equal weights
    # stay in term order.
    order = np.lexsort((-weight, docs))
    docs, terms, weight = docs[order], terms[order], weight[order]
    rank = np.arange(len(docs)) - np.searchsorted(docs, docs, side="left")
    top = rank < KEEP_TERMS
    docs, terms, weight = docs[top], terms[top], weight[top]
    norms = np.sqrt(np.bincount(docs, weights=weight * weight, minlength=n_docs))
    weight = weight / norms[docs]
    order = np.lexsort((docs, terms))
    return docs[order], terms[order], weight[order]


def _pair_scores(
    docs: np.ndarray, terms: np.ndarray, weights: np.ndarray, n_docs: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cosine of every pair of papers sharing a keyword, as (first, second, score), first < second."""
    # In one term's posting list (papers ascending) each entry pairs with every later one.
    partners = np.searchsorted(terms, terms, side="right") - np.arange(len(terms)) - 1
    left = np.repeat(np.arange(len(terms)), partners)
    starts = np.cumsum(partners) - partners
    right = left + 1 + np.arange(len(left)) - np.repeat(starts, partners)
    keys, slot = np.unique(docs[left] * n_docs + docs[right], return_inverse=True)
    scores = np.bincount(slot, weights=weights[left] * weights[right], minlength=len(keys))
    return keys // n_docs, keys % n_docs, scores


def _top_neighbours(
    first: np.ndarray, second: np.ndarray, scores: np.ndarray, n_docs: int, count: int
) -> list[list[int]]:
    """Each paper's `count` best partners: highest rounded score, then lowest index."""
    id_bits = max(16, (n_docs - 1).bit_length())
    score_bits = min(SCORE_BITS, 62 - 2 * id_bits)
    rounded = np.round(np.minimum(scores, 1.0) * (1 << score_bits)).astype(np.int64)
    # One int64 per candidate: paper, then score descending, then partner;
    # a plain sort of these numbers is the whole ranking.
    inverted = ((1 << score_bits) - rounded) << id_bits
    keys = np.sort(np.concatenate([
        (first << (score_bits + 1 + id_bits)) | inverted | second,
        (second << (score_bits + 1 + id_bits)) | inverted | first,
    ]))
    source = keys >> (score_bits + 1 + id_bits)
    rank = np.arange(len(keys)) - np.searchsorted(source, source, side="left")
    best = rank < count
    ranked: list[list[int]] = [[] for _ in range(n_docs)]
    mask = (1 << id_bits) - 1
    for row, col in zip(source[best].tolist(), (keys[best] & mask).tolist()):
        ranked[row].append(col)
    return ranked
