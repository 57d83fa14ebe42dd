import random
from datetime import date

from digest.related import RELATED, related_papers, words_of
from digest.model import Paper


def paper(pid, title, abstract=""):
    return Paper(id=pid, title=title, abstract=abstract, added=date(2026, 1, 26))


LIBRARY = [
    paper("diffusion-images", "Denoising diffusion for image synthesis",
          "A diffusion model generates images by denoising."),
    paper("diffusion-video", "Denoising diffusion for video synthesis",
          "We extend image diffusion models to video with temporal denoising."),
    paper("robot-rl", "Reinforcement learning for robot control",
          "A policy learns to control a robot arm with reinforcement learning."),
    paper("robot-policy", "Policy gradients for robot manipulation",
          "Reinforcement learning of a manipulation policy on a real robot."),
    paper("quantum", "Quantum chemistry on graphs", "Molecules as graphs; energies by quantum methods."),
]


def test_words_are_lowercased_runs_of_two_or_more_letters_and_digits():
    assert words_of(paper("x", "GPT-4o: a Study", "of 3D <EOS> tokens, μ-law, Λόγος")) == [
        "gpt", "4o", "study", "of", "3d", "eos", "tokens", "law", "λόγος"]


def test_nearest_neighbours_share_the_most_distinctive_words():
    related = related_papers(LIBRARY)
    assert related["diffusion-images"][0] == "diffusion-video"
    assert related["diffusion-video"][0] == "diffusion-images"
    assert related["robot-rl"][0] == "robot-policy"
    assert related["robot-policy"][0] == "robot-rl"


def test_a_paper_sharing_no_keyword_has_no_related_papers():
    assert related_papers(LIBRARY)["quantum"] == ()


def test_stop_words_and_numbers_do_not_relate_papers():
    papers = [paper("a", "The use of 2024", "alpha"), paper("b", "The use of 2024", "beta")]
    assert related_papers(papers) == {"a": (), "b": ()}


def test_at_most_five_and_ties_go_to_the_smaller_id():
    # Words every paper holds weigh nothing (idf 0), so the library needs
    # papers without them for "sparse attention kernels" to mean anything.
    papers = [paper(f"p{i}", "Sparse attention kernels") for i in range(8)]
    related = related_papers(papers + LIBRARY)
    assert related["p0"] == ("p1", "p2", "p3", "p4", "p5")
    assert related["p5"] == ("p0", "p1", "p2", "p3", "p4")
    assert all(len(related[p.id]) == RELATED for p in papers)


def test_the_same_library_in_any_order_gives_the_same_lists():
    shuffled = LIBRARY[:]
    random.Random(7).shuffle(shuffled)
    assert related_papers(shuffled) == related_papers(LIBRARY)


def test_an_empty_or_single_paper_library_has_no_links():
    assert related_papers([]) == {}
    assert related_papers(LIBRARY[:1]) == {"diffusion-images": ()}
