"""`fix_findings`: each fault family's broken fixture is healed by one deterministic pass."""

from __future__ import annotations

import json

import helm_python
import kubernetes_validate
import pytest
import yaml

from agents.heal import fix_findings, route
from agents.heal.fixers import FIXERS
from agents.validate.finding import Finding, Severity
from tests.agents.heal.conftest import (
    CASES,
    broken_files,
    overlay_paths,
    recorded_findings,
    shop_files,
    write_files,
)

KUBE = ["1.33.0"]
# cases whose heal gives back the hand-written chart byte for byte
RESTORED_EXACTLY = {
    "yaml-tab-in-template",
    "yaml-values-indent",
    "api-ingress-extensions",
    "api-hpa-v2beta1",
    "api-pdb-cronjob",
    "selector-typo",
    "types-quoted-port",
    "required-pathtype",
}


def test_every_fault_family_has_a_broken_fixture() -> None:
    assert len(CASES) >= 8
    assert {f.name for f in FIXERS} == {
        "yaml-indentation",
        "api-versions",
        "selectors",
        "values-schema",
        "field-types",
        "required-fields",
        "container-defaults",
        "chart-metadata",
    }


@pytest.mark.parametrize("case", sorted(RESTORED_EXACTLY))
def test_heal_restores_the_original_chart(case: str) -> None:
    result = fix_findings(broken_files(case), recorded_findings(case), KUBE)
    assert result.applied, f"{case}: no fixer applied"
    assert result.files == shop_files()


@pytest.mark.parametrize("case", CASES)
def test_heal_touches_only_the_broken_files(case: str) -> None:
    """Files the fault did not touch (the user's own templates too) come back byte for byte."""
    broken = broken_files(case)
    result = fix_findings(broken, recorded_findings(case), KUBE)
    for path in set(broken) - overlay_paths(case):
        if path == "values.schema.json" and case == "hardening-missing":
            # new values keys get schema entries: lines are only added, never rewritten
            old, new = broken[path].split("\n"), result.files[path].split("\n")
            assert [line for line in new if line in old] == old
            continue
        assert result.files[path] == broken[path], f"{case}: {path} changed"
    assert result.files["templates/extra-configmap.yaml"] == shop_files()["templates/extra-configmap.yaml"]


@pytest.mark.parametrize("case", CASES)
def test_healed_chart_lints_and_renders_schema_valid(case: str, tmp_path) -> None:
    result = fix_findings(broken_files(case), recorded_findings(case), KUBE)
    chart = write_files(result.files, tmp_path / "shop")
    lint = helm_python.lint(str(chart), strict=True, kube_version="1.33.0")
    assert lint["errors"] == []
    for text in helm_python.Chart.load(str(chart)).render({}).values():
        for doc in yaml.safe_load_all(text):
            if doc:
                kubernetes_validate.validate(doc, "1.33.0", strict=True)


@pytest.mark.parametrize("case", CASES)
def test_fixers_leave_a_clean_chart_alone(case: str) -> None:
    """Idempotence: the same findings against the healthy chart change nothing."""
    result = fix_findings(shop_files(), recorded_findings(case), KUBE)
    assert result.applied == []
    assert result.files == shop_files()


@pytest.mark.parametrize("case", CASES)
def test_a_second_pass_changes_nothing(case: str) -> None:
    first = fix_findings(broken_files(case), recorded_findings(case), KUBE)
    second = fix_findings(first.files, recorded_findings(case), KUBE)
    assert second.applied == []
    assert second.files == first.files


def test_no_findings_means_no_changes() -> None:
    broken = broken_files("selector-typo")
    result = fix_findings(broken, [], KUBE)
    assert result.files == broken and result.applied == []


def test_findings_route_to_their_family() -> None:
    expected = {
        "yaml-tab-in-template": "yaml-indentation",
        "yaml-values-indent": "yaml-indentation",
        "api-ingress-extensions": "api-versions",
        "selector-typo": "selectors",
        "types-quoted-port": "field-types",
        "required-pathtype": "required-fields",
        "hardening-missing": "container-defaults",
        "values-schema": "values-schema",
        "chart-metadata": "chart-metadata",
    }
    for case, family in expected.items():
        names = [fixer.name for fixer, _ in route(recorded_findings(case))]
        assert family in names, f"{case} routed to {names}"


def test_ingress_translation_rewrites_the_backend_shape() -> None:
    result = fix_findings(
        broken_files("api-ingress-extensions"), recorded_findings("api-ingress-extensions"), KUBE
    )
    ingress = result.files["templates/ingress.yaml"]
    assert "serviceName" not in ingress and "servicePort" not in ingress
    assert "number: {{ .Values.service.port }}" in ingress
    assert any("Ingress extensions/v1beta1 → networking.k8s.io/v1" in line for line in result.applied)


