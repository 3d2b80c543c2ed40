"""Settings from the environment and `.github/autopilot.yml`: good files load, bad ones explain themselves."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import (
    MAX_REPO_CONFIG_BYTES,
    RepoConfig,
    RepoConfigError,
    SettingsError,
    load_repo_config,
    load_settings,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "config"
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAK\n-----END RSA PRIVATE KEY-----\n"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """A clean environment: no AUTOPILOT_* from the developer's shell, a temporary home."""
    import os

    for name in list(os.environ):
        if name.upper().startswith("AUTOPILOT_"):
            monkeypatch.delenv(name)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    return monkeypatch


# --- Settings ---------------------------------------------------------------------------------------


def test_settings_defaults_without_app(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    s = load_settings(require_app=False)
    assert s.github_api_url == "https://api.github.com"
    assert s.data_dir == tmp_path / ".local" / "share" / "autopilot"
    assert s.database_url == f"sqlite:///{tmp_path}/.local/share/autopilot/autopilot.db"
    assert s.max_body_bytes == 1024 * 1024
    assert s.llm is None and s.webhook_secret is None


def test_settings_full_app(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env.setenv("AUTOPILOT_APP_ID", "1234")
    env.setenv("AUTOPILOT_PRIVATE_KEY", PEM)
    env.setenv("AUTOPILOT_WEBHOOK_SECRET", "s3cret")
    env.setenv("AUTOPILOT_DATA_DIR", str(tmp_path / "d"))
    env.setenv("AUTOPILOT_LLM", "openai:gpt-4.1-mini")
    env.setenv("AUTOPILOT_LOG_LEVEL", "debug")
    env.setenv("AUTOPILOT_GITHUB_API_URL", "http://127.0.0.1:9/api/v3/")
    s = load_settings(require_webhook_secret=True)
    assert s.app_id == 1234
    assert s.private_key_pem() == PEM
    assert s.database_url == f"sqlite:///{tmp_path / 'd' / 'autopilot.db'}"
    assert s.llm == "openai:gpt-4.1-mini" and s.log_level == "DEBUG"
    assert s.github_api_url == "http://127.0.0.1:9/api/v3"
    assert "s3cret" not in repr(s) and PEM not in repr(s)


def test_private_key_from_path(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    key = tmp_path / "app.pem"
    key.write_text(PEM)
    env.setenv("AUTOPILOT_APP_ID", "7")
    env.setenv("AUTOPILOT_PRIVATE_KEY_PATH", str(key))
    assert load_settings().private_key_pem() == PEM


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, "AUTOPILOT_APP_ID is not set"),
        ({"AUTOPILOT_APP_ID": "12"}, "AUTOPILOT_PRIVATE_KEY is not set"),
        ({"AUTOPILOT_APP_ID": "twelve"}, "AUTOPILOT_APP_ID='twelve' is invalid"),
        ({"AUTOPILOT_APP_ID": "-1"}, "AUTOPILOT_APP_ID='-1' is invalid"),
        (
            {"AUTOPILOT_APP_ID": "1", "AUTOPILOT_PRIVATE_KEY": "not a key"},
            "AUTOPILOT_PRIVATE_KEY is invalid: is not PEM",
        ),
        (
            {"AUTOPILOT_APP_ID": "1", "AUTOPILOT_PRIVATE_KEY_PATH": "/nonexistent/app.pem"},
            "AUTOPILOT_PRIVATE_KEY_PATH=/nonexistent/app.pem: cannot read the key",
        ),
        ({"AUTOPILOT_LLM": "gpt4"}, "AUTOPILOT_LLM='gpt4' is invalid: 'gpt4' is not 'provider:model'"),
        (
            {"AUTOPILOT_GITHUB_API_URL": "api.github.com"},
            "AUTOPILOT_GITHUB_API_URL='api.github.com' is invalid",
        ),
        ({"AUTOPILOT_MAX_BODY_BYTES": "0"}, "AUTOPILOT_MAX_BODY_BYTES='0' is invalid"),
        ({"AUTOPILOT_LOG_LEVEL": "loud"}, "AUTOPILOT_LOG_LEVEL='LOUD' is invalid"),
    ],
)
def test_settings_errors_name_the_variable(
    env: pytest.MonkeyPatch, variables: dict[str, str], expected: str
) -> None:
    for name, value in variables.items():
        env.setenv(name, value)
    require_app = "APP_ID" in expected or "PRIVATE_KEY" in expected or "AUTOPILOT_APP_ID" in variables
    with pytest.raises(SettingsError) as caught:
        load_settings(require_app=require_app)
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


def test_webhook_secret_required_for_server(env: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError, match="AUTOPILOT_WEBHOOK_SECRET is not set"):
        load_settings(require_app=False, require_webhook_secret=True)


