"""Charts nobody here wrote: patterns of public charts give no false error, and real mistakes still do."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agents.validate import Severity, validate_chart
from agents.validate.accepted_risks import AcceptedRisk
from agents.validate.chart_yaml import build_dependencies
from agents.validate.manifests import parse_manifests

WILD = Path(__file__).resolve().parents[2] / "fixtures" / "wild"
CLEAN = sorted(p.name for p in WILD.iterdir() if p.is_dir() and p.name not in {"broken", "node-agent"})
KUBE = ["1.33.0"]


def _validate(chart: Path, **options: object) -> list:
    return validate_chart(chart, KUBE, checkov=False, **options).findings  # type: ignore[arg-type]


@pytest.mark.parametrize("chart", CLEAN)
def test_a_pattern_of_public_charts_gives_no_error(chart: str) -> None:
    errors = [f for f in _validate(WILD / chart) if f.severity == Severity.ERROR]
    assert errors == []


@pytest.mark.parametrize(
    ("chart", "rule_id", "explanation"),
    [
        ("operator-managed", "wiring/service-selector", "the operator creates for Prometheus/"),
        ("operator-managed", "wiring/pdb-selector", "the operator creates for Prometheus/"),
        ("hook-secret", "wiring/pod-references", "hook Job/release-name-certgen creates it"),
        ("kube-system-targets", "wiring/service-selector", "namespace 'kube-system'"),
        ("kube-system-targets", "wiring/service-selector", "component=etcd is a label of the cluster"),
        ("kube-system-targets", "wiring/network-policy-selector", "k8s-app=kube-dns is a label"),
    ],
)
def test_what_lies_outside_the_chart_is_info_with_its_reason(
    chart: str, rule_id: str, explanation: str
) -> None:
    [finding] = [f for f in _validate(WILD / chart) if f.rule_id == rule_id and explanation in f.message]
    assert finding.severity == Severity.INFO
    assert "not an error" in finding.message


def test_a_selector_typo_of_the_charts_own_pods_is_still_an_error() -> None:
    """The Service is an item of a `kind: List`: the items are expanded and validated."""
    findings = _validate(WILD / "broken" / "list-item-selector-typo")
    [typo] = [f for f in findings if f.rule_id == "wiring/service-selector"]
    assert typo.severity == Severity.ERROR and typo.resource == "Service/release-name-app"
    assert not [f for f in findings if f.rule_id.startswith("schema") and f.severity == Severity.ERROR]


def test_kind_list_items_are_objects_of_the_render() -> None:
    report = validate_chart(WILD / "kind-list", KUBE, checkov=False, security=False)
    parsed = parse_manifests("values.yaml", report.rendered["values.yaml"])
    refs = {o.ref for o in parsed.objects if o.template == "templates/service.yaml"}
    assert refs == {"Service/release-name-app", "ConfigMap/release-name-settings"}
    [service] = [o for o in parsed.objects if o.ref == "Service/release-name-app"]
    assert service.rendered_line(("spec", "selector")) > 1  # lines point into the List's item


@pytest.mark.parametrize(
    ("chart", "rule_id", "line"),
    [
        ("duplicate-key-in-manifest", "yaml/duplicate-key", None),
        ("duplicate-key-in-chart-yaml", "chart/duplicate-key", 6),
    ],
)
def test_duplicate_keys_are_errors(chart: str, rule_id: str, line: int | None) -> None:
    [dup] = [f for f in _validate(WILD / "broken" / chart) if f.rule_id == rule_id]
    assert dup.severity == Severity.ERROR
    assert line is None or dup.line == line
    assert "twice" in dup.message


def test_a_duplicate_key_in_values_is_an_error(tmp_path: Path) -> None:
    chart = shutil.copytree(WILD / "kind-list", tmp_path / "chart")
    values = chart / "values.yaml"
    values.write_text(values.read_text() + '  tag: "1.0.1"\n')
    [dup] = [f for f in _validate(chart) if f.rule_id == "values/duplicate-key"]
    assert dup.severity == Severity.ERROR and dup.file == "values.yaml" and "'tag' twice" in dup.message


def test_missing_dependencies_are_one_error_that_names_the_command() -> None:
    findings = _validate(WILD / "broken" / "missing-dependencies")
    errors = [f for f in findings if f.severity == Severity.ERROR]
    assert [f.rule_id for f in errors] == ["chart/dependencies-missing"]
    assert "redis 19.0.0" in errors[0].message and "helm dependency build" in errors[0].hint
    assert not any(str(WILD) in f.message for f in findings)  # no absolute path from helm lint


def test_dependencies_are_not_built_without_a_helm_binary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    assert build_dependencies(WILD / "broken" / "missing-dependencies") is None


def test_dependencies_are_built_when_a_helm_binary_is_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Action mode: a `helm` on PATH fetches what charts/ lacks (here a stand-in that vendors it)."""
    chart = shutil.copytree(WILD / "broken" / "missing-dependencies", tmp_path / "chart")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    helm = bin_dir / "helm"
    helm.write_text(
        '#!/bin/sh\n[ "$1 $2" = "dependency build" ] || exit 3\nmkdir -p "$3/charts/redis"\n'
        'printf "apiVersion: v2\\nname: redis\\nversion: 19.0.0\\n" > "$3/charts/redis/Chart.yaml"\n'
    )
    helm.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("AUTOPILOT_HELM_ENGINE", "sdk")
    assert build_dependencies(chart) == "ran `helm dependency build` to fetch the chart's dependencies"
    assert not [f for f in _validate(chart) if f.rule_id == "chart/dependencies-missing"]
    assert build_dependencies(chart) is None  # nothing missing any more: nothing runs


