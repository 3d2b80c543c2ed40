"""Reading charts into memory, refusing unsafe paths, and the diff the CLI prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.heal.chart_files import (
    UnsafeChartPath,
    read_chart_files,
    safe_target,
    unified_diff,
    write_changes,
)


def test_reads_text_files_and_skips_subcharts_and_binaries(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "charts").mkdir()
    (tmp_path / "Chart.yaml").write_text("name: x\n")
    (tmp_path / "templates" / "a.yaml").write_text("kind: A\n")
    (tmp_path / "charts" / "dep.yaml").write_text("kind: Dep\n")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    assert read_chart_files(tmp_path) == {"Chart.yaml": "name: x\n", "templates/a.yaml": "kind: A\n"}


@pytest.mark.parametrize("path", ["../x.yaml", "/etc/passwd", "templates/../../x.yaml", ""])
def test_unsafe_paths_are_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(UnsafeChartPath):
        safe_target(tmp_path, path)


def test_one_bad_path_writes_nothing(tmp_path: Path) -> None:
    before = {"a.yaml": "a\n"}
    with pytest.raises(UnsafeChartPath):
        write_changes(tmp_path, before, {"a.yaml": "b\n", "../evil.yaml": "x"})
    assert not (tmp_path / "a.yaml").exists()


def test_diff_names_files_like_git() -> None:
    diff = unified_diff({"values.yaml": "a: 1\n"}, {"values.yaml": "a: 2\n", "new.yaml": "x\n"})
    assert "--- /dev/null\n+++ b/new.yaml" in diff
    assert "--- a/values.yaml\n+++ b/values.yaml" in diff and "-a: 1\n+a: 2\n" in diff
    assert unified_diff({"a": "x"}, {"a": "x"}) == ""
