"""Collective rankings of a batch of per-prompt profiles under any ``socialchoice`` rule.

:func:`collective_levels` turns a batch of profiles (margins and, for rules that need the
ballots, rank arrays) into weak-order levels, 0 for the best tier, one row per profile. How a
rule's winners become a ranking depends on the rule (the same choices as
:func:`socialchoice.ranking` where that function applies):

- rules ranking by a score whose order function is batched (Copeland, minimax, Borda,
  plurality, anti-plurality, whose order is the score, and Schulze, whose order peels the
  beat-path defeat relation) are called once on the whole batch (:data:`BATCHED_ORDERS`);
- other rules with an order function (ranked pairs, Kemeny, Slater) are called once per
  *distinct* margin matrix of the batch (:func:`socialchoice._margins.map_unique_matrices`);
- rules that only choose winners (Condorcet, Smith, Schwartz, uncovered set, Split Cycle,
  stable voting, maximal lotteries, Llull, Black, Bucklin and the runoff rules) rank by
  **repeated winner removal**: tier 0 is the rule's winners, tier 1 the winners of the
  sub-election without them, and so on (pref_voting's ``swf_from_vm``). The sub-elections
  of one round are batched by their number of remaining candidates, so the loops run over
  rounds and sizes, never over profiles.

Ranks given to profile-based rules are first put in a canonical form (:func:`canonical_ranks`):
a ranked response's position is the number of responses its evaluator ranks strictly above
it, an unranked one gets ``m``; the weak order each evaluator expressed is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

import socialchoice as sc
from socialchoice._margins import map_unique_matrices

__all__ = ["BATCHED_ORDERS", "canonical_ranks", "collective_levels", "dense_levels"]

#: Rules whose registered order function takes a whole batch: ranking by a batched score
#: function (levels that are monotone in the score within every row) or Schulze's batched
#: beat-path levels. A test checks each against the order of one profile at a time.
BATCHED_ORDERS = frozenset({"copeland", "minimax", "borda", "plurality", "anti_plurality",
                            "schulze"})


def dense_levels(levels: NDArray) -> NDArray:
    """Rows of weak-order levels renumbered 0, 1, 2, ... (order and ties kept).

    Examples
    --------
    >>> import numpy as np
    >>> dense_levels(np.array([[5, 2, 5, 9], [0, 0, 1, 1]])).tolist()
    [[1, 0, 1, 2], [0, 0, 1, 1]]
    """
    L = np.asarray(levels)
    s = np.sort(L, axis=-1)
    new = np.ones(s.shape, dtype=bool)
    new[..., 1:] = s[..., 1:] != s[..., :-1]
    # level of c = number of distinct values below L[c]
    below = (s[..., None, :] < L[..., :, None]) & new[..., None, :]
    return below.sum(axis=-1)


def canonical_ranks(ranks: NDArray, ranked: NDArray) -> NDArray:
    """Positions 0 = best with ties shared, ``m`` for unranked responses.

    A ranked response's position is the number of responses its evaluator ranked strictly
    above it (standard competition ranking), so any integer ranks with the same weak order
    give the same ballots; ``ranked`` marks the cells the evaluator ranked.

    Examples
    --------
    >>> import numpy as np
    >>> r = np.array([[[3, 9, 3, 0]]])
    >>> canonical_ranks(r, np.array([[[True, True, True, False]]])).tolist()
    [[[0, 2, 0, 4]]]
    """
    m = ranks.shape[-1]
    big = np.where(ranked, ranks, np.iinfo(np.int64).max)
    above = (big[..., None, :] < big[..., :, None]).sum(axis=-1)
    out = np.where(ranked, above, m)
    return out.astype(np.int8 if m < 127 else np.int32)


def _order_levels(rule: sc.Rule, M: NDArray, ranks: NDArray | None, weights: NDArray | None,
                  options: dict) -> NDArray:  # rule.order is not None
    """Levels from a rule's registered order function (batched or per distinct matrix)."""
    order = rule.order
    if rule.name in BATCHED_ORDERS:
        if rule.needs == "margins":
            return np.asarray(order(M, **options))
        w = np.ones(ranks.shape[:-1], dtype=np.int64) if weights is None else weights
        return np.asarray(order(ranks, w, **options))
    if rule.needs == "margins":
        return map_unique_matrices(M, lambda A: order(A, **options), np.int64)
    return _per_distinct_profile(ranks, weights, lambda r, w: order(r, w, **options))


