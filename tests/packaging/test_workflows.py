"""The project's CI and the example workflows: schema-valid, actionlint-clean, least privilege."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.packaging.tools import REPO_ROOT, actionlint, check_jsonschema
from tests.packaging.workflow_rules import (
    expressions_in_run,
    job_permissions,
    load_yaml,
    permission_problems,
    steps,
    triggers,
    unpinned_actions,
)

WORKFLOWS = sorted([*REPO_ROOT.glob(".github/workflows/*.yml"), *REPO_ROOT.glob("examples/workflows/*.yml")])
UNSAFE = REPO_ROOT / "tests/fixtures/packaging/workflow-unsafe.yml"
RESPOND = REPO_ROOT / "examples/workflows/autopilot-respond.yml"
VALIDATE = REPO_ROOT / "examples/workflows/autopilot-validate.yml"
CI = REPO_ROOT / ".github/workflows/ci.yml"


def test_all_expected_workflows_exist() -> None:
    assert {CI, RESPOND, VALIDATE} <= set(WORKFLOWS)


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: str(p.relative_to(REPO_ROOT)))
class TestEveryWorkflow:
    def test_matches_the_github_workflow_schema(self, workflow: Path) -> None:
        result = check_jsonschema("vendor.github-workflows", workflow)
        assert result.returncode == 0, result.output

    def test_has_least_privilege_permissions(self, workflow: Path) -> None:
        assert permission_problems(load_yaml(workflow)) == []

    def test_pins_third_party_actions_by_sha(self, workflow: Path) -> None:
        assert unpinned_actions(load_yaml(workflow)) == []

    def test_never_expands_expressions_inside_run_scripts(self, workflow: Path) -> None:
        assert expressions_in_run(load_yaml(workflow)) == []


def test_actionlint_finds_nothing(tmp_path: Path) -> None:
    findings = actionlint(WORKFLOWS, REPO_ROOT / "action.yml", tmp_path)
    assert findings == []


class TestRulesRejectUnsafeWorkflows:
    """The same rules must catch the classic mistakes, or the clean results above prove nothing."""

    def test_blanket_write_token_is_rejected(self) -> None:
        problems = permission_problems(load_yaml(UNSAFE))
        assert "top-level permissions: 'write-all'; list the scopes instead" in problems
        assert "job echo permissions: 'write-all'; list the scopes instead" in problems

    def test_missing_permissions_and_top_level_writes_are_rejected(self) -> None:
        doc: dict[str, Any] = {"on": "push", "jobs": {"a": {"runs-on": "ubuntu-latest", "steps": []}}}
        assert permission_problems(doc)[0].startswith("no top-level permissions")
        doc["permissions"] = {"contents": "write"}
        assert permission_problems(doc) == [
            "top-level permissions grant contents: write; grant writes per job"
        ]

    def test_untrusted_text_in_run_is_rejected(self) -> None:
        problems = expressions_in_run(load_yaml(UNSAFE))
        assert any("${{ github.event.comment.body }}" in p for p in problems)
        assert any("${{ inputs.charts }}" in p for p in problems)

    def test_tag_pinned_action_is_rejected(self) -> None:
        assert unpinned_actions(load_yaml(UNSAFE)) == [
            "jobs.echo.steps[0]: actions/checkout@v4 is not pinned to a full commit SHA"
        ]

    def test_actionlint_reports_the_injection(self, tmp_path: Path) -> None:
        findings = actionlint([UNSAFE], REPO_ROOT / "action.yml", tmp_path)
        messages = [str(f["message"]) for f in findings]
        assert any('"github.event.comment.body" is potentially untrusted' in m for m in messages)


class TestRespondWorkflow:
    workflow = load_yaml(RESPOND)

    def test_listens_to_comments_reviews_and_the_validate_workflow(self) -> None:
        on = triggers(self.workflow)
        assert on["issue_comment"] == {"types": ["created"]}
        assert on["pull_request_review"] == {"types": ["submitted"]}
        assert on["pull_request_review_comment"] == {"types": ["created"]}
        assert on["workflow_run"] == {"workflows": [load_yaml(VALIDATE)["name"]], "types": ["completed"]}

    def test_job_gets_exactly_the_writes_it_uses(self) -> None:
        assert self.workflow["permissions"] == {}
        assert job_permissions(self.workflow, "respond") == {
            "contents": "write",
            "pull-requests": "write",
            "issues": "write",
            "checks": "write",
        }

    def test_one_run_at_a_time_per_issue_or_pull_request(self) -> None:
        concurrency = self.workflow["jobs"]["respond"]["concurrency"]
        for number in ("github.event.issue.number", "github.event.pull_request.number"):
            assert number in concurrency["group"]
        assert concurrency["cancel-in-progress"] is False  # never kill a run halfway through a push

    def test_bots_are_skipped_and_comments_need_a_command(self) -> None:
        condition = self.workflow["jobs"]["respond"]["if"]
        assert "github.event.sender.type != 'Bot'" in condition
        assert "contains(github.event.comment.body, '/autopilot')" in condition
        assert "github.event.workflow_run.conclusion == 'failure'" in condition

    def test_runs_the_action_in_respond_mode(self) -> None:
        (step,) = [s for _, s in steps(self.workflow) if "uses" in s]
        assert step["with"]["mode"] == "respond"
        assert step["with"]["llm-api-key"] == "${{ secrets.AUTOPILOT_LLM_API_KEY }}"


class TestValidateWorkflow:
    workflow = load_yaml(VALIDATE)

    def test_runs_on_pull_requests_that_touch_charts(self) -> None:
        assert triggers(self.workflow) == {"pull_request": {"paths": ["charts/**"]}}

    def test_reads_the_code_and_writes_only_checks(self) -> None:
        assert job_permissions(self.workflow, "validate") == {
            "contents": "read",
            "checks": "write",
            "pull-requests": "read",
        }

    def test_checkout_does_not_keep_the_token_on_disk(self) -> None:
        checkout, action = [s for _, s in steps(self.workflow)]
        assert checkout["uses"].startswith("actions/checkout@")
        assert checkout["with"]["persist-credentials"] is False
        assert action["with"] == {"mode": "validate"}


class TestProjectCI:
    workflow = load_yaml(CI)

    def test_runs_the_test_script_on_push_and_pull_request(self) -> None:
        assert set(triggers(self.workflow)) == {"push", "pull_request"}
        assert [s["run"] for _, s in steps(self.workflow) if "run" in s] == ["bash scripts/test.sh"]

    def test_token_is_read_only(self) -> None:
        assert self.workflow["permissions"] == {"contents": "read"}
        assert "permissions" not in self.workflow["jobs"]["test"]
