"""Integer codes of long columns without hashing every row (private).

Validation and :func:`rlchf.aggregate_pairs` group rows by ids (prompt, annotator,
response). Hashing 20 million strings or integers costs seconds; long-form data is mostly
stored in runs (a prompt's rows together), so here a column is compared with itself shifted
by one row (a cheap vectorised comparison) and only the first row of each run is hashed;
integer keys of a small range are counted in a dense table instead of hashed. Every
function is exact for any row order: order only changes how fast it is.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["Codes", "arrow_strings", "changes", "dense_codes", "equal_at", "first_of",
           "run_factorize", "run_pair_codes", "shifted_equal"]

#: Extra keys a dense table may hold beyond 4 per row.
DENSE_EXTRA = 1 << 20


def arrow_strings(values: pd.Series, *, small: bool = True) -> Any:
    """An Arrow-backed text column as a ``pyarrow.ChunkedArray`` (of 32-bit-offset strings
    if ``small``), or ``None`` for other columns.

    pandas stores text as ``large_string``; pyarrow's take is many times faster on
    ``string``, to which a column under 2 GiB casts without copying its text (comparisons
    need no cast: ``small=False``).
    """
    arr = values.array
    if isinstance(arr, pd.Categorical) or not hasattr(arr, "__arrow_array__"):
        return None
    import pyarrow as pa

    chunked = arr.__arrow_array__()
    if not isinstance(chunked, pa.ChunkedArray):
        chunked = pa.chunked_array([chunked])
    if small and pa.types.is_large_string(chunked.type):
        try:
            chunked = chunked.cast(pa.string())
        except pa.ArrowInvalid:  # over 2 GiB of text: keep 64-bit offsets
            pass
    return chunked


def shifted_equal(values: pd.Series, shift: int) -> NDArray:
    """``values[shift:] == values[:-shift]`` element by element, as a bool array.

    >>> shifted_equal(pd.Series(["a", "a", "b", "a"]), 2).tolist()
    [False, True]
    """
    n = len(values)
    if shift >= n:
        return np.zeros(0, dtype=bool)
    chunked = arrow_strings(values, small=False)
    if chunked is None:
        arr = values.array
        return np.asarray(arr[shift:] == arr[:n - shift], dtype=bool)
    import pyarrow.compute as pc

    eq = pc.equal(chunked.slice(shift), chunked.slice(0, n - shift))
    return np.asarray(eq.to_numpy(zero_copy_only=False), dtype=bool)


def changes(values: pd.Series) -> NDArray:
    """True where a row's value differs from the previous row's (and at row 0)."""
    change = np.ones(len(values), dtype=bool)
    change[1:] = ~shifted_equal(values, 1)
    return change


def _runs_help(n: int, heads: int) -> bool:
    return heads * 2 <= n


def run_factorize(values: pd.Series | NDArray) -> tuple[NDArray, int]:
    """Codes (order of first appearance) and the number of distinct values.

    Arrow text and integer columns hash only the first row of each run of equal values;
    other columns are hashed row by row (:func:`pandas.factorize`).

    >>> run_factorize(pd.Series(["b", "b", "a", "a", "b"]))
    (array([0, 0, 1, 1, 0]), 2)
    """
    if isinstance(values, np.ndarray):
        values = pd.Series(values, copy=False)
    n = len(values)
    runs = (arrow_strings(values, small=False) is not None
            or pd.api.types.is_integer_dtype(values.dtype))
    if runs and n > 1:
        heads = np.flatnonzero(changes(values))
        if _runs_help(n, len(heads)):
            head_codes, uniques = pd.factorize(values.array.take(heads))
            lengths = np.diff(heads, append=n)
            return np.repeat(head_codes.astype(np.int64), lengths), len(uniques)
    codes, uniques = pd.factorize(values)
    return codes.astype(np.int64, copy=False), len(uniques)


def dense_codes(key: NDArray) -> tuple[NDArray, int] | None:
    """Codes of non-negative integer keys of a small range (numbered in key order) and their
    number, by a dense table; ``None`` when the range is too large for one.

    >>> dense_codes(np.array([7, 3, 7, 9]))
    (array([1, 0, 1, 2]), 3)
    """
    if key.size == 0:
        return np.zeros(0, dtype=np.int64), 0
    top = int(key.max()) + 1
    if int(key.min()) < 0 or top > 4 * key.size + DENSE_EXTRA:
        return None
    present = np.zeros(top, dtype=bool)
    present[key] = True
    code = np.cumsum(present) - 1
    return code[key], int(code[-1]) + 1


def first_of(codes: NDArray, k: int) -> NDArray:
    """The first row of each of the ``k`` codes (any numbering).

    Only rows where the code changes can be first rows, so only those are scanned.

    >>> first_of(np.array([2, 2, 0, 1, 0]), 3).tolist()
    [2, 3, 0]
    """
    n = len(codes)
    heads = np.ones(n, dtype=bool)
    heads[1:] = codes[1:] != codes[:-1]
    rows = np.flatnonzero(heads)
    first = np.full(k, n, dtype=np.int64)
    np.minimum.at(first, codes[rows], rows)
    return first


def equal_at(values: pd.Series, a: NDArray, b: NDArray) -> NDArray:
    """``values[a] == values[b]`` element by element, as a bool array.

    Pairs a common distance apart (``b - a``; the three most common in a sample) are read
    off whole-column comparisons with the column shifted by that distance, which copy no
    text; the other pairs are taken and compared directly.

    >>> equal_at(pd.Series(["x", "y", "x", "y", "z"]), np.array([0, 1, 2]), np.array([2, 3, 4])
    ...          ).tolist()
    [True, True, False]
    """
    out = np.zeros(len(a), dtype=bool)
    todo = np.ones(len(a), dtype=bool)
    gap = b - a
    sample, counts = np.unique(gap[:4096], return_counts=True)
    for g in sample[np.argsort(-counts)][:3]:
        g = int(g)
        sel = todo & (gap == g) if g > 0 else None
        if sel is None or not sel.any():
            continue
        out[sel] = shifted_equal(values, g)[a[sel]]
        todo[sel] = False
    rest = np.flatnonzero(todo)
    if len(rest):
        arr = values.array
        out[rest] = np.asarray(arr.take(a[rest]) == arr.take(b[rest]), dtype=bool)
    return out


def run_pair_codes(head: NDArray, last: NDArray, max_runs: int = 16) -> tuple[NDArray, int] | None:
    """Codes of the pairs ``(head, last)`` when each pair occupies one run of rows: the run's
    number, without hashing; ``None`` when that does not hold or cannot be checked cheaply.

    Runs must be long enough to pay (at most half as many runs as rows). It holds when
    each ``head`` value's rows are contiguous and, within them, no ``last`` value starts two
    runs (checked against the previous few runs, at most ``max_runs`` runs
    per ``head`` value) — data grouped by prompt, each annotator's rows together.

    >>> run_pair_codes(np.array([0, 0, 0, 0, 1, 1]), np.array([5, 5, 6, 6, 5, 5]))
    (array([0, 0, 1, 1, 2, 2]), 3)
    >>> run_pair_codes(np.zeros(6, dtype=int), np.array([5, 5, 6, 6, 5, 5])) is None
    True
    """
    n = len(head)
    if n == 0:
        return np.zeros(0, dtype=np.int64), 0
    change = np.ones(n, dtype=bool)
    change[1:] = (head[1:] != head[:-1]) | (last[1:] != last[:-1])
    if not _runs_help(n, int(np.count_nonzero(change))):
        return None
    heads = np.flatnonzero(change)
    hh, lh = head[heads], last[heads]
    if not bool((hh[1:] >= hh[:-1]).all()):
        return None
    k = int(np.bincount(hh - hh[0]).max())
    if k > max_runs:
        return None
    for s in range(1, k):
        if bool(((lh[s:] == lh[:-s]) & (hh[s:] == hh[:-s])).any()):
            return None
    codes = np.cumsum(change, dtype=np.int64) - 1
    return codes, len(heads)


class Codes:
    """Integer codes of columns and column combinations, computed once per validation.

    Codes are numbered in no particular order (:mod:`rlchf._codes` picks the cheapest way:
    a dense table for small integer keys, hashing one row per run of equal values
    otherwise); :meth:`first` gives each code's first row.
    """

    def __init__(self, df: pd.DataFrame) -> None:
        self.df = df
        self._cache: dict[tuple[str, ...], tuple[np.ndarray, int]] = {}
        self._first: dict[tuple[str, ...], np.ndarray] = {}

    def key(self, *cols: str) -> np.ndarray:
        """An integer key per row, equal exactly when the rows agree on ``cols``."""
        if len(cols) == 1:
            return self(cols[0])[0]
        head, _ = self(*cols[:-1])
        last, n_last = self(cols[-1])
        return head * n_last + last

    def __call__(self, *cols: str) -> tuple[np.ndarray, int]:
        """Codes of the combination of ``cols`` and the number of distinct combinations."""
        if cols not in self._cache:
            s = self.df[cols[0]] if len(cols) == 1 else None
            if s is not None and not pd.api.types.is_integer_dtype(s.dtype):
                self._cache[cols] = run_factorize(s)
            elif s is not None:
                key = s.to_numpy()
                dense = dense_codes(key) if key.dtype.kind in "iu" else None
                self._cache[cols] = dense or run_factorize(s)
            else:
                runs = run_pair_codes(self(*cols[:-1])[0], self(cols[-1])[0])
                if runs is None:
                    key = self.key(*cols)
                    runs = dense_codes(key) or run_factorize(key)
                self._cache[cols] = runs
        return self._cache[cols]

    def computed(self, *names: str) -> dict[str, tuple[np.ndarray, int]]:
        """The codes of those single columns among ``names`` that were computed."""
        return {c: self._cache[(c,)] for c in names if (c,) in self._cache}

    def first(self, *cols: str) -> np.ndarray:
        """The first row of each code of ``cols``."""
        if cols not in self._first:
            codes, k = self(*cols)
            self._first[cols] = first_of(codes, k)
        return self._first[cols]

    def first_mask(self, *cols: str) -> np.ndarray:
        """Whether each row is the first with its combination of ``cols``."""
        mask = np.zeros(len(self.df), dtype=bool)
        mask[self.first(*cols)] = True
        return mask

    def repeated(self, *cols: str) -> bool:
        """Whether some combination of ``cols`` occurs in two rows (a dense count if it can)."""
        key = self.key(*cols)
        dense = key.size == 0 or (int(key.min()) >= 0 and
                                  int(key.max()) < 4 * key.size + DENSE_EXTRA)
        if dense:
            return bool((np.bincount(key) > 1).any())
        return self(*cols)[1] < len(key)
