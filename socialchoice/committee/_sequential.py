"""Sequential rules: seq-PAV, seq-Phragmén and the Method of Equal Shares.

Each step is vectorised over voters (numpy over the ``(n, m)`` matrix); the loop runs over
steps. ``resolute=True`` follows the lowest-index tied candidate at every step, exactly as
abcvoting's resolute algorithms. ``resolute=False`` follows every tie ("parallel
universes", as abcvoting): a depth-first search over partial committees that merges
identical states and, since candidates with identical columns are interchangeable, only
branches on the lowest-index unused candidate of each such class, expanding the result at
the end. Ties are decided with a relative tolerance of 1e-9 (abcvoting uses exact fractions
or a 1e-12 tolerance); exact-rational references (``_seq_pav_reference`` etc.) are in
:mod:`._sequential_ref`. That search can take exponential time (up to 1,000,000 branches),
so with ``resolute=False`` it stops after ``time_limit`` seconds (default
:data:`~socialchoice._timelimit.DEFAULT_TIME_LIMIT`, ``None`` for no limit) with
:class:`~socialchoice.TimeLimitError`; ``resolute=True`` (k polynomial steps) is not limited.

Each rule is one function registered with :func:`~._registry.register` with the option
``time_limit``: it computes on validated input ``(U, w, k, *, resolute, is_approval,
time_limit)`` and the decorator returns the public function ``seq_pav(A, k, *, resolute=True,
weights=None, time_limit=10.0)`` that its docstring documents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._errors import RuleInputError
from .._timelimit import DEFAULT_TIME_LIMIT, Clock
from ._prep import MAX_COMMITTEES, REL_TOL, Committee, column_classes, expand, level_sets
from ._registry import register

__all__ = ["equal_shares", "seq_pav", "seq_phragmen"]

_BOOK = "M. Lackner and P. Skowron, 'Multi-Winner Voting with Approval Preferences' (2023)"
_AFFORD_EPS = 1e-9  # a candidate costs 1; budgets within this of 1 can afford it

State = tuple[tuple[int, ...], Any]
TiedFn = Callable[[tuple[int, ...], Any], NDArray[np.intp]]
ApplyFn = Callable[[tuple[int, ...], Any, int], Any]


def _explore(
    starts: list[State],
    k: int,
    tied_fn: TiedFn,
    apply_fn: ApplyFn,
    key_fn: Callable[[Any], bytes],
    *,
    resolute: bool,
    classes: list[NDArray[np.intp]],
    name: str,
    clock: Clock,
) -> list[State]:
    """Run a sequential rule from ``starts``; return the terminal states.

    A state is terminal when the committee has k members or ``tied_fn`` returns no
    candidate. Resolute: one path, lowest index first. Otherwise every tie is followed,
    and ``clock`` is checked at every state.
    """
    first_of = {}
    for cls in classes:
        for pos, c in enumerate(cls):
            first_of[int(c)] = [int(x) for x in cls[:pos]]
    out: list[State] = []
    stack = list(reversed(starts))
    seen: set = set()
    visited = 0
    while stack:
        clock.check()
        committee, state = stack.pop()
        if len(committee) == k:
            out.append((committee, state))
            continue
        tied = tied_fn(committee, state)
        if len(tied) == 0:
            out.append((committee, state))
            continue
        if resolute:
            c = int(tied[0])
            stack.append(((*committee, c), apply_fn(committee, state, c)))
            continue
        members = set(committee)
        children = []
        for c in (int(x) for x in tied):
            if any(d not in members for d in first_of[c]):
                continue  # an interchangeable lower-index candidate is available
            child = (*committee, c)
            key = (tuple(sorted(child)), key_fn(child_state := apply_fn(committee, state, c)))
            if key in seen:
                continue
            seen.add(key)
            children.append((child, child_state))
        visited += len(children)
        if visited > MAX_COMMITTEES:
            raise RuleInputError(
                f"{name} with k={k}: resolute=False would follow more than "
                f"{MAX_COMMITTEES} tie-breaking branches; use resolute=True."
            )
        stack.extend(reversed(children))
    return out


def _clock(time_limit: float | None, resolute: bool, name: str) -> Clock:
    """The clock of a search: ``time_limit`` for ``resolute=False``, no limit otherwise."""
    return Clock(None if resolute else time_limit, name)


def _finish(
    terminals: list[State], classes, name: str, k: int, resolute: bool
) -> list[Committee]:
    committees = sorted({tuple(sorted(c)) for c, _ in terminals})
    return committees[:1] if resolute else expand(committees, classes, name, k)


def _scaled_key(x: NDArray[np.float64], unit: float) -> bytes:
    return np.round(x / unit, 9).tobytes()


# --- seq-Phragmén search ---------------------------------------------------------------


def _phragmen_explore(
    A: NDArray[np.bool_], w: NDArray[np.float64], k: int, starts: list[State], *,
    resolute: bool, classes, name: str, clock: Clock,
) -> list[State]:
    Af = A.astype(np.float64)
    support = w @ Af  # approvers' total weight per candidate
    unit = k / float(w.sum())

    def new_loads(loads):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(support > 0, ((w * loads) @ Af + 1.0) / support, np.inf)

    def tied(committee, loads):
        new = new_loads(loads)
        avail = np.ones(len(new), dtype=bool)
        avail[list(committee)] = False
        best = new[avail].min()
        if np.isinf(best):  # nobody approves any remaining candidate: all tie
            return np.flatnonzero(avail)
        return np.flatnonzero(avail & (new <= best + REL_TOL * max(abs(best), unit)))

    def apply(committee, loads, c):
        return np.where(A[:, c], new_loads(loads)[c], loads)

    return _explore(starts, k, tied, apply, lambda x: _scaled_key(x, unit),
                    resolute=resolute, classes=classes, name=name, clock=clock)


# --- Method of Equal Shares prices -------------------------------------------------------


def mes_prices(
    budget: NDArray[np.float64], WU: NDArray[np.float64], *, approval: bool = False
) -> NDArray[np.float64]:
    """Smallest rho per candidate with ``sum_i min(b_i, rho * WU[i, c]) = 1`` (inf if none).

    ``WU[i, c] = w_i u_ic`` is voter i's weighted utility; vectorised over voters and
    candidates. With ``approval=True`` (``WU[i, c]`` is ``w_i`` or 0) voters with the same
    budget per unit of weight are merged first (there are few such levels); otherwise each
    column is sorted by ``b_i / WU[i, c]``.

    Examples
    --------
    >>> mes_prices(np.array([0.5, 0.5, 0.2]), np.array([[1.0, 1.0], [1.0, 0.0], [1.0, 1.0]]))
    array([0.4, inf])
    """
    n, m = WU.shape
    with np.errstate(divide="ignore", invalid="ignore"):
        if approval:  # voters with equal b_i / w_i act as one voter: aggregate them
            w = WU.max(axis=1)
            ratio = budget / np.where(w > 0, w, 1.0)
            order = np.argsort(ratio, kind="stable")
            ratio = ratio[order]
            starts = np.r_[0, np.flatnonzero(np.diff(ratio)) + 1]
            S = np.add.reduceat(WU[order], starts, axis=0)  # approvers' weight per level
            R = np.broadcast_to(ratio[starts, None], S.shape)
            B = np.where(S > 0, R * S, 0.0)
            n = len(starts)
        else:
            ratio = np.where(WU > 0, budget[:, None] / WU, np.inf)
            order = np.argsort(ratio, axis=0, kind="stable")
            R = np.take_along_axis(ratio, order, axis=0)
            S = np.take_along_axis(WU, order, axis=0)
            B = np.where(S > 0, budget[order], 0.0)
        paid_before = np.cumsum(B, axis=0) - B  # voters before j pay their whole budget
        rest = S[::-1].cumsum(axis=0)[::-1]  # slope of the voters from j on
        approver = S > 0
        F = np.where(approver, paid_before + R * rest, -np.inf)  # payment at rho = R_j
        reach = F >= 1.0 - _AFFORD_EPS
        first = reach.argmax(axis=0)
        cols = np.arange(m)
        rho = (1.0 - paid_before[first, cols]) / rest[first, cols]
    rho = np.minimum(rho, R[first, cols])
    last = n - 1 - approver[::-1].argmax(axis=0)  # the approver with the largest ratio
    rho = np.where(reach.any(axis=0), rho, R[last, cols])  # total within eps below 1
    return np.where(B.sum(axis=0) >= 1.0 - _AFFORD_EPS, rho, np.inf)


# --- the registered rules ------------------------------------------------------------------


@register(
    "seq_pav",
    family="sequential",
    reference="T. N. Thiele (1895); " + _BOOK + ", §2.3 (sequential Thiele methods)",
    options=("time_limit",),
)
def seq_pav(
    U: NDArray[np.float64],
    w: NDArray[np.float64],
    k: int,
    *,
    resolute: bool,
    is_approval: bool,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
) -> list[Committee]:
    """Sequential PAV: add, k times, the candidate that raises the PAV score the most.

    Cardinal utilities: the greedy version of OWA-PAV (see :func:`pav`): each step adds the
    candidate with the largest increase of ``sum_i w_i sum_l u_i(l) / l`` (a voter's
    member utilities sorted in decreasing order). ``resolute=True`` breaks ties in favour of
    the lowest-index candidate at each step (as abcvoting's "seqpav"); ``resolute=False``
    returns the committees of every tie-breaking order, a search that stops after
    ``time_limit`` seconds (default 10, ``None``: no limit) with
    :class:`~socialchoice.TimeLimitError`.

    References
    ----------
    .. [1] T. N. Thiele, 'Om Flerfoldsvalg' (1895); M. Lackner and P. Skowron,
       *Multi-Winner Voting with Approval Preferences*, Springer (2023), §2.3.

    Examples
    --------
    >>> from socialchoice import committee
    >>> A = [[1, 1, 0], [1, 1, 0], [1, 0, 1], [0, 0, 1]]
    >>> committee.seq_pav(A, 2)               # 0 (3 approvals), then 2 (1 + 1/2 > 1)
    (0, 2)
    >>> committee.seq_pav(A, 1, resolute=False)
    [(0,)]
    """
    A, aw = level_sets(U, w)
    Af = A.astype(np.float64)
    tol = REL_TOL * float(aw.sum())
    classes = [] if resolute else column_classes(A)

    def tied(committee, s):
        gains = (aw / (s + 1.0)) @ Af
        gains[list(committee)] = -np.inf
        return np.flatnonzero(gains >= gains.max() - tol)

    def apply(committee, s, c):
        return s + Af[:, c]

    terminals = _explore(
        [((), np.zeros(len(aw)))], k, tied, apply, lambda s: b"",
        resolute=resolute, classes=classes, name="seq_pav",
        clock=_clock(time_limit, resolute, "seq_pav"),
    )
    return _finish(terminals, classes, "seq_pav", k, resolute)


@register(
    "seq_phragmen",
    family="phragmen",
    reference="E. Phragmén (1894); M. Brill, R. Freeman, S. Janson, M. Lackner, "
    "'Phragmén's voting methods and justified representation', Math. Programming (2024), "
    "§3; " + _BOOK + ", §2.5",
    approval_only=True,
    options=("time_limit",),
)
def seq_phragmen(
    U: NDArray[np.float64],
    w: NDArray[np.float64],
    k: int,
    *,
    resolute: bool,
    is_approval: bool,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
) -> list[Committee]:
    """Sequential Phragmén: add the candidate whose approvers end with the smallest max load.

    Adding c gives each approver of c the load ``(1 + sum_{i approves c} w_i l_i) /
    sum_{i approves c} w_i``; the candidate minimising it is added. Defined for approvals
    only: cardinal utilities raise :class:`~socialchoice.RuleInputError`. Candidates nobody
    approves are added only when no approved candidate is left (abcvoting gives them load
    k + 1, the same whenever every weight is at least 1). ``resolute=True`` breaks ties in
    favour of the lowest-index candidate (as abcvoting's "seqphragmen"); ``resolute=False``
    follows every tie within ``time_limit`` seconds (as :func:`seq_pav`).

    References
    ----------
    .. [1] M. Brill, R. Freeman, S. Janson and M. Lackner, 'Phragmén's voting methods and
       justified representation', Mathematical Programming (2024), §3.

    Examples
    --------
    >>> from socialchoice import committee
    >>> A = [[1, 1, 0], [1, 1, 0], [0, 0, 1]]
    >>> committee.seq_phragmen(A, 2)          # 0 (load 1/2), then 1 and 2 tie at load 1
    (0, 1)
    >>> committee.seq_phragmen(A, 2, resolute=False)
    [(0, 1), (0, 2), (1, 2)]
    """
    A = U > 0
    classes = [] if resolute else column_classes(A)
    terminals = _phragmen_explore(A, w, k, [((), np.zeros(len(w)))], resolute=resolute,
                                  classes=classes, name="seq_phragmen",
                                  clock=_clock(time_limit, resolute, "seq_phragmen"))
    return _finish(terminals, classes, "seq_phragmen", k, resolute)


@register(
    "equal_shares",
    family="phragmen",
    reference="D. Peters and P. Skowron, 'Proportionality and the limits of welfarism', "
    "EC 2020, §4 (Rule X); D. Peters, G. Pierczyński, P. Skowron, 'Proportional "
    "participatory budgeting with additive utilities', NeurIPS 2021, §3",
    options=("time_limit",),
)
def equal_shares(
    U: NDArray[np.float64],
    w: NDArray[np.float64],
    k: int,
    *,
    resolute: bool,
    is_approval: bool,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
) -> list[Committee]:
    """Method of Equal Shares with sequential-Phragmén completion (abcvoting "equal-shares").

    Every voter starts with budget ``w_i k / sum w``; a candidate costs 1. A candidate is
    rho-affordable when ``sum_i min(b_i, rho w_i u_ic) = 1``; the one with the smallest rho
    is bought (approvals: u = 1, so rho is the largest per-voter payment). When nobody can
    afford anything, the remaining seats are filled by seq-Phragmén on the approvals
    ``u > 0``, starting from the loads ``-b_i / w_i`` (the unspent budget), as abcvoting
    does. For utilities this is the MES of Peters, Pierczyński and Skowron (2021) with
    unit costs, followed by the same completion on ``u > 0``. ``resolute=True`` breaks
    ties in favour of the lowest-index candidate at each step (as abcvoting);
    ``resolute=False`` follows every tie within ``time_limit`` seconds (as :func:`seq_pav`).

    References
    ----------
    .. [1] D. Peters and P. Skowron, 'Proportionality and the limits of welfarism',
       EC 2020, §4.
    .. [2] D. Peters, G. Pierczyński and P. Skowron, 'Proportional participatory budgeting
       with additive utilities', NeurIPS 2021, §3.

    Examples
    --------
    >>> from socialchoice import committee
    >>> A = [[1, 1, 0], [1, 1, 0], [1, 1, 0], [0, 0, 1]]
    >>> committee.equal_shares(A, 2)          # budgets 1/2: voters 0-2 buy 0, voter 3 cannot
    (0, 1)
    >>> committee.equal_shares([[2.0, 1.0, 0.0], [0.0, 1.0, 3.0]], 2)
    (0, 2)
    """
    WU = w[:, None] * U
    classes = [] if resolute else column_classes(U)
    unit = k / float(w.sum())
    clock = _clock(time_limit, resolute, "equal_shares")

    def tied(committee, budget):
        rho = mes_prices(budget, WU, approval=is_approval)
        rho[list(committee)] = np.inf
        best = rho.min()
        if np.isinf(best):
            return np.zeros(0, dtype=np.intp)
        return np.flatnonzero(rho <= best * (1.0 + REL_TOL))

    def apply(committee, budget, c):
        rho = mes_prices(budget, WU[:, [c]])[0]
        return budget - np.minimum(budget, rho * WU[:, c])

    terminals = _explore(
        [((), w * unit)], k, tied, apply, lambda b: _scaled_key(b, unit),
        resolute=resolute, classes=classes, name="equal_shares", clock=clock,
    )
    done = [t for t in terminals if len(t[0]) == k]
    todo = [(c, -b / w) for c, b in terminals if len(c) < k]  # budgets left -> loads
    if todo:
        done += _phragmen_explore(U > 0, w, k, todo, resolute=resolute, classes=classes,
                                  name="equal_shares", clock=clock)
    return _finish(done, classes, "equal_shares", k, resolute)
