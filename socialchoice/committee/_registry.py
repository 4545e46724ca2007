"""The committee-rule registry and the entry point :func:`select`.

A committee rule is registered with :func:`register` as a pair: the public function
(``pav(A, k, *, resolute=True, weights=None)``) and an internal ``compute(U, w, k, *,
resolute, is_approval)`` that receives validated arrays (identical voter rows already merged
into weights) and returns the list of winning committees as sorted tuples.

Tie-breaking (``resolute=True``) is the same for every rule of a kind:

* sequential rules (``seq_pav``, ``seq_phragmen``, ``equal_shares``) take the lowest-index
  candidate among those tied at each step, exactly as abcvoting's resolute algorithms do;
* optimisation rules (``approval_voting``, ``satisfaction_approval``, ``pav``,
  ``chamberlin_courant``, ``monroe``) return the lexicographically smallest optimal committee
  (committees as sorted tuples). abcvoting's resolute AV, SAV and brute-force PAV / CC return
  the same committee. Its brute-force Monroe sorts the tied committees by their string
  first, which is the same order for at most 10 candidates; with 11 or more it can differ
  (``{1, 10}`` comes before ``{1, 2}``). abcvoting's ILP algorithms (gurobi, pulp) return
  an arbitrary optimal committee unless asked for lexicographic tie-breaking.

``resolute=False`` returns every winning committee ("parallel universes" tie-breaking for the
sequential rules), as sorted tuples in lexicographic order: the same set as abcvoting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._errors import RuleInputError, UnknownRuleError
from ._input import as_k, as_profile, as_weights

__all__ = ["COMMITTEE_RULES", "CommitteeRule", "register", "rule_names", "select"]

Committee = tuple[int, ...]
Compute = Callable[..., list[Committee]]


@dataclass(frozen=True)
class CommitteeRule:
    """A registered approval-based (or cardinal) committee rule.

    Attributes
    ----------
    name : str
        Registry key, e.g. ``"pav"``.
    func : callable
        The public function ``func(A, k, *, resolute=True, weights=None)``.
    family : str
        ``"separable"``, ``"thiele"``, ``"sequential"``, ``"phragmen"`` or ``"monroe"``.
    reference : str
        The paper (and section) that defines the rule.
    summary : str
        First line of the public function's docstring.
    approval_only : bool
        The rule is defined for 0/1 approvals only; cardinal utilities raise
        :class:`~socialchoice.RuleInputError`.
    exact : bool
        Winners are computed exactly (optimisation rules to proven optimality, sequential
        rules step by step with every tie followed), not approximated.
    integer_weights : bool
        Voter weights must be whole numbers (a weight is a number of identical voters).
    compute : callable
        ``compute(U, w, k, *, resolute, is_approval) -> list of committees`` on validated,
        row-aggregated input.
    """

    name: str
    func: Callable[..., Any] = field(repr=False)
    family: str
    reference: str
    summary: str
    approval_only: bool
    exact: bool
    integer_weights: bool = False
    compute: Compute = field(default=None, repr=False)  # type: ignore[assignment]

    def __call__(self, A: ArrayLike, k: int, **options: Any) -> Any:
        """``rule(A, k)`` is ``select(A, k, rule.name)``."""
        return select(A, k, self.name, **options)


COMMITTEE_RULES: dict[str, CommitteeRule] = {}

#: Above this many winning committees ``resolute=False`` raises instead of listing them.
MAX_COMMITTEES = 1_000_000


def register(
    name: str,
    *,
    family: str,
    reference: str,
    compute: Compute,
    approval_only: bool = False,
    exact: bool = True,
    integer_weights: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator adding a public committee-rule function to :data:`COMMITTEE_RULES`."""

    def wrap(func: Callable[..., Any]) -> Callable[..., Any]:
        if name in COMMITTEE_RULES:
            raise RuntimeError(f"committee rule {name!r} is registered twice")
        doc = (func.__doc__ or "").strip()
        COMMITTEE_RULES[name] = CommitteeRule(
            name=name,
            func=func,
            family=family,
            reference=reference,
            summary=doc.splitlines()[0] if doc else "",
            approval_only=approval_only,
            exact=exact,
            integer_weights=integer_weights,
            compute=compute,
        )
        return func

    return wrap


