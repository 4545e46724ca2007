"""Balanced justified representation (BJR): the audit of a slate against a statement pool."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._errors import GenerativeError
from ._pool import as_utility_matrix
from ._slate import as_slate_size

__all__ = ["BJRViolation", "bjr_violations", "violation_table"]


@dataclass(frozen=True)
class BJRViolation:
    """A coalition that a slate leaves under-represented, and the statement it would prefer.

    Every agent of ``coalition`` rates pool statement ``statement`` at least ``threshold``
    but its own slot below ``threshold``, and the coalition has at least ``n/k`` members.

    Attributes
    ----------
    statement : int
        Pool index (column) of the statement the coalition agrees on.
    threshold : float
        The utility level: one of the values in that statement's column.
    coalition : tuple of int
        All agents (row indices, ascending) with ``u_i(statement) >= threshold`` and
        own-slot utility ``< threshold``: the largest coalition for this pair.

    Examples
    --------
    >>> v = BJRViolation(statement=2, threshold=5.0, coalition=(3, 4))
    >>> v.size
    2
    """

    statement: int
    threshold: float
    coalition: tuple[int, ...]

    @property
    def size(self) -> int:
        """Number of agents in the coalition."""
        return len(self.coalition)


def _as_inputs(
    pool_utilities: ArrayLike, slate_utilities: ArrayLike, k: object
) -> tuple[NDArray[np.float64], NDArray[np.float64], int]:
    U = as_utility_matrix(pool_utilities, name="pool_utilities")
    n = U.shape[0]
    try:
        s = np.array(slate_utilities, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise GenerativeError(f"slate_utilities must be numbers, one per agent: {exc}") from None
    if s.shape != (n,):
        raise GenerativeError(
            f"slate_utilities must hold one utility per agent (row of pool_utilities), shape "
            f"({n},). Got shape {s.shape} instead."
        )
    bad = ~np.isfinite(s)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise GenerativeError(f"slate_utilities must be finite numbers; agent {i} has {s[i]}.")
    return U, s, as_slate_size(k, n, func="bjr_violations")


def violation_table(
    U: NDArray[np.float64], s: NDArray[np.float64], k: int
) -> tuple[NDArray[np.intp], NDArray[np.float64], NDArray[np.intp]]:
    """Every violating (statement, threshold) pair and its coalition size, on validated input.

    For a statement ``c`` and threshold ``t`` the coalition size is
    ``#{i : U[i,c] >= t} - #{i : min(U[i,c], s[i]) >= t}``. Both counts are taken for all
    columns at once by one sort of exact integer codes (value rank + column offset) and
    ``searchsorted``: O(nC log nC) time and O(nC) memory, no loop over agents or statements.

    Returns ``(statement, threshold, size)`` arrays sorted by statement, then threshold.
    """
    n, C = U.shape
    values = np.unique(np.concatenate([U.ravel(), s]))  # every value compared, sorted
    K = values.size
    offset = np.arange(C, dtype=np.int64) * K  # column c's codes live in [c*K, (c+1)*K)
    u_code = np.searchsorted(values, U).astype(np.int64) + offset
    s_code = np.searchsorted(values, s).astype(np.int64)
    m_code = np.minimum(u_code, s_code[:, None] + offset)  # code of min(U[i,c], s[i])
    queries = np.unique(u_code)  # distinct (column, threshold) pairs, column-major order
    col = queries // K
    base = col * n  # each column holds n codes in the flattened sort
    at_least = n - (np.searchsorted(np.sort(u_code, axis=None), queries) - base)
    both = n - (np.searchsorted(np.sort(m_code, axis=None), queries) - base)
    size = at_least - both
    hit = size * k >= n  # size >= n/k, exactly
    return col[hit].astype(np.intp), values[queries[hit] % K], size[hit].astype(np.intp)


def bjr_violations(
    pool_utilities: ArrayLike, slate_utilities: ArrayLike, k: int
) -> list[BJRViolation]:
    """Every violation of balanced justified representation by a slate, w.r.t. a pool.

    A slate with a balanced assignment (each agent holds one of ``k`` slots; ``slate_utilities``
    is each agent's utility for its own slot) violates BJR if some pool statement ``c`` and
    threshold ``t`` have a coalition ``{i : u_i(c) >= t and own_i < t}`` of at least ``n/k``
    agents (real division). Only the distinct values of column ``c`` need to be tried as
    thresholds; each violating pair is reported once, with its (largest) coalition.

    Parameters
    ----------
    pool_utilities : array_like of shape (n, C)
        Utilities of every agent for every pool statement.
    slate_utilities : array_like of shape (n,)
        Each agent's utility for its own slot (``Slate.utilities``).
    k : int
        Slate size, in ``[1, n]``.

    Returns
    -------
    list of BJRViolation
        Sorted by statement, then threshold; empty when the slate satisfies BJR.

    Raises
    ------
    GenerativeError
        Shapes do not match, a utility is NaN or infinite, or ``k`` is not in ``[1, n]``.

    References
    ----------
    .. [1] S. Fish, P. Gölz, D. C. Parkes, A. D. Procaccia, G. Rusak, I. Shapira and
       M. Wüthrich, 'Generative Social Choice', arXiv:2309.01291 (2023): the definition of
       balanced justified representation.

    Examples
    --------
    Six agents, ``k = 3``: agents 4 and 5 (a third of the room) rate statement 1 at 6, but
    the slate gives them statements they rate 0 and 1.

    >>> import numpy as np
    >>> U = np.array([[6, 0], [6, 0], [5, 1], [5, 1], [0, 6], [1, 6]])
    >>> own = np.array([6, 6, 5, 5, 0, 1])
    >>> bjr_violations(U, own, 3)
    [BJRViolation(statement=1, threshold=6.0, coalition=(4, 5))]
    >>> bjr_violations(U, [6, 6, 5, 5, 6, 6], 3)
    []
    """
    U, s, k = _as_inputs(pool_utilities, slate_utilities, k)
    cols, thresholds, _ = violation_table(U, s, k)
    return [
        BJRViolation(
            statement=int(c),
            threshold=float(t),
            coalition=tuple(int(i) for i in np.flatnonzero((U[:, c] >= t) & (s < t))),
        )
        for c, t in zip(cols, thresholds, strict=True)
    ]


def _bjr_violations_reference(
    pool_utilities: ArrayLike, slate_utilities: ArrayLike, k: int
) -> list[BJRViolation]:
    """Brute force, a transcription of the definition (loops); for tests only."""
    U, s, k = _as_inputs(pool_utilities, slate_utilities, k)
    n, C = U.shape
    out = []
    for c in range(C):
        for t in sorted(set(U[:, c].tolist())):
            coalition = tuple(i for i in range(n) if U[i, c] >= t and s[i] < t)
            if len(coalition) >= n / k:
                out.append(BJRViolation(c, float(t), coalition))
    return out
