"""`heal_chart`: the validate → fix loop on a chart directory, with the real validator."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from agents.heal.chart_files import UnsafeChartPath, read_chart_files
from agents.heal.loop import heal_chart
from agents.heal.model import FixResult
from agents.validate.finding import Finding
from tests.agents.heal.conftest import broken_files, shop_files, write_files

KUBE = ["1.33.0"]
PSP = "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: legacy\nspec: {}\n"


def test_heals_a_broken_chart_in_place_and_reports_the_diff(tmp_path: Path) -> None:
    chart = write_files(broken_files("api-ingress-extensions"), tmp_path / "shop")
    result = heal_chart(chart, KUBE)
    assert result.healed
    assert [f for f in result.remaining if f.severity == "error"] == []
    assert read_chart_files(chart) == shop_files()
    assert "-apiVersion: extensions/v1beta1" in result.diff
    assert "+apiVersion: networking.k8s.io/v1" in result.diff
    assert "extra-configmap" not in result.diff
    assert result.attempts[0].errors_before > 0 and result.attempts[0].errors_after == 0


@pytest.mark.parametrize("case", ["selector-typo", "api-hpa-v2beta1"])
def test_a_verified_pass_restores_the_chart(tmp_path: Path, case: str) -> None:
    chart = write_files(broken_files(case), tmp_path / "shop")
    result = heal_chart(chart, KUBE)
    assert result.attempts and result.attempts[0].applied, f"{case}: no edit was kept ({result.rejected})"
    assert result.attempts[0].progressed and read_chart_files(chart) == shop_files()


def test_a_clean_chart_needs_no_attempt(shop_dir: Path) -> None:
    result = heal_chart(shop_dir, KUBE)
    assert result.healed and result.attempts == [] and result.diff == ""
    assert read_chart_files(shop_dir) == shop_files()


def test_stops_at_max_attempts(tmp_path: Path) -> None:
    """A values.yaml syntax error hides the selector typo until the second attempt."""
    files = broken_files("selector-typo")
    files["values.yaml"] = broken_files("yaml-values-indent")["values.yaml"]
    chart = write_files(files, tmp_path / "shop")
    result = heal_chart(chart, KUBE, max_attempts=1)
    assert len(result.attempts) == 1
    assert not result.healed
    assert "wiring/service-selector" in {f.rule_id for f in result.remaining}

    again = heal_chart(chart, KUBE, max_attempts=3)
    assert again.healed and len(again.attempts) == 1
    assert read_chart_files(chart) == shop_files()


def test_stops_early_when_an_attempt_makes_no_progress(tmp_path: Path) -> None:
    files = shop_files()
    files["templates/psp.yaml"] = PSP  # removed API with no successor: nothing deterministic applies
    chart = write_files(files, tmp_path / "shop")
    calls: list[int] = []

    def comment_only(files: dict[str, str], findings: list[Finding], versions: Sequence[str]) -> FixResult:
        calls.append(len(findings))
        text = files["templates/psp.yaml"]
        return FixResult(
            files={**files, "templates/psp.yaml": "# reviewed\n" + text}, applied=["added a comment"]
        )

    result = heal_chart(chart, KUBE, max_attempts=3, extra_fixer=comment_only)
    assert len(calls) == 1 and len(result.attempts) == 1
    attempt = result.attempts[0]
    assert attempt.errors_after == attempt.errors_before > 0
    assert not result.healed
    assert "api/removed" in {f.rule_id for f in result.remaining}


def test_without_a_fallback_an_unfixable_chart_is_left_untouched(tmp_path: Path) -> None:
    files = shop_files()
    files["templates/psp.yaml"] = PSP
    chart = write_files(files, tmp_path / "shop")
    result = heal_chart(chart, KUBE, max_attempts=3)
    assert not result.healed and len(result.attempts) == 1 and result.attempts[0].applied == []
    assert result.diff == "" and read_chart_files(chart) == files


def test_a_pass_that_makes_things_worse_is_undone(tmp_path: Path) -> None:
    files = shop_files()
    files["templates/psp.yaml"] = PSP
    chart = write_files(files, tmp_path / "shop")

    def breaks_values(files: dict[str, str], findings: list[Finding], versions: Sequence[str]) -> FixResult:
        broken = {
            **files,
            "values.yaml": files["values.yaml"].replace("replicaCount: 2", 'replicaCount: "2"'),
        }
        return FixResult(files=broken, applied=["quoted replicaCount"])

    result = heal_chart(chart, KUBE, max_attempts=3, extra_fixer=breaks_values)
    assert len(result.attempts) == 1 and result.attempts[0].applied == []
    assert read_chart_files(chart) == files
    assert result.diff == "" and not result.improved
    assert '+replicaCount: "2"' in result.proposed_diff
    assert result.rejected and "not kept" in result.rejected[0]


def test_never_writes_outside_the_chart_directory(tmp_path: Path) -> None:
    files = shop_files()
    files["templates/psp.yaml"] = PSP
    chart = write_files(files, tmp_path / "shop")
    outside = tmp_path / "outside.yaml"

    def escapes(files: dict[str, str], findings: list[Finding], versions: Sequence[str]) -> FixResult:
        return FixResult(files={**files, "../outside.yaml": "kind: Secret\n"}, applied=["escape"])

    with pytest.raises(UnsafeChartPath, match="outside.yaml"):
        heal_chart(chart, KUBE, extra_fixer=escapes)
    assert not outside.exists()
    assert read_chart_files(chart) == files


def test_never_writes_through_a_symlink_out_of_the_chart(tmp_path: Path) -> None:
    files = shop_files()
    files["templates/psp.yaml"] = PSP
    chart = write_files(files, tmp_path / "shop")
    target = tmp_path / "elsewhere.yaml"
    target.write_text("untouched\n", encoding="utf-8")
    (chart / "templates" / "link.yaml").symlink_to(target)

    def through_link(files: dict[str, str], findings: list[Finding], versions: Sequence[str]) -> FixResult:
        return FixResult(files={**files, "templates/link.yaml": "kind: Secret\n"}, applied=["via link"])

    with pytest.raises(UnsafeChartPath, match="link.yaml"):
        heal_chart(chart, KUBE, extra_fixer=through_link)
    assert target.read_text(encoding="utf-8") == "untouched\n"


def test_rejects_a_non_positive_attempt_budget(shop_dir: Path) -> None:
    with pytest.raises(ValueError, match="max_attempts must be at least 1, got 0"):
        heal_chart(shop_dir, KUBE, max_attempts=0)
