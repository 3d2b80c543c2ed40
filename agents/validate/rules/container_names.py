"""apiserver/container-name-unique: containers and init containers of a pod share one name space."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.apiserver_wording import duplicate, rejected
from agents.validate.finding import Severity
from agents.validate.pod_templates import pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation


def check(given: RuleInput) -> Iterator[Violation]:
    for pod in pod_templates(given.objects):
        seen: set[str] = set()
        for path, container in pod.containers():
            name = container.get("name")
            if not isinstance(name, str):
                continue
            if name in seen:
                where = (*path, "name")
                yield Violation(rejected(pod.obj, duplicate(where, name)), pod.obj, where)
            seen.add(name)


RULE = Rule(
    "apiserver/container-name-unique",
    Severity.ERROR,
    "containers and initContainers of one pod need distinct names",
    "give each container its own name (e.g. suffix init containers: web-migrate, web-wait-db)",
    check,
)
