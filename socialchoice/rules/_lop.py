"""The linear ordering problem, solved exactly (private; used by Kemeny and Slater).

Maximise ``sum(W[a, b] for a ranked above b)`` over linear orders by an integer program
over ``y[a, b]`` (``a`` above ``b``, one binary per pair ``a < b``) with the 3-cycle
(transitivity) inequalities, never by enumerating orders:

1. candidates split into the strongly connected components of ``W >= 0``; every optimal
   order ranks the components in this forced order, so each is solved on its own;
2. insertion-move local search (iterated when needed) gives a lower bound;
3. the LP relaxation with lazily added violated 3-cycle rows gives an upper bound, made
   rigorous by recomputing it from the row duals (a Lagrangian bound). When it meets the
   lower bound the search is over; otherwise its reduced costs fix every pair that no
   better order can flip, and a MIP (HiGHS via :func:`scipy.optimize.milp`, lazy 3-cycle
   rows, zero gap) finishes.

Winners are the tops of *all* optimal orders. Candidates reached by zero-loss moves from an
optimal order win; every other candidate ``c`` of the top component is excluded by the
Lagrangian bound with ``c`` pinned first, or decided by re-solving with ``c`` pinned first.
Scores are recomputed in the margins' own arithmetic, so integer margins give exact
answers; non-integral float scores are compared with a tolerance of
``max(1e-6, 1e-9 * sum(|M|))`` (HiGHS's absolute MIP gap is ``1e-6``).

References
----------
.. [1] M. Grötschel, M. Jünger and G. Reinelt, 'A cutting plane algorithm for the linear
   ordering problem', Operations Research 32 (1984) 1195-1220.
"""

from __future__ import annotations

from itertools import chain, combinations, permutations
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._errors import MarginError, SocialChoiceError
from .._margins import as_margin_matrix
from .._timelimit import Clock

if TYPE_CHECKING:  # scipy's optimisers load on first use: `import socialchoice` stays quick
    from scipy import sparse
    from scipy.optimize import OptimizeResult

_RTOL = 1e-9

def _tolerance(W: NDArray) -> float:
    """Score comparison tolerance: 0 for integral margins (exact), else absolute."""
    if np.issubdtype(W.dtype, np.integer) or bool(np.all(W == np.round(W))):
        return 0.0
    return max(1e-6, _RTOL * (1.0 + np.abs(W).sum() / 2))


# --------------------------------------------------------------------------- the LOP solver
class _Clock(Clock):
    """A :class:`~socialchoice._timelimit.Clock` that also judges HiGHS results."""

    def check_result(self, res: OptimizeResult, what: str, infeasible_ok: bool = False) -> None:
        """Raise unless a HiGHS result is a proven optimum (or, if allowed, infeasible)."""
        if res.status == 1:
            self.fail()
        if res.status != 0 and not (infeasible_ok and res.status == 2):
            raise SocialChoiceError(f"The {what} failed: {res.message}")


def _score(W: NDArray, order: NDArray) -> float:
    """``sum(W[a, b] for a above b)`` of an order (best first), in W's arithmetic."""
    Wr = W[np.ix_(order, order)]
    return Wr[np.triu_indices(len(order), 1)].sum()


def _insertion_gains(W: NDArray, order: NDArray) -> NDArray:
    """``gain[i, j]``: score change of moving the candidate at position i to position j."""
    k = len(order)
    C0 = np.zeros((k, k + 1), dtype=W.dtype)
    np.cumsum(W[np.ix_(order, order)], axis=1, out=C0[:, 1:])
    pos = np.arange(k)
    before = C0[pos, pos][:, None]  # sum of W[c, b] over b above c
    after = C0[pos, pos + 1][:, None]
    up = 2 * (before - C0[:, :k])
    down = -2 * (C0[:, 1:] - after)
    return np.where(pos[None, :] < pos[:, None], up, np.where(pos[None, :] > pos[:, None], down, 0))


def _move(order: NDArray, i: int, j: int) -> NDArray:
    rest = np.delete(order, i)
    return np.insert(rest, j, order[i])


def _local_search(W: NDArray, order: NDArray, tol: float, clock: Clock | None = None) -> NDArray:
    """Best-improvement insertion moves until none gains more than ``tol``."""
    for _ in range(20 * len(order) ** 2 + 10):
        if clock is not None:
            clock.check()
        gains = _insertion_gains(W, order)
        i, j = np.unravel_index(np.argmax(gains), gains.shape)
        if gains[i, j] <= tol:
            break
        order = _move(order, int(i), int(j))
    return order


