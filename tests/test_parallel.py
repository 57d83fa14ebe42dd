"""digest/parallel.py: work in a forked child, results and errors back here."""

import time

import pytest

from digest.parallel import Forked, in_two_halves


def _fails(text):
    raise ValueError(text)


def _doubled(items):
    return [2 * item for item in items]


def _fails_on_seven(items):
    if 7 in items:
        raise ValueError("seven")
    return list(items)


def test_forked_work_returns_its_result_and_raises_its_error_here():
    assert Forked(sorted, [3, 1, 2]).result() == [1, 2, 3]
    with pytest.raises(ValueError, match="from the child"):
        Forked(_fails, "from the child").result()


def test_a_cancelled_fork_is_stopped_and_reaped():
    work = Forked(time.sleep, 30)
    process = work._process
    work.cancel()
    assert process is None or not process.is_alive()
    work.cancel()  # twice is harmless


@pytest.mark.parametrize("minimum", [1, 100])
def test_two_halves_give_what_one_pass_gives_in_order(minimum):
    assert in_two_halves(_doubled, list(range(11)), minimum) == _doubled(range(11))


@pytest.mark.parametrize("items", [[7, 1, 2, 3], [1, 2, 3, 7]])
def test_an_error_in_either_half_is_raised_here(items):
    with pytest.raises(ValueError, match="seven"):
        in_two_halves(_fails_on_seven, items, 2)
