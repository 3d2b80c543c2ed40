"""`SqliteStore`: the `Store` in one SQLite file (WAL), safe across threads and processes.

One connection guarded by a lock serves all threads: every statement is tiny, and
SQLite serialises writers anyway. Writes run in `BEGIN IMMEDIATE` transactions so two
processes on the same file (server and worker) never deadlock on a lock upgrade.
The SQL sticks to what PostgreSQL also accepts (`ON CONFLICT … DO UPDATE`, `CASE`).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

import lz4.frame

from bot.store.base import Delivery, Job, JobStatus, LockInfo, RecordedDelivery, RunRecord, Store, StoreError
from bot.store.statements import (
    FORGET_HEAL_ATTEMPTS,
    INSERT_HEAL_ATTEMPT,
    LATEST_RUN_WHERE,
    UPSERT_RUN,
    heal_attempt_rows,
    run_params,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    id TEXT PRIMARY KEY,
    event TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    received_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    event TEXT NOT NULL,
    action TEXT NOT NULL,
    payload BLOB NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    lease_owner TEXT,
    lease_expires_at REAL,
    available_at REAL NOT NULL,
    last_error TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status, available_at);
CREATE TABLE IF NOT EXISTS runs (
    thread_id TEXT PRIMARY KEY,
    repo TEXT NOT NULL,
    stage TEXT NOT NULL,
    status_comment_id INTEGER,
    pr_number INTEGER,
    branch TEXT,
    bot_commits_in_a_row INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_pr ON runs (repo, pr_number);
CREATE INDEX IF NOT EXISTS runs_by_branch ON runs (repo, branch);
CREATE TABLE IF NOT EXISTS heal_attempts (
    thread_id TEXT NOT NULL,
    head_sha TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    PRIMARY KEY (thread_id, head_sha)
);
CREATE TABLE IF NOT EXISTS locks (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at REAL NOT NULL
);
"""

_JOB_COLUMNS = (
    "id, event, action, payload, status, attempts, max_attempts, lease_owner, lease_expires_at, "
    "available_at, last_error, created_at, updated_at"
)
_RUNNABLE = (
    "((status = 'queued' AND available_at <= ?) OR (status = 'running' AND lease_expires_at <= ?))"
    " AND attempts < max_attempts"
)


# SQLite allows 32,766 bound values per statement; a jobs row binds 8.
_MAX_ROWS_PER_STATEMENT = 1000
_T = TypeVar("_T")


