"""Small array helpers shared by the rule families."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def argmax_mask(scores: NDArray, valid: NDArray | None = None) -> NDArray:
    """Boolean mask of the maximal entries along the last axis (ties all kept).

    ``valid`` restricts the maximum to a subset of candidates.
    """
    s = np.asarray(scores)
    if valid is not None:
        s = np.where(valid, s, -np.inf)
    best = s.max(axis=-1, keepdims=True)
    mask = s == best
    return mask if valid is None else mask & valid


def levels_from_scores(scores: NDArray) -> NDArray:
    """Dense levels of one score vector, 0 for the highest score."""
    uniq = np.unique(-np.asarray(scores))
    return np.searchsorted(uniq, -np.asarray(scores))
