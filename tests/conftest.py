"""Shared fixtures: an App key pair, a running fake GitHub with the App installed on a seeded repo."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fakes.github_server import FakeGitHub

if TYPE_CHECKING:  # imported lazily: a broken bot.github must not break every test module
    from bot.github import GitHubClient

APP_ID = 4242
INSTALLATION_ID = 77
OWNER = "octo-org"
REPO = "charts"
SEED_FILES = {
    "README.md": "# charts\n",
    ".github/autopilot.yml": "charts_dir: charts\nkube_versions: ['1.30.0']\n",
}


@dataclass(frozen=True)
class AppKeys:
    """An RSA key pair as a GitHub App has: the App signs JWTs, GitHub verifies them."""

    private_pem: str
    public_pem: str


def make_app_keys() -> AppKeys:
    """A fresh 2048-bit RSA key pair (≈ 50 ms)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return AppKeys(private_pem, public_pem)


NPM_FIXTURES = Path(__file__).parent / "fixtures" / "npm" / "node_modules" / "@octokit"
NPM_MISSING = (
    "the npm fixtures (real GitHub payloads, GitHub's REST description) are not installed: "
    "run `bash scripts/fixtures.sh`"
)
NPM_FIXTURE_FILES = ("webhooks-examples/api.github.com/index.json", "openapi/generated/api.github.com.json")
# Whole directories whose tests start servers, processes or whole conversations: `-m "not slow"`
# leaves them out (README, Development).
SLOW_DIRECTORIES = ("e2e", "scale", "adversarial", "packaging", "cli", "action", "agents/corpus")


def require_npm_fixtures() -> None:
    """Skip (with the command that fixes it) when the recorded payloads or the REST description the
    fakes use are absent."""
    if not all((NPM_FIXTURES / file).is_file() for file in NPM_FIXTURE_FILES):
        pytest.skip(NPM_MISSING)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(__file__).parent
    slow = [root / directory for directory in SLOW_DIRECTORIES]
    for item in items:
        if any(item.path.is_relative_to(folder) for folder in slow):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def app_keys() -> AppKeys:
    return make_app_keys()


@pytest.fixture
def fake_github(app_keys: AppKeys) -> Iterator[FakeGitHub]:
    """A started fake GitHub: App `APP_ID` installed (`INSTALLATION_ID`) on `OWNER/REPO` seeded with `SEED_FILES`."""
    require_npm_fixtures()  # the fake's REST bodies are cut from the recorded payloads
    # leaving the block fails the test if the bot sent a request GitHub's REST description refuses
    with FakeGitHub() as gh:
        gh.register_app(APP_ID, app_keys.public_pem)
        gh.add_installation(INSTALLATION_ID, OWNER, app_id=APP_ID)
        gh.add_repo(OWNER, REPO, installation_id=INSTALLATION_ID, files=SEED_FILES)
        yield gh


@pytest.fixture
def installation_token(fake_github: FakeGitHub) -> str:
    """A valid installation token for `INSTALLATION_ID` (what git and the API accept)."""
    return fake_github.issue_installation_token(INSTALLATION_ID)


@pytest.fixture
def action_token(fake_github: FakeGitHub) -> str:
    """A plain token accepted for `OWNER/REPO` only, like an Action's GITHUB_TOKEN."""
    token = "ghp_" + "T0k3n" * 7 + "x"
    fake_github.add_plain_token(token, repos={f"{OWNER}/{REPO}"})
    return token


@pytest.fixture
def recorded_sleeps() -> list[float]:
    """Where clients built by `github_client` "sleep": retries never wait in tests."""
    return []


@pytest.fixture
def github_client(
    fake_github: FakeGitHub, app_keys: AppKeys, recorded_sleeps: list[float]
) -> Iterator[GitHubClient]:
    """A `GitHubClient` acting as the App's installation on the fake."""
    from bot.github import GitHubClient

    client = GitHubClient.from_app(
        app_id=APP_ID,
        private_key=app_keys.private_pem,
        installation_id=INSTALLATION_ID,
        base_url=fake_github.base_url,
        timeout=2.0,
        sleep=recorded_sleeps.append,
    )
    yield client
    client.close()
