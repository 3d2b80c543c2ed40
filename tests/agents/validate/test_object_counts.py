"""Object counts per Kubernetes version: one render per version, hooks apart, render errors per version."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agents.heal.chart_files import read_chart_files
from agents.validate.object_counts import count_kinds, objects_of_files, objects_per_version

VERSIONS = ["1.36.0", "1.35.0"]
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "object-counts" / "per-version"


@pytest.fixture
def per_version(tmp_path: Path) -> Path:
    chart = tmp_path / "per-version"
    shutil.copytree(FIXTURE, chart)
    return chart


def test_each_version_is_rendered_on_its_own(per_version: Path) -> None:
    counts = objects_per_version(per_version, VERSIONS)
    newer, older = counts.versions
    assert newer.kube_version == "1.36.0" and newer.kinds["PodDisruptionBudget"] == 1
    assert older.kube_version == "1.35.0" and "PodDisruptionBudget" not in older.kinds
    assert (newer.total, older.total) == (4, 3)
    assert not counts.same_on_every_version
    assert counts.kinds == ["ConfigMap", "Job (hook)", "Pod (helm test)", "PodDisruptionBudget"]


def test_hooks_and_helm_tests_are_counted_apart_from_installed_objects(per_version: Path) -> None:
    kinds = objects_per_version(per_version, VERSIONS[:1]).versions[0].kinds
    assert kinds == {"ConfigMap": 1, "Job (hook)": 1, "Pod (helm test)": 1, "PodDisruptionBudget": 1}


def test_a_version_helm_cannot_render_gives_its_error_and_the_others_still_count(per_version: Path) -> None:
    (per_version / "templates" / "guard.yaml").write_text(
        '{{- if semverCompare "<1.36-0" .Capabilities.KubeVersion.Version }}'
        '{{ fail "this chart needs Kubernetes 1.36 or newer" }}{{- end }}\n'
    )
    newer, older = objects_per_version(per_version, VERSIONS).versions
    assert newer.error is None and newer.total == 4
    assert older.kinds == {} and older.error is not None and "needs Kubernetes 1.36 or newer" in older.error


def test_files_in_memory_count_like_the_directory(per_version: Path) -> None:
    assert objects_of_files(read_chart_files(per_version), VERSIONS) == objects_per_version(
        per_version, VERSIONS
    )


def test_list_items_count_as_their_kinds() -> None:
    manifests = {
        "templates/list.yaml": (
            "apiVersion: v1\nkind: List\nitems:\n"
            "  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: a\n"
            "  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: b\n"
        )
    }
    assert count_kinds(manifests) == {"ConfigMap": 2}
