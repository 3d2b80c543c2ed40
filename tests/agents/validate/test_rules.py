"""Every registry rule fires on its failing fixture and stays silent on the good chart."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.validate import Severity, validate_chart
from agents.validate.rules import RULES, RULES_BY_ID

CHARTS = Path(__file__).resolve().parents[2] / "fixtures" / "charts"
# the API server's rules have their own passing chart and failing charts (test_apiserver_rules.py)
APISERVER_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "api-server-rules"


def failing_fixture(rule_id: str) -> Path:
    """The chart that breaks `rule_id`: derived from good/, or from api-server-rules/passed/."""
    derived = CHARTS / "rules" / rule_id
    return derived if derived.is_dir() else APISERVER_FIXTURES / "failed" / rule_id


GOOD_DERIVED = [rule for rule in RULES if (CHARTS / "rules" / rule.id).is_dir()]


def test_rule_ids_are_unique_and_namespaced() -> None:
    assert len(RULES_BY_ID) == len(RULES)
    assert all(
        rule.family in {"api", "apiserver", "schema", "values", "security", "wiring"} for rule in RULES
    )
    assert all(rule.hint and rule.summary for rule in RULES)


def test_every_rule_has_a_failing_fixture() -> None:
    missing = [rule.id for rule in RULES if not (failing_fixture(rule.id) / "Chart.yaml").is_file()]
    assert missing == []


def test_good_chart_passes_every_registry_rule() -> None:
    report = validate_chart(CHARTS / "good", checkov=False)
    assert [f for f in report.findings if f.rule_id in RULES_BY_ID] == []
    assert report.ok


@pytest.mark.parametrize("rule", GOOD_DERIVED, ids=[r.id for r in GOOD_DERIVED])
def test_rule_fires_on_its_failing_fixture_with_a_location(rule) -> None:
    report = validate_chart(CHARTS / "rules" / rule.id, checkov=False)
    mine = [f for f in report.findings if f.rule_id == rule.id]
    assert mine, f"{rule.id} did not fire; got {[f.rule_id for f in report.findings]}"
    assert all(f.file and f.hint for f in mine)
    assert {f.severity for f in mine} == {rule.severity}
    other_rules = {f.rule_id for f in report.findings if f.rule_id in RULES_BY_ID} - {rule.id}
    assert other_rules == set(), "a fixture should break one rule only"


@pytest.mark.parametrize(
    ("rule_id", "file", "line"),
    [
        ("security/privileged", "templates/deployment.yaml", 32),
        ("security/host-path", "templates/deployment.yaml", 68),
        ("wiring/service-target-port", "templates/service.yaml", 14),
        ("wiring/route-backend", "templates/httproute.yaml", 16),
        ("schema/crd", "templates/ingressroute.yaml", 11),
        ("schema/kubernetes", "templates/service.yaml", 9),
        ("values/defaults", "values.yaml", 1),
        ("wiring/hpa-replicas", "templates/deployment.yaml", 8),  # `replicas: {{ .Values.replicaCount }}`
        ("wiring/pdb-selector", "templates/pdb.yaml", 7),
        ("security/resources", "templates/deployment.yaml", 57),
    ],
)
def test_findings_point_at_the_offending_template_line(rule_id: str, file: str, line: int) -> None:
    report = validate_chart(CHARTS / "rules" / rule_id, checkov=False)
    assert (file, line) in {(f.file, f.line) for f in report.findings if f.rule_id == rule_id}


def test_wiring_rule_reports_only_the_render_that_breaks() -> None:
    # the HPA (and so the fixed-replicas conflict) exists only with ci/autoscaling-values.yaml
    report = validate_chart(CHARTS / "rules" / "wiring" / "hpa-replicas", checkov=False)
    found = [f for f in report.findings if f.rule_id == "wiring/hpa-replicas"]
    assert [f.values_file for f in found] == ["ci/autoscaling-values.yaml"]
    assert found[0].severity == Severity.WARNING


def test_external_secret_declared_in_values_is_not_missing() -> None:
    good = validate_chart(CHARTS / "good", checkov=False)
    assert not [f for f in good.findings if f.rule_id == "wiring/pod-references"]
    bad = validate_chart(CHARTS / "rules" / "wiring" / "pod-references", checkov=False)
    assert "Secret 'web-db'" in next(f.message for f in bad.findings if f.rule_id == "wiring/pod-references")


def test_token_is_expected_for_a_service_account_the_chart_binds_to_a_role(tmp_path: Path) -> None:
    import shutil

    chart = tmp_path / "web"
    shutil.copytree(CHARTS / "rules" / "security" / "service-account-token", chart)
    before = validate_chart(chart, checkov=False)
    assert [f.rule_id for f in before.findings if f.rule_id == "security/service-account-token"]
    (chart / "templates" / "rolebinding.yaml").write_text(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: web\n"
        "roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: web\n"
        "subjects:\n  - kind: ServiceAccount\n    name: web\n"
    )
    after = validate_chart(chart, checkov=False)
    assert not [f for f in after.findings if f.rule_id == "security/service-account-token"]
