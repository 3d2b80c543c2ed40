"""Run the offline linters (check-jsonschema, actionlint, hadolint, shellcheck) shipped in the dev extras."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from pydantic import BaseModel

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
# Our own action as the example workflows reference it; in a lint sandbox it becomes the local `./`.
PUBLISHED_ACTION = "k8s-autopilot/k8s-autopilot@v1"


class LintResult(BaseModel):
    """Exit code and output of one linter run, kept whole so a failing test shows what the tool said."""

    returncode: int
    output: str


def tool(name: str) -> Path:
    """Path of a linter installed in this virtualenv; fails with the fix when it is missing."""
    path = VENV_BIN / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `bash scripts/setup.sh` to install the dev extras")
    return path


def run_tool(args: list[str | Path], cwd: Path | None = None, stdin: str | None = None) -> LintResult:
    env_path = f"{VENV_BIN}:/usr/bin:/bin"  # actionlint finds shellcheck next to itself
    proc = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": env_path, "HOME": str(cwd or REPO_ROOT)},
    )
    return LintResult(returncode=proc.returncode, output=proc.stdout + proc.stderr)


def check_jsonschema(builtin_schema: str, path: Path) -> LintResult:
    return run_tool([tool("check-jsonschema"), "--builtin-schema", builtin_schema, path])


def actionlint(workflows: list[Path], action_yml: Path, sandbox: Path) -> list[dict[str, object]]:
    """actionlint findings for `workflows`, linted in a throwaway git repo whose root action is `action_yml`.

    actionlint only runs inside a git repository; referencing our action as `./` there lets it check
    every `with:` against action.yml's inputs.
    """
    (sandbox / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(action_yml, sandbox / "action.yml")
    for workflow in workflows:
        text = workflow.read_text(encoding="utf-8").replace(PUBLISHED_ACTION, "./")
        (sandbox / ".github" / "workflows" / workflow.name).write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=sandbox, check=True, timeout=30)
    result = run_tool([tool("actionlint"), "-format", "{{json .}}"], cwd=sandbox)
    if result.returncode not in (0, 1):
        raise RuntimeError(f"actionlint failed to run (exit {result.returncode}): {result.output}")
    findings: list[dict[str, object]] = json.loads(result.output or "[]")
    return findings


def hadolint(dockerfile_text: str) -> LintResult:
    return run_tool([tool("hadolint"), "--no-color", "-"], stdin=dockerfile_text)


def shellcheck(script: str) -> LintResult:
    """shellcheck a bash snippet (a `run:` script) the way the runner executes it."""
    return run_tool([tool("shellcheck"), "--shell=bash", "--severity=info", "-"], stdin=script)
