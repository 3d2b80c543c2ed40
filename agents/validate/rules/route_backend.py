"""wiring/route-backend: Ingress, IngressRoute, HTTPRoute and GRPCRoute backends must exist."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from agents.validate.finding import Severity
from agents.validate.manifests import PathPart, RenderedObject
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import dig, mapping, mappings


def _backends(obj: RenderedObject) -> Iterator[tuple[tuple[PathPart, ...], Any, Any]]:
    """(path, service name, port) of every backend the route points at."""
    spec = mapping(obj.doc.get("spec"))
    if obj.kind == "Ingress":
        default = mapping(dig(spec, "defaultBackend", "service"))
        if default:
            yield ("spec", "defaultBackend", "service"), default.get("name"), _ingress_port(default)
        for r, rule in mappings(spec.get("rules")):
            for p, path in mappings(dig(rule, "http", "paths")):
                service = mapping(dig(path, "backend", "service"))
                where: tuple[PathPart, ...] = ("spec", "rules", r, "http", "paths", p, "backend", "service")
                yield where, service.get("name"), _ingress_port(service)
    elif obj.kind == "IngressRoute":
        for r, route in mappings(spec.get("routes")):
            for s, service in mappings(route.get("services")):
                if service.get("kind", "Service") == "Service":
                    yield (
                        ("spec", "routes", r, "services", s, "name"),
                        service.get("name"),
                        service.get("port"),
                    )
    elif obj.kind in ("HTTPRoute", "GRPCRoute"):
        for r, rule in mappings(spec.get("rules")):
            for b, ref in mappings(rule.get("backendRefs")):
                if ref.get("kind", "Service") == "Service" and ref.get("group", "") in ("", "core"):
                    yield ("spec", "rules", r, "backendRefs", b, "name"), ref.get("name"), ref.get("port")


def _ingress_port(service: dict[str, Any]) -> Any:
    port = mapping(service.get("port"))
    return port.get("name") or port.get("number")


def check(given: RuleInput) -> Iterator[Violation]:
    services = {s.name: s for s in given.of_kind("Service")}
    for route in given.of_kind("Ingress", "IngressRoute", "HTTPRoute", "GRPCRoute"):
        for path, name, port in _backends(route):
            service = services.get(str(name))
            if service is None:
                yield Violation(
                    f"{route.ref} routes to Service {name!r}, which the chart does not render "
                    f"(Services: {sorted(services) or 'none'})",
                    route,
                    path,
                )
                continue
            ports = [p for _, p in mappings(dig(service.doc, "spec", "ports"))]
            known = {v for p in ports for v in (p.get("port"), p.get("name")) if _hashable(v)}
            if port is not None and _hashable(port) and port not in known:
                yield Violation(
                    f"{route.ref} routes to port {port!r} of Service {name!r}, which exposes "
                    f"{sorted(str(k) for k in known)}",
                    route,
                    path,
                )


def _hashable(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


RULE = Rule(
    "wiring/route-backend",
    Severity.ERROR,
    "route backends must name a Service and port the chart renders",
    "point the backend at the chart's Service (same fullname helper) and one of its port numbers or names",
    check,
)
