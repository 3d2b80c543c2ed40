"""The `AUTOPILOT_*` variables k8s-autopilot reads, so one that is misspelled is named at start-up.

pydantic-settings ignores variables it does not know (`extra="ignore"`: the environment holds many
unrelated ones), so `AUTOPILOT_WEBHOOK_SECRETS=…` would silently leave the secret unset.
"""

from __future__ import annotations

from collections.abc import Mapping
from difflib import get_close_matches
from typing import NamedTuple, TextIO

ENV_PREFIX = "AUTOPILOT_"  # bot.config.ENV_PREFIX
# bot.config.Settings' fields, named here so the CLI need not import pydantic-settings to check
# them (test-checked against Settings.model_fields)
SETTINGS_VARIABLES = frozenset(
    {
        "AUTOPILOT_APP_ID",
        "AUTOPILOT_PRIVATE_KEY",
        "AUTOPILOT_PRIVATE_KEY_PATH",
        "AUTOPILOT_WEBHOOK_SECRET",
        "AUTOPILOT_GITHUB_API_URL",
        "AUTOPILOT_DATA_DIR",
        "AUTOPILOT_DATABASE_URL",
        "AUTOPILOT_LLM",
        "AUTOPILOT_LLM_BASE_URL",
        "AUTOPILOT_LLM_API_KEY",
        "AUTOPILOT_BOT_LOGIN",
        "AUTOPILOT_MAX_BODY_BYTES",
        "AUTOPILOT_LOG_LEVEL",
    }
)
HELM_ENGINE_VARIABLE = "AUTOPILOT_HELM_ENGINE"  # agents.validate.engine.ENGINE_ENV (test-checked)
# Set by action.yml for `autopilot action` (docs/action.md, "Environment set by the action").
ACTION_VARIABLES = frozenset(
    {
        "AUTOPILOT_MODE",
        "AUTOPILOT_CHARTS",
        "AUTOPILOT_KUBE_VERSIONS",
        "AUTOPILOT_CONFIG",
        "AUTOPILOT_LLM_PROVIDER",
        "AUTOPILOT_LLM_MODEL",
    }
)
INSTALLER_VARIABLES = frozenset({"AUTOPILOT_PYTHON", "AUTOPILOT_SOURCE"})  # action.yml's install step
TEST_VARIABLES = frozenset({"AUTOPILOT_TEST_POSTGRES_URL"})  # scripts/test.sh's throwaway PostgreSQL
SIMILAR_ENOUGH = 0.75  # difflib ratio of the names after the prefix


class UnknownVariable(NamedTuple):
    name: str
    closest: str | None  # the known name it most likely meant


def known_variables() -> frozenset[str]:
    return (
        SETTINGS_VARIABLES | {HELM_ENGINE_VARIABLE} | ACTION_VARIABLES | INSTALLER_VARIABLES | TEST_VARIABLES
    )


def unknown_variables(environ: Mapping[str, str]) -> list[UnknownVariable]:
    """`AUTOPILOT_*` names in `environ` that nothing reads (case-insensitive, as the settings are)."""
    known = known_variables()
    # compare what follows the prefix: the shared `AUTOPILOT_` would make any two names look alike
    suffixes = sorted(name.removeprefix(ENV_PREFIX) for name in known)
    found = []
    for name in sorted(environ):
        upper = name.upper()
        if upper.startswith(ENV_PREFIX) and upper not in known:
            close = get_close_matches(upper.removeprefix(ENV_PREFIX), suffixes, n=1, cutoff=SIMILAR_ENOUGH)
            found.append(UnknownVariable(name, ENV_PREFIX + close[0] if close else None))
    return found


def warn_unknown_variables(environ: Mapping[str, str], err: TextIO) -> None:
    """One warning line per unknown `AUTOPILOT_*` variable, naming the closest known one."""
    for unknown in unknown_variables(environ):
        hint = (
            f"did you mean {unknown.closest}?"
            if unknown.closest
            else "docs/configuration.md lists the ones it reads"
        )
        err.write(f"warning: {unknown.name} is not a setting k8s-autopilot reads; {hint}\n")
