"""Open the durable checkpointer that keeps each conversation's place in the graph.

SQLite (a file under the data dir) by default, for the CLI, the Action and a single-process
App; PostgreSQL when a `postgres://` or `postgresql://` URL is given, for an App with several
workers. The serializer is strict: graph state is plain JSON (see `agents.state`), so nothing
outside LangGraph's own safe types is ever revived from a checkpoint.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver

SQLITE_FILE_NAME = "checkpoints.sqlite"
POSTGRES_SCHEMES = ("postgres://", "postgresql://")


class CheckpointConfigError(RuntimeError):
    """The checkpoint store cannot be opened; the message names the URL or path and what to do."""


def strict_serializer() -> JsonPlusSerializer:
    """msgpack restricted to LangGraph's built-in safe types: a tampered checkpoint cannot run code."""
    return JsonPlusSerializer(allowed_msgpack_modules=None)


def is_postgres_url(database_url: str | None) -> bool:
    return bool(database_url) and str(database_url).startswith(POSTGRES_SCHEMES)


@contextmanager
def open_checkpointer(database_url: str | None, data_dir: Path) -> Iterator[BaseCheckpointSaver[str]]:
    """Yield a ready checkpointer (tables created) and close its connections on exit."""
    if database_url and is_postgres_url(database_url):
        with _open_postgres(database_url) as saver:
            yield saver
        return
    if not database_url:
        path = data_dir / SQLITE_FILE_NAME
    elif database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
    else:
        raise CheckpointConfigError(
            f"database URL {_redact(database_url)!r} is not supported: use postgresql://user@host/db, "
            "sqlite:///path/to/file.sqlite, or leave it unset for a SQLite file in the data dir"
        )
    with _open_sqlite(path) as sqlite_saver:
        yield sqlite_saver


@contextmanager
def _open_sqlite(path: Path) -> Iterator[SqliteSaver]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), check_same_thread=False)  # the saver serialises access with a lock
    except (OSError, sqlite3.Error) as exc:
        raise CheckpointConfigError(
            f"cannot open the checkpoint file {path}: {exc}; check the data dir exists and is writable"
        ) from exc
    try:
        conn.execute("PRAGMA journal_mode=WAL")  # readers (status queries) never block the runner
        saver = SqliteSaver(conn, serde=strict_serializer())
        saver.setup()
        yield saver
    finally:
        conn.close()


@contextmanager
def _open_postgres(database_url: str) -> Iterator[BaseCheckpointSaver[str]]:
    from langgraph.checkpoint.postgres import PostgresSaver
    from psycopg import Connection, Error
    from psycopg.rows import dict_row
    from psycopg_pool import ConnectionPool

    connection_kwargs: dict[str, Any] = {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}
    try:
        # one plain connection first: fails fast with the server's own words, and creates the tables
        with Connection.connect(
            database_url, connect_timeout=5, autocommit=True, prepare_threshold=0, row_factory=dict_row
        ) as conn:
            PostgresSaver(conn).setup()  # idempotent: creates tables and runs migrations on first use
    except Error as exc:
        raise CheckpointConfigError(
            f"cannot use the checkpoint database {_redact(database_url)}: {exc}; "
            "check the URL, that the server is up and that the user may create tables"
        ) from exc
    pool: ConnectionPool = ConnectionPool(
        database_url, min_size=1, max_size=4, open=True, kwargs=connection_kwargs
    )
    try:
        yield PostgresSaver(pool, serde=strict_serializer())  # type: ignore[arg-type]
    finally:
        pool.close()


def _redact(url: str) -> str:
    """Hide the password in a URL before it reaches a log or an error message."""
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    credentials, at, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***{at}{host}" if ":" in credentials else url
