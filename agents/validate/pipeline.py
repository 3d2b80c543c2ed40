"""`validate_chart`: lint, render every values file, then run the rule registry and checkov."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from agents.validate.accepted_risks import AcceptedRisk, accept, accepted_risks, apply_accepted
from agents.validate.chart_yaml import MISSING_DEPENDENCIES, REPLACED_LINT_TEXT, chart_yaml_findings
from agents.validate.engine import RELEASE_NAME, HelmEngine, RenderResult, get_engine
from agents.validate.errors import ChartNotFoundError
from agents.validate.finding import Finding, Severity, ValidationReport
from agents.validate.helm_messages import lint_findings, render_finding
from agents.validate.kube_schema import default_kube_versions, schema_version_for
from agents.validate.locate import TemplateLocator
from agents.validate.manifests import (
    ParsedRender,
    RenderedObject,
    parse_manifests,
    yaml_findings,
)
from agents.validate.policy import DEFAULT_POLICY, Policy, apply_policy
from agents.validate.rules import RULES, ChartFacts, Rule, RuleInput, Violation
from agents.validate.rules.contract import LONG_RELEASE_NAME
from agents.validate.values_yaml import ExcessiveAliasesError, load_values

SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def ci_values_files(chart_dir: Path) -> list[str]:
    """`ci/*-values.yaml`, the files chart-testing installs the chart with."""
    return sorted(p.relative_to(chart_dir).as_posix() for p in (chart_dir / "ci").glob("*-values.yaml"))


def _require_chart(chart_dir: Path) -> None:
    chart_yaml = chart_dir / "Chart.yaml"
    if not chart_dir.is_dir():
        raise ChartNotFoundError(
            f"{chart_dir} is not a directory: pass the path of a Helm chart (the folder with Chart.yaml)"
        )
    try:
        chart_yaml.read_text()
    except OSError as exc:
        raise ChartNotFoundError(
            f"{chart_dir} is not a Helm chart: cannot read {chart_yaml} ({exc.strerror or exc}); "
            "pass the folder that holds Chart.yaml"
        ) from exc


VALUES_ALIASES_HINT = (
    "write the repeated values out, or share smaller blocks with anchors (&name) and aliases (*name): "
    "the validator and Helm refuse a values file whose aliases expand it this much"
)


def _sets_nothing(values_path: Path) -> bool:
    """True for a values file that is empty or `{}` (comments aside), so its render is the defaults'."""
    try:
        text = values_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False  # unreadable: render it and let Helm report the problem
    # textual, not a YAML parse: this runs for every file and must cost nothing for the big ones
    content = "".join(line.strip() for line in text.splitlines() if not line.lstrip().startswith("#"))
    return content in ("", "{}", "---", "---{}")


def _default_values(chart_dir: Path) -> tuple[dict[str, Any], Finding | None]:
    """The chart's default values, or {} and a finding when values.yaml is an alias bomb."""
    try:
        loaded = load_values((chart_dir / "values.yaml").read_text())
    except ExcessiveAliasesError as exc:
        return {}, Finding(
            rule_id="values/yaml-aliases",
            severity=Severity.ERROR,
            message=f"values.yaml was not read: {exc}",
            file="values.yaml",
            hint=VALUES_ALIASES_HINT,
        )
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}, None  # helm-lint reports an unreadable values.yaml
    return (loaded if isinstance(loaded, dict) else {}), None


def external_names(values: Any) -> frozenset[str]:
    """Names the user promises exist outside the chart: values of `existing*` keys (existingSecret…).

    Each container is visited once: YAML aliases share objects, and walking them as a tree would
    expand a "billion laughs" document.
    """
    found: set[str] = set()
    seen: set[int] = set()
    stack: list[Any] = [values]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict | list) or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            for key, value in node.items():
                if str(key).lower().startswith("existing") and isinstance(value, str) and value:
                    found.add(value)
                stack.append(value)
        else:
            stack.extend(node)
    return frozenset(found)


def _subchart_external_names(chart_dir: Path) -> frozenset[str]:
    """Names the bundled subcharts (charts/*/values.yaml) declare external: they render with the chart."""
    found: set[str] = set()
    for values_file in sorted(chart_dir.glob("charts/*/values.yaml")):
        try:
            found |= external_names(load_values(values_file.read_text()))
        except (OSError, UnicodeDecodeError, yaml.YAMLError, ExcessiveAliasesError):
            continue  # the subchart's own render reports an unreadable values file
    return frozenset(found)


def _findings(
    rule: Rule, violations: Iterable[Violation], values_file: str, locator: TemplateLocator
) -> Iterator[Finding]:
    for v in violations:
        obj: RenderedObject | None = v.obj
        severity = v.severity or rule.severity
        message = v.message
        reason = accepted_risks(obj).get(rule.id) if obj is not None else None
        severity, message = accept(severity, message, reason)
        yield Finding(
            rule_id=rule.id,
            severity=severity,
            message=message,
            file=obj.template if obj else v.file,
            line=(locator.line_of(obj, v.path) if obj else v.line),
            hint=v.hint or rule.hint,
            kube_version=v.kube_version,
            values_file=values_file if obj else None,
            resource=obj.ref if obj else None,
        )


