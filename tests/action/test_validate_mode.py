"""`autopilot action --mode validate` on a pull request's checkout, as a runner starts it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import git

from tests.action.conftest import FIXTURES, ActionRun, Runner, commit_all
from tests.conftest import OWNER, REPO
from tests.fakes.github_server import FakeGitHub
from tests.fakes.payloads import PullHead, WebhookFactory


def pull_request_event(api_url: str, base_sha: str, head_sha: str) -> dict[str, Any]:
    """A real `pull_request.opened` payload for PR #7 of OWNER/REPO, base and head as given."""
    factory = WebhookFactory.for_repo(OWNER, REPO, installation_id=1, api_url=api_url)
    pull = PullHead(head_ref="feature/chart", head_sha=head_sha, base_sha=base_sha)
    return factory.pull_request(7, action="opened", pull=pull)


def run_on_pull_request(
    runner: Runner, repo: git.Repo, base: str, *, in_process: bool = True, **extra: str
) -> ActionRun:
    head = repo.head.commit.hexsha
    env = runner.env(
        "pull_request",
        pull_request_event(runner.api_url, base, head),
        Path(repo.working_dir),
        GITHUB_SHA=head,
        **extra,
    )
    return runner.run("validate", env, in_process=in_process)


def test_a_pull_request_changing_a_good_chart_passes_with_a_summary_and_outputs(
    runner: Runner, workspace: git.Repo, fake_actions_github: FakeGitHub
) -> None:
    runner.api_url = fake_actions_github.base_url
    base = workspace.head.commit.hexsha
    values = Path(workspace.working_dir) / "charts" / "web" / "values.yaml"
    values.write_text(values.read_text() + "\n# reviewed\n")
    head = commit_all(workspace, "touch web values")

    run = run_on_pull_request(runner, workspace, base, in_process=False)

    assert run.code == 0, run.stderr
    assert "::error" not in run.stdout
    assert "charts/web: ok" in run.stdout
    assert "| `charts/web` | ✅ pass | 0 |" in run.summary
    assert run.outputs["chart-path"] == "charts/web"
    assert run.outputs["findings-count"].isdigit()
    assert run.outputs["pull-request"] == ""
    checks = list(fake_actions_github.check_runs.values())
    assert [(c.name, c.head_sha, c.conclusion) for c in checks] == [
        ("k8s-autopilot / validate", head, "success")
    ]
    # the chart's objects per Kubernetes version, in the step summary and the check run alike
    assert "#### Objects per Kubernetes version" in run.summary and "| Deployment | 1 |" in run.summary
    assert "#### Objects per Kubernetes version" in (checks[0].summary or "")


def test_a_broken_chart_fails_with_an_annotation_on_the_changed_line(
    runner: Runner, workspace: git.Repo, fake_actions_github: FakeGitHub
) -> None:
    runner.api_url = fake_actions_github.base_url
    base = workspace.head.commit.hexsha
    shutil.copytree(FIXTURES / "charts" / "legacy", Path(workspace.working_dir) / "charts" / "legacy")
    commit_all(workspace, "add legacy chart")

    run = run_on_pull_request(runner, workspace, base, in_process=False)

    assert run.code == 1, run.stderr
    assert "::error file=charts/legacy/templates/hpa.yaml,line=2,title=api/removed::" in run.stdout
    assert "charts/web" not in run.stdout  # unchanged charts are not validated
    assert "| `charts/legacy` | ❌ fail | 1 |" in run.summary
    assert "`charts/legacy/templates/hpa.yaml:2`" in run.summary
    assert run.outputs["chart-path"] == "charts/legacy"
    assert int(run.outputs["findings-count"]) >= 1
    (check,) = fake_actions_github.check_runs.values()
    assert check.conclusion == "failure"


def test_a_token_refused_for_check_runs_still_reports_findings_as_annotations(
    runner: Runner, workspace: git.Repo, fake_github: FakeGitHub
) -> None:
    """A fork's pull request: the token cannot create a check run; the job still fails on errors."""
    runner.api_url = fake_github.base_url  # the fake does not know this token: 401, as a refused write
    base = workspace.head.commit.hexsha
    shutil.copytree(FIXTURES / "charts" / "legacy", Path(workspace.working_dir) / "charts" / "legacy")
    commit_all(workspace, "add legacy chart")

    run = run_on_pull_request(runner, workspace, base)

    assert run.code == 1
    assert "::error file=charts/legacy/templates/hpa.yaml,line=2" in run.stdout
    assert "::notice title=k8s-autopilot::no check run" in run.stderr


def test_a_pull_request_that_changes_no_chart_validates_nothing(runner: Runner, workspace: git.Repo) -> None:
    base = workspace.head.commit.hexsha
    (Path(workspace.working_dir) / "README.md").write_text("# docs only\n")
    commit_all(workspace, "docs")

    run = run_on_pull_request(runner, workspace, base)

    assert run.code == 0, run.stderr
    assert "nothing to validate" in run.summary
    assert run.outputs == {"chart-path": "", "findings-count": "0", "pull-request": ""}


def test_the_charts_input_selects_charts_by_glob_whatever_the_diff(
    runner: Runner, workspace: git.Repo
) -> None:
    shutil.copytree(FIXTURES / "charts" / "legacy", Path(workspace.working_dir) / "charts" / "legacy")
    base = commit_all(workspace, "add legacy chart")

    run = run_on_pull_request(runner, workspace, base, AUTOPILOT_CHARTS="charts/leg*\n")

    assert run.code == 1
    assert "charts/legacy: FAILED" in run.stdout
    assert "charts/web" not in run.stdout


def test_an_unshallowable_base_falls_back_to_every_chart_with_a_warning(
    runner: Runner, workspace: git.Repo
) -> None:
    """The base commit is not in the checkout and cannot be fetched: validate everything, say why."""
    run = run_on_pull_request(runner, workspace, "f" * 40)

    assert run.code == 0, run.stderr
    assert "::warning title=k8s-autopilot::cannot diff against ffffffffffff" in run.stderr
    assert "charts/web: ok" in run.stdout
