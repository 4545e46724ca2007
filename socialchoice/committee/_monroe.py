"""Monroe's rule: a committee and a balanced assignment of voters to members.

Each member represents between ``floor(N/k)`` and ``ceil(N/k)`` voters (N = total weight,
weights are numbers of identical voters); the score is the total utility of the voters for
their representative (for approvals: how many voters are represented by someone they
approve). Small instances by brute force (one assignment problem per committee), larger ones
by the integer program of :mod:`._ilp` within ``time_limit`` seconds (running out raises
:class:`~socialchoice.TimeLimitError`).

:func:`monroe` is registered with :func:`~._registry.register`: it computes on validated input
``(U, w, k, *, resolute, is_approval, method="auto", time_limit=10.0)`` and the decorator
returns the public function ``monroe(A, k, *, resolute=True, weights=None, time_limit=10.0)``
that its docstring documents.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse
from scipy.optimize import linear_sum_assignment, linprog

from .._timelimit import DEFAULT_TIME_LIMIT, Clock
from . import _ilp
from ._prep import REL_TOL, Committee, column_classes, expand
from ._registry import register

__all__ = ["monroe", "monroe_score"]

BRUTE_FORCE_COMMITTEES = 500
BRUTE_FORCE_VOTERS = 300
DENSE_VOTERS = 400  # assignment on one row per voter up to this many voters


def monroe_score(U: NDArray[np.float64], w: NDArray[np.float64], W: Committee) -> float:
    """Best total utility of a balanced assignment of the voters to committee ``W``.

    ``U`` holds voter groups, ``w`` their (whole-number) sizes.

    Examples
    --------
    >>> U = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    >>> monroe_score(U, np.array([1.0, 1.0, 2.0]), (0, 1))    # 2 voters per member
    4.0
    >>> monroe_score(U, np.array([2.0, 1.0, 1.0]), (0, 1))    # one of 3 fans of 0 moves
    3.0
    """
    W = list(W)
    k = len(W)
    sizes = np.round(w).astype(np.int64)
    N = int(sizes.sum())
    low, extra = divmod(N, k)
    if N <= DENSE_VOTERS:
        E = np.repeat(U[:, W], sizes, axis=0)  # one row per voter
        member = np.r_[np.repeat(np.arange(k), low), np.arange(k) if extra else []]
        member = member.astype(np.intp)
        bonus = np.r_[np.ones(k * low), np.zeros(k if extra else 0)]
        big = 1.0 + float(E.sum())  # every optimal assignment fills all floor(N/k) slots
        M = E[:, member] + big * bonus
        rows, cols = linear_sum_assignment(M, maximize=True)
        return float(E[rows, member[cols]].sum())
    # many voters: transportation LP over voter groups (integral, so its optimum is the score)
    g = len(sizes)
    var = np.arange(g * k)
    A_eq = sparse.csr_matrix((np.ones(g * k), (var // k, var)), shape=(g, g * k))
    load = sparse.csr_matrix((np.ones(g * k), (var % k, var)), shape=(k, g * k))
    high = low + (1 if extra else 0)
    res = linprog(
        -U[:, W].ravel(),
        A_ub=sparse.vstack([load, -load]).tocsr(),
        b_ub=np.r_[np.full(k, high), np.full(k, -low)],
        A_eq=A_eq,
        b_eq=sizes.astype(float),
        bounds=(0, None),
        method="highs",
    )
    return float(-res.fun)


@register(
    "monroe",
    family="monroe",
    reference="B. L. Monroe, 'Fully proportional representation', APSR 89(4) (1995); "
    "M. Lackner and P. Skowron, 'Multi-Winner Voting with Approval Preferences' (2023), §2.4",
    integer_weights=True,
    options=("time_limit",),
)
def monroe(
    U: NDArray[np.float64],
    w: NDArray[np.float64],
    k: int,
    *,
    resolute: bool,
    is_approval: bool,
    method: str = "auto",
    time_limit: float | None = DEFAULT_TIME_LIMIT,
) -> list[Committee]:
    """Monroe's rule: maximise the utility of a balanced assignment of voters to members.

    Every member represents ``floor(N/k)`` or ``ceil(N/k)`` of the N voters; for approvals
    the score counts voters represented by an approved member (abcvoting's "monroe"), for
    utilities it sums each voter's utility for her representative. Weights must be whole
    numbers (copies of a voter; abcvoting accepts only unit weights, which is the same after
    expanding copies) summing to at most 10^9 voters. Solved exactly (brute force up to 500
    committees, else an integer program that runs for at most ``time_limit`` seconds, default
    10, ``None`` for no limit, before :class:`~socialchoice.TimeLimitError` is raised);
    ``resolute=True`` returns the lexicographically
    smallest optimal committee (abcvoting's brute force sorts tied committees by their
    string: the same choice for at most 10 candidates).

    References
    ----------
    .. [1] B. L. Monroe, 'Fully proportional representation', APSR 89(4) (1995).
    .. [2] M. Lackner and P. Skowron, *Multi-Winner Voting with Approval Preferences*,
       Springer (2023), §2.4.

    Examples
    --------
    >>> from socialchoice import committee
    >>> A = [[1, 0, 0], [1, 0, 0], [1, 0, 0], [0, 1, 1]]
    >>> committee.monroe(A, 2)     # two members of 2 voters: only 3 voters can be happy
    (0, 1)
    >>> committee.chamberlin_courant(A, 2)
    (0, 1)
    """
    m = U.shape[1]
    scale = float((w * U.max(axis=1)).sum()) or 1.0
    ncomb = math.comb(m, k)
    if method == "brute-force" or (
        method == "auto" and ncomb <= BRUTE_FORCE_COMMITTEES and w.sum() <= BRUTE_FORCE_VOTERS
    ):
        combos = list(itertools.combinations(range(m), k))
        scores = np.array([monroe_score(U, w, W) for W in combos])
        best = scores.max()
        winners = [W for W, s in zip(combos, scores, strict=True) if s >= best - REL_TOL * scale]
        return winners[:1] if resolute else winners
    clock = Clock(time_limit, "monroe")
    classes = column_classes(U)
    model = _ilp.monroe_model(U, w, k, classes)

    def score(W: Committee) -> float:
        return monroe_score(U, w, W)

    if resolute:
        return [_ilp.lexmin_optimal(model, score, k, scale, clock)]
    optimal = _ilp.optimal_committees(model, score, k, scale, "monroe", clock)
    return expand(optimal, classes, "monroe", k)


def _monroe_reference(U: ArrayLike, w: ArrayLike | None, k: int) -> list[Committee]:
    """All optimal committees by enumerating every balanced assignment (tiny inputs)."""
    U = np.asarray(U, dtype=np.float64)
    n, m = U.shape
    sizes = [1] * n if w is None else [round(float(x)) for x in w]
    voters = [i for i in range(n) for _ in range(sizes[i])]
    N = len(voters)
    low, extra = divmod(N, k)
    best, winners = None, []
    for W in itertools.combinations(range(m), k):
        value = None
        for rep in itertools.product(range(k), repeat=N):
            counts = [rep.count(j) for j in range(k)]
            if any(c not in (low, low + (1 if extra else 0)) for c in counts):
                continue
            v = sum((Fraction(float(U[voters[t], W[rep[t]]])) for t in range(N)), Fraction(0))
            value = v if value is None else max(value, v)
        if best is None or value > best:
            best, winners = value, [W]
        elif value == best:
            winners.append(W)
    return winners
