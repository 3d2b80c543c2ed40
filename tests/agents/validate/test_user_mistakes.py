"""A user-written chart with one everyday mistake gets a finding naming file and line."""

from __future__ import annotations

from pathlib import Path

from agents.validate import Severity, validate_chart

MISTAKES = Path(__file__).resolve().parents[2] / "fixtures" / "charts" / "mistakes"


def _at(report, rule_id: str) -> set[tuple[str | None, int | None]]:
    return {(f.file, f.line) for f in report.findings if f.rule_id == rule_id}


def test_bad_indentation_names_the_misindented_template_line() -> None:
    report = validate_chart(MISTAKES / "bad-indentation", checkov=False)
    assert _at(report, "yaml") == {("templates/service.yaml", 14)}
    assert not report.ok
    # the broken Service must not cascade into false wiring alarms
    assert not [f for f in report.findings if f.rule_id.startswith("wiring/")]


def test_removed_api_names_the_apiversion_line_and_the_replacement() -> None:
    report = validate_chart(MISTAKES / "removed-api", ["1.33.0"], checkov=False)
    [finding] = [f for f in report.findings if f.rule_id == "api/removed"]
    assert (finding.file, finding.line) == ("templates/hpa.yaml", 2)
    assert finding.kube_version == "1.33.0"
    assert "autoscaling/v2" in finding.hint
    assert finding.values_file == "ci/autoscaling-values.yaml"


def test_selector_mismatch_names_the_service_selector_line() -> None:
    report = validate_chart(MISTAKES / "selector-mismatch", checkov=False)
    assert _at(report, "wiring/service-selector") == {("templates/service.yaml", 9)}
    assert not report.ok


def test_missing_probe_names_the_container_line() -> None:
    report = validate_chart(MISTAKES / "missing-probe", checkov=False)
    [finding] = [f for f in report.findings if f.rule_id == "security/probes"]
    assert (finding.file, finding.line) == ("templates/deployment.yaml", 27)
    assert "readinessProbe" in finding.message
    assert finding.severity == Severity.WARNING
