"""security/service-account-token: do not mount an API token the app does not use.

A pod whose ServiceAccount the chart binds to a Role or ClusterRole evidently talks to the API
(Prometheus discovery, log shippers' Kubernetes metadata), so its token is expected.
"""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.finding import Severity
from agents.validate.pod_templates import pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import mappings


def _bound_accounts(given: RuleInput) -> set[str]:
    """ServiceAccounts the chart grants API permissions to."""
    return {
        str(subject.get("name"))
        for binding in given.of_kind("RoleBinding", "ClusterRoleBinding")
        for _, subject in mappings(binding.doc.get("subjects"))
        if subject.get("kind") == "ServiceAccount"
    }


def check(given: RuleInput) -> Iterator[Violation]:
    accounts = {o.name: o.doc.get("automountServiceAccountToken") for o in given.of_kind("ServiceAccount")}
    bound = _bound_accounts(given)
    for pod in pod_templates(given.objects):
        account = str(pod.spec.get("serviceAccountName") or "default")
        if account in bound:
            continue
        value = pod.spec.get("automountServiceAccountToken")
        if value is None:
            value = accounts.get(account)
        if value is not False:
            yield Violation(
                f"{pod.obj.ref} mounts a service account token (automountServiceAccountToken={value!r}) "
                f"but the chart grants ServiceAccount {account!r} no API permissions",
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
