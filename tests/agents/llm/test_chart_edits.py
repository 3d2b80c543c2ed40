"""LLM-proposed file edits: only plain chart files change; anything else is refused by name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.chart_edits import MAX_EDITS, MAX_FILE_BYTES, FileEdit, UnsafeEditError, apply_file_edits

FIXTURES = Path(__file__).parents[2] / "fixtures" / "llm"
CHART = {
    "Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    "values.yaml": "replicaCount: 1\n",
    "templates/deployment.yaml": "kind: Deployment\n",
    "templates/_helpers.tpl": '{{- define "web.name" -}}web{{- end }}\n',
}
HOSTILE = json.loads((FIXTURES / "hostile_edits.json").read_text())


@pytest.mark.parametrize(
    "path",
    [
        "values.yaml",
        "values.schema.json",
        "Chart.yaml",
        "README.md",
        ".helmignore",
        "templates/deployment.yaml",
        "templates/NOTES.txt",
        "templates/tests/test-connection.yaml",
        "templates/_pod.tpl",
        "ci/full-values.yaml",
    ],
)
def test_allowed_chart_paths_are_written(path: str) -> None:
    result = apply_file_edits(CHART, [FileEdit(path=path, content="x: 1\n")])
    assert result[path] == "x: 1\n"


def test_edits_return_a_new_map_and_leave_the_input_alone() -> None:
    before = dict(CHART)
    result = apply_file_edits(CHART, [FileEdit(path="values.yaml", content="replicaCount: 2\n")])
    assert before == CHART
    assert result["values.yaml"] == "replicaCount: 2\n"
    assert result["templates/deployment.yaml"] == CHART["templates/deployment.yaml"]


@pytest.mark.parametrize("case", HOSTILE, ids=[c["case"] for c in HOSTILE])
def test_hostile_paths_are_refused_with_the_path_named(case: dict[str, str]) -> None:
    with pytest.raises(UnsafeEditError) as err:
        apply_file_edits(CHART, [FileEdit(path=case["path"], content="x: 1\n")])
    assert err.value.path == case["path"]
    assert case["reason"] in str(err.value)


def test_one_bad_edit_refuses_the_whole_batch() -> None:
    edits = [
        FileEdit(path="values.yaml", content="replicaCount: 3\n"),
        FileEdit(path=".github/workflows/x.yml", content="on: push\n"),
    ]
    with pytest.raises(UnsafeEditError, match=r"\.github/workflows/x\.yml"):
        apply_file_edits(CHART, edits)


def test_huge_content_is_refused() -> None:
    huge = "a" * (MAX_FILE_BYTES + 1)
    with pytest.raises(UnsafeEditError, match="above the"):
        apply_file_edits(CHART, [FileEdit(path="values.yaml", content=huge)])


def test_content_at_the_cap_is_accepted() -> None:
    content = "a" * MAX_FILE_BYTES
    assert apply_file_edits(CHART, [FileEdit(path="values.yaml", content=content)])["values.yaml"] == content


def test_nul_in_content_is_refused() -> None:
    with pytest.raises(UnsafeEditError, match="NUL"):
        apply_file_edits(CHART, [FileEdit(path="values.yaml", content="a: 1\0")])


def test_too_many_edits_are_refused() -> None:
    edits = [FileEdit(path=f"templates/t{i}.yaml", content="x") for i in range(MAX_EDITS + 1)]
    with pytest.raises(UnsafeEditError, match=f"at most {MAX_EDITS}"):
        apply_file_edits(CHART, edits)


def test_very_long_path_is_refused_without_echoing_it_whole() -> None:
    path = "templates/" + "a" * 500 + ".yaml"
    with pytest.raises(UnsafeEditError) as err:
        apply_file_edits(CHART, [FileEdit(path=path, content="x")])
    assert len(str(err.value)) < 200
