"""digest/fetch.py against a local replay of the Daily Papers API (tests/replay_server.py)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from replay_server import Fault, Replay, serving

from digest.cli import main
from digest.fetch import (
    FetchPolicy, Pacer, days_between, retry_after_seconds, retry_wait, run_fetch, user_agent,
)
from digest.model import DigestError

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "content" / "dumps"
DAYS = [date(2026, 7, 6), date(2026, 8, 3)]  # recorded days shipped in content/dumps
FAST = FetchPolicy(timeout=0.5, retries=3, backoff=0.05, max_wait=5.0, min_interval=0.02)


@pytest.fixture
def replay():
    return Replay.of_folder(SHIPPED)


@pytest.fixture
def api(replay):
    with serving(replay) as url:
        yield url


def fetch(api, dumps, days=DAYS, **kwargs):
    kwargs.setdefault("policy", FAST)
    return run_fetch(days, dumps, api_url=api, progress=False, **kwargs)


def saved(dumps: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(dumps.iterdir())}


def test_each_day_is_saved_as_the_server_sent_it_once_per_request(api, replay, tmp_path):
    report = fetch(api, tmp_path)
    assert (report.saved, report.failed, report.requests) == (DAYS, {}, 2)
    assert saved(tmp_path) == {f"{d}.json": (SHIPPED / f"{d}.json").read_bytes() for d in DAYS}
    assert [day for day, _, _ in replay.requests] == ["2026-07-06", "2026-08-03"]
    assert {agent for _, agent, _ in replay.requests} == {user_agent()}


def test_saved_days_are_not_asked_for_again_unless_refreshed(api, replay, tmp_path):
    fetch(api, tmp_path)
    before = saved(tmp_path)
    again = fetch(api, tmp_path, days=[*DAYS, date(2026, 6, 8)])
    assert (again.saved, again.skipped, again.requests) == ([date(2026, 6, 8)], DAYS, 1)
    assert len(replay.requests) == 3
    refreshed = fetch(api, tmp_path, refresh=True)
    assert (refreshed.saved, refreshed.requests) == (DAYS, 2)
    assert {k: v for k, v in saved(tmp_path).items() if k in before} == before


def test_429_waits_as_long_as_retry_after_says(api, replay, tmp_path):
    replay.faults["2026-07-06"] = [Fault.status_code(429, retry_after="1")]
    report = fetch(api, tmp_path, days=DAYS[:1])
    assert (report.saved, report.requests) == (DAYS[:1], 2)
    (_, _, first), (_, _, second) = replay.requests
    assert second - first >= 1.0  # not the 0.05 s backoff


def test_503_twice_then_the_day_is_saved(api, replay, tmp_path):
    replay.faults["2026-08-03"] = [Fault.status_code(503), Fault.status_code(503)]
    report = fetch(api, tmp_path)
    assert (report.saved, report.failed, report.requests) == (DAYS, {}, 4)
    assert saved(tmp_path)["2026-08-03.json"] == (SHIPPED / "2026-08-03.json").read_bytes()


@pytest.mark.parametrize("fault", [Fault.stall(1.0), Fault.cut()], ids=["timeout", "cut-short"])
def test_a_timeout_or_a_connection_cut_short_is_retried(api, replay, tmp_path, fault):
    replay.faults["2026-07-06"] = [fault]
    report = fetch(api, tmp_path, days=DAYS[:1])
    assert (report.saved, report.failed, report.requests) == (DAYS[:1], {}, 2)


@pytest.mark.parametrize(("faults", "reason", "requests"), [
    ([Fault.html()], "the answer is not a Daily Papers API response: invalid JSON: "
                     "Expecting value (column 1)", 1),
    ([Fault.truncated()], "the answer is not a Daily Papers API response: invalid JSON: ", 1),
    ([Fault.status_code(503)] * 9, "HTTP 503 Service Unavailable, after 4 attempts", 4),
    ([Fault.stall(1.0)] * 9, "no answer within 0.5 s, after 4 attempts", 4),
    ([Fault.status_code(429, retry_after="3600")],
     "HTTP 429 Too Many Requests; the server asks to wait 3600 s (more than 5 s), after 1 attempt", 1),
    ([Fault.status_code(404)], "HTTP 404 Not Found", 1),
])
def test_a_day_that_fails_is_reported_and_nothing_is_written_for_it(api, replay, tmp_path, faults,
                                                                    reason, requests):
    replay.faults["2026-07-06"] = list(faults)
    report = fetch(api, tmp_path)
    assert report.saved == [date(2026, 8, 3)]  # the other day still is
    assert list(report.failed) == [date(2026, 7, 6)]
    assert report.failed[date(2026, 7, 6)].startswith(reason)
    assert report.requests == requests + 1
    assert sorted(saved(tmp_path)) == ["2026-08-03.json"]  # no temporary file left either


def test_a_day_without_papers_is_not_saved_and_not_a_failure(api, replay, tmp_path):
    replay.days["2026-08-05"] = b"[\n]\n"
    report = fetch(api, tmp_path, days=[date(2026, 8, 4), date(2026, 8, 5)])
    assert (report.empty, report.saved, report.failed) == ([date(2026, 8, 4), date(2026, 8, 5)], [], {})
    assert saved(tmp_path) == {}


def test_requests_start_at_most_as_often_as_the_policy_allows(api, replay, tmp_path):
    fetch(api, tmp_path, days=days_between(date(2026, 8, 1), date(2026, 8, 5)),
          policy=FetchPolicy(timeout=1, min_interval=0.2))
    times = [t for _, _, t in replay.requests]
    # Measured where requests arrive, so allow for scheduling jitter on a busy machine.
    assert len(times) == 5 and times[-1] - times[0] >= 0.75
    assert min(b - a for a, b in zip(times, times[1:])) >= 0.1


# --- the command ------------------------------------------------------------------


def run(*args, env=None):
    return CliRunner().invoke(main, ["fetch", "-q", *map(str, args)], env=env or {})


def test_the_command_takes_the_api_url_from_the_environment_and_can_ingest(api, tmp_path):
    result = run("--content", tmp_path, "--since", "2026-07-06", "--until", "2026-07-07",
                 "--ingest", env={"DIGEST_HF_API": api})
    assert result.exit_code == 0, result.output
    assert "2026-07-07: no papers listed; nothing saved" in result.stderr
    assert "saved 1, already saved 0, empty 1, failed 0 day(s); 2 request(s)" in result.stdout
    assert sorted(p.name for p in (tmp_path / "dumps").iterdir()) == ["2026-07-06.json"]
    assert len(list((tmp_path / "papers").glob("*.yaml"))) == 9


def test_the_exit_code_says_a_day_failed_and_names_it(api, replay, tmp_path):
    replay.faults["2026-08-03"] = [Fault.html()]
    result = run("--content", tmp_path, "--since", "2026-07-06", "--until", "2026-07-06",
                 "--api-url", api)
    assert result.exit_code == 0
    result = run("--content", tmp_path, "--date", "2026-08-03", "--api-url", api)
    assert result.exit_code == 1
    assert ("2026-08-03: failed: the answer is not a Daily Papers API response: invalid JSON: "
            "Expecting value (column 1); nothing saved") in result.stderr
    assert "Error: 1 day(s) failed: 2026-08-03; the others were saved" in result.stderr
    assert sorted(p.name for p in (tmp_path / "dumps").iterdir()) == ["2026-07-06.json"]


@pytest.mark.parametrize("args", [["--date", "2026-08-03", "--since", "2026-08-01"],
                                  ["--until", "2026-08-01"]])
def test_date_and_since_do_not_mix(tmp_path, args):
    result = run("--content", tmp_path, *args)
    assert result.exit_code == 2 and "Error:" in result.output


# --- the pieces -------------------------------------------------------------------

NOW = datetime(2026, 8, 3, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("header", "seconds"), [
    ("7", 7.0), (" 120 ", 120.0), ("Mon, 03 Aug 2026 12:00:30 GMT", 30.0),
    ("Mon, 03 Aug 2026 11:00:00 GMT", 0.0), ("soon", None), ("", None), (None, None),
])
def test_retry_after_is_seconds_or_an_http_date(header, seconds):
    assert retry_after_seconds(header, NOW) == seconds


def test_backoff_doubles_honours_retry_after_and_gives_up():
    policy = FetchPolicy(retries=3, backoff=0.5, max_wait=10)
    assert [retry_wait(n, None, policy) for n in range(4)] == [0.5, 1.0, 2.0, None]
    assert (retry_wait(0, 7.0, policy), retry_wait(0, 11.0, policy)) == (7.0, None)


def test_the_pacer_spaces_request_starts():
    clock, slept = [100.0], []

    def sleep(seconds):
        slept.append(round(seconds, 6))
        clock[0] += seconds

    pacer = Pacer(0.5, clock=lambda: clock[0], sleep=sleep)
    pacer.wait()
    clock[0] += 0.2  # the request took 0.2 s
    pacer.wait()
    pacer.wait(at_least=2.0)  # a retry's backoff
    assert slept == [0.3, 2.0]


def test_days_between_includes_both_ends_and_refuses_a_reversed_range():
    assert days_between(date(2026, 2, 27), date(2026, 3, 1)) == [
        date(2026, 2, 27), date(2026, 2, 28), date(2026, 3, 1)]
    with pytest.raises(DigestError, match="--until 2026-02-27 is before --since 2026-03-01"):
        days_between(date(2026, 3, 1), date(2026, 2, 27))


def test_the_user_agent_names_the_client_and_in_ci_the_repository():
    assert user_agent({}).startswith("paper-digest/")
    assert "(+https://github.com/owner/repo)" in user_agent({"GITHUB_REPOSITORY": "owner/repo"})
