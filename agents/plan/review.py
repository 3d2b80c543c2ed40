"""Review edits in plain words ("use 2 replicas, add ingress for shop.example.com"), no LLM.

The text is split into clauses; each clause is matched by one edit rule that changes a copy of
the plan dict. Every edit is validated through `ChartPlan` on its own: an edit that would make
the plan invalid is reported in `rejected` with the reason, and the rest still apply.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from agents.plan.errors import PlanError
from agents.plan.model import ChartPlan, ImageSpec
from agents.plan.overrides import first_message, validate_plan
from agents.plan.parser import parse_request

Edit = Callable[[re.Match[str], dict[str, Any]], str]
ENABLE = r"(enable|add|turn\s+on|use|create|with)"
DISABLE = r"(disable|remove|drop|turn\s+off|no|without|delete|skip)"
FEATURES = (
    r"(ingress|hpa|autoscaling|autoscaler|pdb|pod\s+disruption\s+budget|disruption\s+budget|network\s*polic(?:y|ies)"
    r"|persistence|persistent\s+storage|metrics|service\s*monitor)"
)


class ReviewOutcome(BaseModel):
    """The edited plan and a plain account of what was done and what was not."""

    plan: ChartPlan
    applied: list[str] = Field(default_factory=list)
    unrecognised: list[str] = Field(default_factory=list)  # clauses no rule understood
    rejected: list[str] = Field(default_factory=list)  # understood, but would make the plan invalid


def _clauses(text: str) -> list[str]:
    verbs = r"use|add|set|bump|enable|disable|remove|drop|turn|change|scale|make|expose|increase|decrease|raise|lower|upgrade|update"
    parts = re.split(rf"[;\n]|\.(?=\s|$)|,\s*|\s+and\s+(?=(?:{verbs})\b)|\s+then\s+", text)
    return [p.strip() for p in parts if p and p.strip(" .")]


def _replicas(m: re.Match[str], data: dict[str, Any]) -> str:
    n = int(m.group("n"))
    data["replicas"] = n
    autoscaling = data.get("autoscaling", {})
    if autoscaling.get("enabled"):
        autoscaling["min_replicas"] = n
    return f"replicas set to {n}"


def _image(m: re.Match[str], data: dict[str, Any]) -> str:
    value = m.group("v").strip("`'\"")
    if "/" in value or ":" in value or "@" in value:
        data["image"] = ImageSpec.parse(value).model_dump()
        data["app_version"] = data["image"].get("tag") or data.get("app_version")
        return f"image set to {value}"
    data["image"]["tag"] = value
    data["image"]["digest"] = None
    data["app_version"] = value
    return f"image tag set to {value}"


def _port(m: re.Match[str], data: dict[str, Any]) -> str:
    n = int(m.group("n"))
    if not data.get("ports"):
        data["ports"] = [{"name": "http", "container_port": n}]
    else:
        data["ports"][0]["container_port"] = n
    return f"port {data['ports'][0]['name']} set to {n}"


def _resources(m: re.Match[str], data: dict[str, Any]) -> str:
    facts = parse_request(m.string)
    changes = []
    for field in ("cpu_request", "cpu_limit", "memory_request", "memory_limit"):
        value = getattr(facts, field)
        if value is not None:
            data.setdefault("resources", {})[field] = value
            changes.append(f"{field.replace('_', ' ')} set to {value}")
    if not changes:
        raise LookupError
    return ", ".join(changes)


def _autoscale(m: re.Match[str], data: dict[str, Any]) -> str:
    facts = parse_request(m.group(0))
    auto = data.setdefault("autoscaling", {})
    auto["enabled"] = True
    if facts.autoscale_min is not None:
        auto["min_replicas"] = facts.autoscale_min
    if facts.autoscale_max is not None:
        auto["max_replicas"] = facts.autoscale_max
    return f"autoscaling on ({auto.get('min_replicas', 2)}–{auto.get('max_replicas', 10)} replicas)"


def _hosts_in(text: str) -> list[str]:
    return parse_request(text).hosts


def _toggle(m: re.Match[str], data: dict[str, Any]) -> str:
    on = m.group("on") is not None
    feature = re.sub(r"\s+", " ", (m.group("f1") or m.group("f2")).lower())
    if feature == "ingress":
        exposure = data.setdefault("exposure", {})
        if not on:
            exposure["kind"] = "none"
            return "exposure removed (no ingress)"
        exposure["kind"] = "ingress"
        hosts = _hosts_in(m.string)
        if hosts:
            exposure["hosts"] = hosts
        return f"ingress added for {', '.join(exposure.get('hosts', [])) or '(no host)'}"
    if feature in {"hpa", "autoscaling", "autoscaler"}:
        data.setdefault("autoscaling", {})["enabled"] = on
        return f"autoscaling {'on' if on else 'off'}"
    if feature in {"pdb", "pod disruption budget", "disruption budget"}:
        data.setdefault("pdb", {})["enabled"] = on
        return f"PodDisruptionBudget {'on' if on else 'off'}"
    if feature.startswith("network"):
        data.setdefault("network_policy", {})["enabled"] = on
        return f"NetworkPolicy {'on' if on else 'off'}"
    if feature in {"persistence", "persistent storage"}:
        data.setdefault("persistence", {})["enabled"] = on
        return f"persistence {'on' if on else 'off'}"
    if feature.replace(" ", "") == "servicemonitor":
        metrics = data.setdefault("metrics", {})
        metrics["service_monitor"] = on
        if on:
            _metrics_on(data)
        return f"ServiceMonitor {'on' if on else 'off'}"
    if on:
        _metrics_on(data)
    else:
        data.setdefault("metrics", {})["enabled"] = False
    return f"metrics {'on' if on else 'off'}"


def _metrics_on(data: dict[str, Any]) -> None:
    metrics = data.setdefault("metrics", {})
    metrics["enabled"] = True
    names = [p["name"] for p in data.get("ports", [])]
    if metrics.get("port", "metrics") not in names and names:
        metrics["port"] = names[0]


def _host(m: re.Match[str], data: dict[str, Any]) -> str:
    hosts = _hosts_in(m.string)
    if not hosts:
        raise LookupError
    exposure = data.setdefault("exposure", {})
    if m.group("verb") in {"add", "also"}:
        exposure["hosts"] = [
            *exposure.get("hosts", []),
            *[h for h in hosts if h not in exposure.get("hosts", [])],
        ]
    else:
        exposure["hosts"] = hosts
    if exposure.get("kind", "none") == "none":
        exposure["kind"] = "ingress"
    return f"hosts set to {', '.join(exposure['hosts'])}"


def _env_set(m: re.Match[str], data: dict[str, Any]) -> str:
    name, value = m.group("name"), m.group("value").strip("`'\"")
    env = [v for v in data.get("env", []) if v["name"] != name]
    env.append({"name": name, "value": value})
    data["env"] = env
    return f"env {name}={value}"


def _env_remove(m: re.Match[str], data: dict[str, Any]) -> str:
    name = m.group("name")
    before = data.get("env", [])
    if not any(v["name"] == name for v in before):
        raise ValueError(
            f"there is no env {name} to remove (env: {', '.join(v['name'] for v in before) or 'none'})"
        )
    data["env"] = [v for v in before if v["name"] != name]
    return f"env {name} removed"


RULES: list[tuple[str, Edit]] = [
    (
        rf"^(?:{DISABLE})\s+(?:the\s+|a\s+|an\s+)?(?:env(?:ironment)?\s+(?:var(?:iable)?\s+)?)(?P<name>[A-Za-z_]\w*)$",
        _env_remove,
    ),
    (
        r"\b(?:add|set)\s+(?:an?\s+)?env(?:ironment)?(?:\s+var(?:iable)?)?\s+(?P<name>[A-Za-z_]\w*)\s*=\s*(?P<value>\S+)",
        _env_set,
    ),
    (
        r"\b(?:between\s+\d+\s+and\s+\d+\s+replicas|auto-?scal\w*\s+(?:from\s+\d+\s+)?(?:up\s+)?to\s+\d+)",
        _autoscale,
    ),
    (
        r"(?:^|\b(?:use|set|scale(?:\s+to)?|run|want|make\s+it)\s+)(?:replicas\s+(?:to\s+)?)?(?P<n>\d+)\s+(?:replicas?|pods|instances)\b",
        _replicas,
    ),
    (r"\breplicas?\s+(?:to\s+|=\s*|:\s*)?(?P<n>\d+)\b", _replicas),
    (
        r"\b(?:bump|update|upgrade|change|set|use|move)\s+(?:the\s+)?(?:image\s*(?:tag)?|tag|version)\s+(?:to\s+)?(?P<v>\S+)",
        _image,
    ),
    (r"\b(?:use|switch\s+to)\s+image\s+(?P<v>\S+)", _image),
    (r"\b(?:cpu|memory|mem|ram)\b.*\d|\d.*\b(?:cpu|memory|mem|ram)\b", _resources),
    (r"\b(?:change|set|use|switch)\s+(?:the\s+)?(?:container\s+)?port\s+(?:to\s+)?(?P<n>\d{1,5})\b", _port),
    (r"\bport\s+(?P<n>\d{1,5})\b", _port),
    (rf"^(?:(?P<on>{ENABLE})|{DISABLE})\s+(?:the\s+|a\s+|an\s+)?(?P<f1>{FEATURES})\b", _toggle),
    (rf"^(?:the\s+)?(?P<f2>{FEATURES})\s+(?:(?P<on>on|enabled)|off|disabled)\b", _toggle),
    (r"\b(?P<verb>add|also|use|set|change)\s+(?:the\s+)?(?:host(?:name)?s?|domain)\b", _host),
    (r"\b(?P<verb>add|also|use|set|change)\s+(?:\w+\s+)?(?:to\s+)?(?=\S+\.\S+)", _host),
]


def apply_review(plan: ChartPlan, text: str) -> ReviewOutcome:
    """Apply each understood edit in `text` to `plan`; report the rest instead of guessing."""
    data = plan.model_dump(mode="json")
    current = plan
    outcome = ReviewOutcome(plan=plan)
    for clause in _clauses(text):
        lowered = clause.lower()
        for pattern, edit in RULES:
            m = re.search(pattern, clause if "env" in lowered else lowered, re.I)
            if m is None:
                continue
            candidate = copy.deepcopy(data)
            try:
                description = edit(m, candidate)
            except LookupError:
                continue
            except ValidationError as exc:
                outcome.rejected.append(f"{clause!r} not applied: {first_message(exc)}")
                break
            except ValueError as exc:
                outcome.rejected.append(f"{clause!r} not applied: {exc}")
                break
            try:
                current = validate_plan(candidate)
            except PlanError as exc:
                outcome.rejected.append(f"{clause!r} not applied: {exc}")
                break
            data = current.model_dump(mode="json")
            outcome.applied.append(description)
            break
        else:
            outcome.unrecognised.append(clause)
    outcome.plan = current
    return outcome