def _iterated_search(
    W: NDArray, order: NDArray, tol: float, rounds: int, clock: Clock | None = None
) -> NDArray:
    """Iterated local search: reverse a short segment, re-optimise, accept if not worse.

    The kicks follow a fixed schedule, so the result is deterministic.
    """
    k = len(order)
    best = cur = order
    best_s = cur_s = _score(W, order)
    for t in range(rounds):
        i, n = (7 * t + 3) % max(1, k - 1), 2 + t % 4
        nxt = cur.copy()
        nxt[i : i + n] = nxt[i : i + n][::-1]
        nxt = _local_search(W, nxt, tol, clock)
        s = _score(W, nxt)
        if s >= cur_s - tol:
            cur, cur_s = nxt, s
            if s > best_s + tol:
                best, best_s = nxt, s
    return best


def _plateau_tops(W: NDArray, order: NDArray, tol: float, limit: int = 300) -> set[int]:
    """Tops of the optimal orders reachable from ``order`` by zero-loss insertion moves."""
    seen = {order.tobytes()}
    stack, tops = [order], {int(order[0])}
    while stack and len(seen) < limit:
        cur = stack.pop()
        gains = _insertion_gains(W, cur)
        for i, j in zip(*np.nonzero(np.abs(gains) <= tol), strict=True):
            if i != j:
                nxt = _move(cur, int(i), int(j))
                if nxt.tobytes() not in seen:
                    seen.add(nxt.tobytes())
                    stack.append(nxt)
                    tops.add(int(nxt[0]))
    return tops


