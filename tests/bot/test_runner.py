"""`bot.runner`: a stored job finds its conversation, respects the thread lock, and fails without leaking."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.events import RepositoryEvent, parse_event
from bot.redact import TOKEN_SHAPES
from bot.runner import ThreadBusy, handle_job, process_job, resolve_thread
from bot.store import Job, JobStatus, RunRecord
from tests.conftest import AppKeys
from tests.e2e.harness import FULL_NAME, INSTALLATION_ID, RunningBot, bot_comments, seed_permissions
from tests.fakes.github_server import FakeGitHub
from tests.fakes.payloads import WebhookFactory, failed_check_run, issue_comment

ISSUE_THREAD = f"{FULL_NAME}#1"


@pytest.fixture
def idle_bot(fake_github: FakeGitHub, app_keys: AppKeys, tmp_path: Path) -> Iterator[RunningBot]:
    """The real bot, with jobs run only when the test says so."""
    seed_permissions(fake_github, alice="write")
    bot = RunningBot(fake_github, app_keys.private_pem, tmp_path / "data", run_jobs=False)
    try:
        yield bot
    finally:
        bot.close()


def _job(bot: RunningBot, event: str, payload: dict[str, Any], delivery: str = "d-1") -> Job:
    body = json.dumps(payload).encode()
    assert bot.bot.store.record_delivery(delivery, event, str(payload.get("action", "")), body)
    job = bot.bot.store.get_job(delivery)
    assert job is not None
    return job


def _event(job: Job) -> RepositoryEvent:
    event = parse_event(job.event, job.payload)
    assert isinstance(event, RepositoryEvent)
    return event


def _open_bot_pull(fake: FakeGitHub) -> int:
    owner, name = FULL_NAME.split("/")
    fake.push_commit(owner, name, "autopilot/web", {"charts/web/Chart.yaml": "name: web\n"})
    fake.new_issue_number(FULL_NAME)  # issue #1 asked for it
    from bot.github import GitHubClient

    with GitHubClient.from_token(
        fake.issue_installation_token(INSTALLATION_ID), base_url=fake.base_url
    ) as gh:
        return gh.create_pull(
            owner, name, title="Helm chart: web", head="autopilot/web", base="main", body=""
        ).number


def test_check_on_a_bot_branch_belongs_to_the_issue_that_asked(
    idle_bot: RunningBot, fake_github: FakeGitHub
) -> None:
    pr = _open_bot_pull(fake_github)
    idle_bot.bot.store.save_run(
        RunRecord(thread_id=ISSUE_THREAD, stage="review", pr_number=pr, branch="autopilot/web")
    )
    job = _job(
        idle_bot, "check_run", failed_check_run(fake_github, FULL_NAME, pr, installation_id=INSTALLATION_ID)
    )
    assert resolve_thread(job, _event(job), idle_bot.bot.store) == ISSUE_THREAD


def test_comment_on_the_bot_pull_belongs_to_the_issue_thread(
    idle_bot: RunningBot, fake_github: FakeGitHub
) -> None:
    pr = _open_bot_pull(fake_github)
    idle_bot.bot.store.save_run(
        RunRecord(thread_id=ISSUE_THREAD, stage="review", pr_number=pr, branch="autopilot/web")
    )
    payload = issue_comment(
        fake_github,
        FULL_NAME,
        pr,
        "/autopilot status",
        user="alice",
        installation_id=INSTALLATION_ID,
        is_pull=True,
    )
    job = _job(idle_bot, "issue_comment", payload)
    assert resolve_thread(job, _event(job), idle_bot.bot.store) == ISSUE_THREAD


def test_check_on_a_branch_the_bot_does_not_own_is_not_ours(
    idle_bot: RunningBot, fake_github: FakeGitHub
) -> None:
    pr = _open_bot_pull(fake_github)
    job = _job(
        idle_bot, "check_run", failed_check_run(fake_github, FULL_NAME, pr, installation_id=INSTALLATION_ID)
    )
    before = len(fake_github.calls)
    result = handle_job(job, idle_bot.bot)
    assert result.thread_id is None and result.note == "not about a conversation of the bot"
    assert len(fake_github.calls) == before  # no GitHub call at all


def test_events_without_a_handler_are_done(idle_bot: RunningBot, fake_github: FakeGitHub) -> None:
    factory = WebhookFactory.for_fake(fake_github, FULL_NAME, installation_id=INSTALLATION_ID)
    payload = factory.issue_comment(1, "/autopilot status", user="alice", action="edited")
    job = _job(idle_bot, "issue_comment", payload)
    assert handle_job(job, idle_bot.bot).note == "no handler for issue_comment.edited"


def test_a_locked_thread_raises_busy(idle_bot: RunningBot, fake_github: FakeGitHub) -> None:
    idle_bot.bot.store.acquire_lock(f"thread:{ISSUE_THREAD}", "someone-else", ttl_seconds=60)
    payload = issue_comment(
        fake_github, FULL_NAME, 1, "/autopilot status", user="alice", installation_id=INSTALLATION_ID
    )
    with pytest.raises(ThreadBusy, match="octo-org/charts#1 is busy"):
        handle_job(_job(idle_bot, "issue_comment", payload), idle_bot.bot)
    assert bot_comments(fake_github, 1) == []


def test_status_command_runs_and_the_job_is_done(idle_bot: RunningBot, fake_github: FakeGitHub) -> None:
    payload = issue_comment(
        fake_github, FULL_NAME, 1, "/autopilot status", user="alice", installation_id=INSTALLATION_ID
    )
    job = _job(idle_bot, "issue_comment", payload)
    assert process_job(job.id, idle_bot.bot) == JobStatus.DONE
    assert process_job(job.id, idle_bot.bot) is None  # done jobs are not claimed again
    (reply,) = bot_comments(fake_github, 1)
    assert "Stage: **new**" in reply
    assert idle_bot.bot.store.get_lock(f"thread:{ISSUE_THREAD}") is None  # released


def test_a_failing_job_is_requeued_with_a_redacted_error(
    idle_bot: RunningBot, fake_github: FakeGitHub
) -> None:
    payload = issue_comment(fake_github, FULL_NAME, 1, "/autopilot status", user="alice", installation_id=999)
    job = _job(idle_bot, "issue_comment", payload)
    assert process_job(job.id, idle_bot.bot) == JobStatus.QUEUED
    failed = idle_bot.bot.store.get_job(job.id)
    assert failed is not None and failed.last_error and "GitHub" in failed.last_error
    assert not TOKEN_SHAPES.search(failed.last_error)
    assert idle_bot.bot.store.get_lock(f"thread:{ISSUE_THREAD}") is None
