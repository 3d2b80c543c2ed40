"""Gap detection: the facts a chart cannot be built without, asked for instead of guessed.

Each check looks at the plan dict after catalog defaults, parsed facts, answers and `--set`
values are merged, and returns a `Question` whose key is the plan path its answer fills.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agents.plan.questions import Question

SERVING = {"Deployment", "StatefulSet", "DaemonSet"}
GapCheck = Callable[[dict[str, Any]], list[Question]]


def _image(data: dict[str, Any]) -> list[Question]:
    image = data.get("image")
    what = data.get("description") or "the app"
    if not isinstance(image, dict) or not image.get("repository"):
        return [
            Question(
                key="image",
                prompt=f"Which container image should the chart run for {what}?",
                hint="a pinned reference, e.g. ghcr.io/acme/shop:1.4 (the catalog has no image for this request)",
            )
        ]
    if not image.get("tag") and not image.get("digest"):
        return [
            Question(
                key="image.tag",
                prompt=f"Which tag of {image.get('registry', 'docker.io')}/{image['repository']} should be deployed?",
                hint="a released version such as 1.4.2 (never 'latest'), or set image.digest",
            )
        ]
    return []


def _ports(data: dict[str, Any]) -> list[Question]:
    serving = data.get("workload", "Deployment") in SERVING
    service_on = data.get("service", {}).get("enabled", True)
    if serving and service_on and not data.get("ports"):
        return [
            Question(
                key="ports",
                prompt="Which port does the container listen on?",
                hint="a number such as 8080 (several: 8080,9090); or --set service.enabled=false if it serves nothing",
                default="8080",
            )
        ]
    return []


def _exposure(data: dict[str, Any]) -> list[Question]:
    exposure = data.get("exposure", {})
    kind = exposure.get("kind", "none")
    questions = []
    if kind in {"ingress", "ingressroute"} and not exposure.get("hosts"):
        questions.append(
            Question(
                key="exposure.hosts",
                prompt=f"Which host name should the {kind} answer on?",
                hint="e.g. shop.example.com (several: a.example.com,b.example.com)",
            )
        )
    if kind in {"httproute", "grpcroute"} and not exposure.get("gateway_name"):
        questions.append(
            Question(
                key="exposure.gateway_name",
                prompt=f"Which Gateway should the {kind} attach to?",
                hint="the name of an existing Gateway, e.g. public-gateway (set exposure.gateway_namespace if it lives elsewhere)",
            )
        )
    return questions


def _schedule(data: dict[str, Any]) -> list[Question]:
    if data.get("workload") == "CronJob" and not data.get("job", {}).get("schedule"):
        return [
            Question(
                key="job.schedule",
                prompt="When should the CronJob run?",
                hint="a cron expression such as '0 3 * * *' (03:00 daily) or '*/15 * * * *', or @hourly",
                choices=["@hourly", "0 3 * * *", "*/15 * * * *"],
            )
        ]
    return []


def _secrets(data: dict[str, Any]) -> list[Question]:
    questions = []
    for i, ref in enumerate(data.get("secret_refs", [])):
        if not ref.get("name"):
            keys = ", ".join(ref.get("keys", [])) or "its keys"
            questions.append(
                Question(
                    key=f"secret_refs[{i}].name",
                    prompt=f"Which existing Secret holds {keys}?",
                    hint="the name of a Secret in the release namespace, e.g. shop-db; the chart never stores secret values",
                )
            )
    for i, var in enumerate(data.get("env", [])):
        if "secret" in var and not var.get("secret"):
            questions.append(
                Question(
                    key=f"env[{i}].secret",
                    prompt=f"Which existing Secret holds the value of {var.get('name', 'this variable')}?",
                    hint="the name of a Secret in the release namespace",
                )
            )
    return questions


def _migration(data: dict[str, Any]) -> list[Question]:
    migration = data.get("migration", {})
    if migration.get("enabled") and not (migration.get("command") or migration.get("args")):
        return [
            Question(
                key="migration.command",
                prompt="Which command runs the database migrations?",
                hint="e.g. python manage.py migrate, bin/rails db:migrate or npm run migrate",
            )
        ]
    return []


GAP_CHECKS: list[GapCheck] = [_image, _ports, _exposure, _schedule, _secrets, _migration]


def find_gaps(data: dict[str, Any]) -> list[Question]:
    """Every question the plan dict still needs answered, in a stable order."""
    return [q for check in GAP_CHECKS for q in check(data)]
