"""Stores on SQLite (a file, WAL) and on a real PostgreSQL server started for the session.

The PostgreSQL fixture runs Debian's server binaries (``pg_ctl``; `make test` installs the
``postgresql`` package when it is missing) in a temporary data folder on a free localhost
port, as the ``postgres`` user when the tests run as root. Without the binaries the
PostgreSQL tests skip, except under CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from deliberation import Store


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@pytest.fixture(scope="session")
def postgres_server():
    """``(host, port)`` of a PostgreSQL server living for the test session."""
    pg_ctl, initdb = _pg_bin("pg_ctl"), _pg_bin("initdb")
    if pg_ctl is None or initdb is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but PostgreSQL is not installed: run `make test` as root")
        pytest.skip("PostgreSQL server binaries (pg_ctl, initdb) are not installed")
    # Not under pytest's own temporary folder: that one is private to root (0700) and the
    # server runs as the postgres user.
    folder = Path(tempfile.mkdtemp(prefix="collective-postgres-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = _free_port()
    subprocess.run(
        _as_server_user([initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"]),
        check=True, capture_output=True,
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
    subprocess.run(
        _as_server_user([pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"),
                         "-w", "start"]),
        check=True, capture_output=True,
    )
    yield "127.0.0.1", port
    subprocess.run(
        _as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
        check=False, capture_output=True,
    )
    shutil.rmtree(folder, ignore_errors=True)


def _new_postgres_database(host: str, port: int) -> str:
    import psycopg

    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"host={host} port={port} user=postgres dbname=postgres",
                         autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@{host}:{port}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A fresh, empty database URL on each back end."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'deliberation.db'}"
    host, port = request.getfixturevalue("postgres_server")
    return _new_postgres_database(host, port)


@pytest.fixture
def store(store_url):
    s = Store(store_url)
    yield s
    s.close()
