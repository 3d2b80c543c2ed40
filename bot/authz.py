"""Who may drive the bot in a repository, and whose approval finalises a chart PR.

A user may run commands when they are listed in `.github/autopilot.yml` (`allowed.users`) or
hold at least `allowed.min_permission` on the repository (write by default). Teams are listed
in the config but GitHub's team-membership call is not in `GitHubClient` yet, so a team entry
alone grants nothing (fail closed) and the refusal says which requirement applies.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, ConfigDict

from bot.config import AllowedUsers
from bot.github import Permission

PERMISSION_RANK: dict[str, int] = {"none": 0, "read": 1, "triage": 2, "write": 3, "maintain": 4, "admin": 5}


class PermissionSource(Protocol):
    """The one GitHub call authorisation needs (`GitHubClient.get_permission`)."""

    def get_permission(self, owner: str, repo: str, user: str) -> Permission: ...


class Decision(BaseModel):
    """Whether `user` may act, and in words who may (for the refusal comment)."""

    model_config = ConfigDict(frozen=True)

    user: str
    allowed: bool
    permission: str
    requirement: str


def requirement_text(allowed: AllowedUsers) -> str:
    """Who may run commands, as the refusal comment says it."""
    parts = [f"people with **{allowed.min_permission}** access"]
    if allowed.users:
        parts.append("the users listed in `.github/autopilot.yml`")
    return " or ".join(parts)


def authorise(source: PermissionSource, owner: str, repo: str, user: str, allowed: AllowedUsers) -> Decision:
    """May `user` run commands on `owner/repo` under the repository's `allowed` rules?"""
    requirement = requirement_text(allowed)
    if user.lower() in {u.lower() for u in allowed.users}:
        return Decision(user=user, allowed=True, permission="listed", requirement=requirement)
    permission = source.get_permission(owner, repo, user)
    ok = PERMISSION_RANK.get(permission, 0) >= PERMISSION_RANK[allowed.min_permission]
    return Decision(user=user, allowed=ok, permission=permission, requirement=requirement)


def approval_counts(decision: Decision, requester: str | None) -> bool:
    """An approval finalises only when the reviewer is authorised and is not who asked for the chart."""
    if not decision.allowed:
        return False
    return requester is None or decision.user.lower() != requester.lower()