class _LOP:
    """One strongly connected block: LP relaxation, rigorous bounds, MIP.

    ``top`` arguments pin one candidate above all others (the winner checks). The 3-cycle
    rows found so far are shared by every LP and MIP solved for the block.
    """

    def __init__(self, W: NDArray, clock: _Clock) -> None:
        self.W, self.clock, self.k = W, clock, W.shape[0]
        self.iu, self.ju = np.triu_indices(self.k, 1)
        self.w = W[self.iu, self.ju].astype(float)
        self.pid = np.zeros((self.k, self.k), dtype=np.intp)
        self.pid[self.iu, self.ju] = np.arange(len(self.iu))
        t = np.fromiter(
            chain.from_iterable(combinations(range(self.k), 3)), dtype=np.intp
        ).reshape(-1, 3)
        clock.check()
        self.tri = np.stack([self.pid[t[:, 0], t[:, 1]], self.pid[t[:, 1], t[:, 2]],
                             self.pid[t[:, 0], t[:, 2]]], axis=1)
        self.active = self.violated((self.w > 0).astype(float), 0.5)
        self.tol = _tolerance(W)  # for comparing scores
        self.ftol = _RTOL * (1.0 + np.abs(self.w).sum())  # float error of computed bounds
        integral = self.tol == 0
        gcd = float(np.gcd.reduce(np.abs(self.w).astype(np.int64))) if integral else 0.0
        self.grain = (gcd or 1.0) if integral else 0.0  # attainable y-values: multiples

    # y-value v = sum w_p y_p relates to the score by score = 2 v - sum(w)
    def to_v(self, score: float) -> float:
        return (float(score) + self.w.sum()) / 2

    def floor(self, v: float) -> float:
        """Largest attainable y-value not above the bound ``v``."""
        if self.grain > 0:
            return self.grain * np.floor((v + self.ftol) / self.grain)
        return v + self.ftol

    def bounds(self, top: int | None) -> tuple[NDArray, NDArray]:
        lo, hi = np.zeros(len(self.w)), np.ones(len(self.w))
        if top is not None:
            lo[self.pid[top, top + 1 :]] = 1.0
            hi[self.pid[:top, top]] = 0.0
        return lo, hi

    def rows(self, sel: NDArray) -> sparse.csr_array:
        from scipy import sparse
        tri = self.tri[sel]
        r = np.repeat(np.arange(len(tri)), 3)
        vals = np.tile([1.0, 1.0, -1.0], len(tri))
        return sparse.csr_array((vals, (r, tri.ravel())), shape=(len(tri), len(self.w)))

    def violated(self, y: NDArray, eps: float) -> NDArray:
        s = y[self.tri[:, 0]] + y[self.tri[:, 1]] - y[self.tri[:, 2]]
        return (s > 1 + eps) | (s < -eps)

    def order_of(self, y: NDArray) -> NDArray:
        X = np.zeros((self.k, self.k))
        X[self.iu, self.ju] = y
        X[self.ju, self.iu] = 1 - y
        return np.argsort(-X.sum(axis=1), kind="stable")

    def improve(self, order: NDArray, top: int | None, rounds: int = 0) -> NDArray:
        """Local (and with ``rounds`` iterated) search, keeping ``top`` first if given."""
        if top is None:
            order = _local_search(self.W, order, self.tol, self.clock)
            if rounds:
                order = _iterated_search(self.W, order, self.tol, rounds, self.clock)
            return order
        rest = order[order != top]
        rest = rest - (rest > top)
        Wr = np.delete(np.delete(self.W, top, axis=0), top, axis=1)
        rest = _local_search(Wr, rest, self.tol, self.clock)
        if rounds:
            rest = _iterated_search(Wr, rest, self.tol, rounds, self.clock)
        return np.r_[top, rest + (rest >= top)]

    def lp(self, lo: NDArray, hi: NDArray) -> tuple[float, NDArray, NDArray]:
        """Cutting-plane LP: (rigorous upper bound on v, reduced costs r, LP solution y)."""
        from scipy import sparse
        from scipy.optimize import linprog
        while True:
            A = self.rows(self.active)
            na = A.shape[0]
            res = linprog(
                -self.w, A_ub=sparse.vstack([A, -A]) if na else None,
                b_ub=np.r_[np.ones(na), np.zeros(na)] if na else None,
                bounds=np.column_stack([lo, hi]), method="highs",
                options={"time_limit": self.clock.left()},
            )
            self.clock.check_result(res, "LP relaxation")
            new = self.violated(res.x, 1e-7) & ~self.active
            if not new.any():
                break
            self.active |= new
        # Lagrangian bound from the row duals: valid whatever the LP's own accuracy
        lam = np.maximum(0, -res.ineqlin.marginals) if na else np.zeros(0)
        r = self.w - (A.T @ (lam[:na] - lam[na:]) if na else 0)
        return float(lam[:na].sum() + np.maximum(r * lo, r * hi).sum()), r, res.x

    def mip(self, lo: NDArray, hi: NDArray) -> tuple[float, NDArray | None, bool]:
        """One MIP over the current 3-cycle rows: (upper bound on v, y, y is an order).

        Rows that ``y`` violates are added for the next call; ``y`` is None if infeasible.
        """
        from scipy.optimize import Bounds, LinearConstraint, milp
        cons = [LinearConstraint(self.rows(self.active), 0, 1)] if self.active.any() else []
        res = milp(
            -self.w, integrality=np.ones_like(self.w), bounds=Bounds(lo, hi), constraints=cons,
            options={"mip_rel_gap": 0.0, "time_limit": self.clock.left()},
        )
        self.clock.check_result(res, "ranking MIP", infeasible_ok=True)
        if res.status == 2:
            return -np.inf, None, True
        y = np.round(res.x)
        new = self.violated(y, 0.5)
        self.active |= new
        return float(self.w @ y), y, not new.any()

    def solve(
        self, need: float | None, top: int | None = None
    ) -> tuple[NDArray | None, float, tuple]:
        """Best order (with ``top`` first if given) if its score reaches ``need``.

        Returns ``(order or None, best score found, (U, r))``; ``None`` means no order scores
        ``need`` or more. ``U`` is the root Lagrangian bound on the y-value, ``r`` its
        reduced costs.
        """
        lo, hi = self.bounds(top)
        order = self.improve(np.argsort(-self.W.sum(axis=1), kind="stable"), top)
        best = _score(self.W, order)
        reached = need is not None and best >= need - self.tol
        if reached or self.k - (top is not None) <= 2:  # done, or the local search is exact
            ok = need is None or reached
            return (order if ok else None), best, (np.inf, np.zeros(len(self.w)))
        U, r, y = self.lp(lo, hi)
        for rounds in (0, 3 * self.k):  # iterated search only if the bound is not met yet
            if self.floor(U) > self.to_v(best) + self.tol:
                alt = self.improve(self.order_of(y) if rounds == 0 else order, top, rounds)
                if _score(self.W, alt) > best:
                    order, best = alt, _score(self.W, alt)
        if need is not None and best >= need - self.tol:
            return order, best, (U, r)
        improve = need is None
        # y-value an order must reach to matter: beat `best`, or reach `need`
        reach = self.to_v(best) + self.grain if improve else self.to_v(need)
        # fix every free pair whose flip costs more than the gap between bound and `reach`
        fixed = (lo < hi) & (self.floor(U - np.abs(r)) < reach - self.tol)
        keep = np.where(r < 0, 0.0, 1.0)  # the side the LP bound prefers
        lo, hi = np.where(fixed, keep, lo), np.where(fixed, keep, hi)
        bound = U
        while self.floor(bound) >= reach - self.tol:
            bound, y, exact = self.mip(lo, hi)  # bound: no order within the fixings beats it
            if y is None:
                break
            alt = self.order_of(y) if exact else self.improve(self.order_of(y), top)
            if _score(self.W, alt) > best:
                order, best = alt, _score(self.W, alt)
                reach = self.to_v(best) + self.grain if improve else reach
            met = self.to_v(best) >= self.floor(bound) - self.tol
            if exact or met or (not improve and best >= need - self.tol):
                break
        if need is not None and best < need - self.tol:
            return None, best, (U, r)
        return order, best, (U, r)


