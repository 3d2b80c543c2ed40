"""Self-heal benchmark: break every corpus chart one fault at a time and measure `heal_chart` (no LLM).

    .venv/bin/python -m bench.selfheal            # every catalog app and corpus request × every fault
    .venv/bin/python -m bench.selfheal --limit 2  # a CI smoke run
    .venv/bin/python -m bench.selfheal --ci-logs --limit 2   # each fault only as a CI tool's log

In CI-log mode a fault reaches the heal only as the log a tool (helm lint, ct lint, kubeconform,
helm install, checkov, kube-linter) would print for it, read by `agents.heal.ci_logs`; the bot's
validator only judges the result (no finding it reports is new, the fault's finding is gone).
`--model oracle` adds a scripted model that answers with the unbroken file: an upper bound on what
routing to the model can reach, and a count of the model calls made (at most one per heal).

Per fault class it reports charts faulted, how many the validator noticed, the heal rate, mean
attempts, exact restorations and collateral edits: lines the heal changed that the fault never
touched (the target is zero — a heal must not rewrite what was not broken).
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


# --- CI-log mode ----------------------------------------------------------------------------------

CHART_PATH = "charts/{name}"
STAMP = "2026-11-30T10:00:00.0000000Z "
RUNTIME_FAULT = "image-not-found"
CI_ONLY_FAULT = "chart-version-not-bumped"


def _first_changed_line(before: str, after: str) -> int:
    """1-based line of `after` where it first differs from `before`."""
    for number, (old, new) in enumerate(zip(before.split("\n"), after.split("\n"), strict=False), start=1):
        if old != new:
            return number
    return min(len(before.split("\n")), len(after.split("\n")))


def _api_of(text: str) -> tuple[str, str]:
    """(kind, apiVersion) of the first document in a template."""
    kind = re.search(r"^kind: (\S+)", text, re.M)
    version = re.search(r"^apiVersion: (\S+)", text, re.M)
    return (kind.group(1) if kind else "Unknown"), (version.group(1) if version else "v1")


def _schema_lines(values_text: str, schema_text: str) -> list[str]:
    """What helm lint prints for values that break values.schema.json (Helm 3's wording)."""
    import json

    import jsonschema

    values = yaml.safe_load(values_text) or {}
    lines = []
    for error in jsonschema.Draft7Validator(json.loads(schema_text)).iter_errors(values):
        where = ".".join(map(str, error.absolute_path)) or "(root)"
        if error.validator == "type":
            given = type(error.instance).__name__.replace("str", "string").replace("int", "integer")
            lines.append(f"- {where}: Invalid type. Expected: {error.validator_value}, given: {given}")
        elif error.validator == "enum":
            allowed = ", ".join(f'"{v}"' for v in error.validator_value)
            lines.append(f"- {where}: {where} must be one of the following: {allowed}")
        else:
            lines.append(f"- {where}: {error.message}")
    return lines


def _steps(command: str, output: Sequence[str]) -> str:
    lines = [f"##[group]Run {command}", command, "shell: /usr/bin/bash -e {0}", "##[endgroup]", *output]
    lines.append("##[error]Process completed with exit code 1.")
    return "".join(STAMP + line + "\n" for line in lines)


def ci_log_for(fault: str, original: ChartFiles, broken: ChartFiles, name: str) -> str | None:
    """The job log a CI tool run would print for `fault` on the broken chart (None: no tool would)."""
    chart = CHART_PATH.format(name=name)
    changed = touched(original, broken)
    path = changed[0] if changed else "Chart.yaml"
    line = _first_changed_line(original.get(path, ""), broken.get(path, "")) if changed else 1
    kind, version = _api_of(broken.get(path, ""))
    if fault in ("tab-in-template", "values-bad-indent"):
        error = (
            "found character that cannot start any token"
            if "\t" in broken.get(path, "")
            else "mapping values are not allowed in this context"
        )
        yaml_line = line
        try:
            yaml.safe_load(broken.get(path, ""))
        except yaml.MarkedYAMLError as exc:
            yaml_line = exc.problem_mark.line + 1 if exc.problem_mark and path == "values.yaml" else line
        return _steps(
            f"helm lint {chart}",
            [
                f"==> Linting {chart}",
                f"[ERROR] {path}: unable to parse YAML: error converting YAML to JSON: yaml: line {yaml_line}: {error}",
                "",
                "Error: 1 chart(s) linted, 1 chart(s) failed",
            ],
        )
    if fault in (
        "ingress-extensions-v1beta1",
        "pdb-policy-v1beta1",
        "hpa-autoscaling-v2beta2",
        "hpa-autoscaling-v2beta1",
        "cronjob-batch-v1beta1",
        "workload-apps-v1beta2",
    ):
        return _steps(
            f"helm install {name} {chart} --wait",
            [
                f'Error: INSTALLATION FAILED: unable to build kubernetes objects from release manifest: resource mapping not found for name: "{name}" namespace: "" from "": no matches for kind "{kind}" in version "{version}"',
                "ensure CRDs are installed first",
            ],
        )
    if fault == "ingress-missing-pathtype":
        return _steps(
            f"helm template {name} {chart} | kubeconform -strict -summary",
            [
                f"stdin - Ingress {name} is invalid: problem validating schema. Check JSON formatting: jsonschema: '/spec/rules/0/http/paths/0' does not validate with https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/v1.30.0-standalone-strict/ingress-networking-v1.json#/properties/spec/properties/rules/items/properties/http/properties/paths/items/required: missing properties: 'pathType'"
            ],
        )
    if fault == "container-port-string":
        return _steps(
            f"helm template {name} {chart} | kubeconform -strict -summary",
            [
                f"stdin - Deployment {name} is invalid: problem validating schema. Check JSON formatting: jsonschema: '/spec/template/spec/containers/0/ports/0/containerPort' does not validate with https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/v1.30.0-standalone-strict/deployment-apps-v1.json#/properties/spec/properties/template/properties/spec/properties/containers/items/properties/ports/items/properties/containerPort/type: expected integer, but got string"
            ],
        )
    if fault == "service-selector-typo":
        return _steps(
            f"kube-linter lint {chart}",
            [
                f"{chart}/templates/service.yaml: (object: <no namespace>/{name} /v1, Kind=Service) no pods found matching service labels (map[app.kubernetes.io/nmae:{name}]) (check: dangling-service, remediation: Confirm that your service's selector correctly matches the labels on one of your deployments.)",
                "Error: found 1 lint errors",
            ],
        )
    if fault in ("replicas-string", "boolean-string", "service-type-case", "value-word-number"):
        items = _schema_lines(broken.get("values.yaml", ""), broken.get("values.schema.json", "{}"))
        if not items:
            return None
        return _steps(
            f"helm lint {chart}",
            [
                f"==> Linting {chart}",
                "[ERROR] templates/: values don't meet the specifications of the schema(s) in the following chart(s):",
                f"{name}:",
                *items,
                "",
                "Error: 1 chart(s) linted, 1 chart(s) failed",
            ],
        )
    checkov = {
        "readiness-probe-removed": [("CKV_K8S_9", "Readiness Probe Should be Configured")],
        "resources-removed": [
            ("CKV_K8S_10", "CPU requests should be set"),
            ("CKV_K8S_12", "Memory requests should be set"),
        ],
        "security-context-removed": [
            ("CKV_K8S_20", "Containers should not run with allowPrivilegeEscalation"),
            ("CKV_K8S_22", "Use read-only filesystem for containers where possible"),
        ],
    }
    if fault in checkov:
        workload = next(
            (
                p
                for p in broken
                if p.startswith("templates/")
                and _api_of(broken[p])[0] in ("Deployment", "StatefulSet", "DaemonSet")
            ),
            "templates/deployment.yaml",
        )
        out = []
        for check, title in checkov[fault]:
            out += [
                f'Check: {check}: "{title}"',
                f"\tFAILED for resource: Deployment.default.{name}",
                f"\tFile: /{chart}/{workload}:1-60",
            ]
        return _steps(f"checkov -d {chart} --framework helm", out)
    if fault == "chart-version-not-semver":
        bad = re.search(r"^version: (\S+)", broken.get("Chart.yaml", ""), re.M)
        return _steps(
            f"helm lint {chart}",
            [
                f"==> Linting {chart}",
                f"[ERROR] Chart.yaml: version '{bad.group(1) if bad else ''}' is not a valid SemVer",
                "Error: 1 chart(s) linted, 1 chart(s) failed",
            ],
        )
    if fault == CI_ONLY_FAULT:
        current = re.search(r"^version: (\S+)", original.get("Chart.yaml", ""), re.M)
        version = current.group(1) if current else "0.1.0"
        return _steps(
            "ct lint --target-branch main",
            [
                f"Old chart version: {version}",
                f"New chart version: {version}",
                f' ✖︎ {name} => (version: "{version}", path: "{chart}") > Chart version not ok. Needs a version bump!',
                "Error: failed linting charts: failed processing charts",
            ],
        )
    if fault == RUNTIME_FAULT:
        image = f"ghcr.io/acme/{name}:0.0.0-missing"
        return _steps(
            "ct install --target-branch main",
            [
                "Error: INSTALLATION FAILED: context deadline exceeded",
                f'2m  Warning  Failed  pod/{name}-7d9c6b7f4-x2x7q  Failed to pull image "{image}": rpc error: code = NotFound desc = {image}: not found',
            ],
        )
    return None


@dataclass
class CiTally:
    """CI-log mode counts for one fault class."""

    faulted: int = 0
    parsed: int = 0  # the log yielded at least one finding about this chart
    healed: int = 0
    model_calls: int = 0
    max_model_calls: int = 0
    edited_runtime: int = 0  # runtime-only failures the heal edited anyway (target: 0)


class _OracleModel:
    """Builds a scripted chat model that answers the LLM fixer with the unbroken files (an upper bound)."""

    @staticmethod
    def for_chart(original: ChartFiles, broken: ChartFiles) -> Any:
        from tests.fakes.chat_model import ScriptedChatModel, tool_reply

        edits = [{"path": p, "content": original[p]} for p in touched(original, broken) if p in original]
        return ScriptedChatModel(
            [tool_reply("ChartFileEdits", {"edits": edits, "explanation": "restore"})] * 3
        )


def _judged_healed(
    fault: str,
    original_dir_findings: set[tuple[str, str | None, str]],
    chart_dir: Path,
    versions: Sequence[str] | None,
    before: ChartFiles,
    after: ChartFiles,
) -> bool:
    from agents.validate import validate_chart
    from agents.validate.finding import Severity

    if fault == CI_ONLY_FAULT:
        old = yaml.safe_load(before["Chart.yaml"])["version"]
        new = yaml.safe_load(after["Chart.yaml"])["version"]
        return str(new) != str(old)
    report = validate_chart(chart_dir, list(versions) if versions else None)
    now = {
        (f.rule_id, f.file, f.message)
        for f in report.findings
        if f.severity in (Severity.ERROR, Severity.WARNING)
    }
    return now <= original_dir_findings


def run_ci_logs(
    charts: list[tuple[str, ChartFiles]],
    faults: Sequence[Fault],
    model: str,
    kube_versions: Sequence[str] | None = None,
) -> dict[str, CiTally]:
    """Each fault on each chart, presented only as a CI log; healed by `heal_from_ci` without the validator loop."""
    from agents.heal.ci_logs import findings_from_log
    from agents.heal.ci_logs.heal import heal_from_ci
    from agents.heal.ci_logs.locate import localise
    from agents.llm import ModelCallBudget, metered
    from agents.validate import validate_chart
    from agents.validate.finding import Severity

    cases: list[tuple[str, Fault | None]] = [(f.name, f) for f in faults]
    cases += [(CI_ONLY_FAULT, None), (RUNTIME_FAULT, None)]
    tallies = {name: CiTally() for name, _ in cases}
    with tempfile.TemporaryDirectory(prefix="selfheal-ci-") as tmp:
        for index, (label, files) in enumerate(charts):
            print(f"[{index + 1}/{len(charts)}] {label}", file=sys.stderr, flush=True)
            name = yaml.safe_load(files["Chart.yaml"])["name"]
            clean_dir = Path(tmp) / f"{index}-clean" / name
            write_chart(files, clean_dir)
            baseline = {
                (f.rule_id, f.file, f.message)
                for f in validate_chart(clean_dir, list(kube_versions) if kube_versions else None).findings
                if f.severity in (Severity.ERROR, Severity.WARNING)
            }
            for case, fault in cases:
                broken = fault.apply(files) if fault is not None else dict(files)
                if broken is None:
                    continue
                log = ci_log_for(case, files, broken, name)
                if log is None:
                    continue
                tally = tallies[case]
                tally.faulted += 1
                chart_dir = Path(tmp) / f"{index}-{case}-{model}" / name
                write_chart(broken, chart_dir)
                _, found = findings_from_log(log)
                found = localise(found, CHART_PATH.format(name=name))
                if found:
                    tally.parsed += 1
                budget = ModelCallBudget(1)
                chat = metered(_OracleModel.for_chart(files, broken), budget) if model == "oracle" else None
                heal_from_ci(chart_dir, found, kube_versions, model=chat, validator_loop=False)
                after = read_chart_files(chart_dir)
                tally.model_calls += budget.calls
                tally.max_model_calls = max(tally.max_model_calls, budget.calls)
                if case == RUNTIME_FAULT:
                    tally.edited_runtime += after != broken
                    continue
                if _judged_healed(case, baseline, chart_dir, kube_versions, broken, after):
                    tally.healed += 1
    return tallies


def format_ci_table(tallies: dict[str, CiTally], model: str) -> str:
    header = f"{'fault class (as a CI log)':<28} {'faulted':>7} {'parsed':>6} {'healed':>7} {'heal %':>7} {'model calls':>11} {'max/heal':>8}"
    rows = [f"CI-log mode, model: {model}", header, "-" * len(header)]
    for name, t in tallies.items():
        if name == RUNTIME_FAULT:
            continue
        rate = f"{100 * t.healed / t.faulted:.1f}" if t.faulted else "-"
        rows.append(
            f"{name:<28} {t.faulted:>7} {t.parsed:>6} {t.healed:>7} {rate:>7} {t.model_calls:>11} {t.max_model_calls:>8}"
        )
    counted = [t for n, t in tallies.items() if n != RUNTIME_FAULT]
    faulted = sum(t.faulted for t in counted)
    healed = sum(t.healed for t in counted)
    rows.append("-" * len(header))
    rows.append(
        f"overall CI-log heal rate {100 * healed / faulted if faulted else 0:.1f} % ({healed}/{faulted}); "
        f"model calls {sum(t.model_calls for t in tallies.values())}, at most "
        f"{max((t.max_model_calls for t in tallies.values()), default=0)} per heal"
    )
    runtime = tallies.get(RUNTIME_FAULT)
    if runtime and runtime.faulted:
        rows.append(
            f"runtime failures (image not found): {runtime.faulted} presented, {runtime.edited_runtime} edited (target 0)"
        )
    return "\n".join(rows)


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
    parser.add_argument("--ci-logs", action="store_true", help="present each fault only as a CI tool's log")
    parser.add_argument(
        "--model", choices=["none", "oracle", "both"], default="both", help="CI-log mode: which model runs"
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
    if args.ci_logs:
        for model in ("none", "oracle") if args.model == "both" else (args.model,):
            ci_tallies = run_ci_logs(charts, faults, model, args.kube_versions)
            print(format_ci_table(ci_tallies, model))
        print(f"{len(charts)} charts × {len(faults) + 2} CI cases in {time.monotonic() - started:.0f} s")
        return 0
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
