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
from pathlib import Path

from agents.chart import render_chart, write_chart
from agents.validate import validate_chart
from bench.corpus import corpus_cases, plan_case

TARGET_MS = 300.0


def time_one(request: str, sets: list[str], workdir: Path) -> tuple[float, float, float, bool]:
    """Seconds spent planning, generating and validating one chart, and whether it came out valid."""
    t0 = time.perf_counter()
    plan = plan_case(request, sets)
    t1 = time.perf_counter()
    files = render_chart(plan)
    chart_dir = workdir / plan.name
    write_chart(files, chart_dir)
    t2 = time.perf_counter()
    report = validate_chart(chart_dir)
    t3 = time.perf_counter()
    return t1 - t0, t2 - t1, t3 - t2, report.ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first N corpus cases")
    parser.add_argument("--rounds", type=int, default=1, help="times each chart is timed (median taken)")
    args = parser.parse_args(argv)

    cases = corpus_cases()[: args.limit]
    with tempfile.TemporaryDirectory() as tmp:
        time_one(*cases[0][1:], Path(tmp) / "warmup")  # imports, schema caches, checkov registry
        totals: list[float] = []
        stages: dict[str, list[float]] = {"plan": [], "generate": [], "validate": []}
        invalid: list[str] = []
        for n, (case_id, request, sets) in enumerate(cases):
            per_round = []
            for r in range(args.rounds):
                plan_s, gen_s, val_s, ok = time_one(request, sets, Path(tmp) / f"{n}-{r}")
                per_round.append(plan_s + gen_s + val_s)
                stages["plan"].append(plan_s)
                stages["generate"].append(gen_s)
                stages["validate"].append(val_s)
                if not ok and case_id not in invalid:
                    invalid.append(case_id)
            totals.append(statistics.median(per_round))

    ms = sorted(t * 1000 for t in totals)
    median = statistics.median(ms)
    p90 = ms[min(len(ms) - 1, int(len(ms) * 0.9))]
    print(f"charts: {len(ms)}  rounds: {args.rounds}")
    print(
        f"per chart (plan+generate+validate): median {median:.0f} ms, p90 {p90:.0f} ms, max {ms[-1]:.0f} ms"
    )
    for stage, values in stages.items():
        print(f"  {stage:<9} median {statistics.median(values) * 1000:.1f} ms")
    print(f"target: median < {TARGET_MS:.0f} ms -> {'met' if median < TARGET_MS else 'NOT met'}")
    if invalid:
        print(f"charts with validation errors: {', '.join(invalid)}")
    return 0 if not invalid else 1


if __name__ == "__main__":
    sys.exit(main())
