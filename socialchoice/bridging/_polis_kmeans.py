"""Polis's group step on the base clusters: its k-means start and its choice of k.

Polis (``math/src/polismath/math/clusters.clj`` and ``conversation.clj`` in
compdemocracy/polis) clusters the base-cluster centres, weighted by their sizes, for every k
from 2 to ``max-k-fn`` = ``min(5, 2 + n_base // 12)``:

* ``init-clusters``: the first k *distinct* centres in base-cluster order (base-cluster ids
  follow the first participants to enter the conversation), no random restarts;
* ``kmeans``: weighted Lloyd steps until every (sorted) centre moves less than 0.01, at most
  20 steps (``:cluster-iters`` is passed but ``kmeans`` reads ``:max-iters``, default 20); a
  cluster that loses all its members is dropped, not relocated;
* ``silhouette`` of each clustering over the base-cluster centres (unweighted);
* ``group-k-smoother``: the k of the best silhouette (``this-k``) replaces the current k only
  after it has been the best ``group-k-buffer`` = 4 updates in a row. Every conversation
  starts with k = 2: while fewer than 24 base clusters exist, ``max-k-fn`` offers at most 3
  and, below 12, only 2, so a new k must win 4 updates in a row to displace 2.

A single snapshot has no update history. :func:`~._groups.opinion_groups` therefore feeds
:func:`smoothed_k` (the smoother itself)
the best k of ``k_buffer`` independent re-clusterings of the snapshot (fresh
base clusters each: the variation successive updates bring), starting from k = 2: a k other
than 2 is adopted only if it wins all of them; ``k_buffer=1`` is the plain silhouette
choice. Polis scores k on clusterings warm-started and refined over many updates; a single
cold start is a poor stand-in for those (on three clear camps it lands in a poor
3-clustering in some runs), so k is scored on the best of several k-means++ runs, while the
groups themselves come from Polis's start.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["polis_group_kmeans", "polis_order", "smoothed_k"]

_MOVE = 0.01  # same-clustering? threshold on centre moves
_MAX_STEPS = 20  # kmeans's default :max-iters


def polis_order(labels: NDArray[np.int64], n_base: int) -> NDArray[np.intp]:
    """Base clusters in the order of their first member (the participant order).

    >>> polis_order(np.array([2, 0, 2, 1]), 3).tolist()
    [2, 0, 1]
    """
    first = np.full(n_base, len(labels))
    np.minimum.at(first, labels, np.arange(len(labels)))
    return np.argsort(first, kind="stable")


def _nearest(X: NDArray[np.float64], C: NDArray[np.float64]) -> NDArray[np.intp]:
    return np.argmin(((X[:, None, :] - C[None, :, :]) ** 2).sum(axis=2), axis=1)


def polis_group_kmeans(
    X: NDArray[np.float64], w: NDArray[np.float64], k: int
) -> NDArray[np.int64]:
    """Polis's ``kmeans`` of the rows of X (weights w) from its ``init-clusters`` start.

    Returns labels 0..k'-1 (k' <= k: clusters that empty are dropped, as in Polis).

    >>> X = np.array([[0.0, 0], [0.1, 0], [5, 5], [5.1, 5]])
    >>> polis_group_kmeans(X, np.ones(4), 2).tolist()
    [0, 0, 1, 1]
    """
    _, first = np.unique(X, axis=0, return_index=True)
    C = X[np.sort(first)[:k]]
    for _ in range(_MAX_STEPS + 1):
        labels = _nearest(X, C)
        kept = np.unique(labels)
        W = np.bincount(labels, weights=w, minlength=len(C))[kept]
        new = np.stack([np.bincount(labels, weights=w * X[:, j], minlength=len(C))[kept]
                        for j in range(X.shape[1])], axis=1) / W[:, None]
        same = len(new) == len(C) and bool(np.all(
            np.linalg.norm(np.sort(new, axis=0) - np.sort(C, axis=0), axis=1) < _MOVE))
        C = new
        if same:
            break
    return np.unique(_nearest(X, C), return_inverse=True)[1].reshape(-1).astype(np.int64)


def smoothed_k(best: Sequence[int], *, start: int = 2, buffer: int = 4) -> int:
    """Polis's ``group-k-smoother`` fed the best k of successive updates, from k = ``start``.

    ``this-k`` replaces the smoothed k once it has been the best ``buffer`` times in a row.

    >>> smoothed_k([3, 3, 3, 2], buffer=4), smoothed_k([3, 3, 3, 3], buffer=4)
    (2, 3)
    >>> smoothed_k([4], buffer=1)
    4
    """
    k, last, count = start, None, 0
    for this in best:
        count = count + 1 if this == last else 1
        last = this
        if count >= buffer:
            k = this
    return k