def test_hardening_adds_template_stanzas_and_values() -> None:
    result = fix_findings(broken_files("hardening-missing"), recorded_findings("hardening-missing"), KUBE)
    values = yaml.safe_load(result.files["values.yaml"])
    assert values["resources"]["requests"] == {"cpu": "100m", "memory": "128Mi"}
    assert values["securityContext"]["runAsNonRoot"] is True
    assert values["securityContext"]["allowPrivilegeEscalation"] is False
    assert values["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert values["readinessProbe"]["tcpSocket"] == {"port": "http"}
    deployment = result.files["templates/deployment.yaml"]
    for key in ("securityContext", "resources", "readinessProbe"):
        assert f"{{{{- with .Values.{key} }}}}" in deployment
    # the user's comment and the untouched liveness probe block are still there
    assert "# the app answers /healthz only after warm-up" in deployment
    schema = json.loads(result.files["values.schema.json"])
    assert {"resources", "securityContext", "readinessProbe"} <= set(schema["properties"])


def test_values_are_corrected_to_the_schema_not_the_schema_to_the_values() -> None:
    broken = broken_files("values-schema")
    result = fix_findings(broken, recorded_findings("values-schema"), KUBE)
    values = yaml.safe_load(result.files["values.yaml"])
    assert values["replicaCount"] == 2
    assert values["service"]["port"] == 8080  # "eighty" → the schema's default
    assert values["ingress"]["enabled"] is True
    assert result.files["values.schema.json"] == broken["values.schema.json"]
    assert result.files["values.yaml"].startswith("# Default values for shop.\n")


def test_chart_metadata_is_normalised_in_place() -> None:
    result = fix_findings(broken_files("chart-metadata"), recorded_findings("chart-metadata"), KUBE)
    chart = result.files["Chart.yaml"]
    meta = yaml.safe_load(chart)
    assert meta["version"] == "1.4.0"
    assert meta["description"] == "A Helm chart for shop"
    assert chart.startswith("# Hand-written chart")  # the user's comment survives


def test_selector_typo_without_a_helper_takes_the_pods_labels() -> None:
    files = broken_files("selector-typo")
    files["templates/_helpers.tpl"] = files["templates/_helpers.tpl"].replace(
        "shop.selectorLabels", "shop.podLabels"
    )
    files["templates/deployment.yaml"] = files["templates/deployment.yaml"].replace(
        '        {{- include "shop.labels" . | nindent 8 }}',
        "        app.kubernetes.io/name: shop\n        app.kubernetes.io/instance: {{ .Release.Name }}",
    )
    result = fix_findings(files, recorded_findings("selector-typo"), KUBE)
    assert "    app.kubernetes.io/name: shop\n" in result.files["templates/service.yaml"]
    assert "nmae" not in result.files["templates/service.yaml"]


def test_removed_api_without_a_successor_is_left_for_a_person() -> None:
    files = shop_files()
    files["templates/psp.yaml"] = (
        "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: x\n"
    )
    finding = recorded_findings("api-pdb-cronjob")[0].model_copy(
        update={
            "file": "templates/psp.yaml",
            "message": "policy/v1beta1 PodSecurityPolicy was removed in Kubernetes 1.25",
        }
    )
    result = fix_findings(files, [finding], KUBE)
    assert result.files == files and result.applied == []


def test_api_still_served_on_the_target_version_is_kept() -> None:
    files = broken_files("api-hpa-v2beta1")
    files["templates/hpa.yaml"] = files["templates/hpa.yaml"].replace(
        "autoscaling/v2beta1", "autoscaling/v2beta2"
    )
    result = fix_findings(files, recorded_findings("api-hpa-v2beta1"), ["1.24.0"])
    assert "autoscaling/v2beta2" in result.files["templates/hpa.yaml"]


def test_a_deliberate_writable_root_filesystem_survives_a_warning() -> None:
    files = shop_files()
    files["values.yaml"] = files["values.yaml"].replace(
        "  readOnlyRootFilesystem: true", "  readOnlyRootFilesystem: false  # the app writes its cache"
    )
    warning = Finding(
        rule_id="security/read-only-root-filesystem",
        severity=Severity.WARNING,
        message="container 'shop' of Deployment/release-name-shop has a writable root filesystem",
        file="templates/deployment.yaml",
    )
    assert fix_findings(files, [warning], KUBE).files == files
    error = warning.model_copy(update={"severity": Severity.ERROR})
    fixed = fix_findings(files, [error], KUBE).files["values.yaml"]
    assert "  readOnlyRootFilesystem: true  # the app writes its cache" in fixed


def test_fixers_never_expand_an_alias_bomb_in_values() -> None:
    """A values.yaml whose aliases expand to 10^9 nodes is left alone at once, not walked for minutes."""
    levels = ['a0: &a0 ["boom"]'] + [
        f"a{n}: &a{n} [{', '.join(['*a' + str(n - 1)] * 10)}]" for n in range(1, 10)
    ]
    files = shop_files()
    files["values.yaml"] = "\n".join(levels) + "\n"
    findings = [
        Finding(
            rule_id=rule,
            severity=Severity.ERROR,
            message="values break the chart",
            file="values.yaml",
            line=1,
        )
        for rule in ("values/schema-invalid", "security/probes", "api/removed", "schema/kubernetes")
    ]
    result = fix_findings(files, findings, KUBE)
    assert result.files["values.yaml"] == files["values.yaml"]
