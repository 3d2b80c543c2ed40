"""A `ValidationReport` as text for people, JSON for tools, or GitHub workflow annotations."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Literal

from agents.validate.finding import Finding, Severity, ValidationReport

GITHUB_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _text_line(f: Finding) -> str:
    renders = " + ".join(f.values_files) if f.values_files else f.values_file
    context = ", ".join(x for x in (f.kube_version and f"k8s {f.kube_version}", renders) if x)
    line = f"{f.severity.value}: {f.location}: [{f.rule_id}] {f.message}" + (
        f" ({context})" if context else ""
    )
    return line + (f"\n    hint: {f.hint}" if f.hint else "")


def _github_line(f: Finding, report: ValidationReport, base_dir: Path | None) -> str:
    props = []
    if f.file:
        path = Path(report.chart_dir) / f.file
        if base_dir is not None:
            with contextlib.suppress(ValueError):  # outside the base dir: keep the chart path
                path = path.resolve().relative_to(Path(base_dir).resolve())
        props.append(f"file={_escape_property(path.as_posix())}")
        if f.line:
            props.append(f"line={f.line}")
    props.append(f"title={_escape_property(f.rule_id)}")
    message = f.message + (f"\n{f.hint}" if f.hint else "")
    return f"::{GITHUB_COMMANDS[f.severity]} {','.join(props)}::{_escape_data(message)}"


def format_report(
    report: ValidationReport, fmt: Literal["text", "json", "github"] = "text", base_dir: Path | None = None
) -> str:
    """Render a report; `base_dir` (github) makes annotation paths relative to the repository root."""
    if fmt == "json":
        return json.dumps(report.model_dump(mode="json"), indent=2) + "\n"
    if fmt == "github":
        return "".join(_github_line(f, report, base_dir) + "\n" for f in report.findings)
    if fmt != "text":
        raise ValueError(f"unknown report format {fmt!r}: use text, json or github")
    counts = {s: sum(1 for f in report.findings if f.severity == s) for s in Severity}
    summary = (
        f"{report.chart_dir}: {'ok' if report.ok else 'FAILED'} — {counts[Severity.ERROR]} error(s), "
        f"{counts[Severity.WARNING]} warning(s), {counts[Severity.INFO]} info "
        f"(engine {report.engine or 'unknown'}, Kubernetes {', '.join(report.kube_versions) or 'n/a'})\n"
    )
    return "".join(_text_line(f) + "\n" for f in report.findings) + summary
