"""The durable store's contract: deliveries, jobs, per-thread run records and locks.

The webhook server and the runner only speak to `Store`; a backend (SQLite now,
PostgreSQL later) implements every method with the same meaning. Times are Unix
seconds from the store's injectable clock so expiry can be tested without sleeping.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.threads import ThreadId


class StoreError(Exception):
    """The store cannot be opened or used; the message says which database and why."""


class JobStatus(StrEnum):
    QUEUED = "queued"  # accepted, waiting for a worker (or for its retry time)
    RUNNING = "running"  # claimed by a worker holding a lease
    DONE = "done"
    FAILED = "failed"  # gave up after max attempts


class Job(BaseModel):
    """One accepted webhook delivery to process; its id is the delivery id."""

    model_config = ConfigDict(frozen=True)

    id: str
    event: str
    action: str
    payload: bytes
    status: JobStatus
    attempts: int = 0
    max_attempts: int = 3
    lease_owner: str | None = None
    lease_expires_at: float | None = None
    available_at: float = 0.0
    last_error: str | None = None
    created_at: float
    updated_at: float


class Delivery(BaseModel):
    """One webhook delivery as the server accepted it (signature already verified)."""

    model_config = ConfigDict(frozen=True)

    id: str
    event: str
    action: str
    payload: bytes
    enqueue: bool = True  # False for events the bot does not handle: remembered, never run


class RecordedDelivery(BaseModel):
    model_config = ConfigDict(frozen=True)

    delivery_id: str
    new: bool  # False: a redelivery of an id already recorded
    job: Job | None = None  # the queued job for a new, handled delivery


class RunRecord(BaseModel):
    """What the bot knows about one conversation (`owner/repo#number`) outside the graph checkpoint."""

    thread_id: str
    stage: str = "new"
    status_comment_id: int | None = None
    pr_number: int | None = None
    branch: str | None = None
    bot_commits_in_a_row: int = Field(default=0, ge=0)
    heal_attempts: dict[str, int] = Field(default_factory=dict)  # head sha -> attempts on that sha
    updated_at: float = 0.0

    @field_validator("thread_id")
    @classmethod
    def _thread_id(cls, value: str) -> str:
        ThreadId.parse(value)  # raises ValueError naming the value
        return value

    @property
    def repo(self) -> str:
        """`owner/repo` part of the thread id."""
        return ThreadId.parse(self.thread_id).full_name


class LockInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    owner: str
    expires_at: float


class Store(ABC):
    """Every durable fact the bot keeps; all methods are safe to call from several threads."""

    # --- deliveries and jobs -----------------------------------------------------------------

    @abstractmethod
    def record_deliveries(self, deliveries: Sequence[Delivery]) -> list[RecordedDelivery]:
        """Remember deliveries (and queue jobs for those with `enqueue`) in ONE durable transaction.

        A delivery id seen before, even by an earlier process or earlier in the same batch,
        comes back with `new=False`. One commit for many concurrent deliveries is what keeps
        the webhook answer fast while every 202 stays backed by a synced write.
        """

    def record_delivery(
        self, delivery_id: str, event: str, action: str, payload: bytes, *, enqueue: bool = True
    ) -> bool:
        """Remember one delivery; False when its id was already recorded."""
        delivery = Delivery(id=delivery_id, event=event, action=action, payload=payload, enqueue=enqueue)
        return self.record_deliveries([delivery])[0].new

    @abstractmethod
    def get_job(self, job_id: str) -> Job | None: ...

    @abstractmethod
    def claim_job(
        self, worker: str, *, lease_seconds: float = 300.0, job_id: str | None = None
    ) -> Job | None:
        """Lease the oldest runnable job (or `job_id`): queued and due, or running with an expired lease.

        The returned job has `attempts` already incremented; None when nothing is runnable.
        """

    @abstractmethod
    def extend_lease(self, job_id: str, worker: str, *, lease_seconds: float) -> bool:
        """Push a running job's lease `lease_seconds` from now; False when `worker` no longer holds it.

        A live worker renews its lease while it works, so only a dead worker's lease runs out.
        """

    @abstractmethod
    def complete_job(self, job_id: str, worker: str) -> bool:
        """Mark a job done; False when `worker` no longer holds its lease."""

    @abstractmethod
    def fail_job(self, job_id: str, worker: str, error: str, *, retry_in: float = 30.0) -> JobStatus | None:
        """Record a failed attempt: back to queued after `retry_in`, or FAILED when attempts are used up.

        Returns the new status, or None when `worker` no longer holds the lease.
        """

    @abstractmethod
    def job_counts(self) -> dict[JobStatus, int]: ...

    @abstractmethod
    def prune(self, before: float) -> int:
        """Drop finished jobs and deliveries older than `before`; returns how many rows went."""

    # --- run records ---------------------------------------------------------------------------

    @abstractmethod
    def get_run(self, thread_id: str) -> RunRecord | None: ...

    @abstractmethod
    def save_run(self, run: RunRecord) -> RunRecord:
        """Insert or replace the run record (heal attempts included); returns it with `updated_at` set."""

    @abstractmethod
    def find_run_by_pr(self, repo: str, pr_number: int) -> RunRecord | None:
        """The run that opened PR `pr_number` in `owner/repo` (its thread may be the issue's)."""

    @abstractmethod
    def find_run_by_branch(self, repo: str, branch: str) -> RunRecord | None: ...

    @abstractmethod
    def add_heal_attempt(self, thread_id: str, head_sha: str) -> int:
        """Count one more heal attempt on `head_sha`; returns the new count (creates the run if needed)."""

    @abstractmethod
    def record_commit(self, thread_id: str, *, by_bot: bool) -> int:
        """Track bot commits in a row on the branch (a human commit resets it); returns the new count."""

    # --- locks ---------------------------------------------------------------------------------

    @abstractmethod
    def acquire_lock(self, name: str, owner: str, *, ttl_seconds: float) -> bool:
        """Take `name` if free, expired, or already ours (then the expiry is renewed)."""

    @abstractmethod
    def release_lock(self, name: str, owner: str) -> bool:
        """Release `name` if `owner` holds it; False otherwise (e.g. it expired and was taken over)."""

    @abstractmethod
    def get_lock(self, name: str) -> LockInfo | None: ...

    # --- lifecycle -----------------------------------------------------------------------------

    @abstractmethod
    def ping(self) -> None:
        """Raise `StoreError` when the database cannot answer a trivial query (used by /healthz)."""

    @abstractmethod
    def close(self) -> None: ...
