"""render_chart output is deterministic and complete; Chart.yaml carries the metadata reviewers expect."""

from __future__ import annotations

import time
from pathlib import Path, PurePosixPath

import helm_python
import yaml

from agents.chart import render_chart, write_chart
from tests.agents.chart.chart_render_checks import LINT_KUBE_VERSION, plan


def test_same_plan_gives_byte_identical_files() -> None:
    first = render_chart(plan("shop-ingress"))
    second = render_chart(plan("shop-ingress").model_copy(deep=True))
    assert first == second
    assert list(first) == sorted(first)


def test_different_plans_give_different_values() -> None:
    assert (
        render_chart(plan("shop-ingress"))["values.yaml"]
        != render_chart(plan("web-deployment"))["values.yaml"]
    )


def test_paths_are_relative_posix_and_cover_the_chart_layout() -> None:
    files = render_chart(plan("shop-ingress"))
    for path in files:
        pure = PurePosixPath(path)
        assert not pure.is_absolute() and ".." not in pure.parts
    assert {"Chart.yaml", "values.yaml", "values.schema.json", "README.md", ".helmignore"} <= set(files)
    assert {"templates/_helpers.tpl", "templates/NOTES.txt", "templates/tests/test-connection.yaml"} <= set(
        files
    )
    assert {"ci/default-values.yaml", "ci/full-values.yaml"} <= set(files)


def test_define_names_carry_the_chart_name() -> None:
    files = render_chart(plan("shop-ingress"))
    assert all("CHARTNAME" not in text for text in files.values())
    assert 'define "shop.fullname"' in files["templates/_helpers.tpl"]
    assert 'include "shop.labels"' in files["templates/deployment.yaml"]


def test_chart_yaml_metadata() -> None:
    chart = yaml.safe_load(render_chart(plan("shop-ingress"))["Chart.yaml"])
    assert chart["apiVersion"] == "v2"
    assert chart["type"] == "application"
    assert (chart["name"], chart["version"], chart["appVersion"]) == ("shop", "0.1.0", "2.0.1")
    assert chart["kubeVersion"] == ">=1.25.0-0"
    assert chart["home"] == "https://shop.example.com"
    assert chart["sources"] == ["https://github.com/acme/shop"]
    assert chart["icon"] == "https://shop.example.com/icon.png"
    assert chart["keywords"] == ["shop", "ecommerce"]
    assert chart["maintainers"] == [{"name": "k8s-autopilot"}]
    images = yaml.safe_load(chart["annotations"]["artifacthub.io/images"])
    assert images == [
        {"name": "shop", "image": "ghcr.io/acme/shop:2.0.1"},
        {"name": "test-connection", "image": "docker.io/library/busybox:1.37.0"},
    ]
    assert chart["annotations"]["artifacthub.io/license"] == "Apache-2.0"


def test_chart_without_home_or_icon_leaves_them_out() -> None:
    chart = yaml.safe_load(render_chart(plan("report-job"))["Chart.yaml"])
    assert not {"home", "icon", "sources"} & set(chart)
    assert chart["description"] == "A Helm chart for report on Kubernetes"
    assert yaml.safe_load(chart["annotations"]["artifacthub.io/images"]) == [
        {"name": "report", "image": "docker.io/acme/report:0.9.0"}
    ]


def test_labels_and_names_follow_helm_conventions(tmp_path: Path) -> None:
    chart_dir = tmp_path / "shop"
    write_chart(render_chart(plan("shop-ingress")), chart_dir)
    chart = helm_python.Chart.load(str(chart_dir))
    long_release = "a-very-long-release-name-that-goes-on-and-on-and-on-well-past-the-limit"
    rendered = chart.render({}, name=long_release)
    deployment = yaml.safe_load(rendered["shop/templates/deployment.yaml"])
    name = deployment["metadata"]["name"]
    assert len(name) <= 63 and not name.endswith("-")
    labels = deployment["metadata"]["labels"]
    assert labels["helm.sh/chart"] == "shop-0.1.0"
    assert labels["app.kubernetes.io/managed-by"] == "Helm"
    assert labels["app.kubernetes.io/version"] == "2.0.1"
    assert deployment["spec"]["selector"]["matchLabels"] == {
        "app.kubernetes.io/name": "shop",
        "app.kubernetes.io/instance": long_release,
    }


def test_release_named_like_the_chart_is_not_doubled(tmp_path: Path) -> None:
    chart_dir = tmp_path / "shop"
    write_chart(render_chart(plan("shop-ingress")), chart_dir)
    rendered = helm_python.Chart.load(str(chart_dir)).render({}, name="shop")
    assert yaml.safe_load(rendered["shop/templates/service.yaml"])["metadata"]["name"] == "shop"


def test_render_and_lint_are_fast(tmp_path: Path) -> None:
    p = plan("shop-ingress")
    render_chart(p)  # warm the template cache and imports
    start = time.perf_counter()
    files = render_chart(p)
    chart_dir = tmp_path / "shop"
    write_chart(files, chart_dir)
    report = helm_python.lint(str(chart_dir), strict=True, kube_version=LINT_KUBE_VERSION)
    elapsed = time.perf_counter() - start
    assert report["errors"] == []
    assert elapsed < 1.0, f"render + write + lint took {elapsed:.3f}s"
