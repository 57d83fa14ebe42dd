"""Time `digest fetch` over 60 days from a local server replaying the recorded API responses.

Usage: python3 bench/fetch.py [--recordings PATH] [--days 60] [--delay 0.5] [--timeout 2]

The server (tests/replay_server.py, on 127.0.0.1) answers each day with one of
the recordings in turn after `--delay` seconds, as a real server's latency;
one day answers 503 twice before succeeding and one stalls past the client's
timeout once. The server's delay budget is `--delay` x days: what a client that
never met a failure would spend waiting. Targets (issue 10): all days saved in
under 2x that budget; a second run saves nothing and makes no request.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from replay_server import Fault, Replay, serving  # noqa: E402


def timed_fetch(url: str, content: Path, since: date, until: date, timeout: float) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "digest", "fetch", "--content", str(content), "--since", str(since),
         "--until", str(until), "--api-url", url, "--timeout", str(timeout), "-q"],
        cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"digest fetch failed ({done.returncode}):\n{done.stderr}")
    return time.perf_counter() - start, done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recordings", type=Path, default=ROOT.parent / "shared" / "hf-api")
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--delay", type=float, default=0.5, help="server latency per answer, s")
    parser.add_argument("--timeout", type=float, default=2.0, help="digest fetch --timeout, s")
    args = parser.parse_args()
    recorded = sorted(args.recordings.glob("*.json"))
    if not recorded:
        sys.exit(f"no recordings found in {args.recordings}")
    until = date(2026, 8, 3)
    days = [until - timedelta(days=n) for n in range(args.days - 1, -1, -1)]
    bodies = {day.isoformat(): recorded[i % len(recorded)].read_bytes() for i, day in enumerate(days)}
    flaky, slow = days[len(days) // 6].isoformat(), days[2 * len(days) // 3].isoformat()
    replay = Replay(bodies, delay=args.delay, faults={
        flaky: [Fault.status_code(503), Fault.status_code(503)],
        slow: [Fault.stall(args.timeout * 2)],
    })
    budget = args.delay * len(days)
    with serving(replay) as url, tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp)
        first, ledger = timed_fetch(url, content, days[0], days[-1], args.timeout)
        asked = len(replay.requests)
        saved = {p.stem: p.read_bytes() for p in (content / "dumps").glob("*.json")}
        again, ledger_again = timed_fetch(url, content, days[0], days[-1], args.timeout)
        asked_again = len(replay.requests) - asked
    exact = sum(saved.get(day) == body for day, body in bodies.items())
    print(f"days: {len(days)} ({days[0]} .. {days[-1]}), recordings cycled: {len(recorded)}, "
          f"server delay {args.delay:g} s per answer, client timeout {args.timeout:g} s")
    print(f"faults: {flaky} answers 503 twice, {slow} stalls {args.timeout * 2:g} s once")
    print(f"first fetch:  {first:6.2f} s for {asked} requests; {ledger}")
    print(f"              server delay budget {budget:.2f} s; target < 2x = {2 * budget:.2f} s; "
          f"ratio {first / budget:.2f}x")
    print(f"saved byte-identical to what was served: {exact} of {len(days)}")
    print(f"second fetch: {again:6.2f} s, {asked_again} requests; {ledger_again}")


if __name__ == "__main__":
    main()
