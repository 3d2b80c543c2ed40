"""apiserver/service-port-names: a Service with several ports names each, uniquely, as DNS labels."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.apiserver_wording import duplicate, invalid, rejected, required
from agents.validate.finding import Severity
from agents.validate.k8s_names import dns1123_label
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import mapping, mappings


def check(given: RuleInput) -> Iterator[Violation]:
    for svc in given.of_kind("Service"):
        ports = mappings(mapping(svc.doc.get("spec")).get("ports"))
        seen: set[str] = set()
        for i, port in ports:
            name = port.get("name")
            where = ("spec", "ports", i, "name")
            if name is None or name == "":
                if len(ports) > 1:
                    yield Violation(rejected(svc, required(where)), svc, ("spec", "ports", i))
                continue
            name = str(name)
            for problem in dns1123_label(name):
                yield Violation(rejected(svc, invalid(where, name, problem)), svc, where)
            if name in seen:
                yield Violation(rejected(svc, duplicate(where, name)), svc, where)
            seen.add(name)


RULE = Rule(
    "apiserver/service-port-names",
    Severity.ERROR,
    "a Service with more than one port must name every port, uniquely, with a DNS label",
    "name each Service port after its container port (http, metrics…), each name once",
    check,
)
