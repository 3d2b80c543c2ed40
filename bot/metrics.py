"""The bot's Prometheus metrics, kept by prometheus-client.

Runs, heal attempts and GitHub calls happen in `autopilot worker` processes, which serve no
endpoint. With `PROMETHEUS_MULTIPROC_DIR` set, every process writes its counts to files there
(prometheus-client's multiprocess mode) and `/metrics` on the server sums them; without it,
`/metrics` shows this process's own registry.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.metrics import disable_created_metrics
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from bot.config import SettingsError

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"  # the text format generate_latest writes
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"  # read by prometheus-client when it is imported

disable_created_metrics()  # no `_created` series: multiprocess mode has none, so neither mode shows them


def multiproc_dir() -> Path | None:
    """The shared directory of multiprocess mode, or None for one process's registry."""
    value = os.environ.get(MULTIPROC_ENV, "")
    return Path(value) if value else None


def check_multiproc_dir() -> None:
    """Stop `serve` and `worker` at start-up, not at the first count, when the directory is unusable."""
    path = multiproc_dir()
    if path is not None and not (path.is_dir() and os.access(path, os.W_OK | os.X_OK)):
        raise SettingsError(f"{MULTIPROC_ENV}={path} is not a writable directory: create it, empty, first")


def mark_this_process_dead() -> None:
    """On a worker's exit: prometheus-client drops its live gauges; its counters stay summed."""
    path = multiproc_dir()
    if path is not None and path.is_dir():
        mark_process_dead(os.getpid(), str(path))


class BotMetrics:
    """The bot's metrics, named in one place so handlers and the GitHub client share them.

    Each instance has its own registry, so tests can make fresh ones; `multiproc` (default: the
    environment's directory) makes `render` sum every process's files instead.
    """

    def __init__(self, multiproc: Path | None = None) -> None:
        self.multiproc = multiproc if multiproc is not None else multiproc_dir()
        self.registry = CollectorRegistry()
        self.deliveries = Counter(
            "autopilot_webhook_deliveries_total",
            "Webhook deliveries by event and outcome.",
            ["event", "outcome"],
            registry=self.registry,
        )
        self.webhook_seconds = Histogram(
            "autopilot_webhook_response_seconds",
            "Time from request to webhook answer.",
            ["outcome"],
            buckets=(0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0),
            registry=self.registry,
        )
        self.runs = Counter(
            "autopilot_runs_total", "Runs that reached a stage.", ["stage"], registry=self.registry
        )
        self.heal_attempts = Counter(
            "autopilot_heal_attempts_total",
            "Self-heal attempts by result.",
            ["result"],
            registry=self.registry,
        )
        self.github_calls = Counter(
            "autopilot_github_api_calls_total",
            "GitHub API calls by route and status class.",
            ["route", "status"],
            registry=self.registry,
        )
        self.github_errors = Counter(
            "autopilot_github_api_errors_total",
            "GitHub API calls that failed, by route.",
            ["route"],
            registry=self.registry,
        )

    def render(self) -> str:
        """The text exposition: this registry, or the sum of every process's files."""
        if self.multiproc is None:
            return generate_latest(self.registry).decode()
        collected = CollectorRegistry()
        MultiProcessCollector(collected, path=str(self.multiproc))
        return generate_latest(collected).decode()

    def observe_github_call(self, route: str, outcome: str) -> None:
        """`bot.github.CallObserver`: every API attempt counts; anything but "ok" is also an error."""
        self.github_calls.labels(route=route, status=outcome).inc()
        if outcome != "ok":
            self.github_errors.labels(route=route).inc()


_process_metrics: BotMetrics | None = None
_process_lock = threading.Lock()


def process_metrics() -> BotMetrics:
    """The metrics of this process (the server renders them; tests make their own `BotMetrics`)."""
    global _process_metrics
    with _process_lock:
        if _process_metrics is None:
            _process_metrics = BotMetrics()
        return _process_metrics
