from datetime import date
from pathlib import Path

import pytest

from digest.model import DigestError, Paper
from digest.themes import (
    UNSORTED,
    UNSORTED_THEME,
    Assignment,
    assign_themes,
    explain,
    load_taxonomy,
    words,
)

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "content" / "themes.yml"
CORPUS = ROOT.parent / "shared" / "corpus" / "scale"
THEME_IDS = (
    "llm", "multimodal", "vision", "generative", "agents", "rl", "efficiency", "optimization",
    "theory", "probabilistic", "science", "robotics", "safety", "speech", "data", "graphs",
    "retrieval", "interpretability",
)

SMALL = """\
themes:
  - id: generative
    name: Generative models
    description: Diffusion and friends.
    keywords:
      - diffusion: 2
      - text-to-image: 3
  - id: llm
    name: Language models
    description: LLMs.
    keywords:
      - large language model: 2
      - language model
      - pre-training
  - id: rl
    name: Reinforcement learning
    description: RL.
    keywords:
      - policy: 2
      - rag: 3
  - id: safety
    name: Safety
    description: Safety.
    title_weight: 1
    keywords:
      - alignment: 2
    ignore:
      - preference alignment
"""


def paper(title, abstract="", themes=()):
    return Paper("p", title, abstract, date(2025, 1, 1), themes=tuple(themes))


def write(tmp_path, text):
    path = tmp_path / "themes.yml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def small(tmp_path):
    return load_taxonomy(write(tmp_path, SMALL))


@pytest.fixture(scope="module")
def shipped():
    return load_taxonomy(SHIPPED)


def problems(path):
    with pytest.raises(DigestError) as caught:
        load_taxonomy(path)
    return [str(p) for p in caught.value.problems]


# --- the shipped taxonomy ------------------------------------------------------


def test_shipped_taxonomy_has_the_eighteen_themes_in_order(shipped):
    assert shipped.ids == THEME_IDS
    assert all(theme.name and theme.description and theme.keywords for theme in shipped.themes)


def test_get_returns_a_theme_names_unsorted_and_refuses_unknown_ids(shipped):
    assert shipped.get("rl").name == "Reinforcement learning"
    assert shipped.get(UNSORTED) == UNSORTED_THEME
    assert UNSORTED not in shipped.ids
    with pytest.raises(KeyError, match="unknown theme id 'nope'"):
        shipped.get("nope")


@pytest.mark.parametrize("title, abstract, expected", [
    ("Few-Step Text-to-Image Generation with Latent Diffusion",
     "We distill a diffusion model into a four-step sampler.", ("generative",)),
    ("Imperceptible Jailbreaks against Large Language Models",
     "Invisible characters make aligned LLMs produce harmful answers.", ("safety", "llm")),
    ("Zero-Shot Text-to-Speech with Neural Codec Language Models",
     "Our TTS model clones a voice from three seconds of audio.", ("speech",)),
    ("HomeBench: A Benchmark for Household Robot Manipulation",
     "We evaluate robot policies on 500 tasks.", ("robotics", "data")),
    ("Retrieval-Augmented Generation for Open-Domain Question Answering",
     "A dense retriever feeds passages to the reader.", ("retrieval",)),
])
def test_clear_papers_get_the_expected_themes(shipped, title, abstract, expected):
    assert assign_themes(paper(title, abstract), shipped).themes == expected


def test_a_paper_of_many_themes_gets_at_most_three(shipped):
    got = assign_themes(paper(
        "Quantized Vision-Language-Action Models for Robot Manipulation via Reinforcement Learning",
        "A multimodal LLM agent with tool use, trained by RL with a reward model."), shipped)
    # efficiency ('quantized') and agents qualify too, but only the best three are kept
    assert got.themes == ("robotics", "rl", "multimodal")
    assert [theme_id for theme_id, _ in got.reasons] == list(got.themes)
    assert all(phrases for _, phrases in got.reasons)


def test_assignment_is_deterministic(shipped):
    p = paper("Scaling Laws for Mixture-of-Experts Language Models",
              "We train sparse MoE transformers and fit a scaling law for their loss.")
    first = assign_themes(p, shipped)
    assert first == assign_themes(p, shipped) == assign_themes(p, load_taxonomy(SHIPPED))


# --- assignment rules, on a small taxonomy -------------------------------------


def test_curated_themes_win_and_need_no_reasons(small):
    got = assign_themes(paper("Text-to-image diffusion", themes=["rl"]), small)
    assert got == Assignment(("rl",), "curated", ())
    assert explain(got) == "curated: themes chosen by a curator in the paper's YAML file"


def test_title_matches_weigh_more_and_reasons_list_the_biggest_first(small):
    got = assign_themes(paper("Diffusion for Text to Image", "We use diffusion."), small)
    # text-to-image 3 x 3 (title); diffusion 2 x 3 (title) + 2 (abstract)
    assert got == Assignment(("generative",), "auto", (("generative", ("text-to-image", "diffusion")),))
    assert explain(got) == "auto: generative (matched 'text-to-image', 'diffusion')"


def test_phrases_match_whole_words_any_case_plural_and_hyphen_variants(small):
    assert assign_themes(paper("X", "Learned POLICIES."), small).themes == ("rl",)
    assert assign_themes(paper("X", "Drag and drop."), small).themes == (UNSORTED,)
    got = assign_themes(paper("X", "Language model pretraining."), small)
    assert got.reasons == (("llm", ("language model", "pre-training")),)


