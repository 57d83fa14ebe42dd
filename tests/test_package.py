"""The package installed from a wheel, outside the checkout: init, ingest, check and build.

Slow (a wheel build, a virtual environment and a site build), and run in CI.
Offline: the wheel is built without build isolation from the setuptools the
test extras install, and the virtual environment reuses this interpreter's
installed dependencies; only the wheel itself is installed into it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def run(*command, cwd: Path) -> str:
    # Nothing of the checkout may leak in: the installed package alone is tested.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True,
                          env=env)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def test_a_wheel_installed_in_a_fresh_venv_runs_init_ingest_check_and_build(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", "site", ".digest-build", "build", "*.egg-info", "test-output", "__pycache__",
        ".pytest_cache", ".hypothesis"))
    run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "-o", tmp_path / "dist",
        source, cwd=tmp_path)
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    python = env_dir / "bin" / "python"
    run(python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", wheel, cwd=tmp_path)
    work = tmp_path / "elsewhere"
    work.mkdir()
    where = run(python, "-c", "import digest; print(digest.__file__)", cwd=work)
    assert where.startswith(str(env_dir)), where  # the wheel's, not the checkout's
    digest = env_dir / "bin" / "digest"
    run(digest, "init", "news", cwd=work)
    shutil.copy(ROOT / "content" / "dumps" / sorted(p.name for p in (ROOT / "content" / "dumps")
                                                    .glob("*.txt"))[0],
                work / "news" / "content" / "dumps")
    for command in (("ingest", "--quiet"), ("check", "--strict"), ("build", "--quiet")):
        run(digest, *command, cwd=work / "news")
    site = work / "news" / "site"
    assert (site / "index.html").is_file() and any((site / "papers").iterdir())
    assert (site / "assets" / "stylesheets" / "digest.css").is_file()  # the package's overrides
