"""CLI cold start: `autopilot chart nginx --out DIR --yes` as a person runs it, in fresh processes.

    .venv/bin/python -m bench.cli_cold               # 5 fresh processes, then the in-process figure
    .venv/bin/python -m bench.cli_cold --runs 9

Each run is a new interpreter (imports, checkov's checks, schemas: everything a first command
pays). The in-process figure is the same command run again inside one process after a warm-up:
the work itself, without start-up. Target: median cold wall time under 1.5 s on an idle 2-core
machine. Wall time includes waiting for a busy CPU, so the CPU seconds (user + system of the child)
are printed beside it: compare those across runs on a shared machine.

The project's bytecode is written first (compileall on agents/ and bot/), as `pip install` writes
it for a person's installed autopilot: with PYTHONDONTWRITEBYTECODE=1 (set in some CI and sandbox
environments) no run ever writes it, and every fresh process compiled ~180 modules from source
(~0.3 s CPU). `--no-compile` times whatever bytecode is there.
"""

from __future__ import annotations

import argparse
import compileall
import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

TARGET_SECONDS = 1.5
REQUEST = "nginx"
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float  # user + system seconds of the child process


def cold_run(out: Path) -> Run:
    """One `autopilot chart` in a fresh interpreter; fails loudly if the command does."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chart", REQUEST, "--out", str(out), "--yes"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"autopilot chart failed ({done.returncode}): {done.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu)


def compile_bytecode() -> bool:
    """Write agents/ and bot/ bytecode where it is missing or stale; True when every module compiled."""
    return all(compileall.compile_dir(ROOT / package, quiet=1) for package in ("agents", "bot"))


def in_process_run(out: Path) -> Run:
    """The same command through `bot.cli.main` in this (already warm) process."""
    from bot.cli import main

    started, cpu_started = time.perf_counter(), time.process_time()
    real_stdout = sys.stdout
    sys.stdout = io.StringIO()  # the command's own output is not the bench's
    try:
        code = main(["chart", REQUEST, "--out", str(out), "--yes"])
    finally:
        sys.stdout = real_stdout
    if code != 0:
        raise SystemExit(f"autopilot chart failed in-process ({code})")
    return Run(time.perf_counter() - started, time.process_time() - cpu_started)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="fresh processes to time (default 5)")
    parser.add_argument(
        "--no-compile", action="store_true", help="do not write the project's bytecode before timing"
    )
    args = parser.parse_args(argv)
    if not args.no_compile and not compile_bytecode():
        raise SystemExit("compileall failed on agents/ or bot/")
    with tempfile.TemporaryDirectory(prefix="autopilot-cli-cold-") as tmp:
        root = Path(tmp)
        cold = [cold_run(root / f"cold-{i}") for i in range(args.runs)]
        in_process_run(root / "warm-up")
        warm = [in_process_run(root / f"warm-{i}") for i in range(args.runs)]
    for i, run in enumerate(cold, 1):
        print(f"cold run {i}: wall {run.wall:.2f} s, cpu {run.cpu:.2f} s")
    cold_wall = statistics.median(r.wall for r in cold)
    cold_cpu = statistics.median(r.cpu for r in cold)
    warm_wall = statistics.median(r.wall for r in warm)
    warm_cpu = statistics.median(r.cpu for r in warm)
    load = os.getloadavg()[0]
    print(f"cold (fresh process): median wall {cold_wall:.2f} s, cpu {cold_cpu:.2f} s over {args.runs} runs")
    print(f"in-process (warm):    median wall {warm_wall:.2f} s, cpu {warm_cpu:.2f} s")
    print(f"start-up cost:        {cold_wall - warm_wall:.2f} s wall, {cold_cpu - warm_cpu:.2f} s cpu")
    verdict = "meets" if cold_wall < TARGET_SECONDS else "misses"
    print(
        f"target: cold wall < {TARGET_SECONDS} s — {verdict} it (load average {load:.1f} on {os.cpu_count()} cores)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
