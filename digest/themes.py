"""The theme taxonomy (content/themes.yml) and how a paper gets its themes.

A curator's `themes:` always wins. Otherwise themes come from weighted keyword
phrases matched in the title and abstract: deterministic, offline, and
explainable, because the phrases that matched are kept as the reasons. The rule
format is documented at the top of content/themes.yml.

Matching works on word sequences, not regular expressions: a text is lowercased
and split into words once, and only at words that start some phrase are
phrases tried, so assigning the whole corpus takes well under a second.
"""

from __future__ import annotations

import math
import string
from dataclasses import dataclass, field
from itertools import compress, product
from pathlib import Path

import yaml

from .model import DigestError, Paper, Problem, Theme
from .yamlio import FastLoader

UNSORTED = "unsorted"
UNSORTED_THEME = Theme(
    UNSORTED,
    "Unsorted",
    "Papers that no theme's keywords matched well enough; a curator can file them with `themes:`.",
)
MAX_THEMES = 3
DEFAULT_TITLE_WEIGHT = 3.0
# Below this the best theme is a guess from one weak word: better shown as Unsorted.
MIN_SCORE = 2.0
# A further theme joins the primary if it scores this share of the primary's
# score, or this much on its own: a paper full of one theme's words should not
# hide a second theme its title names.
SECONDARY_SHARE = 0.4
SECONDARY_SCORE = 5.0

REQUIRED_KEYS = ("id", "name", "description", "keywords")
OPTIONAL_KEYS = ("ignore", "title_weight")

_STR, _INT, _FLOAT = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_ID_CHARS = set(string.ascii_lowercase + string.digits + "-")
# Everything but ASCII letters and digits separates words, including the
# Unicode dashes, quotes and spaces that abstracts use.
_SEPARATORS = str.maketrans(
    {c: " " for c in set(map(chr, range(128))) - set(string.ascii_lowercase + string.digits)}
    | {c: " " for c in "\u00a0\u00b7\u00d7\u2010\u2011\u2012\u2013\u2014\u2015\u2018\u2019"
                       "\u201c\u201d\u2026\u2212"}
)


@dataclass(frozen=True)
class Rule:
    """One keyword phrase of one theme, compiled to the word sequences it matches."""

    phrase: str  # as written in themes.yml; shown to readers as a reason
    weight: float
    sequences: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class ThemeRules:
    theme_id: str
    title_weight: float
    rules: tuple[Rule, ...]
    ignore: tuple[tuple[str, ...], ...] = ()  # word sequences that count for nothing


# A candidate match at a position: the words after the first two, how many
# words in all, theme index, rule number (-1 for an ignore phrase).
_Candidate = tuple[list[str], int, int, int]


@dataclass(frozen=True)
class _Index:
    """Lookup tables built once per taxonomy: phrases by their first word, then second.

    Rules are numbered across all themes: `rules[i]` is (theme index, Rule).
    """

    rules: tuple[tuple[int, Rule], ...]
    # first word -> ((theme, rule) of one-word phrases, second word -> longer
    # candidates, longest first)
    starts: dict[str, tuple[tuple[tuple[int, int], ...], dict[str, tuple[_Candidate, ...]]]]


@dataclass(frozen=True)
class Taxonomy:
    """The curated themes, in their curated order, with their compiled rules."""

    themes: tuple[Theme, ...]
    rules: tuple[ThemeRules, ...] = field(default=(), compare=False, repr=False)
    _index: _Index = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self._index is None:
            object.__setattr__(self, "_index", _build_index(self.rules))

    @property
    def ids(self) -> tuple[str, ...]:
        """The curated theme ids in order; UNSORTED is not one of them."""
        return tuple(theme.id for theme in self.themes)

    def get(self, theme_id: str) -> Theme:
        """The theme with this id; UNSORTED gives UNSORTED_THEME so groups can name it."""
        if theme_id == UNSORTED:
            return UNSORTED_THEME
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(f"unknown theme id {theme_id!r}")


@dataclass(frozen=True)
class Assignment:
    """A paper's themes, primary first, where they came from, and why."""

    themes: tuple[str, ...]
    origin: str  # "curated" | "auto"
    reasons: tuple[tuple[str, tuple[str, ...]], ...] = ()  # theme id -> matched phrases


# --- loading ---------------------------------------------------------------


