"""Small array helpers shared by the rule families.

numpy's reductions over a short last axis pay a per-row overhead that dominates on batches
of small profiles (10,000 × 4 × 4); ``row_sum``/``row_max`` add the columns instead.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

_SHORT = 16


def row_sum(x: NDArray, dtype: np.dtype | type | None = None) -> NDArray:
    """``x.sum(axis=-1)``, fast for a short last axis."""
    x = np.asarray(x)
    if x.shape[-1] > _SHORT or x.ndim == 1:
        return x.sum(axis=-1, dtype=dtype)
    out = x[..., 0].astype(dtype or (np.int64 if x.dtype == bool else x.dtype), copy=True)
    for j in range(1, x.shape[-1]):
        out += x[..., j]
    return out


def row_max(x: NDArray) -> NDArray:
    """``x.max(axis=-1)``, fast for a short last axis."""
    x = np.asarray(x)
    if x.shape[-1] > _SHORT or x.ndim == 1:
        return x.max(axis=-1)
    out = x[..., 0].copy()
    for j in range(1, x.shape[-1]):
        np.maximum(out, x[..., j], out=out)
    return out


def argmax_mask(scores: NDArray, valid: NDArray | None = None) -> NDArray:
    """Boolean mask of the maximal entries along the last axis (ties all kept).

    ``valid`` restricts the maximum to a subset of candidates.
    """
    s = np.asarray(scores)
    if valid is not None:
        s = np.where(valid, s, -np.inf)
    mask = s == row_max(s)[..., None]
    return mask if valid is None else mask & valid


def levels_from_scores(scores: NDArray) -> NDArray:
    """Dense levels of one score vector, 0 for the highest score."""
    uniq = np.unique(-np.asarray(scores))
    return np.searchsorted(uniq, -np.asarray(scores))

