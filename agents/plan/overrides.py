"""`--set key=value` and question answers: dotted plan paths applied to the plan dict.

Keys are checked against the `ChartPlan` schema before anything is written, so a typo is
reported with the keys that are allowed there; values are YAML scalars unless the field is a
string (so `image.tag=1.10` stays "1.10"). Shorthands make answers natural: `image=REPO:TAG`,
`ports=8000,9090`, `exposure.hosts=a.example.com,b.example.com`, `migration.command=python manage.py migrate`.
"""

from __future__ import annotations

import re
import shlex
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from agents.plan.errors import PlanError
from agents.plan.model import ChartPlan, ImageSpec

_SEGMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)$")
_SHELL_LISTS = {"command", "args", "migration.command", "migration.args"}

PathPart = str | int


def parse_path(key: str) -> list[PathPart]:
    """`exposure.hosts[0]` → ["exposure", "hosts", 0]."""
    parts: list[PathPart] = []
    if not key or key.strip() != key:
        raise PlanError(f"--set key {key!r} is empty or has spaces: use a dotted path such as image.tag")
    for segment in key.split("."):
        m = _SEGMENT.match(segment)
        if not m:
            raise PlanError(
                f"--set key {key!r}: {segment!r} is not a field name (use e.g. ports[0].container_port)"
            )
        parts.append(m.group(1))
        parts.extend(int(i) for i in re.findall(r"\[(\d+)\]", m.group(2)))
    return parts


