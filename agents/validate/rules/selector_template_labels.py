"""apiserver/selector-matches-template: a workload's selector must select its own pod template."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.apiserver_wording import rejected
from agents.validate.finding import Severity
from agents.validate.pod_templates import label_selector_matches
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import dig, mapping, string_map

WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")


def _go_map(labels: dict[str, str]) -> str:
    """A label map as the API server prints it: map[string]string{"app":"web"}."""
    pairs = ", ".join(f'"{k}":"{v}"' for k, v in sorted(labels.items()))
    return f"map[string]string{{{pairs}}}"


def check(given: RuleInput) -> Iterator[Violation]:
    for obj in given.of_kind(*WORKLOADS):
        selector = dig(obj.doc, "spec", "selector")
        if not isinstance(selector, dict):
            continue  # missing: schema/kubernetes (required in apps/v1)
        if not mapping(selector.get("matchLabels")) and not selector.get("matchExpressions"):
            yield Violation(
                rejected(
                    obj,
                    "spec.selector: Invalid value: {{}}: empty selector is invalid for "
                    f"{obj.kind.lower()}",
                ),
                obj,
                ("spec", "selector"),
            )
            continue
        labels = string_map(dig(obj.doc, "spec", "template", "metadata", "labels"))
        if not label_selector_matches(selector, labels):
            yield Violation(
                rejected(
                    obj,
                    f"spec.template.metadata.labels: Invalid value: {_go_map(labels)}: "
                    "`selector` does not match template `labels`",
                ),
                obj,
                ("spec", "selector"),
            )


RULE = Rule(
    "apiserver/selector-matches-template",
    Severity.ERROR,
    "a workload's spec.selector must match its pod template's labels",
    "render spec.selector.matchLabels and the template's labels from the same selectorLabels helper",
    check,
)
