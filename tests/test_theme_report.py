import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import main
from digest.theme_report import per_theme, scores, unsorted_share

ROOT = Path(__file__).resolve().parent.parent
MU_TRANSFER = "a-large-scale-exploration-of-transfer"


def test_scores_count_primary_hits_and_micro_precision_recall():
    pairs = [(("llm", "rl"), ("rl",)),  # primary missed, one of two found
             (("vision",), ("vision", "data")),  # hit, one extra
             (("safety",), ("unsorted",))]
    s = scores(pairs)
    assert (s["n"], s["primary_hit"], s["primary_first"]) == (3, 1 / 3, 1 / 3)
    assert (s["precision"], s["recall"]) == (2 / 4, 2 / 4)
    assert s["f1"] == pytest.approx(0.5)


def test_per_theme_lists_labelled_assigned_and_correct_counts():
    lines = per_theme([(("llm", "rl"), ("rl",)), (("llm",), ("llm", "data"))], ("llm", "rl", "data"))
    assert lines[1:] == [
        "  llm                     2        2        1       1   1.00   0.50",
        "  rl                      0        1        1       1   1.00   1.00",
        "  data                    0        0        1       0   0.00      -",
    ]
    assert unsorted_share([("unsorted",), ("llm",)]) == "1 of 2 (50.0%)"


@pytest.fixture
def content(tmp_path) -> Path:
    """Shipped themes and four papers, one of them pinned by a curator."""
    content = tmp_path / "content"
    (content / "papers").mkdir(parents=True)
    shutil.copy(ROOT / "content" / "themes.yml", content / "themes.yml")
    names = sorted(p.name for p in (ROOT / "content" / "papers").glob("*.yaml"))[:3] + [f"{MU_TRANSFER}.yaml"]
    for name in names:
        shutil.copy(ROOT / "content" / "papers" / name, content / "papers" / name)
    pinned = content / "papers" / names[0]
    pinned.write_text(pinned.read_text(encoding="utf-8") + "themes:\n  - science\n", encoding="utf-8")
    return content


def themes_command(content: Path, *args: str):
    return CliRunner().invoke(main, ["themes", "--content", str(content), *args])


def test_explain_prints_each_theme_with_its_score_evidence_and_weights(content):
    result = themes_command(content, "--explain", MU_TRANSFER)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:2] == ["A Large-Scale Exploration of μ-Transfer", "themes: optimization, llm (auto)"]
    assert lines[2].startswith("optimization: score 0.")
    assert "evidence: hyperparameter transfer, learning rate" in lines[2]
    assert lines[3].startswith("  for:     rules:optimization +0.")
    assert lines[4].startswith("  against: ")


def test_explain_a_curated_paper_says_so_and_shows_the_nearest_themes(content):
    pinned = sorted(p.stem for p in (content / "papers").glob("*.yaml"))[0]
    result = themes_command(content, "--explain", pinned)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1] == "themes: science (curated)"
    assert lines[2].startswith("  chosen by a curator")
    assert sum(": score " in line for line in lines) == 3


def test_explain_an_unknown_id_is_one_clean_error(content):
    result = themes_command(content, "--explain", "nope")
    assert result.exit_code == 1
    assert "no paper with id 'nope'" in result.output
    assert "Traceback" not in result.output


def test_report_scores_the_labelled_papers_and_counts_unsorted(content):
    result = themes_command(content, "--report")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("labelled papers: ")
    assert "shipped with the package, 1 pinned by curators in this library" in lines[0]
    assert lines[1].startswith("  leave-one-out ") and "micro P" in lines[1]
    assert lines[2].split() == ["theme", "primary", "labelled", "assigned", "correct", "P", "R"]
    assert lines[-1] == ("library: 4 visible papers, 1 with curated themes; "
                         "Unsorted: 0 of 3 (0.0%) of the automatically filed")


def test_themes_without_an_option_says_what_to_give(content):
    result = themes_command(content)
    assert result.exit_code == 2
    assert "give --explain ID or --report" in result.output
