"""Chart generator: a `ChartPlan` becomes the files of a production-grade Helm chart."""

from agents.chart.render import render_chart, template_names
from agents.chart.write import UnsafeChartPathError, write_chart

__all__ = ["UnsafeChartPathError", "render_chart", "template_names", "write_chart"]
