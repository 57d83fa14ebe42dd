"""Work on both cores: a forked child computes a function while this process goes on.

Fork lets the child inherit its arguments (a library of 10,000 papers) instead
of receiving them pickled; only the result crosses a pipe. Where fork is not
available (not Linux), everything runs in this process, in order.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from .model import DigestError

T = TypeVar("T")
R = TypeVar("R")


def can_fork() -> bool:
    # fork is safe and cheap on Linux; elsewhere the work runs in this process.
    return sys.platform == "linux"


class Forked:
    """`function(*args)` computed in a forked child, which inherits the arguments
    instead of receiving them pickled; only the result crosses a pipe."""

    def __init__(self, function, *args):
        self.started = time.perf_counter()
        self._value = None
        self._process = None
        if not can_fork():
            self._value = function(*args)
            return
        context = multiprocessing.get_context("fork")
        self._reader, writer = context.Pipe(duplex=False)

        def child() -> None:
            try:
                writer.send((True, function(*args)))
            except BaseException as exc:  # report it in the parent, which re-raises
                writer.send((False, exc))

        self._process = context.Process(target=child, daemon=True)
        self._process.start()
        writer.close()

    def cancel(self) -> None:
        """Stop the child, if it still runs: its result is no longer wanted."""
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            self._reader.close()
            self._process = None

    def result(self):
        if self._process is None:
            return self._value
        try:
            ok, value = self._reader.recv()
        except EOFError:
            raise DigestError(f"a worker process died (exit code {self._process.exitcode})") from None
        finally:
            self._reader.close()
            self._process.join()
            self._process = None
        if not ok:
            raise value
        self._value = value
        return value


def in_two_halves(function: Callable[[Sequence[T]], list[R]], items: Sequence[T],
                  minimum: int) -> list[R]:
    """function(items), with a forked child doing the second half when there are
    at least `minimum` items (below that, a second process costs more than it saves)."""
    if len(items) < minimum or not can_fork():
        return function(items)
    half = len(items) // 2
    second = Forked(function, items[half:])
    try:
        first = function(items[:half])
    except BaseException:
        second.cancel()
        raise
    return first + second.result()
