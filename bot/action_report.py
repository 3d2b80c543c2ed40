"""How validate mode reports findings: step summary tables and a check run annotating each one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from agents.validate.finding import Finding, Severity, ValidationReport
from agents.validate.object_counts import ObjectCounts
from bot.action_outputs import table_cell
from bot.action_settings import ActionSettings
from bot.github import Annotation, AnnotationLevel, GitHubClient, GitHubError
from bot.messages import objects_table

CHECK_NAME = "k8s-autopilot / validate"
MAX_SUMMARY_FINDINGS = 200  # per chart: the step summary is capped at 1 MiB by GitHub
_ANNOTATION_LEVELS: dict[Severity, AnnotationLevel] = {
    Severity.ERROR: "failure",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
}


def repo_path(settings: ActionSettings, report: ValidationReport, finding: Finding | None = None) -> str:
    """The chart's (or the finding's file's) path relative to the checkout, as annotations need it."""
    path = Path(report.chart_dir) / (finding.file or "") if finding else Path(report.chart_dir)
    try:
        return path.resolve().relative_to(settings.workspace.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def severity_counts(report: ValidationReport) -> dict[Severity, int]:
    """How many findings the report has of each severity."""
    return {s: sum(1 for f in report.findings if f.severity == s) for s in Severity}


def summary_markdown(
    settings: ActionSettings,
    reports: Sequence[ValidationReport],
    objects: Mapping[str, ObjectCounts | None] | None = None,
) -> str:
    """The step summary: one row per chart, then each chart's errors and warnings and its objects.

    `objects` maps a report's `chart_dir` to its object counts per Kubernetes version.
    """
    if not reports:
        return "## k8s-autopilot validate\n\nNo chart changed in this pull request; nothing to validate.\n"
    rows = []
    for report in reports:
        counts = severity_counts(report)
        result = "✅ pass" if report.ok else "❌ fail"
        rows.append(
            f"| `{table_cell(repo_path(settings, report))}` | {result} | {counts[Severity.ERROR]} | "
            f"{counts[Severity.WARNING]} | {counts[Severity.INFO]} | {table_cell(', '.join(report.kube_versions))} |"
        )
    parts = [
        "## k8s-autopilot validate\n",
        "| Chart | Result | Errors | Warnings | Info | Kubernetes |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
    ]
    for report in reports:
        shown = [f for f in report.findings if f.severity != Severity.INFO][:MAX_SUMMARY_FINDINGS]
        counted = (objects or {}).get(report.chart_dir)
        if not shown and counted is None:
            continue
        parts.append(f"### `{table_cell(repo_path(settings, report))}`\n")
        if shown:
            parts += ["| Severity | Rule | Where | Problem | Hint |", "|---|---|---|---|---|"]
        for f in shown:
            where = repo_path(settings, report, f) + (f":{f.line}" if f.line else "") if f.file else "(chart)"
            parts.append(
                f"| {f.severity.value} | `{table_cell(f.rule_id)}` | `{table_cell(where)}` | {table_cell(f.message)} | {table_cell(f.hint)} |"
            )
        if counted is not None:
            parts += ["", objects_table(counted).replace("### Objects", "#### Objects", 1)]
        parts.append("")
    return "\n".join(parts) + "\n"


def _annotations(settings: ActionSettings, reports: Sequence[ValidationReport]) -> list[Annotation]:
    annotations = []
    for report in reports:
        for f in report.findings:
            annotations.append(
                Annotation(
                    path=repo_path(settings, report, f)
                    if f.file
                    else repo_path(settings, report) + "/Chart.yaml",
                    start_line=f.line or 1,
                    end_line=f.line or 1,
                    annotation_level=_ANNOTATION_LEVELS[f.severity],
                    message=f.message + (f"\n{f.hint}" if f.hint else ""),
                    title=f.rule_id,
                )
            )
    return annotations


def report_check_run(
    settings: ActionSettings,
    event: Mapping[str, Any],
    reports: Sequence[ValidationReport],
    summary: str,
    err: TextIO,
) -> None:
    """A check run with every finding as an annotation; a read-only token (fork PRs) only gets a notice."""
    if settings.token is None:
        return
    head = ((event.get("pull_request") or {}).get("head") or {}).get("sha") or settings.sha
    if not head:
        return
    errors = sum(len(r.errors) for r in reports)
    try:
        with GitHubClient.from_token(settings.token, base_url=settings.api_url) as client:
            client.create_check_run(
                settings.owner,
                settings.repo,
                name=CHECK_NAME,
                head_sha=head,
                status="completed",
                conclusion="failure" if errors else "success",
                title=f"{errors} error(s) in {len(reports)} chart(s)"
                if errors
                else f"{len(reports)} chart(s) valid",
                summary=summary[:60_000],
                annotations=_annotations(settings, reports),
            )
    except GitHubError as exc:
        err.write(
            f"::notice title=k8s-autopilot::no check run ({exc}); the findings are the annotations above "
            "and the step summary\n"
        )
