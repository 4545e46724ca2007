"""Witness search behind the proportionality audits of :mod:`._audits`.

Holds the audited instance (:class:`_Instance`, built and validated by :func:`_instance`), the
group-size test :func:`_deserves`, the exact level-ℓ search for EJR and PJR violations
(:func:`_peel`, :func:`_search`, :func:`_milp`, :func:`_group`) and the brute-force
references over all ``2^n`` voter groups that the tests compare every audit against.
The level-by-level driver (EJR+ filter, node budget, integer-program fallback) is
``_cohesive_hit`` in :mod:`._audits`. Both exact searches take a
:class:`~socialchoice._timelimit.Clock`: the depth-first search checks it at every node and
the integer program gets the time left as HiGHS's ``time_limit``; running out raises
:class:`~socialchoice.TimeLimitError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from _common.validation import first_index, parameter_error

from .._errors import ApprovalError
from .._timelimit import Clock
from ._input import as_committee, as_k, as_profile, as_weights

_RTOL = 1e-9
_UNLIMITED = Clock(None, "audit")  # the searches' clock when no time limit is given


class _BudgetExceeded(Exception):
    pass


@dataclass(frozen=True)
class _Instance:
    A: NDArray[np.bool_]
    Af: NDArray[np.float64]
    w: NDArray[np.float64]
    total: float
    k: int
    committee: NDArray[np.intp]
    in_W: NDArray[np.bool_]
    u: NDArray[np.int64]
    exact: bool


def _instance(A: ArrayLike, W, k, weights, func: str) -> _Instance:
    U, is_approval = as_profile(A, func=func)
    if not is_approval:
        r, c = first_index(~np.isin(U, (0.0, 1.0)))
        expected = (f"approval ballots (bool or 0/1); A[{r}, {c}] = {U[r, c]:g} is not 0 or 1 "
                    "(binarise cardinal utilities first, e.g. U >= t)")
        raise parameter_error("A", func, expected, U, ApprovalError)
    n, m = U.shape
    committee = as_committee(W, m, func=func)
    if k is None:
        if committee.size == 0:
            expected = "given when the committee W is empty (it defaults to |W|)"
            raise parameter_error("k", func, expected, k, ApprovalError)
        k = int(committee.size)
    k = as_k(k, m, func=func)
    if k < committee.size:
        expected = (f"at least |W| = {committee.size} (k > |W| audits a partial committee "
                    "against the quota n/k)")
        raise parameter_error("k", func, expected, k, ApprovalError)
    w = as_weights(weights, n, func=func)
    Ab = U.astype(bool)
    in_W = np.zeros(m, dtype=bool)
    in_W[committee] = True
    total = float(w.sum())
    exact = bool(np.all(w == np.round(w))) and total < 2.0**40
    return _Instance(Ab, Ab.astype(np.float64), w, total, k, committee, in_W,
                     Ab[:, committee].sum(axis=1).astype(np.int64), exact)


def _deserves(inst: _Instance, size, ell):
    """Whether a group of total weight ``size`` reaches ``ℓ·n/k`` (vectorised)."""
    rhs = np.multiply(ell, inst.total)
    if inst.exact:
        return np.multiply(size, inst.k) >= rhs
    return np.multiply(size, inst.k) >= rhs * (1.0 - _RTOL)


# ----------------------------------------------------------------- exact EJR / PJR

def _peel(inst: _Instance, ell: int) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Voters and candidates that can belong to a level-ℓ EJR (hence PJR) violation.

    Members have ``< ℓ`` approved members in W and approve ``ℓ`` candidates each supported
    by ``ℓ·n/k`` such voters; removing the others until nothing changes keeps every witness.
    """
    V = inst.u < ell
    C = np.ones(inst.A.shape[1], dtype=bool)
    while True:
        C2 = C & _deserves(inst, (inst.w * V) @ inst.Af, ell)
        V2 = V & (inst.A[:, C2].sum(axis=1) >= ell)
        if not _deserves(inst, inst.w[V2].sum(), ell) or C2.sum() < ell:
            return np.zeros_like(V), np.zeros_like(C)
        if np.array_equal(V2, V) and np.array_equal(C2, C):
            return V, C
        V, C = V2, C2


