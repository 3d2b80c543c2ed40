"""Catalog apps that need credentials get a release-scoped Secret whose random values survive upgrades."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import helm_python
import pytest
import yaml

from agents.chart.render import NAME_PLACEHOLDER
from agents.plan import catalog_names, plan_request
from agents.plan.model import ChartPlan
from tests.agents.chart.chart_render_checks import FIXTURES, only, pod_specs, render_docs, write

CREDENTIAL_APPS = [
    app for app in catalog_names() if (p := plan_request(app).plan) is not None and p.credentials
]
RELEASE = "my-release"


def catalog_plan(app: str) -> ChartPlan:
    outcome = plan_request(app)
    assert outcome.plan is not None
    return outcome.plan


def secret_refs(docs: list[dict[str, Any]]) -> set[str]:
    """Names of every Secret a pod's env reads a key of."""
    names = set()
    for _, spec in pod_specs(docs):
        for container in [*spec.get("initContainers", []), *spec["containers"]]:
            for var in container.get("env", []):
                ref = var.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    names.add(ref["name"])
    return names


def render_as_release(chart_dir: Path, values: dict[str, Any] | None = None) -> dict[str, str]:
    return helm_python.Chart.load(str(chart_dir)).render(values or {}, name=RELEASE, namespace="apps")


def test_every_app_whose_env_reads_credentials_is_covered() -> None:
    assert {"postgres", "mysql", "mariadb", "mongodb", "rabbitmq", "grafana", "keycloak", "minio"} <= set(
        CREDENTIAL_APPS
    )


@pytest.mark.parametrize("app", CREDENTIAL_APPS)
def test_readme_install_works_as_written_every_secret_read_is_rendered(app: str, tmp_path: Path) -> None:
    p = catalog_plan(app)
    chart_dir = write(p, tmp_path)
    readme = (chart_dir / "README.md").read_text()
    assert f"helm install {RELEASE} ./{p.name}\n" in readme
    docs = [
        doc
        for name, text in render_as_release(chart_dir).items()
        if not name.endswith("NOTES.txt")
        for doc in yaml.safe_load_all(text)
        if doc
    ]
    secret = only(docs, "Secret")
    fullname = f"{RELEASE}-{p.name}"
    assert secret["metadata"]["name"] == f"{fullname}-credentials"
    assert secret["metadata"]["labels"]["app.kubernetes.io/instance"] == RELEASE
    assert sorted(secret["data"]) == sorted(c.key for c in p.credentials)
    for credential in p.credentials:
        value = base64.b64decode(secret["data"][credential.key]).decode()
        assert value == credential.value if credential.value is not None else len(value) == 24
    assert secret_refs(docs) == {secret["metadata"]["name"]}


@pytest.mark.parametrize("app", ["postgres", "mongodb", "grafana"])
def test_existing_secret_replaces_the_chart_secret(app: str, tmp_path: Path) -> None:
    docs = render_docs(write(catalog_plan(app), tmp_path), {"auth": {"existingSecret": "team-db-auth"}})
    assert not [d for d in docs if d["kind"] == "Secret"]
    assert secret_refs(docs) == {"team-db-auth"}


def test_exporter_logs_in_with_the_same_secret_as_the_app(tmp_path: Path) -> None:
    docs = render_docs(write(catalog_plan("postgres"), tmp_path), {"metrics": {"enabled": True}})
    pod = only(docs, "StatefulSet")["spec"]["template"]["spec"]
    app, exporter = pod["containers"]
    password = {v["name"]: v["valueFrom"]["secretKeyRef"] for v in app["env"] if "valueFrom" in v}
    exporter_password = {
        v["name"]: v["valueFrom"]["secretKeyRef"] for v in exporter["env"] if "valueFrom" in v
    }
    assert password["POSTGRES_PASSWORD"] == exporter_password["DATA_SOURCE_PASS"]


def test_notes_print_the_command_that_reads_the_password(tmp_path: Path) -> None:
    notes = render_as_release(write(catalog_plan("mysql"), tmp_path))["mysql/templates/NOTES.txt"]
    assert (
        'kubectl get secret --namespace apps my-release-mysql-credentials -o jsonpath="{.data.root-password}"'
        " | base64 -d"
    ) in notes


def test_the_secret_is_kept_on_uninstall_only_when_data_outlives_the_release(tmp_path: Path) -> None:
    chart_dir = write(catalog_plan("postgres"), tmp_path)
    kept = only(render_docs(chart_dir), "Secret")["metadata"]["annotations"]
    assert kept["helm.sh/resource-policy"] == "keep"
    plain = only(render_docs(chart_dir, {"persistence": {"enabled": False}}), "Secret")["metadata"]
    assert "helm.sh/resource-policy" not in plain.get("annotations", {})


class TestPasswordKeptAcrossUpgrades:
    """Helm's SDK returns nothing for lookup offline, so the Secret's data template is rendered with
    a stand-in for the looked-up Secret, through the same define the Secret template calls."""

    @pytest.fixture
    def chart_dir(self, tmp_path: Path) -> Path:
        plan = catalog_plan("postgres")
        chart_dir = write(plan, tmp_path)
        probe = (FIXTURES / "templates" / "credentials-probe.yaml").read_text()
        (chart_dir / "templates" / "credentials-probe.yaml").write_text(
            probe.replace(NAME_PLACEHOLDER, f"{plan.name}.")
        )
        return chart_dir

    @staticmethod
    def probe(chart_dir: Path, values: dict[str, Any]) -> dict[str, str]:
        rendered = helm_python.Chart.load(str(chart_dir)).render(values)
        data = yaml.safe_load(rendered["postgres/templates/credentials-probe.yaml"])["data"]
        return {key: base64.b64decode(value).decode() for key, value in data.items()}

    def test_the_secret_template_passes_its_lookup_to_the_tested_define(self, chart_dir: Path) -> None:
        template = (chart_dir / "templates" / "credentials-secret.yaml").read_text()
        assert '"existing" (lookup "v1" "Secret" .Release.Namespace $name)' in template
        assert 'include "postgres.credentialsData"' in template

    def test_an_existing_secret_keeps_its_password(self, chart_dir: Path) -> None:
        existing = {"data": {"password": base64.b64encode(b"kept-from-install").decode()}}
        for _ in range(2):
            values = {"credentialsProbe": {"existing": existing}}
            assert self.probe(chart_dir, values) == {"password": "kept-from-install"}

    def test_without_one_each_install_draws_a_new_random_password(self, chart_dir: Path) -> None:
        first = self.probe(chart_dir, {"credentialsProbe": {"existing": {}}})["password"]
        second = self.probe(chart_dir, {"credentialsProbe": {"existing": {}}})["password"]
        assert len(first) == len(second) == 24 and first.isalnum()
        assert first != second

    def test_a_value_set_in_values_wins_over_the_existing_one(self, chart_dir: Path) -> None:
        existing = {"data": {"password": base64.b64encode(b"old").decode()}}
        values = {"credentialsProbe": {"existing": existing}, "auth": {"credentials": {"password": "new"}}}
        assert self.probe(chart_dir, values) == {"password": "new"}

    def test_a_key_missing_from_the_existing_secret_gets_a_random_value(self, chart_dir: Path) -> None:
        existing = {"data": {"other": base64.b64encode(b"x").decode()}}
        password = self.probe(chart_dir, {"credentialsProbe": {"existing": existing}})["password"]
        assert len(password) == 24
