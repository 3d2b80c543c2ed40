"""Engine choice, the SDK engine, and the CLI engine's parsing of recorded `helm` output."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agents.validate import HelmCliEngine, HelmSdkEngine, Severity, get_engine, validate_chart
from agents.validate.engine_cli import parse_lint_output, parse_template_output
from agents.validate.helm_messages import lint_findings

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "charts"
RECORDED = FIXTURES / "helm-cli"


@pytest.fixture
def fake_helm_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PATH directory whose `helm` replays recorded output."""
    shutil.copy(RECORDED / "fake-helm.sh", tmp_path / "helm")
    (tmp_path / "helm").chmod(0o755)
    monkeypatch.setenv("HELM_FIXTURES", str(RECORDED))
    return tmp_path


def test_sdk_engine_is_chosen_when_no_helm_binary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTOPILOT_HELM_ENGINE", raising=False)
    assert isinstance(get_engine(search_path=str(tmp_path)), HelmSdkEngine)


def test_cli_engine_is_chosen_when_helm_is_on_path(
    fake_helm_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUTOPILOT_HELM_ENGINE", raising=False)
    engine = get_engine(search_path=str(fake_helm_dir))
    assert isinstance(engine, HelmCliEngine)
    assert engine.name == "helm-cli v3.16.2+g13654a5"


def test_sdk_can_be_forced_even_with_helm_on_path(
    fake_helm_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTOPILOT_HELM_ENGINE", "sdk")
    assert isinstance(get_engine(search_path=str(fake_helm_dir)), HelmSdkEngine)


def test_forcing_cli_without_binary_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no `helm` binary is on PATH"):
        get_engine("cli", search_path=str(tmp_path))


def test_unknown_engine_setting_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOPILOT_HELM_ENGINE", "kubectl")
    with pytest.raises(ValueError, match="'kubectl' is not a Helm engine"):
        get_engine()


def test_lint_output_is_parsed_with_multiline_messages() -> None:
    messages = parse_lint_output((RECORDED / "lint-strict.txt").read_text())
    assert [(m.severity, m.path) for m in messages] == [
        (Severity.INFO, "Chart.yaml"),
        (Severity.ERROR, "templates/service.yaml"),
        (Severity.WARNING, "templates/hpa.yaml"),
        (Severity.ERROR, "templates/"),
        (Severity.ERROR, "values.yaml"),
        (Severity.ERROR, "templates/"),
    ]
    assert messages[-1].text.endswith("- at '/replicaCount': got number, want string")


def test_lint_messages_become_located_findings() -> None:
    findings = lint_findings(parse_lint_output((RECORDED / "lint-strict.txt").read_text()), None)
    located = {(f.file, f.line) for f in findings}
    assert ("templates/service.yaml", 14) in located  # "yaml: line 14"
    assert ("templates/configmap.yaml", 6) in located  # where the unclosed action started
    assert ("values.yaml", None) in located
    # deprecations are left to api/deprecated and api/removed, which know the target versions
    assert not [f for f in findings if "deprecated" in f.message]


def test_template_output_is_split_back_per_template() -> None:
    manifests = parse_template_output((RECORDED / "template.txt").read_text())
    assert list(manifests) == [
        "templates/serviceaccount.yaml",
        "templates/configmap.yaml",
        "templates/service.yaml",
    ]
    assert manifests["templates/configmap.yaml"].count("kind: ConfigMap") == 2
    assert "---\n" in manifests["templates/configmap.yaml"]
    assert "# Source" not in manifests["templates/service.yaml"]


def test_cli_engine_runs_the_binary_and_reports_render_errors(
    fake_helm_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = HelmCliEngine(str(fake_helm_dir / "helm"))
    ok = engine.render(FIXTURES / "good")
    assert ok.error is None and "templates/service.yaml" in ok.manifests
    monkeypatch.setenv("FAKE_HELM_TEMPLATE_FAILS", "1")
    failed = engine.render(FIXTURES / "good", "ci/autoscaling-values.yaml")
    assert failed.values_file == "ci/autoscaling-values.yaml"
    assert failed.error is not None and failed.error.startswith(
        "parse error at (web/templates/configmap.yaml:7)"
    )


def test_validate_chart_through_the_cli_engine(fake_helm_dir: Path) -> None:
    report = validate_chart(
        FIXTURES / "good", checkov=False, engine=HelmCliEngine(str(fake_helm_dir / "helm"))
    )
    assert report.engine.startswith("helm-cli")
    assert ("helm-lint", "templates/configmap.yaml", 6) in {
        (f.rule_id, f.file, f.line) for f in report.findings
    }
    # the recorded Service selects pods that the recorded render does not contain
    assert "wiring/service-selector" in {f.rule_id for f in report.findings}


def test_sdk_engine_renders_ci_values_and_reports_bad_values_file(tmp_path: Path) -> None:
    chart = tmp_path / "web"
    shutil.copytree(FIXTURES / "good", chart)
    (chart / "ci" / "broken-values.yaml").write_text("- not\n- a mapping\n")
    engine = HelmSdkEngine()
    assert "templates/hpa.yaml" in engine.render(chart, "ci/autoscaling-values.yaml").manifests
    broken = engine.render(chart, "ci/broken-values.yaml")
    assert broken.error == "ci/broken-values.yaml must be a YAML mapping, got list"
    report = validate_chart(chart, checkov=False, engine=engine)
    assert ("render", "ci/broken-values.yaml") in {(f.rule_id, f.file) for f in report.findings}
