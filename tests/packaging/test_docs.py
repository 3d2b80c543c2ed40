"""The packaging docs stay true to the files they describe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.packaging.dockerfile_rules import arg_defaults
from tests.packaging.tools import REPO_ROOT
from tests.packaging.workflow_rules import load_yaml

DOC_FILES = [REPO_ROOT / "SECURITY.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(#[^)]*)?\)")


def read(relative: str) -> str:
    return (REPO_ROOT / relative).read_text(encoding="utf-8")


@pytest.mark.parametrize("doc", DOC_FILES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_relative_links_resolve(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    for target, _anchor in LINK.findall(text):
        if "://" in target:
            continue
        assert (doc.parent / target).exists(), f"{doc.name} links to {target}, which does not exist"


def test_every_page_the_lead_links_exists() -> None:
    for name in ("action", "app", "configuration", "commands", "security-model"):
        assert (REPO_ROOT / f"docs/{name}.md").exists()


def test_commands_reference_lists_every_verb() -> None:
    text = read("docs/commands.md")
    verbs = re.findall(r"^\| `/autopilot (\w+)", text, flags=re.MULTILINE)
    assert verbs == ["chart", "plan", "answer", "revise", "fix", "validate", "status", "cancel", "help"]


def test_configuration_reference_covers_every_setting() -> None:
    text = read("docs/configuration.md")
    for variable in (
        "AUTOPILOT_APP_ID",
        "AUTOPILOT_PRIVATE_KEY",
        "AUTOPILOT_PRIVATE_KEY_PATH",
        "AUTOPILOT_WEBHOOK_SECRET",
        "AUTOPILOT_GITHUB_API_URL",
        "AUTOPILOT_DATABASE_URL",
        "AUTOPILOT_DATA_DIR",
        "AUTOPILOT_LLM",
        "AUTOPILOT_LLM_API_KEY",
        "AUTOPILOT_LLM_BASE_URL",
        "AUTOPILOT_BOT_LOGIN",
        "AUTOPILOT_MAX_BODY_BYTES",
        "AUTOPILOT_LOG_LEVEL",
    ):
        assert f"| `{variable}` |" in text
    keys = re.findall(r"^\| `([\w.]+)` \|", text.split("## `.github/autopilot.yml`")[1], flags=re.MULTILINE)
    assert keys == [
        "charts_dir",
        "branch_prefix",
        "kube_versions",
        "allowed.min_permission",
        "allowed.users",
        "allowed.teams",
        "max_heal_attempts",
        "max_bot_commits_in_a_row",
        "draft_prs",
        "plan_review",
        "llm",
        "policy",
        "accepted_risks",
    ]


def test_action_docs_list_the_inputs_and_defaults_of_action_yml() -> None:
    inputs = load_yaml(REPO_ROOT / "action.yml")["inputs"]
    text = read("docs/action.md").split("## Inputs")[1].split("## Outputs")[0]
    documented = dict(re.findall(r"^\| `([a-z-]+)` \| (.+?) \|", text, flags=re.MULTILINE))
    assert set(documented) == set(inputs)
    for name, spec in inputs.items():
        if spec.get("default"):
            assert documented[name] == f"`{spec['default']}`", f"docs show {documented[name]} for {name}"


def test_app_docs_name_the_dockerfiles_helm_version() -> None:
    version = arg_defaults(read("Dockerfile"))["HELM_VERSION"]
    assert f"default `{version}`" in read("docs/app.md")
    assert f"helm-{version}-linux-amd64.tar.gz.sha256sum" in read("docs/app.md")


class TestConfigurationMatchesTheCode:
    """The reference is checked against bot/config.py, so a new setting cannot go undocumented."""

    text = read("docs/configuration.md")

    def test_every_setting_is_documented(self) -> None:
        from bot.config import ENV_PREFIX, Settings

        documented = set(re.findall(r"^\| `(AUTOPILOT_\w+)` \|", self.text, flags=re.MULTILINE))
        in_code = {f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields}
        assert in_code <= documented

    def test_every_repo_config_key_is_documented(self) -> None:
        from bot.config import RepoConfig

        section = self.text.split("## `.github/autopilot.yml`")[1]
        documented = set(re.findall(r"^\| `([\w.]+)` \|", section, flags=re.MULTILINE))
        in_code = set()
        for name, field in RepoConfig.model_fields.items():
            nested = getattr(field.annotation, "model_fields", None)
            in_code |= {f"{name}.{sub}" for sub in nested} if nested else {name}
        assert in_code == documented

    def test_the_example_file_loads(self) -> None:
        from bot.config import load_repo_config

        example = self.text.split("```yaml\n", 1)[1].split("```", 1)[0]
        config = load_repo_config(example)
        assert config.kube_versions == ["1.30.0", "1.33.0"]
        assert config.allowed.teams == ["my-org/platform"]
