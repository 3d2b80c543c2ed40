"""The adversarial harness: the real bot with GitHub retries on, a process-spawn audit, repo inspection.

`HostileBot` is `tests.e2e.harness.RunningBot` with a retrying App whose waits are recorded
instead of slept, so 5xx and rate-limit faults are retried in milliseconds. `SpawnAudit`
records every process the interpreter starts (via `sys.addaudithook`), so a test can prove
that hostile text never ran anything but git.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.app import build_bot
from bot.github import GitHubApp, RetryPolicy
from bot.runner import Bot
from bot.store import JobStatus
from tests.conftest import APP_ID, INSTALLATION_ID, OWNER, REPO, SEED_FILES, AppKeys, require_npm_fixtures
from tests.e2e.harness import SECRET, bot_settings, seed_permissions
from tests.fakes.git_http import run_git
from tests.fakes.github_server import FakeGitHub
from tests.fakes.webhooks import signed_headers

FULL_NAME = f"{OWNER}/{REPO}"


class SpawnAudit:
    """Every executable the interpreter starts while `recording` (subprocess, os.exec*, os.system, spawn)."""

    _EVENTS = frozenset(
        {"subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn", "os.system", "os.startfile"}
    )

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.recording = False
        self.spawned: list[str] = []
        self.command_lines: list[str] = []  # argv of every process, as `ps` shows it to anyone
        self.git_configs: dict[str, str] = {}  # `.git/config` of each clone a command ran in, as it was then
        sys.addaudithook(self._hook)

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.recording or event not in self._EVENTS:
            return
        if event == "os.system":
            program = str(args[0])
        else:
            program = (
                os.fsdecode(args[0]) if isinstance(args[0], str | bytes | os.PathLike) else repr(args[0])
            )
        popen = event == "subprocess.Popen"
        argv = args[1] if popen and len(args) > 1 else None
        cwd = args[2] if popen and len(args) > 2 else None
        config = (
            Path(os.fsdecode(cwd)) / ".git" / "config" if isinstance(cwd, str | bytes | os.PathLike) else None
        )
        with self.lock:
            self.spawned.append(program)
            if isinstance(argv, list | tuple):
                self.command_lines.append(
                    " ".join(os.fsdecode(a) if isinstance(a, bytes) else str(a) for a in argv)
                )
            if config is not None and config.is_file():
                self.git_configs[str(config)] = config.read_text(encoding="utf-8", errors="replace")

    def start(self) -> None:
        with self.lock:
            self.spawned.clear()
            self.command_lines.clear()
            self.git_configs.clear()
        self.recording = True

    def stop(self) -> list[str]:
        self.recording = False
        with self.lock:
            return list(self.spawned)


_AUDIT: SpawnAudit | None = None


@pytest.fixture(scope="session")
def spawn_audit() -> SpawnAudit:
    """One audit hook per process (hooks cannot be removed); tests switch recording on and off."""
    global _AUDIT
    if _AUDIT is None:
        _AUDIT = SpawnAudit()
    return _AUDIT


class HostileBot:
    """The real bot over the fake GitHub, retrying API faults with recorded (not slept) waits."""

    def __init__(
        self, fake: FakeGitHub, private_pem: str, data_dir: Path, *, attempts: int = 4, **options: Any
    ) -> None:
        self.fake = fake
        self.sleeps: list[float] = []
        settings = bot_settings(fake, private_pem, data_dir)
        app = GitHubApp(
            APP_ID,
            private_pem,
            base_url=fake.base_url,
            timeout=options.pop("timeout", 5.0),
            retry=RetryPolicy(attempts=attempts, backoff=0.01, max_wait=120.0),
            sleep=self.sleeps.append,
        )
        options.setdefault("sweep_seconds", 0.05)
        options.setdefault("retry_seconds", (0.05, 0.05))
        self.bot: Bot = build_bot(settings, github=app, **options)
        self.bot.close_hooks.insert(0, app.close)
        assert self.bot.asgi is not None
        self.client = TestClient(self.bot.asgi)
        self.client.__enter__()

    def deliver(self, event: str, payload: dict[str, Any] | bytes, *, delivery: str | None = None) -> Any:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return self.client.post(
            "/webhook", content=body, headers=signed_headers(event, body, SECRET, delivery)
        )

    def wait_idle(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            counts = self.bot.store.job_counts()
            if not counts.get(JobStatus.QUEUED) and not counts.get(JobStatus.RUNNING):
                return
            time.sleep(0.03)
        raise AssertionError(f"jobs still pending after {timeout}s: {self.bot.store.job_counts()}")

    def close(self) -> None:
        self.client.__exit__(None, None, None)
        self.bot.close()


@pytest.fixture
def hostile_bot(fake_github: FakeGitHub, app_keys: AppKeys, tmp_path: Path) -> Iterator[HostileBot]:
    seed_permissions(fake_github, alice="write", bob="maintain", mallory="read")
    bot = HostileBot(fake_github, app_keys.private_pem, tmp_path / "data")
    try:
        yield bot
    finally:
        bot.close()


@contextmanager
def shared_bot(app_keys: AppKeys, data_dir: Path) -> Iterator[tuple[FakeGitHub, HostileBot]]:
    """A seeded fake GitHub and a bot over it, for a module whose tests all read one expensive story."""
    require_npm_fixtures()
    fake = FakeGitHub()
    with fake:
        seed(fake, app_keys)
        seed_permissions(fake, alice="write", bob="maintain", mallory="read")
        bot = HostileBot(fake, app_keys.private_pem, data_dir)
        try:
            yield fake, bot
        finally:
            bot.close()


def seed(fake: FakeGitHub, app_keys: AppKeys) -> FakeGitHub:
    """The same App, installation and repository as the shared `fake_github` fixture."""
    fake.register_app(APP_ID, app_keys.public_pem)
    fake.add_installation(INSTALLATION_ID, OWNER, app_id=APP_ID)
    fake.add_repo(OWNER, REPO, installation_id=INSTALLATION_ID, files=SEED_FILES)
    return fake


def repo_files(fake: FakeGitHub, ref: str) -> list[str]:
    """Every path in the fake repository at `ref` (a branch or sha)."""
    out = run_git("ls-tree", "-r", "--name-only", ref, cwd=fake.git.path(OWNER, REPO))
    return sorted(out.split())


def all_branch_files(fake: FakeGitHub) -> dict[str, list[str]]:
    return {branch: repo_files(fake, branch) for branch in fake.git.branches(OWNER, REPO)}
