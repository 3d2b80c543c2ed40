"""The PR body shows what the chart creates (a Mermaid diagram) and the values people change most."""

from __future__ import annotations

from pydantic import BaseModel

from agents.plan import plan_request
from agents.plan.model import ChartPlan
from bot import messages
from bot.pr_diagram import chart_overview, common_values, diagram

SHOP = (
    "a django app on ghcr.io/acme/shop:1.4, port 8000, postgres via existing secret shop-db, "
    "3 replicas, autoscale to 10, traefik host shop.example.com"
)


def _plan(request: str) -> ChartPlan:
    outcome = plan_request(request, [])
    assert outcome.plan is not None, outcome.questions
    return outcome.plan


def test_routes_lead_to_the_service_and_the_workload_with_what_is_attached() -> None:
    text = diagram(_plan(SHOP))
    assert text.startswith("```mermaid\nflowchart LR\n") and text.endswith("\n```")
    for line in (
        '  route["Traefik IngressRoute shop.example.com (TLS)"]',
        "  route --> service",
        '  service["Service ClusterIP :8000"]',
        "  service --> workload",
        '  secret0["Secret shop-db (existing)"]',
        "  hpa -.-> workload",
        "  pdb -.-> workload",
        "  netpol -.-> workload",
    ):
        assert line in text.splitlines()


def test_a_single_replica_has_no_disruption_budget_and_no_route() -> None:
    text = diagram(_plan("nginx"))
    assert "pdb" not in text and "route" not in text and '["Deployment nginx ×1"]' in text


def test_persistence_and_labels_that_would_break_mermaid() -> None:
    plan = _plan("nginx").model_copy(update={"name": "web"})
    plan = plan.model_copy(
        update={"persistence": plan.persistence.model_copy(update={"enabled": True, "size": "20Gi"})}
    )
    assert '  volume["PVC 20Gi at /data"]' in diagram(plan)
    quoted = plan.model_copy(
        update={"exposure": plan.exposure.model_copy(update={"kind": "ingress", "hosts": ['a"b<c>']})}
    )
    assert "a'b‹c›" in diagram(quoted)


def test_values_table_shows_this_charts_defaults() -> None:
    table = common_values(_plan(SHOP))
    assert "| `replicaCount` | 3 |" in table
    assert "| `autoscaling.minReplicas / maxReplicas` | 3 / 10 |" in table
    assert "| `image.registry / repository / tag` | ghcr.io / acme/shop / 1.4 |" in table
    assert "| `persistence.enabled / size` | off |" in table


def test_the_pr_body_carries_the_overview_and_other_plans_leave_it_out() -> None:
    plan = _plan("nginx")
    body = messages.pr_body("o/r#1", request="nginx", chart_path="charts/nginx", plan=plan, validation=[])
    assert "### What the chart creates\n\n```mermaid" in body

    class Other(BaseModel):
        name: str = "x"

    assert chart_overview(Other()) == ""


def test_a_revision_reply_shows_the_changed_defaults_as_a_diff() -> None:
    before = "image:\n  tag: '1.4'\nreplicaCount: 1\nservice:\n  port: 80\n"
    after = "image:\n  tag: '1.4'\nreplicaCount: 3\nservice:\n  port: 80\n"
    reply = messages.revision_reply(
        "o/r#1",
        applied=["replicas set to 3"],
        unrecognised=[],
        commit="abc123",
        values_diff=messages.values_diff_section(before, after),
        diagram_updated=True,
    )
    assert "Changed defaults in `values.yaml`:\n\n```diff\n" in reply
    assert "\n-replicaCount: 1\n+replicaCount: 3\n" in reply
    assert "diagram in the pull request description shows the new shape" in reply


def test_no_commit_means_no_diff_and_no_diagram_note() -> None:
    reply = messages.revision_reply(
        "o/r#1",
        applied=[],
        unrecognised=["make it purple"],
        commit=None,
        values_diff="x",
        diagram_updated=True,
    )
    assert "diff" not in reply and "diagram" not in reply


def test_unchanged_values_give_no_diff_section() -> None:
    assert messages.values_diff_section("a: 1\n", "a: 1\n") == ""


def test_a_value_with_backticks_cannot_close_the_diff_block() -> None:
    section = messages.values_diff_section("note: a\n", "note: '```\n@everyone'\n")
    fence = section.split("\n\n", 1)[1].split("diff\n", 1)[0]
    assert len(fence) > 3 and section.rstrip().endswith(fence)


def test_a_long_values_diff_is_cut_with_a_count() -> None:
    after = "".join(f"key{i}: {i}\n" for i in range(200))
    section = messages.values_diff_section("", after)
    assert section.count("\n+key") == messages.MAX_VALUES_DIFF_LINES - 3  # ---, +++ and @@ come first
    assert section.endswith("more line(s) in the commit")
