"""`--set key=value`: dotted paths with indexes, typed values, and errors that name key and value."""

from __future__ import annotations

import pytest

from agents.plan import PlanError, plan_request


def _plan(*sets: str):
    outcome = plan_request("nginx", sets)
    assert outcome.plan is not None
    return outcome.plan


def test_sets_reach_nested_and_indexed_fields() -> None:
    plan = _plan(
        "replicas=3",
        "image.tag=1.20",
        "exposure.kind=ingress",
        "exposure.hosts[0]=a.example.com",
        "autoscaling.enabled=true",
        "ports[0].container_port=9000",
        "env[0].name=LOG_LEVEL",
        "env[0].value=debug",
    )
    assert plan.replicas == 3
    assert plan.image.tag == "1.20"  # a string field keeps "1.20", not the float 1.2
    assert plan.exposure.hosts == ["a.example.com"]
    assert plan.autoscaling.enabled is True
    assert plan.ports[0].container_port == 9000
    assert plan.env[0].value == "debug"


def test_shorthands_for_image_ports_lists_and_commands() -> None:
    plan = plan_request(
        "something",
        ["image=ghcr.io/acme/x:2.0", "ports=8000,9090", "command=python -m app --flag 'a b'", "name=x"],
    ).plan
    assert plan is not None
    assert plan.image.reference == "ghcr.io/acme/x:2.0"
    assert [p.container_port for p in plan.ports] == [8000, 9090]
    assert plan.command == ["python", "-m", "app", "--flag", "a b"]
    assert plan.name == "x"


def test_cron_and_at_values_are_plain_strings() -> None:
    plan = plan_request("a cronjob on ghcr.io/acme/x:1", ["job.schedule=*/15 * * * *"]).plan
    assert plan is not None and plan.job.schedule == "*/15 * * * *"
    plan = plan_request("a cronjob on ghcr.io/acme/x:1", ["job.schedule=@hourly"]).plan
    assert plan is not None and plan.job.schedule == "@hourly"


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("replicaz=3", r"replicaz=3: unknown key 'replicaz' under the plan; allowed: .*replicas"),
        ("exposure.hostz=a", r"unknown key 'hostz' under exposure; allowed: .*hosts"),
        ("replicas[0]=1", r"replicas is not a list"),
        ("ports[5].name=x", r"index 5 is past the end of a list of 1"),
        ("replicas.count=1", r"replicas is a value, it has no field 'count'"),
        ("noequals", r"has no '='"),
        ("bad key=1", r"is not a field name"),
        ("image=ghcr.io/acme/x", r"not a pinned image reference"),
        ("ports=eighty", r"give port numbers"),
        ("replicas=-1", r"replicas = -1 \(from --set replicas=-1\): .*greater than or equal to 0"),
        ("replicas=many", r"replicas = 'many' \(from --set replicas=many\)"),
        ("workload=Pod", r"workload = 'Pod'.*'Deployment'"),
        ("exposure.hosts[0]=Not_A_Host", r"Not_A_Host"),
        ("name=Bad_Name", r"DNS-1123"),
        # a whole section or list replaced by something of another shape
        ("service=", r"--set service=: service cannot be empty"),
        ("service=false", r"service is a section, not a single value: set one of its keys \(enabled, "),
        ("exposure=ingress", r"exposure is a section.*\(.*hosts.*kind"),
        ("migration=[a]", r"migration is a section"),
        ("env=3", r"env is a list of sections: each item needs keys \(.*name"),
        ("secret_refs=[shop-db]", r"secret_refs is a list of sections"),
        ("secret_refs=[unclosed", r"secret_refs is a list: give \[a, b\]"),
        ("resources=null", r"resources cannot be empty"),
    ],
)
def test_bad_sets_raise_plan_error_naming_key_and_value(item: str, message: str) -> None:
    with pytest.raises(PlanError, match=message):
        plan_request("nginx", [item])


def test_sections_and_lists_set_whole_in_their_own_shape_are_taken() -> None:
    plan = _plan("exposure={kind: ingress, hosts: [a.example.com]}", "env=[]", "secret_refs=[]")
    assert (plan.exposure.kind, plan.exposure.hosts) == ("ingress", ["a.example.com"])
    assert plan.env == [] and plan.secret_refs == []


def test_plan_error_is_a_value_error() -> None:
    assert issubclass(PlanError, ValueError)
