"""Validation shared by the committee rules and the proportionality audits.

Every function returns clean numpy arrays or raises :class:`~socialchoice.ApprovalError`
naming the argument, the offending row / column / value and what was expected.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._errors import ApprovalError

__all__ = ["as_committee", "as_k", "as_profile", "as_weights"]


def _first_bad(mask: NDArray[np.bool_]) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0])


def as_profile(A: ArrayLike, *, name: str = "A") -> tuple[NDArray[np.float64], bool]:
    """Return ``(U, is_approval)``: a float ``(n, m)`` utility matrix and whether it is 0/1.

    ``A`` is an ``(n, m)`` approval matrix (bool or 0/1) or a matrix of cardinal,
    non-negative, finite utilities (voter ``i``'s utility for candidate ``j``).

    Examples
    --------
    >>> U, approval = as_profile([[1, 0], [0, 1]])
    >>> U.shape, approval
    ((2, 2), True)
    >>> as_profile([[0.5, 2.0]])[1]
    False
    """
    try:
        U = np.asarray(A, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ApprovalError(
            f"{name} must be an (n, m) matrix of approvals (bool or 0/1) or non-negative "
            f"utilities; it could not be read as numbers: {exc}"
        ) from None
    if U.ndim != 2:
        raise ApprovalError(
            f"{name} must be a 2-dimensional (voters, candidates) matrix. "
            f"Got an array of shape {U.shape} instead."
        )
    n, m = U.shape
    if n == 0 or m == 0:
        raise ApprovalError(
            f"{name} must have at least one voter (row) and one candidate (column). "
            f"Got shape {U.shape} instead."
        )
    bad = ~np.isfinite(U)
    if bad.any():
        row, col = _first_bad(bad)
        raise ApprovalError(
            f"{name} must hold finite numbers; row {row} (voter), column {col} (candidate) "
            f"is {U[row, col]}."
        )
    bad = U < 0
    if bad.any():
        row, col = _first_bad(bad)
        raise ApprovalError(
            f"{name} must hold non-negative utilities; row {row} (voter), column {col} "
            f"(candidate) is {U[row, col]:g}."
        )
    is_approval = bool(np.isin(U, (0.0, 1.0)).all())
    return U, is_approval


def as_weights(weights: ArrayLike | None, n: int) -> NDArray[np.float64]:
    """Return voter weights as a float ``(n,)`` array (all ones when ``weights`` is None).

    Examples
    --------
    >>> as_weights(None, 3)
    array([1., 1., 1.])
    >>> as_weights([2, 1], 2)
    array([2., 1.])
    """
    if weights is None:
        return np.ones(n)
    try:
        w = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ApprovalError(f"weights must be numbers, one per voter: {exc}") from None
    if w.shape != (n,):
        raise ApprovalError(
            f"weights must have one entry per voter (shape ({n},)). Got shape {w.shape} instead."
        )
    bad = ~np.isfinite(w) | (w <= 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ApprovalError(f"weights must be positive and finite; voter {i} has weight {w[i]}.")
    return w


def as_k(k: object, m: int, *, func: str = "select") -> int:
    """Return the committee size as an int in ``[1, m]``.

    Examples
    --------
    >>> as_k(2, 5)
    2
    >>> as_k(0, 5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    socialchoice._errors.ApprovalError: The 'k' parameter of select must be ... Got 0 instead.
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= m:
        raise ApprovalError(
            f"The 'k' parameter of {func} must be an int in [1, {m}]. Got {k!r} instead."
        )
    return int(k)


def as_committee(W: Iterable[int] | ArrayLike, m: int, *, name: str = "W") -> NDArray[np.intp]:
    """Return a committee as a sorted array of distinct candidate indices in ``[0, m)``.

    ``W`` is a collection of candidate indices or a boolean ``(m,)`` mask.

    Examples
    --------
    >>> as_committee({3, 0}, 4)
    array([0, 3])
    >>> as_committee([True, False, True], 3)
    array([0, 2])
    """
    arr = np.asarray(list(W) if isinstance(W, (set, frozenset)) else W)
    if arr.dtype == np.bool_:
        if arr.shape != (m,):
            raise ApprovalError(
                f"{name} as a boolean mask must have one entry per candidate (shape ({m},)). "
                f"Got shape {arr.shape} instead."
            )
        return np.flatnonzero(arr)
    if arr.size == 0:
        return np.zeros(0, dtype=np.intp)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        raise ApprovalError(
            f"{name} must be a collection of candidate indices (ints in [0, {m})). "
            f"Got {W!r} instead."
        )
    bad = (arr < 0) | (arr >= m)
    if bad.any():
        raise ApprovalError(
            f"{name} must hold candidate indices in [0, {m}); got {int(arr[bad][0])}."
        )
    out = np.unique(arr)
    if out.size != arr.size:
        raise ApprovalError(f"{name} lists a candidate twice: {sorted(arr.tolist())}.")
    return out.astype(np.intp)
