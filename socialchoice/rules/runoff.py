"""Runoff (iterative elimination) rules computed from the ballots.

Every rule takes rank arrays ``ranks`` of shape ``(..., n, m)`` (0 = best; tied candidates
share a position; a position ``>= m`` means unranked) and weights ``(..., n)`` and returns a
boolean winner mask ``(..., m)``. All are vectorised over the batch: the only Python loop
is over elimination rounds (at most ``m``), never over profiles or voters.

Ties follow ``pref_voting``'s default versions of these rules, which are *simultaneous*
elimination, not "parallel universes": all candidates tied for elimination are removed
together, and if every remaining candidate is tied, they all win.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
from numpy.typing import NDArray

from .._margins import margins, snap_to_weight_grid
from .._registry import register
from .positional import _ballots, _orders, top_tier, weighted_count

#: :func:`register` with the family and input shared by this module's rules.
_rule = partial(register, family="runoff", needs="profile", batched=True)

_PV = "W. Holliday and E. Pacuit, 'pref_voting', JOSS (2025), iterative_methods"
_TIE_TOL = 1e-12  # pref_voting's FLOAT_TOLERANCE for tops scores with float weights


@_rule(
    "instant_runoff",
    reference="T. Hare, 'A Treatise on the Election of Representatives' (1859); " + _PV,
)
def instant_runoff(ranks: NDArray, weights: NDArray) -> NDArray:
    """Instant runoff (Hare, ranked choice): eliminate the fewest first places, repeat.

    Each round every ballot supports the candidates in its best tier among those still in
    the race (one on a strict ballot; all tied ones on a ballot with a tied top, as
    pref_voting's ``"approval"`` tops score; none once a truncated ballot is exhausted).
    All candidates with the fewest supporters are eliminated together; when every
    remaining candidate has the same support they all win. This is exactly
    ``pref_voting.iterative_methods.instant_runoff`` (default ``algorithm="basic"``,
    no ``tie_breaker``): on linear profiles its early stop at a strict majority of first
    places cannot change the winner, since a majority candidate is never eliminated. Float
    weights are compared with pref_voting's absolute tolerance 1e-12.

    References
    ----------
    .. [1] T. Hare, 'A Treatise on the Election of Representatives' (1859); W. Holliday and
       E. Pacuit, 'pref_voting', JOSS (2025), iterative_methods

    Examples
    --------
    >>> import numpy as np
    >>> r = np.array([[2, 1, 0], [0, 2, 1], [1, 2, 0]])   # c>b>a, a>c>b (2), c>a>b (2)
    >>> instant_runoff(r, np.array([1, 2, 2]))
    array([False, False,  True])
    >>> instant_runoff(np.array([[0, 1, 2], [1, 0, 2]]), np.array([1, 1]))  # a 1, b 1, c 0
    array([ True,  True, False])
    """
    r, w = _ballots(ranks, weights)
    m = r.shape[-1]
    tol = _TIE_TOL if np.issubdtype(w.dtype, np.floating) else 0
    return _eliminate_lowest(
        lambda remaining: weighted_count(top_tier(r, remaining), w), r.shape[:-2], m, tol
    )


@_rule(
    "coombs",
    reference="C. H. Coombs, 'A Theory of Data', Wiley (1964); " + _PV,
    linear_only=True,
)
def coombs(ranks: NDArray, weights: NDArray) -> NDArray:
    """Coombs: a strict majority of first places wins; else eliminate the most last places.

    Before each elimination round, a candidate ranked first (among remaining ones) by
    strictly more than half of the total weight wins. Otherwise all candidates ranked last
    by the most voters are eliminated together; if that removes everyone, those last tied
    candidates all win (as ``pref_voting.iterative_methods.coombs``). Strict, complete
    rankings only.

    References
    ----------
    .. [1] C. H. Coombs, 'A Theory of Data', Wiley (1964); W. Holliday and E. Pacuit,
       'pref_voting', JOSS (2025), iterative_methods

    Examples
    --------
    >>> import numpy as np
    >>> r = np.array([[2, 1, 0], [0, 2, 1], [1, 2, 0]])   # c>b>a, a>c>b (2), c>a>b (2)
    >>> coombs(r, np.array([1, 2, 2]))
    array([False, False,  True])
    """
    r, w = _ballots(ranks, weights)
    m = r.shape[-1]
    batch = r.shape[:-2]
    total = w.sum(axis=-1)[..., None]
    remaining = np.ones((*batch, m), dtype=bool)
    winners = np.zeros((*batch, m), dtype=bool)
    done = np.zeros((*batch, 1), dtype=bool)
    for _ in range(m + 1):
        firsts = weighted_count(top_tier(r, remaining), w)
        majority = remaining & (2 * firsts > total)
        new = majority.any(axis=-1, keepdims=True) & ~done
        winners = np.where(new, majority, winners)
        done |= new
        if done.all():
            break
        masked = np.where(remaining[..., None, :], r, -1)
        lasts = weighted_count(masked == masked.max(axis=-1, keepdims=True), w)
        high = np.where(remaining, lasts, -np.inf).max(axis=-1, keepdims=True)
        worst = remaining & (lasts == high)
        new = (worst == remaining).all(axis=-1, keepdims=True) & ~done
        winners = np.where(new, worst, winners)
        done |= new
        remaining = np.where(done, remaining, remaining & ~worst)
    return winners


def _eliminate_lowest(
    scores: Callable[[NDArray], NDArray], batch: tuple, m: int, tol: float = 0.0
) -> NDArray:
    """Remove every lowest-scoring remaining candidate each round, batched over profiles.

    ``scores(remaining)`` gives ``(*batch, m)`` scores among the remaining candidates. A
    profile stops when all its remaining candidates tie (they all win); scores within
    ``tol`` of the lowest count as lowest.
    """
    remaining = np.ones((*batch, m), dtype=bool)
    for _ in range(m):  # each round removes a candidate or ends the row
        s = scores(remaining)
        low = np.where(remaining, s, np.inf).min(axis=-1, keepdims=True)
        lowest = remaining & (s <= low + tol)
        done = (lowest == remaining).all(axis=-1, keepdims=True)
        if done.all():
            break
        remaining = np.where(done, remaining, remaining & ~lowest)
    return remaining


def _restricted_margin_sums(M: NDArray, remaining: NDArray, weights: NDArray) -> NDArray:
    """``sum_{d remaining} M[c, d]``: the Borda score among the remaining candidates,
    up to the affine map ``((k - 1) n + s) / 2`` on strict, complete rankings."""
    sums = np.einsum("...cd,...d->...c", M, remaining.astype(M.dtype))
    return snap_to_weight_grid(sums, weights)  # float weights: equal sums stay equal


@_rule(
    "baldwin",
    reference="J. M. Baldwin, 'The technique of the Nanson preferential majority system of "
    "election', Proc. Royal Society of Victoria 39 (1926); " + _PV,
    linear_only=True,
)
def baldwin(ranks: NDArray, weights: NDArray) -> NDArray:
    """Baldwin: repeatedly eliminate all candidates with the lowest Borda score.

    Borda scores are recomputed among the remaining candidates each round; all lowest
    candidates go together, and if all remaining candidates tie they all win (as
    ``pref_voting.iterative_methods.baldwin``). Strict, complete rankings only.

    References
    ----------
    .. [1] J. M. Baldwin, 'The technique of the Nanson preferential majority system of
       election', Proc. Royal Society of Victoria 39 (1926); W. Holliday and E. Pacuit,
       'pref_voting', JOSS (2025), iterative_methods

    Examples
    --------
    >>> import numpy as np
    >>> r = np.array([[1, 0, 2, 3], [3, 1, 0, 2], [2, 0, 3, 1]])
    >>> baldwin(r, np.array([2, 1, 1]))
    array([False,  True, False, False])
    """
    r, w = _ballots(ranks, weights)
    M = margins(r, w)
    return _eliminate_lowest(
        lambda remaining: _restricted_margin_sums(M, remaining, w), M.shape[:-2], M.shape[-1]
    )


@_rule(
    "strict_nanson",
    reference="E. J. Nanson, 'Methods of election', Trans. Proc. Royal Society of Victoria 19 "
    "(1882); " + _PV,
    linear_only=True,
)
def strict_nanson(ranks: NDArray, weights: NDArray) -> NDArray:
    """Strict Nanson: repeatedly eliminate every candidate with Borda score below average.

    Borda scores are recomputed among the remaining candidates each round; the rule stops
    when no remaining candidate is strictly below the average, and all remaining
    candidates win (as ``pref_voting.iterative_methods.strict_nanson``). Strict, complete
    rankings only.

    References
    ----------
    .. [1] E. J. Nanson, 'Methods of election', Trans. Proc. Royal Society of Victoria 19
       (1882); W. Holliday and E. Pacuit, 'pref_voting', JOSS (2025), iterative_methods

    Examples
    --------
    >>> import numpy as np
    >>> r = np.array([[2, 1, 0, 3], [0, 2, 1, 3], [1, 3, 0, 2], [0, 3, 2, 1]])
    >>> strict_nanson(r, np.array([2, 1, 1, 1]))
    array([False, False,  True, False])
    """
    r, w = _ballots(ranks, weights)
    M = margins(r, w)
    remaining = np.ones(M.shape[:-1], dtype=bool)
    for _ in range(M.shape[-1]):
        below = remaining & (_restricted_margin_sums(M, remaining, w) < 0)
        if not below.any():
            break
        remaining &= ~below
    return remaining


# ---------------------------------------------------------------------- references
def _is_linear(ranks: NDArray) -> bool:
    """Every row strict and ranking all candidates, or all but one (then ranked last)."""
    m = ranks.shape[-1]
    for row in ranks.tolist():
        pos = [p for p in row if p < m]
        if len(pos) < m - 1 or len(set(pos)) != len(pos):
            return False
    return True


def _instant_runoff_reference(ranks: NDArray, weights: NDArray) -> NDArray:
    """pref_voting's two code paths: linear (majority exit) and approval tops scores."""
    m = ranks.shape[-1]
    ws = weights.tolist()
    if _is_linear(ranks):
        orders = _orders(ranks)  # a left-out candidate (position m) sorts last
        total = sum(ws)
        out: set[int] = set()
        remaining = list(range(m))

        def firsts(cands: list[int]) -> dict[int, float]:
            f = dict.fromkeys(cands, 0)
            for o, w in zip(orders, ws, strict=True):
                f[next(c for c in o if c in cands)] += w
            return f

        while not out:
            f = firsts(remaining)
            major = [c for c in remaining if 2 * f[c] > total]
            if major:
                out = set(major)
                break
            low = min(f.values())
            lowest = [c for c in remaining if f[c] == low]
            remaining = [c for c in remaining if c not in lowest]
            if not remaining:
                out = set(lowest)
        return np.isin(np.arange(m), sorted(out))
    rows = ranks.tolist()
    remaining = list(range(m))
    while len(remaining) > 1:
        score = dict.fromkeys(remaining, 0)
        for row, w in zip(rows, ws, strict=True):
            ranked = [c for c in remaining if row[c] < m]
            if ranked:
                best = min(row[c] for c in ranked)
                for c in ranked:
                    if row[c] == best:
                        score[c] += w
        low = min(score.values())
        lowest = [c for c in remaining if abs(score[c] - low) <= _TIE_TOL]
        if len(lowest) == len(remaining):
            break
        remaining = [c for c in remaining if c not in lowest]
    return np.isin(np.arange(m), remaining)


def _coombs_reference(ranks: NDArray, weights: NDArray) -> NDArray:
    m = ranks.shape[-1]
    orders, ws = _orders(ranks), weights.tolist()
    total = sum(ws)
    remaining = list(range(m))
    while True:
        first = dict.fromkeys(remaining, 0)
        last = dict.fromkeys(remaining, 0)
        for o, w in zip(orders, ws, strict=True):
            kept = [c for c in o if c in remaining]
            first[kept[0]] += w
            last[kept[-1]] += w
        major = [c for c in remaining if 2 * first[c] > total]
        if major:
            return np.isin(np.arange(m), major)
        high = max(last.values())
        worst = [c for c in remaining if last[c] == high]
        remaining = [c for c in remaining if c not in worst]
        if not remaining:
            return np.isin(np.arange(m), worst)


def _borda_among(orders: list[list[int]], ws: list, cands: list[int]) -> dict[int, float]:
    k = len(cands)
    score = dict.fromkeys(cands, 0)
    for o, w in zip(orders, ws, strict=True):
        for pos, c in enumerate(c for c in o if c in cands):
            score[c] += w * (k - 1 - pos)
    return score


def _baldwin_reference(ranks: NDArray, weights: NDArray) -> NDArray:
    m = ranks.shape[-1]
    orders, ws = _orders(ranks), weights.tolist()
    remaining = list(range(m))
    while True:
        score = _borda_among(orders, ws, remaining)
        low = min(score.values())
        lowest = [c for c in remaining if score[c] == low]
        if len(lowest) == len(remaining):
            return np.isin(np.arange(m), remaining)
        remaining = [c for c in remaining if c not in lowest]


def _strict_nanson_reference(ranks: NDArray, weights: NDArray) -> NDArray:
    m = ranks.shape[-1]
    orders, ws = _orders(ranks), weights.tolist()
    remaining = list(range(m))
    while True:
        score = _borda_among(orders, ws, remaining)
        mean = sum(score.values()) / len(remaining)
        below = [c for c in remaining if score[c] < mean]
        if not below:
            return np.isin(np.arange(m), remaining)
        remaining = [c for c in remaining if c not in below]
