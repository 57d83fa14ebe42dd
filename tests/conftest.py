"""Shared fixtures: the site built once from the shipped content, served on
127.0.0.1, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from replay_server import serve_handler

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
REQUIRE_BROWSER = "DIGEST_REQUIRE_BROWSER"
INSTALL_HINT = ("no Chromium: install Debian's package (`sudo apt-get install chromium`) "
                f"to run the browser tests; set {REQUIRE_BROWSER}=1 to make this a failure")
PLAYWRIGHT_HINT = ("no Playwright: install the test extras (`python3 -m pip install -e '.[test]'`) "
                   f"to run the browser tests; set {REQUIRE_BROWSER}=1 to make this a failure")
# Headless Chromium on a machine with no outside network: without these flags
# it keeps trying to reach Google's services and logs failed requests.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions",
]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The site built from the shipped content, once per test session."""
    from digest.site import build_site

    site = tmp_path_factory.mktemp("site") / "site"
    build_site(CONTENT, site, progress=False)
    return site


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep test output clean
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve a folder over HTTP on 127.0.0.1 for the duration of the block; yields its URL."""
    with serve_handler(functools.partial(_QuietHandler, directory=str(folder))) as url:
        yield url


@pytest.fixture(scope="session")
def site_url(built_site) -> Iterator[str]:
    """The built site served over HTTP on 127.0.0.1 (search needs http, not file://)."""
    with serve(built_site) as url:
        yield url


def chromium_path() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def browser_unavailable(hint: str) -> None:
    """Skip the test with `hint`, or fail it when DIGEST_REQUIRE_BROWSER is set (CI)."""
    if os.environ.get(REQUIRE_BROWSER):
        pytest.fail(hint.split(";")[0] + f" ({REQUIRE_BROWSER} is set)", pytrace=False)
    pytest.skip(hint)


def chromium_or_skip() -> str:
    """The path of the system's Chromium; skips (or fails) the test when there is none."""
    path = chromium_path()
    if path is None:
        browser_unavailable(INSTALL_HINT)
    return path


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium from the system, launched by path (Playwright downloads nothing)."""
    path = chromium_or_skip()
    try:
        from playwright import sync_api
    except ImportError:
        browser_unavailable(PLAYWRIGHT_HINT)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def test_output() -> Path:
    """Where tests leave files for people to look at: DIGEST_TEST_OUTPUT or ./test-output."""
    folder = Path(os.environ.get("DIGEST_TEST_OUTPUT", ROOT / "test-output"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def screenshot_dir(test_output) -> Path:
    """Where browser tests save screenshots: <test output>/screenshots."""
    folder = test_output / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def project(tmp_path) -> Path:
    """A project of its own (mkdocs.yml, templates, three shipped papers), so the
    build's intermediate pages stay in tmp_path."""
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(ROOT / "site_templates", tmp_path / "site_templates")
    content = tmp_path / "content"
    (content / "papers").mkdir(parents=True)
    shutil.copy(CONTENT / "themes.yml", content / "themes.yml")
    shutil.copytree(CONTENT / "schema", content / "schema")
    for paper in sorted((CONTENT / "papers").glob("*.yaml"))[:3]:
        shutil.copy(paper, content / "papers" / paper.name)
    return tmp_path
