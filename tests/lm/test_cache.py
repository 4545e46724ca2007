"""The on-disk call cache: persistence, canonical keys, bulk access."""

from __future__ import annotations

import math
import threading

from lm import CallCache
from lm._cache import call_key


def test_values_survive_a_new_connection(tmp_path):
    path = tmp_path / "calls.sqlite"
    first = CallCache(path)
    key = call_key("m", "option_scores", {"messages": [{"role": "user", "content": "hi"}]})
    first.put(key, "m", "option_scores", [-0.5, -math.inf])
    first.close()
    second = CallCache(path)
    assert second.get(key) == [-0.5, -math.inf]
    assert len(second) == 1


def test_keys_are_canonical_and_distinguish_every_field():
    base = call_key("m", "generate", {"messages": "x", "seed": 1})
    assert base == call_key("m", "generate", {"seed": 1, "messages": "x"})
    assert base != call_key("m", "generate", {"messages": "x", "seed": 2})
    assert base != call_key("n", "generate", {"messages": "x", "seed": 1})
    assert base != call_key("m", "option_scores", {"messages": "x", "seed": 1})


def test_bulk_get_put_and_clear():
    cache = CallCache(":memory:")
    items = [(call_key("m", "g", i), "m" if i % 2 else "n", "g", f"v{i}") for i in range(1200)]
    cache.put_many(items)
    found = cache.get_many([k for k, *_ in items] + ["missing"])
    assert len(found) == 1200 and found[items[7][0]] == "v7"
    assert cache.clear(model="m") == 600
    assert len(cache) == 600


def test_concurrent_writers_do_not_lose_rows(tmp_path):
    cache = CallCache(tmp_path / "calls.sqlite")

    def write(offset: int) -> None:
        for i in range(50):
            cache.put(call_key("m", "g", offset + i), "m", "g", i)

    threads = [threading.Thread(target=write, args=(100 * t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(cache) == 200