LIST_DOCUMENT = re.compile(r"^kind:\s*List\s*$", re.MULTILINE)


def _unnamed_list(finding: Finding, rendered: dict[str, str]) -> bool:
    """helm lint's empty-name complaint about a `kind: List`: a List has no name, its items do."""
    return (
        'naming requirements: ""' in finding.message
        and finding.file is not None
        and bool(LIST_DOCUMENT.search(rendered.get(finding.file, "")))
    )


def _rule_failure(rule_id: str, values_file: str, exc: Exception) -> Finding:
    return Finding(
        rule_id=rule_id,
        severity=Severity.WARNING,
        message=f"{rule_id} could not check the render of {values_file}: {type(exc).__name__}: {exc}",
        hint="this is a bug in k8s-autopilot's validator, not in your chart: please report it with this message",
    )


def _dedupe(findings: Iterable[Finding], versions: Sequence[str]) -> list[Finding]:
    """The same problem from several renders is reported once, naming every values file that showed
    it (first render wins the rest); one found on every requested Kubernetes version is reported once
    without a version."""
    groups: dict[tuple[Any, ...], list[Finding]] = {}
    for f in findings:
        # an object's finding is the same whatever line each render's text put it on
        where = f.resource if f.resource else f.line
        groups.setdefault((f.rule_id, f.file, where, f.message), []).append(f)
    kept: list[Finding] = []
    for group in groups.values():
        seen_in = tuple(dict.fromkeys(f.values_file for f in group if f.values_file))
        renders = {"values_files": seen_in} if len(seen_in) > 1 else {}
        found_on = {f.kube_version for f in group}
        if len(versions) > 1 and found_on == set(versions):
            kept.append(group[0].model_copy(update={"kube_version": None, **renders}))
            continue
        by_version: dict[str | None, Finding] = {}
        for f in group:
            by_version.setdefault(f.kube_version, f)
        kept += [f.model_copy(update=renders) for f in by_version.values()]
    return sorted(kept, key=lambda f: (SEVERITY_ORDER[f.severity], f.file or "", f.line or 0, f.rule_id))


@cache
def helm_threads() -> ThreadPoolExecutor:
    """Threads for Helm's work, kept for the process: Go attaches its runtime to each new thread
    that calls it, which costs more than the thread itself."""
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="helm")


@dataclass
class _RenderOutcome:
    """One render with what our checks found in it: its YAML findings and its rule findings."""

    render: RenderResult
    parsed: ParsedRender
    yaml_findings: list[Finding]
    rule_findings: list[Finding]


def _check_render(
    render: RenderResult,
    locator: TemplateLocator,
    facts: ChartFacts,
    rules: list[Rule],
    reported: set[str | None],
    release_name: str = RELEASE_NAME,
) -> _RenderOutcome:
    """Parse one render and run the rule registry over it. `reported`: templates whose YAML error
    an earlier render reported already (updated here)."""
    found_yaml: list[Finding] = []
    if render.error is not None:
        result = ParsedRender(render.values_file, [], {}, {})  # chart-wide rules still run on it
    else:
        locator.rendered[render.values_file] = render.manifests
        result = parse_manifests(render.values_file, render.manifests)
        lines = {t: locator.line_of_rendered(render.values_file, t, n) or n for t, n in result.broken.items()}
        for template, line in [*result.stray, *((t, n) for t, n, _ in result.duplicates)]:
            lines[f"{template}:{line}"] = locator.line_of_rendered(render.values_file, template, line) or line
        found_yaml = [f for f in yaml_findings(result, lines) if f.file not in reported]
        reported.update(f.file for f in found_yaml)

    found: list[Finding] = []
    given = RuleInput(result.objects, facts, result.values_file, release_name)
    for rule in rules:
        if rule.family == "wiring" and result.broken:
            continue  # objects are missing from a broken render: wiring findings would be false alarms
        try:
            violations = list(rule.check(given))
        except Exception as exc:  # a rule bug must not hide every other finding
            found.append(_rule_failure(rule.id, result.values_file, exc))
            continue
        found += _findings(rule, violations, result.values_file, locator)
    return _RenderOutcome(render, result, found_yaml, found)


