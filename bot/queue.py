"""The job queue for many servers and workers: procrastinate over the same PostgreSQL as the store.

A server records the delivery in the store (its dedupe is the first guard) and defers one
procrastinate task carrying only the job id, with `queueing_lock=job id` as a second guard.
A worker's task claims the stored job (lease), calls the runner's `process_job` → `handle_job`,
and turns "not now" (thread busy, error backoff, leased elsewhere) into a procrastinate retry
at the store's own retry time. Two recovery duties run in every worker:

- a worker killed mid-run stops its heartbeat; another worker frees the dead run's store
  lease and thread lock and retries the task, which resumes from the graph's checkpoint;
- a job recorded by a server that died before deferring it is deferred again after a while.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from procrastinate import App, JobContext, PsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued, ProcrastinateException
from procrastinate.jobs import Job as QueueJob
from procrastinate.jobs import Status
from procrastinate.retry import BaseRetryStrategy, RetryDecision

from bot.config import Settings
from bot.runner import Bot, process_job
from bot.store import Job, JobStatus
from bot.store.postgres import PostgresStore

log = logging.getLogger("autopilot.queue")

QUEUE_NAME = "autopilot"
TASK_NAME = "autopilot.run_job"
BOT_CONTEXT_KEY = "bot"
MAX_QUEUE_ATTEMPTS = 50  # "not now" retries; real failures are bounded by the store's max_attempts
UNQUEUED_AFTER_SECONDS = 60.0  # a recorded job nobody deferred for this long is deferred again


class RetryLater(Exception):
    """The stored job cannot run now; procrastinate should try again at `at` (Unix seconds)."""

    def __init__(self, job_id: str, at: float, why: str) -> None:
        super().__init__(f"job {job_id}: {why}; retry at {at:.0f}")
        self.at = at


class StoredJobRetry(BaseRetryStrategy):
    """Retry only `RetryLater`, at the time the store asked for; anything else ends the task."""

    def get_retry_decision(self, *, exception: BaseException, job: QueueJob) -> RetryDecision | None:
        if not isinstance(exception, RetryLater) or job.attempts + 1 >= MAX_QUEUE_ATTEMPTS:
            return None
        return RetryDecision(retry_at=datetime.datetime.fromtimestamp(exception.at, tz=datetime.UTC))


def run_owner(queue_job_id: int | None, attempt: int, worker_id: str) -> str:
    """The store lease owner for one run of a queue task: names the run, so recovery frees only it."""
    return f"{run_owner_prefix(queue_job_id, attempt)}{worker_id}"


def run_owner_prefix(queue_job_id: int | None, attempt: int) -> str:
    return f"q{queue_job_id}.{attempt}@"


def run_stored_job(job_id: str, bot: Bot) -> JobStatus | None:
    """Run the stored job once; raise `RetryLater` when it must wait; None when nothing is left to do."""
    store = bot.store
    status = process_job(job_id, bot)
    if status in (JobStatus.DONE, JobStatus.FAILED):
        return status
    job = store.get_job(job_id)
    if job is None or job.status in (JobStatus.DONE, JobStatus.FAILED):
        return None  # a duplicate task, or finished by another worker meanwhile
    if job.status == JobStatus.QUEUED:
        raise RetryLater(job_id, job.available_at, job.last_error or "not due yet")
    # Running under another live worker's lease: come back when that lease ends, in case it dies.
    raise RetryLater(job_id, job.lease_expires_at or time.time(), f"leased by {job.lease_owner}")


def _run_job_task(context: JobContext, job_id: str) -> None:
    bot: Bot = context.additional_context[BOT_CONTEXT_KEY]
    queue_job = context.job
    this_run = dataclasses.replace(
        bot, worker_id=run_owner(queue_job.id, queue_job.attempts, bot.worker_id), close_hooks=[]
    )
    status = run_stored_job(job_id, this_run)
    log.info("queue job %s (stored job %s) finished: %s", queue_job.id, job_id, status or "nothing to do")


def build_queue(database_url: str, *, pool_size: int = 4) -> App:
    """The procrastinate app on `database_url` (not opened) with the `run_job` task registered."""
    app = App(connector=PsycopgConnector(conninfo=database_url, min_size=1, max_size=pool_size))
    app.task(name=TASK_NAME, queue=QUEUE_NAME, pass_context=True, retry=StoredJobRetry())(_run_job_task)
    return app


def defer_job(queue: App, job_id: str) -> bool:
    """Enqueue the stored job once; False when a task for it is already waiting."""
    try:
        queue.tasks[TASK_NAME].configure(queueing_lock=job_id).defer(job_id=job_id)
    except AlreadyEnqueued:
        return False
    return True


class EnqueueDispatch:
    """The server's `dispatch`: defer a task for the recorded job instead of running it here."""

    def __init__(self, queue: App) -> None:
        self.queue = queue

    async def __call__(self, job: Job) -> None:
        if not await asyncio.to_thread(defer_job, self.queue, job.id):
            log.info("job %s was already enqueued", job.id)


# --- recovery, run by every worker -------------------------------------------------------------------


