"""security/service-account-token: do not mount an API token the app does not use."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.finding import Severity
from agents.validate.pod_templates import pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation


def check(given: RuleInput) -> Iterator[Violation]:
    accounts = {o.name: o.doc.get("automountServiceAccountToken") for o in given.of_kind("ServiceAccount")}
    for pod in pod_templates(given.objects):
        value = pod.spec.get("automountServiceAccountToken")
        if value is None:
            value = accounts.get(str(pod.spec.get("serviceAccountName") or "default"))
        if value is not False:
            yield Violation(
                f"{pod.obj.ref} mounts a service account token (automountServiceAccountToken={value!r})",
                pod.obj,
                (*pod.path, "automountServiceAccountToken"),
            )


RULE = Rule(
    "security/service-account-token",
    Severity.WARNING,
    "pods should not automount a service account token they do not need",
    "set automountServiceAccountToken: false in the pod spec (or on its ServiceAccount)",
    check,
)