def _blocks(W: NDArray) -> list[NDArray]:
    """Strongly connected components of ``W >= 0``, in the order every optimum ranks them."""
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components
    graph = sparse.csr_array((W >= 0).astype(np.int8))
    n, lab = connected_components(graph, directed=True, connection="strong")
    comps = [np.flatnonzero(lab == c) for c in range(n)]
    beaten = [int((W[c[0]] > 0).sum() - (W[np.ix_(c, c)][0] > 0).sum()) for c in comps]
    return [comps[i] for i in np.argsort(beaten, kind="stable")[::-1]]


def _unit_scale(W: NDArray) -> NDArray:
    """Float weights scaled to max |W| = 1: optimal orders are unchanged and the solver's
    absolute tolerances then mean the same thing at every scale."""
    if np.issubdtype(W.dtype, np.integer):
        return W
    peak = np.abs(W).max(initial=0.0)
    return W / peak if peak > 0 else W


def _lop_order(W: NDArray, clock: _Clock) -> NDArray:
    W = _unit_scale(W)
    parts = []
    for comp in _blocks(W):
        order, _, _ = _LOP(W[np.ix_(comp, comp)], clock).solve(None)
        parts.append(comp[order])
    return np.concatenate(parts)


def _lop_winners(W: NDArray, clock: _Clock) -> NDArray:
    """Mask of the candidates ranked first by some optimal order."""
    W = _unit_scale(W)
    top = _blocks(W)[0]
    lop = _LOP(W[np.ix_(top, top)], clock)
    order, opt, (U, r) = lop.solve(None)
    wins = _plateau_tops(lop.W, order, lop.tol)
    for c in range(lop.k):
        if c in wins:
            continue
        # the root's Lagrangian bound with c pinned first: each pinned pair pays its |r|
        lo, hi = lop.bounds(c)
        pinned = U - np.maximum(r, 0).sum() + np.maximum(r * lo, r * hi).sum()
        if lop.floor(pinned) < lop.to_v(opt) - lop.tol:
            continue
        found, _, _ = lop.solve(opt, top=c)
        if found is not None:
            wins |= _plateau_tops(lop.W, found, lop.tol)
    mask = np.zeros(W.shape[0], dtype=bool)
    mask[top[sorted(wins)]] = True
    return mask


def _lop_reference(W: NDArray) -> tuple[float, NDArray]:
    """Brute force over all m! orders: (optimal score, winner mask). Small m only."""
    m = W.shape[0]
    perms = np.array(list(permutations(range(m))), dtype=np.intp).reshape(-1, m)
    iu, ju = np.triu_indices(m, 1)
    scores = W[perms[:, iu], perms[:, ju]].sum(axis=1)
    best = scores.max()
    close = scores >= best - _tolerance(W)
    mask = np.zeros(m, dtype=bool)
    mask[perms[close, 0]] = True
    return best, mask


def _antisymmetric(M: ArrayLike) -> NDArray:
    """Validated margins (float input comes back exactly antisymmetric)."""
    return as_margin_matrix(M)


def _single(M: ArrayLike, who: str) -> NDArray:
    M = _antisymmetric(M)
    if M.ndim != 2:
        raise MarginError(f"{who} takes one (m, m) margin matrix; got shape {M.shape}.")
    return M
