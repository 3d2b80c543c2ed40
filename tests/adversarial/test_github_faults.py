"""GitHub misbehaves: 5xx, rate limits with Retry-After, timeouts, a push race, things deleted mid-run.

Each fault ends in a retried success or a clear status, never a duplicate, never a force-push.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import messages
from bot.store import JobStatus
from tests.adversarial.conftest import FULL_NAME, HostileBot, repo_files
from tests.conftest import APP_ID, INSTALLATION_ID, OWNER, REPO, SEED_FILES, AppKeys
from tests.e2e.harness import bot_comments, seed_permissions
from tests.fakes.git_http import run_git
from tests.fakes.github_server import FakeGitHub
from tests.fakes.github_state import BOT_EMAIL, Fault
from tests.fakes.payloads import failed_check_run, issue_comment

COMMENTS = rf"^/api/v3/repos/{FULL_NAME}/issues/\d+/comments$"
CONFIG = rf"^/api/v3/repos/{FULL_NAME}/contents/"
PLAN = "/autopilot plan nginx"


def _ask(bot: HostileBot, fake: FakeGitHub, body: str, number: int, delivery: str) -> dict[str, Any]:
    payload = issue_comment(fake, FULL_NAME, number, body, user="alice", installation_id=INSTALLATION_ID)
    assert bot.deliver("issue_comment", payload, delivery=delivery).status_code == 202
    bot.wait_idle()
    return payload


def _plan_replies(fake: FakeGitHub, number: int) -> list[str]:
    return [b for b in bot_comments(fake, number) if "nginx" in b and "replicas" in b.lower()]


TRANSIENT = [
    pytest.param(Fault.server_error(500, times=2), None, id="500-twice"),
    pytest.param(Fault.server_error(502), None, id="502"),
    pytest.param(Fault.server_error(503), None, id="503"),
    pytest.param(
        Fault(status=429, headers={"retry-after": "7"}, body={"message": "slow down"}), 7.0, id="429"
    ),
    pytest.param(Fault.secondary_rate_limit(retry_after=3), 3.0, id="403-secondary-retry-after"),
    pytest.param(Fault.primary_rate_limit(reset_in=30), None, id="403-primary-reset"),
]


@pytest.mark.parametrize(("fault", "waited"), TRANSIENT)
def test_transient_faults_are_retried_to_one_reply(
    hostile_bot: HostileBot, fake_github: FakeGitHub, fault: Fault, waited: float | None
) -> None:
    issue = fake_github.new_issue_number(FULL_NAME)
    fake_github.inject(fault, path=COMMENTS, method="POST")
    _ask(hostile_bot, fake_github, PLAN, issue, "transient-1")
    job = hostile_bot.bot.store.get_job("transient-1")
    assert job is not None and job.status == JobStatus.DONE and job.attempts == 1
    assert len(_plan_replies(fake_github, issue)) == 1
    assert hostile_bot.sleeps, "the fault was retried after a wait"
    if waited is not None:
        assert waited in hostile_bot.sleeps  # Retry-After honoured, not guessed
    failed = [c for c in fake_github.calls_to(COMMENTS, "POST") if c.status >= 400]
    assert len(failed) == fault.times or fault.times <= 0


def test_a_rate_limit_longer_than_the_cap_requeues_the_job(
    hostile_bot: HostileBot, fake_github: FakeGitHub
) -> None:
    issue = fake_github.new_issue_number(FULL_NAME)
    fake_github.inject(Fault.secondary_rate_limit(retry_after=3600), path=COMMENTS, method="POST")
    _ask(hostile_bot, fake_github, PLAN, issue, "long-limit")
    job = hostile_bot.bot.store.get_job("long-limit")
    assert job is not None and job.status == JobStatus.DONE and job.attempts == 2
    assert 3600.0 not in hostile_bot.sleeps  # never blocks a worker for an hour
    assert len(_plan_replies(fake_github, issue)) == 1


def test_faults_on_every_attempt_end_in_a_failed_job_that_can_be_redelivered(
    hostile_bot: HostileBot, fake_github: FakeGitHub
) -> None:
    issue = fake_github.new_issue_number(FULL_NAME)
    fake_github.inject(Fault.server_error(503, times=1000), path=COMMENTS, method="POST")
    payload = _ask(hostile_bot, fake_github, PLAN, issue, "always-503")
    job = hostile_bot.bot.store.get_job("always-503")
    assert job is not None and job.status == JobStatus.FAILED and job.attempts == job.max_attempts
    assert job.last_error and "503" in job.last_error
    fake_github.faults.clear()
    # GitHub (or a maintainer) redelivers under a new id: the same thread resumes and answers once
    assert hostile_bot.deliver("issue_comment", payload, delivery="always-503-again").status_code == 202
    hostile_bot.wait_idle()
    assert len(_plan_replies(fake_github, issue)) == 1


@pytest.fixture
def impatient_bot(fake_github: FakeGitHub, app_keys: AppKeys, tmp_path: Path) -> Iterator[HostileBot]:
    seed_permissions(fake_github, alice="write")
    bot = HostileBot(fake_github, app_keys.private_pem, tmp_path / "data", timeout=0.5)
    try:
        yield bot
    finally:
        bot.close()


def test_a_timed_out_read_is_retried(impatient_bot: HostileBot, fake_github: FakeGitHub) -> None:
    issue = fake_github.new_issue_number(FULL_NAME)
    fake_github.inject(Fault.slow(1.5), path=CONFIG, method="GET")
    _ask(impatient_bot, fake_github, PLAN, issue, "slow-read")
    job = impatient_bot.bot.store.get_job("slow-read")
    assert job is not None and job.status == JobStatus.DONE
    assert len(_plan_replies(fake_github, issue)) == 1
    assert len(fake_github.calls_to(CONFIG, "GET")) >= 2


def test_a_timed_out_comment_post_is_not_posted_twice(
    impatient_bot: HostileBot, fake_github: FakeGitHub
) -> None:
    issue = fake_github.new_issue_number(FULL_NAME)
    fake_github.inject(Fault.slow(1.0), path=COMMENTS, method="POST")
    _ask(impatient_bot, fake_github, PLAN, issue, "slow-post")
    threading.Event().wait(1.2)  # the slow request completes on the server
    assert len(_plan_replies(fake_github, issue)) == 1


def test_a_timed_out_comment_post_that_never_landed_is_posted_again(
    impatient_bot: HostileBot, fake_github: FakeGitHub
) -> None:
    issue = fake_github.new_issue_number(FULL_NAME)
    # slow, then refused: the comment is never created, so the bot must post it again
    fake_github.inject(
        Fault(status=503, delay=1.0, body={"message": "Server Error"}), path=COMMENTS, method="POST"
    )
    _ask(impatient_bot, fake_github, PLAN, issue, "lost-post")
    threading.Event().wait(0.6)  # the slow request ends on the server
    assert len(_plan_replies(fake_github, issue)) == 1


def test_a_deleted_command_comment_still_gets_its_answer(
    hostile_bot: HostileBot, fake_github: FakeGitHub
) -> None:
    issue = fake_github.new_issue_number(FULL_NAME)
    payload = issue_comment(
        fake_github, FULL_NAME, issue, PLAN, user="alice", installation_id=INSTALLATION_ID
    )
    fake_github.delete_comment(payload["comment"]["id"])  # deleted before the bot reacts or replies
    assert hostile_bot.deliver("issue_comment", payload, delivery="deleted-1").status_code == 202
    hostile_bot.wait_idle()
    job = hostile_bot.bot.store.get_job("deleted-1")
    assert job is not None and job.status == JobStatus.DONE
    assert len(_plan_replies(fake_github, issue)) == 1


# --- the repository changes under a run --------------------------------------------------------


class RacingGitHub(FakeGitHub):
    """Someone pushes to `race_branch` at the instant the bot asks where to push (after its fetch)."""

    race_branch: str | None = None
    human_sha: str | None = None

    def git_token_allows(self, authorization: str, owner: str, name: str) -> bool:
        with self.lock:
            last = self.calls[-1] if self.calls else None
            armed = self.race_branch
            if armed and last and "service=git-receive-pack" in last.query and last.method == "GET":
                self.race_branch = None
            else:
                armed = None
        if armed:
            if self.git.branch_sha(owner, name, armed) is None:  # they branched from main, like a person
                main = self.git.branch_sha(owner, name, "main")
                run_git("update-ref", f"refs/heads/{armed}", str(main), cwd=self.git.path(owner, name))
            self.human_sha = self.push_commit(
                owner, name, armed, {"docs/human-notes.md": "pushed first\n"}, message="human: notes"
            )
        return super().git_token_allows(authorization, owner, name)


@pytest.fixture
def racing_github(app_keys: AppKeys) -> Iterator[RacingGitHub]:
    gh = RacingGitHub()
    with gh:
        gh.register_app(APP_ID, app_keys.public_pem)
        gh.add_installation(INSTALLATION_ID, OWNER, app_id=APP_ID)
        gh.add_repo(OWNER, REPO, installation_id=INSTALLATION_ID, files=SEED_FILES)
        yield gh


def test_a_push_race_puts_the_bot_commit_on_top_never_forcing(
    racing_github: RacingGitHub, app_keys: AppKeys, tmp_path: Path
) -> None:
    fake = racing_github
    seed_permissions(fake, alice="write")
    bot = HostileBot(fake, app_keys.private_pem, tmp_path / "data")
    try:
        fake.race_branch = "autopilot/nginx"
        _ask(bot, fake, "/autopilot chart nginx", fake.new_issue_number(FULL_NAME), "race-1")
    finally:
        bot.close()
    assert fake.human_sha is not None, "the race was not triggered"
    head = fake.git.branch_sha(OWNER, REPO, "autopilot/nginx")
    assert head is not None and head != fake.human_sha
    # the other commit survives: it is an ancestor of the head, and its file is still there
    run_git("merge-base", "--is-ancestor", fake.human_sha, head, cwd=fake.git.path(OWNER, REPO))
    files = repo_files(fake, "autopilot/nginx")
    assert "docs/human-notes.md" in files and "charts/nginx/Chart.yaml" in files
    assert len(fake.pulls) == 1
    asks = [c for c in fake.calls if c.method == "GET" and "service=git-receive-pack" in c.query]
    assert len(asks) >= 2  # rejected once, integrated, pushed again


def test_branch_deleted_then_pull_closed_mid_run_give_clear_answers(
    hostile_bot: HostileBot, fake_github: FakeGitHub
) -> None:
    fake = fake_github
    issue = fake.new_issue_number(FULL_NAME)
    _ask(hostile_bot, fake, "/autopilot chart nginx", issue, "first")
    pull = next(p for (full, _), p in fake.pulls.items() if full == FULL_NAME)

    # 1. the branch disappears; CI on the old head fails: the bot says so, pushes nothing anywhere
    check = failed_check_run(fake, FULL_NAME, pull.number, installation_id=INSTALLATION_ID)
    fake.delete_branch(OWNER, REPO, pull.head)
    main_before = fake.git.branch_sha(OWNER, REPO, "main")
    hostile_bot.deliver("check_run", check, delivery="check-after-delete")
    hostile_bot.wait_idle()
    assert fake.git.branch_sha(OWNER, REPO, "main") == main_before
    job = hostile_bot.bot.store.get_job("check-after-delete")
    assert job is not None and job.status == JobStatus.DONE
    said = "\n".join(bot_comments(fake, issue) + bot_comments(fake, pull.number))
    assert pull.head in said and ("no chart" in said or "no longer exists" in said)

    # 2. the PR is closed; `/autopilot status` still answers, and the stage is visible
    fake.close_pull(OWNER, REPO, pull.number)
    _ask(hostile_bot, fake, "/autopilot status", issue, "status-after-close")
    job = hostile_bot.bot.store.get_job("status-after-close")
    assert job is not None and job.status == JobStatus.DONE
    thread = f"{FULL_NAME}#{issue}"
    assert any(
        messages.marker("reply", thread) in b or "stage" in b.lower() for b in bot_comments(fake, issue)
    )


def test_a_failed_git_push_is_reported_and_the_run_can_be_resumed(
    hostile_bot: HostileBot, fake_github: FakeGitHub
) -> None:
    fake = fake_github
    issue = fake.new_issue_number(FULL_NAME)
    fake.inject(Fault.server_error(502), path=r"/git-receive-pack$", method="POST")
    _ask(hostile_bot, fake, "/autopilot chart nginx", issue, "push-502")
    thread = f"{FULL_NAME}#{issue}"
    said = bot_comments(fake, issue)
    stopped = [b for b in said if "The run stopped during" in b and "run the command again" in b]
    assert len(stopped) == 1 and "502" in stopped[0]  # says what failed and what to do next
    assert not fake.pulls
    # asking again resumes: one branch, one bot commit, one PR, still one status comment
    _ask(hostile_bot, fake, "/autopilot chart nginx", issue, "push-again")
    assert len(fake.pulls) == 1
    assert fake.git.log_authors(OWNER, REPO, "autopilot/nginx").count(BOT_EMAIL) == 1
    assert len([b for b in bot_comments(fake, issue) if messages.marker("status", thread) in b]) == 1
