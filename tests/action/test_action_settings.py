"""The Action's settings: the process environment and a given mapping read alike; errors name the variable."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from bot.action_command import run_action
from bot.action_settings import ActionError, ActionSettings, read_action_settings
from bot.config import REPO_CONFIG_PATH
from bot.environment import known_variables

Read = Callable[[Mapping[str, str], str | None], ActionSettings]
VARIABLES = [str(field.validation_alias) for field in ActionSettings.model_fields.values()]


@pytest.fixture(params=["process environment", "given mapping"])
def read(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Read:
    """Read settings the way the console entry does (os.environ) or the in-process tests do (a mapping)."""
    for name in VARIABLES:  # a CI runner has its own GITHUB_* set
        monkeypatch.delenv(name, raising=False)

    def from_process(environ: Mapping[str, str], mode: str | None) -> ActionSettings:
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        return read_action_settings(mode)

    def from_mapping(environ: Mapping[str, str], mode: str | None) -> ActionSettings:
        return read_action_settings(mode, environ)

    return from_process if request.param == "process environment" else from_mapping


def runner_env(tmp_path: Path, **changes: str) -> dict[str, str]:
    env = {
        "GITHUB_REPOSITORY": "octo-org/charts",
        "GITHUB_EVENT_PATH": str(tmp_path / "event.json"),
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_API_URL": "https://ghe.example.com/api/v3/",
        "GITHUB_TOKEN": "ghs_" + "a" * 36,
        "AUTOPILOT_MODE": "validate",
    }
    env.update(changes)
    return env


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"GITHUB_REPOSITORY": "octo-org"}, "GITHUB_REPOSITORY='octo-org' is not 'owner/repo'"),
        ({"GITHUB_REPOSITORY": "octo org/charts"}, "GITHUB_REPOSITORY='octo org/charts' is not 'owner/repo'"),
        ({"AUTOPILOT_MODE": "deploy"}, "mode 'deploy' is not known: set the action's `mode` input"),
        ({"AUTOPILOT_MODE": " "}, "mode '(empty)' is not known"),
        ({"GITHUB_EVENT_PATH": ""}, "GITHUB_EVENT_PATH is not set: run inside GitHub Actions"),
        ({"AUTOPILOT_MODE": "respond", "GITHUB_TOKEN": ""}, "GITHUB_TOKEN is empty: pass `github-token`"),
    ],
)
def test_a_bad_or_missing_value_is_refused_naming_the_variable(
    read: Read, tmp_path: Path, changes: dict[str, str], says: str
) -> None:
    with pytest.raises(ActionError) as refused:
        read(runner_env(tmp_path, **changes), None)
    assert str(refused.value).startswith(says)
    assert "\n" not in str(refused.value)


def test_the_first_wrong_variable_is_the_one_named(read: Read, tmp_path: Path) -> None:
    env = runner_env(tmp_path, AUTOPILOT_MODE="respond", GITHUB_REPOSITORY="nope", GITHUB_TOKEN="")
    with pytest.raises(ActionError, match="^GITHUB_REPOSITORY='nope'"):
        read(env, None)


def test_empty_variables_take_the_defaults(read: Read, tmp_path: Path) -> None:
    env = runner_env(
        tmp_path,
        GITHUB_STEP_SUMMARY="",
        GITHUB_OUTPUT="",
        AUTOPILOT_CONFIG="",
        RUNNER_TEMP="",
        GITHUB_TOKEN="",
    )
    settings = read(env, None)
    assert settings.step_summary is None
    assert settings.output is None
    assert settings.config_path == REPO_CONFIG_PATH
    assert settings.runner_temp == Path("/tmp")
    assert settings.token is None  # validate mode runs without one (no check run)


def test_the_values_are_read_under_their_variables(read: Read, tmp_path: Path) -> None:
    settings = read(runner_env(tmp_path, AUTOPILOT_MODE=" Validate ", AUTOPILOT_CHARTS="charts/*"), None)
    assert settings.mode == "validate"
    assert (settings.owner, settings.repo) == ("octo-org", "charts")
    assert settings.api_url == "https://ghe.example.com/api/v3"  # no trailing slash
    assert settings.workspace == tmp_path
    assert settings.charts == "charts/*"
    assert settings.token is not None
    assert settings.token.get_secret_value() == "ghs_" + "a" * 36


def test_the_mode_argument_wins_over_the_variable(read: Read, tmp_path: Path) -> None:
    assert read(runner_env(tmp_path, AUTOPILOT_MODE="validate"), "respond").mode == "respond"
    assert read(runner_env(tmp_path, AUTOPILOT_MODE="deploy"), "validate").mode == "validate"


def test_a_bad_value_stops_the_run_with_one_error_line_and_status_2(tmp_path: Path) -> None:
    err = io.StringIO()
    code = run_action("validate", environ=runner_env(tmp_path, GITHUB_REPOSITORY="octo-org"), err=err)
    assert code == 2
    assert err.getvalue() == (
        "::error title=k8s-autopilot::GITHUB_REPOSITORY='octo-org' is not 'owner/repo': "
        "run inside GitHub Actions, or set it as the runner does\n"
    )


def test_every_autopilot_variable_it_reads_is_known_to_the_misspelling_check() -> None:
    read_here = {name for name in VARIABLES if name.startswith("AUTOPILOT_")}
    assert read_here
    assert read_here <= known_variables()