def load_taxonomy(path: Path) -> Taxonomy:
    """Read and check themes.yml; every defect is reported at once, located to line:col."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DigestError(f"{path}: cannot read the theme taxonomy: {exc}") from None
    try:
        root = yaml.compose(text, Loader=FastLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = Problem(str(path), line, col, "T001", f"invalid YAML: {getattr(exc, 'problem', exc)}")
        raise DigestError(f"{path}: invalid theme taxonomy", [problem]) from None
    checker = _Checker(str(path))
    taxonomy = checker.taxonomy(root)
    if checker.problems:
        problems = sorted(checker.problems)
        raise DigestError(f"{path}: {len(problems)} problem(s) in the theme taxonomy", problems)
    return taxonomy


class _Checker:
    """Walks the composed YAML nodes, collecting Problems instead of stopping at the first."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []
        self.ids: dict[str, str] = {}  # theme id -> where it was first given

    def problem(self, node: yaml.Node | None, code: str, message: str) -> None:
        line, col = (node.start_mark.line + 1, node.start_mark.column + 1) if node else (1, 1)
        self.problems.append(Problem(self.path, line, col, code, message))

    def taxonomy(self, root: yaml.Node | None) -> Taxonomy:
        if not isinstance(root, yaml.MappingNode):
            self.problem(root, "T002", f"expected a mapping with key `themes`, got {_kind(root)}")
            return Taxonomy(())
        entries = {key.value: value for key, value in root.value}
        for key, _ in root.value:
            if key.value != "themes":
                self.problem(key, "T008", f"{key.value}: unknown key, expected only `themes`")
        items = entries.get("themes")
        if items is None:
            self.problem(root, "T002", "themes: missing key, expected a list of themes")
            return Taxonomy(())
        if not isinstance(items, yaml.SequenceNode) or not items.value:
            self.problem(items, "T003", f"themes: expected a non-empty list of themes, got {_kind(items)}")
            return Taxonomy(())
        themes, rules = [], []
        for i, item in enumerate(items.value):
            compiled = self.theme(f"themes[{i}]", item)
            if compiled is not None:
                themes.append(compiled[0])
                rules.append(compiled[1])
        return Taxonomy(tuple(themes), tuple(rules))

    def theme(self, where: str, node: yaml.Node) -> tuple[Theme, ThemeRules] | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, "T004", f"{where}: expected a mapping (id, name, ...), got {_kind(node)}")
            return None
        fields = {key.value: value for key, value in node.value}
        ok = True
        for key, _ in node.value:
            if key.value not in REQUIRED_KEYS + OPTIONAL_KEYS:
                self.problem(key, "T008", f"{where}.{key.value}: unknown key, expected one of "
                                          f"{', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)}")
        for key in REQUIRED_KEYS:
            if key not in fields:
                self.problem(node, "T005", f"{where}.{key}: missing key")
                ok = False
        texts = {key: self.text(f"{where}.{key}", fields.get(key)) for key in ("id", "name", "description")}
        theme_id = texts["id"]
        if theme_id is not None and (theme_id == UNSORTED or not theme_id[:1].isalpha()
                                     or not set(theme_id) <= _ID_CHARS):
            reason = "is reserved for the Unsorted group" if theme_id == UNSORTED else (
                "expected lowercase letters, digits and '-', starting with a letter")
            self.problem(fields["id"], "T010", f"{where}.id: {theme_id!r} {reason}")
            theme_id = None
        elif theme_id in self.ids:
            self.problem(fields["id"], "T007", f"{where}.id: duplicate id {theme_id!r}, "
                                               f"first given by {self.ids[theme_id]}")
            theme_id = None
        elif theme_id is not None:
            self.ids[theme_id] = where
        title_weight = DEFAULT_TITLE_WEIGHT
        if "title_weight" in fields:
            title_weight = self.number(f"{where}.title_weight", fields["title_weight"]) or title_weight
        keywords = self.phrases(f"{where}.keywords", fields.get("keywords"), weighted=True)
        ignored = self.phrases(f"{where}.ignore", fields.get("ignore"), weighted=False)
        if not ok or None in texts.values() or theme_id is None or keywords is None or ignored is None:
            return None
        theme = Theme(theme_id, texts["name"], texts["description"],
                      tuple(phrase for phrase, _, _ in keywords))
        return theme, _compile_theme(theme_id, title_weight, keywords, ignored)

    def text(self, where: str, node: yaml.Node | None) -> str | None:
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag != _STR or not node.value.strip():
            self.problem(node, "T006", f"{where}: expected a non-empty string, got {_kind(node)}")
            return None
        return node.value.strip()

    def number(self, where: str, node: yaml.Node) -> float | None:
        if isinstance(node, yaml.ScalarNode) and node.tag in (_INT, _FLOAT):
            value = float(yaml.safe_load(node.value))
            if 0 < value < math.inf:
                return value
        self.problem(node, "T009", f"{where}: expected a positive number, got {_kind(node)}")
        return None

    def phrases(self, where: str, node: yaml.Node | None,
                weighted: bool) -> list[tuple[str, float, yaml.Node]] | None:
        """`- phrase` or (when weighted) `- phrase: weight` items; None if any is bad."""
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, "T006", f"{where}: expected a list of phrases, got {_kind(node)}")
            return None
        out, seen, ok = [], {}, True
        for i, item in enumerate(node.value):
            at, weight = f"{where}[{i}]", 1.0
            if isinstance(item, yaml.ScalarNode):
                phrase, anchor = item.value.strip(), item
            elif (weighted and isinstance(item, yaml.MappingNode) and len(item.value) == 1
                  and isinstance(item.value[0][0], yaml.ScalarNode)):
                (anchor, value), = item.value
                phrase = anchor.value.strip()
                weight = self.number(f"{at} ({phrase})", value)
            else:
                expected = "a phrase or `phrase: weight`" if weighted else "a phrase"
                self.problem(item, "T009", f"{at}: expected {expected}, got {_kind(item)}")
                ok = False
                continue
            sequences = _sequences(phrase)
            clash = next((seen[seq] for seq in sequences if seq in seen), None)
            if not sequences:
                self.problem(anchor, "T009", f"{at}: {phrase!r} has no letters or digits to match")
            elif clash is not None:
                self.problem(anchor, "T009", f"{at}: {phrase!r} matches the same words as {where}[{clash}]")
            elif weight is not None:
                seen.update(dict.fromkeys(sequences, i))
                out.append((phrase, weight, anchor))
                continue
            ok = False
        return out if ok else None


