"""Event handlers, one module per event family, registered on `ROUTER` by `(event, action)`.

The explicit import list below is the whole routing table: `ROUTER.routes` lists it.
"""

from bot.handlers import checks, comments, line_comments, pulls, reviews  # noqa: F401 - registers the handlers
from bot.handlers.router import ROUTER, Router, StepFailed

__all__ = ["ROUTER", "Router", "StepFailed"]
