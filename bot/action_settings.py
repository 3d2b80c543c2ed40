"""The Action's environment (docs/action.md) read once into `ActionSettings`; a bad value is one line."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.config import REPO_CONFIG_PATH

Mode = Literal["respond", "validate"]
_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")


class ActionError(Exception):
    """The run cannot start or go on; the message is one line naming the value and what to change."""


def _unknown_mode(chosen: str) -> str:
    return f"mode {chosen or '(empty)'!r} is not known: set the action's `mode` input to respond or validate"


def _not_a_repository(value: str) -> str:
    return (
        f"GITHUB_REPOSITORY={value!r} is not 'owner/repo': run inside GitHub Actions, "
        "or set it as the runner does"
    )


# what to say when a required variable is unset or empty
_UNSET = {
    "AUTOPILOT_MODE": _unknown_mode(""),
    "GITHUB_REPOSITORY": _not_a_repository(""),
    "GITHUB_EVENT_PATH": (
        "GITHUB_EVENT_PATH is not set: run inside GitHub Actions, or point it at the event JSON"
    ),
}


class ActionSettings(BaseSettings):
    """What the composite action and the runner put in the environment, each field under its variable.

    An empty variable counts as unset (`env_ignore_empty`): the runner and `action.yml` leave unused
    inputs empty rather than absent.
    """

    model_config = SettingsConfigDict(frozen=True, case_sensitive=True, env_ignore_empty=True, extra="ignore")

    # required, and checked in this order: the first wrong variable is the one reported
    mode: Mode = Field(validation_alias="AUTOPILOT_MODE")
    repository: str = Field(validation_alias="GITHUB_REPOSITORY")
    event_path: Path = Field(validation_alias="GITHUB_EVENT_PATH")
    token: SecretStr | None = Field(default=None, validation_alias="GITHUB_TOKEN")  # respond mode needs it

    api_url: str = Field(default="https://api.github.com", validation_alias="GITHUB_API_URL")
    event_name: str = Field(default="", validation_alias="GITHUB_EVENT_NAME")
    workspace: Path = Field(default_factory=Path.cwd, validation_alias="GITHUB_WORKSPACE")
    runner_temp: Path = Field(default=Path("/tmp"), validation_alias="RUNNER_TEMP")  # noqa: S108 - outside a runner
    step_summary: Path | None = Field(default=None, validation_alias="GITHUB_STEP_SUMMARY")
    output: Path | None = Field(default=None, validation_alias="GITHUB_OUTPUT")
    sha: str = Field(default="", validation_alias="GITHUB_SHA")
    run_id: str = Field(default="", validation_alias="GITHUB_RUN_ID")
    charts: str = Field(default="", validation_alias="AUTOPILOT_CHARTS")
    kube_versions: str = Field(default="", validation_alias="AUTOPILOT_KUBE_VERSIONS")
    config_path: str = Field(default=REPO_CONFIG_PATH, validation_alias="AUTOPILOT_CONFIG")
    llm_api_key: SecretStr | None = Field(default=None, validation_alias="AUTOPILOT_LLM_API_KEY")
    bot_login: str = Field(default="", validation_alias="AUTOPILOT_BOT_LOGIN")

    @field_validator("mode", mode="before")
    @classmethod
    def _known_mode(cls, value: Any) -> str:
        chosen = str(value).strip().lower()
        if chosen not in ("respond", "validate"):
            raise ValueError(_unknown_mode(chosen))
        return chosen

    @field_validator("repository")
    @classmethod
    def _owner_slash_repo(cls, value: str) -> str:
        if not _REPOSITORY.fullmatch(value):
            raise ValueError(_not_a_repository(value))
        return value

    @field_validator("api_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _respond_needs_a_token(self) -> ActionSettings:
        if self.mode == "respond" and self.token is None:
            raise ValueError(
                "GITHUB_TOKEN is empty: pass `github-token` to the action (the default is the workflow's token) "
                "with contents, pull-requests, issues and checks write permissions"
            )
        return self

    @property
    def owner(self) -> str:
        return self.repository.split("/", 1)[0]

    @property
    def repo(self) -> str:
        return self.repository.split("/", 1)[1]


def read_action_settings(mode: str | None = None, environ: Mapping[str, str] | None = None) -> ActionSettings:
    """The settings from the process environment, or from `environ` when running in-process.

    `mode`, when given (`--mode`), wins over AUTOPILOT_MODE. Empty values in `environ` count as
    unset, as they do in the real environment.
    """
    chosen: dict[str, Any] = {"AUTOPILOT_MODE": mode} if mode else {}
    try:
        if environ is None:
            return ActionSettings(**chosen)
        given = {name: value for name, value in environ.items() if value != ""}
        return ActionSettings.model_validate({**given, **chosen})
    except ValidationError as err:
        raise ActionError(_first_problem(err)) from None


def _first_problem(err: ValidationError) -> str:
    """The first problem as one line naming the variable (the validators' own messages already do)."""
    first = err.errors()[0]
    variable = str(first["loc"][0]) if first["loc"] else ""
    if first["type"] == "missing":
        return _UNSET.get(variable, f"{variable} is not set: set it in the step's `env:`")
    message = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] == "value_error" or not variable:
        return message
    return f"{variable} is invalid: {message}"  # no value shown: it may be the token


def read_event(settings: ActionSettings) -> dict[str, Any]:
    """The triggering webhook payload; `ActionError` when the file is missing or not a JSON object."""
    try:
        data = json.loads(settings.event_path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ActionError(
            f"GITHUB_EVENT_PATH={settings.event_path}: cannot read the event ({exc.strerror or exc}); "
            "run inside GitHub Actions or point it at the event JSON"
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ActionError(f"GITHUB_EVENT_PATH={settings.event_path}: the event is not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ActionError(f"GITHUB_EVENT_PATH={settings.event_path}: the event must be a JSON object")
    return data


def inside_checkout(root: Path, relative: str, what: str) -> Path:
    """`root/relative`, refusing absolute paths and `..` so an input cannot point outside the checkout."""
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts or not relative.strip():
        raise ActionError(f"{what} {relative!r} must be a path inside the repository, e.g. charts/web")
    return root / pure
