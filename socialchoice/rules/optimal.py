"""Rules defined by an optimisation over the margins: Kemeny, Slater and maximal lotteries.

Kemeny and Slater maximise ``sum(W[a, b] for a ranked above b)`` over linear orders, with
``W = M`` (Kemeny) or ``W = sign(M)`` (Slater): the linear ordering problem, solved exactly
by integer programming in :mod:`socialchoice.rules._lop` (never by enumerating orders).
Winners are the tops of *all* optimal orders.

Maximal lotteries are optimal mixed strategies of the symmetric zero-sum game ``M``, found
by linear programming (:func:`scipy.optimize.linprog`, HiGHS).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._errors import SocialChoiceError
from .._margins import map_unique_matrices
from .._registry import register, register_order
from .._timelimit import DEFAULT_TIME_LIMIT, check_time_limit
from ._lop import (
    _antisymmetric,
    _Clock,
    _lop_order,
    _lop_reference,
    _lop_winners,
    _score,
    _single,
)

__all__ = [
    "essential_set",
    "kemeny",
    "kemeny_ranking",
    "maximal_lottery",
    "slater",
    "slater_ranking",
]

#: :func:`register` with the family and input shared by this module's rules.
_rule = partial(register, family="optimal", needs="margins", batched=True)

_KEMENY = (
    "J. G. Kemeny, 'Mathematics without numbers', Daedalus 88 (1959); H. P. Young and "
    "A. Levenglick, 'A consistent extension of Condorcet's election principle', SIAM J. Appl. "
    "Math. 35 (1978)"
)
_SLATER = "P. Slater, 'Inconsistencies in a schedule of paired comparisons', Biometrika 48 (1961)"
_ML = (
    "P. C. Fishburn, 'Probabilistic social choice based on simple voting comparisons', "
    "Rev. Econ. Stud. 51 (1984); B. Dutta and J.-F. Laslier, 'Comparison functions and choice "
    "correspondences', Soc. Choice Welf. 16 (1999) (the essential set)"
)


# --------------------------------------------------------------------------- Kemeny
def kemeny_ranking(
    M: ArrayLike, *, time_limit: float | None = DEFAULT_TIME_LIMIT
) -> tuple[NDArray, float]:
    """One Kemeny ranking of a margin matrix, with its score.

    A Kemeny ranking maximises ``sum(M[a, b] for a ranked above b)``; equivalently, for
    margins of a profile, it minimises the total Kendall-tau distance to the ballots.

    Parameters
    ----------
    M : array_like, shape (m, m)
        One antisymmetric margin matrix.
    time_limit : float or None, default 10
        Seconds allowed for the whole optimisation (``None``: no limit); if optimality is
        not proven in time a :class:`~socialchoice.TimeLimitError` is raised (never a
        suboptimal answer).

    Returns
    -------
    order : ndarray of int, shape (m,)
        Candidate indices, best first (one optimal ranking, deterministic for a given M).
    score : number
        Its score ``sum(M[a, b] for a above b)``, in the dtype of ``M``.

    Notes
    -----
    Exact integer programming (see :mod:`socialchoice.rules.optimal`); never enumerates
    the m! orders. Mallows-like margins with 50 candidates take milliseconds;
    impartial-culture margins (no structure at all) are the hard case: at m = 50 typically
    well under a second, occasionally 10-30 s.

    References
    ----------
    .. [1] J. G. Kemeny, 'Mathematics without numbers', Daedalus 88 (1959).
    .. [2] M. Grötschel, M. Jünger and G. Reinelt, 'A cutting plane algorithm for the linear
       ordering problem', Operations Research 32 (1984) (the 3-cycle formulation).

    Examples
    --------
    >>> import numpy as np
    >>> M = np.array([[0, 2, -4], [-2, 0, 6], [4, -6, 0]])
    >>> order, score = kemeny_ranking(M)
    >>> order.tolist(), int(score)
    ([1, 2, 0], 8)
    """
    M = _single(M, "kemeny_ranking")
    order = _lop_order(M, _Clock(time_limit, "kemeny"))
    return order, _score(M, order)


@_rule("kemeny", reference=_KEMENY, options=("time_limit",))
def kemeny(M: ArrayLike, *, time_limit: float | None = DEFAULT_TIME_LIMIT) -> NDArray:
    """Candidates ranked first by some Kemeny ranking (maximal sum of agreeing margins).

    Ties: every candidate that is the top of at least one optimal ranking wins, as
    ``pref_voting.other_methods.kemeny_young`` (algorithm "marginal"). Exact for any m;
    batches are solved one distinct matrix at a time (``time_limit``, in seconds, default
    10, ``None`` for no limit, applies to each; see :func:`kemeny_ranking`). Raises
    :class:`~socialchoice.TimeLimitError` when optimality is not proven in time.

    References
    ----------
    .. [1] H. P. Young and A. Levenglick, 'A consistent extension of Condorcet's election
       principle', SIAM J. Appl. Math. 35 (1978).

    Examples
    --------
    >>> import numpy as np
    >>> kemeny(np.array([[0, 2, -4], [-2, 0, 6], [4, -6, 0]]))
    array([False,  True, False])
    >>> kemeny(np.array([[0, 2, -2], [-2, 0, 2], [2, -2, 0]]))   # symmetric 3-cycle
    array([ True,  True,  True])
    """
    check_time_limit(time_limit, "kemeny")
    return _per_matrix(M, lambda A: _lop_winners(A, _Clock(time_limit, "kemeny")), bool)


@register_order("kemeny", options=("time_limit",))
def _kemeny_order(M: NDArray, *, time_limit: float | None = DEFAULT_TIME_LIMIT) -> NDArray:
    return np.argsort(kemeny_ranking(M, time_limit=time_limit)[0])


def _kemeny_reference(M: NDArray) -> NDArray:
    return _lop_reference(np.asarray(M))[1]


# --------------------------------------------------------------------------- Slater
def slater_ranking(
    M: ArrayLike, *, time_limit: float | None = DEFAULT_TIME_LIMIT
) -> tuple[NDArray, int]:
    """One Slater ranking: a linear order reversing the fewest strict majority edges.

    Pairs with a zero margin cost nothing either way (as ``pref_voting``'s
    ``slater_rankings``), so this is :func:`kemeny_ranking` on ``sign(M)``.

    Parameters
    ----------
    M : array_like, shape (m, m)
        One antisymmetric margin matrix (only its signs matter).
    time_limit : float or None, default 10
        As in :func:`kemeny_ranking`.

    Returns
    -------
    order : ndarray of int, shape (m,)
        Candidate indices, best first.
    disagreements : int
        The number of strict majority edges the order reverses.

    References
    ----------
    .. [1] P. Slater, 'Inconsistencies in a schedule of paired comparisons', Biometrika 48
       (1961).

    Examples
    --------
    >>> import numpy as np
    >>> M = np.array([[0, 1, 1, -1], [-1, 0, 1, -1], [-1, -1, 0, 1], [1, 1, -1, 0]])
    >>> order, d = slater_ranking(M)      # the slides' preference function over a, b, c, d
    >>> order.tolist(), d                 # d > a > b > c reverses only c > d
    ([3, 0, 1, 2], 1)
    """
    S = np.sign(_single(M, "slater_ranking")).astype(np.int64)
    order = _lop_order(S, _Clock(time_limit, "slater"))
    return order, int(((S > 0).sum() - _score(S, order)) // 2)


@_rule("slater", reference=_SLATER, options=("time_limit",))
def slater(M: ArrayLike, *, time_limit: float | None = DEFAULT_TIME_LIMIT) -> NDArray:
    """Candidates ranked first by some Slater ranking (fewest reversed majority edges).

    Ties: every top of an optimal order wins, as ``pref_voting.c1_methods.slater``; pairs
    with a zero margin are free. Batches are solved one distinct matrix at a time
    (``time_limit`` applies to each). Slower than Kemeny on unstructured margins: the 0/±1
    weights leave many near-optimal orders.

    References
    ----------
    .. [1] P. Slater, 'Inconsistencies in a schedule of paired comparisons', Biometrika 48
       (1961); F. Brandt et al., Handbook of COMSOC (2016), §3.3.

    Examples
    --------
    >>> import numpy as np
    >>> F = np.array([[0, 1, 1, -1], [-1, 0, 1, -1], [-1, -1, 0, 1], [1, 1, -1, 0]])
    >>> slater(F)
    array([False, False, False,  True])
    """
    check_time_limit(time_limit, "slater")
    return _per_matrix(
        M, lambda A: _lop_winners(np.sign(A).astype(np.int64), _Clock(time_limit, "slater")), bool
    )


@register_order("slater", options=("time_limit",))
def _slater_order(M: NDArray, *, time_limit: float | None = DEFAULT_TIME_LIMIT) -> NDArray:
    return np.argsort(slater_ranking(M, time_limit=time_limit)[0])


def _slater_reference(M: NDArray) -> NDArray:
    return _lop_reference(np.sign(np.asarray(M)).astype(np.int64))[1]


# --------------------------------------------------------------------------- maximal lotteries
def _per_matrix(M: ArrayLike, func: Callable[[NDArray], NDArray], dtype: type) -> NDArray:
    """Apply ``func((m, m)) -> (m,)`` to each distinct antisymmetric matrix of a batch."""
    return map_unique_matrices(_antisymmetric(M), func, dtype)


def _lottery_one(M: NDArray) -> NDArray:
    """(m,) maximal lottery of one matrix whose support is the whole essential set."""
    from scipy.optimize import linprog
    m = M.shape[0]
    scale = max(float(np.abs(M).max()), 1.0)
    A = M / scale
    # cone q >= 0 with q^T A >= 0; t_c = min(q_c, 1); maximise sum t: t_c = 1 exactly on the
    # essential set (sum over c of lotteries with p_c > 0, rescaled, is in the cone)
    eye = np.eye(m)
    res = linprog(
        np.r_[np.zeros(m), -np.ones(m)],
        A_ub=np.block([[-A.T, np.zeros((m, m))], [-eye, eye]]), b_ub=np.zeros(2 * m),
        bounds=[(0, None)] * m + [(0, 1)] * m, method="highs",
    )
    if res.status != 0:
        raise SocialChoiceError(f"The maximal-lottery LP failed: {res.message}")
    ess = res.x[m:] > 0.5
    q = np.where(ess, np.maximum(res.x[:m], 0), 0.0)
    p = q / q.sum()
    # polish: the minimum-norm solution of p_S^T A_SS = 0, sum p = 1 on the support S (exact
    # and neutral when the lottery is unique); kept only if it is a maximal lottery
    S = np.flatnonzero(ess)
    sys_ = np.vstack([A[np.ix_(S, S)].T, np.ones(len(S))])
    exact = np.linalg.lstsq(sys_, np.r_[np.zeros(len(S)), 1.0], rcond=None)[0]
    tol = 1e-9 * m
    full = np.zeros(m)
    full[S] = exact
    if full[S].min() > tol and (full @ A).min() > -tol:
        p = full
    return p / p.sum()


def maximal_lottery(M: ArrayLike) -> NDArray:
    """Maximal lottery: an optimal mixed strategy of the symmetric zero-sum game ``M``.

    A lottery ``p`` over candidates is maximal if no candidate beats it in expectation:
    ``p @ M >= 0`` componentwise. One always exists (von Neumann's minimax theorem).

    Parameters
    ----------
    M : array_like, shape (..., m, m)
        Antisymmetric margin matrices. Batched input is solved one *distinct* matrix at a
        time (one linear program each) and broadcast back.

    Returns
    -------
    ndarray of float, shape (..., m)
        Probabilities summing to 1.

    Notes
    -----
    Solved exactly by one LP (HiGHS via :func:`scipy.optimize.linprog`) and polished by a
    least-squares solve on its support, so unique lotteries come out to machine precision.
    The maximal lottery is unique when all off-diagonal margins are odd (e.g. an odd number
    of voters with linear orders; Laffond, Laslier and Le Breton 1997). Otherwise the one
    returned has the largest possible support: the essential set, :func:`essential_set`.

    References
    ----------
    .. [1] P. C. Fishburn, 'Probabilistic social choice based on simple voting comparisons',
       Review of Economic Studies 51 (1984).
    .. [2] F. Brandt, 'Rolling the dice: recent results in probabilistic social choice',
       Trends in Computational Social Choice (2017), ch. 1.

    Examples
    --------
    >>> import numpy as np
    >>> maximal_lottery(np.array([[0, 3, 1], [-3, 0, 5], [-1, -5, 0]]))  # Condorcet winner
    array([1., 0., 0.])
    >>> cycle = np.array([[0, 2, -2], [-2, 0, 2], [2, -2, 0]])
    >>> maximal_lottery(cycle).round(6)
    array([0.333333, 0.333333, 0.333333])
    >>> maximal_lottery(np.stack([cycle, cycle.T, cycle])).shape
    (3, 3)
    """
    return _per_matrix(M, _lottery_one, float)


@_rule("maximal_lottery", reference=_ML)
def essential_set(M: ArrayLike) -> NDArray:
    """Support of the maximal lotteries: the essential set (union over all maximal lotteries).

    With zero margins the maximal lottery need not be unique; a candidate wins if some
    maximal lottery gives it positive probability (Dutta and Laslier's essential set).
    Decided exactly by one LP per distinct matrix, with no probability threshold: it
    maximises ``sum(min(q_c, 1))`` over the cone ``q >= 0, q @ M >= 0``, which is
    ``|essential set|`` with ``min(q_c, 1) = 1`` exactly on the essential set.

    References
    ----------
    .. [1] B. Dutta and J.-F. Laslier, 'Comparison functions and choice correspondences',
       Social Choice and Welfare 16 (1999).

    Examples
    --------
    >>> import numpy as np
    >>> essential_set(np.array([[0, 2, -2, 0], [-2, 0, 2, 0], [2, -2, 0, 0], [0, 0, 0, 0]]))
    array([ True,  True,  True,  True])
    >>> essential_set(np.array([[0, 3, 1], [-3, 0, 5], [-1, -5, 0]]))
    array([ True, False, False])
    """
    return _per_matrix(M, lambda A: _lottery_one(A) > 0, bool)


def _essential_reference(M: NDArray) -> NDArray:
    """For each candidate c, maximise p_c over the maximal lotteries (m LPs)."""
    from scipy.optimize import linprog
    M = np.asarray(M, dtype=float)
    m = M.shape[0]
    mask = np.zeros(m, dtype=bool)
    for c in range(m):
        res = linprog(-np.eye(m)[c], A_ub=-M.T, b_ub=np.zeros(m), A_eq=np.ones((1, m)),
                      b_eq=[1.0], bounds=(0, 1), method="highs")
        mask[c] = -res.fun > 1e-7
    return mask
