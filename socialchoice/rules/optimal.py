"""Rules defined by an optimisation over the margins: Kemeny, Slater and maximal lotteries.

Kemeny and Slater maximise ``sum(W[a, b] for a ranked above b)`` over linear orders, with
``W = M`` (Kemeny) or ``W = sign(M)`` (Slater): the *linear ordering problem*, solved
exactly by an integer program over ``y[a, b]`` (``a`` above ``b``, one binary per pair
``a < b``) with the 3-cycle (transitivity) inequalities, never by enumerating orders:

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

Maximal lotteries are optimal mixed strategies of the symmetric zero-sum game ``M``, found
by linear programming (:func:`scipy.optimize.linprog`, HiGHS).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from itertools import combinations, permutations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, OptimizeResult, linprog, milp
from scipy.sparse.csgraph import connected_components

from .._errors import MarginError, SocialChoiceError
from .._margins import as_margin_matrix
from .._registry import register, register_order

__all__ = [
    "essential_set",
    "kemeny",
    "kemeny_ranking",
    "maximal_lottery",
    "slater",
    "slater_ranking",
]

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
_RTOL = 1e-9


def _tolerance(W: NDArray) -> float:
    """Score comparison tolerance: 0 for integral margins (exact), else absolute."""
    if np.issubdtype(W.dtype, np.integer) or bool(np.all(W == np.round(W))):
        return 0.0
    return max(1e-6, _RTOL * (1.0 + np.abs(W).sum() / 2))


# --------------------------------------------------------------------------- the LOP solver
class _Clock:
    """Remaining time of an optional budget shared by all LP/MIP calls of one request."""

    def __init__(self, limit: float | None) -> None:
        self.end = None if limit is None else time.monotonic() + float(limit)

    def left(self) -> float:
        """Seconds left (inf without a limit); raises once the budget is spent."""
        if self.end is None:
            return np.inf
        left = self.end - time.monotonic()
        if left <= 0:
            self.fail()
        return left

    def check(self, res: OptimizeResult, what: str, infeasible_ok: bool = False) -> None:
        """Raise unless a HiGHS result is a proven optimum (or, if allowed, infeasible)."""
        if res.status == 1:
            self.fail()
        if res.status != 0 and not (infeasible_ok and res.status == 2):
            raise SocialChoiceError(f"The {what} failed: {res.message}")

    @staticmethod
    def fail() -> None:
        raise SocialChoiceError(
            "The ranking optimisation ran out of its time_limit before proving optimality; "
            "raise time_limit (or pass None) to get the exact answer."
        )


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


def _local_search(W: NDArray, order: NDArray, tol: float) -> NDArray:
    """Best-improvement insertion moves until none gains more than ``tol``."""
    for _ in range(20 * len(order) ** 2 + 10):
        gains = _insertion_gains(W, order)
        i, j = np.unravel_index(np.argmax(gains), gains.shape)
        if gains[i, j] <= tol:
            break
        order = _move(order, int(i), int(j))
    return order


def _iterated_search(W: NDArray, order: NDArray, tol: float, rounds: int) -> NDArray:
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
        nxt = _local_search(W, nxt, tol)
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
        t = np.array(list(combinations(range(self.k), 3)), dtype=np.intp).reshape(-1, 3)
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
            order = _local_search(self.W, order, self.tol)
            return _iterated_search(self.W, order, self.tol, rounds) if rounds else order
        rest = order[order != top]
        rest = rest - (rest > top)
        Wr = np.delete(np.delete(self.W, top, axis=0), top, axis=1)
        rest = _local_search(Wr, rest, self.tol)
        rest = _iterated_search(Wr, rest, self.tol, rounds) if rounds else rest
        return np.r_[top, rest + (rest >= top)]

    def lp(self, lo: NDArray, hi: NDArray) -> tuple[float, NDArray, NDArray]:
        """Cutting-plane LP: (rigorous upper bound on v, reduced costs r, LP solution y)."""
        while True:
            A = self.rows(self.active)
            na = A.shape[0]
            res = linprog(
                -self.w, A_ub=sparse.vstack([A, -A]) if na else None,
                b_ub=np.r_[np.ones(na), np.zeros(na)] if na else None,
                bounds=np.column_stack([lo, hi]), method="highs",
                options={"time_limit": self.clock.left()},
            )
            self.clock.check(res, "LP relaxation")
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
        cons = [LinearConstraint(self.rows(self.active), 0, 1)] if self.active.any() else []
        res = milp(
            -self.w, integrality=np.ones_like(self.w), bounds=Bounds(lo, hi), constraints=cons,
            options={"mip_rel_gap": 0.0, "time_limit": self.clock.left()},
        )
        self.clock.check(res, "ranking MIP", infeasible_ok=True)
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
    graph = sparse.csr_array((W >= 0).astype(np.int8))
    n, lab = connected_components(graph, directed=True, connection="strong")
    comps = [np.flatnonzero(lab == c) for c in range(n)]
    beaten = [int((W[c[0]] > 0).sum() - (W[np.ix_(c, c)][0] > 0).sum()) for c in comps]
    return [comps[i] for i in np.argsort(beaten, kind="stable")[::-1]]


def _lop_order(W: NDArray, clock: _Clock) -> NDArray:
    parts = []
    for comp in _blocks(W):
        order, _, _ = _LOP(W[np.ix_(comp, comp)], clock).solve(None)
        parts.append(comp[order])
    return np.concatenate(parts)


def _lop_winners(W: NDArray, clock: _Clock) -> NDArray:
    """Mask of the candidates ranked first by some optimal order."""
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
    """Validated margins; float input is made exactly antisymmetric."""
    M = as_margin_matrix(M)
    return (M - np.swapaxes(M, -1, -2)) / 2 if np.issubdtype(M.dtype, np.floating) else M


def _single(M: ArrayLike, who: str) -> NDArray:
    M = _antisymmetric(M)
    if M.ndim != 2:
        raise MarginError(f"{who} takes one (m, m) margin matrix; got shape {M.shape}.")
    return M


# --------------------------------------------------------------------------- Kemeny
def kemeny_ranking(M: ArrayLike, *, time_limit: float | None = None) -> tuple[NDArray, float]:
    """One Kemeny ranking of a margin matrix, with its score.

    A Kemeny ranking maximises ``sum(M[a, b] for a ranked above b)``; equivalently, for
    margins of a profile, it minimises the total Kendall-tau distance to the ballots.

    Parameters
    ----------
    M : array_like, shape (m, m)
        One antisymmetric margin matrix.
    time_limit : float, optional
        Seconds allowed for the whole optimisation; if optimality is not proven in time a
        :class:`~socialchoice.SocialChoiceError` is raised (never a suboptimal answer).

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
    order = _lop_order(M, _Clock(time_limit))
    return order, _score(M, order)


