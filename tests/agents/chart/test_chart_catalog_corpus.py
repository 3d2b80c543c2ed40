"""Every catalog app and every request of the shared corpus plans into a chart that lints and renders clean."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from agents.plan import catalog_names, plan_request
from agents.plan.model import ChartPlan
from tests.agents.chart.chart_render_checks import (
    CRD_KINDS,
    KUBE_VERSIONS,
    lint_problems,
    pod_specs,
    render_docs,
    schema_errors,
    value_sets,
    write,
)

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "corpus" / "requests.yaml"


def corpus_requests() -> list[dict[str, Any]]:
    return list(yaml.safe_load(CORPUS.read_text())["requests"])


def assert_chart_is_clean(plan: ChartPlan, tmp_path: Path) -> None:
    """Strict lint and schema-valid objects for the defaults and the full CI values.

    The exposure value sets are covered per kind by the fixture-plan tests; here the
    breadth is the number of apps, so each app gets the two renders that matter most.
    """
    chart_dir = write(plan, tmp_path)
    sets = value_sets(chart_dir)
    seen: set[str] = set()
    for values_file in ("values.yaml", "ci/full-values.yaml"):
        values = sets[values_file]
        assert lint_problems(chart_dir, values) == [], values_file
        docs = render_docs(chart_dir, values)
        assert list(pod_specs(docs)), f"{values_file} renders no pods"
        for doc in docs:
            key = json.dumps(doc, sort_keys=True)
            if doc["kind"] in CRD_KINDS or key in seen:
                continue
            seen.add(key)
            for version in KUBE_VERSIONS:
                assert schema_errors(doc, version) == [], f"{values_file}: {doc['kind']} on {version}"


@pytest.mark.parametrize("app", catalog_names())
def test_catalog_app_chart_is_clean(app: str, tmp_path: Path) -> None:
    outcome = plan_request(app)
    assert outcome.plan is not None, f"catalog app {app} asked {[q.key for q in outcome.questions]}"
    assert_chart_is_clean(outcome.plan, tmp_path)


@pytest.mark.parametrize("item", corpus_requests(), ids=lambda item: item["id"])
def test_corpus_request_chart_is_clean(item: dict[str, Any], tmp_path: Path) -> None:
    outcome = plan_request(item["request"], sets=item.get("sets", []))
    assert outcome.plan is not None
    assert_chart_is_clean(outcome.plan, tmp_path)