def _kind(node: yaml.Node | None) -> str:
    """How a node reads in an "expected X, got Y" message."""
    if node is None:
        return "nothing"
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    kind = node.tag.rsplit(":", 1)[-1]
    if not node.value and kind == "null":
        return "nothing"
    return f"{kind} {node.value!r}" if kind != "str" else repr(node.value)


# --- compiling phrases -------------------------------------------------------


def words(text: str) -> list[str]:
    """The lowercase words of a text; punctuation, hyphens and symbols separate words."""
    return text.lower().translate(_SEPARATORS).split()


def _plural(word: str) -> str:
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        return word[:-1] + "ies"
    return word + "s"


def _sequences(phrase: str) -> tuple[tuple[str, ...], ...]:
    """Every word sequence a phrase matches, its own spelling first.

    `pre-training` also matches `pretraining`, and the last word may be plural
    (`language model` matches `language models`), because abstracts spell
    both ways.
    """
    chunks = []
    for chunk in phrase.lower().split():
        parts = tuple(words(chunk))
        if parts:
            chunks.append([parts] + ([("".join(parts),)] if len(parts) > 1 else []))
    if not chunks:
        return ()
    out: list[tuple[str, ...]] = []
    for combo in product(*chunks):
        seq = tuple(w for part in combo for w in part)
        for last in (seq[-1], _plural(seq[-1])):
            if seq[:-1] + (last,) not in out:
                out.append(seq[:-1] + (last,))
    return tuple(out)


def _compile_theme(theme_id: str, title_weight: float,
                   keywords: list[tuple[str, float, yaml.Node]],
                   ignored: list[tuple[str, float, yaml.Node]]) -> ThemeRules:
    rules = tuple(Rule(phrase, weight, _sequences(phrase)) for phrase, weight, _ in keywords)
    ignore = tuple(seq for phrase, _, _ in ignored for seq in _sequences(phrase))
    return ThemeRules(theme_id, title_weight, rules, ignore)


def _build_index(all_rules: tuple[ThemeRules, ...]) -> _Index:
    rules = tuple((t, rule) for t, theme_rules in enumerate(all_rules) for rule in theme_rules.rules)
    entries = [(seq, t, r) for r, (t, rule) in enumerate(rules) for seq in rule.sequences]
    entries += [(seq, t, -1) for t, theme_rules in enumerate(all_rules) for seq in theme_rules.ignore]
    singles: dict[str, list[tuple[int, int]]] = {}
    longer: dict[str, dict[str, list[_Candidate]]] = {}
    for seq, t, r in entries:
        if len(seq) == 1:
            singles.setdefault(seq[0], []).append((t, r))
        else:
            longer.setdefault(seq[0], {}).setdefault(seq[1], []).append((list(seq[2:]), len(seq), t, r))
    starts = {}
    for word in singles.keys() | longer.keys():
        by_second = {second: tuple(sorted(cands, key=lambda c: -c[1]))  # longest first
                     for second, cands in longer.get(word, {}).items()}
        starts[word] = (tuple(singles.get(word, ())), by_second)
    return _Index(rules, starts)


