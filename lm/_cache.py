"""A persistent on-disk cache of model calls (SQLite, WAL), shared by every back-end.

Keys are SHA-256 digests of a canonical JSON document holding the model id, the method and
every input and parameter of the call, so a repeated experiment (or the app after a restart)
never recomputes a generation, a set of option scores or an embedding.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["CallCache", "cache_dir", "cached_calls", "call_key", "chosen_cache"]

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    method TEXT NOT NULL,
    value TEXT NOT NULL
)
"""


def cache_dir() -> Path:
    """Return the per-user cache folder of the toolkit (created on first use).

    ``$COLLECTIVE_CACHE_DIR`` wins; otherwise ``$XDG_CACHE_HOME/collective-alignment`` or
    ``~/.cache/collective-alignment``.

    Examples
    --------
    >>> cache_dir().name in {"collective-alignment"} or "COLLECTIVE_CACHE_DIR" in os.environ
    True
    """
    explicit = os.environ.get("COLLECTIVE_CACHE_DIR")
    if explicit:
        folder = Path(explicit).expanduser()
    else:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        folder = Path(base) / "collective-alignment"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def call_key(model: str, method: str, payload: Any) -> str:
    """Return the cache key of one call: a hex SHA-256 of canonical JSON.

    Examples
    --------
    >>> call_key("m", "generate", {"a": 1, "b": [1, 2]}) == call_key(
    ...     "m", "generate", {"b": [1, 2], "a": 1})
    True
    >>> len(call_key("m", "generate", "x"))
    64
    """
    document = json.dumps(
        {"model": model, "method": method, "payload": payload},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


class CallCache:
    """A key-value store of model results in one SQLite file (WAL mode, thread-safe).

    Parameters
    ----------
    path : str or Path, optional
        The database file; default ``cache_dir() / "lm-calls.sqlite"``. ``":memory:"`` keeps
        the cache in memory (tests).

    Examples
    --------
    >>> cache = CallCache(":memory:")
    >>> key = call_key("m", "generate", {"prompt": "hi"})
    >>> cache.get(key) is None
    True
    >>> cache.put(key, "m", "generate", "hello")
    >>> cache.get(key)
    'hello'
    >>> len(cache)
    1
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = str(path) if path is not None else str(cache_dir() / "lm-calls.sqlite")
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(self.path, check_same_thread=False, timeout=30.0)
        with self._lock:
            if self.path != ":memory:":
                self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute(_SCHEMA)
            self._connection.commit()

    def get(self, key: str) -> Any | None:
        """Return the stored value of ``key`` (decoded JSON) or None."""
        with self._lock:
            row = self._connection.execute(
                "SELECT value FROM calls WHERE key = ?", (key,)
            ).fetchone()
        return None if row is None else json.loads(row[0])

    def get_many(self, keys: list[str]) -> dict[str, Any]:
        """Return ``{key: value}`` for the keys that are stored."""
        found: dict[str, Any] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._connection.execute(
                    f"SELECT key, value FROM calls WHERE key IN ({marks})", chunk
                ).fetchall()
                found.update((key, json.loads(value)) for key, value in rows)
        return found

    def put(self, key: str, model: str, method: str, value: Any) -> None:
        """Store ``value`` (anything JSON can encode) under ``key``; one transaction."""
        self.put_many([(key, model, method, value)])

    def put_many(self, items: list[tuple[str, str, str, Any]]) -> None:
        """Store several ``(key, model, method, value)`` rows in one transaction."""
        rows = [(k, m, meth, json.dumps(v)) for k, m, meth, v in items]
        with self._lock, self._connection:
            self._connection.executemany(
                "INSERT OR REPLACE INTO calls (key, model, method, value) VALUES (?, ?, ?, ?)",
                rows,
            )

    def clear(self, model: str | None = None) -> int:
        """Delete every stored call (or only one model's); return how many were deleted."""
        with self._lock, self._connection:
            if model is None:
                cursor = self._connection.execute("DELETE FROM calls")
            else:
                cursor = self._connection.execute("DELETE FROM calls WHERE model = ?", (model,))
        return cursor.rowcount

    def __len__(self) -> int:
        with self._lock:
            return int(self._connection.execute("SELECT COUNT(*) FROM calls").fetchone()[0])

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._connection.close()

    def __repr__(self) -> str:
        return f"CallCache({self.path!r})"


def chosen_cache(cache: CallCache | bool | None) -> CallCache | None:
    """The cache a model's ``cache`` parameter asks for: True the per-user cache, False or
    None no cache, a :class:`CallCache` that one.

    >>> chosen_cache(False) is None, chosen_cache(CallCache(":memory:")).path
    (True, ':memory:')
    """
    if cache is True:
        return CallCache()
    return None if cache in (None, False) else cache


def cached_calls(
    cache: CallCache | None,
    model_id: str,
    method: str,
    payloads: Sequence[Any],
    compute: Callable[[list[int]], Sequence[Any]],
    batch_size: int,
    progress: Callable[[int, int], None] | None = None,
) -> list[Any]:
    """The result of each call: the stored ones from ``cache``, the others computed.

    ``compute(rows)`` returns the results (JSON values, never None) of the payloads at the
    positions ``rows``; it is called ``batch_size`` rows at a time, and each batch is stored
    as soon as it is done, so a failure keeps the finished batches. A payload repeated in
    the call is computed once. ``progress(done, total)`` is called after every batch (and
    first with the stored results, if any).

    Examples
    --------
    >>> payloads, computed = [1, 2, 1, 3], []
    >>> def double(rows):
    ...     computed.extend(rows)
    ...     return [2 * payloads[i] for i in rows]
    >>> cache = CallCache(":memory:")
    >>> cached_calls(cache, "m", "double", payloads, double, batch_size=2), computed
    ([2, 4, 2, 6], [0, 1, 3])
    >>> cached_calls(cache, "m", "double", payloads, double, batch_size=2), computed
    ([2, 4, 2, 6], [0, 1, 3])
    """
    keys = [call_key(model_id, method, p) for p in payloads]
    results: list[Any] = [None] * len(keys)
    found = cache.get_many(list(dict.fromkeys(keys))) if cache else {}
    todo: list[int] = []
    first_of: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key in found:
            results[i] = found[key]
        elif key in first_of:
            continue  # a repeated call inside this batch: computed once below
        else:
            first_of[key] = i
            todo.append(i)
    total, done = len(keys), len(keys) - len(todo)
    if progress is not None and done:
        progress(done, total)
    for start in range(0, len(todo), batch_size):
        chunk = todo[start : start + batch_size]
        values = compute(chunk)
        for i, value in zip(chunk, values, strict=True):
            results[i] = value
        if cache is not None:
            rows = zip(chunk, values, strict=True)
            cache.put_many([(keys[i], model_id, method, v) for i, v in rows])
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    for i, key in enumerate(keys):
        if results[i] is None:
            results[i] = results[first_of[key]]
    logger.debug("%s %s: %d calls, %d computed", model_id, method, total, len(todo))
    return results
