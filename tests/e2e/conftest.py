"""A running bot wired to the shared fake GitHub (see tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import AppKeys
from tests.e2e.harness import RunningBot, seed_permissions
from tests.fakes.github_server import FakeGitHub


@pytest.fixture
def running_bot(fake_github: FakeGitHub, app_keys: AppKeys, tmp_path: Path) -> Iterator[RunningBot]:
    seed_permissions(fake_github, alice="write", bob="maintain", mallory="read")
    bot = RunningBot(fake_github, app_keys.private_pem, tmp_path / "data")
    try:
        yield bot
    finally:
        bot.close()
