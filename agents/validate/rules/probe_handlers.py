"""apiserver/probe-handler: a probe has exactly one handler (exec, httpGet, tcpSocket or grpc)."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.apiserver_wording import forbidden, rejected, required
from agents.validate.finding import Severity
from agents.validate.pod_templates import pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation

HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")


def check(given: RuleInput) -> Iterator[Violation]:
    for pod in pod_templates(given.objects):
        for path, container in pod.containers():
            for probe_name in PROBES:
                probe = container.get(probe_name)
                if not isinstance(probe, dict):
                    continue  # absent, or a wrong shape schema/kubernetes reports
                where = (*path, probe_name)
                handlers = [h for h in HANDLERS if probe.get(h) is not None]
                if not handlers:
                    yield Violation(
                        rejected(pod.obj, required(where, "must specify a handler type")), pod.obj, where
                    )
                for extra in handlers[1:]:
                    yield Violation(
                        rejected(
                            pod.obj, forbidden((*where, extra), "may not specify more than 1 handler type")
                        ),
                        pod.obj,
                        (*where, extra),
                    )


RULE = Rule(
    "apiserver/probe-handler",
    Severity.ERROR,
    "a probe needs exactly one of exec, httpGet, tcpSocket or grpc",
    "keep one handler per probe; when values choose the handler, render the probe from one `if/else` "
    "so a user's override replaces the default instead of being merged into it",
    check,
)
