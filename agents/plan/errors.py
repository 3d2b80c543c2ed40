"""`PlanError`: the one exception the planner raises for input a user can correct."""

from __future__ import annotations


class PlanError(ValueError):
    """A request, `--set` flag, answer or review edit that cannot become a valid plan.

    The message names the key and value at fault and what would be accepted instead.
    """
