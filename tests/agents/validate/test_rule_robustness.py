"""Rules never crash on oddly shaped objects: a wrong shape is schema/kubernetes's finding, not a traceback."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents.validate import HelmSdkEngine
from agents.validate.manifests import RenderedObject, parse_manifests
from agents.validate.rules import RULES, ChartFacts, RuleInput

CHARTS = Path(__file__).resolve().parents[2] / "fixtures" / "charts"


def _good_objects() -> list[RenderedObject]:
    """The good chart's objects, and the API-server rules' passing chart (StatefulSet, CronJob, PVC…)."""
    engine = HelmSdkEngine()
    renders = [
        engine.render(CHARTS / "good", "ci/autoscaling-values.yaml"),
        engine.render(CHARTS.parent / "api-server-rules" / "passed", "ci/persistence-values.yaml"),
    ]
    return [o for r in renders for o in parse_manifests(r.values_file, r.manifests).objects]


GOOD = _good_objects()


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*prefix, i))
    return found


PATHS = [(i, path) for i, obj in enumerate(GOOD) for path in _paths(obj.doc)]
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1, 70000),
    st.sampled_from(["", "http", "ALL", "0", "100%"]),
    st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=3)), max_size=2),
    st.dictionaries(
        st.sampled_from(["name", "port", "matchLabels", "type"]),
        st.one_of(st.none(), st.integers()),
        max_size=2,
    ),
)


def _mutated(mutations: list[tuple[tuple[int, tuple[Any, ...]], Any]]) -> list[RenderedObject]:
    docs = [copy.deepcopy(obj.doc) for obj in GOOD]
    for (index, path), value in mutations:
        target: Any = docs[index]
        for part in path[:-1]:
            if not isinstance(target, dict | list):
                break
            try:
                target = target[part]
            except (KeyError, IndexError, TypeError):
                break
        else:
            if isinstance(target, dict) or (
                isinstance(target, list) and isinstance(path[-1], int) and path[-1] < len(target)
            ):
                target[path[-1]] = value
    return [RenderedObject(o.template, o.values_file, d, o.node) for o, d in zip(GOOD, docs, strict=True)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), junk), min_size=1, max_size=4))
def test_rules_do_not_crash_on_mutated_real_objects(
    mutations: list[tuple[tuple[int, tuple[Any, ...]], Any]],
) -> None:
    given_input = RuleInput(_mutated(mutations), ChartFacts(CHARTS / "good", ["1.35.0"], {}))
    for rule in RULES:
        list(rule.check(given_input))
