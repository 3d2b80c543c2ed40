"""The server dies between accepting a delivery and finishing its run; a new process takes over.

The crash is simulated faithfully over one SQLite file: the first process records the
delivery, claims the job (a lease), runs it until GitHub fails after the push, and is then
"killed" — its lease expires and, in the harsher case, the conversation's lock is still held
in its name. A new app instance over the same data directory must finish the run once:
no duplicate commit, pull request or status comment.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from bot import messages
from bot.runner import LOCK_TTL_SECONDS, handle_job
from bot.store import JobStatus
from tests.adversarial.conftest import FULL_NAME, HostileBot
from tests.conftest import INSTALLATION_ID, OWNER, REPO, AppKeys
from tests.e2e.harness import bot_comments, seed_permissions
from tests.fakes.github_server import FakeGitHub
from tests.fakes.github_state import BOT_EMAIL, Fault
from tests.fakes.payloads import issue_comment

THREAD = f"{FULL_NAME}#1"
DEAD = "worker-killed"
PULLS = rf"^/api/v3/repos/{FULL_NAME}/pulls$"
LEASE_SECONDS = 60.0  # the dead worker's job lease
# the new process starts this much later by its store's clock: past the dead worker's lease, well
# within the thread lock's TTL (so a lock it held is still held, as after a real crash)
RESTART_AFTER_SECONDS = 2 * LEASE_SECONDS
assert RESTART_AFTER_SECONDS < LOCK_TTL_SECONDS


def _later() -> float:
    return time.time() + RESTART_AFTER_SECONDS


def _crash_after_push(fake: FakeGitHub, private_pem: str, data: Path, *, hold_lock: bool) -> None:
    """The first process: accept, claim, push the branch, fail to open the PR, die."""
    first = HostileBot(fake, private_pem, data, attempts=1, run_jobs=False)
    try:
        payload = issue_comment(
            fake, FULL_NAME, 1, "/autopilot chart nginx", user="alice", installation_id=INSTALLATION_ID
        )
        assert (
            first.deliver("issue_comment", json.dumps(payload).encode(), delivery="crash-1").status_code
            == 202
        )
        store = first.bot.store
        job = store.claim_job(DEAD, lease_seconds=LEASE_SECONDS, job_id="crash-1")
        assert job is not None
        fake.inject(Fault.server_error(500), path=PULLS, method="POST")
        with pytest.raises(Exception, match="500"):
            handle_job(job, first.bot)  # dies here, after the push, before the PR
        assert fake.git.branch_sha(OWNER, REPO, "autopilot/nginx") is not None and not fake.pulls
        if hold_lock:  # killed inside the run: the lock is still held in the dead worker's name
            assert store.acquire_lock(f"thread:{THREAD}", f"{DEAD}:crash-1", ttl_seconds=LOCK_TTL_SECONDS)
    finally:
        first.close()


def _finished_once(fake: FakeGitHub, bot: HostileBot) -> None:
    job = bot.bot.store.get_job("crash-1")
    assert job is not None and job.status == JobStatus.DONE
    assert len(fake.pulls) == 1
    assert len([b for b in bot_comments(fake, 1) if messages.marker("status", THREAD) in b]) == 1
    assert fake.git.log_authors(OWNER, REPO, "autopilot/nginx").count(BOT_EMAIL) == 1
    assert fake.git.branches(OWNER, REPO) == ["autopilot/nginx", "main"]


@pytest.mark.parametrize("hold_lock", [False, True], ids=["mid-run", "holding-the-thread-lock"])
def test_restart_after_a_crash_finishes_the_run_once(
    fake_github: FakeGitHub, app_keys: AppKeys, tmp_path: Path, hold_lock: bool
) -> None:
    seed_permissions(fake_github, alice="write")
    data = tmp_path / "data"
    _crash_after_push(fake_github, app_keys.private_pem, data, hold_lock=hold_lock)
    second = HostileBot(fake_github, app_keys.private_pem, data, clock=_later)
    try:
        second.wait_idle()
        _finished_once(fake_github, second)
    finally:
        second.close()


def test_a_lock_held_under_a_live_lease_is_never_taken_over(
    fake_github: FakeGitHub, app_keys: AppKeys, tmp_path: Path
) -> None:
    seed_permissions(fake_github, alice="write")
    data = tmp_path / "data"
    other = HostileBot(fake_github, app_keys.private_pem, data, run_jobs=False)
    try:  # another worker is busy with this thread and still holds its job's lease
        store = other.bot.store
        assert store.record_delivery("other-run", "issue_comment", "created", b"{}")
        assert store.claim_job("worker-alive", lease_seconds=600, job_id="other-run") is not None
        assert store.acquire_lock(f"thread:{THREAD}", "worker-alive:other-run", ttl_seconds=LOCK_TTL_SECONDS)
    finally:
        other.close()
    bot = HostileBot(fake_github, app_keys.private_pem, data)
    try:
        payload = issue_comment(
            fake_github, FULL_NAME, 1, "/autopilot chart nginx", user="alice", installation_id=INSTALLATION_ID
        )
        bot.deliver("issue_comment", payload, delivery="waits")
        deadline = time.monotonic() + 10
        while (job := bot.bot.store.get_job("waits")) is None or job.status != JobStatus.DONE:
            assert time.monotonic() < deadline, f"job not finished: {job}"
            time.sleep(0.03)
        replies = bot_comments(fake_github, 1)
        assert len(replies) == 1 and messages.marker("busy", THREAD) in replies[0]
        assert not fake_github.pulls and fake_github.git.branches(OWNER, REPO) == ["main"]
        lock = bot.bot.store.get_lock(f"thread:{THREAD}")
        assert lock is not None and lock.owner == "worker-alive:other-run"
    finally:
        bot.close()
