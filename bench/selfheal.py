"""Self-heal benchmark: break every corpus chart one fault at a time and measure `heal_chart` (no LLM).

    .venv/bin/python -m bench.selfheal            # every catalog app and corpus request × every fault
    .venv/bin/python -m bench.selfheal --limit 2  # a CI smoke run

Per fault class it reports charts faulted, how many the validator noticed, the heal rate, mean
attempts, exact restorations and collateral edits: lines the heal changed that the fault never
touched (the target is zero — a heal must not rewrite what was not broken).
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from agents.chart import render_chart, write_chart
from agents.heal.chart_files import read_chart_files
from agents.heal.loop import heal_chart
from bench.faults import FAULTS, ChartFiles, Fault, touched

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "corpus" / "requests.yaml"


@dataclass
class Tally:
    """Counts for one fault class."""

    faulted: int = 0
    detected: int = 0
    healed: int = 0
    restored: int = 0
    attempts: int = 0
    collateral: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def heal_rate(self) -> float:
        return self.healed / self.detected if self.detected else 0.0


def corpus_requests(path: Path = CORPUS) -> list[str]:
    """Request texts from the corpus file (a list of strings or of mappings with `request`)."""
    if not path.exists():
        return []
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    items = loaded.get("requests", []) if isinstance(loaded, dict) else loaded
    requests = []
    for item in items:
        text = item.get("request") or item.get("text") if isinstance(item, dict) else item
        if isinstance(text, str) and text.strip():
            requests.append(text)
    return requests


def corpus_charts(limit: int | None = None) -> list[tuple[str, ChartFiles]]:
    """(label, files) for every catalog app with an image and every corpus request that plans fully."""
    from agents.plan import catalog_names, plan_request

    apps = [(f"catalog:{name}", name) for name in catalog_names()]
    texts = [(f"request:{text[:40]}", text) for text in corpus_requests()]
    # alternate the two sources so a --limit or --budget run still sees both kinds of chart
    requests = [item for pair in zip(apps, texts, strict=False) for item in pair]
    requests += apps[len(texts) :] + texts[len(apps) :]
    charts: list[tuple[str, ChartFiles]] = []
    for label, request in requests:
        if limit is not None and len(charts) >= limit:
            break
        try:
            outcome = plan_request(request)
        except Exception as exc:  # a planner bug must not hide the rest of the benchmark
            print(f"skip {label}: the planner failed: {exc}", file=sys.stderr)
            continue
        if outcome.plan is None:
            continue  # needs answers first: not a chart yet
        charts.append((label, render_chart(outcome.plan)))
    return charts


def changed_lines(before: str, after: str) -> tuple[set[int], set[int]]:
    """Line numbers of `before` that `after` replaced or deleted, and positions where it inserted."""
    replaced: set[int] = set()
    inserted: set[int] = set()
    matcher = difflib.SequenceMatcher(a=before.split("\n"), b=after.split("\n"), autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            replaced.update(range(i1, i2))
        elif tag == "insert":
            inserted.add(i1)
    return replaced, inserted


def collateral_edits(original: ChartFiles, faulted: ChartFiles, healed: ChartFiles) -> list[str]:
    """Lines the heal changed that the fault did not touch (insertions next to a touched line are fine)."""
    problems = []
    for path in sorted(set(original) | set(healed)):
        before, after = original.get(path), healed.get(path)
        if before == after:
            continue
        if before is None or after is None or path not in touched(original, faulted):
            problems.append(f"{path}: changed though the fault did not touch it")
            continue
        fault_replaced, fault_inserted = changed_lines(before, faulted.get(path, ""))
        allowed = fault_replaced | fault_inserted | {i - 1 for i in fault_inserted}
        allowed |= {i + 1 for i in fault_replaced} | {i - 1 for i in fault_replaced}
        heal_replaced, heal_inserted = changed_lines(before, after)
        stray = sorted(i + 1 for i in heal_replaced - fault_replaced) + sorted(
            i + 1 for i in heal_inserted if i not in allowed
        )
        if stray:
            problems.append(f"{path}: lines {stray[:5]} changed outside the fault")
    return problems


def run_one(
    fault: Fault, files: ChartFiles, workdir: Path, kube_versions: Sequence[str] | None
) -> tuple[str, int, bool, list[str]]:
    """Break, heal and compare one chart; returns (outcome, attempts, restored, collateral problems)."""
    broken = fault.apply(files)
    if broken is None:
        return "n/a", 0, False, []
    chart_dir = workdir / "chart"
    write_chart(broken, chart_dir)
    result = heal_chart(chart_dir, kube_versions, max_attempts=3)
    healed_files = read_chart_files(chart_dir)
    original = {p: t for p, t in files.items() if p in healed_files or p in broken}
    problems = collateral_edits(original, broken, healed_files)
    if not any(a.errors_before or a.applied for a in result.attempts):
        return "undetected", 0, healed_files == original, problems
    return ("healed" if result.healed else "failed"), len(result.attempts), healed_files == original, problems


def run(
    charts: list[tuple[str, ChartFiles]],
    faults: Sequence[Fault],
    kube_versions: Sequence[str] | None = None,
    budget_seconds: float | None = None,
    charts_run: list[str] | None = None,
) -> dict[str, Tally]:
    """Every fault on every chart; with a budget, stops between charts once it is spent.

    `charts_run`, when given, receives the label of each chart actually benchmarked.
    """
    tallies = {fault.name: Tally() for fault in faults}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="selfheal-") as tmp:
        for index, (label, files) in enumerate(charts):
            if budget_seconds is not None and time.monotonic() - started > budget_seconds:
                print(f"budget spent: stopped after {index} of {len(charts)} charts", file=sys.stderr)
                break
            print(f"[{index + 1}/{len(charts)}] {label}", file=sys.stderr, flush=True)
            if charts_run is not None:
                charts_run.append(label)
            for fault in faults:
                workdir = Path(tmp) / f"{index}-{fault.name}"
                outcome, attempts, restored, problems = run_one(fault, files, workdir, kube_versions)
                if outcome == "n/a":
                    continue
                tally = tallies[fault.name]
                tally.faulted += 1
                tally.collateral += len(problems)
                tally.restored += restored
                if outcome == "undetected":
                    continue
                tally.detected += 1
                tally.attempts += attempts
                if outcome == "healed":
                    tally.healed += 1
                else:
                    tally.failures.append(label)
    return tallies


def format_table(tallies: dict[str, Tally]) -> str:
    header = f"{'fault class':<28} {'faulted':>7} {'detected':>8} {'healed':>7} {'heal %':>7} {'attempts':>8} {'restored':>8} {'collateral':>10}"
    rows = [header, "-" * len(header)]
    for name, t in tallies.items():
        mean = t.attempts / t.detected if t.detected else 0.0
        rate = f"{100 * t.heal_rate:.1f}" if t.detected else "-"
        rows.append(
            f"{name:<28} {t.faulted:>7} {t.detected:>8} {t.healed:>7} {rate:>7} {mean:>8.2f} {t.restored:>8} {t.collateral:>10}"
        )
    detected = sum(t.detected for t in tallies.values())
    healed = sum(t.healed for t in tallies.values())
    rows.append("-" * len(header))
    overall = f"{100 * healed / detected:.1f} %" if detected else "-"
    rows.append(
        f"overall heal rate {overall} ({healed}/{detected} detected faults; "
        f"{sum(t.faulted for t in tallies.values())} faulted, "
        f"{sum(t.restored for t in tallies.values())} restored byte-for-byte, "
        f"{sum(t.collateral for t in tallies.values())} collateral edits)"
    )
    for name, t in tallies.items():
        if t.failures:
            rows.append(
                f"  not healed [{name}]: {', '.join(t.failures[:6])}{' …' if len(t.failures) > 6 else ''}"
            )
    return "\n".join(rows)


def overall_rate(tallies: dict[str, Tally]) -> float:
    detected = sum(t.detected for t in tallies.values())
    return sum(t.healed for t in tallies.values()) / detected if detected else 0.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--limit", type=int, default=None, help="benchmark only the first N charts")
    parser.add_argument("--quick", action="store_true", help="same as --limit 3")
    parser.add_argument("--fault", action="append", dest="faults", help="only this fault class (repeatable)")
    parser.add_argument("--kube-version", action="append", dest="kube_versions", metavar="V")
    parser.add_argument("--target", type=float, default=0.95, help="exit 1 below this overall heal rate")
    parser.add_argument(
        "--budget", type=float, default=None, metavar="SECONDS", help="stop starting charts after this"
    )
    args = parser.parse_args(argv)
    # checkov forks a process per file by default; in-process is faster for one small chart at a time
    os.environ.setdefault("CHECKOV_PARALLELIZATION_TYPE", "none")
    limit = 3 if args.quick and args.limit is None else args.limit
    faults = [f for f in FAULTS if not args.faults or f.name in args.faults]
    if not faults:
        parser.error(f"no fault named {args.faults}; known: {', '.join(f.name for f in FAULTS)}")
    started = time.monotonic()
    charts = corpus_charts(limit)
    done: list[str] = []
    tallies = run(charts, faults, args.kube_versions, args.budget, done)
    print(format_table(tallies))
    print(
        f"{len(done)} of {len(charts)} charts × {len(faults)} fault classes "
        f"in {time.monotonic() - started:.0f} s"
    )
    return 0 if overall_rate(tallies) >= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
