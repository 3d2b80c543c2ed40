"""Who may drive the bot in a repository, and whose approval finalises a chart PR.

A user may run commands when they are listed in `.github/autopilot.yml` (`allowed.users`), are an
active member of a listed team (`allowed.teams`, "org/team-slug"; needs the App's members:read
permission — without it GitHub answers 404 and the team grants nothing, failing closed), or hold at
least `allowed.min_permission` on the repository (write by default).
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, ConfigDict

from bot.config import AllowedUsers
from bot.github import Permission

PERMISSION_RANK: dict[str, int] = {"none": 0, "read": 1, "triage": 2, "write": 3, "maintain": 4, "admin": 5}


class PermissionSource(Protocol):
    """The GitHub calls authorisation needs (`GitHubClient.get_permission`, `is_team_member`)."""

    def get_permission(self, owner: str, repo: str, user: str) -> Permission: ...

    def is_team_member(self, org: str, team_slug: str, user: str) -> bool: ...


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
    if allowed.teams:
        parts.append("members of the teams listed in `.github/autopilot.yml`")
    return " or ".join(parts)


def authorise(source: PermissionSource, owner: str, repo: str, user: str, allowed: AllowedUsers) -> Decision:
    """May `user` run commands on `owner/repo` under the repository's `allowed` rules?"""
    requirement = requirement_text(allowed)
    if user.lower() in {u.lower() for u in allowed.users}:
        return Decision(user=user, allowed=True, permission="listed", requirement=requirement)
    permission = source.get_permission(owner, repo, user)
    if PERMISSION_RANK.get(permission, 0) >= PERMISSION_RANK[allowed.min_permission]:
        return Decision(user=user, allowed=True, permission=permission, requirement=requirement)
    for team in allowed.teams:
        org, _, slug = team.partition("/")
        if org and slug and source.is_team_member(org, slug, user):
            return Decision(user=user, allowed=True, permission=f"team {team}", requirement=requirement)
    return Decision(user=user, allowed=False, permission=permission, requirement=requirement)


def approval_counts(decision: Decision, requester: str | None) -> bool:
    """An approval finalises only when the reviewer is authorised and is not who asked for the chart."""
    if not decision.allowed:
        return False
    return requester is None or decision.user.lower() != requester.lower()
