"""Dask clusters for the tests of the out-of-core modules (rlchf, socialchoice, svo, CLI).

:func:`local_cluster` is the one way the tests start a cluster (2 worker processes x 1
thread, 1 GiB each, the HTTP server on a free localhost port); the session fixture
``dask_cluster`` in ``tests/conftest.py`` shares one for the whole run.
:func:`kill_a_busy_worker` runs a call against a cluster of its own and kills one worker
process by its pid while that worker has tasks.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["kill_a_busy_worker", "local_cluster"]


@contextmanager
def local_cluster() -> Iterator[object]:
    """A fresh ``LocalCluster`` of 2 worker processes (with nannies), 1 GiB each."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      memory_limit="1GiB", dashboard_address="127.0.0.1:0") as cluster:
        yield cluster


def kill_a_busy_worker(call: Callable[[str], object]) -> object:
    """``call(scheduler_address)``'s result (or exception) when one of the cluster's two
    workers was killed (SIGKILL to its pid) while it had tasks, and its nanny started a new
    one; fails if the call ends before a worker could be killed."""
    from distributed import Client

    with local_cluster() as cluster, Client(cluster) as client:
        pids = client.run(os.getpid)
        outcome: list[object] = []

        def run() -> None:
            try:
                outcome.append(call(cluster.scheduler_address))
            except Exception as exc:  # handed to the test thread
                outcome.append(exc)

        thread = threading.Thread(target=run)
        thread.start()
        deadline = time.monotonic() + 60
        busy: list[str] = []
        while not busy and thread.is_alive() and time.monotonic() < deadline:
            busy = [w for w, tasks in client.processing().items() if tasks]
            time.sleep(0.01)
        assert busy and thread.is_alive(), "the run ended before a worker could be killed"
        os.kill(pids[busy[0]], signal.SIGKILL)
        thread.join(120)
        assert not thread.is_alive()
        client.wait_for_workers(2, timeout=30)
        assert pids[busy[0]] not in client.run(os.getpid).values()
    return outcome[0]
