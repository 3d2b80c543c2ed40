"""`verified_fix`: the graph's heal step keeps a fixer's edit only once the chart re-validates better."""

from __future__ import annotations

import pytest

from agents.heal.loop import verified_fix
from tests.agents.heal.conftest import broken_files, recorded_findings, shop_files

KUBE = ["1.33.0"]


@pytest.mark.parametrize("case", ["selector-typo", "api-hpa-v2beta1"])
def test_a_verified_edit_restores_the_chart(case: str) -> None:
    result = verified_fix(broken_files(case), recorded_findings(case), KUBE)
    assert result.applied, f"{case}: no edit was kept ({result.rejected})"
    assert result.files == shop_files()


def test_a_clean_chart_is_left_alone_whatever_the_findings_say() -> None:
    result = verified_fix(shop_files(), recorded_findings("selector-typo"), KUBE)
    assert result.files == shop_files()
    assert result.applied == []
