"""A conversation outlives the worker that started it: questions resume elsewhere, kills are retried.

Both tests ask for a chart that needs one answer (which Secret holds DATABASE_URL), so the
graph stops at an interrupt whose checkpoint lives in PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from bot import messages
from bot.store import JobStatus
from bot.store.postgres import PostgresStore
from tests.conftest import AppKeys
from tests.e2e.harness import FULL_NAME, INSTALLATION_ID, OWNER, REPO, bot_comments, seed_permissions
from tests.fakes.github_server import FakeGitHub
from tests.fakes.github_state import BOT_EMAIL, FakePull, Fault
from tests.fakes.payloads import issue_comment
from tests.scale.processes import Fleet, Process, deliver, wait_for

pytestmark = pytest.mark.postgres

REQUEST = "/autopilot chart a django app on ghcr.io/acme/shop:1.4, port 8000, postgres via existing secret"
QUESTION = "Which existing Secret holds DATABASE_URL?"
BRANCH = "autopilot/shop"


def _ask(fleet: Fleet, server: Process, fake: FakeGitHub, client: httpx.Client) -> int:
    """Post the request, wait for the bot's one question; returns the issue number."""
    issue = fake.new_issue_number(FULL_NAME)
    ask = issue_comment(fake, FULL_NAME, issue, REQUEST, user="alice", installation_id=INSTALLATION_ID)
    assert deliver(client, server, "issue_comment", ask, f"ask-{issue}").status_code == 202
    wait_for(
        lambda: any(QUESTION in body for body in bot_comments(fake, issue)),
        90,
        f"the question on #{issue}\n{fleet.logs()}",
        interval=0.3,
    )
    return issue


def _checkpoints(url: str, thread_id: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM checkpoints WHERE thread_id = %s", (thread_id,)).fetchone()
    assert row is not None
    return int(row[0])


def _pulls(fake: FakeGitHub) -> list[FakePull]:
    return [p for (full, _), p in fake.pulls.items() if full == FULL_NAME and p.head == BRANCH]


@pytest.fixture
def fleet(fake_github: FakeGitHub, app_keys: AppKeys, migrated_url: str, tmp_path: Path) -> Iterator[Fleet]:
    seed_permissions(fake_github, alice="write")
    running = Fleet(fake_github, app_keys.private_pem, migrated_url, tmp_path)
    yield running
    running.stop_all()


def test_question_asked_on_one_worker_is_resumed_on_another(
    fleet: Fleet, fake_github: FakeGitHub, migrated_url: str
) -> None:
    fake = fake_github
    server = fleet.server("server")
    worker_a = fleet.worker("worker-a")
    fleet.wait_ready(server)
    with httpx.Client(timeout=10.0) as client:
        issue = _ask(fleet, server, fake, client)
        thread = f"{FULL_NAME}#{issue}"
        fleet.stop(worker_a)  # worker A is gone; only the checkpoint in PostgreSQL remembers the question
        asked_on_a = _checkpoints(migrated_url, thread)
        assert asked_on_a > 0

        worker_b = fleet.worker("worker-b")
        reply = issue_comment(
            fake, FULL_NAME, issue, "shop-db", user="alice", installation_id=INSTALLATION_ID
        )
        assert deliver(client, server, "issue_comment", reply, f"reply-{issue}").status_code == 202
        wait_for(lambda: _pulls(fake), 90, f"the pull request\n{fleet.logs()}", interval=0.3)

    values = fake.git.read_file(OWNER, REPO, BRANCH, "charts/shop/values.yaml")
    assert values is not None and b"shop-db" in values
    assert _checkpoints(migrated_url, thread) > asked_on_a  # resumed the same thread, not a new one
    assert f"reply-{issue}" in worker_b.log.read_text()
    assert f"reply-{issue}" not in worker_a.log.read_text()
    assert len([b for b in bot_comments(fake, issue) if QUESTION in b]) == 1


def test_worker_killed_mid_run_is_retried_from_its_checkpoint_without_duplicates(
    fleet: Fleet, fake_github: FakeGitHub, migrated_url: str
) -> None:
    fake = fake_github
    server = fleet.server("server")
    worker_a = fleet.worker("worker-a")
    fleet.wait_ready(server)
    store = PostgresStore(migrated_url)
    try:
        with httpx.Client(timeout=10.0) as client:
            issue = _ask(fleet, server, fake, client)
            thread = f"{FULL_NAME}#{issue}"
            # Worker A will have built, committed and pushed the chart when it asks for the PR: hold it there.
            fake.inject(Fault(status=502, delay=20.0), path=rf"/repos/{FULL_NAME}/pulls$", method="POST")
            reply = issue_comment(
                fake, FULL_NAME, issue, "shop-db", user="alice", installation_id=INSTALLATION_ID
            )
            assert deliver(client, server, "issue_comment", reply, f"reply-{issue}").status_code == 202
            wait_for(
                lambda: fake.calls_to(rf"/repos/{FULL_NAME}/pulls$", "POST"),
                90,
                f"worker A to open the PR\n{fleet.logs()}",
                interval=0.2,
            )
            pushed = fake.git.branch_sha(OWNER, REPO, BRANCH)
            assert pushed is not None
            graph_steps = _checkpoints(migrated_url, thread)
            fleet.kill(worker_a)  # SIGKILL in the middle of the run: no cleanup, lease and lock left behind

            worker_b = fleet.worker("worker-b")
            # the PR appears before B has posted the check run and closed the job: wait for the job itself
            wait_for(
                lambda: (j := store.get_job(f"reply-{issue}")) is not None and j.status == JobStatus.DONE,
                90,
                f"worker B to finish the run\n{fleet.logs()}",
                interval=0.3,
            )

        job = store.get_job(f"reply-{issue}")
        assert job is not None and job.status == JobStatus.DONE and job.attempts == 2
        assert "retrying job" in worker_b.log.read_text()
        assert len(_pulls(fake)) == 1
        assert fake.git.branch_sha(OWNER, REPO, BRANCH) == pushed  # no second commit
        assert fake.git.log_authors(OWNER, REPO, BRANCH).count(BOT_EMAIL) == 1
        assert _checkpoints(migrated_url, thread) == graph_steps  # B published from A's checkpoint, no re-run
        status = [b for b in bot_comments(fake, issue) if messages.marker("status", thread) in b]
        assert len(status) == 1
        assert len([b for b in bot_comments(fake, issue) if QUESTION in b]) == 1
    finally:
        store.close()
