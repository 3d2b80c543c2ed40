"""Process settings (environment, `AUTOPILOT_*`) and the per-repository `.github/autopilot.yml`.

Both are validated at the boundary so a mistake surfaces as one sentence naming the
variable or key, its value and what to do, never as a stack trace in the middle of a run.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from agents.safe_paths import UnsafePathError, relative_parts
from agents.validate.accepted_risks import AcceptedRisk
from agents.validate.policy import DEFAULT_POLICY, Policy

ENV_PREFIX = "AUTOPILOT_"
REPO_CONFIG_PATH = ".github/autopilot.yml"
MAX_REPO_CONFIG_BYTES = 64 * 1024
_LLM_SPEC = re.compile(r"^[a-z][a-z0-9_-]*:[^\s:][^\s]*$")
_KUBE_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?$")
_BRANCH_PREFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\[bot\])?$")
_TEAM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")


class SettingsError(Exception):
    """A process setting is missing or invalid; the message is one line naming the variable."""


class RepoConfigError(Exception):
    """`.github/autopilot.yml` cannot be used; the message is meant for the repository's users."""


def default_data_dir() -> Path:
    """`$XDG_DATA_HOME/autopilot` or `~/.local/share/autopilot`; `./.autopilot` without a home."""
    xdg = os.environ.get("XDG_DATA_HOME")
    if xdg:
        return Path(xdg) / "autopilot"
    home = os.environ.get("HOME")
    if home:
        return Path(home) / ".local" / "share" / "autopilot"
    return Path(".autopilot")


class Settings(BaseSettings):
    """Everything the App process reads from its environment (prefix `AUTOPILOT_`)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", case_sensitive=False)

    app_id: int | None = Field(default=None, gt=0)
    private_key: SecretStr | None = None
    private_key_path: Path | None = None
    webhook_secret: SecretStr | None = None
    github_api_url: str = "https://api.github.com"
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str = ""  # empty: a SQLite file under data_dir
    llm: str | None = None  # "provider:model", e.g. "openai:gpt-4.1-mini"
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None  # handed to the chat model; the provider's own variable works too
    bot_login: str = ""  # e.g. "k8s-autopilot[bot]"; its own comments are ignored
    max_body_bytes: int = Field(default=1024 * 1024, gt=0, le=25 * 1024 * 1024)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("github_api_url", "llm_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value.rstrip("/")

    @field_validator("llm")
    @classmethod
    def _llm(cls, value: str | None) -> str | None:
        if value is None or value.strip() == "":
            return None
        if not _LLM_SPEC.match(value.strip()):
            raise ValueError(f"{value!r} is not 'provider:model' (e.g. openai:gpt-4.1-mini, ollama:llama3.1)")
        return value.strip()

    @field_validator("private_key")
    @classmethod
    def _pem(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if "-----BEGIN" not in value.get_secret_value():
            raise ValueError("is not PEM text (it must start with '-----BEGIN … PRIVATE KEY-----')")
        return value

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir.expanduser() / 'autopilot.db'}"
        return self

    def private_key_pem(self) -> str:
        """The App's private key, from `PRIVATE_KEY` or read from `PRIVATE_KEY_PATH`."""
        if self.private_key is not None:
            return self.private_key.get_secret_value()
        if self.private_key_path is None:
            raise SettingsError(
                f"{ENV_PREFIX}PRIVATE_KEY is not set: give the App's PEM key or {ENV_PREFIX}PRIVATE_KEY_PATH"
            )
        path = self.private_key_path.expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise SettingsError(
                f"{ENV_PREFIX}PRIVATE_KEY_PATH={path}: cannot read the key ({err.__class__.__name__}); "
                "check the path and its permissions"
            ) from err
        if "-----BEGIN" not in text:
            raise SettingsError(f"{ENV_PREFIX}PRIVATE_KEY_PATH={path}: the file is not a PEM private key")
        return text


def _settings_error(err: ValidationError) -> SettingsError:
    first = err.errors()[0]
    name = f"{ENV_PREFIX}{str(first['loc'][0]).upper()}" if first["loc"] else "settings"
    message = str(first["msg"]).removeprefix("Value error, ")
    value = first.get("input")
    secret = "KEY" in name or "SECRET" in name
    shown = "" if secret or isinstance(value, dict) or value is None else f"={value!r}"
    return SettingsError(f"{name}{shown} is invalid: {message}")


