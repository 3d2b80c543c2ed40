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
