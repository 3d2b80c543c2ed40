"""The real bot (`build_bot`) against the fake GitHub, driven by signed webhooks through its ASGI app."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pydantic import SecretStr

from bot.app import build_bot
from bot.config import Settings
from bot.github import GitHubApp, RetryPolicy
from bot.metrics import process_metrics
from bot.runner import Bot
from bot.store import JobStatus
from tests.conftest import APP_ID, INSTALLATION_ID, OWNER, REPO
from tests.fakes.github_server import FakeGitHub
from tests.fakes.github_state import BOT_LOGIN
from tests.fakes.webhooks import signed_headers

SECRET = "e2e-webhook-secret"
FULL_NAME = f"{OWNER}/{REPO}"


def bot_settings(fake: FakeGitHub, private_pem: str, data_dir: Path) -> Settings:
    return Settings.model_validate(
        {
            "app_id": APP_ID,
            "private_key": SecretStr(private_pem),
            "webhook_secret": SecretStr(SECRET),
            "github_api_url": fake.base_url,
            "data_dir": data_dir,
            "bot_login": BOT_LOGIN,
        }
    )


class RunningBot:
    """One bot process: its ASGI app behind a test client, its sweeper, its store."""

    def __init__(self, fake: FakeGitHub, private_pem: str, data_dir: Path, **options: Any) -> None:
        self.fake = fake
        settings = bot_settings(fake, private_pem, data_dir)
        app = GitHubApp(
            APP_ID,
            private_pem,
            base_url=fake.base_url,
            retry=RetryPolicy(attempts=1),
            observer=process_metrics().observe_github_call,  # as bot.app wires the real App
        )
        options.setdefault("sweep_seconds", 0.1)
        self.bot: Bot = build_bot(settings, github=app, **options)
        self.bot.close_hooks.insert(0, app.close)
        assert self.bot.asgi is not None
        self.client = TestClient(self.bot.asgi)
        self.client.__enter__()

    def deliver(self, event: str, payload: dict[str, Any], *, delivery: str | None = None) -> Any:
        """POST a signed delivery; returns the test client's response (status_code, json())."""
        body = json.dumps(payload).encode()
        return self.client.post(
            "/webhook", content=body, headers=signed_headers(event, body, SECRET, delivery)
        )

    def wait_idle(self, timeout: float = 120.0) -> None:
        """Until no job is queued or running (busy retries included)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            counts = self.bot.store.job_counts()
            if not counts.get(JobStatus.QUEUED) and not counts.get(JobStatus.RUNNING):
                return
            time.sleep(0.05)
        raise AssertionError(f"jobs still pending after {timeout}s: {self.bot.store.job_counts()}")

    def close(self) -> None:
        self.client.__exit__(None, None, None)
        self.bot.close()


def bot_comments(fake: FakeGitHub, number: int) -> list[str]:
    owner, name = FULL_NAME.split("/")
    return [c.body for c in fake.comments_on(owner, name, number) if c.user == BOT_LOGIN]


def seed_permissions(fake: FakeGitHub, **users: str) -> None:
    owner, name = FULL_NAME.split("/")
    for user, permission in users.items():
        fake.set_permission(owner, name, user, permission)  # type: ignore[arg-type]


__all__ = ["FULL_NAME", "INSTALLATION_ID", "OWNER", "REPO", "RunningBot", "bot_comments", "seed_permissions"]