def validate_chart(
    chart_dir: Path,
    kube_versions: Sequence[str] | None = None,
    *,
    values_files: Sequence[str] | None = None,
    security: bool = True,
    checkov: bool | None = None,
    engine: HelmEngine | None = None,
    policy: Policy = DEFAULT_POLICY,
    accepted: Sequence[AcceptedRisk] = (),
) -> ValidationReport:
    """Every finding for a chart; a broken chart gives findings, only a non-chart raises.

    `checkov` defaults to `security`; `engine` defaults to `get_engine()` (helm binary, else SDK).
    `policy` is the Pod Security Standard the chart is held to; `accepted` are the repository's
    accepted risks (findings they cover become info carrying the reason).
    """
    chart_dir = Path(chart_dir)
    _require_chart(chart_dir)
    versions = list(kube_versions) if kube_versions else default_kube_versions()
    for version in versions:
        schema_version_for(version)  # unknown version: a clear error now, not one finding per object
    helm = engine or get_engine()

    defaults, values_problem = _default_values(chart_dir)
    facts = ChartFacts(
        chart_dir, versions, defaults, external_names(defaults) | _subchart_external_names(chart_dir)
    )
    rules = [r for r in RULES if security or r.family != "security"]
    locator = TemplateLocator(chart_dir, {})  # filled with each successful render in order

    # Helm works in threads while Python checks what it already rendered: helm lint (it needs no
    # render) and the renders of ci/ values run meanwhile; both engines release the GIL (the SDK
    # in its native calls, the CLI in its subprocess). The chart is rendered with its defaults
    # first, alone (each render loads the chart afresh, so one values file cannot leak into the
    # next). An engine error raises from .result() as it raised from the call before.
    background = helm_threads()
    linting = background.submit(helm.lint, chart_dir, kube_version=versions[0])
    files = list(values_files if values_files is not None else ci_values_files(chart_dir))
    # a values file that sets nothing (ci/default-values.yaml) renders exactly as the defaults
    empty = [f for f in files if _sets_nothing(chart_dir / f)]
    later = [
        background.submit(helm.render, chart_dir, values_file, kube_version=versions[0])
        for values_file in files
        if values_file not in empty
    ]
    # both engines set .Capabilities.KubeVersion from this; rendered here while the threads work
    first = helm.render(chart_dir, None, kube_version=versions[0])
    # names built from the release name are checked again for the longest one `helm install` takes
    release_sensitive = [r for r in rules if r.release_sensitive]
    long_release = background.submit(
        helm.render, chart_dir, None, kube_version=versions[0], release_name=LONG_RELEASE_NAME
    )
    reported: set[str | None] = set()
    outcomes = [_check_render(first, locator, facts, rules, reported)]
    if first.error is None:
        locator.rendered.update({values_file: first.manifests for values_file in empty})
    outcomes += [_check_render(pending.result(), locator, facts, rules, reported) for pending in later]
    lint_messages = linting.result()

    # findings in the order they always had: YAML, helm lint, render failures, values, rules
    findings = [f for o in outcomes for f in o.yaml_findings]
    # our YAML parse names the exact line; Helm's "yaml: line N" for the same template is dropped
    broken = {f.file for f in findings}
    chart_problems = chart_yaml_findings(chart_dir)
    findings += chart_problems
    findings += [
        f
        for f in lint_findings(lint_messages, locator)
        if not (f.file in broken and "yaml" in f.message.lower())
        and not (chart_problems and any(text in f.message for text in REPLACED_LINT_TEXT))
        and not _unnamed_list(f, locator.rendered.get("values.yaml", {}))
    ]
    for outcome in outcomes:
        if outcome.render.error is not None:
            failure = render_finding(outcome.render.error, outcome.render.values_file, locator)
            if not any(f.severity == Severity.ERROR and f.message in failure.message for f in findings):
                findings.append(failure)  # else helm-lint already said it
    if any(f.rule_id == MISSING_DEPENDENCIES for f in chart_problems):
        # Helm's lint and render errors are the missing subcharts again: one error says it all
        findings = [
            f for f in findings if not (f.rule_id in ("helm-lint", "render") and f.severity == Severity.ERROR)
        ]
    if values_problem is not None:
        findings.append(values_problem)
    findings += [f for o in outcomes for f in o.rule_findings]
    # checkov (Python) runs while Helm still renders with the longest release name
    parsed = [o.parsed for o in outcomes]
    if (security if checkov is None else checkov) and any(p.objects for p in parsed):
        from agents.validate.checkov_scan import checkov_findings

        try:
            findings += checkov_findings({p.values_file: p.objects for p in parsed if p.objects}, locator)
        except Exception as exc:  # checkov is a third-party scanner: report, don't crash
            findings.append(_rule_failure("checkov", "all renders", exc))

    long_named = _check_render(
        long_release.result(),
        TemplateLocator(chart_dir, {}),
        facts,
        release_sensitive,
        set(),
        LONG_RELEASE_NAME,
    )
    already = {(f.rule_id, f.file, f.line) for f in findings}
    findings += [f for f in long_named.rule_findings if (f.rule_id, f.file, f.line) not in already]

    findings = apply_accepted(apply_policy(findings, policy), accepted)
    return ValidationReport(
        chart_dir=str(chart_dir),
        findings=_dedupe(findings, versions),
        engine=helm.name,
        kube_versions=versions,
        rendered=locator.rendered,
    )
