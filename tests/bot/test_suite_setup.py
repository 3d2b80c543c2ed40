"""The test suite's own guarantees: missing npm fixtures skip with the fix, slow directories and
modules are marked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import tests.conftest as suite

ROOT = Path(__file__).resolve().parents[2]


def test_missing_npm_fixtures_skip_with_the_command_that_installs_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(suite, "NPM_FIXTURES", tmp_path)
    with pytest.raises(pytest.skip.Exception, match=r"bash scripts/fixtures\.sh"):
        suite.require_npm_fixtures()


@pytest.mark.slow  # fresh interpreters
def test_the_quick_subset_leaves_out_the_slow_directories() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-m",
            "not slow",
            "tests/e2e",
            "tests/bot/test_git_workspace.py",
            "tests/bot/test_threads.py",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    # node ids, or `file: count` lines at lower verbosity: either way, only the quick file remains
    collected = [line for line in done.stdout.splitlines() if line.startswith("tests/")]
    assert collected, done.stdout[-2000:] + done.stderr[-2000:]
    assert all(line.startswith("tests/bot/test_threads.py") for line in collected)


def test_every_slow_module_named_exists() -> None:
    """A renamed or deleted module in the list would leave its successor in the quick subset."""
    tests = ROOT / "tests"
    missing = [m for m in suite.SLOW_MODULES if not (tests / m).is_file()]
    assert not missing, f"tests/conftest.py SLOW_MODULES names files that are gone: {missing}"
    assert not [d for d in suite.SLOW_DIRECTORIES if not (tests / d).is_dir()]
