"""A throw-away PostgreSQL server on a free localhost port, for tests and benchmarks.

Runs Debian's server binaries (``pg_ctl``, ``initdb``; `make test` installs the
``postgresql`` package when it is missing) in a temporary data folder, as the ``postgres``
user when the caller is root. :func:`postgres_server` starts one and stops it on exit;
:func:`new_database` makes an empty database on it and returns its SQLAlchemy URL.
Used by the ``postgres_server`` fixture of ``tests/conftest.py`` and by
``benchmarks/app_scale.py``.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["free_port", "new_database", "pg_bin", "postgres_server", "server_available"]

#: Connections the server accepts (a few app instances' pools and the test's own).
MAX_CONNECTIONS = 200


def pg_bin(name: str) -> str | None:
    """The path of a PostgreSQL server binary, or None when it is not installed."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def server_available() -> bool:
    """Whether ``pg_ctl`` and ``initdb`` are installed."""
    return pg_bin("pg_ctl") is not None and pg_bin("initdb") is not None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@contextmanager
def postgres_server(max_connections: int = MAX_CONNECTIONS) -> Iterator[tuple[str, int]]:
    """``(host, port)`` of a new PostgreSQL server, stopped and deleted on exit.

    Raises RuntimeError when the server binaries are not installed.
    """
    pg_ctl, initdb = pg_bin("pg_ctl"), pg_bin("initdb")
    if pg_ctl is None or initdb is None:
        raise RuntimeError("PostgreSQL server binaries (pg_ctl, initdb) are not installed")
    # Not under pytest's own temporary folder: that one is private to root (0700) and the
    # server runs as the postgres user.
    folder = Path(tempfile.mkdtemp(prefix="collective-postgres-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = free_port()
    try:
        subprocess.run(
            _as_server_user([initdb, "-D", str(data), "-A", "trust", "-U", "postgres",
                             "-E", "UTF8"]),
            check=True, capture_output=True, timeout=120,
        )
        options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 "
                   f"-c max_connections={max_connections}")
        subprocess.run(
            _as_server_user([pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"),
                             "-w", "start"]),
            check=True, capture_output=True, timeout=120,
        )
        yield "127.0.0.1", port
    finally:
        if data.exists():
            subprocess.run(
                _as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
                check=False, capture_output=True, timeout=120,
            )
        shutil.rmtree(folder, ignore_errors=True)


def new_database(host: str, port: int) -> str:
    """A new empty database on the server; its ``postgresql+psycopg://`` URL."""
    import psycopg

    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"host={host} port={port} user=postgres dbname=postgres",
                         autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@{host}:{port}/{name}"