def test_a_subchart_disabled_by_one_values_file_is_back_in_the_next_render() -> None:
    report = validate_chart(WILD / "subchart-toggle", KUBE, checkov=False, security=False)
    without = report.rendered["ci/a-no-cache-values.yaml"]
    with_cache = report.rendered["ci/b-with-cache-values.yaml"]
    assert not any(t.startswith("charts/cache/") for t in without)
    assert any(t.startswith("charts/cache/") for t in with_cache)
    assert report.rendered["values.yaml"].keys() == with_cache.keys()


def test_a_finding_of_several_renders_is_reported_once_naming_each(tmp_path: Path) -> None:
    chart = shutil.copytree(WILD / "broken" / "list-item-selector-typo", tmp_path / "chart")
    (chart / "ci").mkdir()
    (chart / "ci" / "more-values.yaml").write_text("image:\n  tag: 1.0.1\n")
    [typo] = [f for f in _validate(chart) if f.rule_id == "wiring/service-selector"]
    assert typo.values_files == ("values.yaml", "ci/more-values.yaml")


def test_the_render_sees_the_requested_kubernetes_version(tmp_path: Path) -> None:
    chart = shutil.copytree(WILD / "kind-list", tmp_path / "chart")
    (chart / "templates" / "version.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: version\n"
        "data:\n  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n"
    )
    report = validate_chart(chart, ["1.33.0"], checkov=False, security=False)
    assert 'kube: "v1.33.0"' in report.rendered["values.yaml"]["templates/version.yaml"]


class TestPolicy:
    """A node agent needs host access: restricted fails it, baseline with the access accepted passes it."""

    def test_restricted_reports_what_baseline_allows(self) -> None:
        errors = {f.rule_id for f in _validate(WILD / "node-agent") if f.severity == Severity.ERROR}
        assert errors == {"security/run-as-non-root", "security/privilege-escalation"}

    def test_baseline_with_accepted_host_access_passes(self) -> None:
        findings = _validate(WILD / "node-agent", policy="baseline")
        assert [f for f in findings if f.severity == Severity.ERROR] == []
        allowed = [f for f in findings if f.rule_id == "security/run-as-non-root"]
        assert allowed and all(f.message.endswith("(allowed by policy baseline)") for f in allowed)

    def test_baseline_still_forbids_host_access_nobody_accepted(self, tmp_path: Path) -> None:
        chart = shutil.copytree(WILD / "node-agent", tmp_path / "agent")
        values = chart / "values.yaml"
        values.write_text(values.read_text().split("# host access")[0])
        errors = {f.rule_id for f in _validate(chart, policy="baseline") if f.severity == Severity.ERROR}
        assert errors == {"security/host-namespaces", "security/host-path"}

    def test_privileged_allowed_allows_host_access(self, tmp_path: Path) -> None:
        chart = shutil.copytree(WILD / "node-agent", tmp_path / "agent")
        values = chart / "values.yaml"
        values.write_text(values.read_text().split("# host access")[0])
        findings = _validate(chart, policy="privileged-allowed")
        assert [f for f in findings if f.severity == Severity.ERROR] == []

    def test_the_repository_config_accepts_an_error_with_its_reason(self, tmp_path: Path) -> None:
        chart = shutil.copytree(WILD / "node-agent", tmp_path / "agent")
        values = chart / "values.yaml"
        values.write_text(values.read_text().split("# host access")[0])
        accepted = [
            AcceptedRisk(
                rule="security/host-*", object="DaemonSet/*-agent", reason="a node agent reads the host"
            ),
        ]
        findings = _validate(chart, policy="baseline", accepted=accepted)
        assert [f for f in findings if f.severity == Severity.ERROR] == []
        host = [f for f in findings if f.rule_id == "security/host-path"]
        assert host and all("(accepted risk: a node agent reads the host)" in f.message for f in host)

    def test_an_accepted_risk_for_another_object_accepts_nothing(self, tmp_path: Path) -> None:
        chart = shutil.copytree(WILD / "node-agent", tmp_path / "agent")
        values = chart / "values.yaml"
        values.write_text(values.read_text().split("# host access")[0])
        accepted = [AcceptedRisk(rule="security/host-path", object="DaemonSet/other", reason="not this one")]
        errors = [
            f
            for f in _validate(chart, policy="baseline", accepted=accepted)
            if f.rule_id == "security/host-path"
        ]
        assert errors and all(f.severity == Severity.ERROR for f in errors)
