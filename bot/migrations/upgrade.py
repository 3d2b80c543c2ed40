"""Bring a PostgreSQL database to the schema the bot needs, once, whoever runs it first.

Three owners share the database: our store tables (the numbered `NNNN_name.sql` files next
to this module), procrastinate's job queue, and LangGraph's checkpoint tables. `upgrade_database`
applies what is missing under one advisory lock, so two processes starting together cannot
race; each step is recorded in `schema_migrations`. `check_database` is the cheap start-up
guard servers and workers run: an un-migrated database stops them with one line.
"""

from __future__ import annotations

import re
import time
from importlib import resources
from typing import Any

from pydantic import BaseModel

from bot.store.base import StoreError

ADVISORY_LOCK_KEY = 0x6B38_7341  # "k8sA": one key for every process upgrading this database
LOCK_WAIT_SECONDS = 300.0
PROCRASTINATE_STEP = "procrastinate"
CHECKPOINT_STEP = "langgraph-checkpoints"
_SQL_FILE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
UPGRADE_HINT = "run `autopilot db upgrade` with the same AUTOPILOT_DATABASE_URL"

_CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version TEXT PRIMARY KEY,
    detail TEXT NOT NULL DEFAULT '',
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)
"""


class DatabaseNotMigrated(StoreError):
    """The database lacks schema steps this version needs; the message says to run the upgrade."""


class UpgradeReport(BaseModel):
    applied: list[str]  # steps applied by this run, in order (empty: already up to date)
    checkpoint_setup: bool  # LangGraph's own idempotent setup ran (it tracks its versions itself)


def store_migrations() -> list[tuple[str, str]]:
    """(version, SQL) of every store migration shipped with this package, oldest first."""
    folder = resources.files("bot.migrations")
    found = sorted(entry.name for entry in folder.iterdir() if _SQL_FILE.match(entry.name))
    return [(name.removesuffix(".sql"), folder.joinpath(name).read_text(encoding="utf-8")) for name in found]


def required_steps() -> list[str]:
    """Every step a migrated database has recorded."""
    return [version for version, _ in store_migrations()] + [PROCRASTINATE_STEP, CHECKPOINT_STEP]


def redact_url(url: str) -> str:
    """Hide the password before the URL reaches a message."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    return f"{scheme}{sep}{credentials.split(':', 1)[0]}:***{at}{host}"


def _connect(database_url: str, **options: Any) -> Any:
    import psycopg

    try:
        return psycopg.connect(database_url, connect_timeout=5, **options)
    except psycopg.Error as err:
        raise StoreError(
            f"cannot connect to PostgreSQL at {redact_url(database_url)}: {err}".strip()
            + "; check AUTOPILOT_DATABASE_URL and that the server is up"
        ) from err


def applied_steps(database_url: str) -> set[str]:
    """The steps recorded in `schema_migrations` (empty when the table does not exist)."""
    import psycopg

    with _connect(database_url, autocommit=True) as conn:
        try:
            if conn.execute("SELECT to_regclass('schema_migrations')").fetchone()[0] is None:
                return set()
            return {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        except psycopg.Error as err:
            raise StoreError(f"cannot read schema_migrations in {redact_url(database_url)}: {err}") from err


def check_database(database_url: str) -> None:
    """Raise `DatabaseNotMigrated` unless every step of this version is recorded."""
    missing = [step for step in required_steps() if step not in applied_steps(database_url)]
    if missing:
        raise DatabaseNotMigrated(
            f"database {redact_url(database_url)} is not migrated (missing: {', '.join(missing)}): {UPGRADE_HINT}"
        )


def upgrade_database(database_url: str) -> UpgradeReport:
    """Apply every missing step under the advisory lock; safe to run any number of times at once."""
    import psycopg
    from langgraph.checkpoint.postgres import PostgresSaver
    from procrastinate.schema import SchemaManager

    applied: list[str] = []
    # autocommit: LangGraph's setup creates indexes CONCURRENTLY, which no transaction may wrap
    with _connect(database_url, autocommit=True) as conn:
        try:
            _take_upgrade_lock(conn, database_url)
            conn.execute(_CREATE_LEDGER)
            done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
            steps = [*store_migrations(), (PROCRASTINATE_STEP, SchemaManager.get_schema())]
            for version, sql in steps:
                if version in done:
                    continue
                with conn.transaction():
                    conn.execute(sql.encode())  # bytes: no parameters, so `%` in the SQL stays literal
                    conn.execute(
                        "INSERT INTO schema_migrations (version, detail) VALUES (%s, %s)",
                        (version, _detail(version)),
                    )
                applied.append(version)
            PostgresSaver(conn).setup()
            if CHECKPOINT_STEP not in done:
                conn.execute(
                    "INSERT INTO schema_migrations (version, detail) VALUES (%s, %s)",
                    (CHECKPOINT_STEP, _detail(CHECKPOINT_STEP)),
                )
                applied.append(CHECKPOINT_STEP)
            conn.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))
        except psycopg.Error as err:
            raise StoreError(
                f"upgrading {redact_url(database_url)} failed: {err}; "
                "check the user may create tables, then run `autopilot db upgrade` again"
            ) from err
    return UpgradeReport(applied=applied, checkpoint_setup=True)


def _take_upgrade_lock(conn: Any, database_url: str) -> None:
    """Wait for the advisory lock by polling, never inside a statement.

    A blocking `pg_advisory_lock` keeps a transaction open while it waits, and LangGraph's
    `CREATE INDEX CONCURRENTLY` in the holder waits for every open transaction: a deadlock.
    """
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while not conn.execute("SELECT pg_try_advisory_lock(%s)", (ADVISORY_LOCK_KEY,)).fetchone()[0]:
        if time.monotonic() > deadline:
            raise StoreError(
                f"another `autopilot db upgrade` on {redact_url(database_url)} has held the migration lock "
                f"for over {LOCK_WAIT_SECONDS:.0f}s; wait for it to finish, then run the upgrade again"
            )
        time.sleep(0.2)


def _detail(version: str) -> str:
    from importlib.metadata import version as package_version

    if version == PROCRASTINATE_STEP:
        return f"procrastinate {package_version('procrastinate')}"
    if version == CHECKPOINT_STEP:
        return f"langgraph-checkpoint-postgres {package_version('langgraph-checkpoint-postgres')}"
    return f"bot/migrations/{version}.sql"
