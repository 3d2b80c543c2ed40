"""Loads the shared request corpus and reads dotted plan paths, for the planner's tests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from agents.plan.model import ChartPlan

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "corpus"


def load(name: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load((CORPUS / f"{name}.yaml").read_text())["requests"])


def plan_value(plan: ChartPlan, path: str) -> Any:
    """`exposure.hosts[0]` of a plan; `image` reads as the full reference."""
    if path == "image":
        return plan.image.reference
    node: Any = plan.model_dump(mode="json")
    for part in re.findall(r"[^.\[\]]+", path):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node
