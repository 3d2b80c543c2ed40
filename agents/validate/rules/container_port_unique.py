"""apiserver/container-port-unique: one containerPort/protocol declared twice in a pod (an API warning)."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.apiserver_wording import field_path, warned
from agents.validate.finding import Severity
from agents.validate.manifests import PathPart
from agents.validate.pod_templates import pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import mappings


def check(given: RuleInput) -> Iterator[Violation]:
    for pod in pod_templates(given.objects):
        # "8080/TCP" -> (path, host binding) of each earlier declaration; as the API server, only
        # an exact repeat (same hostIP and hostPort) is a duplicate
        declared: dict[str, list[tuple[tuple[PathPart, ...], tuple[object, object]]]] = {}
        for path, container in pod.containers():
            for i, port in mappings(container.get("ports")):
                number = port.get("containerPort")
                if not isinstance(number, int) or isinstance(number, bool):
                    continue
                key = f"{number}/{port.get('protocol') or 'TCP'}"
                where = (*path, "ports", i)
                binding = (port.get("hostIP") or "", port.get("hostPort") or 0)
                first = next((other for other, bound in declared.get(key, []) if bound == binding), None)
                if first is not None:
                    yield Violation(
                        warned(
                            pod.obj,
                            f"{field_path(where)}: duplicate port definition with {field_path(first)}",
                        ),
                        pod.obj,
                        where,
                    )
                declared.setdefault(key, []).append((where, binding))


RULE = Rule(
    "apiserver/container-port-unique",
    Severity.WARNING,
    "a containerPort/protocol should be declared once per pod",
    "declare each port once (two names for one port confuse Services and probes); drop the repeat",
    check,
)