def test_overlapping_phrases_of_a_theme_count_once_longest_first(small):
    got = assign_themes(paper("X", "Large language models are language models."), small)
    assert got.reasons == (("llm", ("large language model", "language model")),)
    got = assign_themes(paper("X", "Large language models."), small)
    assert got.reasons == (("llm", ("large language model",)),)


def test_an_ignore_phrase_takes_its_words_from_the_theme(small):
    assert assign_themes(paper("X", "Preference alignment."), small).themes == (UNSORTED,)
    assert assign_themes(paper("X", "Safety alignment."), small).themes == ("safety",)


def test_further_themes_need_five_points_or_forty_percent_of_the_primary(small):
    # generative 3 x 3 + 2 x 3 = 15; safety 2 x 1 (its title_weight) + 2 = 4: below 5 and 0.4 x 15
    got = assign_themes(paper("Text-to-image diffusion alignment", "Alignment."), small)
    assert got.themes == ("generative",)
    # generative (3 + 2) x (3 + 1) = 20; rl 3 + 2 = 5 joins on its own points, though 5 < 0.4 x 20
    got = assign_themes(paper("Text-to-image diffusion", "Diffusion, text-to-image, rag and policy."), small)
    assert got.themes == ("generative", "rl")


def test_ties_go_to_the_theme_listed_first(small):
    assert assign_themes(paper("X", "Diffusion and policy."), small).themes == ("generative", "rl")


def test_a_paper_that_fits_nothing_is_unsorted(small):
    got = assign_themes(paper("On Nothing in Particular", "We study it. Only a language model."), small)
    assert got == Assignment((UNSORTED,), "auto", ())
    assert explain(got) == "auto: no theme's keywords matched strongly enough, so it is listed under Unsorted"


def test_words_split_on_punctuation_and_unicode_dashes():
    assert words("Vision–Language (VLMs), GPT-4o’s 54.6\\% ×2") == [
        "vision", "language", "vlms", "gpt", "4o", "s", "54", "6", "2"]


# --- malformed themes.yml --------------------------------------------------------


def test_malformed_theme_entries_are_all_reported_with_their_location(tmp_path):
    path = write(tmp_path, """\
themes:
  - id: llm
    name: Language models
    description: LLMs.
    keywords:
      - llm: heavy
  - id: llm
    name: [not, a, string]
    description: Again.
    keywords: []
  - name: No id
    description: Missing id.
    keywords: []
  - id: unsorted
    name: Unsorted
    description: Reserved.
    keywords: [x]
    colour: red
  - just a string
  - id: rl
    name: RL
    description: RL.
    keywords:
      - reward
      - rewards
      - "--"
      - [a, list]
    title_weight: -1
""")
    assert problems(path) == [
        f"{path}:6:14: T009 themes[0].keywords[0] (llm): expected a positive number, got 'heavy'",
        f"{path}:7:9: T007 themes[1].id: duplicate id 'llm', first given by themes[0]",
        f"{path}:8:11: T006 themes[1].name: expected a non-empty string, got a list",
        f"{path}:11:5: T005 themes[2].id: missing key",
        f"{path}:14:9: T010 themes[3].id: 'unsorted' is reserved for the Unsorted group",
        f"{path}:18:5: T008 themes[3].colour: unknown key, expected one of id, name, description, "
        "keywords, ignore, title_weight",
        f"{path}:19:5: T004 themes[4]: expected a mapping (id, name, ...), got 'just a string'",
        f"{path}:25:9: T009 themes[5].keywords[1]: 'rewards' matches the same words as themes[5].keywords[0]",
        f"{path}:26:9: T009 themes[5].keywords[2]: '--' has no letters or digits to match",
        f"{path}:27:9: T009 themes[5].keywords[3]: expected a phrase or `phrase: weight`, got a list",
        f"{path}:28:19: T009 themes[5].title_weight: expected a positive number, got int '-1'",
    ]


@pytest.mark.parametrize("text, expected", [
    ("themse:\n  - id: x\n", ["1:1: T002 themes: missing key, expected a list of themes",
                              "1:1: T008 themse: unknown key, expected only `themes`"]),
    ("themes: {}\n", ["1:9: T003 themes: expected a non-empty list of themes, got a mapping"]),
    ("", ["1:1: T002 expected a mapping with key `themes`, got nothing"]),
    ("themes: [\n  - id: x\n", ["2:3: T001 invalid YAML: did not find expected node content"]),
])
def test_a_malformed_file_shape_is_reported_with_its_location(tmp_path, text, expected):
    path = write(tmp_path, text)
    assert problems(path) == [f"{path}:{problem}" for problem in expected]


def test_a_missing_file_is_one_clean_error(tmp_path):
    with pytest.raises(DigestError, match="cannot read the theme taxonomy"):
        load_taxonomy(tmp_path / "absent.yml")


# --- the real corpus --------------------------------------------------------------


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not present")
def test_every_corpus_paper_gets_one_to_three_known_themes_with_reasons(shipped):
    from digest.dumps import decode_dump, parse_dump

    seen = set()
    for dump in sorted(CORPUS.glob("*.txt")):
        for entry in parse_dump(decode_dump(dump.read_bytes(), dump.name), dump.name).entries:
            if entry.title in seen:
                continue
            seen.add(entry.title)
            got = assign_themes(paper(entry.title, entry.abstract), shipped)
            assert 1 <= len(got.themes) <= 3
            assert set(got.themes) <= set(THEME_IDS) | {UNSORTED}
            assert [t for t, _ in got.reasons] == ([] if got.themes == (UNSORTED,) else list(got.themes))
    assert len(seen) == 9877
