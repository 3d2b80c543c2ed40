"""Counts made in worker processes reach the server's `/metrics` through PROMETHEUS_MULTIPROC_DIR."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from bot.config import Settings, SettingsError
from bot.metrics import MULTIPROC_ENV, BotMetrics, check_multiproc_dir
from bot.server import create_app
from bot.store import Job, SqliteStore
from bot.worker_command import main as worker_main

ROOT = Path(__file__).parents[2]

# What a worker does with the process's metrics while it runs a job, then on its way out.
WORKER = """
from bot.metrics import mark_this_process_dead, process_metrics

metrics = process_metrics()
metrics.observe_github_call("pulls.create", "ok")
metrics.observe_github_call("pulls.create", "5xx")
metrics.heal_attempts.labels(result="healed").inc(2)
metrics.runs.labels(stage="review").inc()
mark_this_process_dead()
"""


async def no_dispatch(job: Job) -> None:
    """The server under test only renders `/metrics`; no job runs."""


def run_worker(multiproc: Path) -> None:
    env = {**os.environ, MULTIPROC_ENV: str(multiproc), "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", WORKER], env=env, cwd=ROOT, check=True, timeout=60)


def test_worker_counts_show_up_in_the_servers_metrics(tmp_path: Path) -> None:
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    run_worker(multiproc)
    run_worker(multiproc)  # a second worker (or a restarted one): the counts add up
    settings = Settings(webhook_secret=SecretStr("secret"), data_dir=tmp_path)
    store = SqliteStore(tmp_path / "autopilot.db")
    app = create_app(settings, store, no_dispatch, metrics=BotMetrics(multiproc))
    with TestClient(app) as client:
        response = client.get("/metrics")
    store.close()
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    lines = response.text.splitlines()
    assert 'autopilot_github_api_calls_total{route="pulls.create",status="ok"} 2.0' in lines
    assert 'autopilot_github_api_calls_total{route="pulls.create",status="5xx"} 2.0' in lines
    assert 'autopilot_github_api_errors_total{route="pulls.create"} 2.0' in lines
    assert 'autopilot_heal_attempts_total{result="healed"} 4.0' in lines
    assert 'autopilot_runs_total{stage="review"} 2.0' in lines
    assert "# TYPE autopilot_heal_attempts_total counter" in lines


def test_an_unusable_directory_stops_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing"
    monkeypatch.setenv(MULTIPROC_ENV, str(missing))
    with pytest.raises(SettingsError, match="not a writable directory"):
        check_multiproc_dir()
    monkeypatch.setenv("AUTOPILOT_WEBHOOK_SECRET", "s")
    monkeypatch.setenv("AUTOPILOT_DATABASE_URL", "postgresql://localhost/none")
    assert worker_main(["serve"]) == 2
    err = capsys.readouterr().err
    assert (
        err
        == f"autopilot serve: {MULTIPROC_ENV}={missing} is not a writable directory: create it, empty, first\n"
    )
    missing.mkdir()
    check_multiproc_dir()
