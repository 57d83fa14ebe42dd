""".github/: workflows and the issue form are valid for GitHub, and CI keeps least privilege.

The schemas are the ones check-jsonschema vendors, read from its package
directory: no network.
"""

from __future__ import annotations

import json
import re
import subprocess
from importlib import resources
from pathlib import Path

import pytest
from jsonschema import Draft7Validator
from ruamel.yaml import YAML

from digest.themes import load_taxonomy

ROOT = Path(__file__).resolve().parents[1]
# GitHub runs both suffixes.
WORKFLOWS = sorted(p for p in (ROOT / ".github" / "workflows").iterdir() if p.suffix in (".yml", ".yaml"))
ISSUE_FORM = ROOT / ".github" / "ISSUE_TEMPLATE" / "suggest-paper.yml"
# The workflow `digest init` gives a new digest is held to the same rules.
NEW_DIGEST_WORKFLOWS = sorted(p for p in (ROOT / "digest" / "skeleton" / "workflows").iterdir()
                              if p.suffix in (".yml", ".yaml"))


def vendored_schema(name: str) -> dict:
    folder = resources.files("check_jsonschema") / "builtin_schemas" / "vendor"
    return json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))


def load(path: Path) -> dict:
    # YAML 1.2 as GitHub reads it: `on:` is a key, not the boolean PyYAML makes of it.
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def schema_errors(document: dict, schema_name: str) -> list[str]:
    validator = Draft7Validator(vendored_schema(schema_name))
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_there_are_the_two_workflows():
    assert [p.name for p in WORKFLOWS] == ["fetch.yml", "site.yml"]


@pytest.mark.parametrize("path", WORKFLOWS + NEW_DIGEST_WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_valid_for_github(path):
    assert schema_errors(load(path), "github-workflows") == []


@pytest.mark.parametrize("path", WORKFLOWS + NEW_DIGEST_WORKFLOWS, ids=lambda p: p.name)
def test_workflow_has_least_privilege_and_one_run_at_a_time(path):
    workflow = load(path)
    assert "pull_request_target" not in workflow["on"]  # it would run PR code with secrets
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["concurrency"]["group"]
    # Only these jobs may write, and only this.
    writers = {("site.yml", "deploy"): {"pages": "write", "id-token": "write"},
               ("digest.yml", "deploy"): {"pages": "write", "id-token": "write"},
               ("fetch.yml", "fetch"): {"contents": "write", "pull-requests": "write"}}
    for name, job in workflow["jobs"].items():
        assert job.get("permissions", {}) == writers.get((path.name, name), {}), name
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False


def steps_of(job: dict) -> dict[str, dict]:
    """Steps by the action they use or the command they run."""
    return {step.get("uses", "").split("@")[0] or step["run"]: step for step in job["steps"]}


def test_pull_requests_check_test_build_and_attach_the_site():
    workflow = load(ROOT / ".github" / "workflows" / "site.yml")
    assert set(workflow["on"]) == {"pull_request", "push", "workflow_dispatch"}
    assert workflow["on"]["push"]["branches"] == ["main"]
    steps = steps_of(workflow["jobs"]["build"])
    setup = steps["actions/setup-python"]["with"]
    assert (setup["python-version"], setup["cache"]) == ("3.11", "pip")
    commands = list(steps)
    order = ["python -m pip install -e '.[test]'", "digest check --strict",
             "python -m pytest", "digest build --quiet"]
    assert [c for c in commands if c in order] == order
    assert steps["python -m pytest"]["env"] == {"DIGEST_REQUIRE_BROWSER": "1"}
    assert steps["actions/upload-artifact"]["if"] == "github.event_name == 'pull_request'"
    assert steps["actions/upload-artifact"]["with"]["path"] == "site/"


def test_pushes_to_main_deploy_to_pages():
    workflow = load(ROOT / ".github" / "workflows" / "site.yml")
    on_main = "github.event_name != 'pull_request' && github.ref == 'refs/heads/main'"
    build, deploy = steps_of(workflow["jobs"]["build"]), workflow["jobs"]["deploy"]
    assert build["actions/upload-pages-artifact"]["if"] == on_main
    assert (deploy["needs"], deploy["if"]) == ("build", on_main)
    assert list(steps_of(deploy)) == ["actions/configure-pages", "actions/deploy-pages"]
    assert deploy["environment"]["name"] == "github-pages"


def test_issue_form_is_valid_and_offers_the_current_themes():
    form = load(ISSUE_FORM)
    assert schema_errors(form, "github-issue-forms") == []
    dropdown = next(item for item in form["body"] if item.get("id") == "themes")
    offered = [option.split(":")[0] for option in dropdown["attributes"]["options"]]
    assert offered == list(load_taxonomy(ROOT / "content" / "themes.yml").ids)


def test_codeowners_and_pull_request_template_exist():
    owners = (ROOT / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    assert "/content/papers/" in owners
    template = (ROOT / ".github" / "PULL_REQUEST_TEMPLATE.md").read_text(encoding="utf-8")
    assert "digest check --strict" in template and "- [ ]" in template


@pytest.mark.parametrize("path", WORKFLOWS + NEW_DIGEST_WORKFLOWS, ids=lambda p: p.name)
def test_no_expression_reaches_a_shell_and_every_script_parses(path):
    """`${{ }}` in a run: line is pasted into the script before it runs (an injection
    route); values go through env: instead. bash -n reads each script without running it."""
    for job in load(path)["jobs"].values():
        for step in job["steps"]:
            if "run" in step:
                assert "${{" not in step["run"], step.get("name")
                check = subprocess.run(["bash", "-n", "-c", step["run"]], capture_output=True, text=True)
                assert check.returncode == 0, (step.get("name"), check.stderr)


FETCH = ROOT / ".github" / "workflows" / "fetch.yml"


@pytest.mark.parametrize("path", WORKFLOWS + NEW_DIGEST_WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_to_full_commit_shas_with_their_version(path):
    uses = re.findall(r"^\s*-?\s*uses: (\S+)(.*)$", path.read_text(encoding="utf-8"), flags=re.M)
    # every action the workflow runs, as GitHub reads it: none written so that the line match misses it
    assert [action for action, _ in uses] == [
        step["uses"] for job in load(path)["jobs"].values() for step in job.get("steps", []) if "uses" in step]
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+(\.\d+)*", comment), (action, comment)


def test_fetch_runs_daily_and_by_hand_and_proposes_a_pull_request():
    workflow = load(FETCH)
    assert set(workflow["on"]) == {"schedule", "workflow_dispatch"}
    assert workflow["on"]["schedule"][0]["cron"].split()[2:] == ["*", "*", "*"]  # every day
    job = workflow["jobs"]["fetch"]
    steps = steps_of(job)
    scripts = [step["run"] for step in job["steps"] if "run" in step]
    fetch = next(s for s in scripts if "digest fetch" in s)
    assert "--ingest" in fetch and "--since" in fetch
    assert scripts.index(fetch) < scripts.index("digest check --strict")
    assert steps[fetch]["continue-on-error"] is True  # saved days still reach the pull request
    propose = scripts[-2]
    assert 'git push origin "HEAD:refs/heads/$BRANCH"' in propose and "gh pr create" in propose
    assert job["env"]["BRANCH"] not in ("main", "master") and "--force" not in propose
    assert steps[scripts[-1]]["if"] == "steps.fetch.outcome == 'failure'"
    # The token reaches only the steps that talk to GitHub, never the one reading the API.
    with_token = [s for s in scripts if "GH_TOKEN" in steps[s].get("env", {})]
    assert fetch not in with_token and len(with_token) == 2
