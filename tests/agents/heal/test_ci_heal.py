"""`heal_from_ci`: CI's findings drive the fixers (then the model, once), verified by our validator."""

from __future__ import annotations

from pathlib import Path

import yaml

from agents.heal.chart_files import read_chart_files
from agents.heal.ci_logs import findings_from_lines, findings_from_log
from agents.heal.ci_logs.heal import heal_from_ci
from agents.heal.ci_logs.locate import localise
from agents.llm import ModelCallBudget, metered
from tests.agents.heal.conftest import shop_files, write_files
from tests.fakes.chat_model import ScriptedChatModel, tool_reply

LOGS = Path(__file__).resolve().parents[2] / "fixtures" / "ci_logs"
VERSIONS = ["1.30.0"]


def _ci(lines: list[str]):  # type: ignore[no-untyped-def]
    return localise(findings_from_lines(lines), "charts/shop")


def test_a_version_bump_only_ct_lint_asks_for_is_made(shop_dir: Path) -> None:
    _, found = findings_from_log((LOGS / "ct-lint-version-bump.log").read_text())
    result = heal_from_ci(shop_dir, localise(found, "charts/shop"), VERSIONS)

    assert yaml.safe_load((shop_dir / "Chart.yaml").read_text())["version"] == "1.4.1"
    assert result.healed and [c.finding.rule_id for c in result.ci_fixed] == ["ct/version-bump"]
    assert result.diff.count("\n-") == 1 and "-version: 1.4.0" in result.diff


def test_a_yaml_error_at_a_values_line_is_fixed_at_that_line(tmp_path: Path) -> None:
    files = shop_files()
    lines = files["values.yaml"].split("\n")
    lines[7] = "   pullPolicy: IfNotPresent"  # line 8: one space too deep
    chart = write_files({**files, "values.yaml": "\n".join(lines)}, tmp_path / "shop")
    log = [
        "==> Linting charts/shop",
        "[ERROR] values.yaml: unable to parse YAML: error converting YAML to JSON: yaml: line 8: "
        "mapping values are not allowed in this context",
    ]
    result = heal_from_ci(chart, _ci(log), VERSIONS)

    assert (chart / "values.yaml").read_text() == files["values.yaml"]
    assert result.healed and result.ci_fixed


def test_yamllint_layout_rules_are_fixed_at_the_reported_lines(tmp_path: Path) -> None:
    files = shop_files()
    lines = files["values.yaml"].split("\n")
    lines[1] = "replicaCount: 2   "  # trailing spaces at line 2
    lines[10:12] = ["    type: ClusterIP", "    port: 8080"]  # service: block indented 4 (valid YAML)
    chart = write_files({**files, "values.yaml": "\n".join(lines)}, tmp_path / "shop")
    log = [
        "charts/shop/values.yaml",
        "  2:16      error    trailing spaces  (trailing-spaces)",
        "  11:5      error    wrong indentation: expected 2 but found 4  (indentation)",
    ]
    heal_from_ci(chart, _ci(log), VERSIONS)

    assert (chart / "values.yaml").read_text() == files["values.yaml"]


def test_runtime_failures_change_no_file(shop_dir: Path) -> None:
    before = read_chart_files(shop_dir)
    _, found = findings_from_log((LOGS / "ct-install-image-pull.log").read_text())
    result = heal_from_ci(shop_dir, localise(found, "charts/shop"), VERSIONS)

    assert read_chart_files(shop_dir) == before and result.diff == ""
    assert {c.finding.rule_id for c in result.runtime} == {"runtime/image-pull", "runtime/timeout"}


def test_without_a_model_what_no_fixer_knows_is_left_for_a_person(shop_dir: Path) -> None:
    _, found = findings_from_log((LOGS / "helm-template-nil-pointer.log").read_text())
    result = heal_from_ci(shop_dir, localise(found, "charts/shop"), VERSIONS)

    assert result.diff == "" and not result.ci_fixed
    assert [c.finding.location for c in result.ci_left] == ["templates/deployment.yaml:34"]


