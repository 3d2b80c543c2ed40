"""`autopilot serve` as an operator starts it: uvicorn on 127.0.0.1, settings from the environment."""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.serve_command import serve_command
from tests.conftest import APP_ID, INSTALLATION_ID, AppKeys
from tests.e2e.harness import FULL_NAME, SECRET, bot_comments
from tests.fakes.github_server import FakeGitHub
from tests.fakes.github_state import BOT_LOGIN
from tests.fakes.payloads import issue_comment
from tests.fakes.webhooks import signed_headers

ROOT = Path(__file__).parents[2]
# What the lead's `autopilot` CLI does with `add_serve_commands`: one subparser, `args.func(args)`.
CLI = (
    "import argparse, sys\n"
    "from bot.serve_command import add_serve_commands\n"
    "parser = argparse.ArgumentParser(prog='autopilot')\n"
    "add_serve_commands(parser.add_subparsers(required=True))\n"
    "args = parser.parse_args(sys.argv[1:])\n"
    "sys.exit(args.func(args))\n"
)


def _clean_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOPILOT_")}
    return {**env, **settings, "PYTHONPATH": str(ROOT)}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", CLI, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({}, "AUTOPILOT_APP_ID"),
        ({"AUTOPILOT_APP_ID": "12"}, "AUTOPILOT_PRIVATE_KEY"),
        ({"AUTOPILOT_APP_ID": "twelve"}, "AUTOPILOT_APP_ID='twelve'"),
        (
            {"AUTOPILOT_APP_ID": "12", "AUTOPILOT_PRIVATE_KEY_PATH": "/nonexistent/key.pem"},
            "AUTOPILOT_PRIVATE_KEY_PATH",
        ),
    ],
    ids=["no-app-id", "no-key", "bad-app-id", "unreadable-key"],
)
def test_bad_settings_stop_start_up_with_one_line(
    settings: dict[str, str],
    named: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for key in [k for k in os.environ if k.startswith("AUTOPILOT_")]:
        monkeypatch.delenv(key)
    for key, value in {"AUTOPILOT_DATA_DIR": str(tmp_path), **settings}.items():
        monkeypatch.setenv(key, value)
    args = argparse.Namespace(host="127.0.0.1", port=_free_port())
    assert serve_command(args) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("autopilot serve: ") and named in lines[0]


@pytest.fixture
def served(fake_github: FakeGitHub, app_keys: AppKeys, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = _clean_env(
        AUTOPILOT_APP_ID=str(APP_ID),
        AUTOPILOT_PRIVATE_KEY=app_keys.private_pem,
        AUTOPILOT_WEBHOOK_SECRET=SECRET,
        AUTOPILOT_GITHUB_API_URL=fake_github.base_url,
        AUTOPILOT_DATA_DIR=str(tmp_path / "data"),
        AUTOPILOT_BOT_LOGIN=BOT_LOGIN,
    )
    proc = _serve(env, port)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "server exited"
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_served_app_answers_a_signed_command(served: str, fake_github: FakeGitHub) -> None:
    payload = issue_comment(
        fake_github, FULL_NAME, 1, "/autopilot help", user="alice", installation_id=INSTALLATION_ID
    )
    body = json.dumps(payload).encode()
    answer = httpx.post(
        f"{served}/webhook", content=body, headers=signed_headers("issue_comment", body, SECRET)
    )
    assert answer.status_code == 202
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not bot_comments(fake_github, 1):
        time.sleep(0.05)
    (reply,) = bot_comments(fake_github, 1)
    assert "turns a request into a validated Helm chart pull request" in reply
    unsigned = httpx.post(f"{served}/webhook", content=body, headers={"X-GitHub-Event": "issue_comment"})
    assert unsigned.status_code == 401
