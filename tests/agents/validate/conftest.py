from __future__ import annotations

from pathlib import Path

import pytest

CHARTS = Path(__file__).resolve().parents[2] / "fixtures" / "charts"


@pytest.fixture
def charts() -> Path:
    return CHARTS