def test_with_a_model_it_is_asked_once_with_the_ci_lines_as_data(shop_dir: Path) -> None:
    values = (shop_dir / "values.yaml").read_text()
    fixed = values.replace(
        "  pullPolicy: IfNotPresent", "  pullPolicy: IfNotPresent\n  registry:\n    host: ghcr.io"
    )
    model = ScriptedChatModel(
        [
            tool_reply(
                "ChartFileEdits", {"edits": [{"path": "values.yaml", "content": fixed}], "explanation": "add"}
            )
        ]
        * 3
    )
    budget = ModelCallBudget(1)
    _, found = findings_from_log((LOGS / "helm-template-nil-pointer.log").read_text())
    result = heal_from_ci(shop_dir, localise(found, "charts/shop"), VERSIONS, model=metered(model, budget))

    assert model.calls == 1 and budget.calls == 1
    assert "registry:\n    host: ghcr.io" in (shop_dir / "values.yaml").read_text()
    assert result.ci_fixed and not result.ci_left
    prompt = str(model.prompts[0][-1].content)
    assert "nil pointer evaluating interface {}.host" in prompt and "CI printed" in prompt


def test_a_model_edit_that_breaks_the_chart_is_undone(shop_dir: Path) -> None:
    before = read_chart_files(shop_dir)
    broken = "image:\n  repository: [unclosed\n"
    model = ScriptedChatModel(
        [
            tool_reply(
                "ChartFileEdits", {"edits": [{"path": "values.yaml", "content": broken}], "explanation": "x"}
            )
        ]
    )
    _, found = findings_from_log((LOGS / "helm-template-nil-pointer.log").read_text())
    result = heal_from_ci(
        shop_dir, localise(found, "charts/shop"), VERSIONS, model=metered(model, ModelCallBudget(1))
    )

    assert read_chart_files(shop_dir) == before
    assert result.ci_left and any("undid the CI-driven edits" in r for r in result.rolled_back)


def _model_edit(values: str) -> ScriptedChatModel:
    reply = tool_reply("ChartFileEdits", {"edits": [{"path": "values.yaml", "content": values}]})
    return ScriptedChatModel([reply] * 3)


def test_a_model_edit_that_resolves_the_ci_finding_but_adds_a_validator_finding_is_undone(
    shop_dir: Path,
) -> None:
    before = read_chart_files(shop_dir)
    fixed = before["values.yaml"].replace(
        '  tag: "2.3.1"\n  pullPolicy: IfNotPresent',
        "  tag: latest\n  pullPolicy: IfNotPresent\n  registry:\n    host: ghcr.io",
    )
    _, found = findings_from_log((LOGS / "helm-template-nil-pointer.log").read_text())
    result = heal_from_ci(
        shop_dir,
        localise(found, "charts/shop"),
        VERSIONS,
        model=metered(_model_edit(fixed), ModelCallBudget(1)),
    )

    assert read_chart_files(shop_dir) == before and not result.improved
    assert result.ci_left and any("undid the CI-driven edits" in r for r in result.rolled_back)


def test_an_edit_that_leaves_the_file_ci_could_not_parse_unparsable_resolves_nothing(tmp_path: Path) -> None:
    files = shop_files()
    broken = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.x | nosuchfunc }}\n"
    chart = write_files({**files, "templates/extra.yaml": broken}, tmp_path / "shop")
    log = [
        "==> Linting charts/shop",
        '[ERROR] templates/extra.yaml: parse error at (shop/templates/extra.yaml:4): function "nosuchfunc" not defined',
    ]
    model = _model_edit(files["values.yaml"].replace("replicaCount: 2", "replicaCount: 3"))
    result = heal_from_ci(
        chart, _ci(log), VERSIONS, model=metered(model, ModelCallBudget(1)), validator_loop=False
    )

    assert model.calls == 1 and (chart / "values.yaml").read_text() == files["values.yaml"]
    assert not result.improved and not result.ci_fixed
    assert [c.finding.file for c in result.ci_left] == ["templates/extra.yaml"]
