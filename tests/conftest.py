"""Session-wide fixtures: the local models load once for the whole test run.

Model results go to a cache file in the session's temporary folder, so every test computes
for real (nothing comes from a developer's own cache) and repeated calls inside the run are
served from it. The first load on a fresh machine converts SmolLM2's GGUF file (≈ 40 s).

``postgres_server`` is a real PostgreSQL server for the session (``tests/_postgres.py``),
used by the deliberation store tests and the app's several-instances test. It runs Debian's
server binaries in a temporary data folder on a free localhost port, as the ``postgres``
user when the tests run as root. Without the binaries the tests that use it skip, except
under CI (``CI`` set), where they fail.

``dask_cluster`` is the scheduler address of one local Dask cluster for the session
(``tests/_dask.py``), shared by the out-of-core tests.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def postgres_server():
    """``(host, port)`` of a PostgreSQL server living for the test session."""
    from tests._postgres import postgres_server as server
    from tests._postgres import server_available

    if not server_available():
        if os.environ.get("CI"):
            pytest.fail("CI is set but PostgreSQL is not installed: run `make test` as root")
        pytest.skip("PostgreSQL server binaries (pg_ctl, initdb) are not installed")
    with server() as address:
        yield address


@pytest.fixture(scope="session")
def dask_cluster():
    """The scheduler address of a local Dask cluster shared by the session's tests."""
    if not os.environ.get("CI"):
        pytest.importorskip("distributed")
    from tests._dask import local_cluster

    with local_cluster() as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="session")
def lm_cache(tmp_path_factory):
    from lm import CallCache

    return CallCache(tmp_path_factory.mktemp("lm-cache") / "calls.sqlite")


@pytest.fixture(scope="session")
def chat_model(lm_cache):
    """The local SmolLM2-135M-Instruct, loaded once per test session."""
    from lm import LocalChatModel

    return LocalChatModel(cache=lm_cache)


@pytest.fixture(scope="session")
def embedder(lm_cache):
    """The local all-MiniLM-L6-v2 embedder, loaded once per test session."""
    from lm import Embedder

    return Embedder(cache=lm_cache)
