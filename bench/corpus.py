"""The chart corpus: every catalog app with an image plus the shared free-text requests.

Used by the acceptance tests and the benchmarks, so both measure the same set of charts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from agents.plan import catalog_names, plan_request
from agents.plan.model import ChartPlan

REQUESTS_FILE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "corpus" / "requests.yaml"


class CorpusRequest(BaseModel):
    """One free-text request that must plan fully, with the facts it must produce."""

    model_config = ConfigDict(extra="ignore")

    id: str
    request: str
    sets: list[str] = Field(default_factory=list)
    expect: dict[str, Any] = Field(default_factory=dict)


def load_requests(path: Path = REQUESTS_FILE) -> list[CorpusRequest]:
    data = yaml.safe_load(path.read_text())
    return [CorpusRequest.model_validate(item) for item in data["requests"]]


def corpus_cases(path: Path = REQUESTS_FILE) -> list[tuple[str, str, list[str]]]:
    """(case id, request, sets) for every catalog app with an image and every corpus request."""
    cases = [(f"app-{name}", name, []) for name in catalog_names()]
    cases += [(f"req-{r.id}", r.request, r.sets) for r in load_requests(path)]
    return cases


def plan_case(request: str, sets: list[str]) -> ChartPlan:
    """Plan a corpus case; a corpus case that asks questions is a broken corpus, said loudly."""
    outcome = plan_request(request, sets)
    if outcome.plan is None:
        keys = ", ".join(q.key for q in outcome.questions)
        raise ValueError(f"corpus request {request!r} asks questions ({keys}): complete it in requests.yaml")
    return outcome.plan


def iter_corpus_plans(path: Path = REQUESTS_FILE) -> Iterator[tuple[str, ChartPlan]]:
    for case_id, request, sets in corpus_cases(path):
        yield case_id, plan_case(request, sets)
