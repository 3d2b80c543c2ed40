"""Errors that mean "this is not something we can validate", as opposed to findings in a chart."""

from __future__ import annotations


class ChartNotFoundError(ValueError):
    """The directory is not a Helm chart (no readable Chart.yaml)."""


class HelmEngineError(RuntimeError):
    """The Helm engine itself failed (binary crashed, library missing), not the chart."""