def _per_distinct_profile(ranks: NDArray, weights: NDArray | None,
                          func: Callable[[NDArray, NDArray], NDArray]) -> NDArray:
    """``func(ranks, weights)`` of each distinct profile of a batch (a loop over distinct
    profiles, for profile-based order functions that take one profile at a time)."""
    B, n, m = ranks.shape
    w = np.ones((B, n), dtype=np.int64) if weights is None else weights
    rows = np.concatenate([ranks.reshape(B, -1).astype(np.float64), w.astype(np.float64)], 1)
    _, first, inverse = np.unique(rows, axis=0, return_index=True, return_inverse=True)
    out = np.stack([np.asarray(func(ranks[i], w[i])) for i in first]) if B else \
        np.zeros((0, m), dtype=np.int64)
    return out[inverse.ravel()]


def _sub_ranks(ranks: NDArray, idx: NDArray) -> NDArray:
    """The ballots restricted to candidates ``idx`` ``(B, k)``, canonical again."""
    B, n, _ = ranks.shape
    sub = ranks[np.arange(B)[:, None, None], np.arange(n)[None, :, None], idx[:, None, :]]
    m = ranks.shape[-1]
    return canonical_ranks(sub.astype(np.int64), sub < m)


def _removal_levels(rule: sc.Rule, M: NDArray, ranks: NDArray | None,
                    weights: NDArray | None, time_limit: float | None) -> NDArray:
    """Levels by repeated winner removal, batched by the number of remaining candidates."""
    B, m = M.shape[0], M.shape[-1]
    levels = np.full((B, m), -1, dtype=np.int64)
    for k in range(m):
        remaining = levels < 0
        count = remaining.sum(axis=1)
        if not count.any():
            break
        for size in np.unique(count[count > 0]):
            sel = np.flatnonzero(count == size)
            # remaining candidates of each selected profile, in index order
            idx = np.sort(np.argsort(~remaining[sel], axis=1, kind="stable")[:, :size], axis=1)
            if size == 1:
                mask = np.ones((len(sel), 1), dtype=bool)
            elif rule.needs == "margins":
                sub = M[sel[:, None, None], idx[:, :, None], idx[:, None, :]]
                mask = sc.winner_mask(sub, rule, time_limit=time_limit)
            else:
                w = None if weights is None else weights[sel]
                mask = sc.winner_mask(ranks=_sub_ranks(ranks[sel], idx), weights=w, rule=rule,
                                      time_limit=time_limit)
            rows, cols = np.nonzero(mask)
            levels[sel[rows], idx[rows, cols]] = k
    return levels


def collective_levels(rule: sc.Rule, M: NDArray, ranks: NDArray | None = None,
                      weights: NDArray | None = None, *,
                      time_limit: float | None = sc.DEFAULT_TIME_LIMIT) -> NDArray:
    """Dense weak-order levels ``(B, m)`` of a batch of profiles, 0 = best tier.

    Parameters
    ----------
    rule : socialchoice.Rule
        The rule (see the module notes for how each family ranks).
    M : ndarray, shape (B, m, m)
        Margins of each profile.
    ranks : ndarray of int, shape (B, n, m), optional
        Canonical ballots (:func:`canonical_ranks`); required by profile-based rules.
    weights : ndarray, shape (B, n), optional
        Ballot weights (0 for padding), default 1.
    time_limit : float or None
        Seconds for each search of a rule that can take exponential time.

    Returns
    -------
    ndarray of int, shape (B, m)

    Examples
    --------
    >>> import numpy as np, socialchoice as sc
    >>> F = np.array([[0, 1, 1, -1], [-1, 0, 1, -1], [-1, -1, 0, 1], [1, 1, -1, 0]])
    >>> collective_levels(sc.RULES["copeland"], F[None]).tolist()
    [[0, 1, 1, 0]]
    """
    if rule.order is not None:
        options = {"time_limit": time_limit} if "time_limit" in rule.order_options else {}
        levels = _order_levels(rule, M, ranks, weights, options)
    else:
        levels = _removal_levels(rule, M, ranks, weights, time_limit)
    return dense_levels(levels)
