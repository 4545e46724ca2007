"""Shared helpers of the committee rules: level sets, candidate symmetry, tolerances, limits.

This module imports nothing else of :mod:`socialchoice.committee`, so the registry, the rule
modules and the integer programs can all depend on it without an import cycle.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

from .._errors import RuleInputError

__all__ = [
    "MAX_COMMITTEES",
    "REL_TOL",
    "Committee",
    "aggregate_rows",
    "check_count",
    "column_classes",
    "expand",
    "level_sets",
    "row_keys",
]

#: A committee: sorted candidate indices.
Committee = tuple[int, ...]

#: Relative tolerance below which two scores (loads, prices) count as tied.
REL_TOL = 1e-9

#: Above this many winning committees ``resolute=False`` raises instead of listing them.
MAX_COMMITTEES = 1_000_000


def check_count(count: int, name: str, k: int, m: int) -> None:
    """Raise :class:`~socialchoice.RuleInputError` when ``resolute=False`` would list more
    than :data:`MAX_COMMITTEES` committees.

    This bounds the size of a result, not a parameter, so it is not one of the shared
    argument checks of :mod:`_common.validation`.

    >>> check_count(10, "pav", 2, 5)
    >>> check_count(2_000_000, "pav", 10, 40)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    socialchoice._errors.RuleInputError: pav with k=10 on 40 candidates has 2000000 or more ...
    """
    if count > MAX_COMMITTEES:
        raise RuleInputError(
            f"{name} with k={k} on {m} candidates has {count} or more winning committees "
            f"(more than {MAX_COMMITTEES}); use resolute=True for one of them."
        )


def row_keys(M: NDArray) -> NDArray:
    """One opaque, comparable key per row of ``M`` (bit-packed when ``M`` is 0/1)."""
    if M.dtype == np.bool_ or np.isin(M, (0, 1)).all():
        packed = np.packbits(np.asarray(M, dtype=bool), axis=1)
    else:
        packed = np.asarray(M, dtype=np.float64) + 0.0  # -0.0 -> 0.0
    packed = np.ascontiguousarray(packed)
    return packed.view(np.dtype((np.void, packed.dtype.itemsize * packed.shape[1]))).ravel()


def aggregate_rows(
    U: NDArray[np.float64], w: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Merge identical rows of ``U`` into one row whose weight is the sum of their weights.

    >>> U, w = aggregate_rows(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]), np.ones(3))
    >>> U.tolist(), w.tolist()
    ([[0.0, 1.0], [1.0, 0.0]], [1.0, 2.0])
    """
    _, first, inverse = np.unique(row_keys(U), return_index=True, return_inverse=True)
    weights = np.bincount(inverse.reshape(-1), weights=w, minlength=len(first))
    return U[first], weights


def level_sets(
    U: NDArray[np.float64], w: NDArray[np.float64]
) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """Write utilities as a weighted sum of approval ballots (one per utility level).

    Row ``i`` with distinct positive utilities ``v_1 < ... < v_L`` becomes the ballots
    ``{j : u_ij >= v_t}`` with weights ``w_i (v_t - v_{t-1})`` (``v_0 = 0``). Any score of
    the form ``sum_t (v_t - v_{t-1}) g(|ballot_t ∩ W|)`` -- approval voting, OWA-Thiele with
    non-increasing weights (PAV), Chamberlin--Courant -- is then the same rule on the
    ballots. Identical ballots are merged. 0/1 input is returned as it is.

    Examples
    --------
    >>> A, w = level_sets(np.array([[0.0, 2.0, 3.0]]), np.array([1.0]))
    >>> A.astype(int).tolist(), w.tolist()
    ([[0, 0, 1], [0, 1, 1]], [1.0, 2.0])
    """
    m = U.shape[1]
    if np.isin(U, (0.0, 1.0)).all():
        return U > 0, w
    S = np.sort(U, axis=1)
    steps = np.diff(S, axis=1, prepend=0.0)
    ballots, weights = [], []
    for j in range(m):  # loop over sorted positions, vectorised over voters
        keep = steps[:, j] > 0
        if keep.any():
            ballots.append(U[keep] >= S[keep, j, None])
            weights.append(w[keep] * steps[keep, j])
    if not ballots:
        return np.zeros((1, m), dtype=bool), np.ones(1)
    B, bw = aggregate_rows(np.concatenate(ballots).astype(np.float64), np.concatenate(weights))
    return B.astype(bool), bw


def column_classes(M: NDArray) -> list[NDArray[np.intp]]:
    """Groups of candidates with identical columns (interchangeable in every rule), sorted."""
    _, inverse = np.unique(row_keys(np.ascontiguousarray(M.T)), return_inverse=True)
    order = np.argsort(inverse.reshape(-1), kind="stable")
    bounds = np.flatnonzero(np.diff(inverse.reshape(-1)[order])) + 1
    return sorted(np.split(order, bounds), key=lambda c: int(c[0]))


def expand(
    committees: Iterable[Committee], classes: list[NDArray[np.intp]], name: str, k: int
) -> list[Committee]:
    """All committees with the same number of members per class as some given committee."""
    of = np.empty(sum(len(c) for c in classes), dtype=np.intp)
    for g, cls in enumerate(classes):
        of[cls] = g
    types = {tuple(np.bincount(of[list(W)], minlength=len(classes))) for W in committees}
    m = len(of)
    total = sum(
        math.prod(math.comb(len(cls), t) for cls, t in zip(classes, tp, strict=True))
        for tp in types
    )
    check_count(total, name, k, m)
    out: set[Committee] = set()
    for tp in types:
        parts = [
            itertools.combinations((int(c) for c in cls), t)
            for cls, t in zip(classes, tp, strict=True)
            if t
        ]
        for combo in itertools.product(*parts):
            out.add(tuple(sorted(itertools.chain.from_iterable(combo))))
    return sorted(out)

