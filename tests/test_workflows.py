""".github/: workflows and the issue form are valid for GitHub, and CI keeps least privilege.

The schemas are the ones check-jsonschema vendors, read from its package
directory: no network.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from jsonschema import Draft7Validator
from ruamel.yaml import YAML

from digest.themes import load_taxonomy

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ISSUE_FORM = ROOT / ".github" / "ISSUE_TEMPLATE" / "suggest-paper.yml"
# The workflow `digest init` gives a new digest is held to the same rules.
NEW_DIGEST_WORKFLOWS = sorted((ROOT / "digest" / "skeleton" / "workflows").glob("*.yml"))


def vendored_schema(name: str) -> dict:
    folder = resources.files("check_jsonschema") / "builtin_schemas" / "vendor"
    return json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))


def load(path: Path) -> dict:
    # YAML 1.2 as GitHub reads it: `on:` is a key, not the boolean PyYAML makes of it.
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def schema_errors(document: dict, schema_name: str) -> list[str]:
    validator = Draft7Validator(vendored_schema(schema_name))
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_there_is_a_workflow():
    assert [p.name for p in WORKFLOWS] == ["site.yml"]


@pytest.mark.parametrize("path", WORKFLOWS + NEW_DIGEST_WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_valid_for_github(path):
    assert schema_errors(load(path), "github-workflows") == []


@pytest.mark.parametrize("path", WORKFLOWS + NEW_DIGEST_WORKFLOWS, ids=lambda p: p.name)
def test_workflow_has_least_privilege_and_one_run_at_a_time(path):
    workflow = load(path)
    assert "pull_request_target" not in workflow["on"]  # it would run PR code with secrets
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["concurrency"]["group"]
    for name, job in workflow["jobs"].items():
        granted = job.get("permissions", {})
        if name == "deploy":
            assert granted == {"pages": "write", "id-token": "write"}
        else:
            assert granted == {}, name
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