def load_settings(require_app: bool = True, *, require_webhook_secret: bool = False) -> Settings:
    """Read settings from the environment; raise `SettingsError` naming the first bad variable."""
    try:
        settings = Settings()
    except ValidationError as err:
        raise _settings_error(err) from None
    if require_app:
        if settings.app_id is None:
            raise SettingsError(f"{ENV_PREFIX}APP_ID is not set: give your GitHub App's numeric id")
        if settings.private_key is None and settings.private_key_path is None:
            raise SettingsError(
                f"{ENV_PREFIX}PRIVATE_KEY is not set: give the App's PEM key text, or its file in "
                f"{ENV_PREFIX}PRIVATE_KEY_PATH"
            )
        settings.private_key_pem()  # a path that cannot be read fails now, not at the first event
    if require_webhook_secret and settings.webhook_secret is None:
        raise SettingsError(
            f"{ENV_PREFIX}WEBHOOK_SECRET is not set: the server refuses unsigned webhooks; "
            "use the secret configured in the App's webhook settings"
        )
    return settings


# --- .github/autopilot.yml -------------------------------------------------------------------------


class _RepoModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)  # YAML's types are the user's types


class AllowedUsers(_RepoModel):
    """Who may run commands: anyone with `min_permission`, plus listed users and teams."""

    min_permission: Literal["read", "triage", "write", "maintain", "admin"] = "write"
    users: list[str] = Field(default_factory=list)
    teams: list[str] = Field(default_factory=list)  # "org/team-slug"

    @field_validator("users")
    @classmethod
    def _users(cls, value: list[str]) -> list[str]:
        bad = [u for u in value if not _LOGIN.match(u)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not a GitHub login")
        return value

    @field_validator("teams")
    @classmethod
    def _teams(cls, value: list[str]) -> list[str]:
        bad = [t for t in value if not _TEAM.match(t)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not 'org/team-slug'")
        return value


class AcceptedRiskConfig(_RepoModel):
    """One finding the repository accepts: its rule, the object (`Kind/name`, wildcards allowed) and why."""

    rule: str = Field(min_length=1, max_length=100)
    object: str = Field(default="*", min_length=1, max_length=300)
    reason: str = Field(min_length=3, max_length=500)

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("an accepted risk needs a written reason")
        return value.strip()

    def to_accepted_risk(self) -> AcceptedRisk:
        return AcceptedRisk(rule=self.rule, object=self.object, reason=self.reason)


class RepoConfig(_RepoModel):
    """The repository's `.github/autopilot.yml`; every key is optional."""

    charts_dir: str = "charts"
    branch_prefix: str = "autopilot/"
    kube_versions: list[str] = Field(default_factory=list)  # empty: the validator's defaults
    allowed: AllowedUsers = Field(default_factory=AllowedUsers)
    max_heal_attempts: int = Field(default=3, ge=0, le=10)
    max_bot_commits_in_a_row: int = Field(default=5, ge=1, le=50)
    draft_prs: bool = False
    plan_review: bool = False  # stop after planning until a maintainer approves the plan
    llm: bool = False  # use the App's LLM (if configured) for this repository
    policy: Policy = DEFAULT_POLICY  # Pod Security Standard the chart is held to
    accepted_risks: list[AcceptedRiskConfig] = Field(default_factory=list, max_length=200)

    def validation_options(self) -> dict[str, Any]:
        """`validate_chart` keyword arguments this repository asks for (policy and accepted risks)."""
        return {"policy": self.policy, "accepted": [a.to_accepted_risk() for a in self.accepted_risks]}

    @field_validator("charts_dir")
    @classmethod
    def _charts_dir(cls, value: str) -> str:
        relative = value.strip("/")
        try:
            if value.startswith("/"):
                raise UnsafePathError(value, "absolute paths are not allowed")
            relative_parts(relative)
        except UnsafePathError as exc:
            # workflows under .github run with the repository's secrets; .git is git's own state
            raise ValueError(
                f"{value!r} must be a relative directory inside the repository, e.g. charts: {exc.reason}"
            ) from None
        return relative

    @field_validator("branch_prefix")
    @classmethod
    def _branch_prefix(cls, value: str) -> str:
        if not _BRANCH_PREFIX.match(value) or ".." in value or "//" in value or value.endswith(".lock"):
            raise ValueError(f"{value!r} is not a valid git branch prefix, e.g. autopilot/")
        return value

    @field_validator("kube_versions")
    @classmethod
    def _kube_versions(cls, value: list[str]) -> list[str]:
        normalised = []
        for version in value:
            match = _KUBE_VERSION.match(str(version))
            if match is None:
                raise ValueError(f"{version!r} is not a Kubernetes version like 1.33 or 1.33.0")
            normalised.append(f"{match[1]}.{match[2]}.{match[3] or 0}")
        return normalised


_KIND_NAMES = {
    "list": "a list",
    "str": "a single string",
    "int": "a number",
    "float": "a number",
    "bool": "true/false",
}


class _NoAliasLoader(yaml.SafeLoader):
    """A safe loader that refuses aliases (no 'billion laughs') and duplicate keys."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in this file", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str | int | float | bool) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            if isinstance(key, str | int | float | bool):
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


MAX_NESTING = 20
_OPENERS = (
    yaml.FlowSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.BlockMappingStartToken,
)
_CLOSERS = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken, yaml.BlockEndToken)


def _flow_depth(text: str) -> int:
    """Deepest `[`/`{` nesting outside quotes: a linear pre-check, since PyYAML's scanner is slow on it."""
    depth = deepest = 0
    quote = ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(0, depth - 1)
    return deepest


def _check_nesting(text: str) -> None:
    """Refuse deep nesting before the recursive composer sees it (flow brackets, then block indentation)."""
    if _flow_depth(text) > MAX_NESTING:
        raise RepoConfigError(
            f"`{REPO_CONFIG_PATH}` is nested more than {MAX_NESTING} levels deep ([ or {{ brackets); "
            "this file only needs two."
        )
    depth = 0
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        if isinstance(token, _OPENERS):
            depth += 1
            if depth > MAX_NESTING:
                raise RepoConfigError(
                    f"`{REPO_CONFIG_PATH}` is nested more than {MAX_NESTING} levels deep "
                    f"(line {token.start_mark.line + 1}); this file only needs two."
                )
        elif isinstance(token, _CLOSERS):
            depth -= 1


def _describe(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "(top level)"
    if first["type"] == "extra_forbidden":
        owner = RepoConfig if len(first["loc"]) == 1 else _SECTIONS.get(str(first["loc"][0]), AllowedUsers)
        allowed = ", ".join(owner.model_fields)
        return f"unknown key `{where}` (allowed keys: {allowed})"
    message = str(first["msg"]).removeprefix("Value error, ")
    value = first.get("input")
    if (
        isinstance(value, str | int | float | bool)
        and first["type"] != "value_error"
        and len(repr(value)) < 60
    ):
        message += f" (got {value!r})"
    more = f" (and {len(err.errors()) - 1} more problem(s))" if len(err.errors()) > 1 else ""
    return f"`{where}`: {message}{more}"


_SECTIONS: dict[str, type[_RepoModel]] = {"allowed": AllowedUsers, "accepted_risks": AcceptedRiskConfig}


def load_repo_config(text: str | bytes | None) -> RepoConfig:
    """Parse `.github/autopilot.yml` (None: the file does not exist, use defaults)."""
    if text is None:
        return RepoConfig()
    raw = text.encode("utf-8", errors="surrogatepass") if isinstance(text, str) else text
    if len(raw) > MAX_REPO_CONFIG_BYTES:
        raise RepoConfigError(
            f"`{REPO_CONFIG_PATH}` is {len(raw):,} bytes; the limit is {MAX_REPO_CONFIG_BYTES:,}. Keep it short."
        )
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise RepoConfigError(
            f"`{REPO_CONFIG_PATH}` is not UTF-8 text (bad byte at offset {err.start}); save it as UTF-8."
        ) from None
    try:
        _check_nesting(decoded)
        data = yaml.load(decoded, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise RepoConfigError(f"`{REPO_CONFIG_PATH}` is not valid YAML{where}: {problem}.") from None
    except RecursionError:
        raise RepoConfigError(f"`{REPO_CONFIG_PATH}` is nested too deeply to read.") from None
    if data is None:
        return RepoConfig()
    if not isinstance(data, dict):
        raise RepoConfigError(
            f"`{REPO_CONFIG_PATH}` must be a mapping of settings (e.g. `charts_dir: charts`), "
            f"not {_KIND_NAMES.get(type(data).__name__, 'a ' + type(data).__name__)}."
        )
    try:
        return RepoConfig.model_validate(data)
    except ValidationError as err:
        raise RepoConfigError(f"`{REPO_CONFIG_PATH}`: {_describe(err)}.") from None
