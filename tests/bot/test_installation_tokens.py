"""Installation tokens are minted once per installation and shared until shortly before they expire;
the App's commits carry the bot user's id so GitHub links them to the App."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.git import GitIdentity
from bot.github import TOKEN_REFRESH_MARGIN, GitHubApp, RetryPolicy
from tests.conftest import APP_ID, INSTALLATION_ID, OWNER, REPO, AppKeys
from tests.fakes.github_server import FakeGitHub
from tests.fakes.github_state import BOT_EMAIL, BOT_LOGIN, user_id_of

MINTS = rf"/app/installations/{INSTALLATION_ID}/access_tokens$"


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(fake_github: FakeGitHub, app_keys: AppKeys, clock: Clock) -> Iterator[GitHubApp]:
    made = GitHubApp(
        APP_ID,
        app_keys.private_pem,
        base_url=fake_github.base_url,
        retry=RetryPolicy(attempts=1),
        clock=clock,
    )
    yield made
    made.close()


def test_every_client_and_clone_of_an_installation_shares_one_token(
    app: GitHubApp, fake_github: FakeGitHub
) -> None:
    for _ in range(3):  # a job each: comment, review, check run…
        client = app.client_for(INSTALLATION_ID)
        client.get_repo(OWNER, REPO)
        git_token = client.installation_token()
        client.close()
    (mint,) = fake_github.calls_to(MINTS, "POST")
    api_tokens = {c.token for c in fake_github.calls_to(rf"/repos/{OWNER}/{REPO}$", "GET")}
    assert api_tokens == {git_token.get_secret_value()}
    assert mint.status == 201


def test_a_token_is_minted_again_only_near_its_expiry(
    app: GitHubApp, fake_github: FakeGitHub, clock: Clock
) -> None:
    client = app.client_for(INSTALLATION_ID)
    client.get_repo(OWNER, REPO)
    clock.now += timedelta(hours=1) - TOKEN_REFRESH_MARGIN - timedelta(minutes=1)
    client.get_repo(OWNER, REPO)
    assert len(fake_github.calls_to(MINTS, "POST")) == 1
    clock.now += timedelta(minutes=2)  # now within the margin: a long job must not push with a dying token
    client.get_repo(OWNER, REPO)
    assert len(fake_github.calls_to(MINTS, "POST")) == 2


def test_a_revoked_token_is_replaced_and_the_call_succeeds(app: GitHubApp, fake_github: FakeGitHub) -> None:
    client = app.client_for(INSTALLATION_ID)
    client.get_repo(OWNER, REPO)
    (first,) = [c.token for c in fake_github.calls_to(rf"/repos/{OWNER}/{REPO}$", "GET")]
    assert first is not None
    del fake_github.tokens[first]  # revoked on GitHub's side
    assert client.get_repo(OWNER, REPO).default_branch == "main"
    assert len(fake_github.calls_to(MINTS, "POST")) == 2
    assert client.installation_token().get_secret_value() != first


def test_the_bot_user_is_looked_up_by_slug(app: GitHubApp, fake_github: FakeGitHub) -> None:
    assert app.slug() == BOT_LOGIN.removesuffix("[bot]")
    user = app.client_for(INSTALLATION_ID).get_user(f"{app.slug()}[bot]")
    assert (user.login, user.id, user.is_bot) == (BOT_LOGIN, user_id_of(BOT_LOGIN), True)
    assert GitIdentity.of_bot_user(user.login, user.id, fake_github.base_url).email == BOT_EMAIL


@pytest.mark.parametrize(
    ("api_url", "email"),
    [
        ("https://api.github.com", f"{user_id_of(BOT_LOGIN)}+{BOT_LOGIN}@users.noreply.github.com"),
        ("http://127.0.0.1:8123/api/v3", BOT_EMAIL),  # the fake GitHub
        (
            "https://ghe.example.com/api/v3",
            f"{user_id_of(BOT_LOGIN)}+{BOT_LOGIN}@users.noreply.ghe.example.com",
        ),
    ],
)
def test_commit_address_links_to_the_bot_user(api_url: str, email: str) -> None:
    assert GitIdentity.of_bot_user(BOT_LOGIN, user_id_of(BOT_LOGIN), api_url).email == email
