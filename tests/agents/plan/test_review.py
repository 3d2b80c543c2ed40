"""Review edits in plain words: applied, rejected with a reason, or reported as not understood."""

from __future__ import annotations

import pytest

from agents.plan import ChartPlan, plan_request
from agents.plan.review import apply_review


@pytest.fixture(scope="module")
def plan() -> ChartPlan:
    outcome = plan_request("a flask app on ghcr.io/acme/web:1.4 port 5000 with env LOG_LEVEL=info")
    assert outcome.plan is not None
    return outcome.plan


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("use 2 replicas", "replicas", 2),
        ("set replicas to 5", "replicas", 5),
        ("bump the image to 1.5", "image.tag", "1.5"),
        ("use image ghcr.io/acme/web:2.0", "image.repository", "acme/web"),
        ("change port to 9000", "ports.0.container_port", 9000),
        ("set memory limit to 512Mi", "resources.memory_limit", "512Mi"),
        ("set cpu request to 250m", "resources.cpu_request", "250m"),
        ("disable the network policy", "network_policy.enabled", False),
        ("enable hpa", "autoscaling.enabled", True),
        ("autoscale to 7", "autoscaling.max_replicas", 7),
        ("add a pdb", "pdb.enabled", True),
        ("turn off pdb", "pdb.enabled", False),
        ("enable persistence", "persistence.enabled", True),
        ("enable metrics", "metrics.port", "http"),
        ("add a servicemonitor", "metrics.service_monitor", True),
        ("add env FEATURE_X=on", "env.1.value", "on"),
        ("remove env LOG_LEVEL", "env", []),
        ("add ingress for shop.example.com", "exposure.hosts", ["shop.example.com"]),
        ("set the host to b.example.com", "exposure.kind", "ingress"),
    ],
)
def test_review_edit_applies(plan: ChartPlan, text: str, field: str, value: object) -> None:
    outcome = apply_review(plan, text)
    assert outcome.applied and not outcome.unrecognised and not outcome.rejected, outcome
    node: object = outcome.plan.model_dump(mode="json")
    for part in field.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]  # type: ignore[index]
    assert node == value


def test_several_edits_in_one_comment(plan: ChartPlan) -> None:
    outcome = apply_review(
        plan, "use 2 replicas, add ingress for shop.example.com and disable the network policy"
    )
    assert outcome.applied == ["replicas set to 2", "ingress added for shop.example.com", "NetworkPolicy off"]
    assert outcome.plan.replicas == 2 and not outcome.plan.network_policy.enabled


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("add ingress", "needs at least one host"),
        ("use -1 replicas", None),
        ("set memory limit to lots", None),
        ("remove env NOPE", "there is no env NOPE"),
        ("bump the image to not/valid:", "not applied"),
    ],
)
def test_invalid_or_unknown_edits_leave_the_plan_alone(
    plan: ChartPlan, text: str, reason: str | None
) -> None:
    outcome = apply_review(plan, text)
    assert outcome.plan == plan
    assert not outcome.applied
    if reason:
        assert reason in " ".join(outcome.rejected)
    else:
        assert outcome.rejected or outcome.unrecognised


def test_unrecognised_sentences_are_reported(plan: ChartPlan) -> None:
    outcome = apply_review(plan, "make it purple. use 3 replicas")
    assert outcome.unrecognised == ["make it purple"]
    assert outcome.plan.replicas == 3


def test_rejected_edit_does_not_block_later_ones(plan: ChartPlan) -> None:
    outcome = apply_review(plan, "add ingress, use 4 replicas")
    assert outcome.rejected and outcome.applied == ["replicas set to 4"]
