"""Validate mode: check the charts a pull request changes (or the `charts` input), report, exit."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TextIO

from pydantic import ValidationError

from agents.validate import format_report, validate_chart
from agents.validate.chart_yaml import build_dependencies
from agents.validate.errors import ChartNotFoundError
from agents.validate.finding import Severity, ValidationReport
from agents.validate.object_counts import count_objects
from bot.action_charts import select_charts
from bot.action_outputs import EXIT_FINDINGS, EXIT_OK, append_summary, write_outputs
from bot.action_report import repo_path, report_check_run, severity_counts, summary_markdown
from bot.action_settings import ActionError, ActionSettings, inside_checkout, read_event
from bot.config import RepoConfig, RepoConfigError, load_repo_config


def load_workspace_config(settings: ActionSettings) -> RepoConfig:
    """The repository's config file from the checkout (defaults when it does not exist)."""
    path = inside_checkout(settings.workspace, settings.config_path, "config")
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        return RepoConfig()
    except OSError as exc:
        raise ActionError(
            f"config {settings.config_path!r}: cannot read it ({exc.strerror or exc})"
        ) from None
    try:
        return load_repo_config(text)
    except RepoConfigError as exc:
        raise ActionError(f"config {settings.config_path!r}: {exc}") from None


def kube_versions_for(settings: ActionSettings, config: RepoConfig) -> list[str] | None:
    """`kube-versions` input (spaces or commas), else the config's; None: the validator's defaults."""
    raw = [v for v in re.split(r"[\s,]+", settings.kube_versions) if v]
    if not raw:
        return list(config.kube_versions) or None
    try:
        return list(RepoConfig.model_validate({"kube_versions": raw}).kube_versions)
    except ValidationError as err:
        message = str(err.errors()[0]["msg"]).removeprefix("Value error, ")
        raise ActionError(f"kube-versions {settings.kube_versions!r}: {message}") from None


def run_validate(settings: ActionSettings, out: TextIO, err: TextIO) -> int:
    """Validate mode: charts → reports → annotations, summary, outputs, check run; 1 on errors."""
    event = read_event(settings)
    config = load_workspace_config(settings)
    versions = kube_versions_for(settings, config)
    charts = select_charts(settings, config, event, err)
    reports: list[ValidationReport] = []
    options = config.validation_options()
    for chart in charts:
        note = build_dependencies(chart)  # the runner has the network: fetch what charts/ lacks
        if note is not None:
            out.write(f"{Path(chart).as_posix()}: {note}\n")
        try:
            report = validate_chart(chart, versions, **options)
        except ChartNotFoundError as exc:
            raise ActionError(str(exc)) from None
        reports.append(report)
        out.write(format_report(report, "github", base_dir=settings.workspace))
        counts = severity_counts(report)
        out.write(
            f"{repo_path(settings, report)}: {'ok' if report.ok else 'FAILED'} — {counts[Severity.ERROR]} error(s), "
            f"{counts[Severity.WARNING]} warning(s)\n"
        )
    objects = {r.chart_dir: count_objects(Path(r.chart_dir), r.kube_versions) for r in reports}
    summary = summary_markdown(settings, reports, objects)
    append_summary(settings, summary)
    findings = sum(c[Severity.ERROR] + c[Severity.WARNING] for c in map(severity_counts, reports))
    write_outputs(
        settings,
        {
            "chart-path": repo_path(settings, reports[0]) if reports else "",
            "findings-count": str(findings),
            "pull-request": "",
        },
    )
    if reports:
        report_check_run(settings, event, reports, summary, err)
    else:
        out.write("k8s-autopilot: no chart changed; nothing to validate\n")
    return EXIT_FINDINGS if any(not r.ok for r in reports) else EXIT_OK
