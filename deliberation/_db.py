"""Engines and schema migration: SQLite (a file, WAL, foreign keys on) or PostgreSQL.

:func:`open_engine` makes the engine for a database URL with the settings the service
layer relies on; :func:`migrate` brings the schema to the latest Alembic revision.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url

__all__ = ["MIGRATIONS", "migrate", "open_engine"]

MIGRATIONS = Path(__file__).with_name("migrations")
#: Seconds a SQLite writer waits for another writer's lock before failing.
SQLITE_BUSY_SECONDS = 30


def open_engine(url: str, *, immediate: bool = True) -> Engine:
    """An engine for ``url``; SQLite files get WAL, foreign keys and immediate transactions.

    SQLite transactions start with ``BEGIN IMMEDIATE`` so that two writers never both read
    and then fail to upgrade their lock (the cause of "database is locked" under
    concurrency); a writer waits up to :data:`SQLITE_BUSY_SECONDS` for the lock instead.
    ``immediate=False`` gives a reader engine whose transactions never take the write lock
    (WAL readers see the last committed state and do not wait for writers).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, future=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def migrate(engine: Engine) -> None:
    """Upgrade the database behind ``engine`` to the latest migration (idempotent).

    Safe when several app instances open a new database at once: on PostgreSQL the
    upgrade runs under a transaction-level advisory lock, so one instance migrates and the
    others then find the schema at head (SQLite's ``BEGIN IMMEDIATE`` already makes them
    take turns). Within one process, upgrades take turns too (Alembic's context is global).
    """
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with _MIGRATING, engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
            )
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


#: Key of the PostgreSQL advisory lock held while a Store migrates the schema.
MIGRATION_LOCK = 0x636F6D69
_MIGRATING = threading.Lock()
