"""Sessions on a real SQLite checkpointer (strict serializer), with the real engine functions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver

from agents.chart import render_chart
from agents.checkpoint import open_checkpointer
from agents.graph import ChartSession
from agents.plan.model import ChartPlan

KUBE = ["1.35.0"]  # one version keeps each validation near a second
SHOP_CHART = Path(__file__).parents[2] / "fixtures" / "heal" / "shop"


def broken_configmap(name: str) -> str:
    """A template whose YAML does not parse: no deterministic fixer touches it."""
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  a: [unclosed\n"


def fixed_configmap(name: str) -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  a: fixed\n"


def render_with_faults(*names: str) -> Callable[[ChartPlan], dict[str, str]]:
    """The real generator's chart plus broken templates, as a generator bug would leave it."""

    def render(plan: ChartPlan) -> dict[str, str]:
        return {**render_chart(plan), **{f"templates/{n}.yaml": broken_configmap(n) for n in names}}

    return render


def render_shop_fixture(plan: ChartPlan) -> dict[str, str]:
    """A hand-written chart known to validate without errors (tests/fixtures/heal/shop)."""
    return {
        p.relative_to(SHOP_CHART).as_posix(): p.read_text()
        for p in sorted(SHOP_CHART.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def saver(tmp_path: Path) -> Iterator[BaseCheckpointSaver[str]]:
    with open_checkpointer(None, tmp_path) as cp:
        yield cp


@pytest.fixture
def session(saver: BaseCheckpointSaver[str]) -> ChartSession:
    return ChartSession(saver)
