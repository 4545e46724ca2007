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
returned. Both exact searches stop after ``time_limit`` seconds (default
:data:`~socialchoice._timelimit.DEFAULT_TIME_LIMIT`, ``None`` for no limit) with
:class:`~socialchoice.TimeLimitError`, never with a guessed verdict. The search, the integer
program and the brute-force references live in :mod:`._audit_search`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from _common.validation import check_choice

from .._errors import ApprovalError
from .._timelimit import DEFAULT_TIME_LIMIT, Clock
from ._audit_search import (
    _BudgetExceeded,
    _deserves,
    _group,
    _Instance,
    _instance,
    _milp,
    _peel,
    _search,
)

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
_AZIZ = (
    "H. Aziz, M. Brill, V. Conitzer, E. Elkind, R. Freeman, T. Walsh, 'Justified "
    "representation in approval-based committee voting', Social Choice and Welfare 48(2) (2017)"
)


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

def _cohesive_hit(inst: _Instance, pjr: bool, method: str, func: str, clock: Clock):
    check_choice(method, "method", func, _METHODS, error=ApprovalError)
    levels = np.flatnonzero(_ejr_plus_table(inst).any(axis=1)) + 1
    for ell in (int(x) for x in levels):
        V, C = _peel(inst, ell)
        if not V.any():
            continue
        hit = None
        if method != "milp":
            try:
                budget = None if method == "search" else _BUDGET
                hit = _search(inst, ell, V, C, pjr, budget, clock)
            except _BudgetExceeded:
                hit = _milp(inst, ell, V, C, pjr, clock)
        else:
            hit = _milp(inst, ell, V, C, pjr, clock)
        group = None if hit is None else _group(inst, ell, *hit)
        if hit is not None and group is None:  # solver tolerance: settle it by exhaustive search
            hit = _search(inst, ell, V, C, pjr, None, clock)
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
           method: str = "auto", time_limit: float | None = DEFAULT_TIME_LIMIT) -> AuditResult:
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
    time_limit : float or None, default 10
        Seconds the exact search may take; ``None`` for no limit.

    Returns
    -------
    AuditResult
        When EJR fails: the smallest violated level ℓ, ℓ jointly approved candidates and all
        voters who approve them and have fewer than ℓ approved members in ``W``.

    Raises
    ------
    TimeLimitError
        The search did not settle every level within ``time_limit`` (the message says how
        to raise it).

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
    return _cohesive(inst, False, method, Clock(time_limit, "is_ejr"), "is_ejr")


def _shortfall(inst: _Instance, hit, pjr: bool) -> str:
    """How the group of ``hit`` is under-represented: per voter (EJR) or together (PJR)."""
    if pjr:
        got = inst.committee[inst.A[np.ix_(hit[0], inst.committee)].any(axis=0)]
        return (f"jointly approve candidates {_tup(hit[2])} but together approve only "
                f"{got.size} member{'s' * (got.size != 1)} of W: {_tup(got)}")
    top = int(inst.u[hit[0]].max())
    return (f"jointly approve candidates {_tup(hit[2])} but each has at most {top} approved "
            f"member{'s' * (top != 1)} in W")


def _cohesive(inst: _Instance, pjr: bool, method: str, clock: Clock, func: str) -> AuditResult:
    """The EJR (``pjr=False``) or PJR audit of ``inst``."""
    hit = _cohesive_hit(inst, pjr=pjr, method=method, func=func, clock=clock)
    what = "" if hit is None else _shortfall(inst, hit, pjr)
    return _result("PJR" if pjr else "EJR", inst, hit, what)


