"""Reading what CI said through the one GitHub door: check output, annotations, failed jobs, job logs."""

from __future__ import annotations

import pytest

from bot.github import (
    GitHubClient,
    GitHubNotFound,
    download_job_log,
    list_failed_jobs,
    read_check_run_output,
)
from tests.conftest import OWNER, REPO
from tests.fakes.github_server import FakeGitHub

LOG = "2026-11-30T10:00:00.0000000Z ##[group]Run helm lint charts/shop\n2026-11-30T10:00:01.0000000Z ##[error]boom\n"


def test_a_check_runs_output_and_annotations_are_read(
    github_client: GitHubClient, fake_github: FakeGitHub
) -> None:
    run = fake_github.add_check_run(
        OWNER,
        REPO,
        check_name="lint",
        head_sha="a" * 40,
        title="helm lint failed",
        summary="1 chart failed",
        text="[ERROR] values.yaml: unable to parse YAML",
        annotations=[
            {
                "path": "charts/shop/values.yaml",
                "start_line": 9,
                "end_line": 9,
                "annotation_level": "failure",
                "message": "mapping values are not allowed in this context",
            }
        ],
    )
    output = read_check_run_output(github_client, OWNER, REPO, run.id)
    assert (output.title, output.text) == ("helm lint failed", "[ERROR] values.yaml: unable to parse YAML")
    assert [(a.path, a.start_line) for a in output.annotations] == [("charts/shop/values.yaml", 9)]


def test_only_failed_jobs_are_listed_with_their_failed_steps(
    github_client: GitHubClient, fake_github: FakeGitHub
) -> None:
    fake_github.add_workflow_job(
        OWNER, REPO, run_id=77, job_name="docs", head_sha="a" * 40, log="ok", conclusion="success"
    )
    failed = fake_github.add_workflow_job(
        OWNER,
        REPO,
        run_id=77,
        job_name="lint-test",
        head_sha="a" * 40,
        log=LOG,
        steps=[("Set up job", "success"), ("Run helm lint charts/shop", "failure")],
    )
    jobs = list_failed_jobs(github_client, OWNER, REPO, 77)
    assert [(j.id, j.name, j.failed_steps) for j in jobs] == [
        (failed.id, "lint-test", ["Run helm lint charts/shop"])
    ]


def test_a_job_log_is_downloaded_through_githubs_redirect(
    github_client: GitHubClient, fake_github: FakeGitHub
) -> None:
    job = fake_github.add_workflow_job(OWNER, REPO, run_id=78, job_name="lint", head_sha="a" * 40, log=LOG)
    assert download_job_log(github_client, OWNER, REPO, job.id) == LOG
    statuses = [(c.path.split("/")[-1], c.status) for c in fake_github.calls if "log" in c.path]
    assert statuses == [("logs", 302), (str(job.id), 200)]


def test_a_missing_job_is_not_found(github_client: GitHubClient) -> None:
    with pytest.raises(GitHubNotFound):
        download_job_log(github_client, OWNER, REPO, 999_999)
