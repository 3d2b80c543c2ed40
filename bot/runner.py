"""Run one stored webhook job: parse it, find its thread, take the thread's lock, call its handlers.

`handle_job(job, bot)` is the single entry point, a plain function so the in-process
background pool (`bot.app`) and a task-queue worker process call it the same way;
`process_job` adds the claim / complete / fail bookkeeping around it. One conversation
(`owner/repo#number`) runs one job at a time: a job that finds the thread locked raises
`ThreadBusy` and goes back to the queue; on its last attempt a command is answered "busy".
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel

from agents.graph import ChartSession
from bot import messages
from bot.config import Settings
from bot.events import (
    CheckRunEvent,
    CheckSuiteEvent,
    EventPayloadError,
    IssueCommentEvent,
    PullRequestEvent,
    PullRequestReviewCommentEvent,
    PullRequestReviewEvent,
    RepositoryEvent,
    WorkflowRunEvent,
    parse_event,
)
from bot.git import GitIdentity
from bot.github import GitHubClient
from bot.redact import redact
from bot.store import Job, JobStatus, Store
from bot.threads import ThreadId

if TYPE_CHECKING:
    from fastapi import FastAPI

log = logging.getLogger("autopilot.runner")

LOCK_TTL_SECONDS = 900.0  # longer than any run; an expired lock means its holder died
BUSY_RETRY_SECONDS = 5.0
ERROR_RETRY_SECONDS = 30.0


class ThreadBusy(Exception):
    """Another job holds the thread's lock; the job must wait for it."""

    def __init__(self, thread_id: str) -> None:
        super().__init__(f"thread {thread_id} is busy with another run")
        self.thread_id = thread_id


class InstallationClients(Protocol):
    """What the runner needs from the App (`bot.github.GitHubApp`)."""

    def client_for(self, installation_id: int) -> GitHubClient: ...

    def installation_id_for(self, owner: str, repo: str) -> int: ...


@dataclass
class Bot:
    """Everything a job needs: settings, store, the chart engine, the App, and where to clone."""

    settings: Settings
    store: Store
    session: ChartSession
    github: InstallationClients
    workdir: Path
    identity: GitIdentity = field(default_factory=GitIdentity)
    # asked once, on the first commit (so start-up needs no GitHub), then kept in `identity`
    identity_lookup: Callable[[GitHubClient], GitIdentity] | None = None
    _identity_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    worker_id: str = field(default_factory=lambda: f"worker-{uuid.uuid4().hex[:12]}")
    lease_seconds: float = 600.0
    busy_retry_seconds: float = BUSY_RETRY_SECONDS
    error_retry_seconds: float = ERROR_RETRY_SECONDS
    asgi: FastAPI | None = None  # set by `bot.app.build_bot` for the server
    close_hooks: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        """Stop background work and close what `build_bot` opened, newest first."""
        while self.close_hooks:
            hook = self.close_hooks.pop()
            try:
                hook()
            except Exception as err:  # noqa: BLE001 - keep closing the rest
                log.warning("while closing the bot: %s", redact(str(err)))

    def commit_identity(self, client: GitHubClient) -> GitIdentity:
        """Who the bot's commits are by; a failed lookup fails the job (retried), never a guess, so
        every commit of the bot carries the same address and is recognised as its own."""
        with self._identity_lock:
            if self.identity_lookup is not None:
                self.identity = self.identity_lookup(client)
                self.identity_lookup = None
            return self.identity

    @property
    def bot_login(self) -> str:
        return self.settings.bot_login or self.identity.name


class JobResult(BaseModel):
    """What happened to a job, for logs and tests."""

    job_id: str
    thread_id: str | None = None
    handled: list[str] = []
    note: str = ""


def _raw(job: Job) -> dict[str, Any]:
    data = json.loads(job.payload)
    return data if isinstance(data, dict) else {}


def _head_branch(job: Job, event: RepositoryEvent) -> str | None:
    """The branch a check or workflow ran on (check runs carry it only in the raw suite)."""
    if isinstance(event, CheckSuiteEvent | WorkflowRunEvent):
        return (
            event.check_suite.head_branch
            if isinstance(event, CheckSuiteEvent)
            else event.workflow_run.head_branch
        )
    if isinstance(event, CheckRunEvent):
        suite = _raw(job).get("check_run", {}).get("check_suite") or {}
        branch = suite.get("head_branch") if isinstance(suite, dict) else None
        return branch if isinstance(branch, str) else None
    return None


