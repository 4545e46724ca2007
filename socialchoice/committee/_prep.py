"""Shared helpers of the committee rules: level sets, candidate symmetry, tolerances."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

from ._registry import Committee, aggregate_rows, check_count, row_keys

#: Relative tolerance below which two scores (loads, prices) count as tied.
REL_TOL = 1e-9


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


def tied(values: NDArray[np.float64], best: float, scale: float, *, lower: bool = False):
    """Mask of entries within REL_TOL * scale of ``best`` (the max, or the min if lower)."""
    tol = REL_TOL * scale
    return values <= best + tol if lower else values >= best - tol
