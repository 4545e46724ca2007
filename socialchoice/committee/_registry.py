"""The committee-rule registry and the entry point :func:`select`.

A committee rule is one function registered with :func:`register`, exactly as a ranked rule
is registered in :mod:`socialchoice._registry`: the decorator carries the rule's metadata
(family, reference, the input it accepts) and the function computes the winning committees
from validated input. It receives ``(U, w, k, *, resolute, is_approval)`` -- a float utility
matrix with identical voter rows already merged into the weights ``w`` -- and returns the list
of winning committees as sorted tuples. The decorator returns the rule's public function
``rule(A, k, *, resolute=True, weights=None)``, which validates, merges identical voters and
calls it (the same as ``select(A, k, rule)``).

Rules whose search can take exponential time (the integer programs of PAV,
Chamberlin--Courant and Monroe; the "parallel universes" search of the sequential rules with
``resolute=False``) declare the option ``time_limit`` at registration
(``options=("time_limit",)``): their compute function takes ``time_limit`` (seconds, ``None``
for no limit) and raises :class:`~socialchoice.TimeLimitError` when it runs out, and their
public function takes ``time_limit=DEFAULT_TIME_LIMIT``. :func:`select` takes ``time_limit``
for every rule (validated always) and passes it to the rules that declare it, as
:func:`socialchoice.winners` does for ranked rules.

The registry never imports the rule modules: the package ``__init__`` imports them, and each
one registers its rules. :data:`COMMITTEE_RULES` (or :func:`rule_names`) lists the rules.

Tie-breaking (``resolute=True``) is the same for every rule of a kind:

* sequential rules (families ``sequential`` and ``phragmen``) take the lowest-index candidate
  among those tied at each step, exactly as abcvoting's resolute algorithms do;
* optimisation rules (families ``separable``, ``thiele`` and ``monroe``) return the
  lexicographically smallest optimal committee (committees as sorted tuples). abcvoting's
  resolute AV, SAV and brute-force PAV / CC return the same committee. Its brute-force Monroe
  sorts the tied committees by their string first, which is the same order for at most 10
  candidates; with 11 or more it can differ (``{1, 10}`` comes before ``{1, 2}``).
  abcvoting's ILP algorithms (gurobi, pulp) return an arbitrary optimal committee unless
  asked for lexicographic tie-breaking.

``resolute=False`` returns every winning committee ("parallel universes" tie-breaking for the
sequential rules), as sorted tuples in lexicographic order: the same set as abcvoting.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from _common.validation import did_you_mean, first_index, parameter_error

from .._errors import RuleInputError, UnknownRuleError
from .._timelimit import DEFAULT_TIME_LIMIT, check_time_limit
from ._input import as_k, as_profile, as_weights
from ._prep import Committee, aggregate_rows

__all__ = [
    "COMMITTEE_RULES",
    "DEFAULT_TIME_LIMIT",
    "CommitteeRule",
    "register",
    "rule_names",
    "select",
]

Compute = Callable[..., list[Committee]]
Result = Committee | list[Committee]

#: The families of committee rules.
FAMILIES = ("separable", "thiele", "sequential", "phragmen", "monroe")


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
        One of :data:`FAMILIES`: ``"separable"``, ``"thiele"``, ``"sequential"``,
        ``"phragmen"`` or ``"monroe"``.
    reference : str
        The paper (and section) that defines the rule.
    summary : str
        First line of the rule's docstring.
    approval_only : bool
        The rule is defined for 0/1 approvals only; cardinal utilities raise
        :class:`~socialchoice.RuleInputError`.
    exact : bool
        Winners are computed exactly (optimisation rules to proven optimality, sequential
        rules step by step with every tie followed), not approximated.
    integer_weights : bool
        Voter weights must be whole numbers (a weight is a number of identical voters).
    compute : callable
        The registered function, ``compute(U, w, k, *, resolute, is_approval, **options) ->
        list of committees`` on validated, row-aggregated input.
    options : tuple of str
        The keyword options ``compute`` and the public function accept: ``("time_limit",)``
        for rules whose search can take exponential time.
    """

    name: str
    func: Callable[..., Result] = field(repr=False)
    family: str
    reference: str
    summary: str
    approval_only: bool
    exact: bool
    integer_weights: bool
    compute: Compute = field(repr=False)
    options: tuple[str, ...] = ()

    def __call__(self, A: ArrayLike, k: int, **options: Any) -> Result:
        """``rule(A, k)`` is ``select(A, k, rule.name)``."""
        return select(A, k, self.name, **options)


COMMITTEE_RULES: dict[str, CommitteeRule] = {}

#: Rules whose weights count voters (``integer_weights``) refuse more voters than this: their
#: integer programs no longer separate optimal assignments reliably beyond it.
MAX_COUNTED_VOTERS = 10**9


