"""`autopilot db upgrade|check`, start-up refusals, and the queue's enqueue guards and retry decisions."""

from __future__ import annotations

import asyncio
import datetime
import threading

import psycopg
import pytest
from procrastinate.jobs import Job as QueueJob

from bot.migrations.upgrade import (
    CHECKPOINT_STEP,
    PROCRASTINATE_STEP,
    DatabaseNotMigrated,
    applied_steps,
    check_database,
    required_steps,
    upgrade_database,
)
from bot.queue import TASK_NAME, RetryLater, StoredJobRetry, build_queue, defer_job, defer_unqueued
from bot.store.postgres import PostgresStore
from bot.worker_command import main
from tests.bot.test_store import FakeClock, deliver

pytestmark = pytest.mark.postgres


def _queued_ids(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT args->>'job_id' FROM procrastinate_jobs ORDER BY id").fetchall()
    return [r[0] for r in rows]


# --- migrations ------------------------------------------------------------------------------------


def test_upgrade_applies_everything_once_even_when_raced(postgres_url: str) -> None:
    reports = []
    threads = [
        threading.Thread(target=lambda: reports.append(upgrade_database(postgres_url))) for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    applied = sorted(step for report in reports for step in report.applied)
    assert applied == sorted(required_steps())  # each step by exactly one of the racers
    assert {PROCRASTINATE_STEP, CHECKPOINT_STEP} <= applied_steps(postgres_url)
    check_database(postgres_url)
    assert upgrade_database(postgres_url).applied == []


def test_check_names_what_is_missing_and_the_command(postgres_url: str) -> None:
    with pytest.raises(
        DatabaseNotMigrated, match=r"missing: 0001_store, procrastinate, langgraph-checkpoints\)"
    ):
        check_database(postgres_url)


def test_db_commands(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AUTOPILOT_DATABASE_URL", postgres_url)
    assert main(["db", "check"]) == 1
    assert "run `autopilot db upgrade`" in capsys.readouterr().err
    assert main(["db", "upgrade"]) == 0
    assert "0001_store, procrastinate, langgraph-checkpoints" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    assert "nothing to apply" in capsys.readouterr().out
    assert main(["db", "check"]) == 0


def test_commands_refuse_sqlite_urls(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AUTOPILOT_DATABASE_URL", "sqlite:///tmp/x.db")
    assert main(["db", "upgrade"]) == 2
    assert "not a postgresql:// URL" in capsys.readouterr().err


def test_worker_refuses_an_unmigrated_database_in_one_line(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import make_app_keys

    monkeypatch.setenv("AUTOPILOT_DATABASE_URL", postgres_url)
    monkeypatch.setenv("AUTOPILOT_APP_ID", "1")
    monkeypatch.setenv("AUTOPILOT_PRIVATE_KEY", make_app_keys().private_pem)
    monkeypatch.setenv("AUTOPILOT_WEBHOOK_SECRET", "s")
    assert main(["worker", "--name", "w"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith("autopilot worker: database") and "autopilot db upgrade" in err


# --- queue guards ----------------------------------------------------------------------------------


def test_a_job_is_enqueued_once_while_it_waits(migrated_url: str) -> None:
    queue = build_queue(migrated_url).open()
    try:
        assert defer_job(queue, "d-1") is True
        assert defer_job(queue, "d-1") is False  # a second server's dispatch of the same job
        assert defer_job(queue, "d-2") is True
    finally:
        queue.close()
    assert _queued_ids(migrated_url) == ["d-1", "d-2"]


def test_recovery_enqueues_only_jobs_nobody_enqueued(migrated_url: str) -> None:
    clock = FakeClock()
    store = PostgresStore(migrated_url, clock=clock)
    queue = build_queue(migrated_url)

    async def recover() -> list[str]:
        async with queue.open_async():
            return await defer_unqueued(queue, store, older_than=60)

    try:
        deliver(store, "enqueued")
        deliver(store, "picked")
        deliver(store, "orphan")  # its server died between recording and deferring
        with build_queue(migrated_url).open() as sync_queue:
            defer_job(sync_queue, "enqueued")
            defer_job(sync_queue, "picked")
        with psycopg.connect(migrated_url) as conn:  # a worker fetched it and is about to claim it
            conn.execute("UPDATE procrastinate_jobs SET status = 'doing' WHERE queueing_lock = 'picked'")
        assert asyncio.run(recover()) == []  # too recent: its server may still be deferring it
        clock.advance(61)
        assert asyncio.run(recover()) == ["orphan"]
        assert asyncio.run(recover()) == []  # now waiting in the queue
    finally:
        store.close()
    assert sorted(_queued_ids(migrated_url)) == ["enqueued", "orphan", "picked"]


# --- retry decisions -------------------------------------------------------------------------------


def _queue_job(attempts: int) -> QueueJob:
    return QueueJob(
        id=1, queue="autopilot", lock=None, queueing_lock="d-1", task_name=TASK_NAME, attempts=attempts
    )


def test_not_now_is_retried_at_the_stores_time_and_other_errors_are_not() -> None:
    strategy = StoredJobRetry()
    decision = strategy.get_retry_decision(
        exception=RetryLater("d-1", 1_800_000_000.0, "busy"), job=_queue_job(0)
    )
    assert decision is not None
    assert decision.retry_at == datetime.datetime.fromtimestamp(1_800_000_000.0, tz=datetime.UTC)
    assert strategy.get_retry_decision(exception=ValueError("bug"), job=_queue_job(0)) is None
    assert strategy.get_retry_decision(exception=RetryLater("d-1", 0.0, "busy"), job=_queue_job(49)) is None


def test_server_refuses_an_unmigrated_database_in_one_line(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AUTOPILOT_DATABASE_URL", postgres_url)
    monkeypatch.setenv("AUTOPILOT_WEBHOOK_SECRET", "s")
    assert main(["serve", "--port", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith("autopilot serve: database") and "autopilot db upgrade" in err
