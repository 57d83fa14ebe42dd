"""A stand-in for the Daily Papers API on 127.0.0.1: recorded days, scripted failures.

Used by tests/test_fetch.py and bench/fetch.py; nothing here reaches the network.
`GET /api/daily_papers?date=YYYY-MM-DD` answers the recording for that day
(`[]` for a day it has none of) after the day's scripted faults, one per
request, in order:

- `Fault.status_code(503, retry_after="1")`: that status and header;
- `Fault.stall(seconds)`: say nothing for that long, then answer normally;
- `Fault.html()`: 200 with an HTML error page;
- `Fault.truncated()`: 200 with the first half of the body (a consistent Content-Length);
- `Fault.cut()`: announce the whole body, send half and hang up.
"""

from __future__ import annotations

import contextlib
import http.server
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

PATH = "/api/daily_papers"


@dataclass(frozen=True)
class Fault:
    kind: str
    status: int = 200
    seconds: float = 0.0
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def status_code(cls, status: int, retry_after: str | None = None) -> Fault:
        headers = (("Retry-After", retry_after),) if retry_after is not None else ()
        return cls("status", status=status, headers=headers)

    @classmethod
    def stall(cls, seconds: float) -> Fault:
        return cls("stall", seconds=seconds)

    @classmethod
    def html(cls) -> Fault:
        return cls("html")

    @classmethod
    def truncated(cls) -> Fault:
        return cls("truncated")

    @classmethod
    def cut(cls) -> Fault:
        return cls("cut")


@dataclass
class Replay:
    """What the server answers, and what it was asked (day, User-Agent, time)."""

    days: dict[str, bytes]
    delay: float = 0.0  # added to every answer, as a real server's latency
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    requests: list[tuple[str, str, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def of_folder(cls, folder: Path, **kwargs) -> Replay:
        return cls({p.stem: p.read_bytes() for p in sorted(folder.glob("*.json"))}, **kwargs)

    def next_fault(self, day: str) -> Fault | None:
        with self.lock:
            queue = self.faults.get(day) or []
            return queue.pop(0) if queue else None


def _handler(replay: Replay) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the real API

        def log_message(self, format, *args):  # keep test output clean
            pass

        def do_GET(self):
            url = urlsplit(self.path)
            day = parse_qs(url.query).get("date", [""])[0]
            with replay.lock:
                replay.requests.append((day, self.headers.get("User-Agent", ""), time.monotonic()))
            if url.path != PATH:
                return self.answer(404, b'{"error": "Not Found"}')
            fault = replay.next_fault(day)
            time.sleep(replay.delay + (fault.seconds if fault else 0.0))
            body = replay.days.get(day, b"[]")
            kind = fault.kind if fault else "ok"
            try:
                if kind == "status":
                    self.answer(fault.status, b'{"error": "scripted"}', fault.headers)
                elif kind == "html":
                    self.answer(200, b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>",
                                content_type="text/html")
                elif kind == "truncated":
                    self.answer(200, body[: len(body) // 2])
                elif kind == "cut":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.close_connection = True
                else:
                    self.answer(200, body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a stall past its timeout)

        def answer(self, status: int, body: bytes, headers=(), content_type="application/json"):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextlib.contextmanager
def serve_handler(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve with `handler` on 127.0.0.1 in a thread for the duration of the block; yields
    the server's base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True  # a stalled answer does not hold up the shutdown
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def serving(replay: Replay) -> Iterator[str]:
    """Serve `replay` on 127.0.0.1 in a thread; yields the API URL."""
    with serve_handler(_handler(replay)) as base:
        yield base + PATH
