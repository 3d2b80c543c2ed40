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
# Modules elsewhere whose tests together take a second or more on a 2-core machine, by what they
# run. What is left (`-m "not slow"`) is parsing, planning, rules on parsed objects, events, config
# and store logic: under a minute with collection.
SLOW_MODULES = (
    # charts generated and validated with Helm, many per module
    "agents/chart/test_chart_catalog_corpus.py",
    "agents/chart/test_chart_data_volumes.py",
    "agents/chart/test_chart_offers.py",
    "agents/chart/test_chart_dependencies.py",
    "agents/chart/test_chart_validity.py",
    "agents/chart/test_chart_capabilities.py",
    "agents/chart/test_chart_values_docs.py",
    "agents/chart/test_chart_components.py",
    "agents/chart/test_chart_credentials.py",
    "agents/chart/test_chart_pod_security.py",
    "agents/chart/test_chart_exposure.py",
    "agents/chart/test_chart_workloads.py",
    "agents/plan/test_fidelity_corpus.py",
    "agents/plan/test_request_accounting.py",
    "agents/plan/test_catalog.py",
    "agents/validate/test_rule_robustness.py",
    "agents/validate/test_speedup_keeps_findings.py",
    "agents/validate/test_rules.py",
    "agents/validate/test_quick_checks.py",
    # healing: fixers verified by validating again, benches' smoke runs
    "agents/heal/test_heal_bench_smoke.py",
    "agents/heal/test_fix_never_damages.py",
    "agents/heal/test_heal_fixers.py",
    "agents/heal/test_heal_generated_charts.py",
    "agents/heal/test_ci_logs_bench.py",
    "agents/heal/test_ci_heal.py",
    "agents/heal/test_heal_loop.py",
    # whole graph conversations
    "agents/graph/test_one_heal_loop.py",
    "agents/graph/test_interrupts.py",
    "agents/graph/test_durable_resume.py",
    "agents/graph/test_revise.py",
    "agents/graph/test_llm_in_graph.py",
    # property tests: hundreds of generated requests
    "agents/plan/test_properties.py",
    # processes, the fake GitHub server, git repositories
    "agents/validate/test_checkov_process.py",
    "bot/test_github_client.py",
    "bot/test_git_workspace.py",
    "bot/test_authz.py",
    "bot/test_publish.py",
    "bot/test_fake_github.py",
    "bot/test_fake_github_rest_contract.py",
    "bot/test_runner.py",
    "bot/test_not_done_report.py",
    "bot/test_github_ci_reads.py",
    "bot/test_metrics_multiprocess.py",
    "bot/test_installation_tokens.py",
)


def require_npm_fixtures() -> None:
    """Skip (with the command that fixes it) when the recorded payloads or the REST description the
    fakes use are absent."""
    if not all((NPM_FIXTURES / file).is_file() for file in NPM_FIXTURE_FILES):
        pytest.skip(NPM_MISSING)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(__file__).parent
    slow = [root / directory for directory in SLOW_DIRECTORIES]
    slow_modules = {root / module for module in SLOW_MODULES}
    for item in items:
        if item.path in slow_modules or any(item.path.is_relative_to(folder) for folder in slow):
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
