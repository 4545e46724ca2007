"""Positional (scoring) rules and their relatives, computed from the ballots.

Every rule takes rank arrays ``ranks`` of shape ``(..., n, m)`` (``ranks[..., v, c]`` is
candidate ``c``'s position on ballot ``v``, 0 = best; tied candidates share a position;
a position ``>= m`` means *unranked*, as in :attr:`socialchoice.Profile.ranks`) and
weights ``(..., n)``, and returns a boolean winner mask ``(..., m)``. All are vectorised
over the leading batch dimensions; Bucklin loops over the ``m`` positions only.

Tie convention (as ``pref_voting``): every candidate with the best score wins.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._errors import RuleInputError
from .._margins import check_rank_array, check_weights, margins, snap_to_weight_grid
from .._registry import register, register_order
from ._common import argmax_mask, order_by

__all__ = [
    "anti_plurality_scores",
    "borda_scores",
    "plurality_scores",
    "positional_scores",
    "top_tier",
]

#: :func:`register` with the family and input shared by this module's rules.
_rule = partial(register, family="positional", needs="profile", batched=True)

_ZWICKER = "W. S. Zwicker, 'Introduction to the Theory of Voting', Handbook of COMSOC (2016), ch. 2"


# ---------------------------------------------------------------------- helpers
def _weights(ranks: NDArray, weights: ArrayLike | None) -> NDArray:
    """Weights broadcast to ``ranks.shape[:-1]`` (:func:`check_weights`), default 1 each."""
    if weights is None:
        return np.ones(ranks.shape[:-1], dtype=np.int64)
    return check_weights(weights, ranks.shape, "a positional or runoff rule", error=RuleInputError)


def _ranks(ranks: ArrayLike) -> NDArray:
    return check_rank_array(ranks, "a positional or runoff rule", error=RuleInputError)


def _ballots(ranks: ArrayLike, weights: ArrayLike | None) -> tuple[NDArray, NDArray]:
    """Checked rank array and its weights (:func:`_weights`)."""
    r = _ranks(ranks)
    return r, _weights(r, weights)


def weighted_count(mask: NDArray, weights: NDArray) -> NDArray:
    """``sum_v weights[..., v] * mask[..., v, c]`` as an ``(..., m)`` array."""
    counts = np.einsum("...v,...vc->...c", weights, mask.astype(weights.dtype))
    return snap_to_weight_grid(counts, weights)


def top_tier(ranks: ArrayLike, active: ArrayLike | None = None) -> NDArray:
    """Which candidates each ballot ranks first among the ``active`` ones.

    Parameters
    ----------
    ranks : array_like of int, shape (..., n, m)
        Positions, 0 = best; positions ``>= m`` are unranked (never in the top tier).
    active : array_like of bool, shape (..., m), optional
        Candidates still in the race (default: all).

    Returns
    -------
    ndarray of bool, shape (..., n, m)
        ``True`` for the candidates in each ballot's best tier among active candidates
        (several on a ballot with a tied top; none on a ballot ranking no active one).

    References
    ----------
    .. [1] W. Holliday and E. Pacuit, *pref_voting* (2025), ``Ranking.first``.

    Examples
    --------
    >>> import numpy as np
    >>> top_tier(np.array([[1, 0, 2], [0, 0, 3]]), active=np.array([True, False, True]))
    array([[ True, False, False],
           [ True, False, False]])
    """
    r = _ranks(ranks)
    m = r.shape[-1]
    if active is not None:
        r = np.where(np.asarray(active, dtype=bool)[..., None, :], r, m)
    best = r.min(axis=-1, keepdims=True)
    return (r == best) & (r < m)


# ---------------------------------------------------------------------- scores
def positional_scores(
    ranks: ArrayLike, vector: ArrayLike, weights: ArrayLike | None = None
) -> NDArray:
    """Scores of a positional scoring rule: ``sum_v w_v * vector[position of c on v]``.

    Parameters
    ----------
    ranks : array_like of int, shape (..., n, m)
        Positions, 0 = best; a position ``>= len(vector)`` scores 0.
    vector : array_like, shape (k,)
        Points for positions ``0..k-1`` (Borda: ``m-1, ..., 0``; plurality: ``1, 0, ...``).
    weights : array_like, shape (..., n), optional
        Voter weights (default 1 each).

    Returns
    -------
    ndarray, shape (..., m)

    References
    ----------
    .. [1] W. S. Zwicker, 'Introduction to the Theory of Voting', Handbook of COMSOC
       (2016), ch. 2 (scoring rules).

    Examples
    --------
    >>> import numpy as np
    >>> r = np.array([[0, 1, 2], [2, 0, 1], [0, 2, 1]])
    >>> positional_scores(r, [2, 1, 0])
    array([4, 3, 2])
    >>> positional_scores(r, [1, 1, 0], weights=[2, 1, 1])       # "vote for two"
    array([3, 3, 2])
    """
    r = _ranks(ranks)
    if (r < 0).any():
        raise RuleInputError("ranks must be non-negative positions (0 = best).")
    v = np.asarray(vector)
    if v.ndim != 1:
        raise RuleInputError(f"vector must be one-dimensional; got shape {v.shape}.")
    w = _weights(r, weights)
    points = np.concatenate([v, np.zeros(1, dtype=v.dtype)])[np.minimum(r, len(v))]
    scores = np.einsum("...v,...vc->...c", w, points)
    return snap_to_weight_grid(scores, w * max(1.0, float(np.abs(v).max(initial=0))))


def plurality_scores(ranks: ArrayLike, weights: ArrayLike | None = None) -> NDArray:
    """Weighted number of ballots that rank each candidate first, ``(..., m)``.

    Truncated ballots count for their top candidate; an empty ballot counts for nobody.
    A ballot (of positive weight) with several candidates tied in first place raises
    :class:`~socialchoice.RuleInputError`, as ``pref_voting`` raises there. The scores of
    :func:`plurality`; on ballots without ties, :func:`positional_scores` with the vector
    ``(1,)`` (see there for the reference).

    Examples
    --------
    >>> import numpy as np
    >>> plurality_scores(np.array([[0, 1, 2], [1, 0, 2], [0, 3, 3]]))
    array([2, 1, 0])
    """
    r, w = _ballots(ranks, weights)
    top = top_tier(r)
    tied = (top.sum(axis=-1) > 1) & (w > 0)
    if tied.any():
        where = tuple(int(i) for i in np.argwhere(tied)[0])
        raise _tied_first_error(where, np.flatnonzero(top[where]).tolist())
    return weighted_count(top, w)


def _tied_first_error(where: tuple[int, ...], tied: list[int]) -> RuleInputError:
    """The error for ballot ``where`` (batch indices, then the 0-based ballot) tying
    candidates ``tied`` first: numbered from 1, and named once the labels are known."""
    *batch, v = where
    profile = f" of profile {tuple(batch)}" if batch else ""

    def message(names: list[str]) -> str:
        listed = ", ".join(names[:-1]) + " and " + names[-1]
        return (
            f"Plurality needs one first choice per ballot, but ballot {v + 1}{profile} ties "
            f"{listed} first; plurality is undefined when a ballot has several first choices."
        )

    return RuleInputError(
        message([f"column {c}" for c in tied]),
        relabel=lambda labels: message([str(labels[c]) for c in tied]),
    )


def borda_scores(ranks: ArrayLike, weights: ArrayLike | None = None) -> NDArray:
    """Borda scores ``sum_v w_v (m - 1 - position)`` on strict, complete rankings.

    References
    ----------
    .. [1] J.-C. de Borda, 'Mémoire sur les élections au scrutin', Histoire de l'Académie
       Royale des Sciences (1781).

    Examples
    --------
    >>> import numpy as np
    >>> borda_scores(np.array([[0, 1, 2], [1, 0, 2], [0, 2, 1]]), weights=[1, 1, 2])
    array([7, 3, 2])
    """
    r, w = _ballots(ranks, weights)
    m = r.shape[-1]
    scores = np.einsum("...v,...vc->...c", w, (m - 1 - r).astype(w.dtype))
    return snap_to_weight_grid(scores, w * (m - 1))


def anti_plurality_scores(ranks: ArrayLike, weights: ArrayLike | None = None) -> NDArray:
    """Weighted number of ballots that rank each candidate last (lower is better).

    The scores of :func:`anti_plurality`: on strict, complete rankings,
    :func:`positional_scores` with the vector ``(0, ..., 0, 1)`` (see there for the
    reference).

    Examples
    --------
    >>> import numpy as np
    >>> anti_plurality_scores(np.array([[0, 1, 2], [1, 0, 2], [0, 2, 1]]))
    array([0, 1, 2])
    """
    r, w = _ballots(ranks, weights)
    return weighted_count(r == r.shape[-1] - 1, w)


# ---------------------------------------------------------------------- rules
@_rule("plurality", reference=_ZWICKER)
def plurality(ranks: NDArray, weights: NDArray) -> NDArray:
    """Most first-place votes (truncated ballots allowed; a tied top raises).

    Ties: all candidates with the most first places win (as
    ``pref_voting.scoring_methods.plurality``). Truncated ballots count for their first
    choice; empty ballots count for nobody. A ballot that ties several candidates first
    raises :class:`~socialchoice.RuleInputError` (``pref_voting`` raises too).

    Examples
    --------
    >>> import numpy as np
    >>> plurality(np.array([[0, 1, 2], [1, 0, 2], [0, 2, 1]]), np.array([1, 3, 1]))
    array([False,  True, False])
    """
    return argmax_mask(plurality_scores(ranks, weights))


register_order("plurality")(order_by(plurality_scores))


@_rule(
    "borda",
    reference="J.-C. de Borda, 'Mémoire sur les élections au scrutin' (1781); " + _ZWICKER,
    linear_only=True,
)
def borda(ranks: NDArray, weights: NDArray) -> NDArray:
    """Highest Borda score (m-1 points for a first place, ..., 0 for a last).

    Defined on strict, complete rankings only. Ties: every candidate with the highest
    score wins (as ``pref_voting.scoring_methods.borda``).

    Examples
    --------
    >>> import numpy as np
    >>> borda(np.array([[0, 1, 2], [1, 2, 0], [2, 0, 1], [0, 2, 1]]), np.ones(4, int))
    array([ True, False, False])
    """
    return argmax_mask(borda_scores(ranks, weights))


register_order("borda")(order_by(borda_scores))


@_rule("anti_plurality", reference=_ZWICKER, linear_only=True)
def anti_plurality(ranks: NDArray, weights: NDArray) -> NDArray:
    """Fewest last-place votes (the "veto" scoring rule).

    Defined on strict, complete rankings only. Ties: every candidate with the fewest last
    places wins (as ``pref_voting.scoring_methods.anti_plurality``).

    Examples
    --------
    >>> import numpy as np
    >>> anti_plurality(np.array([[0, 1, 2], [1, 0, 2], [0, 2, 1]]), np.ones(3, int))
    array([ True, False, False])
    """
    return argmax_mask(-anti_plurality_scores(ranks, weights))


register_order("anti_plurality")(order_by(anti_plurality_scores, lower_is_better=True))


@_rule(
    "bucklin",
    reference="J. W. Bucklin, Grand Junction charter (1909); D. M. Hoag and G. H. Hallett, "
    "'Proportional Representation' (1926); " + _ZWICKER,
    linear_only=True,
)
def bucklin(ranks: NDArray, weights: NDArray) -> NDArray:
    """Bucklin: widen the top-k window until someone is in a strict majority of them.

    For ``k = 1, 2, ...`` count, for each candidate, the ballots that rank it among their
    first ``k``; at the first ``k`` where some count exceeds half the total weight, the
    candidates with the largest count win (as ``pref_voting.other_methods.bucklin``).
    Defined on strict, complete rankings only.

    Examples
    --------
    >>> import numpy as np
    >>> r = np.array([[1, 0, 2], [0, 2, 1], [0, 1, 2]])        # b>a>c (2), a>c>b, a>b>c
    >>> bucklin(r, np.array([2, 1, 1]))
    array([ True, False, False])
    """
    r, w = _ballots(ranks, weights)
    m = r.shape[-1]
    total = w.sum(axis=-1)[..., None]
    chosen = np.zeros((*r.shape[:-2], m), dtype=w.dtype)
    found = np.zeros((*r.shape[:-2], 1), dtype=bool)
    for k in range(m):  # loop over window sizes, never over profiles
        score = weighted_count(r <= k, w)
        hit = (2 * score > total).any(axis=-1, keepdims=True) & ~found
        chosen = np.where(hit, score, chosen)
        found |= hit
    return argmax_mask(chosen)


def _condorcet_winner_mask(M: NDArray) -> NDArray:
    m = M.shape[-1]
    return (M > 0).sum(axis=-1) == m - 1


@_rule(
    "black",
    reference="D. Black, 'The Theory of Committees and Elections', Cambridge UP (1958)",
    linear_only=True,
)
def black(ranks: NDArray, weights: NDArray) -> NDArray:
    """Black's rule: the Condorcet winner if there is one, otherwise the Borda winners.

    Defined on strict, complete rankings only (as ``pref_voting.combined_methods.blacks``).

    Examples
    --------
    >>> import numpy as np
    >>> r = np.array([[2, 0, 1], [0, 1, 2], [2, 1, 0], [1, 2, 0]])   # no Condorcet winner
    >>> black(r, np.ones(4, int))
    array([False, False,  True])
    """
    r, w = _ballots(ranks, weights)
    cw = _condorcet_winner_mask(margins(r, w))
    return np.where(cw.any(axis=-1, keepdims=True), cw, borda(r, w))


# ---------------------------------------------------------------------- references
def _orders(ranks: NDArray) -> list[list[int]]:
    """Linear ranks (one profile) as lists of candidates, best first."""
    return [[int(c) for c in np.argsort(row, kind="stable")] for row in ranks]


def _best(score: dict[int, float], pick: Callable[..., float]) -> NDArray:
    """Mask of the candidates ``0..m-1`` whose score is ``pick(scores)`` (``max`` or ``min``)."""
    top = pick(score.values())
    return np.array([score[c] == top for c in range(len(score))])


def _plurality_reference(ranks: NDArray, weights: NDArray) -> NDArray:
    m = ranks.shape[-1]
    score = dict.fromkeys(range(m), 0)
    for row, w in zip(ranks.tolist(), weights.tolist(), strict=True):
        ranked = [c for c in range(m) if row[c] < m]
        if not ranked:
            continue
        best = min(row[c] for c in ranked)
        firsts = [c for c in ranked if row[c] == best]
        if len(firsts) > 1 and w > 0:
            raise RuleInputError("tied first place")
        score[firsts[0]] += w
    return _best(score, max)


def _borda_reference(ranks: NDArray, weights: NDArray) -> NDArray:
    m = ranks.shape[-1]
    score = dict.fromkeys(range(m), 0)
    for order, w in zip(_orders(ranks), weights.tolist(), strict=True):
        for pos, c in enumerate(order):
            score[c] += w * (m - 1 - pos)
    return _best(score, max)


def _anti_plurality_reference(ranks: NDArray, weights: NDArray) -> NDArray:
    m = ranks.shape[-1]
    last = dict.fromkeys(range(m), 0)
    for order, w in zip(_orders(ranks), weights.tolist(), strict=True):
        last[order[-1]] += w
    return _best(last, min)


def _bucklin_reference(ranks: NDArray, weights: NDArray) -> NDArray:
    m = ranks.shape[-1]
    orders, ws = _orders(ranks), weights.tolist()
    total = sum(ws)
    for k in range(1, m + 1):
        score = {c: sum(w for o, w in zip(orders, ws, strict=True) if c in o[:k]) for c in range(m)}
        if any(2 * s > total for s in score.values()):
            break
    return _best(score, max)


def _black_reference(ranks: NDArray, weights: NDArray) -> NDArray:
    m = ranks.shape[-1]
    orders, ws = _orders(ranks), weights.tolist()
    for c in range(m):
        beats = [
            sum(w for o, w in zip(orders, ws, strict=True) if o.index(c) < o.index(d))
            > sum(w for o, w in zip(orders, ws, strict=True) if o.index(d) < o.index(c))
            for d in range(m)
            if d != c
        ]
        if all(beats):
            return np.arange(m) == c
    return _borda_reference(ranks, weights)
