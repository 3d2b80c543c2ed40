"""Arbitrary text never crashes the planner: it plans, asks, or raises PlanError."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents.plan import PlanError, plan_request
from agents.plan.model import ChartPlan

WORDS = st.sampled_from(
    ["nginx", "django", "port", "8080", "replicas", "3", "ingress", "traefik", "host", "a.example.com",
     "gateway", "grpc", "cronjob", "every", "15", "minutes", "secret", "via", "existing", "postgres",
     "10Gi", "storage", "at", "/data", "env", "FOO=bar", "ghcr.io/acme/x:1", "autoscale", "to", "named",
     "on", "every", "node", "job", "metrics", "no", "network", "policy", ",", "memory", "limit", "512Mi"]
)  # fmt: skip


def _plan_or_plan_error(text: str, sets: list[str] | None = None) -> None:
    try:
        outcome = plan_request(text, sets or [])
    except PlanError:
        return
    assert (outcome.plan is None) != (not outcome.questions)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_arbitrary_text(text: str) -> None:
    _plan_or_plan_error(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(WORDS, max_size=14).map(" ".join))
def test_request_like_word_soup(text: str) -> None:
    _plan_or_plan_error(text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=40), st.text(max_size=20))
def test_arbitrary_sets(key: str, value: str) -> None:
    _plan_or_plan_error("nginx", [f"{key}={value}"])


VALUES = st.sampled_from(
    ["", "null", "true", "3", "foo", "[1, 2]", "[a]", "{a: 1}", "[{name: x}]", "{}", "[]"]
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(ChartPlan.model_fields)), VALUES)
def test_any_value_of_any_shape_for_a_real_key(key: str, value: str) -> None:
    """Every top-level key with values of every shape: what reads the plan before its validation
    (gap questions, the request's accounting) never meets a shape it cannot read."""
    _plan_or_plan_error("nginx", [f"{key}={value}"])
