"""digest/workers.py: worker processes for large libraries, and the same output with or without them."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest import workers
from digest.progress import Progress
from digest.project import find_project
from digest.site import plan_outputs

CONTENT = Path(__file__).resolve().parents[1] / "content"


@pytest.mark.parametrize("count", [0, 1, 2, 3, 7, 10])
def test_shares_cut_the_items_into_runs_in_order(count, monkeypatch):
    monkeypatch.setattr(workers, "pool_size", lambda: 3)
    items = list(range(count))
    cut = workers.shares(items)
    assert [item for share in cut for item in share] == items
    assert len(cut) <= 3 and all(cut) or items == []


def test_a_small_library_gets_no_pool_and_a_large_one_keeps_one_pool_until_the_end(monkeypatch):
    monkeypatch.setattr(workers, "pool_size", lambda: 2)
    with workers.Workers() as serving:
        assert serving.pool_for(workers.PARALLEL_MIN - 1) is None
        pool = serving.pool_for(workers.PARALLEL_MIN)
        assert pool is not None and serving.pool_for(10 ** 6) is pool
        assert pool.submit(sum, [1, 2]).result() == 3
    with pytest.raises(RuntimeError):  # shut down: no process outlives the command
        pool.submit(sum, [1])


def test_shares_started_in_a_pool_join_in_the_order_of_their_items(monkeypatch):
    monkeypatch.setattr(workers, "pool_size", lambda: 3)
    with workers.Workers() as serving:
        jobs = workers.start_shares(serving.pool_for(workers.PARALLEL_MIN), sorted, list(range(10, 0, -1)))
        assert len(jobs) == 3
        assert workers.joined(jobs) == [7, 8, 9, 10, 3, 4, 5, 6, 1, 2]  # runs of 4, 4, 2


@pytest.mark.skipif(workers.pool_size() < 2, reason="one core: no worker processes")
def test_the_pages_made_with_workers_are_the_pages_made_in_one_process(monkeypatch):
    project = find_project(CONTENT)
    alone = plan_outputs(CONTENT, project.templates_dir, Progress(False))
    monkeypatch.setattr(workers, "PARALLEL_MIN", 2)
    shared = plan_outputs(CONTENT, project.templates_dir, Progress(False))
    assert [o.path for o in shared] == [o.path for o in alone]
    assert shared == alone
