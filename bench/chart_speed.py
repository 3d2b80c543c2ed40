"""Chart speed: median wall time of plan + generate + validate per chart over the corpus, in-process.

    .venv/bin/python -m bench.chart_speed            # every catalog app and corpus request
    .venv/bin/python -m bench.chart_speed --limit 5  # a quick look

Target: median under 300 ms per chart on a 2-core machine (after warm-up: imports and schema
caches are paid once per process, as in the long-running bot).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from agents.chart import render_chart, write_chart
from agents.validate import validate_chart
from bench.corpus import corpus_cases, plan_case

TARGET_MS = 300.0
STAGES = ("plan", "generate", "validate")


@dataclass(frozen=True)
class ChartTiming:
    """Wall and CPU seconds per phase of one chart, and whether it came out valid.

    CPU time (this process only) is what to compare across runs when the other core is busy:
    wall time then includes waiting for it.
    """

    wall: tuple[float, float, float]  # plan, generate, validate
    cpu: tuple[float, float, float]
    ok: bool


def time_one(request: str, sets: list[str], workdir: Path) -> ChartTiming:
    """Plan, generate and validate one chart, timing each phase."""
    w0, c0 = time.perf_counter(), time.process_time()
    plan = plan_case(request, sets)
    w1, c1 = time.perf_counter(), time.process_time()
    files = render_chart(plan)
    chart_dir = workdir / plan.name
    write_chart(files, chart_dir)
    w2, c2 = time.perf_counter(), time.process_time()
    report = validate_chart(chart_dir)
    w3, c3 = time.perf_counter(), time.process_time()
    return ChartTiming((w1 - w0, w2 - w1, w3 - w2), (c1 - c0, c2 - c1, c3 - c2), report.ok)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first N corpus cases")
    parser.add_argument("--rounds", type=int, default=1, help="times each chart is timed (median taken)")
    parser.add_argument(
        "--cpu", action="store_true", help="also report CPU time (comparable when the machine is busy)"
    )
    args = parser.parse_args(argv)

    cases = corpus_cases()[: args.limit]
    with tempfile.TemporaryDirectory() as tmp:
        time_one(*cases[0][1:], Path(tmp) / "warmup")  # imports, schema caches, checkov registry
        totals: list[float] = []
        cpu_totals: list[float] = []
        stages: dict[str, list[float]] = {stage: [] for stage in STAGES}
        cpu_stages: dict[str, list[float]] = {stage: [] for stage in STAGES}
        invalid: list[str] = []
        for n, (case_id, request, sets) in enumerate(cases):
            per_round, cpu_per_round = [], []
            for r in range(args.rounds):
                timing = time_one(request, sets, Path(tmp) / f"{n}-{r}")
                per_round.append(sum(timing.wall))
                cpu_per_round.append(sum(timing.cpu))
                for stage, wall, cpu in zip(STAGES, timing.wall, timing.cpu, strict=True):
                    stages[stage].append(wall)
                    cpu_stages[stage].append(cpu)
                if not timing.ok and case_id not in invalid:
                    invalid.append(case_id)
            totals.append(statistics.median(per_round))
            cpu_totals.append(statistics.median(cpu_per_round))

    ms = sorted(t * 1000 for t in totals)
    median = statistics.median(ms)
    p90 = ms[min(len(ms) - 1, int(len(ms) * 0.9))]
    print(f"charts: {len(ms)}  rounds: {args.rounds}")
    print(
        f"per chart (plan+generate+validate): median {median:.0f} ms, p90 {p90:.0f} ms, max {ms[-1]:.0f} ms"
    )
    if args.cpu:
        cpu_ms = sorted(t * 1000 for t in cpu_totals)
        cpu_p90 = cpu_ms[min(len(cpu_ms) - 1, int(len(cpu_ms) * 0.9))]
        print(
            f"per chart, CPU time:                median {statistics.median(cpu_ms):.0f} ms, p90 {cpu_p90:.0f} ms"
        )
    for stage, values in stages.items():
        cpu_column = f"   cpu {statistics.median(cpu_stages[stage]) * 1000:.1f} ms" if args.cpu else ""
        print(f"  {stage:<9} median {statistics.median(values) * 1000:.1f} ms{cpu_column}")
    print(f"target: median < {TARGET_MS:.0f} ms -> {'met' if median < TARGET_MS else 'NOT met'}")
    if invalid:
        print(f"charts with validation errors: {', '.join(invalid)}")
    return 0 if not invalid else 1


if __name__ == "__main__":
    sys.exit(main())
