"""`relative_parts`: the one check every writer (chart, heal, LLM edits, git workspace, config) uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.chart import UnsafeChartPathError, write_chart
from agents.chart_edits import UnsafeEditError, check_edit_path
from agents.heal.chart_files import UnsafeChartPath, safe_target
from agents.safe_paths import UnsafePathError, relative_parts

REFUSED = {
    "": "empty",
    "templates/a\0.yaml": "control characters",
    "templates/a\n.yaml": "control characters",
    "templates\\a.yaml": "backslashes",
    "/etc/passwd": "absolute",
    "C:/x.yaml": "absolute",
    ":(top)x": "pathspec",
    "../x.yaml": "'..'",
    "templates/../../x": "'..'",
    "templates/./x.yaml": "'..'",
    "templates//x.yaml": "'..'",
    "templates/": "'..'",
    ".github/workflows/ci.yml": ".github",
    "templates/.git/config": ".git",
}


@pytest.mark.parametrize("path", list(REFUSED), ids=repr)
def test_paths_that_could_leave_the_directory_are_refused_with_a_reason(path: str) -> None:
    with pytest.raises(UnsafePathError) as caught:
        relative_parts(path)
    assert REFUSED[path] in caught.value.reason
    assert caught.value.path == path


@pytest.mark.parametrize(
    "path",
    ["values.yaml", ".helmignore", "templates/deployment.yaml", "charts/postgres/Chart.yaml", "a/.github/x"],
)
def test_plain_relative_paths_pass(path: str) -> None:
    assert "/".join(relative_parts(path)) == path


@pytest.mark.parametrize("path", ["../x.yaml", ".github/workflows/ci.yml", "/abs.yaml"])
def test_every_writer_refuses_the_same_paths(path: str, tmp_path: Path) -> None:
    with pytest.raises(UnsafeChartPathError):
        write_chart({path: "x"}, tmp_path / "chart")
    with pytest.raises(UnsafeChartPath):
        safe_target(tmp_path, path)
    with pytest.raises(UnsafeEditError):
        check_edit_path(path, {})
    assert not (tmp_path / "x.yaml").exists() and not (tmp_path / ".github").exists()
