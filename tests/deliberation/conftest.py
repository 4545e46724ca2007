"""Stores on SQLite (a file, WAL) and on a real PostgreSQL server started for the session.

The PostgreSQL server is the session fixture ``postgres_server`` of ``tests/conftest.py``
(``tests/_postgres.py`` starts it): without the server binaries the PostgreSQL tests skip,
except under CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import pytest

from deliberation import Store
from tests._postgres import new_database


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A fresh, empty database URL on each back end."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'deliberation.db'}"
    host, port = request.getfixturevalue("postgres_server")
    return new_database(host, port)


@pytest.fixture
def store(store_url):
    s = Store(store_url)
    yield s
    s.close()
