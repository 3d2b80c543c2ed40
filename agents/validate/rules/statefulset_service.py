"""wiring/statefulset-service: a StatefulSet's serviceName should be a headless Service of the chart.

The API server accepts a serviceName that names nothing; the pods then simply get no stable DNS
names (pod-0.name.namespace.svc), which clustered apps rely on. A Service of that name that is not
headless (clusterIP: None) gives no per-pod records either.
"""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.finding import Severity
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import dig


def check(given: RuleInput) -> Iterator[Violation]:
    services = {svc.name: svc for svc in given.of_kind("Service")}
    for sts in given.of_kind("StatefulSet"):
        name = dig(sts.doc, "spec", "serviceName")
        if not isinstance(name, str) or not name:
            continue  # optional since apps/v1 in Kubernetes 1.31: no per-pod DNS is a choice
        where = ("spec", "serviceName")
        svc = services.get(name)
        if svc is None:
            if name in given.chart.external_names:
                continue  # the user names a Service that exists outside the chart
            yield Violation(
                f"StatefulSet {sts.name!r} names spec.serviceName {name!r}, but the chart renders no "
                f"Service {name!r}: the API server accepts this, but the pods get no stable DNS names "
                f"({sts.name}-0.{name}) until a headless Service of that name exists",
                sts,
                where,
            )
            continue
        cluster_ip = dig(svc.doc, "spec", "clusterIP")
        if cluster_ip != "None":
            yield Violation(
                f"StatefulSet {sts.name!r} is governed by Service {name!r}, which is not headless "
                f"(spec.clusterIP is {cluster_ip!r}, not 'None'): the pods get no per-pod DNS records",
                sts,
                where,
                severity=Severity.ERROR,
                hint=f"render a second Service {name!r} with clusterIP: None (and "
                "publishNotReadyAddresses: true for peer discovery), or point serviceName at it",
            )


RULE = Rule(
    "wiring/statefulset-service",
    Severity.WARNING,
    "a StatefulSet's serviceName should name a headless Service (clusterIP: None) the chart renders",
    "render a headless Service (clusterIP: None) named like spec.serviceName, selecting the StatefulSet's pods",
    check,
)
