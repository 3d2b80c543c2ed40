"""wiring/service-monitor-selector: a ServiceMonitor must select a Service with its named port."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from agents.validate.finding import Severity
from agents.validate.manifests import RenderedObject
from agents.validate.outside_chart import (
    OUTSIDE_HINT,
    RELEASE_NAMESPACES,
    other_namespace,
    selector_labels,
    system_component,
)
from agents.validate.pod_templates import label_selector_matches
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import dig, mapping, mappings, sequence, string_map


def _elsewhere(monitor: RenderedObject, spec: dict[str, Any]) -> str | None:
    """Why a monitor's Services need not be the chart's: other namespaces, or cluster components."""
    namespaces = mapping(spec.get("namespaceSelector"))
    names = [str(n) for n in sequence(namespaces.get("matchNames"))]
    if namespaces.get("any") is True or any(n not in RELEASE_NAMESPACES for n in names):
        return f"it selects Services in other namespaces ({', '.join(names) or 'any'})"
    return other_namespace(monitor) or system_component(selector_labels(spec.get("selector")))


def check(given: RuleInput) -> Iterator[Violation]:
    services = given.of_kind("Service")
    for monitor in given.of_kind("ServiceMonitor"):
        spec = mapping(monitor.doc.get("spec"))
        selected = [
            s
            for s in services
            if label_selector_matches(
                spec.get("selector"),
                string_map(dig(s.doc, "metadata", "labels")),
            )
        ]
        if not selected:
            reason = _elsewhere(monitor, spec)
            if reason is not None:
                yield Violation(
                    f"ServiceMonitor {monitor.name!r} selector {spec.get('selector')} matches no Service of "
                    f"the chart; not an error: {reason}",
                    monitor,
                    ("spec", "selector"),
                    severity=Severity.INFO,
                    hint=OUTSIDE_HINT,
                )
                continue
            yield Violation(
                f"ServiceMonitor {monitor.name!r} selector {spec.get('selector')} matches no Service of the chart",
                monitor,
                ("spec", "selector"),
            )
            continue
        port_names = {
            p["name"]
            for s in selected
            for _, p in mappings(dig(s.doc, "spec", "ports"))
            if isinstance(p.get("name"), str)
        }
        for i, endpoint in mappings(spec.get("endpoints")):
            port = endpoint.get("port")
            if not isinstance(port, str) or port not in port_names:
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