def register(
    name: str,
    *,
    family: str,
    reference: str,
    approval_only: bool = False,
    exact: bool = True,
    integer_weights: bool = False,
    options: tuple[str, ...] = (),
) -> Callable[[Compute], Callable[..., Result]]:
    """Decorator registering a committee rule in :data:`COMMITTEE_RULES` under ``name``.

    The decorated function computes the winning committees on validated input,
    ``compute(U, w, k, *, resolute, is_approval, **options)``; its docstring (whose first
    line becomes the rule's summary) documents the rule. ``options`` lists the keyword
    options it accepts (``"time_limit"`` for searches that can take exponential time; the
    default is taken from ``compute``'s signature). The decorator returns the public function
    ``name(A, k, *, resolute=True, weights=None, **options)`` with that docstring, equal to
    ``select(A, k, name)`` except that errors name the function.

    Examples
    --------
    >>> from socialchoice import committee
    >>> rule = committee.COMMITTEE_RULES["pav"]
    >>> rule.family, rule.func is committee.pav, rule.compute is committee.pav.__wrapped__
    ('thiele', True, True)
    >>> rule.options
    ('time_limit',)
    """
    if family not in FAMILIES:
        raise ValueError(f"committee rule family {family!r} is not one of {FAMILIES}")

    def wrap(compute: Compute) -> Callable[..., Result]:
        if name in COMMITTEE_RULES:
            raise RuntimeError(f"committee rule {name!r} is registered twice")

        def public(
            A: ArrayLike,
            k: int,
            *,
            resolute: bool = True,
            weights: ArrayLike | None = None,
            **opts: Any,
        ) -> Committee | list[Committee]:
            return run_rule(
                name, A, k, resolute=resolute, weights=weights, caller=name, options=opts
            )

        signature = _public_signature(public, compute, tuple(options))
        functools.update_wrapper(
            public, compute, assigned=("__module__", "__name__", "__qualname__", "__doc__")
        )
        public.__signature__ = signature  # type: ignore[attr-defined]
        doc = inspect.cleandoc(compute.__doc__ or "")
        COMMITTEE_RULES[name] = CommitteeRule(
            name=name,
            func=public,
            family=family,
            reference=reference,
            summary=doc.splitlines()[0] if doc else "",
            approval_only=approval_only,
            exact=exact,
            integer_weights=integer_weights,
            compute=compute,
            options=tuple(options),
        )
        return public

    return wrap


def _public_signature(
    public: Callable[..., Result], compute: Compute, options: tuple[str, ...]
) -> inspect.Signature:
    """``public``'s signature with ``**opts`` replaced by the declared options of ``compute``."""
    base = inspect.signature(public)
    declared = inspect.signature(compute).parameters
    params = [p for p in base.parameters.values() if p.kind is not p.VAR_KEYWORD]
    params += [declared[o].replace(kind=inspect.Parameter.KEYWORD_ONLY) for o in options]
    return base.replace(parameters=params)


def rule_names() -> list[str]:
    """Names of the registered committee rules, sorted.

    References
    ----------
    .. [1] M. Lackner and P. Skowron, *Multi-Winner Voting with Approval Preferences*,
       Springer (2023), ch. 2 (the rules).

    Examples
    --------
    >>> from socialchoice import committee
    >>> names = committee.rule_names()
    >>> "pav" in names, names == sorted(committee.COMMITTEE_RULES)
    (True, True)
    """
    return sorted(COMMITTEE_RULES)


def get_rule(rule: str | CommitteeRule) -> CommitteeRule:
    """Look a committee rule up by name; unknown names raise UnknownRuleError."""
    if isinstance(rule, CommitteeRule):
        return rule
    try:
        return COMMITTEE_RULES[rule]
    except (KeyError, TypeError):
        raise UnknownRuleError(
            f"Unknown committee rule {rule!r}; expected one of: {', '.join(rule_names())}."
            + did_you_mean(rule, COMMITTEE_RULES)
        ) from None


def _check_rule_input(
    r: CommitteeRule, U: NDArray[np.float64], is_approval: bool, w: NDArray[np.float64]
) -> None:
    """Raise RuleInputError when the rule cannot use utilities or fractional weights."""
    if r.approval_only and not is_approval:
        row, col = first_index(~np.isin(U, (0.0, 1.0)))
        cardinal = ", ".join(n for n in rule_names() if not COMMITTEE_RULES[n].approval_only)
        raise RuleInputError(
            f"{r.name} is defined for approval ballots (0/1 or bool) only, but A holds "
            f"cardinal utilities (row {row}, column {col} is {U[row, col]:g}). Binarise A "
            f"(e.g. A > 0) or use a rule defined for utilities ({cardinal})."
        )
    if r.integer_weights:
        frac = np.flatnonzero(w != np.round(w))
        if frac.size:
            i = int(frac[0])
            raise RuleInputError(
                f"{r.name} needs whole-number voter weights (a weight counts identical "
                f"voters); voter {i} has weight {w[i]:g}."
            )
        total = float(w.sum())
        if total > MAX_COUNTED_VOTERS:
            raise RuleInputError(
                f"{r.name} counts voters one by one (a weight is a number of identical "
                f"voters); the weights sum to {total:.4g}, more than 10^9 voters, beyond "
                "which its integer program cannot separate optimal assignments. Use smaller "
                "weights (e.g. proportional counts, rounded)."
            )


