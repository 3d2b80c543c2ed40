"""The composition root: settings → store → checkpointer → GitHub App → ChartSession → server → background work.

`build_bot(settings)` returns a `Bot` whose `asgi` is the FastAPI app. The server's `dispatch`
hands each recorded job to a bounded thread pool in this process; a sweeper claims jobs that
are due again (busy retries, failures, and — at start-up — jobs a killed process left
unfinished), so a delivery accepted before a crash is run after the restart. Every step of a
run is idempotent, so such a retry makes no duplicate comment, commit or PR.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from functools import partial
from pathlib import Path

from agents.checkpoint import CheckpointConfigError, is_postgres_url, open_checkpointer
from agents.graph import ChartSession
from agents.llm import LLMConfigError, build_chat_model
from bot.config import Settings, SettingsError
from bot.git import GitIdentity
from bot.github import GitHubApp, GitHubClient, GitHubNotFound
from bot.metrics import process_metrics
from bot.runner import Bot, InstallationClients, process_job, process_next
from bot.server import create_app
from bot.store import Job, StoreError, open_store

log = logging.getLogger("autopilot.app")

DEFAULT_CONCURRENCY = 2
SWEEP_SECONDS = 2.0


def look_up_identity(settings: Settings, app: GitHubApp, client: GitHubClient) -> GitIdentity:
    """Commits by the App's bot user, `<id>+<slug>[bot]@users.noreply.github.com`: the one address
    GitHub links to the App (without the id a commit shows an unlinked author)."""
    login = settings.bot_login or f"{app.slug()}[bot]"
    try:
        user = client.get_user(login)
    except GitHubNotFound:
        raise SettingsError(
            f"GitHub has no user {login!r}: set AUTOPILOT_BOT_LOGIN to your App's slug followed by [bot], "
            "or leave it unset to ask GitHub"
        ) from None
    return GitIdentity.of_bot_user(user.login, user.id, settings.github_api_url)


def check_settings(settings: Settings) -> None:
    """Refuse to start without what the App cannot run without; one line naming the variable."""
    if settings.app_id is None:
        raise SettingsError("AUTOPILOT_APP_ID is not set: give your GitHub App's numeric id")
    settings.private_key_pem()  # raises SettingsError naming AUTOPILOT_PRIVATE_KEY(_PATH)
    if settings.webhook_secret is None or not settings.webhook_secret.get_secret_value():
        raise SettingsError(
            "AUTOPILOT_WEBHOOK_SECRET is not set: the server refuses unsigned webhooks; "
            "use the secret configured in the App's webhook settings"
        )


class BackgroundWork:
    """Runs jobs in a bounded pool; a sweeper thread picks up jobs that are due again."""

    def __init__(self, bot: Bot, *, concurrency: int, sweep_seconds: float) -> None:
        self.bot = bot
        self.pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="autopilot-job")
        self.slots = threading.BoundedSemaphore(concurrency)
        self.sweep_seconds = sweep_seconds
        self.stopping = threading.Event()
        self.sweeper = threading.Thread(target=self._sweep, name="autopilot-sweeper", daemon=True)

    def start(self) -> None:
        self.sweeper.start()

    def submit(self, job_id: str) -> None:
        self.pool.submit(self._run_one, job_id)

    def _run_one(self, job_id: str) -> None:
        with self.slots:
            try:
                process_job(job_id, self.bot)
            except Exception:  # noqa: BLE001 - the job stays in the store; the sweeper retries it
                log.exception("job %s could not be processed", job_id)

    def _sweep(self) -> None:
        """Claim due jobs while a slot is free: restart recovery first, then every `sweep_seconds`."""
        while not self.stopping.is_set():
            while not self.stopping.is_set() and self.slots.acquire(blocking=False):
                try:
                    done = process_next(self.bot)
                except Exception:  # noqa: BLE001 - a broken store must not kill the sweeper
                    log.exception("sweeping the job queue failed")
                    done = None
                finally:
                    self.slots.release()
                if done is None:
                    break
            self.stopping.wait(self.sweep_seconds)

    def stop(self) -> None:
        self.stopping.set()
        if self.sweeper.is_alive():
            self.sweeper.join(timeout=30)
        self.pool.shutdown(wait=True)


def build_bot(
    settings: Settings,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    sweep_seconds: float = SWEEP_SECONDS,
    lease_seconds: float = 600.0,
    github: InstallationClients | None = None,
    run_jobs: bool = True,
    retry_seconds: tuple[float, float] | None = None,
    clock: Callable[[], float] = time.time,
) -> Bot:
    """Open everything the App needs and return the bot with its ASGI app; `bot.close()` undoes it.

    With `run_jobs=False` the server only records deliveries (a separate worker runs them).
    `retry_seconds` is (busy, error): how long a job waits before its next attempt. `clock` is
    the store's (leases, locks, retry times).
    """
    check_settings(settings)
    stack = ExitStack()
    try:
        store = open_store(settings.database_url, clock=clock)
        stack.callback(store.close)
        checkpoint_url = settings.database_url if is_postgres_url(settings.database_url) else None
        checkpointer = stack.enter_context(
            open_checkpointer(checkpoint_url, Path(settings.data_dir).expanduser())
        )
        llm = build_chat_model(
            settings.llm,
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else None,
        )
        app = github
        if app is None:
            assert settings.app_id is not None  # check_settings
            real = GitHubApp(
                settings.app_id,
                settings.private_key_pem(),
                base_url=settings.github_api_url,
                observer=process_metrics().observe_github_call,
            )
            stack.callback(real.close)
            app = real
    except (StoreError, CheckpointConfigError, LLMConfigError) as err:
        stack.close()
        raise SettingsError(str(err)) from err
    bot = Bot(
        settings=settings,
        store=store,
        session=ChartSession(checkpointer, llm=llm),
        github=app,
        workdir=Path(settings.data_dir).expanduser() / "work",
        identity_lookup=partial(look_up_identity, settings, app) if isinstance(app, GitHubApp) else None,
        lease_seconds=lease_seconds,
    )
    if retry_seconds is not None:
        bot.busy_retry_seconds, bot.error_retry_seconds = retry_seconds
    bot.close_hooks.append(stack.close)
    work = BackgroundWork(bot, concurrency=concurrency, sweep_seconds=sweep_seconds)

    async def dispatch(job: Job) -> None:
        if run_jobs:
            work.submit(job.id)

    bot.asgi = create_app(settings, store, dispatch)
    if run_jobs:
        work.start()
        bot.close_hooks.append(work.stop)
    return bot
