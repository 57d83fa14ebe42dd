"""Worker processes for a command's CPU-heavy stages, where measuring showed they pay.

One concurrent.futures pool per command, a worker per core, started by
forkserver rather than fork: `digest serve` runs live-reload threads, and a
child forked from a threaded process can deadlock. Below PARALLEL_MIN papers a
second process costs more than it saves (starting it, sending it the papers),
so small libraries run in one process. Measured on the 9,877-paper corpus,
2 cores: `digest check` 1.9 to 2.7 s with a worker per core against 3.1 to
3.7 s in one process; a build's stages before MkDocs 6.3 to 7.4 s against 6.4
to 8.9 s (3 alternating pairs).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from multiprocessing import get_context
from typing import TypeVar

PARALLEL_MIN = 2000
MAX_WORKERS = 8
T = TypeVar("T")
R = TypeVar("R")


def pool_size() -> int:
    return min(os.cpu_count() or 1, MAX_WORKERS)


def shares(items: Sequence[T]) -> list[Sequence[T]]:
    """`items` cut into one run of neighbours per worker of a pool, in order."""
    count = max(pool_size(), 2)
    size = max(-(-len(items) // count), 1)
    return [items[i:i + size] for i in range(0, len(items), size)] or [items]


def start_shares(pool: Executor, work: Callable[[Sequence[T]], list[R]],
                 items: Sequence[T]) -> list[Future[list[R]]]:
    """`work` started in the pool on each share of `items` (a module-level function or a
    functools.partial of one, so that it pickles); `joined` collects the results."""
    return [pool.submit(work, share) for share in shares(items)]


def joined(jobs: Sequence[Future[list[R]]]) -> list[R]:
    """The results of `start_shares` jobs, in the order of their items."""
    return [result for job in jobs for result in job.result()]


class Workers:
    """Worker processes for one command's stages, started when a stage first needs them
    and shut down when the command leaves the `with` block, so none outlives them."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def pool_for(self, items: int) -> Executor | None:
        """The pool, for work on `items` papers; None where one process is better."""
        if items < PARALLEL_MIN or pool_size() < 2:
            return None
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=pool_size(),
                                             mp_context=get_context("forkserver"))
        return self._pool

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
