"""The planner: request text → `ChartPlan` (or questions), with no LLM and no network."""

from agents.plan.catalog import CatalogEntry, catalog_names, find_entry, load_catalog
from agents.plan.errors import PlanError
from agents.plan.facts import RequestFacts
from agents.plan.gaps import find_gaps
from agents.plan.model import ChartPlan
from agents.plan.parser import parse_request
from agents.plan.planner import chart_name, plan_request
from agents.plan.questions import PlanOutcome, Question

__all__ = [
    "CatalogEntry",
    "ChartPlan",
    "PlanError",
    "PlanOutcome",
    "Question",
    "RequestFacts",
    "catalog_names",
    "chart_name",
    "find_entry",
    "find_gaps",
    "load_catalog",
    "parse_request",
    "plan_request",
]
