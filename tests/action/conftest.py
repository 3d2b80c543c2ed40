"""Run `autopilot action` as a runner would: a real event file, GITHUB_* variables, a subprocess."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import git
import pytest

from tests.conftest import OWNER, REPO
from tests.fakes.github_server import FakeGitHub

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "action"
TOKEN = "ghs_" + "a" * 36  # the shape of a workflow token; the fake accepts it for OWNER/REPO
_OUTPUT = re.compile(r"^(?P<name>[\w-]+)<<(?P<delim>\S+)\n(?P<value>.*?)\n(?P=delim)$", re.M | re.S)


@dataclass(frozen=True)
class ActionRun:
    """What one `autopilot action` process left behind."""

    code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str


@dataclass
class Runner:
    """One job on a fresh runner: its own temp dir holding the event file, outputs and summary."""

    home: Path
    api_url: str = "http://127.0.0.1:9/api/v3"  # nothing listens: a test that needs GitHub passes the fake's
    token: str | None = TOKEN

    def env(self, event_name: str, event: dict[str, Any], workspace: Path, **extra: str) -> dict[str, str]:
        self.home.mkdir(parents=True, exist_ok=True)
        event_path = self.home / "event.json"
        event_path.write_text(json.dumps(event))
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(self.home),
            "GITHUB_ACTIONS": "true",
            "GITHUB_REPOSITORY": f"{OWNER}/{REPO}",
            "GITHUB_API_URL": self.api_url,
            "GITHUB_SERVER_URL": self.api_url.removesuffix("/api/v3"),
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_STEP_SUMMARY": str(self.home / "summary.md"),
            "GITHUB_OUTPUT": str(self.home / "output"),
            "GITHUB_RUN_ID": "4242",
            "RUNNER_TEMP": str(self.home / "runner-temp"),
            "AUTOPILOT_CONFIG": ".github/autopilot.yml",
            "AUTOPILOT_CHARTS": "",
            "AUTOPILOT_KUBE_VERSIONS": "",
        }
        if self.token is not None:
            env["GITHUB_TOKEN"] = self.token
        env.update(extra)
        return env

    def run(self, mode: str, env: dict[str, str], *, in_process: bool = False) -> ActionRun:
        """Run the real console entry in a subprocess, or (for speed) `run_action` in this process."""
        if in_process:
            from bot.action_command import run_action

            out, err = io.StringIO(), io.StringIO()
            code = run_action(mode, environ=env, out=out, err=err)
            return self._result(code, out.getvalue(), err.getvalue())
        proc = subprocess.run(
            [sys.executable, "-m", "bot.action_command", "--mode", mode],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        return self._result(proc.returncode, proc.stdout, proc.stderr)

    def _result(self, code: int, stdout: str, stderr: str) -> ActionRun:
        output = self.home / "output"
        summary = self.home / "summary.md"
        return ActionRun(
            code,
            stdout,
            stderr,
            {m["name"]: m["value"] for m in _OUTPUT.finditer(output.read_text())} if output.exists() else {},
            summary.read_text() if summary.exists() else "",
        )

    def discard(self) -> None:
        """The runner is gone: nothing it wrote survives to the next run."""
        shutil.rmtree(self.home)


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    return Runner(tmp_path / "runner-1")


def commit_all(repo: git.Repo, message: str) -> str:
    repo.git.add("-A")
    repo.git.commit("-q", "-m", message)
    return repo.head.commit.hexsha


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[git.Repo]:
    """A checkout whose base commit holds the good `web` chart and the repo config."""
    root = tmp_path / "workspace"
    shutil.copytree(FIXTURES / "charts" / "web", root / "charts" / "web")
    (root / ".github").mkdir()
    (root / ".github" / "autopilot.yml").write_text("charts_dir: charts\nkube_versions: ['1.30.0']\n")
    repo = git.Repo.init(root, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "Octo Human")
        config.set_value("user", "email", "octo@example.com")
    commit_all(repo, "base")
    yield repo
    repo.close()


@pytest.fixture
def fake_actions_github(fake_github: FakeGitHub) -> FakeGitHub:
    """The fake GitHub accepting `TOKEN` as the workflow token of OWNER/REPO."""
    fake_github.add_plain_token(TOKEN, repos={f"{OWNER}/{REPO}"})
    return fake_github