def _load_rules() -> None:
    """Import the rule modules (they register themselves); idempotent."""
    from . import _monroe, _sequential, _thiele  # noqa: F401


def rule_names() -> list[str]:
    """Names of the registered committee rules, sorted.

    References
    ----------
    .. [1] M. Lackner and P. Skowron, *Multi-Winner Voting with Approval Preferences*,
       Springer (2023), ch. 2 (the rules).

    Examples
    --------
    >>> from socialchoice import committee
    >>> committee.rule_names()  # doctest: +NORMALIZE_WHITESPACE
    ['approval_voting', 'chamberlin_courant', 'equal_shares', 'monroe', 'pav',
     'satisfaction_approval', 'seq_pav', 'seq_phragmen']
    """
    _load_rules()
    return sorted(COMMITTEE_RULES)


def get_rule(rule: str | CommitteeRule) -> CommitteeRule:
    """Look a committee rule up by name; unknown names raise UnknownRuleError."""
    if isinstance(rule, CommitteeRule):
        return rule
    _load_rules()
    try:
        return COMMITTEE_RULES[rule]
    except (KeyError, TypeError):
        raise UnknownRuleError(
            f"Unknown committee rule {rule!r}; expected one of: "
            f"{', '.join(sorted(COMMITTEE_RULES))}."
        ) from None


