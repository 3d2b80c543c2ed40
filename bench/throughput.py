"""Commands per minute through the PostgreSQL queue, with 1 and then 2 worker processes.

For each worker count: a fresh database (migrated), a fresh local fake GitHub with 10
repositories, one `serve` process and N `worker` processes (real processes, as in
tests/scale). Each worker first runs warm-up commands (its first chart pays the engine's
imports), then `--commands` `/autopilot chart <app>` commands are delivered at once and
timed until every one has its pull request. Stops after `--deadline` seconds whatever happens.

    source scripts/postgres.sh   # or set AUTOPILOT_TEST_POSTGRES_URL to a server you own
    .venv/bin/python bench/throughput.py [--commands 20] [--workers 1 2] [--concurrency 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402

from bot.migrations.upgrade import upgrade_database  # noqa: E402
from bot.store import JobStatus  # noqa: E402
from bot.store.postgres import PostgresStore  # noqa: E402
from tests.conftest import APP_ID, INSTALLATION_ID, SEED_FILES, make_app_keys  # noqa: E402
from tests.fakes.github_server import FakeGitHub  # noqa: E402
from tests.fakes.payloads import issue_comment  # noqa: E402
from tests.scale.processes import Fleet, deliver, wait_for  # noqa: E402

OWNER = "bench-org"
REPOS = [f"svc-{i}" for i in range(10)]
APPS = ["nginx", "redis", "whoami", "memcached", "http-echo"]


def _database(server_url: str) -> tuple[str, str]:
    name = f"autopilot_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return name, f"{server_url.rpartition('/')[0]}/{name}"


def _drop(server_url: str, name: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _workers_alive(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM procrastinate_workers").fetchone()
    return int(row[0]) if row else 0


def measure(server_url: str, workers: int, commands: int, concurrency: int, timeout: float) -> float:
    """Commands per minute with `workers` worker processes (warm), after `workers * concurrency` warm-ups."""
    keys = make_app_keys()
    name, url = _database(server_url)
    upgrade_database(url)
    store = PostgresStore(url)
    try:
        with tempfile.TemporaryDirectory(prefix="autopilot-bench-") as tmp, FakeGitHub() as fake:
            fake.register_app(APP_ID, keys.public_pem)
            fake.add_installation(INSTALLATION_ID, OWNER, app_id=APP_ID)
            for repo in REPOS:
                fake.add_repo(OWNER, repo, installation_id=INSTALLATION_ID, files=SEED_FILES)
                fake.set_permission(OWNER, repo, "alice", "write")
            fleet = Fleet(fake, keys.private_pem, url, Path(tmp))
            try:
                server = fleet.server("server")
                for i in range(workers):
                    fleet.worker(f"worker-{i}", concurrency=concurrency)
                fleet.wait_ready(server)
                wait_for(lambda: _workers_alive(url) == workers, 60, f"{workers} workers to start")
                slots = iter([(repo, app) for app in APPS for repo in REPOS])

                def send(count: int, client: httpx.Client) -> None:
                    for _ in range(count):
                        repo, app = next(slots)
                        full = f"{OWNER}/{repo}"
                        issue = fake.new_issue_number(full)
                        payload = issue_comment(
                            fake,
                            full,
                            issue,
                            f"/autopilot chart {app}",
                            user="alice",
                            installation_id=INSTALLATION_ID,
                        )
                        answer = deliver(client, server, "issue_comment", payload, f"bench-{repo}-{issue}")
                        if answer.status_code != 202:
                            raise SystemExit(f"delivery refused: {answer.status_code} {answer.text}")

                def done() -> int:
                    return store.job_counts()[JobStatus.DONE]

                with httpx.Client(timeout=10.0) as client:
                    warmups = workers * concurrency
                    send(warmups, client)
                    wait_for(lambda: done() == warmups, timeout, "the warm-up commands", interval=0.2)
                    started = time.monotonic()
                    send(commands, client)
                    wait_for(
                        lambda: done() == warmups + commands, timeout, "the measured commands", interval=0.2
                    )
                    elapsed = time.monotonic() - started
                failed = store.job_counts()[JobStatus.FAILED]
                if failed or len(fake.pulls) != warmups + commands:
                    raise SystemExit(
                        f"{failed} failed jobs, {len(fake.pulls)} pull requests:\n{fleet.logs()}"
                    )
            finally:
                fleet.stop_all()
    finally:
        store.close()
        _drop(server_url, name)
    return commands / elapsed * 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=20, help="measured commands per worker count")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to measure")
    parser.add_argument("--concurrency", type=int, default=2, help="jobs each worker runs at once")
    parser.add_argument("--deadline", type=float, default=300.0, help="hard stop for the whole run (seconds)")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("AUTOPILOT_TEST_POSTGRES_URL", ""), help="a server you own"
    )
    args = parser.parse_args()
    if not args.postgres_url:
        print(
            "throughput: no PostgreSQL: `source scripts/postgres.sh` or pass --postgres-url", file=sys.stderr
        )
        return 2
    if args.commands + max(args.workers) * args.concurrency > len(REPOS) * len(APPS):
        print(f"throughput: at most {len(REPOS) * len(APPS)} commands per run (one chart per repo and app)")
        return 2
    timer = threading.Timer(args.deadline, lambda: os._exit(3))  # whatever hangs, the bench ends
    timer.daemon = True
    timer.start()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for workers in args.workers:
        rate = measure(args.postgres_url, workers, args.commands, args.concurrency, timeout=args.deadline)
        print(
            f"{workers} worker(s) × concurrency {args.concurrency}: {rate:.1f} commands/minute ({args.commands} commands)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