def _group(inst: _Instance, ell: int, T, S) -> NDArray[np.intp] | None:
    """The largest group jointly approving T (with W-approvals inside S for PJR), if it
    is large enough to be a witness."""
    members = inst.A[:, list(T)].all(axis=1) & (inst.u < ell)
    if S is not None:
        outside = inst.in_W.copy()
        outside[list(S)] = False
        members &= ~inst.A[:, outside].any(axis=1)
    if len(T) != ell or not _deserves(inst, inst.w[members].sum(), ell):
        return None
    return np.flatnonzero(members)


def _search(inst: _Instance, ell: int, V, C, pjr: bool, budget: int | None,
            clock: Clock = _UNLIMITED):
    """Depth-first search for ℓ jointly approved candidates T (and, for PJR, a set S of at
    most ℓ-1 committee members containing the group's W-approvals)."""
    A, w, nodes = inst.A, inst.w, [0]

    def tick() -> None:
        nodes[0] += 1
        if budget is not None and nodes[0] > budget:
            raise _BudgetExceeded
        clock.check()

    def cover(rows, cols, chosen, j):
        # rows: voters whose W-approvals avoid every excluded column so far
        tick()
        if not _deserves(inst, w[rows].sum(), ell):
            return None
        if len(chosen) == ell - 1 or j == cols.size:
            rest = A[np.ix_(rows, cols[j:])].any(axis=1)
            ok = _deserves(inst, w[rows[~rest]].sum(), ell)
            return tuple(chosen) if ok else None
        return (cover(rows, cols, [*chosen, int(cols[j])], j + 1)
                or cover(rows[~A[rows, cols[j]]], cols, chosen, j + 1))

    def covered(rows):
        cols = inst.committee[A[np.ix_(rows, inst.committee)].any(axis=0)]
        cols = cols[np.argsort(-(w[rows] @ inst.Af[np.ix_(rows, cols)]), kind="stable")]
        return cover(rows, cols, [], 0)

    def rec(T, rows, pool):
        tick()
        need = ell - len(T)
        if need == 0:
            if not pjr:
                return T, None
            S = covered(rows)
            return None if S is None else (T, S)
        sub = A[np.ix_(rows, pool)]
        keep = _deserves(inst, w[rows] @ sub, ell)
        pool, sub = pool[keep], sub[:, keep]
        alive = sub.sum(axis=1) >= need
        rows, sub = rows[alive], sub[alive]
        if pool.size < need or not _deserves(inst, w[rows].sum(), ell):
            return None
        for j in range(pool.size - need + 1):
            hit = rec((*T, int(pool[j])), rows[sub[:, j]], pool[j + 1:])
            if hit is not None:
                return hit
        return None

    cands = np.flatnonzero(C)
    cands = cands[np.argsort(-((inst.w * V) @ inst.Af[:, cands]), kind="stable")]
    rows = np.flatnonzero(V)
    if pjr and covered(rows) is None:  # no S admits a large enough group: no T can help
        return None
    return rec((), rows, cands)


