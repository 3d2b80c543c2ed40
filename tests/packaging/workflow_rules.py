"""Security rules for workflow and action files: least-privilege permissions, pinned actions, no
expressions inside `run:` scripts. Each returns human-readable problems; an empty list means clean."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from tests.packaging.tools import PUBLISHED_ACTION

FULL_SHA = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")
EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)


class RunScript(BaseModel):
    """One `run:` script and where it is, e.g. `jobs.respond.steps[0]`."""

    where: str
    script: str


def load_yaml(path: Path) -> dict[str, Any]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict):
        raise ValueError(f"{path} is not a YAML mapping (got {type(doc).__name__})")
    return doc


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    """The `on:` block; PyYAML (YAML 1.1) reads the bare key `on` as the boolean True."""
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return dict(on or {})


def steps(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(location, step) for every step of a workflow's jobs or of a composite action."""
    if "runs" in doc:
        return [(f"runs.steps[{i}]", s) for i, s in enumerate(doc["runs"].get("steps", []))]
    found = []
    for job_id, job in (doc.get("jobs") or {}).items():
        for i, step in enumerate(job.get("steps", [])):
            found.append((f"jobs.{job_id}.steps[{i}]", step))
    return found


def run_scripts(doc: dict[str, Any]) -> list[RunScript]:
    return [RunScript(where=where, script=s["run"]) for where, s in steps(doc) if "run" in s]


def expressions_in_run(doc: dict[str, Any]) -> list[str]:
    """`${{ }}` inside a run script is expanded into the shell source before it runs (script injection);
    values must travel through `env:` instead."""
    return [
        f"{run.where}: {expr} is expanded into the script; pass it through env: instead"
        for run in run_scripts(doc)
        for expr in EXPRESSION.findall(run.script)
    ]


def unpinned_actions(doc: dict[str, Any]) -> list[str]:
    """Third-party actions must be pinned to a full commit SHA (tags can be moved)."""
    problems = []
    for where, step in steps(doc):
        uses = step.get("uses")
        if uses is None or uses.startswith("./") or uses == PUBLISHED_ACTION:
            continue
        if not FULL_SHA.match(uses):
            problems.append(f"{where}: {uses} is not pinned to a full commit SHA")
    return problems


def permission_problems(workflow: dict[str, Any]) -> list[str]:
    """Every job must run with an explicit permissions map, no blanket `write-all`/`read-all`, and
    writes granted only where a job asks for them (never at the workflow's top level)."""
    problems = []
    if "permissions" not in workflow:
        problems.append("no top-level permissions: the token gets the repository's default (often write-all)")
    top = workflow.get("permissions")
    if isinstance(top, str):
        problems.append(f"top-level permissions: {top!r}; list the scopes instead")
    elif isinstance(top, dict):
        problems.extend(
            f"top-level permissions grant {scope}: {level}; grant writes per job"
            for scope, level in top.items()
            if level == "write"
        )
    for job_id, job in (workflow.get("jobs") or {}).items():
        granted = job.get("permissions", top)
        if granted is None:
            problems.append(f"job {job_id} has no permissions block and none is inherited")
        elif isinstance(granted, str):
            problems.append(f"job {job_id} permissions: {granted!r}; list the scopes instead")
    return problems


def job_permissions(workflow: dict[str, Any], job_id: str) -> dict[str, str]:
    job = workflow["jobs"][job_id]
    granted = job.get("permissions", workflow.get("permissions"))
    if not isinstance(granted, dict):
        raise ValueError(f"job {job_id} permissions are {granted!r}, not a map of scopes")
    return {str(k): str(v) for k, v in granted.items()}
