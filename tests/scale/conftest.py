"""PostgreSQL for the scale tests: one fresh database per test, created and dropped around it.

The server comes from `AUTOPILOT_TEST_POSTGRES_URL` (scripts/postgres.sh starts one). Without
it the tests skip, except under CI (`CI=true`), where a missing server is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

POSTGRES_ENV = "AUTOPILOT_TEST_POSTGRES_URL"


def postgres_server_url() -> str:
    """The test server's URL; skips (or fails under CI) when none is configured."""
    url = os.environ.get(POSTGRES_ENV, "")
    if url:
        return url
    message = f"{POSTGRES_ENV} is not set: start one with `source scripts/postgres.sh`"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} (CI must run the PostgreSQL tests)")
    pytest.skip(message)


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


def _create_database(server: str, name: str, template: str | None = None) -> str:
    import psycopg

    clause = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"{clause}')
    return _with_database(server, name)


def _drop_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _fresh_name() -> str:
    return f"autopilot_test_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL to a brand-new, empty database, dropped (with its connections) after the test."""
    server = postgres_server_url()
    name = _fresh_name()
    url = _create_database(server, name)
    try:
        yield url
    finally:
        _drop_database(server, name)


@pytest.fixture(scope="session")
def migrated_template() -> Iterator[str]:
    """One database upgraded once per session; each test copies it (a file copy, not a migration)."""
    from bot.migrations.upgrade import upgrade_database

    server = postgres_server_url()
    name = _fresh_name() + "_template"
    upgrade_database(_create_database(server, name))
    try:
        yield name
    finally:
        _drop_database(server, name)


@pytest.fixture
def migrated_url(migrated_template: str) -> Iterator[str]:
    """A fresh database in the state `autopilot db upgrade` leaves, dropped after the test."""
    server = postgres_server_url()
    name = _fresh_name()
    url = _create_database(server, name, template=migrated_template)
    try:
        yield url
    finally:
        _drop_database(server, name)