def _chunks(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Payloads are stored LZ4-compressed (a 16 KiB webhook body takes ~3.5 KiB): writing the WAL
# is what a durable batch of deliveries waits on, so a smaller row is a faster 202.
# Rows written before compression are plain JSON; the frame's magic number tells them apart.
_LZ4_FRAME_MAGIC = b"\x04\x22\x4d\x18"


def _pack(payload: bytes) -> bytes:
    return bytes(lz4.frame.compress(payload))


def _unpack(stored: bytes) -> bytes:
    return bytes(lz4.frame.decompress(stored)) if stored.startswith(_LZ4_FRAME_MAGIC) else stored


def _job(row: sqlite3.Row) -> Job:
    data = dict(row)
    data["payload"] = _unpack(bytes(data["payload"]))
    return Job.model_validate(data)


class SqliteStore(Store):
    """The store in one SQLite file (or `:memory:` for a single-process test)."""

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Callable[[], float] = time.time,
        max_attempts: int = 3,
        always_durable: bool = False,
    ) -> None:
        self.path = str(path)
        self._clock = clock
        self._max_attempts = max_attempts
        self._lock = threading.RLock()
        self._always_durable = always_durable
        try:
            if self.path != ":memory:":
                Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None, check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            # 16 KiB pages for a new file (no effect on an existing one): several compressed
            # payloads share a page, so a batch of deliveries writes fewer WAL frames.
            self._db.execute("PRAGMA page_size=16384")
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode survives a process kill; `_write(durable=True)` adds the fsync
            # for commits that must also survive a power cut.
            self._db.execute(f"PRAGMA synchronous={'FULL' if always_durable else 'NORMAL'}")
            self._db.execute("PRAGMA busy_timeout=10000")
            self._db.executescript(SCHEMA)
        except (sqlite3.Error, OSError) as err:
            raise StoreError(
                f"cannot open the SQLite store at {self.path}: {err}; check AUTOPILOT_DATABASE_URL or AUTOPILOT_DATA_DIR"
            ) from err

    @contextmanager
    def _write(self, *, durable: bool = False) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken up front so concurrent writers queue instead of deadlocking.

        `durable` commits with an fsync (synchronous=FULL): used where losing the commit to a power
        cut would lose work GitHub was told we have (accepted deliveries). Other commits survive a
        process crash; a lost job state change only means the job runs again.
        """
        sync_this_commit = durable and not self._always_durable
        with self._lock:
            try:
                if sync_this_commit:
                    self._db.execute("PRAGMA synchronous=FULL")
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                    self._db.execute("COMMIT")
                except BaseException:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as err:
                raise StoreError(f"SQLite store {self.path} cannot write: {err}") from err
            finally:
                if sync_this_commit:
                    with suppress(sqlite3.Error):  # a dead connection already raised the error that matters
                        self._db.execute("PRAGMA synchronous=NORMAL")

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._db
            except sqlite3.Error as err:
                raise StoreError(f"SQLite store {self.path} does not answer: {err}") from err

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._reading() as db:
            return db.execute(sql, params).fetchall()

    # --- deliveries and jobs -----------------------------------------------------------------

    def record_deliveries(self, deliveries: Sequence[Delivery]) -> list[RecordedDelivery]:
        """One durable transaction of three statements whatever the batch size.

        Why not one INSERT per delivery: every statement hands the GIL back and forth with
        the server's event loop, and a burst of deliveries then waits on that churn.
        """
        now = self._clock()
        fresh: dict[str, Delivery] = {}
        for d in deliveries:
            fresh.setdefault(d.id, d)
        packed = {d.id: _pack(d.payload) for d in fresh.values() if d.enqueue}  # outside the write lock
        results: list[RecordedDelivery] = []
        with self._write(durable=True) as db:
            ids = list(fresh)
            known: set[str] = set()
            for id_chunk in _chunks(ids, _MAX_ROWS_PER_STATEMENT):
                marks = ",".join("?" * len(id_chunk))
                known.update(
                    row[0] for row in db.execute(f"SELECT id FROM deliveries WHERE id IN ({marks})", id_chunk)
                )
            new = [d for d in fresh.values() if d.id not in known]
            for new_chunk in _chunks(new, _MAX_ROWS_PER_STATEMENT):
                db.execute(
                    "INSERT INTO deliveries (id, event, action, outcome, received_at) VALUES "
                    + ",".join(["(?, ?, ?, ?, ?)"] * len(new_chunk)),
                    [
                        v
                        for d in new_chunk
                        for v in (d.id, d.event, d.action, "queued" if d.enqueue else "ignored", now)
                    ],
                )
            queued = [d for d in new if d.enqueue]
            for job_chunk in _chunks(queued, _MAX_ROWS_PER_STATEMENT):
                db.execute(
                    f"INSERT INTO jobs ({_JOB_COLUMNS}) VALUES "
                    + ",".join(["(?, ?, ?, ?, 'queued', 0, ?, NULL, NULL, ?, NULL, ?, ?)"] * len(job_chunk)),
                    [
                        v
                        for d in job_chunk
                        for v in (
                            d.id,
                            d.event,
                            d.action,
                            packed[d.id],
                            self._max_attempts,
                            now,
                            now,
                            now,
                        )
                    ],
                )
        recorded: set[str] = set()
        for d in deliveries:
            if d.id in known or d.id in recorded:
                results.append(RecordedDelivery(delivery_id=d.id, new=False))
                continue
            recorded.add(d.id)
            job = None
            if d.enqueue:
                job = Job(
                    id=d.id,
                    event=d.event,
                    action=d.action,
                    payload=d.payload,
                    status=JobStatus.QUEUED,
                    max_attempts=self._max_attempts,
                    available_at=now,
                    created_at=now,
                    updated_at=now,
                )
            results.append(RecordedDelivery(delivery_id=d.id, new=True, job=job))
        return results

    def get_job(self, job_id: str) -> Job | None:
        rows = self._read(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE id = ?", (job_id,))
        return _job(rows[0]) if rows else None

    def claim_job(
        self, worker: str, *, lease_seconds: float = 300.0, job_id: str | None = None
    ) -> Job | None:
        now = self._clock()
        with self._write() as db:
            if job_id is None:
                # A worker that died on the last attempt leaves a running job nobody may retry;
                # the sweep (no job id) marks it failed. A claim by id only needs the one row.
                db.execute(
                    "UPDATE jobs SET status = 'failed', lease_owner = NULL, lease_expires_at = NULL,"
                    " last_error = 'worker lease expired on the last attempt', updated_at = ?"
                    " WHERE status = 'running' AND lease_expires_at <= ? AND attempts >= max_attempts",
                    (now, now),
                )
            only = " AND id = ?" if job_id is not None else ""
            params: tuple[Any, ...] = (now, now) + ((job_id,) if job_id is not None else ())
            claimed = db.execute(
                "UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_owner = ?,"
                " lease_expires_at = ?, updated_at = ?"
                f" WHERE id = (SELECT id FROM jobs WHERE {_RUNNABLE}{only} ORDER BY created_at, id LIMIT 1)"
                f" RETURNING {_JOB_COLUMNS}",
                (worker, now + lease_seconds, now, *params),
            ).fetchone()
        return None if claimed is None else _job(claimed)

    def extend_lease(self, job_id: str, worker: str, *, lease_seconds: float) -> bool:
        now = self._clock()
        with self._write() as db:
            changed = db.execute(
                "UPDATE jobs SET lease_expires_at = ?, updated_at = ?"
                " WHERE id = ? AND status = 'running' AND lease_owner = ? AND lease_expires_at > ?",
                (now + lease_seconds, now, job_id, worker, now),
            ).rowcount
        return changed == 1

    def complete_job(self, job_id: str, worker: str) -> bool:
        now = self._clock()
        with self._write() as db:
            changed = db.execute(
                "UPDATE jobs SET status = 'done', lease_owner = NULL, lease_expires_at = NULL, updated_at = ?"
                " WHERE id = ? AND status = 'running' AND lease_owner = ?",
                (now, job_id, worker),
            ).rowcount
        return changed == 1

    def fail_job(self, job_id: str, worker: str, error: str, *, retry_in: float = 30.0) -> JobStatus | None:
        now = self._clock()
        with self._write() as db:
            row = db.execute(
                "SELECT attempts, max_attempts FROM jobs WHERE id = ? AND status = 'running' AND lease_owner = ?",
                (job_id, worker),
            ).fetchone()
            if row is None:
                return None
            status = JobStatus.FAILED if row["attempts"] >= row["max_attempts"] else JobStatus.QUEUED
            db.execute(
                "UPDATE jobs SET status = ?, lease_owner = NULL, lease_expires_at = NULL, last_error = ?,"
                " available_at = ?, updated_at = ? WHERE id = ?",
                (status.value, error[:2000], now + retry_in, now, job_id),
            )
        return status

    def job_counts(self) -> dict[JobStatus, int]:
        counts = dict.fromkeys(JobStatus, 0)
        for row in self._read("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status"):
            counts[JobStatus(row["status"])] = row["n"]
        return counts

    def prune(self, before: float) -> int:
        with self._write() as db:
            jobs = db.execute(
                "DELETE FROM jobs WHERE status IN ('done', 'failed') AND updated_at < ?", (before,)
            ).rowcount
            deliveries = db.execute(
                "DELETE FROM deliveries WHERE received_at < ? AND id NOT IN (SELECT id FROM jobs)", (before,)
            ).rowcount
        return jobs + deliveries

    # --- run records ---------------------------------------------------------------------------

    def _load_run(self, db: sqlite3.Connection, thread_id: str) -> RunRecord | None:
        row = db.execute(
            "SELECT thread_id, stage, status_comment_id, pr_number, branch, bot_commits_in_a_row, updated_at"
            " FROM runs WHERE thread_id = ?",
            (thread_id,),
        ).fetchone()
        if row is None:
            return None
        heals = db.execute(
            "SELECT head_sha, attempts FROM heal_attempts WHERE thread_id = ? ORDER BY head_sha", (thread_id,)
        ).fetchall()
        return RunRecord.model_validate(
            {**dict(row), "heal_attempts": {h["head_sha"]: h["attempts"] for h in heals}}
        )

    def get_run(self, thread_id: str) -> RunRecord | None:
        with self._reading() as db:
            return self._load_run(db, thread_id)

    def save_run(self, run: RunRecord) -> RunRecord:
        saved = run.model_copy(update={"updated_at": self._clock()})
        with self._write() as db:
            db.execute(UPSERT_RUN, run_params(saved))
            db.execute(FORGET_HEAL_ATTEMPTS, (saved.thread_id,))
            db.executemany(INSERT_HEAL_ATTEMPT, heal_attempt_rows(saved))
        return saved

    def _find_run(self, where: str, params: tuple[Any, ...]) -> RunRecord | None:
        with self._reading() as db:
            row = db.execute(LATEST_RUN_WHERE.format(where=where), params).fetchone()
            return self._load_run(db, row["thread_id"]) if row else None

    def find_run_by_pr(self, repo: str, pr_number: int) -> RunRecord | None:
        return self._find_run("repo = ? AND pr_number = ?", (repo, pr_number))

    def find_run_by_branch(self, repo: str, branch: str) -> RunRecord | None:
        return self._find_run("repo = ? AND branch = ?", (repo, branch))

    def _ensure_run(self, db: sqlite3.Connection, thread_id: str) -> None:
        record = RunRecord(thread_id=thread_id)  # validates the thread id
        db.execute(
            "INSERT INTO runs (thread_id, repo, stage, bot_commits_in_a_row, updated_at)"
            " VALUES (?, ?, ?, 0, ?) ON CONFLICT (thread_id) DO NOTHING",
            (record.thread_id, record.repo, record.stage, self._clock()),
        )

    def add_heal_attempt(self, thread_id: str, head_sha: str) -> int:
        with self._write() as db:
            self._ensure_run(db, thread_id)
            db.execute(
                "INSERT INTO heal_attempts (thread_id, head_sha, attempts) VALUES (?, ?, 1)"
                " ON CONFLICT (thread_id, head_sha) DO UPDATE SET attempts = heal_attempts.attempts + 1",
                (thread_id, head_sha),
            )
            row = db.execute(
                "SELECT attempts FROM heal_attempts WHERE thread_id = ? AND head_sha = ?",
                (thread_id, head_sha),
            ).fetchone()
        return int(row["attempts"])

    def record_commit(self, thread_id: str, *, by_bot: bool) -> int:
        with self._write() as db:
            self._ensure_run(db, thread_id)
            db.execute(
                "UPDATE runs SET bot_commits_in_a_row = CASE WHEN ? THEN bot_commits_in_a_row + 1 ELSE 0 END,"
                " updated_at = ? WHERE thread_id = ?",
                (by_bot, self._clock(), thread_id),
            )
            row = db.execute(
                "SELECT bot_commits_in_a_row FROM runs WHERE thread_id = ?", (thread_id,)
            ).fetchone()
        return int(row["bot_commits_in_a_row"])

    # --- locks ---------------------------------------------------------------------------------

    def acquire_lock(self, name: str, owner: str, *, ttl_seconds: float) -> bool:
        now = self._clock()
        with self._write() as db:
            changed = db.execute(
                "INSERT INTO locks (name, owner, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at"
                " WHERE locks.expires_at <= ? OR locks.owner = excluded.owner",
                (name, owner, now + ttl_seconds, now),
            ).rowcount
        return changed == 1

    def release_lock(self, name: str, owner: str) -> bool:
        with self._write() as db:
            return db.execute("DELETE FROM locks WHERE name = ? AND owner = ?", (name, owner)).rowcount == 1

    def get_lock(self, name: str) -> LockInfo | None:
        rows = self._read("SELECT name, owner, expires_at FROM locks WHERE name = ?", (name,))
        if not rows or rows[0]["expires_at"] <= self._clock():
            return None
        return LockInfo.model_validate(dict(rows[0]))

    # --- lifecycle -----------------------------------------------------------------------------

    def ping(self) -> None:
        self._read("SELECT 1")

    def close(self) -> None:
        with self._lock:
            self._db.close()