def resolve_thread(job: Job, event: RepositoryEvent, store: Store) -> str | None:
    """The conversation an event belongs to: a PR the bot opened maps back to the issue that asked for it."""
    repo = event.repository.full_name
    if isinstance(event, IssueCommentEvent):
        number = event.issue.number
        run = store.find_run_by_pr(repo, number) if event.issue.is_pull_request else None
        return run.thread_id if run else event.repository.thread_id(number)
    if isinstance(event, PullRequestReviewEvent | PullRequestReviewCommentEvent | PullRequestEvent):
        number = event.pull_request.number
        run = store.find_run_by_pr(repo, number)
        return run.thread_id if run else event.repository.thread_id(number)
    if isinstance(event, CheckRunEvent | CheckSuiteEvent | WorkflowRunEvent):
        branch = _head_branch(job, event)
        run = store.find_run_by_branch(repo, branch) if branch else None
        if run is None:
            for thread in event.thread_ids:
                run = store.find_run_by_pr(repo, ThreadId.parse(thread).number)
                if run is not None:
                    break
        return run.thread_id if run else None  # checks on branches the bot does not own are not ours
    return None


def _installation_id(event: RepositoryEvent, bot: Bot) -> int:
    if event.installation is not None:
        return event.installation.id
    return bot.github.installation_id_for(event.repository.owner.login, event.repository.name)


def _lock_owner(lease_owner: str, job_id: str) -> str:
    """A thread lock is held in the name of one job's lease, so the lease tells whether its holder lives."""
    return f"{lease_owner}:{job_id}"


def _free_lock_of_a_lost_lease(store: Store, lock: str) -> None:
    """Drop `lock` when the job it was taken for no longer runs under that lease.

    A worker killed mid-run leaves its thread lock for LOCK_TTL_SECONDS, but its job lease
    runs out sooner and the job is claimed again (or has finished); from then on the old
    holder has lost the job, so its lock must not keep the retry waiting. A lock whose
    owner names no stored job (or whose job still runs under that very lease) is left alone:
    only its TTL frees it. `release_lock` deletes only that owner's row, so a lock taken
    meanwhile by a live worker is never touched.
    """
    held = store.get_lock(lock)
    if held is None:
        return
    _, _, job_id = held.owner.rpartition(":")
    job = store.get_job(job_id) if job_id else None
    if job is None:
        return
    lease_holder = job.lease_owner if job.status == JobStatus.RUNNING else None
    if lease_holder is not None and _lock_owner(lease_holder, job.id) == held.owner:
        return  # its holder still owns the job's lease
    log.warning("taking over %s: its holder %s lost the lease of job %s", lock, held.owner, job.id)
    store.release_lock(lock, held.owner)


@contextmanager
def _renewing(bot: Bot, job_id: str, lock: str, owner: str) -> Iterator[None]:
    """Renew the job's lease and the thread lock while the run lasts.

    A live worker keeps both, however long its run; so a lease that runs out means its
    worker died, and only then may another worker claim the job and take over its lock.
    """
    stop = threading.Event()
    every = min(bot.lease_seconds, LOCK_TTL_SECONDS) / 3

    def renew() -> None:
        while not stop.wait(every):
            try:
                if not bot.store.extend_lease(job_id, bot.worker_id, lease_seconds=bot.lease_seconds):
                    log.warning("job %s: the lease of %s was lost while it ran", job_id, bot.worker_id)
                bot.store.acquire_lock(lock, owner, ttl_seconds=LOCK_TTL_SECONDS)
            except Exception as err:  # noqa: BLE001 - keep trying; the run itself decides the outcome
                log.warning("job %s: could not renew its lease: %s", job_id, redact(str(err)))

    keeper = threading.Thread(target=renew, name=f"lease-{job_id}", daemon=True)
    keeper.start()
    try:
        yield
    finally:
        stop.set()
        keeper.join()


