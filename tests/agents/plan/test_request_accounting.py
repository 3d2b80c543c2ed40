"""Span accounting: every word of a request is read by an extractor, is filler, or comes back as not done."""

from __future__ import annotations

import pytest

from agents.plan import parse_request, plan_request
from agents.plan.accounting import unapplied_facts
from agents.plan.facts import FactOrigin, RequestFacts


def _words(notes: list) -> list[str]:
    return [n.words for n in notes]


def test_unread_words_become_one_note_per_unbroken_stretch_in_the_users_words() -> None:
    facts = parse_request("nginx with 3 replicas and KEDA scaling on queue length, plus a Vault agent")
    assert _words(facts.not_understood) == ["KEDA scaling on queue length", "Vault agent"]
    assert {n.kind for n in facts.not_understood} == {"not_understood"}


@pytest.mark.parametrize(
    "request_text",
    [
        "please create a helm chart for nginx, thanks!",
        "I want an nginx app deployed with 2 replicas",
        "Deploy the redis server, please.",
        "a python fastapi service on ghcr.io/acme/x:1 port 8000",
    ],
)
def test_filler_words_are_not_reported(request_text: str) -> None:
    assert parse_request(request_text).not_understood == []


def test_each_fact_records_the_words_it_came_from() -> None:
    facts = parse_request("nginx ingress for shop.example.com with tls, 3 replicas, memory limit 1gb")
    origins = {o.field: o.words for o in facts.origins}
    assert origins["hosts"] == "shop.example.com"
    assert origins["replicas"] == "3 replicas"
    assert origins["memory_limit"] == "memory limit 1gb"
    assert "nginx ingress" in origins["ingress_class"]
    assert origins["tls"] == "tls"


def test_a_lowercase_assignment_is_not_consumed_as_an_env_var_and_lost() -> None:
    facts = parse_request("nginx with mode=fast")
    assert facts.env == {}
    assert _words(facts.not_understood) == ["mode=fast"]


def test_a_fact_the_planner_does_not_apply_is_reported_with_its_words() -> None:
    outcome = plan_request("nginx on shop.example.com, storage class fast-ssd")
    assert outcome.plan is not None
    assert outcome.plan.persistence.enabled is False
    reported = {n.words: n for n in outcome.not_done}
    assert "storage class fast-ssd" in reported
    assert reported["storage class fast-ssd"].kind == "not_applied"
    assert "storage" in reported["storage class fast-ssd"].reason


def test_applied_facts_are_not_reported() -> None:
    outcome = plan_request(
        "nginx with 3 replicas behind an nginx ingress for www.example.com with tls issuer letsencrypt-prod"
    )
    assert outcome.plan is not None
    assert outcome.not_done == []


def test_a_fact_overridden_by_a_set_flag_is_reported() -> None:
    outcome = plan_request("nginx with 3 replicas", sets=["replicas=5"])
    assert outcome.plan is not None and outcome.plan.replicas == 5
    assert _words(outcome.not_done) == ["3 replicas"]


def test_a_fact_without_a_check_counts_only_when_its_value_shows_in_the_plan() -> None:
    class Extended(RequestFacts):
        priority_class: str | None = None
        spot: bool = False

    facts = Extended(
        priority_class="critical",
        spot=True,
        origins=[
            FactOrigin(field="priority_class", words="priority critical", extractor="_extract_test"),
            FactOrigin(field="spot", words="on spot nodes", extractor="_extract_test"),
        ],
    )
    shown = unapplied_facts(facts, {"scheduling": {"priority_class_name": "critical"}})
    assert _words(shown) == ["on spot nodes"]  # a bare True with no check is never assumed applied
    assert _words(unapplied_facts(facts, {})) == ["priority critical", "on spot nodes"]


def test_questions_keep_the_not_done_list() -> None:
    outcome = plan_request("a flask app with a sidecar that tails logs")
    assert outcome.plan is None
    assert "sidecar that tails logs" in _words(outcome.not_done)
