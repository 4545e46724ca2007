"""Several app instances on one database: each instance is a Store of its own (its own
engine and connection pool), as two ``streamlit run app.py`` processes are.

What one instance writes, the other sees and respects: the demo is loaded once, the write
rate limit counts every write of a participant whichever instance takes it, and a join link
opened twice at once makes one participant. On both back ends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from deliberation import Limits, RateLimitError, Store, seed_demo

TIMEOUT = 120.0  # seconds any one call may take before the test gives up


def _at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run ``calls`` in threads released together; their results (or raised errors)."""
    barrier = threading.Barrier(len(calls), timeout=TIMEOUT)

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait()
        try:
            return call()
        except Exception as error:  # returned for the test to inspect
            return error

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        return [f.result(timeout=TIMEOUT) for f in futures]


@pytest.fixture
def instances(store_url):
    """Two stores on one database, as two app instances hold."""
    a, b = Store(store_url), Store(store_url)
    yield a, b
    a.close()
    b.close()


def test_two_instances_starting_on_an_empty_database_load_the_demo_once(instances):
    a, b = instances
    results = _at_once([lambda: seed_demo(a), lambda: seed_demo(b)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(a.deliberations()) == 1
    assert sum(r is not None for r in results) == 1  # one of them loaded it


def test_the_rate_limit_counts_every_write_whichever_instance_takes_it(store_url):
    limits = Limits(writes_per_window=10)
    a, b = (Store(store_url, limits=limits, clock=lambda: 1000.0) for _ in range(2))
    try:
        d = a.create_deliberation("Q?", statements=[f"S{i}." for i in range(6)])
        token = a.join(d.id)
        statement_ids = [int(i) for i in a.statements(d.id)["id"]]
        calls = [
            (lambda s=store, i=statement_ids[k % 6]: s.submit_statement_vote(token, i, 1))
            for k in range(24) for store in ((a, b)[k % 2],)
        ]
        results = _at_once(calls)
        refused = [r for r in results if isinstance(r, RateLimitError)]
        others = [r for r in results if isinstance(r, Exception) and r not in refused]
        assert others == []
        assert len(results) - len(refused) == limits.writes_per_window
        assert len(refused) == 24 - limits.writes_per_window
    finally:
        a.close()
        b.close()


def test_one_join_link_opened_twice_at_once_makes_one_participant(instances):
    a, b = instances
    d = a.create_deliberation("Q?", statements=["S."])
    calls = [(lambda s=s: s.join(d.id, xid="prolific-42")) for s in (a, b, a, b)]
    tokens = _at_once(calls)
    assert not [t for t in tokens if isinstance(t, Exception)], tokens
    assert len(set(tokens)) == 1
    assert len(a.export(d.id)["participants"]) == 1


def test_two_instances_opening_a_new_database_at_once_both_start(store_url):
    opened = _at_once([lambda: Store(store_url), lambda: Store(store_url)])
    try:
        assert not [s for s in opened if isinstance(s, Exception)], opened
        d = opened[0].create_deliberation("Q?")
        assert [info.id for info in opened[1].deliberations()] == [d.id]
    finally:
        for s in opened:
            if isinstance(s, Store):
                s.close()


def _open_when_released(url: str, barrier: Any) -> str:
    """In an instance's own process: open a Store once every instance is ready."""
    barrier.wait(TIMEOUT)
    try:
        Store(url).close()
    except Exception as error:  # returned for the test to inspect
        return f"{type(error).__name__}: {error}"
    return "opened"


def test_two_instance_processes_opening_a_new_database_at_once_both_start(store_url):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Manager().Barrier(2)
    with ProcessPoolExecutor(max_workers=2, mp_context=spawn) as pool:
        jobs = [pool.submit(_open_when_released, store_url, barrier) for _ in range(2)]
        assert [job.result(timeout=TIMEOUT) for job in jobs] == ["opened", "opened"]
    store = Store(store_url)
    try:
        assert store.deliberations() == []
    finally:
        store.close()


def test_one_statement_sent_at_once_through_two_instances_is_stored_once(instances):
    from deliberation import AnswerError

    a, b = instances
    d = a.create_deliberation("Q?", statements=["S."])
    tokens = [a.join(d.id) for _ in range(4)]
    for token in tokens:
        a.consent(token, 1)
    calls = [(lambda s=s, t=t: s.submit_statement(t, "Ask before you advise."))
             for s, t in zip((a, b, a, b), tokens, strict=True)]
    results = _at_once(calls)
    stored = [r for r in results if isinstance(r, int)]
    assert len(stored) == 1, results
    assert all(isinstance(r, AnswerError) and "repeats statement" in str(r)
               for r in results if not isinstance(r, int)), results
    assert len(a.pending_statements(d.id)) == 1
