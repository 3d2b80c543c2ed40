"""action.yml: schema-valid composite action whose inputs reach `autopilot action` only through env."""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest

from tests.packaging.tools import REPO_ROOT, check_jsonschema, shellcheck
from tests.packaging.workflow_rules import (
    RunScript,
    expressions_in_run,
    load_yaml,
    run_scripts,
    steps,
    unpinned_actions,
)

ACTION_PATH = REPO_ROOT / "action.yml"
ACTION = load_yaml(ACTION_PATH)
DOCS = (REPO_ROOT / "docs/action.md").read_text(encoding="utf-8")


def step(step_id: str) -> dict[str, object]:
    (found,) = [s for _, s in steps(ACTION) if s.get("id") == step_id]
    return found


def documented_env_contract() -> dict[str, str]:
    """input -> environment variable, from the contract table in docs/action.md."""
    table = DOCS.split("<!-- contract:env")[1].split("<!-- /contract:env -->")[0]
    return dict(re.findall(r"^\| `([a-z-]+)` \| `([A-Z_]+)` \|$", table, flags=re.MULTILINE))


class TestMetadata:
    def test_matches_the_github_action_schema(self) -> None:
        result = check_jsonschema("vendor.github-actions", ACTION_PATH)
        assert result.returncode == 0, result.output

    def test_is_a_composite_action(self) -> None:
        assert ACTION["runs"]["using"] == "composite"

    def test_declares_the_documented_inputs(self) -> None:
        inputs = ACTION["inputs"]
        assert set(inputs) == {
            "mode",
            "github-token",
            "charts",
            "kube-versions",
            "config",
            "llm-provider",
            "llm-model",
            "llm-api-key",
            "python-version",
        }
        assert inputs["mode"]["required"] is True
        assert inputs["github-token"]["default"] == "${{ github.token }}"
        assert inputs["config"]["default"] == ".github/autopilot.yml"
        assert inputs["python-version"]["default"] == "3.11"
        for name, spec in inputs.items():
            assert spec.get("description"), f"input {name} has no description"

    def test_outputs_come_from_the_autopilot_step(self) -> None:
        outputs = ACTION["outputs"]
        assert set(outputs) == {"pull-request", "chart-path", "findings-count"}
        for name, spec in outputs.items():
            assert spec["value"] == f"${{{{ steps.autopilot.outputs.{name} }}}}"

    def test_setup_python_is_pinned_by_sha_with_its_version(self) -> None:
        assert unpinned_actions(ACTION) == []
        line = next(line for line in ACTION_PATH.read_text().splitlines() if "actions/setup-python@" in line)
        assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line
        assert step("python")["with"] == {
            "python-version": "${{ inputs.python-version }}",
            "update-environment": False,
        }

    def test_installs_the_package_from_the_action_path(self) -> None:
        install = step("install")
        assert install["env"] == {  # type: ignore[comparison-overlap]
            "AUTOPILOT_PYTHON": "${{ steps.python.outputs.python-path }}",
            "AUTOPILOT_SOURCE": "${{ github.action_path }}",
        }
        assert 'pip install --quiet --disable-pip-version-check "$AUTOPILOT_SOURCE"' in str(install["run"])


class TestInputsOnlyTravelThroughEnv:
    def test_no_expression_is_expanded_inside_a_run_script(self) -> None:
        assert expressions_in_run(ACTION) == []

    def test_every_input_reaches_the_program_as_documented(self) -> None:
        env = step("autopilot")["env"]
        assert isinstance(env, dict)
        mapped = {
            m.group(1): name
            for name, value in env.items()
            if (m := re.fullmatch(r"\$\{\{ inputs\.([a-z-]+) \}\}", value))
        }
        assert mapped == documented_env_contract()
        assert set(mapped) | {"python-version"} == set(ACTION["inputs"])

    @pytest.mark.parametrize("run", run_scripts(ACTION), ids=lambda r: r.where)
    def test_run_scripts_pass_shellcheck(self, run: RunScript) -> None:
        result = shellcheck(run.script)
        assert result.returncode == 0, result.output


def run_autopilot_step(tmp_path: Path, **inputs: str) -> subprocess.CompletedProcess[str]:
    """Run the action's last step as the runner would, with `autopilot` replaced by a program that
    prints the arguments and the LLM spec it received."""
    program = tmp_path / "autopilot"
    program.write_text('#!/bin/sh\nprintf "args=%s|" "$@"; echo; echo "llm=${AUTOPILOT_LLM-<unset>}"\n')
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "AUTOPILOT_BIN": str(program)}
    env_names = documented_env_contract()
    for name, value in inputs.items():
        env[env_names[name.replace("_", "-")]] = value
    script = str(step("autopilot")["run"])
    return subprocess.run(
        ["bash", "-e", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=10
    )


class TestRunStep:
    def test_passes_the_mode_as_one_argument(self, tmp_path: Path) -> None:
        result = run_autopilot_step(tmp_path, mode="validate")
        assert result.returncode == 0, result.stderr
        assert "args=action|args=--mode|args=validate|" in result.stdout

    def test_shell_syntax_in_an_input_stays_data(self, tmp_path: Path) -> None:
        hostile = 'respond"; touch pwned; echo "$(id)'
        result = run_autopilot_step(
            tmp_path, mode=hostile, llm_provider="openai", llm_model="$(touch pwned2)"
        )
        assert f"args={hostile}|" in result.stdout
        assert "llm=openai:$(touch pwned2)" in result.stdout
        assert not list(tmp_path.glob("pwned*"))

    def test_provider_and_model_make_an_init_chat_model_spec(self, tmp_path: Path) -> None:
        result = run_autopilot_step(tmp_path, mode="respond", llm_provider="openai", llm_model="gpt-4o-mini")
        assert "llm=openai:gpt-4o-mini" in result.stdout

    def test_a_model_without_a_provider_stops_with_the_fix(self, tmp_path: Path) -> None:
        result = run_autopilot_step(tmp_path, mode="respond", llm_model="gpt-4o-mini")
        assert result.returncode == 2
        assert "llm-model is set but llm-provider is empty: set llm-provider" in result.stdout
        assert "args=" not in result.stdout  # autopilot never started

    def test_without_a_model_no_llm_is_configured(self, tmp_path: Path) -> None:
        result = run_autopilot_step(tmp_path, mode="respond", llm_provider="openai")
        assert "llm=<unset>" in result.stdout

    def test_the_api_key_is_masked_in_the_log(self, tmp_path: Path) -> None:
        result = run_autopilot_step(tmp_path, mode="respond", llm_api_key="sk-test-123")
        assert "::add-mask::sk-test-123" in result.stdout
        unmasked = run_autopilot_step(tmp_path, mode="respond")
        assert "::add-mask::" not in unmasked.stdout
