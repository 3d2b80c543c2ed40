"""write_chart writes below the chart directory only, and refuses anything that would escape it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agents.chart import UnsafeChartPathError, write_chart


def test_writes_files_and_creates_directories(tmp_path: Path) -> None:
    write_chart({"Chart.yaml": "name: a\n", "templates/tests/t.yaml": "x: 1\n"}, tmp_path / "chart")
    assert (tmp_path / "chart" / "Chart.yaml").read_text() == "name: a\n"
    assert (tmp_path / "chart" / "templates" / "tests" / "t.yaml").read_text() == "x: 1\n"


def test_overwrites_existing_files(tmp_path: Path) -> None:
    write_chart({"values.yaml": "a: 1\n"}, tmp_path)
    write_chart({"values.yaml": "a: 2\n"}, tmp_path)
    assert (tmp_path / "values.yaml").read_text() == "a: 2\n"


@pytest.mark.parametrize(
    "path",
    [
        "/etc/passwd",
        "../outside.yaml",
        "templates/../../outside.yaml",
        ".github/workflows/evil.yml",
        "./values.yaml",
        "templates//x.yaml",
        "",
        "templates\\x.yaml",
    ],
)
def test_refuses_unsafe_paths_and_writes_nothing(path: str, tmp_path: Path) -> None:
    chart_dir = tmp_path / "chart"
    with pytest.raises(UnsafeChartPathError) as error:
        write_chart({"Chart.yaml": "name: a\n", path: "x"}, chart_dir)
    assert repr(path) in str(error.value)
    assert not (chart_dir / "Chart.yaml").exists()
    assert not (tmp_path / "outside.yaml").exists()


def test_refuses_to_write_through_a_symlinked_directory(tmp_path: Path) -> None:
    chart_dir = tmp_path / "chart"
    outside = tmp_path / "outside"
    outside.mkdir()
    chart_dir.mkdir()
    os.symlink(outside, chart_dir / "templates")
    with pytest.raises(UnsafeChartPathError, match="symlink"):
        write_chart({"templates/deployment.yaml": "x"}, chart_dir)
    assert list(outside.iterdir()) == []


def test_refuses_to_overwrite_a_symlinked_file(tmp_path: Path) -> None:
    target = tmp_path / "secret.txt"
    target.write_text("keep")
    chart_dir = tmp_path / "chart"
    chart_dir.mkdir()
    os.symlink(target, chart_dir / "values.yaml")
    with pytest.raises(UnsafeChartPathError, match="symlink"):
        write_chart({"values.yaml": "x"}, chart_dir)
    assert target.read_text() == "keep"


def test_refuses_a_symlinked_chart_directory(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    os.symlink(real, tmp_path / "chart")
    with pytest.raises(UnsafeChartPathError, match="symlink"):
        write_chart({"Chart.yaml": "x"}, tmp_path / "chart")


def test_remove_stale_drops_generated_files_the_new_chart_does_not_have(tmp_path: Path) -> None:
    write_chart(
        {"Chart.yaml": "a", "LICENSE": "mine", "templates/deployment.yaml": "d", "ci/x-values.yaml": "x"},
        tmp_path,
    )
    write_chart({"Chart.yaml": "b", "templates/statefulset.yaml": "s"}, tmp_path, remove_stale=True)
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()) == [
        "Chart.yaml",
        "LICENSE",  # outside templates/ and ci/: the user's file stays
        "templates/statefulset.yaml",
    ]


def test_stale_files_stay_unless_asked(tmp_path: Path) -> None:
    write_chart({"templates/deployment.yaml": "d"}, tmp_path)
    write_chart({"templates/statefulset.yaml": "s"}, tmp_path)
    assert (tmp_path / "templates" / "deployment.yaml").exists()


def test_remove_stale_never_follows_a_symlink_out_of_the_chart(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.yaml").write_text("keep")
    chart_dir = tmp_path / "chart"
    (chart_dir / "templates").mkdir(parents=True)
    os.symlink(outside, chart_dir / "templates" / "link")
    write_chart({"templates/a.yaml": "a"}, chart_dir, remove_stale=True)
    assert (outside / "victim.yaml").read_text() == "keep"
    assert not (chart_dir / "templates" / "link").exists()


def test_remove_stale_drops_a_bundled_dependency_the_new_chart_no_longer_has(tmp_path: Path) -> None:
    from agents.chart import render_chart
    from agents.plan import plan_request

    with_redis = plan_request(
        "ghcr.io/acme/x:1 port 8000 that needs a postgres database and a redis cache"
    ).plan
    only_postgres = plan_request("ghcr.io/acme/x:1 port 8000 that needs a postgres database").plan
    assert with_redis is not None and only_postgres is not None
    vendored = tmp_path / "charts" / "mine-1.0.0.tgz"
    write_chart(render_chart(with_redis), tmp_path)
    vendored.write_bytes(b"a chart the user vendored")
    write_chart(render_chart(only_postgres), tmp_path, remove_stale=True)
    assert sorted(p.name for p in (tmp_path / "charts").iterdir()) == ["mine-1.0.0.tgz", "postgres"]
    no_dependency = plan_request("ghcr.io/acme/x:1 port 8000").plan
    assert no_dependency is not None
    write_chart(render_chart(no_dependency), tmp_path, remove_stale=True)
    assert not (tmp_path / "Chart.lock").exists(), "a lock of generated subcharts goes with them"
    assert sorted(p.name for p in (tmp_path / "charts").iterdir()) == ["mine-1.0.0.tgz"]