def aggregate_rows(
    U: NDArray[np.float64], w: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Merge identical rows of ``U`` into one row whose weight is the sum of their weights."""
    _, first, inverse = np.unique(row_keys(U), return_index=True, return_inverse=True)
    weights = np.bincount(inverse.reshape(-1), weights=w, minlength=len(first))
    return U[first], weights


def row_keys(M: NDArray) -> NDArray:
    """One opaque, comparable key per row of ``M`` (bit-packed when ``M`` is 0/1)."""
    if M.dtype == np.bool_ or np.isin(M, (0, 1)).all():
        packed = np.packbits(np.asarray(M, dtype=bool), axis=1)
    else:
        packed = np.asarray(M, dtype=np.float64) + 0.0  # -0.0 -> 0.0
    packed = np.ascontiguousarray(packed)
    return packed.view(np.dtype((np.void, packed.dtype.itemsize * packed.shape[1]))).ravel()


def _first_fractional(U: NDArray[np.float64]) -> tuple[int, int]:
    bad = ~np.isin(U, (0.0, 1.0))
    row, col = np.argwhere(bad)[0]
    return int(row), int(col)


def run_rule(
    rule: str | CommitteeRule,
    A: ArrayLike,
    k: object,
    *,
    resolute: bool,
    weights: ArrayLike | None,
    caller: str,
) -> Committee | list[Committee]:
    """Validate, aggregate identical voters, compute, and format one rule's result."""
    r = get_rule(rule)
    U, is_approval = as_profile(A)
    n, m = U.shape
    w = as_weights(weights, n)
    size = as_k(k, m, func=caller)
    if not isinstance(resolute, (bool, np.bool_)):
        raise RuleInputError(f"resolute must be True or False; got {resolute!r}.")
    if r.approval_only and not is_approval:
        row, col = _first_fractional(U)
        raise RuleInputError(
            f"{r.name} is defined for approval ballots (0/1 or bool) only, but A holds "
            f"cardinal utilities (row {row}, column {col} is {U[row, col]:g}). Binarise A "
            "(e.g. A > 0) or use a rule defined for utilities (equal_shares, seq_pav, pav)."
        )
    if r.integer_weights:
        frac = np.flatnonzero(w != np.round(w))
        if frac.size:
            i = int(frac[0])
            raise RuleInputError(
                f"{r.name} needs whole-number voter weights (a weight counts identical "
                f"voters); voter {i} has weight {w[i]:g}."
            )
    rows, wts = aggregate_rows(U, w)
    committees = r.compute(rows, wts, size, resolute=bool(resolute), is_approval=is_approval)
    if resolute:
        return committees[0]
    return committees


def check_count(count: int, name: str, k: int, m: int) -> None:
    """Raise when ``resolute=False`` would list more than MAX_COMMITTEES committees."""
    if count > MAX_COMMITTEES:
        raise RuleInputError(
            f"{name} with k={k} on {m} candidates has {count} or more winning committees "
            f"(more than {MAX_COMMITTEES}); use resolute=True for one of them."
        )


def select(
    A: ArrayLike,
    k: int,
    rule: str = "pav",
    *,
    resolute: bool = True,
    weights: ArrayLike | None = None,
) -> Committee | list[Committee]:
    """Select a committee of ``k`` candidates with an approval-based committee rule.

    Parameters
    ----------
    A : array_like of shape (n, m)
        Approval matrix (bool or 0/1: voter ``i`` approves candidate ``j``) or non-negative
        cardinal utilities (see each rule for how it treats utilities; ``seq_phragmen`` is
        defined for approvals only).
    k : int
        Committee size, ``1 <= k <= m``.
    rule : str
        One of :func:`rule_names`: ``approval_voting``, ``satisfaction_approval``, ``pav``,
        ``seq_pav``, ``seq_phragmen``, ``equal_shares``, ``chamberlin_courant``, ``monroe``.
    resolute : bool
        True: one committee. Sequential rules break ties at each step in favour of the
        lowest-index candidate; optimisation rules return the lexicographically smallest
        optimal committee. Both equal abcvoting's resolute output (for Monroe when
        ``m <= 10``; see the module notes). False: every winning committee.
    weights : array_like of shape (n,), optional
        Positive voter weights (default: 1 each). ``monroe`` needs whole numbers.

    Returns
    -------
    tuple of int or list of tuple of int
        One committee (sorted candidate indices) when ``resolute``, else all winning
        committees, sorted lexicographically (the same set as abcvoting's irresolute output).

    Raises
    ------
    UnknownRuleError
        ``rule`` is not registered (the message lists the valid names).
    ApprovalError
        ``A``, ``weights`` or ``k`` is malformed.
    RuleInputError
        The rule cannot use the input (utilities for ``seq_phragmen``, fractional weights
        for ``monroe``), or ``resolute=False`` would list more than 1,000,000 committees
        (or, for an optimisation rule solved by integer programming, more than 2,000
        optimal committees up to interchangeable candidates).

    Notes
    -----
    PAV, Chamberlin--Courant and Monroe are NP-hard. They are solved exactly by integer
    programs (HiGHS through ``scipy.optimize.milp``) after merging identical voters; a
    structured profile with 1,000 voters, 100 candidates and k = 10 takes about a second,
    but impartial-culture approvals (every approval independent) of that size are the hard
    case for the relaxation and can take tens of minutes.

    References
    ----------
    .. [1] M. Lackner and P. Skowron, *Multi-Winner Voting with Approval Preferences*,
       Springer (2023), ch. 2.
    .. [2] M. Lackner, P. Regner and B. Krenn, 'abcvoting: A Python package for
       approval-based multi-winner voting rules', JOSS 8(81) (2023) (the oracle).

    Examples
    --------
    >>> from socialchoice import committee
    >>> A = [[1, 1, 0, 0], [1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1]]
    >>> committee.select(A, 2, "pav")
    (0, 1)
    >>> committee.select(A, 2, "approval_voting", resolute=False)
    [(0, 1)]
    >>> committee.select(A, 3, "seq_phragmen", resolute=False)
    [(0, 1, 2), (0, 1, 3)]
    """
    return run_rule(rule, A, k, resolute=resolute, weights=weights, caller="select")
