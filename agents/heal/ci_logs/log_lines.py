"""GitHub Actions job logs: strip timestamps and colours, keep the failing step, bound the size.

A downloaded job log is one line per output line, each prefixed with an ISO timestamp; a step
starts at `##[group]Run <command>` and the runner marks the failure with `##[error]`. The
failing step is what the parsers read (and what an escalation quotes); everything else is noise.
"""

from __future__ import annotations

import re

MAX_LINES = 400  # per failing step: tools print their errors last, so the tail is kept
MAX_LINE_CHARS = 1_000
MAX_CHARS = 40_000

TIMESTAMP = re.compile(r"^\ufeff?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z ?")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
STEP_START = re.compile(r"^##\[group\]Run (?P<command>.*)$")
ERROR_MARK = "##[error]"


def clean_line(raw: str) -> str:
    """One log line without its timestamp, colour codes or carriage returns, cut to a sane length."""
    line = ANSI.sub("", TIMESTAMP.sub("", raw.rstrip("\r\n"))).replace("\r", "")
    return line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS] + " …"


def split_steps(log: str) -> list[list[str]]:
    """The log cut at each `##[group]Run …` line; the first chunk is the job's set-up."""
    steps: list[list[str]] = [[]]
    for raw in log.splitlines():
        line = clean_line(raw)
        if STEP_START.match(line):
            steps.append([])
        steps[-1].append(line)
    return [step for step in steps if step]


def _bounded(lines: list[str]) -> list[str]:
    """The tail of `lines` within MAX_LINES and MAX_CHARS, keeping the step's first (command) line."""
    head, tail = lines[:1], lines[1:]
    kept: list[str] = []
    size = sum(len(line) + 1 for line in head)
    for line in reversed(tail[-MAX_LINES:]):
        if size + len(line) + 1 > MAX_CHARS:
            break
        kept.append(line)
        size += len(line) + 1
    kept.reverse()
    if len(kept) < len(tail):
        return head + [f"… {len(tail) - len(kept)} earlier line(s) left out …"] + kept
    return head + kept


def failing_step_lines(log: str) -> list[str]:
    """The lines of the step GitHub marked failed (its `##[error]`), else of the last step; bounded.

    Text that is not an Actions log (a check run's output, a plain tool transcript) is one step.
    """
    steps = split_steps(log)
    if not steps:
        return []
    failed = [step for step in steps if any(line.startswith(ERROR_MARK) for line in step)]
    chosen = failed[0] if failed else steps[-1]
    return _bounded(chosen)