@register("kemeny", family="optimal", needs="margins", batched=True, reference=_KEMENY)
def kemeny(M: ArrayLike, *, time_limit: float | None = None) -> NDArray:
    """Candidates ranked first by some Kemeny ranking (maximal sum of agreeing margins).

    Ties: every candidate that is the top of at least one optimal ranking wins, as
    ``pref_voting.other_methods.kemeny_young`` (algorithm "marginal"). Exact for any m;
    batches are solved one distinct matrix at a time (``time_limit``, in seconds, applies to
    each; see :func:`kemeny_ranking`).

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
    return _per_matrix(M, lambda A: _lop_winners(A, _Clock(time_limit)), bool)


@register_order("kemeny")
def _kemeny_order(M: NDArray, *, time_limit: float | None = None) -> NDArray:
    return np.argsort(kemeny_ranking(M, time_limit=time_limit)[0])


def _kemeny_reference(M: NDArray) -> NDArray:
    return _lop_reference(np.asarray(M))[1]


# --------------------------------------------------------------------------- Slater
def slater_ranking(M: ArrayLike, *, time_limit: float | None = None) -> tuple[NDArray, int]:
    """One Slater ranking: a linear order reversing the fewest strict majority edges.

    Pairs with a zero margin cost nothing either way (as ``pref_voting``'s
    ``slater_rankings``), so this is :func:`kemeny_ranking` on ``sign(M)``.

    Parameters
    ----------
    M : array_like, shape (m, m)
        One antisymmetric margin matrix (only its signs matter).
    time_limit : float, optional
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
    order = _lop_order(S, _Clock(time_limit))
    return order, int(((S > 0).sum() - _score(S, order)) // 2)


@register("slater", family="optimal", needs="margins", batched=True, reference=_SLATER)
def slater(M: ArrayLike, *, time_limit: float | None = None) -> NDArray:
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
    return _per_matrix(
        M, lambda A: _lop_winners(np.sign(A).astype(np.int64), _Clock(time_limit)), bool
    )


@register_order("slater")
def _slater_order(M: NDArray, *, time_limit: float | None = None) -> NDArray:
    return np.argsort(slater_ranking(M, time_limit=time_limit)[0])


def _slater_reference(M: NDArray) -> NDArray:
    return _lop_reference(np.sign(np.asarray(M)).astype(np.int64))[1]


# --------------------------------------------------------------------------- maximal lotteries
def _per_matrix(M: ArrayLike, func: Callable[[NDArray], NDArray], dtype: type) -> NDArray:
    """Apply ``func((m, m)) -> (m,)`` to each distinct matrix of a ``(..., m, m)`` batch."""
    M = _antisymmetric(M)
    m = M.shape[-1]
    if M.ndim == 2:
        return np.asarray(func(M), dtype=dtype)
    flat = M.reshape(-1, m * m)
    out = np.zeros((flat.shape[0], m), dtype=dtype)
    if len(flat):
        uniq, inverse = np.unique(flat, axis=0, return_inverse=True)
        rows = np.array([func(u.reshape(m, m)) for u in uniq], dtype=dtype)
        out = rows[inverse.ravel()]
    return out.reshape(*M.shape[:-1])


def _lottery_one(M: NDArray) -> NDArray:
    """(m,) maximal lottery of one matrix whose support is the whole essential set."""
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


@register("maximal_lottery", family="optimal", needs="margins", batched=True, reference=_ML)
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
    M = np.asarray(M, dtype=float)
    m = M.shape[0]
    mask = np.zeros(m, dtype=bool)
    for c in range(m):
        res = linprog(-np.eye(m)[c], A_ub=-M.T, b_ub=np.zeros(m), A_eq=np.ones((1, m)),
                      b_eq=[1.0], bounds=(0, 1), method="highs")
        mask[c] = -res.fun > 1e-7
    return mask
