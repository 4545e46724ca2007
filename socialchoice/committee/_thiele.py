"""Optimisation rules of the Thiele family: AV, SAV, PAV and Chamberlin--Courant.

Cardinal utilities: AV maximises the sum of utilities; SAV the sum of ``u_ij / sum_j u_ij``;
PAV is OWA-Thiele (each voter's utilities for the members, sorted in decreasing order,
weighted 1, 1/2, 1/3, ...); Chamberlin--Courant maximises each voter's best utility in the
committee. AV, PAV and CC are computed on the level-set decomposition of the utilities
(:func:`~socialchoice.committee._prep.level_sets`), which is exact for all three.

PAV and CC are NP-hard: small instances are solved by vectorised brute force, larger ones
by the integer program of :mod:`._ilp`, within ``time_limit`` seconds (default
:data:`~socialchoice._timelimit.DEFAULT_TIME_LIMIT`, ``None`` for no limit; running out
raises :class:`~socialchoice.TimeLimitError`). Brute-force references (``_pav_reference`` etc.,
exact rational arithmetic, a direct transcription of the definitions) are kept beside.

Each rule is one function registered with :func:`~._registry.register`: it computes the
winning committees on validated input ``(U, w, k, *, resolute, is_approval)`` (PAV and CC
also take ``time_limit``, declared at registration, and ``method``: ``"auto"``,
``"brute-force"`` or ``"ilp"``), and the decorator returns the public function
``pav(A, k, *, resolute=True, weights=None, time_limit=10.0)`` that its docstring documents.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._timelimit import DEFAULT_TIME_LIMIT, Clock
from . import _ilp
from ._prep import REL_TOL, Committee, check_count, column_classes, expand, level_sets
from ._registry import register

__all__ = ["approval_voting", "chamberlin_courant", "pav", "satisfaction_approval"]

_BOOK = "M. Lackner and P. Skowron, 'Multi-Winner Voting with Approval Preferences' (2023), ch. 2"
#: Use brute force when there are at most this many committees (and few voter rows).
BRUTE_FORCE_COMMITTEES = 5000
BRUTE_FORCE_CELLS = 20_000_000


def _separable(scores: NDArray[np.float64], k: int, resolute: bool, name: str) -> list[Committee]:
    """The k best candidates; every way to fill the seats among those tied at the cut-off."""
    m = len(scores)
    cutoff = np.sort(scores)[::-1][k - 1]
    tol = REL_TOL * max(float(np.abs(scores).max()), 1e-300)
    certain = np.flatnonzero(scores > cutoff + tol).tolist()
    possible = np.flatnonzero(np.abs(scores - cutoff) <= tol).tolist()
    missing = k - len(certain)
    if resolute:
        return [tuple(sorted(certain + possible[:missing]))]
    check_count(math.comb(len(possible), missing), name, k, m)
    return sorted(
        tuple(sorted(certain + list(sel))) for sel in itertools.combinations(possible, missing)
    )


def thiele_scores(
    A: NDArray[np.bool_], w: NDArray[np.float64], G: NDArray[np.float64], combos: NDArray
) -> NDArray[np.float64]:
    """Scores ``sum_g w_g G[|A_g ∩ W|]`` of committees ``combos`` (C, k), in chunks."""
    n, k = A.shape[0], combos.shape[1]
    out = np.empty(len(combos))
    step = max(1, 4_000_000 // max(1, n * k))
    for s in range(0, len(combos), step):
        counts = A[:, combos[s : s + step]].sum(axis=2)
        out[s : s + step] = w @ G[counts]
    return out


def thiele_committees(
    U: NDArray[np.float64],
    w: NDArray[np.float64],
    k: int,
    lam: NDArray[np.float64],
    *,
    resolute: bool,
    name: str,
    method: str = "auto",
    time_limit: float | None = DEFAULT_TIME_LIMIT,
) -> list[Committee]:
    """Optimal committees of the Thiele rule with marginal weights ``lam`` (``method``:
    ``"auto"``, ``"brute-force"`` or ``"ilp"``; the integer program gets ``time_limit``)."""
    A, aw = level_sets(U, w)
    m = A.shape[1]
    lam = np.r_[lam, np.zeros(k)][:k]
    G = np.r_[0.0, np.cumsum(lam)]
    scale = float(aw.sum() * G[k]) or 1.0
    ncomb = math.comb(m, k)
    if method == "brute-force" or (
        method == "auto"
        and ncomb <= BRUTE_FORCE_COMMITTEES
        and ncomb * A.shape[0] * k <= BRUTE_FORCE_CELLS
    ):
        combos = np.array(list(itertools.combinations(range(m), k)), dtype=np.intp)
        scores = thiele_scores(A, aw, G, combos)
        best = scores.max()
        winners = [tuple(int(c) for c in W) for W in combos[scores >= best - REL_TOL * scale]]
        return winners[:1] if resolute else winners
    clock = Clock(time_limit, name)
    classes = column_classes(A)
    model = _ilp.thiele_model(A, aw, k, lam[lam > 0], classes)

    def score(W: Committee) -> float:
        return float(thiele_scores(A, aw, G, np.array([W], dtype=np.intp))[0])

    if resolute:
        return [_ilp.lexmin_optimal(model, score, k, scale, clock)]
    optimal = _ilp.optimal_committees(model, score, k, scale, name, clock)
    return expand(optimal, classes, name, k)


@register(
    "approval_voting",
    family="separable",
    reference=_BOOK + ", §2.1 (AV)",
)
def approval_voting(
    U: NDArray[np.float64],
    w: NDArray[np.float64],
    k: int,
    *,
    resolute: bool,
    is_approval: bool,
) -> list[Committee]:
    """The k candidates with the most (weighted) approvals, or the largest utility sums.

    Cardinal utilities: a candidate's score is ``sum_i w_i u_ij``. Ties at the cut-off:
    ``resolute=True`` fills the remaining seats with the lowest-index tied candidates (the
    lexicographically smallest optimal committee, as abcvoting); ``resolute=False`` lists
    every way to fill them. See :func:`select` for the parameters and return value.

    References
    ----------
    .. [1] M. Lackner and P. Skowron, *Multi-Winner Voting with Approval Preferences*,
       Springer (2023), §2.1.

    Examples
    --------
    >>> from socialchoice import committee
    >>> A = [[1, 1, 0], [1, 0, 1], [0, 1, 0]]
    >>> committee.approval_voting(A, 1, resolute=False)
    [(0,), (1,)]
    >>> committee.approval_voting(A, 1)
    (0,)
    """
    return _separable(w @ U, k, resolute, "approval_voting")


@register(
    "satisfaction_approval",
    family="separable",
    reference="S. J. Brams and D. M. Kilgour, 'Satisfaction approval voting', in Voting "
    "Power and Procedures (2014), §2; " + _BOOK,
)
def satisfaction_approval(
    U: NDArray[np.float64],
    w: NDArray[np.float64],
    k: int,
    *,
    resolute: bool,
    is_approval: bool,
) -> list[Committee]:
    """Satisfaction approval voting: each voter splits one vote equally among her approvals.

    A candidate's score is ``sum_i w_i u_ij / sum_j u_ij`` (voters who approve nothing
    count zero); for utilities each voter's utilities are normalised to sum to one. Ties as
    in :func:`approval_voting` (lowest-index tied candidates; equals abcvoting's "sav").

    References
    ----------
    .. [1] S. J. Brams and D. M. Kilgour, 'Satisfaction approval voting', in *Voting Power
       and Procedures*, Springer (2014), §2.

    Examples
    --------
    >>> from socialchoice import committee
    >>> A = [[1, 1, 1, 0], [1, 1, 1, 0], [0, 0, 0, 1]]
    >>> committee.satisfaction_approval(A, 1)      # 2/3 for each of 0, 1, 2; 1 for 3
    (3,)
    """
    total = U.sum(axis=1)
    some = total > 0
    return _separable((w[some] / total[some]) @ U[some], k, resolute, "satisfaction_approval")


@register(
    "pav",
    family="thiele",
    reference="T. N. Thiele (1895); S. Janson, 'Phragmén's and Thiele's election methods', "
    "arXiv:1611.08826, §4; P. Skowron, P. Faliszewski, J. Lang, AIJ 241 (2016) (OWA); "
    + _BOOK + ", §2.2",
    options=("time_limit",),
)
def pav(
    U: NDArray[np.float64],
    w: NDArray[np.float64],
    k: int,
    *,
    resolute: bool,
    is_approval: bool,
    method: str = "auto",
    time_limit: float | None = DEFAULT_TIME_LIMIT,
) -> list[Committee]:
    """Proportional approval voting: maximise ``sum_i w_i (1 + 1/2 + ... + 1/|A_i ∩ W|)``.

    Cardinal utilities: OWA-Thiele -- each voter's utilities for the committee members,
    sorted in decreasing order, are weighted 1, 1/2, 1/3, ... . Solved exactly: brute force
    up to 5,000 committees, otherwise an integer program (HiGHS) whose ties are re-checked
    with exact scores (relative tolerance 1e-9). ``resolute=True`` returns the
    lexicographically smallest optimal committee (abcvoting's resolute brute-force choice).
    The integer program runs for at most ``time_limit`` seconds (default 10; ``None``: no
    limit), else :class:`~socialchoice.TimeLimitError` is raised; see :func:`select`.

    References
    ----------
    .. [1] T. N. Thiele, 'Om Flerfoldsvalg', Oversigt over det Kongelige Danske
       Videnskabernes Selskabs Forhandlinger (1895); M. Lackner and P. Skowron,
       *Multi-Winner Voting with Approval Preferences*, Springer (2023), §2.2.
    .. [2] P. Skowron, P. Faliszewski and J. Lang, 'Finding a collective set of items:
       from proportional multirepresentation to group recommendation', AIJ 241 (2016), §3
       (OWA-based rules for utilities).

    Examples
    --------
    >>> from socialchoice import committee
    >>> A = [[1, 1, 0], [1, 1, 0], [1, 1, 0], [0, 0, 1]]
    >>> committee.pav(A, 2)                 # 3 * (1 + 1/2) = 4.5 beats 3 + 1 = 4
    (0, 1)
    >>> committee.pav(A, 2, resolute=False, weights=[1, 1, 1, 3])
    [(0, 2), (1, 2)]
    >>> committee.pav([[3.0, 1.0, 0.0], [0.0, 0.0, 2.0]], 2)
    (0, 2)
    """
    lam = 1.0 / np.arange(1, k + 1)
    return thiele_committees(
        U, w, k, lam, resolute=resolute, name="pav", method=method, time_limit=time_limit
    )


@register(
    "chamberlin_courant",
    family="thiele",
    reference="J. R. Chamberlin and P. N. Courant, APSR 77(3) (1983); A. D. Procaccia, "
    "J. S. Rosenschein, A. Zohar, Social Choice and Welfare 30 (2008); " + _BOOK + ", §2.2",
    options=("time_limit",),
)
def chamberlin_courant(
    U: NDArray[np.float64],
    w: NDArray[np.float64],
    k: int,
    *,
    resolute: bool,
    is_approval: bool,
    method: str = "auto",
    time_limit: float | None = DEFAULT_TIME_LIMIT,
) -> list[Committee]:
    """Chamberlin--Courant: maximise the (weighted) number of voters with an approved member.

    Cardinal utilities: maximise ``sum_i w_i max_{c in W} u_ic``. Solved exactly as
    :func:`pav` (brute force or integer program, within ``time_limit`` seconds);
    ``resolute=True`` returns the lexicographically smallest optimal committee.

    References
    ----------
    .. [1] J. R. Chamberlin and P. N. Courant, 'Representative deliberations and
       representative decisions: proportional representation and the Borda rule',
       APSR 77(3) (1983); M. Lackner and P. Skowron, *Multi-Winner Voting with Approval
       Preferences*, Springer (2023), §2.2.

    Examples
    --------
    >>> from socialchoice import committee
    >>> A = [[1, 1, 0], [1, 0, 0], [0, 1, 1], [0, 0, 1]]
    >>> committee.chamberlin_courant(A, 2, resolute=False)     # covers all four voters
    [(0, 2)]
    """
    return thiele_committees(
        U,
        w,
        k,
        np.array([1.0]),
        resolute=resolute,
        name="chamberlin_courant",
        method=method,
        time_limit=time_limit,
    )


# --- brute-force references: exact rationals, direct definitions ------------------------


def _reference(
    U: ArrayLike, w: ArrayLike | None, k: int, value: Callable[[list, list], Fraction]
) -> list[Committee]:
    """All committees maximising ``sum_i w_i value(u_i restricted to W, u_i)``."""
    U = np.asarray(U, dtype=np.float64)
    n, m = U.shape
    wf = [Fraction(1)] * n if w is None else [Fraction(float(x)) for x in w]
    rows = [[Fraction(float(x)) for x in row] for row in U]
    best, winners = None, []
    for W in itertools.combinations(range(m), k):
        s = sum((wf[i] * value([rows[i][c] for c in W], rows[i]) for i in range(n)), Fraction(0))
        if best is None or s > best:
            best, winners = s, [W]
        elif s == best:
            winners.append(W)
    return winners


def _owa(utilities: list, _row: list) -> Fraction:
    ordered = sorted(utilities, reverse=True)
    return sum((u / (j + 1) for j, u in enumerate(ordered)), Fraction(0))


def _av_reference(U, w, k):
    return _reference(U, w, k, lambda uW, row: sum(uW, Fraction(0)))


def _sav_reference(U, w, k):
    return _reference(U, w, k, lambda uW, row: sum(uW, Fraction(0)) / sum(row) if any(row) else 0)


def _pav_reference(U, w, k):
    return _reference(U, w, k, _owa)


def _cc_reference(U, w, k):
    return _reference(U, w, k, lambda uW, row: max(uW))
