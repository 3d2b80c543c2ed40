"""checkov's results are the same with our shortcuts (documents built from our own YAML parse,
a graph of only the kinds graph checks read) as with checkov's own parse and full graph."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from agents.validate.checkov_scan import failed_checks, graph_kinds
from agents.validate.manifests import forget_parsed_texts, parse_manifests, parsed_object_nodes

MANIFESTS = Path(__file__).resolve().parents[2] / "fixtures" / "validate" / "checkov-graph"


def _summary(records: list[Any]) -> list[tuple[Any, ...]]:
    """What a finding is made of: check, file, resource, lines and the keys checkov evaluated."""
    return sorted(
        (
            r.check_id,
            Path(r.file_abs_path).name,
            str(r.resource),
            tuple(r.file_line_range),
            tuple((r.check_result or {}).get("evaluated_keys") or ()),
        )
        for r in records
    )


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    copies = []
    for source in sorted(MANIFESTS.glob("*.yaml")):
        shutil.copy(source, tmp_path / source.name)
        copies.append(str(tmp_path / source.name))
    return copies


@pytest.fixture
def checkov_own(files: list[str]) -> list[tuple[Any, ...]]:
    """checkov with its own parse (nothing parsed by us yet) and its full graph."""
    forget_parsed_texts()
    assert all(parsed_object_nodes(Path(f).read_text()) is None for f in files)
    return _summary(failed_checks(files, every_kind_in_graph=True))


def test_the_fixture_fails_graph_checks_and_resource_checks(checkov_own: list[tuple[Any, ...]]) -> None:
    failed = {(check, file) for check, file, *_ in checkov_own}
    assert ("CKV2_K8S_6", "open-deployment.yaml") in failed  # a pod no NetworkPolicy selects
    assert ("CKV2_K8S_5", "rbac.yaml") in failed  # a ServiceAccount that reads every Secret
    assert ("CKV_K8S_16", "guarded.yaml") in failed  # privileged container (a resource check)
    assert not any(file == "broken.yaml" for _, file, *_ in checkov_own)  # not YAML: skipped


def test_documents_built_from_our_parse_give_the_same_results(
    files: list[str], checkov_own: list[tuple[Any, ...]]
) -> None:
    texts = {Path(f).name: Path(f).read_text() for f in files}
    parse_manifests("values.yaml", {f"templates/{name}": text for name, text in texts.items()})
    assert parsed_object_nodes(texts["rbac.yaml"]) is not None  # checkov will reuse these nodes
    assert parsed_object_nodes(texts["broken.yaml"]) is None  # checkov parses (and skips) it itself
    assert _summary(failed_checks(files, every_kind_in_graph=True)) == checkov_own


def test_a_graph_of_the_kinds_graph_checks_read_gives_the_same_results(
    files: list[str], checkov_own: list[tuple[Any, ...]]
) -> None:
    assert _summary(failed_checks(files)) == checkov_own


def test_both_shortcuts_together_give_the_same_results(
    files: list[str], checkov_own: list[tuple[Any, ...]]
) -> None:
    parse_manifests("values.yaml", {f"templates/{Path(f).name}": Path(f).read_text() for f in files})
    assert _summary(failed_checks(files)) == checkov_own


def test_graph_kinds_are_those_of_rbac_pods_and_network_policies() -> None:
    kinds = graph_kinds()
    assert {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "Pod", "NetworkPolicy"} <= kinds
    assert {"Deployment", "StatefulSet", "DaemonSet", "Job"} <= kinds  # their pod templates become Pods
    assert not kinds & {"Service", "ConfigMap", "Secret", "ServiceAccount", "Ingress"}
