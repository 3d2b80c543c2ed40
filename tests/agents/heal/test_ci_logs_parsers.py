"""Each tool's CI output becomes findings with the right rule, file (chart-relative) and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.heal.ci_logs import failing_step_lines, findings_from_log
from agents.heal.ci_logs.locate import chart_relative, localise
from agents.heal.ci_logs.log_lines import MAX_CHARS, MAX_LINES

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ci_logs"


def _found(name: str) -> list[tuple[str, str, str | None, int | None]]:
    _, found = findings_from_log((FIXTURES / name).read_text())
    return [
        (c.kind, c.finding.rule_id, c.finding.file, c.finding.line) for c in localise(found, "charts/shop")
    ]


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("helm-lint-yaml-error.log", ("chart", "helm-lint", "values.yaml", 9)),
        (
            "helm-template-nil-pointer.log",
            ("chart", "helm-template/nil-pointer", "templates/deployment.yaml", 34),
        ),
        ("helm-lint-schema.txt", ("chart", "values/schema", "values.yaml", None)),
        ("helm-lint-schema.txt", ("chart", "chart/metadata", "Chart.yaml", None)),
        ("ct-lint-version-bump.log", ("chart", "ct/version-bump", "Chart.yaml", None)),
        ("ct-lint-yamllint-maintainers.log", ("chart", "ct/chart-schema", "Chart.yaml", None)),
        ("ct-lint-yamllint-maintainers.log", ("chart", "ct/maintainer", "Chart.yaml", None)),
        ("ct-lint-yamllint-maintainers.log", ("chart", "yamllint/indentation", "values.yaml", 14)),
        ("ct-lint-yamllint-maintainers.log", ("chart", "yamllint/trailing-spaces", "values.yaml", 21)),
        ("kubeconform-invalid.log", ("chart", "schema/type", None, None)),
        ("kubeconform-invalid.log", ("chart", "schema/unknown-kind", None, None)),
        ("kubeval-invalid.txt", ("chart", "schema/type", "templates/deployment.yaml", None)),
        ("kubeval-invalid.txt", ("chart", "api/removed", "templates/pdb.yaml", None)),
        ("ct-install-image-pull.log", ("runtime", "runtime/image-pull", None, None)),
        ("ct-install-image-pull.log", ("runtime", "runtime/timeout", None, None)),
        ("helm-install-crashloop-test.log", ("runtime", "runtime/crash-loop", None, None)),
        ("helm-install-crashloop-test.log", ("runtime", "runtime/hook-failed", None, None)),
        ("helm-install-crashloop-test.log", ("runtime", "runtime/helm-test", None, None)),
        ("helm-install-removed-api.log", ("chart", "api/removed", None, None)),
        ("checkov.txt", ("chart", "CKV_K8S_9", "templates/deployment.yaml", 1)),
        ("checkov.txt", ("chart", "CKV_K8S_11", "templates/deployment.yaml", 1)),
        ("kube-linter.txt", ("chart", "probe/readiness", "templates/deployment.yaml", None)),
        ("kube-linter.txt", ("chart", "wiring/service-selector", "templates/service.yaml", None)),
        ("polaris.txt", ("chart", "probe/readiness", None, None)),
        ("polaris.txt", ("chart", "security/run-as-root", None, None)),
    ],
)
def test_each_tool_failure_becomes_a_located_finding(
    fixture: str, expected: tuple[str, str, str | None, int | None]
) -> None:
    assert expected in _found(fixture)


def test_passed_and_successful_checks_are_not_findings() -> None:
    rules = [rule for _, rule, _, _ in _found("checkov.txt")]
    assert "CKV_K8S_8" not in rules  # PASSED
    assert [rule for _, rule, _, _ in _found("polaris.txt")].count("polaris/hostIPCSet") == 0


def test_a_log_with_no_tool_failure_has_no_findings() -> None:
    log = "2026-11-30T10:00:00.0000000Z ##[group]Run make test\n2026-11-30T10:00:01.0000000Z ok\n"
    assert findings_from_log(log)[1] == []


def test_the_failing_step_is_kept_without_timestamps_or_other_steps() -> None:
    lines = failing_step_lines((FIXTURES / "helm-lint-yaml-error.log").read_text())
    assert lines[0] == "##[group]Run helm lint charts/shop --strict"
    assert "Syncing repository: octo/charts" not in lines
    assert lines[-2:] == ["##[error]Process completed with exit code 1.", "Post job cleanup."]
    assert not any(line[:4].isdigit() for line in lines)


def test_a_huge_failing_step_is_bounded_and_keeps_its_tail() -> None:
    noise = "".join(f"2026-11-30T10:00:00.0000000Z progress {i} {'x' * 200}\n" for i in range(5000))
    log = (
        "2026-11-30T10:00:00.0000000Z ##[group]Run helm lint charts/shop\n"
        + noise
        + "2026-11-30T10:00:09.0000000Z [ERROR] templates/service.yaml: unable to parse YAML: yaml: line 3: x\n"
        + "2026-11-30T10:00:09.0000000Z ##[error]Process completed with exit code 1.\n"
    )
    lines = failing_step_lines(log)
    assert len(lines) <= MAX_LINES + 2 and sum(len(line) + 1 for line in lines) <= MAX_CHARS + 200
    assert lines[0].startswith("##[group]Run helm lint") and "earlier line(s) left out" in lines[1]
    assert findings_from_log(log)[1][0].finding.file == "templates/service.yaml"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/home/runner/work/charts/charts/charts/shop/values.yaml", "values.yaml"),
        ("charts/shop/templates/deployment.yaml", "templates/deployment.yaml"),
        ("shop/templates/service.yaml", "templates/service.yaml"),
        ("templates/service.yaml", "templates/service.yaml"),
        ("/templates/deployment.yaml", "templates/deployment.yaml"),
        ("charts/other/values.yaml", None),
        ("charts/shopping/values.yaml", None),
    ],
)
def test_paths_are_made_chart_relative_and_other_charts_left_out(path: str, expected: str | None) -> None:
    assert chart_relative(path, "charts/shop") == expected


@pytest.mark.parametrize(
    "fixture", ["ct-lint-version-bump.log", "ct-lint-yamllint-maintainers.log", "helm-lint-yaml-error.log"]
)
def test_findings_about_another_chart_are_left_out(fixture: str) -> None:
    _, found = findings_from_log((FIXTURES / fixture).read_text())
    assert found and [c for c in localise(found, "charts/web") if c.finding.file] == []
