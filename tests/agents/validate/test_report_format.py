"""format_report in text, json and GitHub workflow-command form."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.validate import Finding, Severity, ValidationReport, format_report

REPORT = ValidationReport(
    chart_dir="charts/web",
    engine="helm-sdk v4.2.3",
    kube_versions=["1.35.0"],
    findings=[
        Finding(
            rule_id="wiring/service-selector",
            severity=Severity.ERROR,
            message="Service 'web' selects {'app': 'web'}, 100% wrong: no pods",
            file="templates/service.yaml",
            line=9,
            hint="use the selectorLabels helper",
        ),
        Finding(
            rule_id="values/schema-missing",
            severity=Severity.WARNING,
            message="no schema",
            file="values.schema.json",
        ),
        Finding(rule_id="CKV_K8S_43", severity=Severity.INFO, message="Image should use digest"),
    ],
)


def test_text_lists_findings_with_location_hint_and_summary() -> None:
    text = format_report(REPORT, "text")
    assert "error: templates/service.yaml:9: [wiring/service-selector] Service 'web'" in text
    assert "    hint: use the selectorLabels helper" in text
    assert "info: (chart): [CKV_K8S_43]" in text
    assert text.endswith(
        "charts/web: FAILED — 1 error(s), 1 warning(s), 1 info (engine helm-sdk v4.2.3, Kubernetes 1.35.0)\n"
    )


def test_json_is_the_report_model_dump() -> None:
    data = json.loads(format_report(REPORT, "json"))
    assert data == json.loads(REPORT.model_dump_json())
    assert ValidationReport.model_validate(data) == REPORT


def test_github_prints_workflow_commands_relative_to_the_repo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    lines = format_report(REPORT, "github", base_dir=tmp_path).splitlines()
    assert lines[0] == (
        "::error file=charts/web/templates/service.yaml,line=9,title=wiring/service-selector::"
        "Service 'web' selects {'app': 'web'}, 100%25 wrong: no pods%0Ause the selectorLabels helper"
    )
    assert lines[1] == "::warning file=charts/web/values.schema.json,title=values/schema-missing::no schema"
    assert lines[2] == "::notice title=CKV_K8S_43::Image should use digest"


def test_github_escapes_property_separators() -> None:
    report = ValidationReport(
        chart_dir="c", findings=[Finding(rule_id="a:b,c", severity=Severity.ERROR, message="m")]
    )
    assert format_report(report, "github") == "::error title=a%3Ab%2Cc::m\n"


def test_unknown_format_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown report format 'xml'"):
        format_report(REPORT, "xml")  # type: ignore[arg-type]
