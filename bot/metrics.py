"""A tiny, thread-safe Prometheus text-format registry (counters and histograms with labels).

Enough for `/metrics` without a dependency: the bot counts deliveries, runs, heal attempts
and GitHub API calls; Prometheus scrapes the text exposition format 0.0.4.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
import threading
from collections.abc import Sequence

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
DEFAULT_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

LabelValues = tuple[str, ...]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _format_labels(names: Sequence[str], values: Sequence[str], extra: str = "") -> str:
    parts = [f'{n}="{_escape(v)}"' for n, v in zip(names, values, strict=True)]
    if extra:
        parts.append(extra)
    return "{" + ",".join(parts) + "}" if parts else ""


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


class _Metric:
    kind = ""

    def __init__(self, name: str, help_text: str, labels: Sequence[str]) -> None:
        if not _NAME.match(name):
            raise ValueError(f"metric name {name!r} is not a Prometheus name")
        bad = [label for label in labels if not _LABEL.match(label) or label == "le"]
        if bad:
            raise ValueError(f"metric {name}: label name(s) {bad} are not allowed")
        self.name = name
        self.help = help_text
        self.labels = tuple(labels)
        self._lock = threading.Lock()

    def _key(self, labels: dict[str, str]) -> LabelValues:
        try:  # on the webhook's hot path: the common case costs one tuple
            key = tuple(str(labels[name]) for name in self.labels)
        except KeyError:
            key = ()
        if len(labels) != len(self.labels) or len(key) != len(self.labels):
            raise ValueError(f"metric {self.name} takes labels {list(self.labels)}, got {sorted(labels)}")
        return key

    def header(self) -> list[str]:
        return [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} {self.kind}"]

    def render(self) -> list[str]:
        raise NotImplementedError


class Counter(_Metric):
    kind = "counter"

    def __init__(self, name: str, help_text: str, labels: Sequence[str] = ()) -> None:
        super().__init__(name, help_text, labels)
        self._values: dict[LabelValues, float] = {}

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        if amount < 0:
            raise ValueError(f"counter {self.name} can only go up, got {amount}")
        key = self._key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, **labels: str) -> float:
        with self._lock:
            return self._values.get(self._key(labels), 0.0)

    def render(self) -> list[str]:
        with self._lock:
            items = sorted(self._values.items())
        return [
            *self.header(),
            *(f"{self.name}{_format_labels(self.labels, k)} {_number(v)}" for k, v in items),
        ]


class Histogram(_Metric):
    kind = "histogram"

    def __init__(
        self,
        name: str,
        help_text: str,
        labels: Sequence[str] = (),
        buckets: Sequence[float] = DEFAULT_BUCKETS,
    ) -> None:
        super().__init__(name, help_text, labels)
        if list(buckets) != sorted(set(buckets)) or not buckets:
            raise ValueError(f"histogram {name}: buckets must be increasing and unique, got {list(buckets)}")
        self.buckets = tuple(buckets)
        self._counts: dict[LabelValues, list[int]] = {}
        self._sums: dict[LabelValues, float] = {}

    def observe(self, value: float, **labels: str) -> None:
        key = self._key(labels)
        slot = bisect.bisect_left(self.buckets, value)  # the first bucket with value <= bound
        with self._lock:
            counts = self._counts.setdefault(key, [0] * (len(self.buckets) + 1))
            counts[slot] += 1  # per bucket here; `render` makes them cumulative
            self._sums[key] = self._sums.get(key, 0.0) + value

    def count(self, **labels: str) -> int:
        with self._lock:
            counts = self._counts.get(self._key(labels))
            return sum(counts) if counts else 0

    def render(self) -> list[str]:
        lines = self.header()
        with self._lock:
            items = sorted((k, list(itertools.accumulate(v)), self._sums[k]) for k, v in self._counts.items())
        for key, counts, total in items:
            for bound, n in zip([*self.buckets, math.inf], counts, strict=True):
                le = f'le="{_number(bound)}"'
                lines.append(f"{self.name}_bucket{_format_labels(self.labels, key, le)} {n}")
            lines.append(f"{self.name}_sum{_format_labels(self.labels, key)} {_number(total)}")
            lines.append(f"{self.name}_count{_format_labels(self.labels, key)} {counts[-1]}")
        return lines


class Registry:
    """Metrics registered once by name; `render()` gives the whole exposition text."""

    def __init__(self) -> None:
        self._metrics: dict[str, _Metric] = {}
        self._lock = threading.Lock()

    def _register(self, metric: _Metric) -> None:
        with self._lock:
            if metric.name in self._metrics:
                raise ValueError(f"metric {metric.name} is already registered")
            self._metrics[metric.name] = metric

    def counter(self, name: str, help_text: str, labels: Sequence[str] = ()) -> Counter:
        metric = Counter(name, help_text, labels)
        self._register(metric)
        return metric

    def histogram(
        self,
        name: str,
        help_text: str,
        labels: Sequence[str] = (),
        buckets: Sequence[float] = DEFAULT_BUCKETS,
    ) -> Histogram:
        metric = Histogram(name, help_text, labels, buckets)
        self._register(metric)
        return metric

    def render(self) -> str:
        with self._lock:
            metrics = list(self._metrics.values())
        return "\n".join(line for metric in metrics for line in metric.render()) + "\n"


class BotMetrics:
    """The bot's metrics, named in one place so handlers and the GitHub client share them."""

    def __init__(self) -> None:
        self.registry = Registry()
        self.deliveries = self.registry.counter(
            "autopilot_webhook_deliveries_total",
            "Webhook deliveries by event and outcome.",
            ["event", "outcome"],
        )
        self.webhook_seconds = self.registry.histogram(
            "autopilot_webhook_response_seconds",
            "Time from request to webhook answer.",
            ["outcome"],
            buckets=(0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0),
        )
        self.runs = self.registry.counter("autopilot_runs_total", "Runs that reached a stage.", ["stage"])
        self.heal_attempts = self.registry.counter(
            "autopilot_heal_attempts_total", "Self-heal attempts by result.", ["result"]
        )
        self.github_calls = self.registry.counter(
            "autopilot_github_api_calls_total",
            "GitHub API calls by route and status class.",
            ["route", "status"],
        )
        self.github_errors = self.registry.counter(
            "autopilot_github_api_errors_total", "GitHub API calls that failed, by route.", ["route"]
        )

    def render(self) -> str:
        return self.registry.render()

    def observe_github_call(self, route: str, outcome: str) -> None:
        """`bot.github.CallObserver`: every API attempt counts; anything but "ok" is also an error."""
        self.github_calls.inc(route=route, status=outcome)
        if outcome != "ok":
            self.github_errors.inc(route=route)


_process_metrics: BotMetrics | None = None
_process_lock = threading.Lock()


def process_metrics() -> BotMetrics:
    """The metrics of this process (the server renders them; tests make their own `BotMetrics`)."""
    global _process_metrics
    with _process_lock:
        if _process_metrics is None:
            _process_metrics = BotMetrics()
        return _process_metrics