def _rule_options(r: CommitteeRule, options: dict[str, Any], caller: str) -> dict[str, Any]:
    """The declared options to call ``r.compute`` with (``time_limit`` validated always).

    An option ``r`` does not declare raises :class:`RuleInputError` naming the options it has,
    except ``time_limit``, which every rule accepts and only those that declare it use.
    """
    unknown = [o for o in options if o not in r.options and o != "time_limit"]
    if unknown:
        have = ", ".join(r.options) if r.options else "none"
        raise RuleInputError(
            f"Committee rule {r.name!r} has no option {unknown[0]!r}; its options are: {have}."
        )
    if "time_limit" in options:
        options = {**options, "time_limit": check_time_limit(options["time_limit"], caller)}
        if "time_limit" not in r.options:
            options = {o: v for o, v in options.items() if o != "time_limit"}
    return options


def run_rule(
    rule: str | CommitteeRule,
    A: ArrayLike,
    k: object,
    *,
    resolute: bool,
    weights: ArrayLike | None,
    caller: str,
    options: dict[str, Any] | None = None,
) -> Result:
    """Validate, aggregate identical voters, compute, and format one rule's result."""
    r = get_rule(rule)
    opts = _rule_options(r, options or {}, caller)
    U, is_approval = as_profile(A, func=caller)
    n, m = U.shape
    w = as_weights(weights, n, func=caller)
    size = as_k(k, m, func=caller)
    if not isinstance(resolute, bool | np.bool_):
        raise parameter_error("resolute", caller, "True or False", resolute, RuleInputError)
    _check_rule_input(r, U, is_approval, w)
    rows, wts = aggregate_rows(U, w)
    committees = r.compute(
        rows, wts, size, resolute=bool(resolute), is_approval=is_approval, **opts
    )
    if resolute:
        return committees[0]
    return committees


def select(
    A: ArrayLike,
    k: int,
    rule: str = "pav",
    *,
    resolute: bool = True,
    weights: ArrayLike | None = None,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
) -> Result:
    """Select a committee of ``k`` candidates with an approval-based committee rule.

    Parameters
    ----------
    A : array_like of shape (n, m)
        Approval matrix (bool or 0/1: voter ``i`` approves candidate ``j``) or non-negative
        cardinal utilities of at most 1e150 (see each rule for how it treats utilities;
        rules with ``approval_only`` in :data:`COMMITTEE_RULES` take approvals only).
    k : int
        Committee size, ``1 <= k <= m``.
    rule : str
        A name from :data:`COMMITTEE_RULES` (listed by :func:`rule_names`).
    resolute : bool
        True: one committee. Sequential rules break ties at each step in favour of the
        lowest-index candidate; optimisation rules return the lexicographically smallest
        optimal committee. Both equal abcvoting's resolute output (for Monroe when
        ``m <= 10``; see the module notes). False: every winning committee.
    weights : array_like of shape (n,), optional
        Positive voter weights summing to at most 1e150 (default: 1 each). Rules with
        ``integer_weights`` (Monroe) need whole numbers, at most 10^9 voters in all.
    time_limit : float or None, default 10
        Seconds allowed to the rules whose search can take exponential time (those with
        ``"time_limit"`` in their ``options``): the integer programs of PAV,
        Chamberlin--Courant and Monroe, and, with ``resolute=False``, the search over every
        tie-breaking order of seq-PAV, seq-Phragmén and Equal Shares. ``None`` for no
        limit. Other rules ignore it.

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
    TimeLimitError
        The rule's search did not finish within ``time_limit`` (the message says how to
        raise it); never a partial or approximate answer.
    RuleInputError
        ``time_limit`` is negative or not a number; or the rule cannot use the input
        (utilities for an approval-only rule, fractional weights or more than 10^9 voters
        for a rule whose weights count voters); or ``resolute=False`` would list more than
        1,000,000 committees (or, for an optimisation rule solved by integer programming,
        more than 2,000 optimal committees up to interchangeable candidates).

    Notes
    -----
    PAV, Chamberlin--Courant and Monroe are NP-hard. They are solved exactly by integer
    programs (HiGHS through ``scipy.optimize.milp``) after merging identical voters; a
    structured profile with 1,000 voters, 100 candidates and k = 10 takes about a second,
    but impartial-culture approvals (every approval independent) of that size are the hard
    case for the relaxation and can take tens of minutes: they stop with
    :class:`~socialchoice.TimeLimitError` after ``time_limit`` seconds.

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
    return run_rule(
        rule,
        A,
        k,
        resolute=resolute,
        weights=weights,
        caller="select",
        options={"time_limit": time_limit},
    )