def handle_job(job: Job, bot: Bot) -> JobResult:
    """Do the work of one delivery; raises `ThreadBusy` when its conversation is running elsewhere."""
    from bot.handlers import ROUTER
    from bot.handlers.context import EventContext

    try:
        event = parse_event(job.event, job.payload)
    except EventPayloadError as err:
        return JobResult(job_id=job.id, note=f"unusable payload: {err}")
    handlers = ROUTER.handlers_for(job.event, job.action)
    if event is None or not isinstance(event, RepositoryEvent) or not handlers:
        return JobResult(job_id=job.id, note=f"no handler for {job.event}.{job.action}")
    thread_id = resolve_thread(job, event, bot.store)
    if thread_id is None:
        return JobResult(job_id=job.id, note="not about a conversation of the bot")

    client = bot.github.client_for(_installation_id(event, bot))
    try:
        ctx = EventContext(bot=bot, job=job, event=event, client=client, thread_id=thread_id)
        wanted = [h for h in handlers if h.wants(ctx)]
        if not wanted:
            return JobResult(job_id=job.id, thread_id=thread_id, note="nothing to do")
        lock = f"thread:{thread_id}"
        owner = _lock_owner(bot.worker_id, job.id)
        if not bot.store.acquire_lock(lock, owner, ttl_seconds=LOCK_TTL_SECONDS):
            _free_lock_of_a_lost_lease(bot.store, lock)
            if not bot.store.acquire_lock(lock, owner, ttl_seconds=LOCK_TTL_SECONDS):
                raise ThreadBusy(thread_id)
        try:
            with _renewing(bot, job.id, lock, owner):
                for handler in wanted:
                    handler.run(ctx)
        finally:
            bot.store.release_lock(lock, owner)
        return JobResult(job_id=job.id, thread_id=thread_id, handled=[h.name for h in wanted])
    finally:
        client.close()


def answer_busy(job: Job, bot: Bot, thread_id: str) -> None:
    """The job's last attempt found the thread still busy: say so, if it was a command."""
    event = parse_event(job.event, job.payload)
    if not isinstance(event, IssueCommentEvent):
        return
    from bot.commands import Run, parse_comment

    comment = event.comment
    parsed = parse_comment(
        comment.body,
        bot_login=bot.bot_login,
        author_login=comment.user.login if comment.user else "",
        author_is_bot=bool(comment.user and comment.user.is_bot),
    )
    if not isinstance(parsed, Run):
        return
    run = bot.store.get_run(thread_id)
    client = bot.github.client_for(_installation_id(event, bot))
    try:
        client.create_comment(
            event.repository.owner.login,
            event.repository.name,
            event.issue.number,
            messages.busy(thread_id, run.stage if run else "running"),
        )
    finally:
        client.close()


def process_job(job_id: str, bot: Bot) -> JobStatus | None:
    """Claim `job_id`, run it, and record the outcome; None when another worker has it."""
    store = bot.store
    job = store.claim_job(bot.worker_id, lease_seconds=bot.lease_seconds, job_id=job_id)
    if job is None:
        return None
    return _finish(job, bot)


def process_next(bot: Bot) -> JobStatus | None:
    """Claim and run the oldest runnable job (a retry, or one left by a dead process); None when idle."""
    job = bot.store.claim_job(bot.worker_id, lease_seconds=bot.lease_seconds)
    return None if job is None else _finish(job, bot)


def _finish(job: Job, bot: Bot) -> JobStatus | None:
    store = bot.store
    try:
        result = handle_job(job, bot)
    except ThreadBusy as busy:
        if job.attempts < job.max_attempts:
            log.info("job %s waits: %s", job.id, busy)
            return store.fail_job(job.id, bot.worker_id, str(busy), retry_in=bot.busy_retry_seconds)
        try:
            answer_busy(job, bot, busy.thread_id)
        except Exception as err:  # noqa: BLE001 - the busy note is a courtesy
            log.warning("could not post the busy note for job %s: %s", job.id, redact(str(err)))
        store.complete_job(job.id, bot.worker_id)
        return JobStatus.DONE
    except Exception as err:  # noqa: BLE001 - any failure is recorded and retried, never raised to the pool
        problem = redact(f"{type(err).__name__}: {err}")
        log.error("job %s (%s.%s) failed: %s", job.id, job.event, job.action, problem)
        return store.fail_job(job.id, bot.worker_id, problem, retry_in=bot.error_retry_seconds)
    log.info("job %s done: thread=%s handled=%s %s", job.id, result.thread_id, result.handled, result.note)
    store.complete_job(job.id, bot.worker_id)
    return JobStatus.DONE
