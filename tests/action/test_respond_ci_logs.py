"""Action respond mode on a failed `workflow_run`: the workflow token lists the failed jobs, follows the
log download redirect, and the heal commits what the log asked for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.action.conftest import Runner
from tests.action.test_respond_mode import bot_comments, comment_event
from tests.conftest import OWNER, REPO
from tests.fakes.github_server import FakeGitHub
from tests.fakes.payloads import failed_workflow_run

FULL = f"{OWNER}/{REPO}"
LOGS = Path(__file__).resolve().parents[1] / "fixtures" / "ci_logs"


def respond(runner: Runner, fake: FakeGitHub, event_name: str, event: dict[str, Any]) -> Any:
    runner.api_url = fake.base_url
    env = runner.env(event_name, event, runner.home / "workspace")
    return runner.run("respond", env, in_process=True)


def _workflow_event(fake: FakeGitHub, number: int, run_id: int) -> dict[str, Any]:
    # a workflow's event carries no App installation
    return failed_workflow_run(fake, FULL, number, run_id=run_id, installation_id=None)


def test_a_failed_workflow_runs_job_log_drives_the_heal_in_a_fresh_runner(
    tmp_path: Path, fake_actions_github: FakeGitHub
) -> None:
    fake = fake_actions_github
    fake.set_permission(OWNER, REPO, "octo", "write")
    issue = fake.new_issue_number(FULL)
    made = respond(
        Runner(tmp_path / "runner-1"),
        fake,
        "issue_comment",
        comment_event(fake, issue, "/autopilot chart nginx"),
    )
    assert made.code == 0, made.stderr
    (pull,) = fake.pulls.values()
    head = fake.git.branch_sha(OWNER, REPO, pull.head)
    assert head is not None
    log = (LOGS / "ct-lint-version-bump.log").read_text().replace("shop", "nginx")
    fake.add_workflow_job(OWNER, REPO, run_id=5150, job_name="lint-test", head_sha=head, log=log)

    healed = respond(
        Runner(tmp_path / "runner-2"), fake, "workflow_run", _workflow_event(fake, pull.number, 5150)
    )

    assert healed.code == 0, healed.stderr
    after = fake.git.branch_sha(OWNER, REPO, pull.head)
    assert after is not None and after != head
    chart = fake.git.read_file(OWNER, REPO, pull.head, "charts/nginx/Chart.yaml")
    assert chart is not None and yaml.safe_load(chart)["version"] == "0.1.1"
    assert [c.status for c in fake.calls if "/actions/jobs/" in c.path or "/_job-logs/" in c.path] == [
        302,
        200,
    ]


def test_a_crash_loop_in_the_job_log_is_explained_in_the_pr_without_a_commit(
    tmp_path: Path, fake_actions_github: FakeGitHub
) -> None:
    fake = fake_actions_github
    fake.set_permission(OWNER, REPO, "octo", "write")
    issue = fake.new_issue_number(FULL)
    respond(
        Runner(tmp_path / "runner-1"),
        fake,
        "issue_comment",
        comment_event(fake, issue, "/autopilot chart nginx"),
    )
    (pull,) = fake.pulls.values()
    head = fake.git.branch_sha(OWNER, REPO, pull.head)
    assert head is not None
    log = (LOGS / "helm-install-crashloop-test.log").read_text().replace("shop", "nginx")
    fake.add_workflow_job(OWNER, REPO, run_id=5151, job_name="install", head_sha=head, log=log)

    run = respond(
        Runner(tmp_path / "runner-2"), fake, "workflow_run", _workflow_event(fake, pull.number, 5151)
    )

    assert run.code == 0, run.stderr
    assert fake.git.branch_sha(OWNER, REPO, pull.head) == head
    (said,) = [b for b in bot_comments(fake, pull.number) if "What CI printed" in b]
    assert "CrashLoopBackOff" in said and "the test pod nginx-test-connection failed" in said
    assert "the post-install hook did not complete" in said
