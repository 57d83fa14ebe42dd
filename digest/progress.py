"""Progress on stderr: one line per stage of a long command, with counts and time."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Progress:
    """One line per stage on stderr: what was done, with counts, and how long it took."""

    def __init__(self, enabled: bool, stream: TextIO | None = None):
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.live = enabled and self.stream.isatty()

    @contextmanager
    def stage(self, name: str) -> Iterator[list[str]]:
        """Time a stage; the caller appends what it did to the yielded list."""
        notes: list[str] = []
        started = time.perf_counter()
        yield notes
        self.done(name, "; ".join(notes), time.perf_counter() - started)

    def done(self, name: str, summary: str, seconds: float) -> None:
        if self.enabled:
            self.line(f"{name:<8} {summary:<64} {seconds:6.2f}s")

    def line(self, text: str) -> None:
        if self.enabled:
            print(("\r\033[K" if self.live else "") + text, file=self.stream, flush=True)

    def update(self, text: str) -> None:
        """A transient status line, only on a terminal."""
        if self.live:
            print(f"\r\033[K{text}", end="", file=self.stream, flush=True)
