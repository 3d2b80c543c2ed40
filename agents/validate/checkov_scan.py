"""checkov's Kubernetes checks, run in-process over the rendered manifests, mapped to templates."""

from __future__ import annotations

import fnmatch
import gc
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from agents.validate.checkov_import import import_kubernetes_runner
from agents.validate.crd_schemas import is_builtin_group
from agents.validate.finding import Finding, Severity
from agents.validate.locate import TemplateLocator
from agents.validate.manifests import FAST_SAFE_LOADER, PathPart, RenderedObject, parsed_object_nodes

# CKV_K8S_68…151 check API server/kubelet/etcd flags, never app charts; few patterns keep
# checkov's per-check fnmatch filter cheap
CONTROL_PLANE_CHECKS = ["CKV_K8S_6[89]", "CKV_K8S_[7-9][0-9]", "CKV_K8S_1[0-4][0-9]", "CKV_K8S_15[01]"]
# opinions, reported as info: CPU limits (11), pull policy Always (15), default namespace (21),
# UID >= 10000 (40), digest pinning (43), and secrets as env vars (35: how most upstream images
# take their passwords; files are better where the image supports *_FILE)
OPINION_CHECKS = {"CKV_K8S_11", "CKV_K8S_15", "CKV_K8S_21", "CKV_K8S_35", "CKV_K8S_40", "CKV_K8S_43"}
# checks our own security/* rules already report, with a better message and fix hint
COVERED_BY_OUR_RULES = {
    "CKV_K8S_6",
    "CKV_K8S_8",
    "CKV_K8S_9",
    "CKV_K8S_10",
    "CKV_K8S_12",
    "CKV_K8S_13",
    "CKV_K8S_16",
    "CKV_K8S_17",
    "CKV_K8S_18",
    "CKV_K8S_19",
    "CKV_K8S_20",
    "CKV_K8S_22",
    "CKV_K8S_23",
    "CKV_K8S_28",
    "CKV_K8S_25",
    "CKV_K8S_29",
    "CKV_K8S_30",
    "CKV_K8S_31",
    "CKV_K8S_37",
    "CKV_K8S_38",
    "CKV_K8S_39",
}  # fmt: skip  (25/39: added capabilities; security/capabilities allows NET_BIND_SERVICE as the restricted PSS does)

# what to do about the checks that do fire on app charts (checkov's own guideline links need the network)
HINTS = {
    "CKV_K8S_11": "set resources.limits.cpu if your cluster policy requires it (many teams leave CPU unlimited)",
    "CKV_K8S_14": "pin image.tag to a release (not latest or empty)",
    "CKV_K8S_15": "imagePullPolicy: Always only matters for mutable tags; pin a tag or digest instead",
    "CKV_K8S_21": "install into a dedicated namespace (helm install -n <ns>); charts should not hard-code one",
    "CKV_K8S_35": "mount the Secret as a file (volume) instead of env vars when the app can read files",
    "CKV_K8S_40": "run as a UID >= 10000 (securityContext.runAsUser) to avoid clashing with host users",
    "CKV_K8S_43": "pin the image by digest (image.digest: sha256:…) for reproducible deploys",
    "CKV2_K8S_6": "enable the chart's NetworkPolicy (networkPolicy.enabled: true) so pods are not open to all",
}


class _FastLineLoader(FAST_SAFE_LOADER):  # type: ignore[valid-type,misc]
    """checkov's `SafeLineLoader` (adds __startline__/__endline__ to every mapping) on libyaml."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        mapping["__startline__"] = node.start_mark.line + 1
        mapping["__endline__"] = node.end_mark.line + 1
        return mapping


@cache
def graph_kinds() -> frozenset[str]:
    """Every kind a checkov graph check looks at: as its resource, as a connected resource, or
    in a `kind`/`resource_type` filter. Pods are also built from the pod templates of workloads."""
    _runner()  # checkov imported offline
    from checkov.common.checks_infra.registry import get_graph_checks_registry
    from checkov.kubernetes.kubernetes_utils import SUPPORTED_POD_CONTAINERS_TYPES
    from checkov.kubernetes.runner import Runner

    graph_registry = get_graph_checks_registry(Runner.check_type)
    graph_registry.load_checks()
    kinds: set[str] = set()
    stack = list(graph_registry.checks)
    while stack:
        check = stack.pop()
        kinds.update(check.resource_types or ())
        kinds.update(check.connected_resources_types or ())
        if check.attribute in ("kind", "resource_type") and isinstance(check.attribute_value, list):
            kinds.update(str(v) for v in check.attribute_value)
        stack += check.sub_checks or []
    if "Pod" in kinds:
        kinds.update(SUPPORTED_POD_CONTAINERS_TYPES)
    return frozenset(kinds)


@cache
def _graph_manager_class() -> Any:
    """checkov's Kubernetes graph manager, building its graph only from the kinds graph checks
    read (RBAC, pods and their workloads, NetworkPolicy): Services, ConfigMaps, Secrets… cost a
    third of the graph time and no graph check looks at them or at their edges."""
    from checkov.kubernetes.graph_manager import KubernetesGraphManager

    kinds = graph_kinds()

    class GraphCheckedKindsManager(KubernetesGraphManager):  # type: ignore[misc]
        def build_graph_from_definitions(
            self, definitions: dict[str, list[dict[str, Any]]], render_variables: bool = True
        ) -> Any:
            relevant = {
                path: [d for d in docs if isinstance(d, dict) and d.get("kind") in kinds]
                for path, docs in definitions.items()
            }
            return super().build_graph_from_definitions(relevant, render_variables)

    return GraphCheckedKindsManager


def _loads_reusing_our_parse(checkov_loads: Callable[[str], list[Any]]) -> Callable[[str], list[Any]]:
    """checkov's `k8_yaml.loads` (every document of a text, mappings marked with their lines)
    built from the YAML nodes `parse_manifests` composed for the same text, skipping a second
    parse. Mappings are built fresh each time by the same line-marking constructor (checkov
    edits what it gets). Only the object documents are built: checkov drops the others (empty,
    lists, scalars) as invalid templates. A text we did not parse, or that has a YAML error or
    no object, goes to checkov's own loader, so checkov sees exactly what it did before."""

    def loads(content: str) -> list[Any]:
        nodes = parsed_object_nodes(content)
        if not nodes:
            return checkov_loads(content)
        constructor = _FastLineLoader("")
        try:
            return [constructor.construct_document(node) for node in nodes]
        finally:
            constructor.dispose()

    return loads


