"""Real `serve` and `worker` processes against one PostgreSQL and the local fake GitHub.

`Fleet` starts them with `python -m bot.worker_command …` (the same code `autopilot serve` and
`autopilot worker` run in PostgreSQL mode), each with its own data dir as separate machines
would have, logs to files for post-mortems, and stops every process it started.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import APP_ID
from tests.fakes.github_server import FakeGitHub
from tests.fakes.github_state import BOT_LOGIN
from tests.fakes.webhooks import signed_headers

SECRET = "scale-webhook-secret"
ROOT = Path(__file__).parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(condition: Callable[[], Any], timeout: float, what: str, interval: float = 0.1) -> Any:
    """Poll until `condition()` is truthy; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    port: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class Fleet:
    """Servers and workers sharing `database_url`; `stop()` ends every one of them."""

    fake: FakeGitHub
    private_pem: str
    database_url: str
    root: Path
    processes: list[Process] = field(default_factory=list)

    def env(self, name: str) -> dict[str, str]:
        data = self.root / name
        data.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOPILOT_")}
        env.update(
            AUTOPILOT_APP_ID=str(APP_ID),
            AUTOPILOT_PRIVATE_KEY=self.private_pem,
            AUTOPILOT_WEBHOOK_SECRET=SECRET,
            AUTOPILOT_GITHUB_API_URL=self.fake.base_url,
            AUTOPILOT_DATABASE_URL=self.database_url,
            AUTOPILOT_DATA_DIR=str(data),
            AUTOPILOT_BOT_LOGIN=BOT_LOGIN,
            AUTOPILOT_LOG_LEVEL="INFO",
            GIT_TERMINAL_PROMPT="0",
            PYTHONUNBUFFERED="1",
            PYTHONFAULTHANDLER="1",  # `dump_stacks` (SIGABRT) writes every thread's stack to the log
        )
        return env

    def _spawn(self, name: str, args: list[str], port: int | None = None) -> Process:
        log = self.root / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                [sys.executable, "-m", "bot.worker_command", *args],
                cwd=ROOT,
                env=self.env(name),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        process = Process(name, popen, log, port)
        self.processes.append(process)
        return process

    def server(self, name: str) -> Process:
        port = free_port()
        return self._spawn(name, ["serve", "--host", "127.0.0.1", "--port", str(port)], port)

    def worker(self, name: str, *, concurrency: int = 2, stalled_after: float = 3.0) -> Process:
        return self._spawn(
            name,
            [
                "worker",
                "--name",
                name,
                "--concurrency",
                str(concurrency),
                "--heartbeat-seconds",
                "0.5",
                "--stalled-after",
                str(stalled_after),
                "--poll-seconds",
                "0.5",
            ],
        )

    def wait_ready(self, server: Process, timeout: float = 60.0) -> None:
        def healthy() -> bool:
            if server.popen.poll() is not None:
                raise AssertionError(f"{server.name} exited {server.popen.returncode}:\n{server.log_tail()}")
            try:
                return httpx.get(f"{server.url}/healthz", timeout=1.0).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(healthy, timeout, f"{server.name} to answer /healthz", interval=0.2)

    def kill(self, process: Process) -> None:
        process.popen.send_signal(signal.SIGKILL)
        process.popen.wait(timeout=10)

    def stop(self, process: Process, timeout: float = 15.0) -> None:
        if process.popen.poll() is None:
            process.popen.send_signal(signal.SIGTERM)
            try:
                process.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill(process)

    def stop_all(self) -> None:
        for process in self.processes:
            self.stop(process)

    def dump_stacks(self) -> None:
        """Post-mortem for a stuck run: every live process writes its threads' stacks to its log and ends."""
        for process in self.processes:
            if process.popen.poll() is None:
                process.popen.send_signal(signal.SIGABRT)
                process.popen.wait(timeout=10)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ---\n{p.log_tail()}" for p in self.processes)


def deliver(
    client: httpx.Client, server: Process, event: str, payload: dict[str, Any], delivery: str
) -> httpx.Response:
    """POST a signed delivery to one server, as GitHub would (same id on a redelivery)."""
    body = json.dumps(payload).encode()
    return client.post(
        f"{server.url}/webhook", content=body, headers=signed_headers(event, body, SECRET, delivery)
    )