# --- assigning ---------------------------------------------------------------


def _matched_rules(tokens: list[str], index: _Index) -> set[int]:
    """Numbers of the rules whose phrase occurs in the text's words.

    Within a theme a word counts once: where its phrases overlap, the one
    starting first wins, and of those starting together the longest; an
    ignore phrase wins the same way but counts for nothing. Themes don't
    compete for words.
    """
    entries = list(map(index.starts.get, tokens))  # looked up at C speed, None for most words
    last = len(tokens) - 1
    taken: dict[int, int] = {}  # theme index -> first position its last match left free
    matched: set[int] = set()
    for i in compress(range(len(tokens)), entries):
        singles, by_second = entries[i]
        if by_second and i < last:
            for tail, size, t, r in by_second.get(tokens[i + 1], ()):
                if taken.get(t, 0) <= i and (not tail or tokens[i + 2:i + size] == tail):
                    taken[t] = i + size
                    if r >= 0:
                        matched.add(r)
        for t, r in singles:
            if taken.get(t, 0) <= i:
                taken[t] = i + 1
                if r >= 0:
                    matched.add(r)
    return matched


def matched_rules(title_words: list[str], abstract_words: list[str],
                  taxonomy: Taxonomy) -> tuple[set[int], set[int]]:
    """Numbers of the rules (see `rule_table`) whose phrase occurs in the title, in the abstract."""
    index = taxonomy._index
    return _matched_rules(title_words, index), _matched_rules(abstract_words, index)


def rule_table(taxonomy: Taxonomy) -> tuple[tuple[int, str, float, float], ...]:
    """Every rule by number: (theme index, phrase, points in the abstract, points in the title)."""
    return tuple((t, rule.phrase, rule.weight, rule.weight * taxonomy.rules[t].title_weight)
                 for t, rule in taxonomy._index.rules)


def rule_points(title_words: list[str], abstract_words: list[str],
                taxonomy: Taxonomy) -> dict[int, list[tuple[float, int]]]:
    """Theme index -> (-points, rule number) of each rule that matched.

    A phrase in the title adds its weight x title_weight, in the abstract its
    weight. Points are negated so that sorting puts the biggest first and
    breaks ties by file order. Takes the words (see `words`) so that a caller
    that needs them too splits each text once.
    """
    index = taxonomy._index
    in_title, in_abstract = matched_rules(title_words, abstract_words, taxonomy)
    out: dict[int, list[tuple[float, int]]] = {}
    for i in in_title | in_abstract:
        t, rule = index.rules[i]
        gain = (taxonomy.rules[t].title_weight if i in in_title else 0.0) + (i in in_abstract)
        out.setdefault(t, []).append((-rule.weight * gain, i))
    return out


def assign_themes(paper: Paper, taxonomy: Taxonomy) -> Assignment:
    """The paper's 1 to 3 themes by the keyword rules alone: the curator's if given,
    else the best-scoring ones, else Unsorted.

    The site assigns with digest/theme_model.py, which learns from labelled
    papers and uses these rules as evidence; this is its baseline.

    Curated themes are passed through as written; checking them against the
    taxonomy is validation's job, which reports them located in the paper's file.
    """
    if paper.themes:
        return Assignment(tuple(paper.themes), "curated")
    contributions = rule_points(words(paper.title), words(paper.abstract), taxonomy)
    ranked = sorted((sum(c for c, _ in points), t) for t, points in contributions.items())  # ties: file order
    if not ranked or -ranked[0][0] < MIN_SCORE:
        return Assignment((UNSORTED,), "auto")
    floor = max(MIN_SCORE, min(SECONDARY_SHARE * -ranked[0][0], SECONDARY_SCORE))
    chosen = [t for score, t in ranked[:MAX_THEMES] if -score >= floor]
    rules = taxonomy._index.rules
    reasons = tuple(
        (taxonomy.rules[t].theme_id, tuple(rules[i][1].phrase for _, i in sorted(contributions[t])))
        for t in chosen)
    return Assignment(tuple(theme_id for theme_id, _ in reasons), "auto", reasons)


def explain(assignment: Assignment) -> str:
    """One sentence for the paper page on how its themes were chosen."""
    if assignment.origin == "curated":
        return "curated: themes chosen by a curator in the paper's YAML file"
    if not assignment.reasons:
        return "auto: no theme's keywords matched strongly enough, so it is listed under Unsorted"
    parts = []
    for theme_id, phrases in assignment.reasons:
        quoted = ", ".join(f"'{phrase}'" for phrase in phrases)
        parts.append(f"{theme_id} (matched {quoted})")
    return "auto: " + "; ".join(parts)
