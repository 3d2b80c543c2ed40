"""Span accounting: every word of a request is read by an extractor, is filler, or comes back as not done."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.plan import parse_request, plan_request
from agents.plan.accounting import unapplied_facts
from agents.plan.facts import FactOrigin, RequestFacts
from agents.plan.parser import FILLER_WORDS


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


def test_a_flag_is_tied_to_the_words_that_name_it() -> None:
    facts = parse_request("a worker on ghcr.io/acme/w:1, no service, no pdb")
    origins = {o.field: o.words for o in facts.origins}
    assert (origins["worker"], origins["service"], origins["pdb"]) == ("worker", "no service", "no pdb")


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


VOCABULARY = st.sampled_from(
    ["nginx", "redis", "a", "worker", "port", "8080", "3", "replicas", "with", "keda", "ingress", "for",
     "shop.example.com", "tls", "needs", "postgres", "database", "and", "no", "service", "cronjob", "every",
     "15", "minutes", "secret", "db-creds", "via", "existing", "10Gi", "storage", "at", "/data", "FOO=bar",
     "ghcr.io/acme/x:1", "autoscale", "to", "named", "shop", "metrics", "network", "policy", ",", "memory",
     "limit", "512Mi", "vpa", "gpu", "priority", "class", "fast", "grace", "period", "60s", "zebra", "mode=fast",
     "on", "node", "job", "hpa", "pdb", "consumes", "from", "rabbitmq", "background", "env", "LOG_LEVEL=debug",
     "issuer", "letsencrypt", "gateway", "edge", "grpc", "read", "access", "configmaps", "tolerate", "uses"]
)  # fmt: skip


def _content(text: str) -> set[str]:
    tokens = {w.strip(".,;:!?()[]{}\"'`").lower() for w in text.split()}
    return {w for w in tokens if w and w not in FILLER_WORDS and any(c.isalnum() for c in w)}


@settings(max_examples=300, deadline=None)
@given(st.lists(VOCABULARY, min_size=1, max_size=14))
def test_every_content_word_is_read_by_a_fact_or_reported(words: list[str]) -> None:
    text = " ".join(words)
    facts = parse_request(text)
    accounted = set()
    for origin in facts.origins:
        accounted |= _content(origin.words)
    for note in facts.not_understood:
        accounted |= _content(note.words)
    for dep in facts.dependencies:
        accounted |= _content(dep.words)
    assert _content(text) <= accounted, _content(text) - accounted