def test_key_path_that_is_not_pem(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    key = tmp_path / "app.pem"
    key.write_text("hello")
    env.setenv("AUTOPILOT_APP_ID", "7")
    env.setenv("AUTOPILOT_PRIVATE_KEY_PATH", str(key))
    with pytest.raises(SettingsError, match="is not a PEM private key"):
        load_settings()


# --- .github/autopilot.yml --------------------------------------------------------------------------


def test_missing_file_and_comment_only_file_mean_defaults() -> None:
    assert load_repo_config(None) == RepoConfig()
    assert load_repo_config((FIXTURES / "comments-only.yml").read_text()) == RepoConfig()
    defaults = RepoConfig()
    assert (defaults.charts_dir, defaults.branch_prefix, defaults.max_heal_attempts) == (
        "charts",
        "autopilot/",
        3,
    )
    assert defaults.allowed.min_permission == "write"
    assert not (defaults.plan_review or defaults.llm or defaults.draft_prs)


def test_full_file() -> None:
    config = load_repo_config((FIXTURES / "full.yml").read_text())
    assert config.charts_dir == "deploy/charts"
    assert config.kube_versions == ["1.30.0", "1.33.1"]
    assert config.allowed.min_permission == "maintain"
    assert config.allowed.users == ["octocat", "release-bot[bot]"]
    assert config.allowed.teams == ["acme/platform"]
    assert (config.max_heal_attempts, config.max_bot_commits_in_a_row) == (5, 8)
    assert config.draft_prs and config.plan_review and config.llm


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("billion-laughs.yml", "YAML aliases (*name) are not allowed"),
        ("unknown-key.yml", "unknown key `max_heal_attempt`"),
        ("wrong-type.yml", "`max_heal_attempts`: Input should be a valid integer (got 'three')"),
        ("not-a-mapping.yml", "must be a mapping of settings"),
        ("malformed.yml", "is not valid YAML at line"),
        ("duplicate-key.yml", "duplicate key 'draft_prs'"),
        ("python-tag.yml", "is not valid YAML"),
        ("escaping-charts-dir.yml", "must be a relative directory inside the repository"),
        ("latin1.yml", "is not UTF-8 text (bad byte at offset 15)"),
    ],
)
def test_bad_files_explain_themselves(fixture: str, expected: str) -> None:
    with pytest.raises(RepoConfigError) as caught:
        load_repo_config((FIXTURES / fixture).read_bytes())
    assert expected in str(caught.value)
    assert str(caught.value).startswith("`.github/autopilot.yml`")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x: " + "a" * MAX_REPO_CONFIG_BYTES, "the limit is 65,536"),
        ("[" * 5000, "nested more than 20 levels deep ([ or { brackets)"),
        ("a: '" + "[" * 50 + "'", "`a`"),  # brackets inside quotes are text, not nesting
        ("a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 40)), "nested more than 20 levels deep"),
        ("allowed: {min_permission: owner}", "`allowed.min_permission`"),
        ("allowed: {users: ['not a login']}", "'not a login' is not a GitHub login"),
        ("allowed: {teams: [platform]}", "'platform' is not 'org/team-slug'"),
        ("kube_versions: [latest]", "'latest' is not a Kubernetes version"),
        ("branch_prefix: 'bad..prefix/'", "is not a valid git branch prefix"),
        ("charts_dir: /abs", "must be a relative directory"),
        ("draft_prs: 'yes'", "`draft_prs`: Input should be a valid boolean"),
        ("just words", "not a single string"),
        ("---\na: 1\n---\nb: 2\n", "is not valid YAML"),
        ("42", "not a number"),
    ],
    ids=lambda value: repr(value[:30]),
)
def test_bad_values(text: str, expected: str) -> None:
    with pytest.raises(RepoConfigError, match=None) as caught:
        load_repo_config(text)
    assert expected in str(caught.value)


def test_yaml_bomb_is_refused_quickly() -> None:
    """Alias expansion is refused before it starts: the bomb costs no memory or time."""
    import time

    started = time.monotonic()
    with pytest.raises(RepoConfigError):
        load_repo_config((FIXTURES / "billion-laughs.yml").read_text())
    assert time.monotonic() - started < 0.5


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(max_size=300)
    | st.binary(max_size=200)
    | st.builds(
        lambda key, value: f"{key}: {value}",
        st.sampled_from(["charts_dir", "allowed", "kube_versions", "max_heal_attempts", "llm", "x"]),
        st.text(alphabet=st.sampled_from(list("ab1.&*![]{}:-'\"\n ?|>#")), max_size=40),
    )
)
def test_only_repo_config_error_is_ever_raised(text: str | bytes) -> None:
    try:
        assert isinstance(load_repo_config(text), RepoConfig)
    except RepoConfigError as err:
        assert str(err)