@cache
def _runner() -> tuple[Any, Any]:
    """Import checkov once, offline (no Bridgecrew mapping download)."""
    os.environ.setdefault("BC_SKIP_MAPPING", "TRUE")
    os.environ.setdefault("CHECKOV_SKIP_DOWNLOAD", "TRUE")
    # forking workers to parse a dozen small files costs more than parsing them here
    os.environ.setdefault("CHECKOV_PARALLELIZATION_TYPE", "none")
    import_kubernetes_runner()  # without checkov's Terraform checks and its network clients
    from checkov.kubernetes.parser import k8_yaml
    from checkov.kubernetes.runner import Runner
    from checkov.runner_filter import RunnerFilter

    # checkov parses each manifest with a line-marking loader on pure-Python PyYAML, most of its
    # run time here; the same loader on libyaml gives the same documents and line marks ~10x faster.
    k8_yaml.SafeLineLoader = _FastLineLoader  # type: ignore[misc]
    # and it need not parse a text we parsed already: its documents are built from our nodes
    k8_yaml.loads = _loads_reusing_our_parse(k8_yaml.loads)  # type: ignore[assignment]
    _drop_control_plane_checks()
    from checkov.common.checks_infra.registry import get_graph_checks_registry

    get_graph_checks_registry(Runner.check_type).load_checks()  # before gc.freeze, like the rest

    # checkov's import leaves ~300k objects that live as long as the process; every full garbage
    # collection walked them again (~70 ms per validated chart). Collect once, then move everything
    # alive now out of the collector's sight, as gc.freeze's documentation suggests for such heaps.
    # A one-shot command runs with the collector off (bot.cli): there the collection (~0.1 s) would
    # free nothing that matters before the process exits, so only the freeze is done.
    if gc.isenabled():
        gc.collect()
    gc.freeze()
    return Runner, RunnerFilter


def _drop_control_plane_checks() -> None:
    """Unregister CONTROL_PLANE_CHECKS once: as a skip list, checkov matched every pattern against
    every check on every object of every run (a tenth of its run time) to drop the same checks."""
    from checkov.kubernetes.checks.resource.registry import registry

    for table in (registry.checks, registry.wildcard_checks):
        for entity, checks in table.items():
            table[entity] = [c for c in checks if not _is_control_plane_check(c.id)]


def _is_control_plane_check(check_id: str) -> bool:
    return any(fnmatch.fnmatchcase(check_id, pattern) for pattern in CONTROL_PLANE_CHECKS)


