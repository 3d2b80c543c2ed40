"""apiserver/requests-within-limits: a container's request cannot exceed its limit."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.apiserver_wording import invalid, rejected
from agents.validate.finding import Severity
from agents.validate.pod_templates import pod_templates
from agents.validate.quantity import QuantityError, parse_quantity
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import dig, mapping


def check(given: RuleInput) -> Iterator[Violation]:
    for pod in pod_templates(given.objects):
        for path, container in pod.containers():
            requests = mapping(dig(container, "resources", "requests"))
            limits = mapping(dig(container, "resources", "limits"))
            for resource in sorted(set(requests) & set(limits)):
                try:
                    request, limit = parse_quantity(requests[resource]), parse_quantity(limits[resource])
                except QuantityError:
                    continue  # not a quantity: schema/kubernetes reports the malformed value
                if request > limit:
                    where = (*path, "resources", "requests")
                    yield Violation(
                        rejected(
                            pod.obj,
                            invalid(
                                where,
                                str(requests[resource]),
                                f"must be less than or equal to {resource} limit of {limits[resource]}",
                            ),
                        ),
                        pod.obj,
                        (*where, resource),
                    )


RULE = Rule(
    "apiserver/requests-within-limits",
    Severity.ERROR,
    "resource requests must not exceed the limits of the same resource",
    "raise the limit or lower the request (requests are what the scheduler reserves, limits the cap)",
    check,
)
