"""Two webhook servers and two workers on one PostgreSQL: every command handled exactly once.

50 `/autopilot chart <app>` commands across 10 repositories, each delivered to BOTH servers
with the same delivery id (GitHub redelivering to another replica behind a load balancer).
"""

from __future__ import annotations

import collections
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg
import pytest

from bot import messages
from bot.store import JobStatus
from bot.store.postgres import PostgresStore
from tests.conftest import APP_ID, INSTALLATION_ID, SEED_FILES, AppKeys, require_npm_fixtures
from tests.fakes.github_server import FakeGitHub
from tests.fakes.github_state import BOT_LOGIN
from tests.fakes.payloads import issue_comment
from tests.scale.processes import Fleet, deliver, wait_for

pytestmark = pytest.mark.postgres

OWNER = "scale-org"
REPOS = [f"{OWNER}/svc-{i}" for i in range(10)]
APPS = ["nginx", "redis", "whoami", "memcached", "http-echo"]  # catalog apps that need no answers


@pytest.fixture
def fleet_github(app_keys: AppKeys) -> Iterator[FakeGitHub]:
    require_npm_fixtures()
    with FakeGitHub() as gh:
        gh.register_app(APP_ID, app_keys.public_pem)
        gh.add_installation(INSTALLATION_ID, OWNER, app_id=APP_ID)
        for full in REPOS:
            gh.add_repo(OWNER, full.split("/")[1], installation_id=INSTALLATION_ID, files=SEED_FILES)
            gh.set_permission(OWNER, full.split("/")[1], "alice", "write")
        yield gh


def test_two_servers_two_workers_handle_each_command_once(
    fleet_github: FakeGitHub, app_keys: AppKeys, migrated_url: str, tmp_path: Path
) -> None:
    fake = fleet_github
    fleet = Fleet(fake, app_keys.private_pem, migrated_url, tmp_path)
    store = PostgresStore(migrated_url)
    try:
        servers = [fleet.server("server-a"), fleet.server("server-b")]
        for name in ("worker-a", "worker-b"):
            fleet.worker(name)
        for server in servers:
            fleet.wait_ready(server)

        commands = []  # (repo, issue, app, delivery id, payload)
        for r, full in enumerate(REPOS):
            for a, app in enumerate(APPS):
                issue = fake.new_issue_number(full)
                payload = issue_comment(
                    fake,
                    full,
                    issue,
                    f"/autopilot chart {app}",
                    user="alice",
                    installation_id=INSTALLATION_ID,
                )
                commands.append((full, issue, app, f"scale-{r}-{a}", payload))

        with httpx.Client(timeout=10.0) as client, ThreadPoolExecutor(8) as pool:
            answers = list(
                pool.map(
                    lambda job: deliver(client, job[0], "issue_comment", job[1][4], job[1][3]),
                    [(server, command) for command in commands for server in servers],
                )
            )
        statuses = collections.Counter(a.json()["status"] for a in answers)
        assert statuses == {"queued": len(commands), "duplicate": len(commands)}, statuses

        def all_done() -> bool:
            counts = store.job_counts()
            assert counts[JobStatus.FAILED] == 0, f"failed jobs: {counts}\n{fleet.logs()}"
            return counts[JobStatus.DONE] == len(commands)

        try:
            wait_for(all_done, 150, "50 jobs done", interval=0.5)
        except AssertionError:
            fleet.dump_stacks()
            raise AssertionError(f"jobs: {store.job_counts()}\n{fleet.logs()}") from None

        for full, issue, app, _, _ in commands:
            pulls = [
                p for (repo, _), p in fake.pulls.items() if repo == full and p.head == f"autopilot/{app}"
            ]
            assert len(pulls) == 1, f"{full}#{issue} ({app}): {len(pulls)} pull requests"
            owner, name = full.split("/")
            bodies = [c.body for c in fake.comments_on(owner, name, issue) if c.user == BOT_LOGIN]
            status = [b for b in bodies if messages.marker("status", f"{full}#{issue}") in b]
            assert len(status) == 1, f"{full}#{issue}: {len(status)} status comments"
            assert len(bodies) == len(set(bodies)), f"{full}#{issue}: duplicate comments {bodies}"
        assert len(fake.pulls) == len(commands)
        with psycopg.connect(migrated_url) as conn:
            enqueued = conn.execute(
                "SELECT count(*), count(DISTINCT args->>'job_id') FROM procrastinate_jobs"
            )
            assert enqueued.fetchone() == (
                len(commands),
                len(commands),
            )  # the duplicates never reached the queue
    finally:
        store.close()
        fleet.stop_all()