def is_pjr(A: ArrayLike, W: ArrayLike, *, k: int | None = None, weights: ArrayLike | None = None,
           method: str = "auto", time_limit: float | None = DEFAULT_TIME_LIMIT) -> AuditResult:
    """Proportional justified representation (PJR): every ℓ-cohesive group ``N'`` has at
    least ℓ members of ``W`` among the candidates approved by some voter of ``N'``.

    Checking PJR is coNP-complete (Aziz et al. 2018). The check is exact, as in
    :func:`is_ejr`; the search additionally picks a set ``S`` of at most ℓ-1 committee
    members and keeps the voters whose approved members of ``W`` lie in ``S``.

    Parameters
    ----------
    A, W, k, weights, method, time_limit : as in :func:`is_ejr`.

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
    return _cohesive(inst, True, method, Clock(time_limit, "is_pjr"), "is_pjr")


# ----------------------------------------------------------------- report

_WELFARE = ("utilitarian_welfare", "average_welfare", "egalitarian_welfare", "pav_score",
            "coverage")


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

    def audits(self) -> dict[str, AuditResult]:
        """The four audits by field name, in the order JR, PJR, EJR, EJR+."""
        return {"jr": self.jr, "pjr": self.pjr, "ejr": self.ejr, "ejr_plus": self.ejr_plus}

    def axiom_rows(self) -> list[dict]:
        """One row per axiom for a table: ``{"axiom", "holds", "witness"}`` (the witness of
        a violation in words, empty when the axiom holds).

        >>> rep = proportionality_report([[1, 0], [0, 1]], (0,), k=1)
        >>> [(r["axiom"], r["holds"]) for r in rep.axiom_rows()]
        [('JR', True), ('PJR', True), ('EJR', True), ('EJR+', True)]
        """
        return [
            {"axiom": r.property, "holds": r.holds, "witness": "" if r.holds else r.explanation}
            for r in self.audits().values()
        ]

    def welfare(self) -> dict[str, float]:
        """The welfare statistics by name (utilitarian, average, egalitarian, PAV score,
        coverage)."""
        return {name: getattr(self, name) for name in _WELFARE}

    def to_dict(self) -> dict:
        """Plain-Python view: audit outcomes as bools, witnesses under ``"witnesses"``."""
        audits = self.audits()
        out: dict = {"committee": list(self.committee), "k": self.k,
                     "total_weight": self.total_weight}
        out.update({name: r.holds for name, r in audits.items()})
        out.update(self.welfare())
        out["witnesses"] = {name: r.to_dict() for name, r in audits.items() if not r.holds}
        return out

    def __str__(self) -> str:
        lines = [f"committee {self.committee} (k = {self.k}, n = {_num(self.total_weight)})"]
        for r in self.audits().values():
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
                           weights: ArrayLike | None = None,
                           time_limit: float | None = DEFAULT_TIME_LIMIT) -> ProportionalityReport:
    """Audit a committee for JR, PJR, EJR and EJR+ and summarise its welfare.

    Welfare counts approved members ``u_i = |A_i ∩ W|``: utilitarian ``Σ w_i u_i``, its
    average per unit of weight, egalitarian ``min_i u_i``, the PAV score
    ``Σ w_i (1 + 1/2 + … + 1/u_i)`` and coverage, the weight share of voters with
    ``u_i ≥ 1``. EJR and PJR are only searched for where EJR+ fails, and PJR only where EJR
    fails (EJR+ ⇒ EJR ⇒ PJR ⇒ JR).

    Parameters
    ----------
    A, W, k, weights : as in :func:`is_jr`.
    time_limit : float or None, default 10
        Seconds the exact EJR and PJR searches may take together; ``None`` for no limit.

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
    func = "proportionality_report"
    inst = _instance(A, W, k, weights, func)
    clock = Clock(time_limit, func)
    plus = is_ejr_plus(A, inst.committee, k=inst.k, weights=inst.w)
    jr = is_jr(A, inst.committee, k=inst.k, weights=inst.w)
    if plus.holds:
        ejr = _result("EJR", inst, None, "")
    else:
        ejr = _cohesive(inst, False, "auto", clock, func)
    if ejr.holds:
        pjr = _result("PJR", inst, None, "")
    else:
        pjr = _cohesive(inst, True, "auto", clock, func)
    harmonic = np.concatenate([[0.0], np.cumsum(1.0 / np.arange(1, inst.k + 1))])
    util = float(inst.w @ inst.u)
    return ProportionalityReport(
        committee=_tup(inst.committee), k=inst.k, total_weight=inst.total, jr=jr, pjr=pjr,
        ejr=ejr, ejr_plus=plus, utilitarian_welfare=util, average_welfare=util / inst.total,
        egalitarian_welfare=int(inst.u.min()), pav_score=float(inst.w @ harmonic[inst.u]),
        coverage=float(inst.w[inst.u > 0].sum() / inst.total))
