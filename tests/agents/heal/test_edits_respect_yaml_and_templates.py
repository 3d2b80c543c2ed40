"""Edits that respect what a person wrote: nested values keys at their depth with comments kept,
no `.Values` inside `with`/`range`, no edits to data files, indentation chosen by the schema."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from agents.heal.chart_files import read_chart_files
from agents.heal.fixers.container_defaults import ContainerDefaultsFixer, dot_is_rebound
from agents.heal.loop import heal_chart
from agents.heal.model import FixResult
from agents.heal.values_roundtrip import merge_at
from agents.validate import validate_chart
from agents.validate.finding import Finding

WILD = Path(__file__).resolve().parents[2] / "fixtures" / "wild"
KUBE = ["1.33.0"]

VALUES = """# the app
app:
  # its container
  container:
    securityContext:
      runAsNonRoot: true   # keep
      capabilities:
        drop:
          - ALL
    port: 8080
other: "quoted"
"""


def _heal(name: str, tmp_path: Path) -> tuple[Path, str]:
    chart = shutil.copytree(WILD / "broken" / name, tmp_path / name)
    result = heal_chart(chart, KUBE)
    assert result.healed and validate_chart(chart, KUBE).ok, result.rejected
    return chart, result.diff


def test_a_nested_key_is_set_at_its_depth_keeping_comments_order_and_indentation() -> None:
    merged = merge_at(
        VALUES, ["app", "container", "securityContext"], {"allowPrivilegeEscalation": False}, True
    )
    assert merged is not None
    text, keys = merged
    assert keys == ["allowPrivilegeEscalation"]
    assert text == VALUES.replace(
        "          - ALL\n", "          - ALL\n      allowPrivilegeEscalation: false\n"
    )


def test_a_missing_nested_block_is_created_under_its_parents() -> None:
    merged = merge_at(VALUES, ["app", "sidecar", "resources"], {"requests": {"cpu": "10m"}}, True)
    assert merged is not None
    text, _ = merged
    assert "  sidecar:\n    resources:\n      requests:\n        cpu: 10m\n" in text
    assert text.startswith(VALUES.split("other:")[0].rstrip("\n").split("    port: 8080")[0])


def test_a_key_already_right_is_not_rewritten() -> None:
    assert merge_at(VALUES, ["app", "container", "securityContext"], {"runAsNonRoot": True}, True) is None


def test_a_path_through_a_scalar_is_refused() -> None:
    assert merge_at(VALUES, ["other", "securityContext"], {"runAsNonRoot": True}, True) is None


def test_dot_is_rebound_inside_with_and_range_only() -> None:
    lines = [
        "{{- if .Values.enabled }}",
        "a: 1",
        "{{- with .Values.app }}",
        "b: {{ .name }}",
        "{{- range .items }}",
        "c: {{ . }}",
        "{{- end }}",
        "{{- end }}",
        "d: 2",
        "{{- end }}",
    ]
    assert [dot_is_rebound(lines, i) for i in (1, 3, 5, 8)] == [False, True, True, False]


def test_nested_values_are_healed_at_their_depth_with_only_the_key_asked_for(tmp_path: Path) -> None:
    _, diff = _heal("nested-values-escalation", tmp_path)
    added = [line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert added == ["+      allowPrivilegeEscalation: false"]


def test_a_stanza_inside_a_with_block_reads_the_root_values(tmp_path: Path) -> None:
    chart, diff = _heal("with-block-container-no-security-context", tmp_path)
    assert "+          {{- with $.Values.securityContext }}" in diff
    assert "{{- with .Values.securityContext }}" not in diff


def test_a_mis_indented_template_goes_back_under_spec(tmp_path: Path) -> None:
    chart, diff = _heal("mis-indented-template", tmp_path)
    assert "-   template:\n+  template:\n" in diff
    assert diff.count("\n+") == 2  # the +++ header and the one line


def test_crd_schemas_are_never_edited(tmp_path: Path) -> None:
    chart, _ = _heal("crd-image-no-security-context", tmp_path)
    assert (
        read_chart_files(chart)["crds/widgets.yaml"]
        == read_chart_files(WILD / "crd-image-properties")["crds/widgets.yaml"]
    )


def test_a_proposal_that_edits_data_files_is_refused(tmp_path: Path) -> None:
    chart = shutil.copytree(WILD / "broken" / "duplicate-key-in-manifest", tmp_path / "chart")
    (chart / "files").mkdir()
    (chart / "files" / "seed.yaml").write_text("a: 1\n")
    before = read_chart_files(chart)

    def edits_data(files: dict[str, str], findings: list[Finding], versions: Sequence[str]) -> FixResult:
        return FixResult(files={**files, "files/seed.yaml": "a: 2\n"}, applied=["edited seed data"])

    result = heal_chart(chart, KUBE, extra_fixer=edits_data)
    assert read_chart_files(chart) == before
    assert any("data files files/seed.yaml" in line for line in result.rejected)


def test_an_object_renamed_by_every_render_is_still_the_same_object(tmp_path: Path) -> None:
    """Helm test pods named with randAlphaNum: the fix is judged by template and kind, not name."""
    chart, diff = _heal("random-named-test-pod", tmp_path)
    assert "templates/tests/connection.yaml" in diff


def test_a_crd_under_templates_gets_no_container_stanza() -> None:
    crd = (WILD / "crd-image-properties" / "crds" / "widgets.yaml").read_text()
    schema_with_containers = crd.replace("                sidecar:", "                containers:")
    files = {**read_chart_files(WILD / "broken" / "crd-image-no-security-context")}
    files["templates/widgets-crd.yaml"] = schema_with_containers
    finding = Finding(
        rule_id="security/privilege-escalation",
        severity="error",
        message="container 'app' of Deployment/release-name-app has allowPrivilegeEscalation=None",
        file="templates/deployment.yaml",
        resource="Deployment/release-name-app",
    )
    outcome = ContainerDefaultsFixer().fix(files, [finding], KUBE)
    assert outcome.files["templates/widgets-crd.yaml"] == schema_with_containers
    assert outcome.files["templates/deployment.yaml"] != files["templates/deployment.yaml"]
