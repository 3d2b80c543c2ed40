"""The project's own validator (agents.validate) finds nothing wrong with generated charts."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.validate import Severity, validate_chart
from tests.agents.chart.chart_render_checks import plan, write


@pytest.mark.parametrize("name", ["web-deployment", "backup-cronjob"])
def test_validator_reports_no_errors_or_warnings(name: str, tmp_path: Path) -> None:
    report = validate_chart(write(plan(name), tmp_path))
    assert report.ok
    problems = [
        f"{f.rule_id} {f.location} {f.values_file}: {f.message}"
        for f in report.findings
        if f.severity != Severity.INFO
    ]
    assert problems == []
    assert "ci/full-values.yaml" in report.rendered
