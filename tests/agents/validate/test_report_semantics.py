"""`ok` semantics, chart-not-found errors, and a broken chart never raising."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agents.validate import ChartNotFoundError, Finding, Severity, ValidationReport, validate_chart

CHARTS = Path(__file__).resolve().parents[2] / "fixtures" / "charts"


@pytest.mark.parametrize(
    ("severities", "ok"),
    [
        ([], True),
        ([Severity.INFO, Severity.INFO], True),
        ([Severity.WARNING, Severity.INFO], True),
        ([Severity.ERROR], False),
        ([Severity.INFO, Severity.ERROR], False),
    ],
)
def test_only_errors_fail_a_report(severities: list[Severity], ok: bool) -> None:
    report = ValidationReport(
        chart_dir="c", findings=[Finding(rule_id="r", severity=s, message="m") for s in severities]
    )
    assert report.ok is ok


def test_unknown_custom_resource_is_info_and_keeps_the_chart_ok() -> None:
    report = validate_chart(CHARTS / "rules" / "schema" / "unknown-kind", checkov=False)
    unknown = [f for f in report.findings if f.rule_id == "schema/unknown-kind"]
    assert [f.severity for f in unknown] == [Severity.INFO]
    assert report.ok


def test_missing_directory_raises_chart_not_found(tmp_path: Path) -> None:
    with pytest.raises(ChartNotFoundError, match="is not a directory"):
        validate_chart(tmp_path / "nope")


def test_directory_without_chart_yaml_raises_chart_not_found(tmp_path: Path) -> None:
    with pytest.raises(ChartNotFoundError, match="cannot read .*Chart.yaml"):
        validate_chart(tmp_path)


def test_broken_template_gives_a_located_finding_not_an_exception(tmp_path: Path) -> None:
    chart = tmp_path / "web"
    shutil.copytree(CHARTS / "good", chart)
    (chart / "templates" / "configmap.yaml").write_text("kind: ConfigMap\nmetadata:\n  name: {{ .Values.x\n")
    report = validate_chart(chart, checkov=False)
    assert not report.ok
    assert ("templates/configmap.yaml", 3) in {
        (f.file, f.line) for f in report.findings if f.rule_id == "helm-lint"
    }
    assert not [f for f in report.findings if f.rule_id == "render"]  # helm-lint already said it


def test_incomplete_chart_yaml_gives_chart_yaml_findings(tmp_path: Path) -> None:
    chart = tmp_path / "web"
    shutil.copytree(CHARTS / "good", chart)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: web\n")  # no version
    report = validate_chart(chart, checkov=False)
    errors = [f for f in report.errors if "version is required" in f.message]
    assert errors and all(f.file == "Chart.yaml" for f in errors)


def test_security_off_skips_security_rules_only() -> None:
    report = validate_chart(CHARTS / "rules" / "security" / "privileged", security=False)
    assert not [f for f in report.findings if f.rule_id.startswith(("security/", "CKV"))]
    assert report.ok


def test_checkov_findings_are_mapped_to_template_lines_and_opinions_are_info() -> None:
    report = validate_chart(CHARTS / "good", ["1.35.0"])
    ckv = [f for f in report.findings if f.rule_id.startswith("CKV")]
    assert ckv, "checkov ran in-process"
    assert all(f.file and f.file.startswith("templates/") and f.line for f in ckv)
    digest = [f for f in ckv if f.rule_id == "CKV_K8S_43"]
    assert digest and all(f.severity == Severity.INFO for f in digest)
    assert ("templates/deployment.yaml", 28) in {(f.file, f.line) for f in digest}  # the image: line
    assert not [f for f in ckv if f.rule_id in {"CKV_K8S_20", "CKV_K8S_8"}]  # our own rules own those
    assert all(f.hint for f in ckv)
    assert next(f for f in ckv if f.rule_id == "CKV_K8S_35").severity == Severity.INFO
    assert report.ok


def test_document_that_is_not_an_object_is_a_located_yaml_error(tmp_path: Path) -> None:
    chart = tmp_path / "web"
    shutil.copytree(CHARTS / "good", chart)
    (chart / "templates" / "extra.yaml").write_text(
        "# a list where an object belongs\n- name: web\n- name: api\n"
    )
    report = validate_chart(chart, checkov=False)
    [finding] = [f for f in report.findings if f.rule_id == "yaml"]
    assert (finding.file, finding.line) == ("templates/extra.yaml", 2)
    assert "not a Kubernetes object" in finding.message


def test_net_bind_service_is_allowed_like_the_restricted_standard_allows_it(tmp_path: Path) -> None:
    chart = tmp_path / "web"
    shutil.copytree(CHARTS / "good", chart)
    deployment = chart / "templates" / "deployment.yaml"
    deployment.write_text(
        deployment.read_text().replace("drop: [ALL]", "drop: [ALL]\n              add: [NET_BIND_SERVICE]")
    )
    report = validate_chart(chart, ["1.35.0"])
    assert not [f for f in report.findings if f.rule_id in {"security/capabilities", "CKV_K8S_25"}]


@pytest.mark.parametrize(
    ("entry", "accepted"),
    [
        ("security/privilege-escalation", False),  # an error is not accepted without a reason
        ("security/privilege-escalation=the entrypoint drops privileges itself", True),
    ],
)
def test_declared_accepted_risk_turns_a_warning_into_info_and_an_error_only_with_a_reason(
    tmp_path: Path, entry: str, accepted: bool
) -> None:
    chart = tmp_path / "web"
    shutil.copytree(CHARTS / "rules" / "security" / "read-only-root-filesystem", chart)
    deployment = chart / "templates" / "deployment.yaml"
    text = deployment.read_text().replace(
        "\n            allowPrivilegeEscalation: false", ""
    )  # an ERROR rule
    annotation = (
        "      annotations:\n        autopilot.k8s.io/accepted-risks: "
        f'"security/read-only-root-filesystem=rewrites its config at start-up; {entry}"\n'
    )
    deployment.write_text(
        text.replace("    metadata:\n      labels:\n", "    metadata:\n" + annotation + "      labels:\n")
    )
    report = validate_chart(chart, ["1.35.0"], checkov=False)
    [warning] = [f for f in report.findings if f.rule_id == "security/read-only-root-filesystem"]
    assert warning.severity == Severity.INFO
    assert warning.message.endswith("(accepted risk: rewrites its config at start-up)")
    [error] = [f for f in report.findings if f.rule_id == "security/privilege-escalation"]
    if accepted:
        assert error.severity == Severity.INFO
        assert error.message.endswith("(accepted risk: the entrypoint drops privileges itself)")
    else:
        assert error.severity == Severity.ERROR and "needs a reason" in error.message
