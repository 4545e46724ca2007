"""Validation shared by the committee rules and the proportionality audits.

Every function returns clean numpy arrays or raises :class:`~socialchoice.ApprovalError` in
the message form of :mod:`_common.validation` ("The 'k' parameter of select must be an int
in [1, 3]. Got 0 instead."), naming the offending row / column / value.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from _common.validation import check_int, check_matrix, first_index, parameter_error, show

from .._errors import ApprovalError

__all__ = ["MAX_MAGNITUDE", "as_committee", "as_k", "as_profile", "as_weights"]

#: Largest utility and largest total voter weight: their products (scores, utilities summed
#: over voters, times the harmonic weights of PAV) stay far below float overflow.
MAX_MAGNITUDE = 1e150


def as_profile(
    A: ArrayLike, *, func: str = "select", name: str = "A"
) -> tuple[NDArray[np.float64], bool]:
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
    >>> as_profile([[1, -2]], func="pav")
    Traceback (most recent call last):
    ...
    socialchoice._errors.ApprovalError: The 'A' parameter of pav must be a matrix of \
non-negative utilities; row 0 (voter), column 1 (candidate) is -2.0. Got an array of shape \
(1, 2) instead.
    """
    U = check_matrix(A, name, func, min_rows=1, min_cols=1, error=ApprovalError)
    limits = (
        (U < 0, "a matrix of non-negative utilities; {at} is {value}"),
        (U > MAX_MAGNITUDE,
         f"a matrix of utilities of at most {MAX_MAGNITUDE:g}; {{at}} is {{value}} "
         "(rescale the utilities)"),
    )
    for bad, expected in limits:
        if bad.any():
            row, col = first_index(bad)
            at = f"row {row} (voter), column {col} (candidate)"
            raise parameter_error(
                name, func, expected.format(at=at, value=show(U[row, col])), U, ApprovalError
            )
    is_approval = bool(np.isin(U, (0.0, 1.0)).all())
    return U, is_approval


def as_weights(
    weights: ArrayLike | None, n: int, *, func: str = "select"
) -> NDArray[np.float64]:
    """Return voter weights as a float ``(n,)`` array (all ones when ``weights`` is None).

    Examples
    --------
    >>> as_weights(None, 3)
    array([1., 1., 1.])
    >>> as_weights([2, 1], 2)
    array([2., 1.])
    >>> as_weights([2, 0], 2)
    Traceback (most recent call last):
    ...
    socialchoice._errors.ApprovalError: The 'weights' parameter of select must be positive \
and finite numbers; voter 1 has weight 0.0. Got [2, 0] instead.
    """
    if weights is None:
        return np.ones(n)
    try:
        w = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError):
        raise parameter_error(
            "weights", func, "numbers, one per voter", weights, ApprovalError
        ) from None
    if w.shape != (n,):
        expected = f"one entry per voter (shape ({n},)); it has shape {w.shape}"
        raise parameter_error("weights", func, expected, weights, ApprovalError)
    bad = ~np.isfinite(w) | (w <= 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        expected = f"positive and finite numbers; voter {i} has weight {show(w[i])}"
        raise parameter_error("weights", func, expected, weights, ApprovalError)
    with np.errstate(over="ignore"):
        total = float(np.sum(w))
    if not total <= MAX_MAGNITUDE:
        expected = f"numbers summing to at most {MAX_MAGNITUDE:g}; they sum to {total:g} " \
            "(rescale the weights)"
        raise parameter_error("weights", func, expected, weights, ApprovalError)
    return w


def as_k(k: object, m: int, *, func: str = "select") -> int:
    """The committee size ``k`` as an int in ``[1, m]`` (``m`` candidates).

    :func:`_common.validation.check_int` with the committee package's error class.

    Examples
    --------
    >>> as_k(2, 5)
    2
    >>> as_k(0, 5)
    Traceback (most recent call last):
    ...
    socialchoice._errors.ApprovalError: The 'k' parameter of select must be an int in [1, 5]. \
Got 0 instead.
    """
    return check_int(k, "k", func, 1, m, error=ApprovalError)


def as_committee(
    W: Iterable[int] | ArrayLike, m: int, *, func: str = "select", name: str = "W"
) -> NDArray[np.intp]:
    """Return a committee as a sorted array of distinct candidate indices in ``[0, m)``.

    ``W`` is a collection of candidate indices or a boolean ``(m,)`` mask.

    Examples
    --------
    >>> as_committee({3, 0}, 4)
    array([0, 3])
    >>> as_committee([True, False, True], 3)
    array([0, 2])
    >>> as_committee([0, 5], 3, func="is_jr")
    Traceback (most recent call last):
    ...
    socialchoice._errors.ApprovalError: The 'W' parameter of is_jr must be candidate indices \
in [0, 3); it holds 5. Got [0, 5] instead.
    """
    arr = np.asarray(list(W) if isinstance(W, set | frozenset) else W)
    if arr.dtype == np.bool_:
        if arr.shape != (m,):
            expected = f"a boolean mask with one entry per candidate (shape ({m},))"
            raise parameter_error(name, func, expected, arr, ApprovalError)
        return np.flatnonzero(arr)
    if arr.size == 0:
        return np.zeros(0, dtype=np.intp)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        expected = f"a collection of candidate indices (ints in [0, {m}))"
        raise parameter_error(name, func, expected, W, ApprovalError)
    bad = (arr < 0) | (arr >= m)
    if bad.any():
        expected = f"candidate indices in [0, {m}); it holds {int(arr[bad][0])}"
        raise parameter_error(name, func, expected, W, ApprovalError)
    out = np.unique(arr)
    if out.size != arr.size:
        expected = "distinct candidate indices; it lists a candidate twice"
        raise parameter_error(name, func, expected, sorted(arr.tolist()), ApprovalError)
    return out.astype(np.intp)
