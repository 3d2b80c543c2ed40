"""apiserver/volume-name-unique: a pod's volumes need distinct names."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.apiserver_wording import duplicate, rejected
from agents.validate.finding import Severity
from agents.validate.pod_templates import pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import mappings, repeated_names


def check(given: RuleInput) -> Iterator[Violation]:
    for pod in pod_templates(given.objects):
        for i, name, _ in repeated_names(mappings(pod.spec.get("volumes"))):
            where = (*pod.path, "volumes", i, "name")
            yield Violation(rejected(pod.obj, duplicate(where, name)), pod.obj, where)


RULE = Rule(
    "apiserver/volume-name-unique",
    Severity.ERROR,
    "the volumes of a pod must have distinct names",
    "rename or drop the second volume; guard optional volumes with one `if` so only one renders",
    check,
)
