"""The API server's own rules: each fires on its failing chart, in the API server's words, at the
template line to edit, and is silent on the passing chart (which holds the near misses each rule
must accept). Every render counts: ci/ values files and a release with the longest name."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

import pytest

from agents.validate import Severity, ValidationReport, validate_chart
from agents.validate.rules import RULES, RULES_BY_ID

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "api-server-rules"
PASSED = FIXTURES / "passed"
NEW_RULES = {rule.id for rule in RULES if rule.family == "apiserver"} | {"wiring/statefulset-service"}
LONG = "my-release-with-the-longest-name-helm-accepts-53-char"

# rule id -> (severity, message fragment in the API server's words, file, line, values file)
EXPECTED = {
    "apiserver/volume-mount-path-unique": (
        Severity.ERROR,
        'Deployment "release-name-app" is invalid: spec.template.spec.containers[0].volumeMounts[3].mountPath: '
        'Invalid value: "/data": must be unique',
        "templates/deployment.yaml",
        69,
        "ci/persistence-values.yaml",
    ),
    "apiserver/volume-name-unique": (
        Severity.ERROR,
        'spec.template.spec.volumes[3].name: Duplicate value: "tmp"',
        "templates/deployment.yaml",
        79,
        "values.yaml",
    ),
    "apiserver/volume-mount-defined": (
        Severity.ERROR,
        'spec.template.spec.containers[0].volumeMounts[2].name: Not found: "caches"',
        "templates/deployment.yaml",
        65,
        "values.yaml",
    ),
    "apiserver/container-name-unique": (
        Severity.ERROR,
        'spec.template.spec.initContainers[0].name: Duplicate value: "app"',
        "templates/deployment.yaml",
        20,
        "values.yaml",
    ),
    "apiserver/container-port-name": (
        Severity.ERROR,
        'spec.template.spec.containers[0].ports[2].name: Invalid value: "dns-over-udp-port": '
        "must be no more than 15 characters",
        "templates/deployment.yaml",
        35,
        "values.yaml",
    ),
    "apiserver/container-port-unique": (
        Severity.WARNING,
        "spec.template.spec.containers[0].ports[2]: duplicate port definition with "
        "spec.template.spec.containers[0].ports[1]",
        "templates/deployment.yaml",
        35,
        "values.yaml",
    ),
    "apiserver/env-unique": (
        Severity.WARNING,
        'spec.template.spec.containers[0].env[1]: hides previous definition of "EXTRA_PATH", '
        "which may be dropped when using apply",
        "templates/deployment.yaml",
        41,
        "values.yaml",
    ),
    "apiserver/probe-handler": (
        Severity.ERROR,
        "spec.template.spec.containers[0].livenessProbe.tcpSocket: Forbidden: "
        "may not specify more than 1 handler type",
        "templates/deployment.yaml",
        47,
        "values.yaml",
    ),
    "apiserver/requests-within-limits": (
        Severity.ERROR,
        'spec.template.spec.containers[0].resources.requests: Invalid value: "600Mi": '
        "must be less than or equal to memory limit of 0.5Gi",
        "templates/deployment.yaml",
        56,
        "values.yaml",
    ),
    "apiserver/service-port-names": (
        Severity.ERROR,
        'Service "release-name-app" is invalid: spec.ports[1].name: Duplicate value: "http"',
        "templates/service.yaml",
        14,
        "values.yaml",
    ),
    "apiserver/object-name": (  # fails only for long release names: a warning that says how long
        Severity.WARNING,
        f'metadata.name: Invalid value: "{LONG}-app-headless": must be no more than 63 characters '
        f"(with a release name of 53 characters, e.g. '{LONG}': it installs only while the release "
        "name has at most 50; helm install accepts 53)",
        "templates/headless-service.yaml",
        4,
        "values.yaml",
    ),
    "apiserver/labels": (
        Severity.ERROR,
        'metadata.labels: Invalid value: "v1.2+3": a valid label must be an empty string or consist of '
        "alphanumeric characters",
        "templates/deployment.yaml",
        7,
        "values.yaml",
    ),
    "apiserver/selector-matches-template": (
        Severity.ERROR,
        "spec.template.metadata.labels: Invalid value: map[string]string{"
        '"app.kubernetes.io/instance":"release-name", "app.kubernetes.io/name":"app", '
        '"example.com/tier":"backend"}: `selector` does not match template `labels`',
        "templates/deployment.yaml",
        10,
        "values.yaml",
    ),
    "apiserver/pvc-access-modes": (
        Severity.ERROR,
        'PersistentVolumeClaim "release-name-app-shared" is invalid: spec.accessModes: Required value: '
        "at least 1 access mode is required",
        "templates/pvc.yaml",
        7,
        "ci/persistence-values.yaml",
    ),
    "apiserver/cronjob-schedule": (
        Severity.ERROR,
        'spec.schedule: Invalid value: "*/15 3-25 * jan-mar mon-fri": end of range (25) above maximum (23)',
        "templates/cronjob.yaml",
        7,
        "values.yaml",
    ),
    "wiring/statefulset-service": (
        Severity.WARNING,
        "names spec.serviceName 'release-name-app-peers', but the chart renders no Service",
        "templates/statefulset.yaml",
        6,
        "values.yaml",
    ),
}


@cache
def report_of(chart: Path) -> ValidationReport:
    return validate_chart(chart, security=False, checkov=False)


def new_findings(report: ValidationReport) -> list[tuple[str, str]]:
    return [(f.rule_id, f.message) for f in report.findings if f.rule_id in NEW_RULES]


def test_every_new_rule_has_a_failing_chart_and_an_expectation() -> None:
    assert set(EXPECTED) == NEW_RULES
    assert all((FIXTURES / "failed" / rule_id / "Chart.yaml").is_file() for rule_id in NEW_RULES)


def test_passing_chart_passes_every_new_rule_on_every_render() -> None:
    report = report_of(PASSED)
    assert set(report.rendered) == {"values.yaml", "ci/persistence-values.yaml"}
    assert new_findings(report) == []
    assert report.errors == []


@pytest.mark.parametrize("rule_id", sorted(EXPECTED))
def test_rule_fires_on_its_failing_chart_in_the_api_servers_words(rule_id: str) -> None:
    severity, fragment, file, line, values_file = EXPECTED[rule_id]
    report = report_of(FIXTURES / "failed" / rule_id)
    mine = [f for f in report.findings if f.rule_id == rule_id]
    assert len(mine) == 1, mine
    found = mine[0]
    assert fragment in found.message
    assert (found.file, found.line, found.values_file) == (file, line, values_file)
    assert found.severity == severity
    assert found.hint == RULES_BY_ID[rule_id].hint or "fullname" in found.hint
    others = {rule for rule, _ in new_findings(report)} - {rule_id}
    assert others == set(), "a failing chart should break one of these rules only"


def test_a_name_that_overflows_only_for_a_long_release_is_reported_once(tmp_path: Path) -> None:
    report = report_of(FIXTURES / "failed" / "apiserver" / "object-name")
    names = [f for f in report.findings if f.rule_id == "apiserver/object-name"]
    assert len(names) == 1 and "fullname" in names[0].hint
    # a name that is wrong for every release is reported from the ordinary render, not twice
    chart = tmp_path / "app"
    shutil.copytree(PASSED, chart)
    template = chart / "templates" / "pvc.yaml"
    template.write_text(
        template.read_text().replace('"app.fullname" . }}-shared', '"app.fullname" . }}-Shared')
    )
    names = [
        f for f in validate_chart(chart, security=False, checkov=False).findings if "Shared" in f.message
    ]
    assert [f.rule_id for f in names] == ["apiserver/object-name"]
    assert "release-name-app-Shared" in names[0].message and LONG not in names[0].message


def _edited(tmp_path: Path, template: str, old: str, new: str) -> ValidationReport:
    chart = tmp_path / "app"
    shutil.copytree(PASSED, chart)
    path = chart / "templates" / template
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return validate_chart(chart, security=False, checkov=False)


def test_a_governing_service_that_is_not_headless_is_an_error(tmp_path: Path) -> None:
    report = _edited(tmp_path, "headless-service.yaml", "  clusterIP: None\n", "")
    found = [f for f in report.findings if f.rule_id == "wiring/statefulset-service"]
    assert [f.severity for f in found] == [Severity.ERROR]
    assert "not headless" in found[0].message and "clusterIP: None" in found[0].hint


def test_a_governing_service_the_user_provides_is_not_reported(tmp_path: Path) -> None:
    chart = tmp_path / "app"
    shutil.copytree(FIXTURES / "failed" / "wiring" / "statefulset-service", chart)
    (chart / "values.yaml").write_text(
        "persistence:\n  enabled: false\nexistingService: release-name-app-peers\n"
    )
    report = validate_chart(chart, security=False, checkov=False)
    assert not [f for f in report.findings if f.rule_id == "wiring/statefulset-service"]


def test_a_probe_without_a_handler_is_required_to_have_one(tmp_path: Path) -> None:
    report = _edited(
        tmp_path,
        "deployment.yaml",
        "          startupProbe:\n            exec:\n",
        "          startupProbe:\n            x:\n",
    )
    found = [f.message for f in report.findings if f.rule_id == "apiserver/probe-handler"]
    assert any(
        "spec.template.spec.containers[0].startupProbe: Required value: must specify a handler type" in m
        for m in found
    )


def test_a_time_zone_in_the_schedule_or_an_unknown_zone_is_refused(tmp_path: Path) -> None:
    report = _edited(tmp_path, "cronjob.yaml", "  timeZone: Europe/Paris", "  timeZone: Mars/Olympus_Mons")
    found = [f.message for f in report.findings if f.rule_id == "apiserver/cronjob-schedule"]
    assert found == [
        'CronJob "release-name-app" is invalid: spec.timeZone: Invalid value: "Mars/Olympus_Mons": '
        "unknown time zone Mars/Olympus_Mons"
    ]
    shutil.rmtree(tmp_path / "app")
    report = _edited(tmp_path, "cronjob.yaml", '"*/15 3-5', '"CRON_TZ=UTC */15 3-5')
    found = [f.message for f in report.findings if f.rule_id == "apiserver/cronjob-schedule"]
    assert len(found) == 1 and "cannot use TZ or CRON_TZ in schedule, use timeZone field instead" in found[0]


def test_a_claim_template_without_access_modes_is_refused(tmp_path: Path) -> None:
    report = _edited(tmp_path, "statefulset.yaml", "accessModes: [ReadWriteOnce]", "accessModes: []")
    found = [f.message for f in report.findings if f.rule_id == "apiserver/pvc-access-modes"]
    assert found == [
        'StatefulSet "release-name-app-db" is invalid: spec.volumeClaimTemplates[0].spec.accessModes: '
        "Required value: at least 1 access mode is required"
    ]


def test_a_missing_ingress_path_type_is_left_to_the_schema_check(tmp_path: Path) -> None:
    # the networking.k8s.io/v1 schema requires pathType already: no second rule for it
    report = _edited(tmp_path, "ingress.yaml", "            pathType: Prefix\n", "")
    assert [f.rule_id for f in report.errors] == ["schema/kubernetes"]
    assert "'pathType' is a required property" in report.errors[0].message


def test_a_service_with_several_ports_names_each(tmp_path: Path) -> None:
    report = _edited(tmp_path, "service.yaml", "    - name: dns\n      port: 53", "    - port: 53")
    found = [f.message for f in report.findings if f.rule_id == "apiserver/service-port-names"]
    assert found == ['Service "release-name-app" is invalid: spec.ports[1].name: Required value']


def test_a_label_value_that_overflows_only_for_a_long_release_is_a_warning(tmp_path: Path) -> None:
    report = _edited(
        tmp_path,
        "deployment.yaml",
        "    app.kubernetes.io/version: v1.2_3\n",
        "    app.kubernetes.io/version: v1.2_3\n    example.com/owner: {{ .Release.Name }}-owner-team\n",
    )
    found = [f for f in report.findings if f.rule_id == "apiserver/labels"]
    assert [(f.severity, f.line) for f in found] == [(Severity.WARNING, 8)]
    assert f'metadata.labels: Invalid value: "{LONG}-owner-team": must be no more than 63 characters' in (
        found[0].message
    )
    assert "it installs only while the release name has at most 52" in found[0].message
