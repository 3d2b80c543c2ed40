"""security/host-namespaces: no hostNetwork, hostPID or hostIPC."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.finding import Severity
from agents.validate.pod_templates import pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation


def check(given: RuleInput) -> Iterator[Violation]:
    for pod in pod_templates(given.objects):
        for key in ("hostNetwork", "hostPID", "hostIPC"):
            if pod.spec.get(key) is True:
                yield Violation(
                    f"{pod.obj.ref} shares the host namespace ({key}: true)", pod.obj, (*pod.path, key)
                )


RULE = Rule(
    "security/host-namespaces",
    Severity.ERROR,
    "pods must not share the host network, PID or IPC namespace",
    "remove hostNetwork/hostPID/hostIPC (use a Service or hostPort-free networking instead)",
    check,
)
