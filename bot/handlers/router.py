"""The event router: each handler is a short function registered for `(event, action)`.

A handler also says when it `wants` an event (a predicate checked before the thread lock is
taken), so a chatty issue does not queue behind a running chart for comments the bot ignores.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.handlers.context import EventContext

HandlerFn = Callable[["EventContext"], None]
Predicate = Callable[["EventContext"], bool]


class StepFailed(Exception):
    """A handler stopped for a reason it already told the user: the job is finished, not retried."""


def _always(_: EventContext) -> bool:
    return True


def _told_is_done(fn: HandlerFn) -> HandlerFn:
    def run(ctx: EventContext) -> None:
        try:
            fn(ctx)
        except StepFailed:
            return

    run.__name__ = fn.__name__
    return run


@dataclass(frozen=True)
class Handler:
    name: str
    event: str
    actions: frozenset[str]
    run: HandlerFn
    wants: Predicate


class Router:
    """Maps `(X-GitHub-Event, action)` to the handlers registered for it, in registration order."""

    def __init__(self) -> None:
        self._handlers: list[Handler] = []

    def on(self, event: str, *actions: str, when: Predicate = _always) -> Callable[[HandlerFn], HandlerFn]:
        """Register the decorated function for `event` with any of `actions`."""
        if not actions:
            raise ValueError(f"register {event!r} handlers for explicit actions, e.g. 'created'")

        def register(fn: HandlerFn) -> HandlerFn:
            self._handlers.append(
                Handler(f"{event}.{fn.__name__}", event, frozenset(actions), _told_is_done(fn), when)
            )
            return fn

        return register

    def handlers_for(self, event: str, action: str) -> list[Handler]:
        return [h for h in self._handlers if h.event == event and action in h.actions]

    @property
    def routes(self) -> list[tuple[str, str, str]]:
        """`(event, action, handler name)` for every registration, for docs and tests."""
        return sorted((h.event, a, h.name) for h in self._handlers for a in h.actions)


ROUTER = Router()
