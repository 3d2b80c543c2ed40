"""Everything the bot must refuse or hold back, through the real server: nothing runs that should not."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from bot import messages
from bot.store import Job, JobStatus
from tests.conftest import AppKeys
from tests.e2e.harness import (
    FULL_NAME,
    INSTALLATION_ID,
    OWNER,
    REPO,
    RunningBot,
    bot_comments,
    seed_permissions,
)
from tests.fakes.github_server import FakeGitHub
from tests.fakes.github_state import BOT_EMAIL, BOT_LOGIN, FakePull, Fault
from tests.fakes.payloads import issue_comment
from tests.fakes.webhooks import signed_headers

THREAD = f"{FULL_NAME}#1"


def _ask(
    bot: RunningBot,
    fake: FakeGitHub,
    body: str,
    *,
    user: str = "alice",
    number: int = 1,
    is_pull: bool = False,
) -> None:
    payload = issue_comment(
        fake, FULL_NAME, number, body, user=user, installation_id=INSTALLATION_ID, is_pull=is_pull
    )
    assert bot.deliver("issue_comment", payload).status_code == 202
    bot.wait_idle()


def _nothing_ran(bot: RunningBot, fake: FakeGitHub, thread: str = THREAD) -> None:
    assert fake.git.branches(OWNER, REPO) == ["main"]
    assert not fake.pulls
    assert bot.bot.session.state(thread) is None
    assert not any(
        messages.marker("status", thread) in body for body in bot_comments(fake, int(thread.split("#")[1]))
    )


def test_bad_signature_is_refused_and_recorded_nowhere(
    running_bot: RunningBot, fake_github: FakeGitHub
) -> None:
    payload = issue_comment(
        fake_github, FULL_NAME, 1, "/autopilot help", user="alice", installation_id=INSTALLATION_ID
    )
    body = json.dumps(payload).encode()
    headers = signed_headers("issue_comment", body, "not-the-secret")
    assert running_bot.client.post("/webhook", content=body, headers=headers).status_code == 401
    assert running_bot.bot.store.job_counts().get(JobStatus.QUEUED, 0) == 0
    assert bot_comments(fake_github, 1) == []


def test_duplicate_delivery_runs_once(running_bot: RunningBot, fake_github: FakeGitHub) -> None:
    payload = issue_comment(
        fake_github, FULL_NAME, 1, "/autopilot help", user="alice", installation_id=INSTALLATION_ID
    )
    assert running_bot.deliver("issue_comment", payload, delivery="same-id").status_code == 202
    again = running_bot.deliver("issue_comment", payload, delivery="same-id")
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    running_bot.wait_idle()
    assert [b for b in bot_comments(fake_github, 1) if "turns a request into" in b] != []
    assert len(bot_comments(fake_github, 1)) == 1


def test_unauthorised_user_is_politely_refused(running_bot: RunningBot, fake_github: FakeGitHub) -> None:
    _ask(running_bot, fake_github, "/autopilot chart nginx", user="mallory")
    replies = bot_comments(fake_github, 1)
    assert len(replies) == 1 and "Sorry @mallory" in replies[0] and "**write** access" in replies[0]
    _nothing_ran(running_bot, fake_github)


def test_commands_on_a_fork_pull_request_are_refused(
    running_bot: RunningBot, fake_github: FakeGitHub
) -> None:
    number = fake_github.new_issue_number(FULL_NAME)
    main = fake_github.git.branch_sha(OWNER, REPO, "main") or ""
    fake_github.pulls[(FULL_NAME, number)] = FakePull(
        id=9001,
        node_id="PR_9001",
        repo=FULL_NAME,
        number=number,
        title="feat: my chart",
        body=None,
        head="patch-1",  # lives in the contributor's fork, not here
        base="main",
        head_sha="f" * 40,
        base_sha=main,
        user="contributor",
        draft=False,
        created_at="2026-01-01T00:00:00Z",
        updated_at="2026-01-01T00:00:00Z",
    )
    _ask(running_bot, fake_github, "/autopilot fix", number=number, is_pull=True)
    replies = bot_comments(fake_github, number)
    assert len(replies) == 1 and "comes from the fork" in replies[0]
    assert fake_github.git.branches(OWNER, REPO) == ["main"]
    assert not fake_github.calls_to(r"/git/", method="POST")


def test_invalid_repo_config_stops_before_anything_runs(
    running_bot: RunningBot, fake_github: FakeGitHub
) -> None:
    fake_github.push_commit(
        OWNER, REPO, "main", {".github/autopilot.yml": "charts_dir: charts\nbranchprefix: x/\n"}
    )
    _ask(running_bot, fake_github, "/autopilot chart nginx")
    replies = bot_comments(fake_github, 1)
    assert len(replies) == 1
    assert (
        messages.marker("config-error", THREAD) in replies[0] and "unknown key `branchprefix`" in replies[0]
    )
    _nothing_ran(running_bot, fake_github)


def test_unknown_command_gets_a_suggestion_and_runs_nothing(
    running_bot: RunningBot, fake_github: FakeGitHub
) -> None:
    _ask(running_bot, fake_github, "/autopilot chrat nginx")
    replies = bot_comments(fake_github, 1)
    assert len(replies) == 1 and "Did you mean `/autopilot chart`?" in replies[0]
    _nothing_ran(running_bot, fake_github)


@pytest.mark.parametrize("author", [BOT_LOGIN, "dependabot[bot]"])
def test_bots_are_ignored(running_bot: RunningBot, fake_github: FakeGitHub, author: str) -> None:
    _ask(running_bot, fake_github, "/autopilot chart nginx", user=author)
    assert bot_comments(fake_github, 1) == ([] if author != BOT_LOGIN else ["/autopilot chart nginx"])
    _nothing_ran(running_bot, fake_github)


def _waiting(job: Job | None) -> bool:
    return job is not None and job.status == JobStatus.QUEUED and job.attempts >= 1


def _wait_for(predicate: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.02)
    raise AssertionError("condition not reached")


def test_second_command_waits_for_the_running_one(
    fake_github: FakeGitHub, app_keys: AppKeys, tmp_path: Path
) -> None:
    seed_permissions(fake_github, alice="write")
    bot = RunningBot(fake_github, app_keys.private_pem, tmp_path / "data", retry_seconds=(0.5, 0.1))
    try:
        store = bot.bot.store
        assert store.acquire_lock(f"thread:{THREAD}", "another-run", ttl_seconds=60)
        payload = issue_comment(
            fake_github, FULL_NAME, 1, "/autopilot status", user="alice", installation_id=INSTALLATION_ID
        )
        bot.deliver("issue_comment", payload, delivery="second")
        _wait_for(lambda: _waiting(store.get_job("second")))
        assert bot_comments(fake_github, 1) == []  # it did not run beside the other run
        store.release_lock(f"thread:{THREAD}", "another-run")
        bot.wait_idle()
        replies = bot_comments(fake_github, 1)
        assert len(replies) == 1 and "Stage: **new**" in replies[0]
    finally:
        bot.close()


def test_command_is_answered_busy_when_the_run_never_frees(
    fake_github: FakeGitHub, app_keys: AppKeys, tmp_path: Path
) -> None:
    seed_permissions(fake_github, alice="write")
    bot = RunningBot(fake_github, app_keys.private_pem, tmp_path / "data", retry_seconds=(0.05, 0.05))
    try:
        assert bot.bot.store.acquire_lock(f"thread:{THREAD}", "another-run", ttl_seconds=60)
        payload = issue_comment(
            fake_github, FULL_NAME, 1, "/autopilot status", user="alice", installation_id=INSTALLATION_ID
        )
        bot.deliver("issue_comment", payload)
        bot.wait_idle(timeout=10)
        replies = bot_comments(fake_github, 1)
        assert len(replies) == 1 and messages.marker("busy", THREAD) in replies[0]
    finally:
        bot.close()


def test_restart_between_accept_and_finish_makes_no_duplicates(
    fake_github: FakeGitHub, app_keys: AppKeys, tmp_path: Path
) -> None:
    fake = fake_github
    seed_permissions(fake, alice="write")
    data = tmp_path / "data"
    # The first process accepts the delivery and dies before running it.
    first = RunningBot(fake, app_keys.private_pem, data, run_jobs=False)
    payload = issue_comment(
        fake, FULL_NAME, 1, "/autopilot chart nginx", user="alice", installation_id=INSTALLATION_ID
    )
    assert first.deliver("issue_comment", payload, delivery="restart-1").status_code == 202
    first.close()
    assert bot_comments(fake, 1) == []

    # The next process picks the job up at start-up; its first attempt dies after the push.
    fake.inject(Fault.server_error(500, times=1), path=rf"/repos/{FULL_NAME}/pulls$", method="POST")
    second = RunningBot(fake, app_keys.private_pem, data, retry_seconds=(0.1, 0.1))
    try:
        second.wait_idle(timeout=180)
        job = second.bot.store.get_job("restart-1")
        assert job is not None and job.status == JobStatus.DONE and job.attempts == 2
    finally:
        second.close()

    assert len([b for b in bot_comments(fake, 1) if messages.marker("status", THREAD) in b]) == 1
    assert len(fake.pulls) == 1
    assert fake.git.branches(OWNER, REPO) == ["autopilot/nginx", "main"]
    authors = fake.git.log_authors(OWNER, REPO, "autopilot/nginx")
    assert authors.count(BOT_EMAIL) == 1
    assert fake.comments[payload["comment"]["id"]].reactions == [(BOT_LOGIN, "eyes")]
