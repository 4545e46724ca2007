"""The baselines a rater must beat: each statement's majority and the overall agree share."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._hiding import as_votes

__all__ = ["majority_baseline", "overall_baseline"]


def majority_baseline(V_train: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Each statement's majority among the training votes (the majority-vote baseline).

    ``P(agree) = (agrees + 1) / (agrees + disagrees + 2)`` of the statement (passes not
    counted); the predicted label is the statement's majority, ties broken by the majority
    of all training votes (ties there: agree).

    Parameters
    ----------
    V_train : array_like, shape (n, m)

    Returns
    -------
    p_agree : ndarray of float, shape (m,)
    predicted : ndarray of bool, shape (m,)

    References
    ----------
    .. [1] C. Small et al., 'Polis', Recerca 26(2), 2021, §3 (the same add-one smoothing of
       agree shares).

    Examples
    --------
    >>> V = [[1, -1, 1], [1, 1, -1], [-1, np.nan, 0]]
    >>> p, predicted = majority_baseline(V)
    >>> p.round(3).tolist(), predicted.tolist()
    ([0.6, 0.5, 0.5], [True, True, True])
    """
    V = as_votes(V_train, "majority_baseline")
    agrees = (V == 1.0).sum(axis=0)
    disagrees = (V == -1.0).sum(axis=0)
    overall = agrees.sum() >= disagrees.sum()
    p = (agrees + 1.0) / (agrees + disagrees + 2.0)
    return p, np.where(agrees == disagrees, overall, agrees > disagrees)


def overall_baseline(V: NDArray, size: int) -> tuple[NDArray, NDArray]:
    """The global training agree share for ``size`` votes, and its majority label."""
    agrees, disagrees = (V == 1.0).sum(), (V == -1.0).sum()
    share = agrees / max(agrees + disagrees, 1)
    return np.full(size, share), np.full(size, agrees >= disagrees)
