"""Proportionality audits of approval-based committees: JR, PJR, EJR and EJR+.

Notation: ``n`` voters with approval sets ``A_i``, voter weights ``w_i`` (a group's *size* is
its total weight, ``n`` the total weight of all voters), a committee ``W`` and the target
committee size ``k``. A group ``N'`` is *ℓ-cohesive* if ``|N'| ≥ ℓ·n/k`` and its members
jointly approve at least ``ℓ`` candidates, ``|∩_{i∈N'} A_i| ≥ ℓ``.

``k`` defaults to ``|W|``. A larger ``k`` audits a *partial* committee against the quota
``n/k`` (as ``abcvoting.properties.check(..., quota=n/k)`` does); ``k < |W|`` is an error.
Levels ``ℓ = 1..k`` are audited (a larger ``ℓ`` would need a group heavier than ``n``).
Group sizes are compared exactly (``k·|N'| ≥ ℓ·n``) for integer weights and with a relative
tolerance of 1e-9 for non-integer weights.

JR and EJR+ are checked in polynomial time. Checking PJR and EJR is coNP-complete; both are
decided exactly: levels where EJR+ holds are skipped (a PJR or EJR violation at level ℓ is
an EJR+ violation at ℓ), the rest is shrunk by a peeling argument and settled by a pruned
depth-first search, or by an integer program (``scipy.optimize.milp``, HiGHS) when the search
exceeds its node budget. Every witness is re-verified with exact arithmetic before it is
returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from .._errors import ApprovalError
from ._input import as_committee, as_k, as_profile, as_weights

__all__ = [
    "AuditResult",
    "ProportionalityReport",
    "is_ejr",
    "is_ejr_plus",
    "is_jr",
    "is_pjr",
    "proportionality_report",
]

_METHODS = ("auto", "search", "milp")
_BUDGET = 4000  # search nodes before "auto" hands a level to the integer program
_RTOL = 1e-9
_AZIZ = (
    "H. Aziz, M. Brill, V. Conitzer, E. Elkind, R. Freeman, T. Walsh, 'Justified "
    "representation in approval-based committee voting', Social Choice and Welfare 48(2) (2017)"
)


class _BudgetExceeded(Exception):
    pass


@dataclass(frozen=True, repr=False)
class AuditResult:
    """Outcome of one proportionality audit; truthy iff the property holds.

    When the property fails, ``group`` (voter indices), ``ell`` (the level ℓ) and
    ``candidates`` (the ℓ jointly approved candidates; for JR and EJR+ the single candidate
    outside ``W``) form a witness, and ``explanation`` states it in words.

    Examples
    --------
    >>> r = AuditResult("JR", True, explanation="committee (0,) satisfies JR")
    >>> bool(r), r
    (True, AuditResult(JR holds: committee (0,) satisfies JR))
    """

    property: str
    holds: bool
    group: tuple[int, ...] = ()
    ell: int | None = None
    candidates: tuple[int, ...] = ()
    explanation: str = ""

    def __bool__(self) -> bool:
        return self.holds

    def __repr__(self) -> str:
        verdict = "holds" if self.holds else "fails"
        return f"AuditResult({self.property} {verdict}: {self.explanation})"

    def to_dict(self) -> dict:
        """Plain-Python view (JSON-serialisable)."""
        return {
            "property": self.property, "holds": self.holds, "group": list(self.group),
            "ell": self.ell, "candidates": list(self.candidates), "explanation": self.explanation,
        }


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
    U, is_approval = as_profile(A)
    if not is_approval:
        r, c = (int(i) for i in np.argwhere(~np.isin(U, (0.0, 1.0)))[0])
        raise ApprovalError(
            f"{func}: these audits are defined for approval ballots (bool or 0/1); A[{r}, {c}] "
            f"= {U[r, c]:g} is not 0 or 1. Binarise cardinal utilities first (e.g. U >= t)."
        )
    n, m = U.shape
    committee = as_committee(W, m)
    if k is None:
        if committee.size == 0:
            raise ApprovalError(
                f"{func}: the committee W is empty, so k cannot default to |W|; pass the target "
                "committee size k explicitly."
            )
        k = int(committee.size)
    k = as_k(k, m, func=func)
    if k < committee.size:
        raise ApprovalError(
            f"The 'k' parameter of {func} must be at least |W| = {committee.size} (k > |W| audits "
            f"a partial committee against the quota n/k). Got {k} instead."
        )
    w = as_weights(weights, n)
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


def _num(x: float) -> str:
    return str(round(x)) if abs(x - round(x)) < 1e-9 else f"{x:.4g}"


def _tup(a) -> tuple[int, ...]:
    return tuple(int(i) for i in a)


def _voters(group: tuple[int, ...]) -> str:
    if len(group) <= 12:
        return f"voters {group}"
    head = ", ".join(map(str, group[:10]))
    return f"{len(group)} voters ({head}, …, {group[-1]})"


def _result(prop: str, inst: _Instance, hit, what: str) -> AuditResult:
    if hit is None:
        text = (f"committee {_tup(inst.committee)} satisfies {prop} (n = {_num(inst.total)}, "
                f"k = {inst.k}, quota n/k = {_num(inst.total / inst.k)})")
        return AuditResult(prop, True, explanation=text)
    group, ell, cands = hit
    size = float(inst.w[group].sum())
    lead = "n/k" if ell == 1 else "ℓ·n/k"
    text = (f"{_voters(_tup(group))} — {_num(size)} ≥ {lead} = {_num(ell * inst.total / inst.k)} "
            f"— {what}")
    return AuditResult(prop, False, _tup(group), int(ell), _tup(cands), text)


# ----------------------------------------------------------------- polynomial audits

def _jr_hit(inst: _Instance):
    unrep = inst.u == 0
    support = (inst.w * unrep) @ inst.Af
    bad = np.flatnonzero(_deserves(inst, support, 1))
    if bad.size == 0:
        return None
    c = int(bad[0])
    return np.flatnonzero(unrep & inst.A[:, c]), 1, (c,)


def _ejr_plus_table(inst: _Instance) -> NDArray[np.bool_]:
    """``V[ℓ-1, c]``: candidate ``c ∉ W`` and its supporters with ``< ℓ`` members in W
    weigh at least ``ℓ·n/k``."""
    k = inst.k
    level = np.minimum(inst.u, k)
    order = np.argsort(level, kind="stable")
    # running totals over voters sorted by utility; row e-1 sums the e least represented
    running = np.cumsum(inst.w[order, None] * inst.Af[order], axis=0)
    ends = np.cumsum(np.bincount(level, minlength=k + 1))[:k]  # voters with utility < ℓ
    G = np.where(ends[:, None] > 0, running[np.maximum(ends - 1, 0)], 0.0)
    return _deserves(inst, G, np.arange(1, k + 1)[:, None]) & ~inst.in_W


def _ejr_plus_hit(inst: _Instance):
    table = _ejr_plus_table(inst)
    rows = np.flatnonzero(table.any(axis=1))
    if rows.size == 0:
        return None
    ell = int(rows[0]) + 1
    c = int(np.flatnonzero(table[ell - 1])[0])
    return np.flatnonzero(inst.A[:, c] & (inst.u < ell)), ell, (c,)


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


def _search(inst: _Instance, ell: int, V, C, pjr: bool, budget: int | None):
    """Depth-first search for ℓ jointly approved candidates T (and, for PJR, a set S of at
    most ℓ-1 committee members containing the group's W-approvals)."""
    A, w, nodes = inst.A, inst.w, [0]

    def tick() -> None:
        nodes[0] += 1
        if budget is not None and nodes[0] > budget:
            raise _BudgetExceeded

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


def _milp(inst: _Instance, ell: int, V, C, pjr: bool):
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
    res = milp(np.zeros(nvar), integrality=np.ones(nvar), bounds=Bounds(0, 1),
               constraints=LinearConstraint(M, np.concatenate(lb), np.concatenate(ub)))
    if res.status == 2:
        return None
    if res.status != 0 or res.x is None:
        raise RuntimeError(f"HiGHS could not settle level {ell}: {res.message}")
    T = tuple(int(c) for c in cols[res.x[nv:nv + nc] > 0.5])
    S = tuple(int(s) for s in wcols[res.x[nv + nc:] > 0.5]) if pjr else None
    return T, S


def _cohesive_hit(inst: _Instance, pjr: bool, method: str):
    if method not in _METHODS:
        raise ApprovalError(f"method must be one of {_METHODS}. Got {method!r} instead.")
    levels = np.flatnonzero(_ejr_plus_table(inst).any(axis=1)) + 1
    for ell in (int(x) for x in levels):
        V, C = _peel(inst, ell)
        if not V.any():
            continue
        hit = None
        if method != "milp":
            try:
                hit = _search(inst, ell, V, C, pjr, None if method == "search" else _BUDGET)
            except _BudgetExceeded:
                hit = _milp(inst, ell, V, C, pjr)
        else:
            hit = _milp(inst, ell, V, C, pjr)
        group = None if hit is None else _group(inst, ell, *hit)
        if hit is not None and group is None:  # solver tolerance: settle it by exhaustive search
            hit = _search(inst, ell, V, C, pjr, None)
            group = None if hit is None else _group(inst, ell, *hit)
        if group is not None:
            return group, ell, tuple(sorted(hit[0]))
    return None


# ----------------------------------------------------------------- public audits

def is_jr(A: ArrayLike, W: ArrayLike, *, k: int | None = None, weights: ArrayLike | None = None
          ) -> AuditResult:
    """Justified representation (JR): every group of size ``≥ n/k`` that jointly approves a
    candidate has a member who approves some member of ``W``.

    Equivalently no candidate is approved by ``≥ n/k`` (weight of) voters without an approved
    member of ``W``; checked in ``O(n·m)`` time (Aziz et al. 2017, §3).

    Parameters
    ----------
    A : (n, m) approval matrix, bool or 0/1.
    W : committee, candidate indices or a bool ``(m,)`` mask.
    k : target committee size, default ``|W|`` (``k > |W|`` audits a partial committee).
    weights : optional ``(n,)`` positive voter weights.

    Returns
    -------
    AuditResult
        With a witness (``ell = 1``, the group, the candidate) when JR fails.

    References
    ----------
    .. [1] H. Aziz, M. Brill, V. Conitzer, E. Elkind, R. Freeman, T. Walsh, 'Justified
       representation in approval-based committee voting', Social Choice and Welfare 48(2)
       (2017), §3 (Definition of JR and its polynomial-time check)

    Examples
    --------
    >>> A = [[1, 1, 1, 0]] * 4 + [[0, 0, 0, 1]] * 2
    >>> is_jr(A, [0, 1, 2])  # doctest: +NORMALIZE_WHITESPACE
    AuditResult(JR fails: voters (4, 5) — 2 ≥ n/k = 2 — jointly approve candidate 3
                but none approves a member of W)
    >>> bool(is_jr(A, [0, 1, 3]))
    True
    """
    inst = _instance(A, W, k, weights, "is_jr")
    hit = _jr_hit(inst)
    what = "" if hit is None else (f"jointly approve candidate {hit[2][0]} but none approves a "
                                   "member of W")
    return _result("JR", inst, hit, what)


def is_ejr_plus(A: ArrayLike, W: ArrayLike, *, k: int | None = None,
                weights: ArrayLike | None = None) -> AuditResult:
    """EJR+: for every ℓ and every candidate ``c ∉ W``, the voters who approve ``c`` and
    have fewer than ℓ approved members in ``W`` weigh less than ``ℓ·n/k``.

    EJR+ implies EJR (and PJR, JR) and, unlike them, is checked in polynomial time: one pass
    over voters builds, per utility level, the weight of each candidate's supporters
    (``O(n·m + k·m)``). The witness is the group of all such supporters of ``c``.

    Parameters
    ----------
    A, W, k, weights : as in :func:`is_jr`.

    Returns
    -------
    AuditResult
        ``candidates`` is the single candidate outside ``W`` when EJR+ fails.

    References
    ----------
    .. [1] M. Brill, J. Peters, 'Robust and verifiable proportionality axioms for multiwinner
       voting', EC 2023, §3 (EJR+ and its polynomial-time verification)

    Examples
    --------
    >>> A = [[1, 0, 1, 0, 0]] * 2 + [[0, 1, 1, 0, 0]] * 2 + [[0, 0, 0, 0, 1]] * 2
    >>> is_ejr_plus(A, [0, 1, 4])  # doctest: +NORMALIZE_WHITESPACE
    AuditResult(EJR+ fails: voters (0, 1, 2, 3) — 4 ≥ ℓ·n/k = 4 — all approve candidate 2 ∉ W
                but each has at most 1 approved member in W)
    >>> bool(is_ejr(A, [0, 1, 4]))
    True
    """
    inst = _instance(A, W, k, weights, "is_ejr_plus")
    hit = _ejr_plus_hit(inst)
    what = "" if hit is None else (
        f"all approve candidate {hit[2][0]} ∉ W but each has at most {hit[1] - 1} approved "
        f"member{'s' * (hit[1] != 2)} in W")
    return _result("EJR+", inst, hit, what)


def is_ejr(A: ArrayLike, W: ArrayLike, *, k: int | None = None, weights: ArrayLike | None = None,
           method: str = "auto") -> AuditResult:
    """Extended justified representation (EJR): every ℓ-cohesive group has a member with at
    least ℓ approved members in ``W``.

    Checking EJR is coNP-complete (Aziz et al. 2017, §4). The check here is exact: levels ℓ
    where EJR+ holds are skipped, the remaining voters and candidates are peeled, and each
    level is settled by a pruned depth-first search over sets of ℓ jointly approved
    candidates (``method="search"``), by an integer program solved with HiGHS through
    ``scipy.optimize.milp`` (``method="milp"``), or by the search with a node budget and the
    integer program as fallback (``"auto"``, the default).

    Parameters
    ----------
    A, W, k, weights : as in :func:`is_jr`.
    method : ``"auto"``, ``"search"`` or ``"milp"`` (same answer; only speed differs).

    Returns
    -------
    AuditResult
        When EJR fails: the smallest violated level ℓ, ℓ jointly approved candidates and all
        voters who approve them and have fewer than ℓ approved members in ``W``.

    References
    ----------
    .. [1] H. Aziz, M. Brill, V. Conitzer, E. Elkind, R. Freeman, T. Walsh, 'Justified
       representation in approval-based committee voting', Social Choice and Welfare 48(2)
       (2017), §4 (EJR; coNP-completeness of checking it)

    Examples
    --------
    >>> A = [[1, 1, 0, 0]] * 4 + [[0, 0, 1, 1]] * 2
    >>> is_ejr(A, [0, 2, 3])  # doctest: +NORMALIZE_WHITESPACE
    AuditResult(EJR fails: voters (0, 1, 2, 3) — 4 ≥ ℓ·n/k = 4 — jointly approve candidates
                (0, 1) but each has at most 1 approved member in W)
    >>> bool(is_ejr(A, [0, 1, 2]))
    True
    """
    inst = _instance(A, W, k, weights, "is_ejr")
    hit = _cohesive_hit(inst, pjr=False, method=method)
    what = ""
    if hit is not None:
        top = int(inst.u[hit[0]].max())
        what = (f"jointly approve candidates {_tup(hit[2])} but each has at most {top} approved "
                f"member{'s' * (top != 1)} in W")
    return _result("EJR", inst, hit, what)


def is_pjr(A: ArrayLike, W: ArrayLike, *, k: int | None = None, weights: ArrayLike | None = None,
           method: str = "auto") -> AuditResult:
    """Proportional justified representation (PJR): every ℓ-cohesive group ``N'`` has at
    least ℓ members of ``W`` among the candidates approved by some voter of ``N'``.

    Checking PJR is coNP-complete (Aziz et al. 2018). The check is exact, as in
    :func:`is_ejr`; the search additionally picks a set ``S`` of at most ℓ-1 committee
    members and keeps the voters whose approved members of ``W`` lie in ``S``.

    Parameters
    ----------
    A, W, k, weights, method : as in :func:`is_ejr`.

    Returns
    -------
    AuditResult
        When PJR fails: level ℓ, ℓ jointly approved candidates and a group that approves
        fewer than ℓ members of ``W`` in total.

    References
    ----------
    .. [1] L. Sánchez-Fernández, E. Elkind, M. Lackner, N. Fernández, J. A. Fisteus,
       P. Basanta Val, P. Skowron, 'Proportional justified representation', AAAI 2017, §3
    .. [2] H. Aziz, E. Elkind, S. Huang, M. Lackner, L. Sánchez-Fernández, P. Skowron, 'On
       the complexity of extended and proportional justified representation', AAAI 2018, §3

    Examples
    --------
    >>> A = [[1, 0, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0, 0, 0],
    ...      [0, 0, 0, 1, 0, 0, 0, 0]] + [[0, 0, 0, 0, 1, 1, 1, 1]] * 6
    >>> r = is_pjr(A, [0, 1, 2, 3, 4, 5, 6])
    >>> r.group, r.ell, r.candidates
    ((4, 5, 6, 7, 8, 9), 4, (4, 5, 6, 7))
    >>> print(r.explanation)  # doctest: +NORMALIZE_WHITESPACE
    voters (4, 5, 6, 7, 8, 9) — 6 ≥ ℓ·n/k = 5.714 — jointly approve candidates (4, 5, 6, 7)
    but together approve only 3 members of W: (4, 5, 6)
    >>> bool(is_pjr(A, [1, 2, 3, 4, 5, 6, 7]))
    True
    """
    inst = _instance(A, W, k, weights, "is_pjr")
    hit = _cohesive_hit(inst, pjr=True, method=method)
    what = ""
    if hit is not None:
        got = inst.committee[inst.A[np.ix_(hit[0], inst.committee)].any(axis=0)]
        what = (f"jointly approve candidates {_tup(hit[2])} but together approve only "
                f"{got.size} member{'s' * (got.size != 1)} of W: {_tup(got)}")
    return _result("PJR", inst, hit, what)


# ----------------------------------------------------------------- report

@dataclass(frozen=True)
class ProportionalityReport:
    """All four audits of a committee plus welfare statistics (see
    :func:`proportionality_report`)."""

    committee: tuple[int, ...]
    k: int
    total_weight: float
    jr: AuditResult
    pjr: AuditResult
    ejr: AuditResult
    ejr_plus: AuditResult
    utilitarian_welfare: float
    average_welfare: float
    egalitarian_welfare: int
    pav_score: float
    coverage: float

    def to_dict(self) -> dict:
        """Plain-Python view: audit outcomes as bools, witnesses under ``"witnesses"``."""
        audits = {"jr": self.jr, "pjr": self.pjr, "ejr": self.ejr, "ejr_plus": self.ejr_plus}
        out: dict = {"committee": list(self.committee), "k": self.k,
                     "total_weight": self.total_weight}
        out.update({name: r.holds for name, r in audits.items()})
        for name in ("utilitarian_welfare", "average_welfare", "egalitarian_welfare",
                     "pav_score", "coverage"):
            out[name] = getattr(self, name)
        out["witnesses"] = {name: r.to_dict() for name, r in audits.items() if not r.holds}
        return out

    def __str__(self) -> str:
        lines = [f"committee {self.committee} (k = {self.k}, n = {_num(self.total_weight)})"]
        for r in (self.jr, self.pjr, self.ejr, self.ejr_plus):
            mark = "yes" if r.holds else "NO "
            lines.append(f"  {r.property:<5}{mark}" + ("" if r.holds else f"  {r.explanation}"))
        lines += [
            f"  utilitarian welfare  {_num(self.utilitarian_welfare)}"
            f" (average {self.average_welfare:.3f} approved members per voter)",
            f"  egalitarian welfare  {self.egalitarian_welfare}",
            f"  PAV score            {self.pav_score:.4f}",
            f"  coverage             {self.coverage:.1%} of voters approve a member",
        ]
        return "\n".join(lines)


def proportionality_report(A: ArrayLike, W: ArrayLike, *, k: int | None = None,
                           weights: ArrayLike | None = None) -> ProportionalityReport:
    """Audit a committee for JR, PJR, EJR and EJR+ and summarise its welfare.

    Welfare counts approved members ``u_i = |A_i ∩ W|``: utilitarian ``Σ w_i u_i``, its
    average per unit of weight, egalitarian ``min_i u_i``, the PAV score
    ``Σ w_i (1 + 1/2 + … + 1/u_i)`` and coverage, the weight share of voters with
    ``u_i ≥ 1``. EJR and PJR are only searched for where EJR+ fails, and PJR only where EJR
    fails (EJR+ ⇒ EJR ⇒ PJR ⇒ JR).

    Parameters
    ----------
    A, W, k, weights : as in :func:`is_jr`.

    Returns
    -------
    ProportionalityReport
        Frozen dataclass with ``jr, pjr, ejr, ejr_plus`` (:class:`AuditResult`) and the
        welfare fields; ``str()`` gives a short table, ``to_dict()`` plain values.

    References
    ----------
    .. [1] M. Lackner, P. Skowron, 'Multi-Winner Voting with Approval Preferences', Springer
       (2023), §4 (proportionality axioms) and §2 (PAV score)

    Examples
    --------
    >>> A = [[1, 1, 0, 0]] * 4 + [[0, 0, 1, 1]] * 2
    >>> rep = proportionality_report(A, [0, 1, 2])
    >>> rep.ejr.holds, rep.utilitarian_welfare, rep.egalitarian_welfare, rep.coverage
    (True, 10.0, 1, 1.0)
    >>> print(rep)  # doctest: +NORMALIZE_WHITESPACE
    committee (0, 1, 2) (k = 3, n = 6)
      JR   yes
      PJR  yes
      EJR  yes
      EJR+ yes
      utilitarian welfare  10 (average 1.667 approved members per voter)
      egalitarian welfare  1
      PAV score            8.0000
      coverage             100.0% of voters approve a member
    """
    inst = _instance(A, W, k, weights, "proportionality_report")
    plus = is_ejr_plus(A, inst.committee, k=inst.k, weights=inst.w)
    jr = is_jr(A, inst.committee, k=inst.k, weights=inst.w)
    if plus.holds:
        ejr = _result("EJR", inst, None, "")
    else:
        ejr = is_ejr(A, inst.committee, k=inst.k, weights=inst.w)
    pjr = _result("PJR", inst, None, "") if ejr.holds else is_pjr(
        A, inst.committee, k=inst.k, weights=inst.w)
    harmonic = np.concatenate([[0.0], np.cumsum(1.0 / np.arange(1, inst.k + 1))])
    util = float(inst.w @ inst.u)
    return ProportionalityReport(
        committee=_tup(inst.committee), k=inst.k, total_weight=inst.total, jr=jr, pjr=pjr,
        ejr=ejr, ejr_plus=plus, utilitarian_welfare=util, average_welfare=util / inst.total,
        egalitarian_welfare=int(inst.u.min()), pav_score=float(inst.w @ harmonic[inst.u]),
        coverage=float(inst.w[inst.u > 0].sum() / inst.total))


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