def _scratch_root() -> str | None:
    """A RAM-backed folder for checkov's input files when there is one (Linux /dev/shm), else the default."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


def _path_of(evaluated_key: str) -> tuple[PathPart, ...]:
    """`spec/template/spec/containers/[0]/image` -> ("spec", "template", "spec", "containers", 0, "image")."""
    parts: list[PathPart] = []
    for piece in evaluated_key.split("/"):
        index = re.fullmatch(r"\[(\d+)\]", piece)
        if index:
            parts.append(int(index.group(1)))
        elif piece and piece != "[]":
            parts.append(piece)
    return tuple(parts)


def failed_checks(files: list[str], *, every_kind_in_graph: bool = False) -> list[Any]:
    """checkov's failed-check records (`checkov.common.output.record.Record`) for manifest files.

    The graph holds only the kinds graph checks read unless `every_kind_in_graph` (checkov's
    own behaviour, for comparison).
    """
    runner_cls, filter_cls = _runner()
    # no skip list: the control-plane checks were unregistered by _runner()
    runner_filter = filter_cls(framework=["kubernetes"], show_progress_bar=False)
    runner = runner_cls()
    if not every_kind_in_graph:
        runner.graph_manager = _graph_manager_class()(db_connector=runner.db_connector)
    report = runner.run(root_folder=None, files=files, runner_filter=runner_filter)
    reports = report if isinstance(report, list) else [report]
    return [r for rep in reports for r in rep.failed_checks]


@dataclass(frozen=True)
class CheckovFailure:
    """What a finding needs from one of checkov's failed-check records; small and picklable, so a
    scan in agents.validate.checkov_process's child gives the parent exactly these."""

    check_id: str
    check_name: str
    file_abs_path: str
    resource: str
    evaluated_keys: tuple[Any, ...]
    guideline: str | None

    @classmethod
    def of(cls, record: Any) -> CheckovFailure:
        """From a `checkov.common.output.record.Record`."""
        return cls(
            check_id=record.check_id,
            check_name=record.check_name,
            file_abs_path=record.file_abs_path,
            resource=str(record.resource),
            evaluated_keys=tuple((record.check_result or {}).get("evaluated_keys") or ()),
            guideline=record.guideline,
        )


def failures(files: list[str]) -> list[CheckovFailure]:
    """checkov's failed checks for manifest files, scanned in this process."""
    return [CheckovFailure.of(record) for record in failed_checks(files)]


def warm_up() -> None:
    """Import checkov and load everything a scan loads once, so the first scan pays none of it."""
    _runner()
    _graph_manager_class()


def _scan(files: list[str]) -> list[CheckovFailure]:
    """In the child checkov_process started, when there is one; else (or when it is gone) here."""
    from agents.validate.checkov_process import (
        CheckovProcessGone,
        current_checkov_process,
        forget_checkov_process,
    )

    child = current_checkov_process()
    if child is not None:
        try:
            return child.failures(files)
        except CheckovProcessGone:
            forget_checkov_process(child)
    return failures(files)


def _custom_resource_templates(objects: list[RenderedObject]) -> set[str]:
    """Templates whose every object is a custom resource (ScaledObject, ExternalSecret, Middleware…)."""
    builtin: dict[str, bool] = {}
    for obj in objects:
        builtin[obj.template] = builtin.get(obj.template, False) or is_builtin_group(obj.api_version)
    return {template for template, any_builtin in builtin.items() if not any_builtin}


def checkov_findings(
    objects_by_render: dict[str, list[RenderedObject]], locator: TemplateLocator
) -> list[Finding]:
    """One checkov run over every render at once (each render in its own folder)."""
    findings: list[Finding] = []
    with tempfile.TemporaryDirectory(prefix="autopilot-checkov-", dir=_scratch_root()) as tmp:
        origin: dict[str, tuple[str, str]] = {}
        files: list[str] = []
        seen: set[tuple[str, str]] = set()
        for index, (values_file, objects) in enumerate(objects_by_render.items()):
            custom_only = _custom_resource_templates(objects)
            for template, text in locator.rendered.get(values_file, {}).items():
                if not template.endswith((".yaml", ".yml")) or not text.strip() or (template, text) in seen:
                    continue  # a template rendered the same by several values files is scanned once
                if template in custom_only:
                    continue  # checkov has no checks for custom resources; our CRD schemas cover them
                seen.add((template, text))
                # one flat folder: creating and removing a folder per render and template costs more
                # than checkov's scan of a small chart; the file name never reaches a finding
                target = Path(tmp, f"{index}-{template.replace('/', '__')}")
                target.write_text(text)
                files.append(str(target))
                origin[os.path.abspath(target)] = (values_file, template)
        if not files:
            return []
        for result in _scan(files):
            if result.check_id in COVERED_BY_OUR_RULES:
                continue
            # checkov reports os.path.abspath of the path it was given, as origin holds
            source = origin.get(os.path.abspath(result.file_abs_path))
            if source is None:
                continue
            values_file, template = source
            obj = _object_for(objects_by_render.get(values_file, []), template, result.resource)
            keys = result.evaluated_keys
            line = locator.line_of(obj, _path_of(keys[0]) if keys else ()) if obj else None
            findings.append(
                Finding(
                    rule_id=result.check_id,
                    severity=Severity.INFO if result.check_id in OPINION_CHECKS else Severity.WARNING,
                    message=f"{result.check_name} ({obj.ref if obj else result.resource})",
                    file=template,
                    line=line,
                    hint=HINTS.get(result.check_id)
                    or result.guideline
                    or f"see checkov's {result.check_id} documentation",
                    values_file=values_file,
                    resource=obj.ref if obj else None,
                )
            )
    return findings


def _object_for(objects: list[RenderedObject], template: str, resource: str) -> RenderedObject | None:
    """checkov names resources `Kind.namespace.name`; graph checks append labels, so match by prefix."""
    candidates = [o for o in objects if o.template == template]
    kind = resource.split(".", 1)[0]
    for obj in candidates:
        if obj.kind == kind and (f".{obj.name}" in resource or not obj.name):
            return obj
    return candidates[0] if candidates else None
