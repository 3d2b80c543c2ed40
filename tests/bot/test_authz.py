"""Who may drive the bot: repository permission or the config's user list; approvals not by the requester."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.authz import approval_counts, authorise, requirement_text
from bot.config import AllowedUsers
from bot.github import GitHubClient, RetryPolicy
from tests.conftest import APP_ID, INSTALLATION_ID, OWNER, REPO, AppKeys
from tests.fakes.github_server import FakeGitHub


@pytest.fixture
def client(fake_github: FakeGitHub, app_keys: AppKeys) -> Iterator[GitHubClient]:
    for user, permission in {
        "reader": "read",
        "triager": "triage",
        "writer": "write",
        "admin": "admin",
    }.items():
        fake_github.set_permission(OWNER, REPO, user, permission)  # type: ignore[arg-type]
    with GitHubClient.from_app(
        app_id=APP_ID,
        private_key=app_keys.private_pem,
        installation_id=INSTALLATION_ID,
        base_url=fake_github.base_url,
        retry=RetryPolicy(attempts=1),
    ) as gh:
        yield gh


@pytest.mark.parametrize(
    ("user", "min_permission", "allowed"),
    [
        ("reader", "write", False),
        ("triager", "write", False),
        ("writer", "write", True),
        ("admin", "write", True),
        ("writer", "maintain", False),
        ("triager", "triage", True),
        ("stranger", "write", False),
    ],
)
def test_permission_rank_decides(client: GitHubClient, user: str, min_permission: str, allowed: bool) -> None:
    rules = AllowedUsers(min_permission=min_permission)  # type: ignore[arg-type]
    assert authorise(client, OWNER, REPO, user, rules).allowed is allowed


def test_listed_user_needs_no_permission_and_no_api_call(
    client: GitHubClient, fake_github: FakeGitHub
) -> None:
    before = len(fake_github.calls_to("/permission"))
    decision = authorise(client, OWNER, REPO, "Reader", AllowedUsers(users=["reader"]))
    assert decision.allowed and decision.permission == "listed"
    assert len(fake_github.calls_to("/permission")) == before


def test_requirement_text_names_the_rule() -> None:
    assert requirement_text(AllowedUsers()) == "people with **write** access"
    assert "listed in `.github/autopilot.yml`" in requirement_text(AllowedUsers(users=["alice"]))


def test_approval_by_the_requester_does_not_count(client: GitHubClient) -> None:
    writer = authorise(client, OWNER, REPO, "writer", AllowedUsers())
    reader = authorise(client, OWNER, REPO, "reader", AllowedUsers())
    assert approval_counts(writer, requester="alice")
    assert not approval_counts(writer, requester="Writer")
    assert not approval_counts(reader, requester="alice")


@pytest.mark.parametrize(
    ("state", "allowed"),
    [("active", True), ("pending", False)],
)
def test_active_member_of_a_listed_team_is_allowed(
    client: GitHubClient, fake_github: FakeGitHub, state: str, allowed: bool
) -> None:
    fake_github.add_team_member(OWNER, "platform", "reader", state=state)
    rules = AllowedUsers(teams=[f"{OWNER}/platform"])
    decision = authorise(client, OWNER, REPO, "reader", rules)
    assert decision.allowed is allowed
    assert "members of the teams" in decision.requirement


def test_team_entries_grant_nothing_to_non_members(client: GitHubClient, fake_github: FakeGitHub) -> None:
    fake_github.add_team_member(OWNER, "platform", "someone-else")
    decision = authorise(
        client, OWNER, REPO, "reader", AllowedUsers(teams=[f"{OWNER}/platform", f"{OWNER}/gone"])
    )
    assert not decision.allowed
    assert decision.permission == "read"