async def retry_stalled(queue: App, store: PostgresStore, *, stalled_after: float) -> list[str]:
    """Retry the tasks of workers whose heartbeat stopped, after freeing their runs' leases and locks."""
    retried: list[str] = []
    stalled = await queue.job_manager.get_stalled_jobs(
        queue=QUEUE_NAME, seconds_since_heartbeat=stalled_after
    )
    for queue_job in stalled:
        job_id = str(queue_job.task_kwargs.get("job_id", ""))
        prefix = run_owner_prefix(queue_job.id, queue_job.attempts)
        dead = await asyncio.to_thread(store.release_dead_lease, job_id, prefix)
        try:
            await queue.job_manager.retry_job(queue_job)
        except ProcrastinateException as err:  # another worker retried it first
            log.info("stalled queue job %s already handled: %s", queue_job.id, err)
            continue
        except Exception as err:  # noqa: BLE001 - psycopg's "not in doing status" from a racing worker
            log.info("stalled queue job %s already handled: %s", queue_job.id, err)
            continue
        log.warning("retrying job %s: its worker stopped (lease of %s freed)", job_id, dead or "nobody")
        retried.append(job_id)
    return retried


async def defer_unqueued(queue: App, store: PostgresStore, *, older_than: float) -> list[str]:
    """Defer stored jobs that are due but were never enqueued (their server died after recording)."""
    deferred = []
    for job_id in await asyncio.to_thread(store.due_jobs, older_than=older_than):
        tasks = await queue.job_manager.list_jobs_async(queueing_lock=job_id)
        if {Status(task.status) for task in tasks} & {Status.TODO, Status.DOING}:  # rows carry plain strings
            continue  # waiting in the queue, or picked a moment ago and about to claim it
        try:
            await queue.tasks[TASK_NAME].configure(queueing_lock=job_id).defer_async(job_id=job_id)
        except AlreadyEnqueued:
            continue
        deferred.append(job_id)
    if deferred:
        log.warning("enqueued %d recorded job(s) nobody had enqueued: %s", len(deferred), ", ".join(deferred))
    return deferred


async def recover_forever(
    queue: App,
    store: PostgresStore,
    *,
    every: float,
    stalled_after: float,
    unqueued_after: float = UNQUEUED_AFTER_SECONDS,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> None:
    """Run both recovery duties every `every` seconds until cancelled; a failing round is logged, not fatal."""
    while True:
        try:
            await retry_stalled(queue, store, stalled_after=stalled_after)
            await defer_unqueued(queue, store, older_than=unqueued_after)
        except Exception:  # noqa: BLE001 - a database blip must not stop the worker's recovery duty
            log.exception("queue recovery round failed")
        await sleep(every)


# --- composing the processes ---------------------------------------------------------------------------


@dataclasses.dataclass
class QueuedServer:
    """A webhook server that records and enqueues; workers elsewhere run the jobs."""

    asgi: Any  # FastAPI
    store: PostgresStore
    queue: App

    def close(self) -> None:
        self.queue.close()
        self.store.close()


def build_queued_server(settings: Settings) -> QueuedServer:
    """The webhook app over the PostgreSQL store whose `dispatch` enqueues; refuses an un-migrated database."""
    from bot.server import create_app

    store = PostgresStore(settings.database_url)  # raises DatabaseNotMigrated: "run `autopilot db upgrade`"
    try:
        queue = build_queue(settings.database_url).open()
    except Exception:
        store.close()
        raise
    return QueuedServer(asgi=create_app(settings, store, EnqueueDispatch(queue)), store=store, queue=queue)


@dataclasses.dataclass(frozen=True)
class WorkerOptions:
    """How one worker process runs: parallel jobs, and how fast it notices a dead peer."""

    name: str
    concurrency: int = 2
    heartbeat_seconds: float = 10.0
    stalled_after: float = 30.0  # a peer silent this long is dead; its running jobs are retried
    poll_seconds: float = 2.0  # how often to look for retries that became due (new jobs are notified)
    recovery_seconds: float = 5.0


async def run_worker(bot: Bot, queue: App, options: WorkerOptions) -> None:
    """Run procrastinate's worker with `bot` for the tasks, plus the recovery loop, until a signal stops it."""
    store = bot.store
    if not isinstance(store, PostgresStore):
        raise TypeError(f"workers need the PostgreSQL store, not {type(store).__name__}")
    async with queue.open_async():
        recovery = asyncio.create_task(
            recover_forever(
                queue, store, every=options.recovery_seconds, stalled_after=options.stalled_after
            ),
            name="autopilot-queue-recovery",
        )
        try:
            await queue.run_worker_async(
                queues=[QUEUE_NAME],
                name=options.name,
                concurrency=options.concurrency,
                additional_context={BOT_CONTEXT_KEY: bot},
                update_heartbeat_interval=options.heartbeat_seconds,
                stalled_worker_timeout=options.stalled_after,
                fetch_job_polling_interval=options.poll_seconds,
                install_signal_handlers=True,
            )
        finally:
            recovery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await recovery
