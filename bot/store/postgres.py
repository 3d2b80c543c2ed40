"""`PostgresStore`: the `Store` in PostgreSQL, for many webhook servers and workers at once.

Same meaning as `SqliteStore`, made safe under concurrent processes by PostgreSQL itself:
delivery dedupe is `INSERT … ON CONFLICT DO NOTHING` (a second server's insert waits for the
first commit, then does nothing), a claim takes `FOR UPDATE SKIP LOCKED` so workers never
wait on each other, and counters and locks are single upserts with `RETURNING`. The tables
come from `autopilot db upgrade` (bot/migrations); the store refuses an un-migrated database.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from bot.migrations.upgrade import check_database, redact_url
from bot.store.base import Delivery, Job, JobStatus, LockInfo, RecordedDelivery, RunRecord, Store, StoreError
from bot.store.statements import (
    FORGET_HEAL_ATTEMPTS,
    INSERT_HEAL_ATTEMPT,
    LATEST_RUN_WHERE,
    UPSERT_RUN,
    for_postgres,
    heal_attempt_rows,
    run_params,
)

_JOB_COLUMNS = (
    "id, event, action, payload, status, attempts, max_attempts, lease_owner, lease_expires_at, "
    "available_at, last_error, created_at, updated_at"
)
_RUNNABLE = (
    "((status = 'queued' AND available_at <= %(now)s) OR (status = 'running' AND lease_expires_at <= %(now)s))"
    " AND attempts < max_attempts"
)
_RUN_COLUMNS = "thread_id, stage, status_comment_id, pr_number, branch, bot_commits_in_a_row, updated_at"


def _job(row: dict[str, Any]) -> Job:
    return Job.model_validate({**row, "payload": bytes(row["payload"])})


class PostgresStore(Store):
    """The store in one PostgreSQL database shared by every server and worker process."""

    def __init__(
        self,
        database_url: str,
        *,
        clock: Callable[[], float] = time.time,
        max_attempts: int = 3,
        pool_size: int = 4,
        check_schema: bool = True,
    ) -> None:
        self.url = redact_url(database_url)
        self._clock = clock
        self._max_attempts = max_attempts
        if check_schema:
            check_database(database_url)  # raises DatabaseNotMigrated: "run `autopilot db upgrade`"
        try:
            self._pool: ConnectionPool[psycopg.Connection[dict[str, Any]]] = ConnectionPool(
                database_url,
                min_size=1,
                max_size=pool_size,
                timeout=10.0,
                kwargs={"row_factory": dict_row, "prepare_threshold": None},
                open=True,
            )
            self._pool.wait(timeout=10.0)
        except (psycopg.Error, PoolTimeout) as err:
            raise StoreError(
                f"cannot open the PostgreSQL store at {self.url}: {err}; check AUTOPILOT_DATABASE_URL"
            ) from err

    @contextmanager
    def _tx(self) -> Iterator[psycopg.Connection[dict[str, Any]]]:
        """One transaction on a pooled connection: committed on success, rolled back on error."""
        try:
            with self._pool.connection() as conn:
                yield conn
        except (psycopg.Error, PoolTimeout) as err:
            raise StoreError(f"PostgreSQL store {self.url} failed: {err}") from err

    def _rows(self, sql: str, params: dict[str, Any] | tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        with self._tx() as conn:
            return conn.execute(sql, params).fetchall()

    # --- deliveries and jobs -----------------------------------------------------------------

    def record_deliveries(self, deliveries: Sequence[Delivery]) -> list[RecordedDelivery]:
        now = self._clock()
        results: dict[int, RecordedDelivery] = {}
        # Insert in id order: two servers recording overlapping batches then lock rows in the
        # same order and cannot deadlock. Equal ids keep their arrival order (first one wins).
        order = sorted(range(len(deliveries)), key=lambda i: (deliveries[i].id, i))
        with self._tx() as conn:
            for i in order:
                d = deliveries[i]
                inserted = conn.execute(
                    "INSERT INTO deliveries (id, event, action, outcome, received_at)"
                    " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING",
                    (d.id, d.event, d.action, "queued" if d.enqueue else "ignored", now),
                ).rowcount
                if inserted == 0:
                    results[i] = RecordedDelivery(delivery_id=d.id, new=False)
                    continue
                job = None
                if d.enqueue:
                    row = conn.execute(
                        f"INSERT INTO jobs ({_JOB_COLUMNS}) VALUES"
                        " (%s, %s, %s, %s, 'queued', 0, %s, NULL, NULL, %s, NULL, %s, %s)"
                        f" RETURNING {_JOB_COLUMNS}",
                        (d.id, d.event, d.action, d.payload, self._max_attempts, now, now, now),
                    ).fetchone()
                    assert row is not None  # RETURNING of a successful insert
                    job = _job(row)
                results[i] = RecordedDelivery(delivery_id=d.id, new=True, job=job)
        return [results[i] for i in range(len(deliveries))]

    def get_job(self, job_id: str) -> Job | None:
        rows = self._rows(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE id = %s", (job_id,))
        return _job(rows[0]) if rows else None

    def claim_job(
        self, worker: str, *, lease_seconds: float = 300.0, job_id: str | None = None
    ) -> Job | None:
        now = self._clock()
        with self._tx() as conn:
            if job_id is None:
                # A worker that died on the last attempt leaves a running job nobody may retry;
                # the sweep (no job id) marks it failed. A claim by id only needs the one row.
                conn.execute(
                    "UPDATE jobs SET status = 'failed', lease_owner = NULL, lease_expires_at = NULL,"
                    " last_error = 'worker lease expired on the last attempt', updated_at = %(now)s"
                    " WHERE status = 'running' AND lease_expires_at <= %(now)s AND attempts >= max_attempts",
                    {"now": now},
                )
            only = " AND id = %(id)s" if job_id is not None else ""
            row = conn.execute(
                f"UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_owner = %(worker)s,"
                f" lease_expires_at = %(expires)s, updated_at = %(now)s"
                f" WHERE id = (SELECT id FROM jobs WHERE {_RUNNABLE}{only}"
                f" ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)"
                f" RETURNING {_JOB_COLUMNS}",
                {"now": now, "worker": worker, "expires": now + lease_seconds, "id": job_id},
            ).fetchone()
        return _job(row) if row else None

    def extend_lease(self, job_id: str, worker: str, *, lease_seconds: float) -> bool:
        now = self._clock()
        with self._tx() as conn:
            changed = conn.execute(
                "UPDATE jobs SET lease_expires_at = %s, updated_at = %s"
                " WHERE id = %s AND status = 'running' AND lease_owner = %s AND lease_expires_at > %s",
                (now + lease_seconds, now, job_id, worker, now),
            ).rowcount
        return changed == 1

    def complete_job(self, job_id: str, worker: str) -> bool:
        with self._tx() as conn:
            changed = conn.execute(
                "UPDATE jobs SET status = 'done', lease_owner = NULL, lease_expires_at = NULL, updated_at = %s"
                " WHERE id = %s AND status = 'running' AND lease_owner = %s",
                (self._clock(), job_id, worker),
            ).rowcount
        return changed == 1

    def fail_job(self, job_id: str, worker: str, error: str, *, retry_in: float = 30.0) -> JobStatus | None:
        now = self._clock()
        with self._tx() as conn:
            row = conn.execute(
                "UPDATE jobs SET status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,"
                " lease_owner = NULL, lease_expires_at = NULL, last_error = %s, available_at = %s, updated_at = %s"
                " WHERE id = %s AND status = 'running' AND lease_owner = %s RETURNING status",
                (error[:2000], now + retry_in, now, job_id, worker),
            ).fetchone()
        return JobStatus(row["status"]) if row else None

    def release_dead_lease(self, job_id: str, owner_prefix: str) -> str | None:
        """Free a running job whose worker is known dead (its heartbeat stopped) before its lease ends.

        Only a lease whose owner starts with `owner_prefix` (the dead run's name) is freed, so a
        late call cannot free the lease of the worker already retrying the job. Also drops the
        thread locks that run took (owner `lease_owner:job_id`, as the runner names them), so the
        retry does not wait out the lock's TTL. Returns the dead owner, or None if nothing matched.
        """
        now = self._clock()
        with self._tx() as conn:
            row = conn.execute(
                "SELECT lease_owner FROM jobs WHERE id = %s AND status = 'running'"
                " AND starts_with(lease_owner, %s) FOR UPDATE",
                (job_id, owner_prefix),
            ).fetchone()
            if row is None:
                return None
            owner = str(row["lease_owner"])
            conn.execute(
                "UPDATE jobs SET lease_expires_at = %s, updated_at = %s WHERE id = %s", (now, now, job_id)
            )
            conn.execute("DELETE FROM locks WHERE owner = %s", (f"{owner}:{job_id}",))
        return owner

    def due_jobs(self, *, older_than: float, limit: int = 100) -> list[str]:
        """Ids of queued jobs due for at least `older_than` seconds (a server may have died before enqueueing)."""
        cutoff = self._clock() - older_than
        rows = self._rows(
            "SELECT id FROM jobs WHERE status = 'queued' AND available_at <= %s AND updated_at <= %s"
            " ORDER BY created_at LIMIT %s",
            (cutoff, cutoff, limit),
        )
        return [str(r["id"]) for r in rows]

    def job_counts(self) -> dict[JobStatus, int]:
        counts = dict.fromkeys(JobStatus, 0)
        for row in self._rows("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status"):
            counts[JobStatus(row["status"])] = int(row["n"])
        return counts

    def prune(self, before: float) -> int:
        with self._tx() as conn:
            jobs = conn.execute(
                "DELETE FROM jobs WHERE status IN ('done', 'failed') AND updated_at < %s", (before,)
            ).rowcount
            deliveries = conn.execute(
                "DELETE FROM deliveries d WHERE received_at < %s"
                " AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = d.id)",
                (before,),
            ).rowcount
        return jobs + deliveries

    # --- run records ---------------------------------------------------------------------------

    @staticmethod
    def _load_run(conn: psycopg.Connection[dict[str, Any]], thread_id: str) -> RunRecord | None:
        row = conn.execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE thread_id = %s", (thread_id,)).fetchone()
        if row is None:
            return None
        heals = conn.execute(
            "SELECT head_sha, attempts FROM heal_attempts WHERE thread_id = %s ORDER BY head_sha",
            (thread_id,),
        ).fetchall()
        return RunRecord.model_validate(
            {**row, "heal_attempts": {h["head_sha"]: h["attempts"] for h in heals}}
        )

    def get_run(self, thread_id: str) -> RunRecord | None:
        with self._tx() as conn:
            return self._load_run(conn, thread_id)

    def save_run(self, run: RunRecord) -> RunRecord:
        saved = run.model_copy(update={"updated_at": self._clock()})
        with self._tx() as conn:
            conn.execute(for_postgres(UPSERT_RUN), run_params(saved))
            conn.execute(for_postgres(FORGET_HEAL_ATTEMPTS), (saved.thread_id,))
            with conn.cursor() as cur:
                cur.executemany(for_postgres(INSERT_HEAL_ATTEMPT), heal_attempt_rows(saved))
        return saved

    def _find_run(self, where: str, params: tuple[Any, ...]) -> RunRecord | None:
        with self._tx() as conn:
            row = conn.execute(LATEST_RUN_WHERE.format(where=where), params).fetchone()
            return self._load_run(conn, row["thread_id"]) if row else None

    def find_run_by_pr(self, repo: str, pr_number: int) -> RunRecord | None:
        return self._find_run("repo = %s AND pr_number = %s", (repo, pr_number))

    def find_run_by_branch(self, repo: str, branch: str) -> RunRecord | None:
        return self._find_run("repo = %s AND branch = %s", (repo, branch))

    def _ensure_run(self, conn: psycopg.Connection[dict[str, Any]], thread_id: str) -> None:
        record = RunRecord(thread_id=thread_id)  # validates the thread id
        conn.execute(
            "INSERT INTO runs (thread_id, repo, stage, bot_commits_in_a_row, updated_at)"
            " VALUES (%s, %s, %s, 0, %s) ON CONFLICT (thread_id) DO NOTHING",
            (record.thread_id, record.repo, record.stage, self._clock()),
        )

    def add_heal_attempt(self, thread_id: str, head_sha: str) -> int:
        with self._tx() as conn:
            self._ensure_run(conn, thread_id)
            row = conn.execute(
                "INSERT INTO heal_attempts (thread_id, head_sha, attempts) VALUES (%s, %s, 1)"
                " ON CONFLICT (thread_id, head_sha) DO UPDATE SET attempts = heal_attempts.attempts + 1"
                " RETURNING attempts",
                (thread_id, head_sha),
            ).fetchone()
        assert row is not None
        return int(row["attempts"])

    def record_commit(self, thread_id: str, *, by_bot: bool) -> int:
        with self._tx() as conn:
            self._ensure_run(conn, thread_id)
            row = conn.execute(
                "UPDATE runs SET bot_commits_in_a_row = CASE WHEN %s THEN bot_commits_in_a_row + 1 ELSE 0 END,"
                " updated_at = %s WHERE thread_id = %s RETURNING bot_commits_in_a_row",
                (by_bot, self._clock(), thread_id),
            ).fetchone()
        assert row is not None
        return int(row["bot_commits_in_a_row"])

    # --- locks ---------------------------------------------------------------------------------

    def acquire_lock(self, name: str, owner: str, *, ttl_seconds: float) -> bool:
        now = self._clock()
        with self._tx() as conn:
            changed = conn.execute(
                "INSERT INTO locks (name, owner, expires_at) VALUES (%s, %s, %s)"
                " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at"
                " WHERE locks.expires_at <= %s OR locks.owner = excluded.owner",
                (name, owner, now + ttl_seconds, now),
            ).rowcount
        return changed == 1

    def release_lock(self, name: str, owner: str) -> bool:
        with self._tx() as conn:
            return (
                conn.execute("DELETE FROM locks WHERE name = %s AND owner = %s", (name, owner)).rowcount == 1
            )

    def get_lock(self, name: str) -> LockInfo | None:
        rows = self._rows(
            "SELECT name, owner, expires_at FROM locks WHERE name = %s AND expires_at > %s",
            (name, self._clock()),
        )
        return LockInfo.model_validate(rows[0]) if rows else None

    # --- lifecycle -----------------------------------------------------------------------------

    def ping(self) -> None:
        if self._pool.closed:
            raise StoreError(f"PostgreSQL store {self.url} does not answer: it is closed")
        self._rows("SELECT 1")

    def close(self) -> None:
        self._pool.close()
