"""apiserver/container-port-name: port names are IANA_SVC_NAMEs (15 characters), unique per container."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.apiserver_wording import duplicate, invalid, rejected
from agents.validate.finding import Severity
from agents.validate.k8s_names import port_name
from agents.validate.pod_templates import pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import mappings, repeated_names


def check(given: RuleInput) -> Iterator[Violation]:
    for pod in pod_templates(given.objects):
        for path, container in pod.containers():
            ports = mappings(container.get("ports"))
            for i, port in ports:
                name = port.get("name")
                if not isinstance(name, str) or not name:
                    continue
                where = (*path, "ports", i, "name")
                for problem in port_name(name):
                    yield Violation(rejected(pod.obj, invalid(where, name, problem)), pod.obj, where)
            for i, name, _ in repeated_names(ports):
                # an invalid name is reported once, as invalid, not again as a duplicate
                if name and not port_name(name):
                    where = (*path, "ports", i, "name")
                    yield Violation(rejected(pod.obj, duplicate(where, name)), pod.obj, where)


RULE = Rule(
    "apiserver/container-port-name",
    Severity.ERROR,
    "container port names must be IANA service names (a-z, 0-9, '-', at most 15) and unique per container",
    "use a short lowercase name such as http, metrics or grpc; Services can target it by that name",
    check,
)