def _milp(inst: _Instance, ell: int, V, C, pjr: bool, clock: Clock = _UNLIMITED):
    """Integer program: voters x_i, candidates y_c (Σy = ℓ), committee members z_s (PJR:
    Σz ≤ ℓ-1) with x_i + y_c ≤ 1 when i does not approve c, x_i ≤ z_s when i approves s ∈ W,
    and Σ w_i x_i ≥ ℓ·n/k."""
    rows, cols = np.flatnonzero(V), np.flatnonzero(C)
    nv, nc = rows.size, cols.size
    ii, cc = np.nonzero(~inst.A[np.ix_(rows, cols)])
    r0 = ii.size
    blocks_r, blocks_c, blocks_v = [np.arange(r0), np.arange(r0)], [ii, nv + cc], [
        np.ones(r0), np.ones(r0)]
    lb, ub = [np.full(r0, -np.inf)], [np.ones(r0)]
    wcols = np.zeros(0, dtype=np.intp)
    if pjr:
        P = inst.A[np.ix_(rows, inst.committee)]
        wcols = inst.committee[P.any(axis=0)]
        pi, ps = np.nonzero(inst.A[np.ix_(rows, wcols)])
        blocks_r += [r0 + np.arange(pi.size)] * 2
        blocks_c += [pi, nv + nc + ps]
        blocks_v += [np.ones(pi.size), -np.ones(pi.size)]
        lb.append(np.full(pi.size, -np.inf))
        ub.append(np.zeros(pi.size))
        r0 += pi.size
    nz = wcols.size
    if inst.exact:
        thr = float(-(-(ell * round(inst.total)) // inst.k))
    else:
        thr = ell * inst.total / inst.k * (1.0 - _RTOL)
    sums = [(np.arange(nv, nv + nc), np.ones(nc), ell, ell),
            (np.arange(nv), inst.w[rows], thr, np.inf)]
    if nz:
        sums.append((np.arange(nv + nc, nv + nc + nz), np.ones(nz), -np.inf, ell - 1))
    for j, (idx, coef, lo, hi) in enumerate(sums):
        blocks_r.append(np.full(idx.size, r0 + j))
        blocks_c.append(idx)
        blocks_v.append(coef)
        lb.append([lo])
        ub.append([hi])
    nvar = nv + nc + nz
    M = sparse.csr_array((np.concatenate(blocks_v), (np.concatenate(blocks_r),
                          np.concatenate(blocks_c))), shape=(r0 + len(sums), nvar))
    left = clock.left()
    res = milp(np.zeros(nvar), integrality=np.ones(nvar), bounds=Bounds(0, 1),
               constraints=LinearConstraint(M, np.concatenate(lb), np.concatenate(ub)),
               options={} if np.isinf(left) else {"time_limit": left})
    if res.status == 1:  # HiGHS stopped on the time limit
        clock.fail()
    if res.status == 2:
        return None
    if res.status != 0 or res.x is None:
        raise RuntimeError(f"HiGHS could not settle level {ell}: {res.message}")
    T = tuple(int(c) for c in cols[res.x[nv:nv + nc] > 0.5])
    S = tuple(int(s) for s in wcols[res.x[nv + nc:] > 0.5]) if pjr else None
    return T, S


# ----------------------------------------------------------------- brute-force references

def _reference(A: ArrayLike, W, k, weights, test) -> bool:
    """Literal definition: enumerate every non-empty voter group (``2^n``; tests only).

    Groups are bitmasks built from the group without its lowest voter. ``test(ell, common,
    W_bits, union_W, max_u)`` (``common``: jointly approved candidates as a bitmask,
    ``union_W``: number of members of W approved by someone in the group, ``max_u``: largest
    number of approved members of W of a group member) says whether the group violates the
    property at level ℓ; returns whether the property holds.
    """
    A = np.asarray(A).astype(bool)
    n, m = A.shape
    members = np.flatnonzero(W) if np.asarray(W).dtype == bool else W
    W_bits = sum(1 << int(c) for c in set(members))
    k = W_bits.bit_count() if k is None else k
    bits = [sum(1 << int(c) for c in np.flatnonzero(row)) for row in A]
    w = [1] * n if weights is None else [
        int(x) if float(x).is_integer() else Fraction(x) for x in weights]
    total = sum(w)
    common, union, weight, max_u = [(1 << m) - 1], [0], [0], [0]
    for group in range(1, 1 << n):
        i, rest = (group & -group).bit_length() - 1, group & (group - 1)
        common.append(common[rest] & bits[i])
        union.append(union[rest] | bits[i])
        weight.append(weight[rest] + w[i])
        max_u.append(max(max_u[rest], (bits[i] & W_bits).bit_count()))
        union_W = (union[group] & W_bits).bit_count()
        ell = 1
        while ell <= k and weight[group] * k >= ell * total:
            if test(ell, common[group], W_bits, union_W, max_u[group]):
                return False
            ell += 1
    return True


def _is_jr_reference(A, W, k=None, weights=None) -> bool:
    return _reference(A, W, k, weights,
                      lambda ell, common, W_bits, union_W, u: ell == 1 and common and u == 0)


def _is_pjr_reference(A, W, k=None, weights=None) -> bool:
    return _reference(A, W, k, weights,
                      lambda ell, common, W_bits, union_W, u: common.bit_count() >= ell > union_W)


def _is_ejr_reference(A, W, k=None, weights=None) -> bool:
    return _reference(A, W, k, weights,
                      lambda ell, common, W_bits, union_W, u: common.bit_count() >= ell > u)


def _is_ejr_plus_reference(A, W, k=None, weights=None) -> bool:
    return _reference(A, W, k, weights,
                      lambda ell, common, W_bits, union_W, u: common & ~W_bits and ell > u)