def _unwrap(annotation: Any) -> Any:
    """Strip Optional/Annotated so the field's real type shows."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else annotation
    return annotation


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def target_type(parts: Sequence[PathPart], key: str) -> Any:
    """The annotation at `parts` inside ChartPlan, or PlanError naming the allowed keys."""
    current: Any = ChartPlan
    walked: list[str] = []
    for part in parts:
        current = _unwrap(current)
        if isinstance(part, int):
            if typing.get_origin(current) is not list:
                raise PlanError(
                    f"--set {key}: {'.'.join(walked) or 'plan'} is not a list, so [{part}] cannot index it"
                )
            current = typing.get_args(current)[0]
            continue
        if typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
            walked.append(part)
            continue
        if not _is_model(current):
            raise PlanError(f"--set {key}: {'.'.join(walked)} is a value, it has no field {part!r}")
        fields = current.model_fields
        if part not in fields:
            where = ".".join(walked) or "the plan"
            raise PlanError(
                f"--set {key}: unknown key {part!r} under {where}; allowed: {', '.join(sorted(fields))}"
            )
        current = fields[part].annotation
        walked.append(part)
    return current


def _accepts_only_text(annotation: Any) -> bool:
    tp = _unwrap(annotation)
    if tp is str:
        return True
    if typing.get_origin(tp) is typing.Literal:
        return all(isinstance(a, str) for a in typing.get_args(tp))
    return False


def _ports_shorthand(value: str) -> list[dict[str, Any]]:
    numbers = [v for v in re.split(r"[\s,]+", value.strip()) if v]
    if not numbers or not all(n.isdigit() for n in numbers):
        raise PlanError(f"ports={value!r}: give port numbers, e.g. ports=8000 or ports=8000,9090")
    return [
        {"name": "http" if i == 0 else f"port-{n}", "container_port": int(n)} for i, n in enumerate(numbers)
    ]


def coerce_value(key: str, parts: Sequence[PathPart], raw: str) -> Any:
    """Turn the text of a `--set` value or an answer into what the field at `parts` holds."""
    annotation = target_type(parts, key)
    tp = _unwrap(annotation)
    path = ".".join(str(p) for p in parts if isinstance(p, str))
    if parts == ["image"]:
        if raw.strip().startswith("{"):
            return _yaml(raw)
        try:
            return ImageSpec.parse(raw).model_dump()
        except ValidationError as exc:
            raise PlanError(f"image={raw!r} is not a pinned image reference ({first_message(exc)}); "
                            "give REPOSITORY:TAG, e.g. ghcr.io/acme/shop:1.4") from None  # fmt: skip
    if parts == ["ports"] and not raw.strip().startswith("["):
        return _ports_shorthand(raw)
    if typing.get_origin(tp) is list and not raw.strip().startswith("["):
        if path in _SHELL_LISTS:
            try:
                return shlex.split(raw)
            except ValueError as exc:
                raise PlanError(f"{key}={raw!r}: {exc}; quote the command as you would in a shell") from None
        items = [v for v in re.split(r"[\s,]+", raw.strip()) if v]
        if _accepts_only_text(typing.get_args(tp)[0]):
            return items
        return [_yaml(v) for v in items]
    if _accepts_only_text(annotation):
        return raw
    return _yaml(raw)


def _yaml(raw: str) -> Any:
    try:
        return yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        return raw  # "*/15 * * * *" and "@hourly" are not YAML; they are plain strings


def first_message(exc: ValidationError) -> str:
    err = exc.errors()[0]
    return str(err["msg"]).removeprefix("Value error, ")


def set_path(data: dict[str, Any], parts: Sequence[PathPart], value: Any, key: str) -> None:
    """Write `value` at `parts`, creating dicts on the way; a list index may append one item."""
    node: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        nxt: Any = None if last else ({} if isinstance(parts[i + 1], str) else [])
        if isinstance(part, int):
            if not isinstance(node, list):
                raise PlanError(f"--set {key}: the value before [{part}] is not a list")
            if part > len(node):
                raise PlanError(
                    f"--set {key}: index {part} is past the end of a list of {len(node)} (next is [{len(node)}])"
                )
            if part == len(node):
                node.append(value if last else nxt)
            elif last:
                node[part] = value
            node = node[part]
        else:
            if not isinstance(node, dict):
                raise PlanError(f"--set {key}: cannot set {part!r} inside a {type(node).__name__}")
            if last:
                node[part] = value
            else:
                if not isinstance(node.get(part), dict | list):
                    node[part] = nxt
                node = node[part]


def split_assignment(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep:
        raise PlanError(f"--set {item!r} has no '=': write KEY=VALUE, e.g. --set replicas=3")
    return key.strip(), value


def _allows_none(annotation: Any) -> bool:
    if typing.get_origin(annotation) is typing.Annotated:
        return _allows_none(typing.get_args(annotation)[0])
    return annotation is None or type(None) in typing.get_args(annotation)


def _shape_problem(annotation: Any, value: Any) -> str | None:
    """Why `value` cannot stand where a section (a mapping) or a list belongs, or None."""
    tp = _unwrap(annotation)
    if value is None:
        if _allows_none(annotation) or not (_is_model(tp) or typing.get_origin(tp) in (dict, list)):
            return None  # an optional field emptied, or a scalar: ChartPlan's validation decides
        return "cannot be empty"
    if _is_model(tp):
        if not isinstance(value, dict):
            fields = ", ".join(sorted(tp.model_fields))
            return f"is a section, not a single value: set one of its keys ({fields})"
    elif typing.get_origin(tp) is dict:
        if not isinstance(value, dict):
            return "is a mapping: give {key: value, …} or set one key"
    elif typing.get_origin(tp) is list:
        if not isinstance(value, list):
            return "is a list: give [a, b] or set one item, e.g. [0]"
        item = _unwrap(typing.get_args(tp)[0])
        if _is_model(item) and not all(isinstance(v, dict) for v in value):
            return f"is a list of sections: each item needs keys ({', '.join(sorted(item.model_fields))})"
    return None


def apply_assignment(data: dict[str, Any], key: str, raw: str) -> None:
    """Apply one `key=value` (from `--set` or an answer) to the plan dict. A section or a list is
    only ever replaced by a value of its shape, so what reads the plan dict before its validation
    (gap questions, the request's accounting) never meets a string where a mapping belongs."""
    try:
        parts = parse_path(key)
        value = coerce_value(key, parts, raw)
        if (problem := _shape_problem(target_type(parts, key), value)) is not None:
            raise PlanError(f"--set {key}={raw}: {key} {problem}")
        set_path(data, parts, value, key)
    except PlanError as exc:
        message = str(exc)
        if message.startswith(f"--set {key}:"):
            message = message.replace(f"--set {key}:", f"--set {key}={raw}:", 1)
        raise PlanError(message) from None


def apply_sets(data: dict[str, Any], sets: Sequence[str]) -> None:
    for item in sets:
        key, raw = split_assignment(item)
        apply_assignment(data, key, raw)


def apply_answers(data: dict[str, Any], answers: Mapping[str, str]) -> None:
    for key, raw in answers.items():
        if str(raw).strip() == "":
            raise PlanError(f"the answer to {key} is empty: give a value (e.g. {key}=…)")
        apply_assignment(data, key, str(raw).strip())


def validate_plan(data: Mapping[str, Any], origins: Mapping[str, str] | None = None) -> ChartPlan:
    """`ChartPlan` from the dict, or a PlanError naming the first bad key, its value and the rule."""
    try:
        return ChartPlan.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".") or "plan"
        message = str(err["msg"]).removeprefix("Value error, ")
        value = err.get("input")
        shown = "" if isinstance(value, dict | list) or value is None else f" = {value!r}"
        origin = ""
        for key, text in (origins or {}).items():
            if (
                loc == key
                or loc.startswith(key + ".")
                or loc.startswith(key + "[")
                or key.startswith(loc + ".")
            ):
                origin = f" (from {text})"
                break
        raise PlanError(f"{loc}{shown}{origin}: {message}") from None
