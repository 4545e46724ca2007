"""Exact optimisation rules as mixed-integer programs solved by HiGHS (scipy ``milp``).

Every model has one binary ``y_c`` per candidate (``sum y = k``); everything else is
continuous because, for a fixed committee, the rest of the model is integral (a filling
of concave steps for Thiele rules, a transportation problem for Monroe).

:func:`optimal_committees` finds *all* optimal committees: it solves, records the committee,
adds a no-good cut ``sum_{c in S} y_c <= k - 1`` and solves again until the exact score of
the solver's committee drops clearly below the best. Candidates with identical columns are
interchangeable, so the models order them (``y_c >= y_c'`` for ``c < c'`` in a class) and
only "canonical" committees are enumerated; callers expand them.

:func:`lexmin_optimal` finds the lexicographically smallest optimal committee without
listing the others (two solves when the optimum is unique).

Tolerances: the solver's answer is never trusted for ties. Each committee it returns is
re-scored exactly (``score``); committees within ``REL_TOL * scale`` of the best are tied,
and a search ends only when the solver's committee scores below ``best - GUARD * scale``, a
margin larger than HiGHS's optimality gap and feasibility tolerances, so no tied committee
is missed.

Time limits: every search takes a :class:`~socialchoice._timelimit.Clock`. Each HiGHS solve
gets the time left as its ``time_limit`` and the clock is checked between solves, so a search
that runs out of time raises :class:`~socialchoice.TimeLimitError` (never a partial answer).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from .._errors import RuleInputError
from .._timelimit import Clock
from ._prep import REL_TOL, Committee

__all__ = ["lexmin_optimal", "monroe_model", "optimal_committees", "thiele_model"]

#: Committees within GUARD * scale of the best are re-examined: HiGHS's optimality gap
#: (relative 1e-9, absolute 1e-6) and row feasibility tolerance (1e-7 per voter row) stay
#: below this margin, so the solver cannot hide a tied committee behind it.
GUARD = 2e-7
#: resolute=False stops with an error after this many canonical optimal committees.
MAX_ENUMERATED = 2000
_OPTIONS = {"mip_rel_gap": 1e-9, "presolve": True}

Model = tuple[NDArray, NDArray, NDArray, sparse.csr_matrix, NDArray, NDArray]


def _symmetry_rows(classes: list[NDArray[np.intp]], nvar: int) -> list[tuple]:
    rows = []
    for cls in classes:
        for a, b in itertools.pairwise(cls):
            rows.append(([int(a), int(b)], [1.0, -1.0], 0.0, np.inf))
    return rows


def _assemble(
    c: NDArray,
    upper: NDArray,
    m: int,
    block: sparse.csr_matrix,
    lo: NDArray,
    hi: NDArray,
    extra: list[tuple],
) -> Model:
    """Stack the block rows with sparse extra rows ``(cols, vals, lo, hi)``."""
    nvar = len(c)
    if extra:
        r = np.concatenate([np.full(len(cols), i) for i, (cols, _, _, _) in enumerate(extra)])
        cc = np.concatenate([np.asarray(cols) for cols, _, _, _ in extra])
        vv = np.concatenate([np.asarray(vals, float) for _, vals, _, _ in extra])
        E = sparse.csr_matrix((vv, (r, cc)), shape=(len(extra), nvar))
        block = sparse.vstack([block, E]).tocsr()
        lo = np.concatenate([lo, [e[2] for e in extra]])
        hi = np.concatenate([hi, [e[3] for e in extra]])
    integrality = np.zeros(nvar)
    integrality[:m] = 1
    return c, integrality, upper, block, lo, hi


def thiele_model(
    A: NDArray[np.bool_], w: NDArray[np.float64], k: int, lam: NDArray[np.float64], classes
) -> Model:
    """Thiele rule with non-increasing marginal weights ``lam`` on weighted ballots ``A``.

    Variables: ``y`` (m, binary), ``z_{g,l}`` in [0, 1] for ballot ``g`` and level
    ``l <= min(k, |A_g|, len(lam))``; maximise ``sum w_g lam_l z_{g,l}`` subject to
    ``sum_l z_{g,l} <= sum_{c in A_g} y_c``.
    """
    n, m = A.shape
    depth = np.minimum(np.minimum(A.sum(axis=1), k), len(lam))
    nz = int(depth.sum())
    owner = np.repeat(np.arange(n), depth)
    level = np.arange(nz) - np.repeat(np.cumsum(depth) - depth, depth)
    c = np.concatenate([np.zeros(m), -(w[owner] * lam[level])])
    Ay = sparse.csr_matrix(A.astype(np.float64))
    Z = sparse.csr_matrix((np.ones(nz), (owner, np.arange(nz))), shape=(n, nz))
    block = sparse.vstack(
        [sparse.hstack([-Ay, Z]), sparse.csr_matrix(np.r_[np.ones(m), np.zeros(nz)][None, :])]
    ).tocsr()
    lo = np.r_[np.full(n, -np.inf), k]
    hi = np.r_[np.zeros(n), k]
    upper = np.ones(m + nz)
    return _assemble(c, upper, m, block, lo, hi, _symmetry_rows(classes, m + nz))


def monroe_model(U: NDArray[np.float64], w: NDArray[np.float64], k: int, classes) -> Model:
    """Monroe's rule on voter groups ``U`` with whole-number sizes ``w``.

    Variables: ``y`` (m, binary); ``x_{g,c}`` voters of group g represented by c, for
    ``u_gc > 0``; ``r_g`` voters of g represented by someone they value 0; ``f_c`` such
    voters placed with c. Each member gets between floor(N/k) and ceil(N/k) voters.
    """
    n, m = U.shape
    N = float(w.sum())
    low, high = np.floor(N / k), np.ceil(N / k)
    g_idx, c_idx = np.nonzero(U > 0)
    nx = len(g_idx)
    nvar = m + nx + n + m
    X0, R0, F0 = m, m + nx, m + nx + n
    cost = np.zeros(nvar)
    cost[X0:R0] = -U[g_idx, c_idx]
    rows, cols, vals = [], [], []

    def put(r, cc, v):
        rows.append(np.broadcast_to(r, np.shape(cc)).ravel())
        cols.append(np.ravel(cc))
        vals.append(np.broadcast_to(v, np.shape(cc)).ravel().astype(float))

    # rows 0..n-1: sum_c x_gc + r_g = w_g
    put(g_idx, X0 + np.arange(nx), 1.0)
    put(np.arange(n), R0 + np.arange(n), 1.0)
    # rows n..n+m-1: load_c - low y_c >= 0 ; rows n+m..n+2m-1: load_c - high y_c <= 0
    for base, coef in ((n, low), (n + m, high)):
        put(base + c_idx, X0 + np.arange(nx), 1.0)
        put(base + np.arange(m), F0 + np.arange(m), 1.0)
        put(base + np.arange(m), np.arange(m), -coef)
    # row n+2m: sum r - sum f = 0 ; row n+2m+1: sum y = k
    put(n + 2 * m, R0 + np.arange(n), 1.0)
    put(n + 2 * m, F0 + np.arange(m), -1.0)
    put(n + 2 * m + 1, np.arange(m), 1.0)
    # rows n+2m+2..: x_gc <= w_g y_c (implied for integral y; tightens the relaxation)
    link = n + 2 * m + 2 + np.arange(nx)
    put(link, X0 + np.arange(nx), 1.0)
    put(link, c_idx, -w[g_idx])
    block = sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n + 2 * m + 2 + nx, nvar),
    )
    lo = np.r_[w, np.zeros(m), np.full(m, -np.inf), 0.0, k, np.full(nx, -np.inf)]
    hi = np.r_[w, np.full(m, np.inf), np.zeros(m), 0.0, k, np.zeros(nx)]
    upper = np.r_[np.ones(m), w[g_idx], w, np.full(m, high)]
    return _assemble(cost, upper, m, block, lo, hi, _symmetry_rows(classes, nvar))


def _solve(
    model: Model,
    k: int,
    clock: Clock,
    *,
    cuts: list[Committee] = (),  # type: ignore[assignment]
    below: Committee | None = None,
    bonus: float = 0.0,
) -> Committee | None:
    """Best committee of ``model`` other than ``cuts`` (and lexicographically below ``below``).

    ``bonus`` adds ``bonus * (m - c) / m`` per member c, steering ties towards low indices.
    HiGHS gets the time left on ``clock``; a solve it stops on the limit raises
    :class:`~socialchoice.TimeLimitError`.
    "T before S" (the smallest candidate of the symmetric difference is in T) is encoded
    with continuous ``t_c <= y_c``, ``t_c <= y_d`` (d in S, d < c) and ``sum t_c >= 1``.
    """
    c, integrality, upper, block, lo, hi = model
    m = int(integrality.sum())
    nvar = len(c)
    extra: list[tuple] = [(list(S), [1.0] * k, -np.inf, k - 1.0) for S in cuts]
    outside: list[int] = []
    if below is not None:
        inside = set(below)
        outside = [x for x in range(m) if x not in inside]
        for j, x in enumerate(outside):
            t = nvar + j
            extra.append(([t, x], [1.0, -1.0], -np.inf, 0.0))
            extra.extend(([t, d], [1.0, -1.0], -np.inf, 0.0) for d in below if d < x)
        extra.append(([nvar + j for j in range(len(outside))], [1.0] * len(outside), 1.0, np.inf))
    if outside:
        pad = sparse.csr_matrix((block.shape[0], len(outside)))
        block = sparse.hstack([block, pad]).tocsr()
        c = np.r_[c, np.zeros(len(outside))]
        integrality = np.r_[integrality, np.zeros(len(outside))]
        upper = np.r_[upper, np.ones(len(outside))]
    if bonus:
        c = c.copy()
        c[:m] -= bonus * (m - np.arange(m)) / m
    c, integrality, upper, block, lo, hi = _assemble(c, upper, m, block, lo, hi, extra)
    left = clock.left()
    res = milp(
        c,
        integrality=integrality,
        bounds=Bounds(np.zeros(len(c)), upper),
        constraints=LinearConstraint(block, lo, hi),
        options=_OPTIONS if math.isinf(left) else {**_OPTIONS, "time_limit": left},
    )
    if res.status == 1:  # HiGHS stopped on the time limit
        clock.fail()
    if res.status == 2:  # infeasible: no committee is left
        return None
    if res.x is None:
        raise RuntimeError(f"HiGHS failed on a committee model: {res.message}")
    chosen = np.argsort(-res.x[:m], kind="stable")[:k]
    return tuple(sorted(int(i) for i in chosen))


def _tolerances(scale: float, k: int) -> tuple[float, float, float]:
    """(tie tolerance, guard, bonus) for objectives bounded by ``scale``."""
    return REL_TOL * scale, GUARD * scale + 1e-5, 1e-8 * scale / k


def optimal_committees(
    model: Model,
    score: Callable[[Committee], float],
    k: int,
    scale: float,
    name: str,
    clock: Clock,
) -> list[Committee]:
    """All canonical optimal committees of ``model`` (exact scores decide ties)."""
    tol, guard, _ = _tolerances(scale, k)
    found: list[tuple[float, Committee]] = []
    best = -np.inf
    while True:
        S = _solve(model, k, clock, cuts=[W for _, W in found])
        if S is None:
            break
        s = float(score(S))
        best = max(best, s)
        if s < best - guard:
            break
        found.append((s, S))
        if len(found) > MAX_ENUMERATED:
            raise RuleInputError(
                f"{name} with k={k}: more than {MAX_ENUMERATED} distinct optimal committees "
                "(up to interchangeable candidates); listing them with the integer program "
                "is too slow. Use resolute=True for the lexicographically smallest."
            )
    return sorted(W for s, W in found if s >= best - tol)


def lexmin_optimal(
    model: Model, score: Callable[[Committee], float], k: int, scale: float, clock: Clock
) -> Committee:
    """The lexicographically smallest optimal committee of ``model``.

    Solve; if the runner-up (best committee other than S) is clearly worse, S is the unique
    optimum. Otherwise repeatedly ask for the best committee lexicographically before S:
    a tied one replaces S, a clearly worse one ends the search (committees in the grey zone
    between the tie tolerance and the solver's accuracy are cut off and the search goes on).
    """
    tol, guard, bonus = _tolerances(scale, k)
    S = _solve(model, k, clock, bonus=bonus)
    if S is None:
        raise RuntimeError("committee model infeasible")
    best = float(score(S))
    cuts: list[Committee] = [S]
    while True:  # certify optimality of S against all other committees
        T = _solve(model, k, clock, cuts=cuts)
        if T is None:
            return S
        s = float(score(T))
        if s > best + tol:
            S, best = T, s
            cuts.append(T)
            continue
        if s < best - guard:
            return S
        break
    cuts = []
    while True:  # S is optimal: look for a tied committee lexicographically before it
        T = _solve(model, k, clock, cuts=cuts, below=S, bonus=bonus)
        if T is None:
            return S
        s = float(score(T))
        if s >= best - tol:
            S, best = T, max(best, s)
        elif s >= best - guard:
            cuts.append(T)
        else:
            return S
