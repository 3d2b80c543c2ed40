"""`autopilot worker` and `autopilot db upgrade`: the scale-out side of the App (PostgreSQL only).

`add_worker_commands(sub)` adds both to the CLI. `serve_queued(settings, host, port)` is what
`autopilot serve` runs when AUTOPILOT_DATABASE_URL is a PostgreSQL URL: the webhook server
that records and enqueues. `python -m bot.worker_command serve|worker|db upgrade` runs the
same commands without the rest of the CLI (the scale tests start processes that way).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the settings and store load with the command that uses them, not with the CLI
    from bot.config import Settings

SubParsers = argparse._SubParsersAction  # noqa: SLF001 - argparse exposes no public name for it
NOT_POSTGRES = (
    "AUTOPILOT_DATABASE_URL is {url!r}, not a postgresql:// URL: workers share jobs through PostgreSQL "
    "(with SQLite, `autopilot serve` runs the jobs itself)"
)


def add_worker_commands(sub: SubParsers[argparse.ArgumentParser]) -> None:
    """Add `worker` and `db upgrade|check`; each handler is `args.func(args)` returning an exit code."""
    worker = sub.add_parser("worker", help="run jobs from the PostgreSQL queue (any number of workers)")
    worker.add_argument("--concurrency", type=int, default=2, help="jobs run at once (default 2)")
    worker.add_argument("--name", default="", help="worker name in logs and leases (default host-pid)")
    worker.add_argument(
        "--heartbeat-seconds", type=float, default=10.0, help="how often this worker says it is alive"
    )
    worker.add_argument(
        "--stalled-after",
        type=float,
        default=30.0,
        help="seconds of silence after which a peer is dead and its jobs are retried (default 30)",
    )
    worker.add_argument("--poll-seconds", type=float, default=2.0, help="how often to look for due retries")
    worker.set_defaults(func=worker_command)

    db = sub.add_parser("db", help="the PostgreSQL schema of the store, queue and checkpoints")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_sub.add_parser("upgrade", help="apply missing migrations (safe to run repeatedly)")
    upgrade.set_defaults(func=db_upgrade_command)
    check = db_sub.add_parser("check", help="exit 0 when the database is fully migrated")
    check.set_defaults(func=db_check_command)


def _database_url() -> str:
    from agents.checkpoint import is_postgres_url
    from bot.config import SettingsError, load_settings

    settings = load_settings(require_app=False)
    if not is_postgres_url(settings.database_url):
        raise SettingsError(NOT_POSTGRES.format(url=settings.database_url))
    return settings.database_url


def db_upgrade_command(args: argparse.Namespace) -> int:
    from bot.config import SettingsError
    from bot.migrations.upgrade import redact_url, upgrade_database
    from bot.store import StoreError

    try:
        url = _database_url()
        report = upgrade_database(url)
    except (SettingsError, StoreError) as err:
        print(f"autopilot db upgrade: {err}", file=sys.stderr)
        return 2
    done = ", ".join(report.applied) if report.applied else "nothing to apply"
    print(f"autopilot db upgrade: {redact_url(url)} is up to date ({done})")
    return 0


def db_check_command(args: argparse.Namespace) -> int:
    from bot.config import SettingsError
    from bot.migrations.upgrade import check_database, redact_url
    from bot.store import StoreError

    try:
        url = _database_url()
        check_database(url)
    except (SettingsError, StoreError) as err:
        print(f"autopilot db check: {err}", file=sys.stderr)
        return 1
    print(f"autopilot db check: {redact_url(url)} is migrated")
    return 0


def _logging(settings: Settings) -> None:
    from bot.redact import install_redaction

    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_redaction()


def worker_command(args: argparse.Namespace) -> int:
    """Start one worker process; a missing setting or an un-migrated database stops it with one line."""
    from agents.checkpoint import is_postgres_url
    from bot.app import build_bot
    from bot.config import SettingsError, load_settings
    from bot.metrics import check_multiproc_dir, mark_this_process_dead
    from bot.migrations.upgrade import check_database
    from bot.queue import WorkerOptions, build_queue, run_worker
    from bot.store import StoreError

    name = args.name or f"{socket.gethostname()}-{os.getpid()}"
    try:
        settings = load_settings(require_app=True, require_webhook_secret=True)
        check_multiproc_dir()
        if not is_postgres_url(settings.database_url):
            raise SettingsError(NOT_POSTGRES.format(url=settings.database_url))
        check_database(settings.database_url)
        _logging(settings)
        bot = build_bot(settings, run_jobs=False)
    except (SettingsError, StoreError) as err:
        print(f"autopilot worker: {err}", file=sys.stderr)
        return 2
    bot.worker_id = name
    options = WorkerOptions(
        name=name,
        concurrency=args.concurrency,
        heartbeat_seconds=args.heartbeat_seconds,
        stalled_after=args.stalled_after,
        poll_seconds=args.poll_seconds,
    )
    try:
        asyncio.run(run_worker(bot, build_queue(settings.database_url), options))
    finally:
        bot.close()
        mark_this_process_dead()
    return 0


def serve_queued(settings: Settings, host: str, port: int) -> int:
    """The webhook server for PostgreSQL mode: verify, record, enqueue (workers run the jobs)."""
    from bot.queue import build_queued_server
    from bot.server import run_server
    from bot.store import StoreError

    try:
        server = build_queued_server(settings)
    except StoreError as err:
        print(f"autopilot serve: {err}", file=sys.stderr)
        return 2
    try:
        run_server(server.asgi, host, port, settings.log_level)
    finally:
        server.close()
    return 0


def _serve_command(args: argparse.Namespace) -> int:
    from bot.config import SettingsError, load_settings
    from bot.metrics import check_multiproc_dir

    try:
        settings = load_settings(require_app=False, require_webhook_secret=True)
        check_multiproc_dir()
    except SettingsError as err:
        print(f"autopilot serve: {err}", file=sys.stderr)
        return 2
    _logging(settings)
    return serve_queued(settings, args.host, args.port)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="autopilot", description="k8s-autopilot scale-out commands")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_worker_commands(sub)
    serve = sub.add_parser("serve", help="webhook server that enqueues to PostgreSQL")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.set_defaults(func=_serve_command)
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
