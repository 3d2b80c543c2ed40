"""Chart validation: Helm lint and render, Kubernetes/CRD schemas, API lifecycle, security, wiring."""

from agents.validate.engine import HelmEngine, LintMessage, RenderResult, get_engine
from agents.validate.engine_cli import HelmCliEngine
from agents.validate.engine_sdk import HelmSdkEngine
from agents.validate.errors import ChartNotFoundError, HelmEngineError
from agents.validate.finding import Finding, Severity, ValidationReport
from agents.validate.kube_schema import default_kube_versions
from agents.validate.pipeline import validate_chart
from agents.validate.report_format import format_report

__all__ = [
    "ChartNotFoundError",
    "Finding",
    "HelmCliEngine",
    "HelmEngine",
    "HelmEngineError",
    "HelmSdkEngine",
    "LintMessage",
    "RenderResult",
    "Severity",
    "ValidationReport",
    "default_kube_versions",
    "format_report",
    "get_engine",
    "validate_chart",
]
