"""No credential ever leaves the process: capture everything over a whole story and grep it.

Captured: every log record of every logger at DEBUG (through the redaction `serve` installs),
stdout/stderr, every API request body the fake GitHub received, comments, PR bodies and check
run output, every blob and commit message on every branch, every git command line, the
`.git/config` of every clone while it existed, and every byte under the bot's data directory
(SQLite store, checkpoints). Searched for: each installation token the fake issued (and its
Basic-auth form), the App private key's PEM body, and the webhook secret. The story includes
GitHub echoing the token back in an error message, which the bot must not repeat.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.redact import RedactingFilter, install_redaction
from tests.adversarial.conftest import FULL_NAME, HostileBot, SpawnAudit, seed
from tests.conftest import INSTALLATION_ID, OWNER, REPO, AppKeys
from tests.e2e.harness import SECRET, seed_permissions
from tests.fakes.git_http import run_git
from tests.fakes.github_server import FakeGitHub, HttpError, Reply
from tests.fakes.payloads import issue_comment


class RecordingGitHub(FakeGitHub):
    """Keeps every API request body; can echo the caller's own token back in an error, as APIs do."""

    def __init__(self) -> None:
        super().__init__()
        self.bodies: list[str] = []
        self.echo_token_on: re.Pattern[str] | None = None

    def dispatch(self, method: str, path: str, query: dict[str, str], body: Any, authorization: str) -> Reply:
        with self.lock:
            self.bodies.append(json.dumps(body))
        if self.echo_token_on is not None and method != "GET" and self.echo_token_on.search(path):
            credential = authorization.partition(" ")[2]
            raise HttpError(422, f"Validation Failed: token {credential} may not comment here")
        return super().dispatch(method, path, query, body, authorization)


@pytest.fixture
def recording_github(app_keys: AppKeys) -> Iterator[RecordingGitHub]:
    gh = RecordingGitHub()
    with gh:
        seed(gh, app_keys)
        yield gh


def _secrets(fake: FakeGitHub, app_keys: AppKeys) -> dict[str, str]:
    found = {"webhook secret": SECRET}
    body = [line for line in app_keys.private_pem.splitlines() if line and not line.startswith("-----")]
    for index in (0, len(body) // 2, len(body) - 2):
        found[f"private key line {index}"] = body[index]
    for token in list(fake.tokens):
        found[f"token {token[:8]}"] = token
        found[f"token {token[:8]} as Basic"] = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return found


def _repo_text(fake: FakeGitHub) -> str:
    bare = fake.git.path(OWNER, REPO)
    parts = [run_git("log", "--all", "--format=%H %an %ae%n%B", cwd=bare)]
    for sha in run_git("rev-list", "--all", "--objects", cwd=bare).split("\n"):
        obj = sha.split(" ", 1)[0]
        if obj and run_git("cat-file", "-t", obj, cwd=bare).strip() == "blob":
            parts.append(run_git("cat-file", "blob", obj, cwd=bare))
    return "\n".join(parts)


def _data_dir_bytes(root: Path) -> bytes:
    return b"\n".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


def test_no_secret_in_anything_the_bot_wrote_or_said(
    recording_github: RecordingGitHub,
    app_keys: AppKeys,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    spawn_audit: SpawnAudit,
) -> None:
    fake = recording_github
    seed_permissions(fake, alice="write")
    caplog.set_level(logging.DEBUG)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)
    install_redaction()  # as `autopilot serve` does after configuring logging
    data = tmp_path / "data"
    bot = HostileBot(fake, app_keys.private_pem, data)
    spawn_audit.start()
    try:
        issue = fake.new_issue_number(FULL_NAME)
        ask = issue_comment(
            fake, FULL_NAME, issue, "/autopilot chart nginx", user="alice", installation_id=INSTALLATION_ID
        )
        bot.deliver("issue_comment", ask, delivery="secret-1")
        bot.wait_idle()
        pull = next(p for (full, _), p in fake.pulls.items() if full == FULL_NAME)
        # GitHub now echoes the caller's token in an error; the job fails and must not repeat it anywhere
        fake.echo_token_on = re.compile(rf"/issues/{pull.number}/comments$")
        check = issue_comment(
            fake,
            FULL_NAME,
            pull.number,
            "/autopilot validate",
            user="alice",
            installation_id=INSTALLATION_ID,
            is_pull=True,
        )
        bot.deliver("issue_comment", check, delivery="secret-2")
        bot.wait_idle()
    finally:
        spawned_lines = list(spawn_audit.command_lines)
        configs = dict(spawn_audit.git_configs)
        spawn_audit.stop()
        bot.close()
        root.removeHandler(handler)
        for other in root.handlers:
            for f in [f for f in other.filters if isinstance(f, RedactingFilter)]:
                other.removeFilter(f)
    assert any(c.status == 422 for c in fake.calls_to(r"/comments$", "POST")), "the echo fault fired"
    assert configs, "no clone's .git/config was seen"

    out, err = capfd.readouterr()
    records = "\n".join(f"{r.getMessage()}\n{r.exc_text or ''}\n{r.stack_info or ''}" for r in caplog.records)
    surfaces = {
        "log stream": stream.getvalue(),
        "log records": records,
        "stdout": out,
        "stderr": err,
        "API request bodies": "\n".join(fake.bodies),
        "comments": "\n".join(c.body for c in fake.comments.values()),
        "pull requests": "\n".join(f"{p.title}\n{p.body}" for p in fake.pulls.values()),
        "check runs": "\n".join(
            f"{r.title}\n{r.summary}\n{r.text}\n{json.dumps(r.annotations)}" for r in fake.check_runs.values()
        ),
        "repository (all branches, blobs, messages)": _repo_text(fake),
        "git command lines": "\n".join(spawned_lines),
        "clone .git/config files": "\n".join(configs.values()),
        "data directory (store, checkpoints, work)": _data_dir_bytes(data).decode("utf-8", "replace"),
    }
    secrets = _secrets(fake, app_keys)
    assert len([k for k in secrets if k.startswith("token") and "Basic" not in k]) >= 1
    leaks = [
        f"{what} in {where}"
        for where, text in surfaces.items()
        for what, value in secrets.items()
        if value in text
    ]
    assert leaks == []
    # the credential is never part of a remote URL on disk
    for path, text in configs.items():
        for line in text.splitlines():
            if line.strip().startswith("url"):
                assert "@" not in line and "x-access-token" not in line, (path, line)
    assert "token *** may not comment here" in records  # the echoed token was seen, and masked
