"""Exact optimisation rules as mixed-integer programs solved by HiGHS (scipy ``milp``).

Every model has one binary ``y_c`` per candidate (``sum y = k``); everything else is
continuous because, for a fixed committee, the rest of the model is integral (a filling
of concave steps for Thiele rules, a transportation problem for Monroe).

:func:`optimal_committees` finds *all* optimal committees: it solves, records the committee,
adds a no-good cut ``sum_{c in S} y_c <= k - 1`` and solves again until the exact score of
the solver's committee drops clearly below the best. Candidates with identical columns are
interchangeable, so the models order them (``y_c >= y_c'`` for ``c < c'`` in a class) and
only "canonical" committees are enumerated; callers expand them.

Tolerances: the solver's answer is never trusted for ties. Each committee it returns is
re-scored exactly (``score``); committees within ``REL_TOL * scale`` of the best are tied,
and enumeration continues until a committee scores below ``best - GUARD * scale``, a margin
larger than HiGHS's optimality gap and feasibility tolerances, so no tied committee is missed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from ._prep import REL_TOL
from ._registry import Committee

__all__ = ["monroe_model", "optimal_committees", "thiele_model"]

#: Continue enumerating while the solver's committee is within GUARD * scale of the best.
GUARD = 1e-6
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
    block = sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n + 2 * m + 2, nvar),
    )
    lo = np.r_[w, np.zeros(m), np.full(m, -np.inf), 0.0, k]
    hi = np.r_[w, np.full(m, np.inf), np.zeros(m), 0.0, k]
    upper = np.r_[np.ones(m), w[g_idx], w, np.full(m, high)]
    return _assemble(cost, upper, m, block, lo, hi, _symmetry_rows(classes, nvar))


def _solve(model: Model, cuts: list[Committee], k: int) -> Committee | None:
    c, integrality, upper, block, lo, hi = model
    m = int(integrality.sum())
    if cuts:
        r = np.concatenate([np.full(len(S), i) for i, S in enumerate(cuts)])
        cc = np.concatenate([np.asarray(S, dtype=np.intp) for S in cuts])
        E = sparse.csr_matrix((np.ones(len(cc)), (r, cc)), shape=(len(cuts), len(c)))
        block = sparse.vstack([block, E]).tocsr()
        lo = np.r_[lo, np.full(len(cuts), -np.inf)]
        hi = np.r_[hi, np.full(len(cuts), k - 1.0)]
    res = milp(
        c,
        integrality=integrality,
        bounds=Bounds(np.zeros(len(c)), upper),
        constraints=LinearConstraint(block, lo, hi),
        options=_OPTIONS,
    )
    if res.status == 2:  # infeasible: every canonical committee is cut off
        return None
    if res.x is None:
        raise RuntimeError(f"HiGHS failed on a committee model: {res.message}")
    chosen = np.argsort(-res.x[:m], kind="stable")[:k]
    return tuple(sorted(int(i) for i in chosen))


def optimal_committees(
    model: Model, score: Callable[[Committee], float], k: int, scale: float
) -> list[Committee]:
    """All canonical optimal committees of ``model`` (exact scores decide ties)."""
    found: list[tuple[float, Committee]] = []
    cuts: list[Committee] = []
    best = -np.inf
    while True:
        S = _solve(model, cuts, k)
        if S is None:
            break
        s = float(score(S))
        best = max(best, s)
        if s < best - GUARD * scale - 1e-9:
            break
        found.append((s, S))
        cuts.append(S)
    return sorted(S for s, S in found if s >= best - REL_TOL * scale)
