"""The validation speed-ups (parse and defaults caches, flat checkov scratch folder, frozen GC heap)
change no finding: every fixture chart gives exactly what it gave before them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from agents.validate import HelmSdkEngine, Severity, validate_chart
from agents.validate.manifests import parse_manifests

CHARTS = Path(__file__).resolve().parents[2] / "fixtures" / "charts"
# recorded with validate_chart (checkov on, default Kubernetes versions) before the speed-ups
BEFORE = json.loads(
    (
        Path(__file__).resolve().parents[2] / "fixtures" / "validate" / "findings-before-speedup.json"
    ).read_text()
)


@pytest.mark.parametrize("chart", sorted(BEFORE))
def test_fixture_chart_findings_are_unchanged(chart: str) -> None:
    report = validate_chart(CHARTS / chart)
    # values_files (the renders a finding was seen in) came later; the recording predates it
    assert [f.model_dump(mode="json", exclude={"values_files"}) for f in report.findings] == BEFORE[chart]


def test_recorded_findings_cover_every_fixture_chart_and_every_severity() -> None:
    charts = {p.parent.relative_to(CHARTS).as_posix() for p in CHARTS.rglob("Chart.yaml")}
    assert set(BEFORE) == charts
    recorded: list[dict[str, Any]] = [f for findings in BEFORE.values() for f in findings]
    assert {f["severity"] for f in recorded} == {s.value for s in Severity}
    assert any(f["rule_id"].startswith("CKV") for f in recorded)  # checkov's findings are compared too


def test_a_template_rendered_twice_gives_objects_of_each_render() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
    first = parse_manifests("values.yaml", {"templates/cm.yaml": text})
    second = parse_manifests("ci/full-values.yaml", {"templates/cm.yaml": text})
    assert [o.values_file for o in first.objects + second.objects] == ["values.yaml", "ci/full-values.yaml"]
    assert (
        first.objects[0].doc
        == second.objects[0].doc
        == {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "a"},
        }
    )


def test_a_document_that_cannot_be_built_spares_the_others_of_its_template() -> None:
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n"
        "? [unhashable, key]\n: value\n---\n"
        "- a stray list\n---\n"
        "apiVersion: v1\nkind: Secret\nmetadata: {name: b}\n"
    )
    parsed = parse_manifests("values.yaml", {"templates/mixed.yaml": text})
    assert [o.kind for o in parsed.objects] == ["ConfigMap", "Secret"]
    assert parsed.broken == {"templates/mixed.yaml": 5}
    assert "unhashable" in parsed.errors["templates/mixed.yaml"]
    assert parsed.stray == [("templates/mixed.yaml", 8)]


def test_a_broken_template_is_reported_again_when_rendered_again() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\n  data: [unclosed\n"
    for values_file in ("values.yaml", "ci/a-values.yaml"):
        parsed = parse_manifests(values_file, {"templates/bad.yaml": text})
        assert parsed.objects == [] and list(parsed.broken) == ["templates/bad.yaml"]


def test_defaults_are_checked_again_when_the_schema_or_values_yaml_change(tmp_path: Path) -> None:
    chart = tmp_path / "chart"
    shutil.copytree(CHARTS / "rules" / "values" / "defaults", chart)

    def defaults_findings() -> list[tuple[str, int | None]]:
        report = validate_chart(chart, checkov=False)
        return [(f.message, f.line) for f in report.findings if f.rule_id == "values/defaults"]

    before = defaults_findings()
    assert before and all(line is not None for _, line in before)
    schema_file = chart / "values.schema.json"
    schema = schema_file.read_text()
    schema_file.write_text(json.dumps({"type": "object"}))  # a schema every default satisfies
    assert defaults_findings() == []
    schema_file.write_text(schema)
    values = chart / "values.yaml"
    values.write_text("# a comment moves every key one line down\n" + values.read_text())
    assert defaults_findings() == [(message, line + 1) for message, line in before if line is not None]


def test_the_sdk_engine_renders_a_chart_edited_between_renders(tmp_path: Path) -> None:
    chart = tmp_path / "chart"
    shutil.copytree(CHARTS / "good", chart)
    engine = HelmSdkEngine()
    first = engine.render(chart)
    assert first.error is None and "edited-between-renders" not in str(first.manifests)
    (chart / "templates" / "extra.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: edited-between-renders\n"
    )
    second = engine.render(chart)
    assert "name: edited-between-renders" in second.manifests["templates/extra.yaml"]
    (chart / "templates" / "extra.yaml").unlink()
    assert engine.render(chart).manifests == first.manifests
