"""Request fidelity: does each chart do what its request says, or say plainly what it did not?

    .venv/bin/python -m bench.fidelity              # the whole corpus, with validation counts
    .venv/bin/python -m bench.fidelity --strict     # exit 1 on any silently dropped fact
    .venv/bin/python -m bench.fidelity --limit 20 --no-validate

Each corpus request lists the facts it must produce in the rendered objects (kind, name
suffix, path, expected value) and the words each fact comes from. The request is planned
(open questions answered from the corpus or their defaults), generated and rendered with the
default values through the validator's Helm engine; every fact is then:

- asked: the planner raised a question for it (`ask: <question key>` in the corpus), whatever
  the answer then made of it;
- honoured: the rendered objects carry it;
- reported: a "not done" note of the plan covers the fact's words;
- dropped: none of these, i.e. lost silently. The target is zero.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from agents.chart import render_chart, write_chart
from agents.plan import plan_request
from agents.plan.facts import NotDone
from agents.plan.parser import FILLER_WORDS
from agents.plan.questions import PlanOutcome
from agents.validate import get_engine, validate_chart
from agents.validate.finding import Severity

CORPUS_FILE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "fidelity" / "requests.yaml"
Verdict = Literal["honoured", "asked", "reported", "dropped"]
VERDICTS: tuple[Verdict, ...] = ("honoured", "asked", "reported", "dropped")
MISSING = object()


class ExpectedFact(BaseModel):
    """One fact a request states, as it must show in the rendered objects."""

    model_config = ConfigDict(extra="forbid")

    words: str  # the request's words this fact comes from
    kind: str  # Kubernetes kind of the object that carries it; "Workload" = any pod controller
    name: str = ""  # suffix of metadata.name ("" = any object of the kind the app's own chart renders)
    path: str = ""  # dotted path into the object ("pod." / "container." for a Workload); "" = the object
    value: Any = MISSING  # expected value at `path` (omitted: the path must exist)
    contains: Any = MISSING  # the value at `path` contains this (list item, dict subset or substring)
    absent: bool = False  # the object (or the path) must NOT exist
    ask: str | None = None  # the key of the question that stands for this fact


class CorpusRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    capability: str
    request: str
    sets: list[str] = Field(default_factory=list)
    answers: dict[str, str] = Field(default_factory=dict)
    facts: list[ExpectedFact]


class FactResult(BaseModel):
    request_id: str
    capability: str
    words: str
    verdict: Verdict


class ChartCheck(BaseModel):
    """Validator verdicts of one corpus chart (error-severity findings only)."""

    request_id: str
    lint_errors: int = 0
    schema_errors: int = 0
    security_errors: int = 0
    other_errors: int = 0


def load_corpus(path: Path = CORPUS_FILE) -> list[CorpusRequest]:
    data = yaml.safe_load(path.read_text())
    return [CorpusRequest.model_validate(item) for item in data["requests"]]


# --- reading rendered objects --------------------------------------------------------------------


WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"}
POD_PREFIXES = {"pod": "spec.template.spec", "container": "spec.template.spec.containers[0]"}


def _steps(path: str) -> list[str]:
    """Dotted steps; `[0]` indexes, `[name=http]` selects by a field, `["nvidia.com/gpu"]` is a key."""
    return re.findall(r"\[[^\]]*\]|[^.\[\]]+", path)


def _workload_path(obj: dict[str, Any], path: str) -> str:
    """`pod.x` / `container.x` of any workload kind (a CronJob's pod sits under its jobTemplate)."""
    head, _, rest = path.partition(".")
    if head not in POD_PREFIXES:
        return path
    prefix = POD_PREFIXES[head]
    if obj.get("kind") == "CronJob":
        prefix = prefix.replace("spec.template", "spec.jobTemplate.spec.template", 1)
    return f"{prefix}.{rest}" if rest else prefix


def read_path(node: Any, path: str) -> Any:
    """`spec.template.spec.containers[0].ports[name=http].containerPort` of an object, or MISSING."""
    for step in _steps(path) if path else []:
        if step.startswith("["):
            inner = step[1:-1]
            if inner[:1] in "\"'" and isinstance(node, dict):
                node = node.get(inner.strip("\"'"), MISSING)
                continue
            if not isinstance(node, list):
                return MISSING
            if "=" in inner:
                key, want = inner.split("=", 1)
                node = next((i for i in node if isinstance(i, dict) and str(i.get(key)) == want), MISSING)
            elif inner.isdigit() and int(inner) < len(node):
                node = node[int(inner)]
            else:
                return MISSING
        elif isinstance(node, dict) and step in node:
            node = node[step]
        else:
            return MISSING
        if node is MISSING:
            return MISSING
    return node


def _contains(have: Any, want: Any) -> bool:
    """`want` is part of `have`: a wanted list's every item is in (or part of) some item of `have`."""
    if isinstance(have, list) and isinstance(want, list):
        return all(any(item == one or _contains(item, one) for item in have) for one in want)
    if isinstance(have, list):
        return any(_contains(item, want) or item == want for item in have)
    if isinstance(have, dict) and isinstance(want, dict):
        return all(k in have and (have[k] == v or _contains(have[k], v)) for k, v in want.items())
    if isinstance(have, str):
        return str(want) in have
    return bool(have == want)


SUBCHART = "__subchart__"  # set by render_objects on objects a bundled dependency chart renders


def honoured(fact: ExpectedFact, objects: Sequence[dict[str, Any]]) -> bool:
    """A fact without a name is about the app, so a bundled dependency's objects (its Service,
    its StatefulSet) neither honour nor contradict it; a named fact may point at them."""
    kinds = WORKLOAD_KINDS if fact.kind == "Workload" else {fact.kind}
    candidates = [
        o
        for o in objects
        if o.get("kind") in kinds
        and str(read_path(o, "metadata.name")).endswith(fact.name)
        and (fact.name or SUBCHART not in o)
    ]
    if fact.absent:
        if not fact.path:
            return not candidates
        return all(read_path(o, _workload_path(o, fact.path)) is MISSING for o in candidates)
    for obj in candidates:
        value = read_path(obj, _workload_path(obj, fact.path))
        if value is MISSING:
            continue
        if fact.value is not MISSING and value != fact.value:
            continue
        if fact.contains is not MISSING and not _contains(value, fact.contains):
            continue
        return True
    return False


# --- classification ---------------------------------------------------------------------------------


def _content_words(text: str) -> set[str]:
    words = {w.strip(".,;:!?()[]{}\"'`").lower() for w in text.split()}
    return {w for w in words if w and w not in FILLER_WORDS}


def reported(fact: ExpectedFact, not_done: Sequence[NotDone]) -> bool:
    """A note covers the fact when every content word of the fact is among the notes' words."""
    wanted = _content_words(fact.words)
    said = set().union(*(_content_words(n.words) for n in not_done)) if not_done else set()
    return bool(wanted) and wanted <= said


def classify(
    fact: ExpectedFact, objects: Sequence[dict[str, Any]], asked: set[str], not_done: Sequence[NotDone]
) -> Verdict:
    if fact.ask is not None and fact.ask in asked:
        return "asked"  # the chart carries it only because the user answered
    if objects and honoured(fact, objects):
        return "honoured"
    if reported(fact, not_done):
        return "reported"
    return "dropped"


# --- one request --------------------------------------------------------------------------------------


def plan_with_answers(case: CorpusRequest) -> tuple[PlanOutcome, PlanOutcome]:
    """(first outcome, completed outcome): open questions take the corpus answer, else their default."""
    first = plan_request(case.request, case.sets)
    if first.plan is not None:
        return first, first
    answers = dict(case.answers)
    for question in first.questions:
        if question.key not in answers and question.default is not None:
            answers[question.key] = question.default
    return first, plan_request(case.request, case.sets, answers)


def render_objects(files: dict[str, str], chart_dir: Path) -> list[dict[str, Any]]:
    write_chart(files, chart_dir)
    result = get_engine().render(chart_dir)
    if result.error:
        raise ValueError(f"{chart_dir.name} does not render: {result.error}")
    objects = []
    for name, text in sorted(result.manifests.items()):
        if not name.endswith((".yaml", ".yml")):
            continue
        for doc in yaml.safe_load_all(text):
            if isinstance(doc, dict) and doc.get("kind"):
                if name.startswith("charts/") or "/charts/" in name:
                    doc[SUBCHART] = name.split("charts/", 1)[1].split("/", 1)[0]
                objects.append(doc)
    return objects


def check_chart(case_id: str, chart_dir: Path) -> ChartCheck:
    report = validate_chart(chart_dir)
    check = ChartCheck(request_id=case_id)
    for finding in report.findings:
        if finding.severity != Severity.ERROR:
            continue
        if finding.rule_id in {"helm-lint", "render", "yaml"}:
            check.lint_errors += 1
        elif finding.rule_id.startswith("schema/"):
            check.schema_errors += 1
        elif finding.rule_id.startswith("security/"):
            check.security_errors += 1
        else:
            check.other_errors += 1
    return check


def run_case(
    case: CorpusRequest, workdir: Path, validate: bool
) -> tuple[list[FactResult], ChartCheck | None]:
    first, final = plan_with_answers(case)
    asked = {q.key for q in first.questions}
    not_done = [*first.not_done, *final.not_done]
    objects: list[dict[str, Any]] = []
    check = None
    if final.plan is not None:
        chart_dir = workdir / case.id / final.plan.name
        objects = render_objects(render_chart(final.plan), chart_dir)
        check = check_chart(case.id, chart_dir) if validate else None
    results = [
        FactResult(
            request_id=case.id,
            capability=case.capability,
            words=fact.words,
            verdict=classify(fact, objects, asked, not_done),
        )
        for fact in case.facts
    ]
    return results, check


def run_corpus(
    cases: Sequence[CorpusRequest], *, validate: bool = True
) -> tuple[list[FactResult], list[ChartCheck], list[str]]:
    """Every fact's verdict, every chart's validation counts, and requests that left questions open."""
    facts: list[FactResult] = []
    checks: list[ChartCheck] = []
    unplanned: list[str] = []
    with tempfile.TemporaryDirectory(prefix="autopilot-fidelity-") as tmp:
        for case in cases:
            results, check = run_case(case, Path(tmp), validate)
            facts.extend(results)
            if check is not None:
                checks.append(check)
            elif validate:
                unplanned.append(case.id)
    return facts, checks, unplanned


# --- report ---------------------------------------------------------------------------------------------


def table(results: Sequence[FactResult]) -> str:
    by_capability: dict[str, Counter[str]] = defaultdict(Counter)
    for r in results:
        by_capability[r.capability][r.verdict] += 1
    header = f"{'capability':<22} {'facts':>5} " + " ".join(f"{v:>9}" for v in VERDICTS)
    lines = [header, "-" * len(header)]
    total: Counter[str] = Counter()
    for capability in sorted(by_capability):
        counts = by_capability[capability]
        total.update(counts)
        lines.append(
            f"{capability:<22} {sum(counts.values()):>5} " + " ".join(f"{counts[v]:>9}" for v in VERDICTS)
        )
    n = sum(total.values()) or 1
    lines.append("-" * len(header))
    lines.append(f"{'total':<22} {n:>5} " + " ".join(f"{total[v]:>9}" for v in VERDICTS))
    lines.append(f"{'share':<22} {'':>5} " + " ".join(f"{100 * total[v] / n:>8.1f}%" for v in VERDICTS))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS_FILE)
    parser.add_argument("--limit", type=int, default=None, help="only the first N requests")
    parser.add_argument("--strict", action="store_true", help="exit 1 when any fact is silently dropped")
    parser.add_argument(
        "--no-validate", dest="validate", action="store_false", help="skip lint/schema/security"
    )
    parser.add_argument(
        "--show", choices=VERDICTS, action="append", default=[], help="list facts with this verdict"
    )
    args = parser.parse_args(argv)

    cases = load_corpus(args.corpus)[: args.limit]
    started = time.perf_counter()
    results, checks, unplanned = run_corpus(cases, validate=args.validate)
    elapsed = time.perf_counter() - started
    print(f"requests: {len(cases)}  facts: {len(results)}  ({elapsed:.1f} s)\n")
    print(table(results))
    for verdict in args.show:
        print(f"\n{verdict}:")
        for r in results:
            if r.verdict == verdict:
                print(f"  {r.request_id}: {r.words}")
    dropped = [r for r in results if r.verdict == "dropped"]
    if dropped and "dropped" not in args.show:
        print("\nsilently dropped:")
        for r in dropped:
            print(f"  {r.request_id}: {r.words}")
    if args.validate:
        bad = {
            "strict-lint": [c.request_id for c in checks if c.lint_errors],
            "schema": [c.request_id for c in checks if c.schema_errors],
            "restricted": [c.request_id for c in checks if c.security_errors],
            "other rules": [c.request_id for c in checks if c.other_errors],
        }
        print(f"\ncharts validated: {len(checks)} (requests still asking after answers: {len(unplanned)})")
        for what, ids in bad.items():
            print(
                f"  {what:<12} clean {len(checks) - len(ids):>4}/{len(checks)}"
                + (f"  failing: {', '.join(ids)}" if ids else "")
            )
    return 1 if args.strict and dropped else 0


if __name__ == "__main__":
    sys.exit(main())
