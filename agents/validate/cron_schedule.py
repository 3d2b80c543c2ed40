"""CronJob schedules as the API server parses them (robfig/cron's standard parser).

Five fields (minute hour day-of-month month day-of-week) with ranges, steps, lists, `*`/`?`, month
and weekday names, or one of the `@yearly`… macros (and `@every <duration>`). `TZ=`/`CRON_TZ=` inside the schedule is refused:
the time zone goes in `spec.timeZone`.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from functools import cache

_EVERY = re.compile(r"^@every ([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$")  # Go durations
MACROS = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"})
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_DAYS = {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: dict[str, int]


_FIELDS = (
    _Field("minute", 0, 59, {}),
    _Field("hour", 0, 23, {}),
    _Field("day of month", 1, 31, {}),
    _Field("month", 1, 12, _MONTHS),
    _Field("day of week", 0, 6, _DAYS),
)


def _number(text: str, spec: _Field) -> int:
    if text.lower() in spec.names:
        return spec.names[text.lower()]
    if not text.isdigit():
        raise ValueError(f"failed to parse int from {text}")
    return int(text)


def _check_range(expr: str, spec: _Field) -> None:
    """One comma-separated part: `*`, `?`, `a`, `a-b`, each optionally `/step`."""
    range_part, slash, step = expr.partition("/")
    if slash and (not step.isdigit() or int(step) == 0):
        raise ValueError(f"step of range should be a positive number: {expr}")
    if range_part in ("*", "?"):
        return
    low_text, dash, high_text = range_part.partition("-")
    low = _number(low_text, spec)
    high = _number(high_text, spec) if dash else low
    if low < spec.low:
        raise ValueError(f"beginning of range ({low}) below minimum ({spec.low}): {expr}")
    if high > spec.high:
        raise ValueError(f"end of range ({high}) above maximum ({spec.high}): {expr}")
    if low > high:
        raise ValueError(f"beginning of range ({low}) beyond end of range ({high}): {expr}")


def schedule_problem(schedule: str) -> str | None:
    """Why the API server refuses this schedule, in its words; None when it is accepted."""
    text = schedule.strip()
    if "TZ" in text:
        return "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
    if not text:
        return "empty spec string"
    if text.startswith("@"):
        return None if text in MACROS or _EVERY.match(text) else f"unrecognized descriptor: {text}"
    fields = text.split()
    if len(fields) != len(_FIELDS):
        return f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]"
    for field_text, spec in zip(fields, _FIELDS, strict=True):
        try:
            for part in field_text.split(","):
                _check_range(part, spec)
        except ValueError as exc:
            return str(exc)
    return None


@cache
def known_time_zones() -> frozenset[str]:
    """IANA zone names from the system's tz database (what the API server's Go runtime loads)."""
    return frozenset(zoneinfo.available_timezones())


def time_zone_problem(zone: str, known: frozenset[str] | None = None) -> str | None:
    """Why the API server refuses this `spec.timeZone`; None when it is accepted, or when this
    machine has no tz database to check against (no false alarm from a bare container)."""
    zones = known_time_zones() if known is None else known
    if not zones or zone in zones:
        return None
    return f"unknown time zone {zone}"
