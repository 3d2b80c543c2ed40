"""wiring/service-monitor-selector: a ServiceMonitor must select a Service with its named port."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.finding import Severity
from agents.validate.pod_templates import label_selector_matches
from agents.validate.rules.contract import Rule, RuleInput, Violation


def check(given: RuleInput) -> Iterator[Violation]:
    services = given.of_kind("Service")
    for monitor in given.of_kind("ServiceMonitor"):
        spec = monitor.doc.get("spec") or {}
        selected = [
            s
            for s in services
            if label_selector_matches(
                spec.get("selector"),
                {str(k): str(v) for k, v in ((s.doc.get("metadata") or {}).get("labels") or {}).items()},
            )
        ]
        if not selected:
            yield Violation(
                f"ServiceMonitor {monitor.name!r} selector {spec.get('selector')} matches no Service of the chart",
                monitor,
                ("spec", "selector"),
            )
            continue
        port_names = {p.get("name") for s in selected for p in (s.doc.get("spec") or {}).get("ports") or []}
        for i, endpoint in enumerate(spec.get("endpoints") or []):
            port = endpoint.get("port")
            if port is None or port not in port_names:
                yield Violation(
                    f"ServiceMonitor {monitor.name!r} scrapes port {port!r}, but the selected Services name "
                    f"their ports {sorted(str(n) for n in port_names if n)}",
                    monitor,
                    ("spec", "endpoints", i, "port"),
                )


RULE = Rule(
    "wiring/service-monitor-selector",
    Severity.ERROR,
    "a ServiceMonitor must select a Service and scrape one of its named ports",
    "match the Service's labels under spec.selector.matchLabels and name the Service port (e.g. metrics)",
    check,
)
