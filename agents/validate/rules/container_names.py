"""apiserver/container-name-unique: containers and init containers of a pod share one name space."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.apiserver_wording import duplicate, rejected
from agents.validate.finding import Severity
from agents.validate.pod_templates import pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import repeated_names


def check(given: RuleInput) -> Iterator[Violation]:
    for pod in pod_templates(given.objects):
        for path, name, _ in repeated_names(pod.containers()):
            where = (*path, "name")
            yield Violation(rejected(pod.obj, duplicate(where, name)), pod.obj, where)


RULE = Rule(
    "apiserver/container-name-unique",
    Severity.ERROR,
    "containers and initContainers of one pod need distinct names",
    "give each container its own name (e.g. suffix init containers: web-migrate, web-wait-db)",
    check,
)
