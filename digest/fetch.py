"""`digest fetch`: save each day's Daily Papers API response as dumps/YYYY-MM-DD.json.

One request per day, one at a time and at most `1 / min_interval` per second,
each with a timeout. Timeouts, dropped connections, 429 and 5xx answers are
retried with exponential backoff, or after the wait a `Retry-After` header
asks for. A response is checked with the same reader `digest ingest` uses
before anything is written, and written atomically (a temporary file beside
it, then a rename), so a dump on disk is always a whole, readable response.
A day that still fails is reported and the others are saved all the same.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from importlib import metadata
from pathlib import Path

import click
import httpx

from .dumps import DumpError, decode_dump
from .files import write_atomically
from .hf_api import parse_records, read_records
from .model import DigestError

DEFAULT_API_URL = "https://huggingface.co/api/daily_papers"


def user_agent(env: dict[str, str] = os.environ) -> str:  # type: ignore[assignment]
    """Names the client, and in GitHub Actions the repository running it, so
    the API's operators can tell who is asking."""
    try:
        version = metadata.version("paper-digest")
    except metadata.PackageNotFoundError:
        version = "dev"
    repository = env.get("GITHUB_REPOSITORY")
    where = f"+{env.get('GITHUB_SERVER_URL', 'https://github.com')}/{repository}" if repository \
        else "Paper Digest, digest fetch"
    return f"paper-digest/{version} ({where}) httpx/{httpx.__version__}"


@dataclass(frozen=True)
class FetchPolicy:
    """How patient and how polite fetching is."""

    timeout: float = 30.0  # seconds, for connecting and for each read
    retries: int = 4  # further attempts after the first
    backoff: float = 1.0  # the first wait; each retry waits twice as long
    max_wait: float = 120.0  # a longer Retry-After gives up on the day instead
    min_interval: float = 0.5  # between the starts of two requests: at most 2 per second


class DayFailed(Exception):
    """A day that could not be fetched; the message says why."""


@dataclass
class FetchReport:
    saved: list[date] = field(default_factory=list)
    skipped: list[date] = field(default_factory=list)  # already saved
    empty: list[date] = field(default_factory=list)  # the API listed no papers
    failed: dict[date, str] = field(default_factory=dict)
    requests: int = 0


def days_between(since: date, until: date) -> list[date]:
    """Every day from `since` to `until`, both included."""
    if until < since:
        raise DigestError(f"--until {until} is before --since {since}")
    return [since + timedelta(days=n) for n in range((until - since).days + 1)]


def dump_path(dumps_dir: Path, day: date) -> Path:
    return dumps_dir / f"{day.isoformat()}.json"


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """A Retry-After header as seconds: a number of seconds, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


def retry_wait(attempt: int, retry_after: float | None, policy: FetchPolicy) -> float | None:
    """Seconds to wait before retry number `attempt` (0 for the first), or None to give up."""
    if attempt >= policy.retries:
        return None
    wait = policy.backoff * 2 ** attempt if retry_after is None else retry_after
    return wait if wait <= policy.max_wait else None


class Pacer:
    """Spaces the starts of requests at least `interval` seconds apart."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.interval, self.clock, self.sleep = interval, clock, sleep
        self.last: float | None = None

    def wait(self, at_least: float = 0.0) -> None:
        now = self.clock()
        start = now + at_least
        if self.last is not None:
            start = max(start, self.last + self.interval)
        if start > now:
            self.sleep(start - now)
        self.last = self.clock()


def papers_in_answer(day: date, body: bytes) -> int:
    """How many papers a 200 answer lists (0 for `[]`); DayFailed when it is not a day's papers."""
    name = f"{day.isoformat()}.json"
    try:
        records = read_records(decode_dump(body, name), name)
        return len(parse_records(records, name, day).entries) if records else 0
    except DumpError as exc:
        reason = str(exc).rsplit("not a Daily Papers ", 1)[-1]  # the day is named by the caller
        raise DayFailed(f"the answer is not a Daily Papers {reason}") from None


def fetch_day(client: httpx.Client, api_url: str, day: date, policy: FetchPolicy,
              pacer: Pacer, report: FetchReport) -> tuple[bytes, int]:
    """The body of a good response for `day` and how many papers it lists;
    DayFailed when it is not one or retries run out."""
    wait_before = 0.0
    for attempt in range(policy.retries + 1):
        pacer.wait(wait_before)
        report.requests += 1
        retry_after = None
        try:
            response = client.get(api_url, params={"date": day.isoformat()})
        except httpx.TimeoutException:
            reason = f"no answer within {policy.timeout:g} s"
        except httpx.TransportError as exc:  # refused, reset, or a body cut short
            reason = f"connection failed ({type(exc).__name__}: {exc})"
        else:
            if response.status_code == 200:
                return response.content, papers_in_answer(day, response.content)
            reason = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
            if response.status_code != 429 and response.status_code < 500:
                raise DayFailed(reason)  # 404 and the like: asking again will not help
            retry_after = retry_after_seconds(response.headers.get("retry-after"),
                                              datetime.now(timezone.utc))
        wait = retry_wait(attempt, retry_after, policy)
        if wait is None:
            tries = f"{attempt + 1} attempt{'s' if attempt else ''}"
            if retry_after is not None and attempt < policy.retries:
                raise DayFailed(f"{reason}; the server asks to wait {retry_after:g} s "
                                f"(more than {policy.max_wait:g} s), after {tries}")
            raise DayFailed(f"{reason}, after {tries}")
        wait_before = wait
    raise AssertionError("unreachable")


def run_fetch(
    days: list[date],
    dumps_dir: Path,
    *,
    api_url: str = DEFAULT_API_URL,
    refresh: bool = False,
    policy: FetchPolicy = FetchPolicy(),
    progress: bool = True,
    transport: httpx.BaseTransport | None = None,
) -> FetchReport:
    """Fetch and save every day not saved yet (every day with `refresh`)."""
    report = FetchReport()
    todo = []
    for day in days:
        if dump_path(dumps_dir, day).exists() and not refresh:
            report.skipped.append(day)
        else:
            todo.append(day)
    pacer = Pacer(policy.min_interval)
    headers = {"User-Agent": user_agent(), "Accept": "application/json"}
    with httpx.Client(headers=headers, timeout=policy.timeout, transport=transport,
                      follow_redirects=True) as client, \
            click.progressbar(todo, label="Fetching days", file=sys.stderr,
                              hidden=not progress or len(todo) < 2,
                              item_show_func=lambda d: d and d.isoformat()) as bar:
        for day in bar:
            try:
                body, papers = fetch_day(client, api_url, day, policy, pacer, report)
            except DayFailed as exc:
                report.failed[day] = str(exc)
                continue
            if papers == 0:
                report.empty.append(day)  # nothing listed (yet): asked again next time
                continue
            write_atomically(dump_path(dumps_dir, day), body)
            report.saved.append(day)
    return report


def print_report(report: FetchReport) -> None:
    for day in report.empty:
        click.echo(f"{day}: no papers listed; nothing saved", err=True)
    for day, reason in sorted(report.failed.items()):
        click.secho(f"{day}: failed: {reason}; nothing saved", fg="red", err=True)
    click.echo(f"saved {len(report.saved)}, already saved {len(report.skipped)}, "
               f"empty {len(report.empty)}, failed {len(report.failed)} day(s); "
               f"{report.requests} request(s)")
