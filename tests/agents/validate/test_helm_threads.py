"""Helm's work runs in threads while Python checks the renders already done: the report is the
same as one made render by render, and an engine that fails still fails the call."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from agents.validate import HelmSdkEngine, validate_chart
from agents.validate.engine import RELEASE_NAME, LintMessage, RenderResult

GOOD = Path(__file__).resolve().parents[2] / "fixtures" / "charts" / "good"


class OneThreadSdkEngine(HelmSdkEngine):
    """The SDK engine, but lint and every render wait their turn: the sequential reference."""

    def __init__(self) -> None:
        super().__init__()
        self._turn = threading.Lock()

    def lint(self, chart_dir: Path, kube_version: str | None = None) -> list[LintMessage]:
        with self._turn:
            return super().lint(chart_dir, kube_version)

    def render(
        self,
        chart_dir: Path,
        values_file: str | None = None,
        kube_version: str | None = None,
        release_name: str = RELEASE_NAME,
    ) -> RenderResult:
        with self._turn:
            return super().render(chart_dir, values_file, kube_version, release_name)


class FailingEngine(HelmSdkEngine):
    """An engine whose lint or ci render breaks (a bug or a crashed binary)."""

    def __init__(self, fail: str) -> None:
        super().__init__()
        self.fail = fail

    def lint(self, chart_dir: Path, kube_version: str | None = None) -> list[LintMessage]:
        if self.fail == "lint":
            raise RuntimeError(f"lint of {chart_dir.name} crashed")
        return super().lint(chart_dir, kube_version)

    def render(
        self,
        chart_dir: Path,
        values_file: str | None = None,
        kube_version: str | None = None,
        release_name: str = RELEASE_NAME,
    ) -> RenderResult:
        if self.fail == "render" and values_file:
            raise RuntimeError(f"render of {values_file} crashed")
        return super().render(chart_dir, values_file, kube_version, release_name)


def test_the_report_equals_the_one_made_a_render_at_a_time() -> None:
    threaded = validate_chart(GOOD)
    sequential = validate_chart(GOOD, engine=OneThreadSdkEngine())
    assert threaded.findings == sequential.findings
    assert threaded.rendered == sequential.rendered
    assert list(threaded.rendered) == ["values.yaml", "ci/autoscaling-values.yaml"]


@pytest.mark.parametrize(("fail", "message"), [("lint", "lint of good crashed"), ("render", "render of ci/")])
def test_an_engine_failure_in_a_helm_thread_still_raises(fail: str, message: str) -> None:
    with pytest.raises(RuntimeError, match=message):
        validate_chart(GOOD, engine=FailingEngine(fail))
    assert validate_chart(GOOD).engine  # the threads are still usable afterwards
