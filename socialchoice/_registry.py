"""The rule registry and the three entry points ``winners``, ``winner_mask`` and ``ranking``.

A rule is one function registered with :func:`register`, which carries its metadata: family,
input, batching, reference and the keyword ``options`` it accepts. Margin-based rules take an
``(..., m, m)`` margin array and return a boolean ``(..., m)`` winner mask; profile-based
rules take ``(..., n, m)`` rank arrays and ``(..., n)`` weights. Rules marked
``batched=False`` receive one profile at a time and the dispatcher loops over the batch
(margin-based ones only over the *distinct* margin matrices of the batch).

Rules whose search can take exponential time declare the option ``time_limit`` (seconds,
default :data:`DEFAULT_TIME_LIMIT`, ``None`` for no limit) and raise
:class:`~socialchoice.TimeLimitError` when it runs out. :func:`winners`, :func:`ranking` and
:func:`winner_mask` take ``time_limit=`` for every rule and pass it to those that declare it.

Every rule returns all tied winners, with the tie conventions of ``pref_voting`` [1]_, which
the tests use as the oracle.

References
----------
.. [1] W. Holliday and E. Pacuit, *pref_voting: The Preferential Voting Tools package
   for Python*, JOSS 2025 (the tie conventions we match).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from _common.validation import did_you_mean

from ._errors import (
    RuleInputError,
    SocialChoiceError,
    TimeLimitError,
    UnknownRuleError,
)
from ._margins import (
    as_margin_matrix,
    check_rank_array,
    check_weights,
    map_unique_matrices,
)
from ._timelimit import DEFAULT_TIME_LIMIT, check_time_limit
from .profile import Profile, format_ballot

__all__ = [
    "DEFAULT_TIME_LIMIT",
    "FAMILIES",
    "RULES",
    "Rule",
    "ranking",
    "register",
    "rule_names",
    "winner_mask",
    "winners",
    "winners_by_rule",
]

Needs = Literal["margins", "profile"]


@dataclass(frozen=True)
class Rule:
    """A registered voting rule.

    Attributes
    ----------
    name : str
        Registry key, e.g. ``"copeland"``.
    family : str
        ``positional``, ``condorcet``, ``graph``, ``runoff`` or ``optimal``.
    needs : {"margins", "profile"}
        Whether the rule is a function of the margin matrix or needs the ballots.
    batched : bool
        Whether ``func`` handles leading batch dimensions itself.
    linear_only : bool
        Profile-based rules defined only on strict, complete rankings.
    reference : str
        The paper or book section that defines the rule.
    func : callable
        ``func(M, **options) -> bool (..., m)`` or ``func(ranks, weights, **options)``.
    order : callable or None
        For rules that produce an order: ``order(data, **options) -> (m,)`` levels of one
        profile (0 = first tier), used by :func:`ranking`.
    summary : str
        The first line of the rule's docstring.
    options : tuple of str
        The keyword options ``func`` accepts, e.g. ``("time_limit",)``.
    order_options : tuple of str
        The keyword options ``order`` accepts.
    """

    name: str
    family: str
    needs: Needs
    batched: bool
    reference: str
    func: Callable[..., NDArray] = field(repr=False)
    linear_only: bool = False
    order: Callable[..., NDArray] | None = field(default=None, repr=False)
    summary: str = ""
    options: tuple[str, ...] = ()
    order_options: tuple[str, ...] = ()

    def __call__(self, data: Any, **options: Any) -> list:
        """``rule(profile_or_margins)`` is ``winners(profile_or_margins, rule.name)``."""
        return winners(data, self.name, **options)


RULES: dict[str, Rule] = {}

#: The rule families, in the order tables list them.
FAMILIES = ("positional", "runoff", "condorcet", "graph", "optimal")


def register(
    name: str,
    *,
    family: str,
    needs: Needs,
    batched: bool,
    reference: str,
    linear_only: bool = False,
    options: tuple[str, ...] = (),
) -> Callable[[Callable[..., NDArray]], Callable[..., NDArray]]:
    """Decorator that adds a winner-mask function to :data:`RULES` under ``name``.

    The function's docstring's first line becomes the rule's summary; ``options`` lists the
    keyword options it accepts (``"time_limit"`` for searches that can take exponential
    time). Attach an order function afterwards with :func:`register_order`.
    """

    def wrap(func: Callable[..., NDArray]) -> Callable[..., NDArray]:
        if name in RULES:
            raise RuntimeError(f"rule {name!r} is registered twice")
        summary = (func.__doc__ or "").strip().splitlines()[0] if func.__doc__ else ""
        RULES[name] = Rule(
            name=name,
            family=family,
            needs=needs,
            batched=batched,
            reference=reference,
            func=func,
            linear_only=linear_only,
            summary=summary,
            options=tuple(options),
        )
        return func

    return wrap


def register_order(
    name: str, *, options: tuple[str, ...] = ()
) -> Callable[[Callable[..., NDArray]], Callable[..., NDArray]]:
    """Decorator attaching an order function (levels of one profile) to rule ``name``.

    ``options`` lists the keyword options the order function accepts.
    """

    def wrap(func: Callable[..., NDArray]) -> Callable[..., NDArray]:
        rule = RULES[name]
        RULES[name] = Rule(**{**rule.__dict__, "order": func, "order_options": tuple(options)})
        return func

    return wrap


def _rule_options(
    rule: Rule, options: dict[str, Any], time_limit: Any, declared: tuple[str, ...]
) -> dict[str, Any]:
    """The options to call a rule's function with: ``time_limit`` added if it is declared.

    ``declared`` is the function's declared options (:attr:`Rule.options` or
    :attr:`Rule.order_options`); other options raise :class:`RuleInputError` naming them.
    """
    unknown = [k for k in options if k not in declared]
    if unknown:
        have = ", ".join(declared) if declared else "none"
        raise RuleInputError(
            f"Rule {rule.name!r} has no option {unknown[0]!r}; its options are: {have}."
        )
    time_limit = check_time_limit(time_limit, rule.name)
    return {**options, "time_limit": time_limit} if "time_limit" in declared else options


def get_rule(rule: str | Rule) -> Rule:
    """Look a rule up by name; unknown names raise :class:`UnknownRuleError`."""
    if isinstance(rule, Rule):
        return rule
    try:
        return RULES[rule]
    except (KeyError, TypeError):
        raise UnknownRuleError(
            f"Unknown rule {rule!r}; expected one of: {', '.join(sorted(RULES))}."
            + did_you_mean(rule, RULES)
        ) from None


def _strict_complete(R: NDArray) -> tuple[NDArray, tuple[int, ...] | None]:
    """Rank arrays as strict, complete rankings, and the index of the first row that is not.

    A ballot that leaves out exactly one candidate (as a :class:`Profile` stores it: position
    ``>= m - 1``) is complete with that candidate last.
    """
    m = R.shape[-1]
    filled = np.minimum(R, m - 1)
    is_perm = (np.sort(filled, axis=-1) == np.arange(m)).all(axis=-1)
    bad = None if is_perm.all() else tuple(int(i) for i in np.argwhere(~is_perm)[0])
    return filled, bad


def _profile_arrays(p: Profile, rule: Rule) -> tuple[NDArray, NDArray]:
    if not rule.linear_only:
        return p.ranks, p.counts
    filled, bad = _strict_complete(p.ranks)
    if bad is not None:
        i = bad[0]
        raise RuleInputError(
            f"{rule.name} is defined on strict, complete rankings, but ballot {i + 1} "
            f"({format_ballot(p.ballots[i])}) has ties or leaves out more than one candidate."
        )
    return filled.astype(np.int32), p.counts


def _apply(func: Callable[..., NDArray], rule: Rule, p: Profile, options: dict) -> NDArray:
    """``func`` (the rule's winner or order function) on a profile's margins or ballots."""
    if rule.needs == "margins":
        return func(p.margin_matrix(), **options)
    ranks, weights = _profile_arrays(p, rule)
    return func(ranks, weights, **options)


def _labelled(indices: ArrayLike, labels: tuple | None) -> list:
    """Candidate indices as labels, or as Python ints when there are no labels."""
    return [int(i) for i in indices] if labels is None else [labels[i] for i in indices]


def _mask_one(rule: Rule, data: Profile | ArrayLike, options: dict) -> tuple[NDArray, tuple | None]:
    """Winner mask of one profile; returns (mask, labels or None)."""
    if isinstance(data, Profile):
        try:
            mask = _apply(rule.func, rule, data, options)
        except RuleInputError as exc:
            named = exc.with_labels(data.candidates)
            if named is exc:
                raise
            raise named from None
        return np.asarray(mask, dtype=bool), data.candidates
    M = as_margin_matrix(data)
    if M.ndim != 2:
        raise RuleInputError(
            f"winners takes one profile or one (m, m) margin matrix; got shape {M.shape}. "
            "Use winner_mask for batches."
        )
    if rule.needs == "profile":
        raise RuleInputError(
            f"Rule {rule.name!r} needs the ballots, not only margins: pass a Profile "
            "(or use winner_mask(ranks=...))."
        )
    return np.asarray(rule.func(M, **options), dtype=bool), None


def winners(
    data: Profile | ArrayLike,
    rule: str | Rule,
    *,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    **options: Any,
) -> list:
    """The winners of one profile under a rule, all ties included, sorted.

    Parameters
    ----------
    data : Profile or array_like of shape (m, m)
        A profile (winners are returned as labels) or a margin matrix (winners are
        returned as indices). Any antisymmetric matrix is accepted as margins, including
        a preference function with entries in {-1, 0, +1}.
    rule : str or Rule
        A name from :data:`RULES`.
    time_limit : float or None, default 10
        Seconds allowed to rules whose search can take exponential time (Kemeny, Slater,
        ranked pairs, stable voting); ``None`` for no limit. Other rules ignore it.
    **options
        Options of the rule (see its documentation).

    Returns
    -------
    list
        Winning candidates in candidate order.

    Raises
    ------
    TimeLimitError
        The rule's search did not finish within ``time_limit``.

    Examples
    --------
    The slides' intransitive preference function over (a, b, c, d):

    >>> import numpy as np
    >>> import socialchoice as sc
    >>> F = np.array([[0, 1, 1, -1], [-1, 0, 1, -1], [-1, -1, 0, 1], [1, 1, -1, 0]])
    >>> sc.winners(F, "copeland")
    [0, 3]
    >>> sc.winners(F, "minimax")
    [0, 1, 2, 3]
    >>> p = sc.Profile([["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"], ["a", "c", "b"]])
    >>> sc.winners(p, "borda")
    ['a']
    """
    r = get_rule(rule)
    mask, labels = _mask_one(r, data, _rule_options(r, options, time_limit, r.options))
    return _labelled(np.flatnonzero(mask), labels)


def winner_mask(
    margins: ArrayLike | None = None,
    rule: str | Rule = "copeland",
    *,
    ranks: ArrayLike | None = None,
    weights: ArrayLike | None = None,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    **options: Any,
) -> NDArray:
    """Winner masks of a batch of profiles, vectorised over leading dimensions.

    Parameters
    ----------
    margins : array_like of shape (..., m, m), optional
        Margin matrices (for margin-based rules).
    rule : str or Rule
        A name from :data:`RULES`.
    ranks : array_like of shape (..., n, m), optional
        Rank arrays (0 = best; ties share a position; unranked = larger than every ranked
        position). Required by profile-based rules; margin-based rules compute margins
        from them when ``margins`` is not given.
    weights : array_like of shape (..., n), optional
        Voter weights for ``ranks``.
    time_limit : float or None, default 10
        Seconds allowed to each distinct profile's search, for rules whose search can take
        exponential time; ``None`` for no limit. Other rules ignore it.

    Returns
    -------
    ndarray of bool, shape (..., m)

    Examples
    --------
    >>> import numpy as np
    >>> import socialchoice as sc
    >>> F = np.array([[0, 1, 1, -1], [-1, 0, 1, -1], [-1, -1, 0, 1], [1, 1, -1, 0]])
    >>> sc.winner_mask(np.stack([F, F.T]), "copeland")
    array([[ True, False, False,  True],
           [False,  True,  True, False]])
    >>> ranks = np.array([[[0, 1, 2], [0, 2, 1], [2, 1, 0]]])    # one profile, 3 voters
    >>> sc.winner_mask(ranks=ranks, rule="plurality")
    array([[ True, False, False]])
    """
    r = get_rule(rule)
    options = _rule_options(r, options, time_limit, r.options)
    if r.needs == "margins":
        if margins is None:
            if ranks is None:
                raise RuleInputError("winner_mask needs margins or ranks=; got neither.")
            from ._margins import margins as _margins

            M = _margins(ranks, weights)
        else:
            M = as_margin_matrix(margins)
        if r.batched:
            return np.asarray(r.func(M, **options), dtype=bool)
        return map_unique_matrices(M, lambda A: r.func(A, **options), bool)
    if ranks is None:
        raise RuleInputError(
            f"Rule {r.name!r} needs the ballots: pass ranks= (and weights=), not margins."
        )
    R = _as_rank_batch(ranks, r)
    m = R.shape[-1]
    n = R.shape[-2]
    if weights is None:
        W = np.ones(R.shape[:-1], dtype=np.int64)
    else:
        W = check_weights(weights, R.shape, "winner_mask")
    if r.batched:
        return np.asarray(r.func(R, W, **options), dtype=bool)
    batch = R.shape[:-2]
    out = np.zeros((*batch, m), dtype=bool)
    flat_r = R.reshape(-1, n, m)
    flat_w = W.reshape(-1, n)
    flat_out = out.reshape(-1, m)
    for b in range(flat_r.shape[0]):
        flat_out[b] = r.func(flat_r[b], flat_w[b], **options)
    return out


def _as_rank_batch(ranks: ArrayLike, rule: Rule) -> NDArray:
    R = check_rank_array(ranks, "winner_mask", error=RuleInputError)
    if rule.linear_only:
        filled, bad = _strict_complete(R)
        if bad is not None:
            raise RuleInputError(
                f"{rule.name} is defined on strict, complete rankings, but ranks"
                f"[{', '.join(map(str, bad))}, :] is not a permutation of 0..{R.shape[-1] - 1}."
            )
        return filled
    return R


def ranking(
    data: Profile | ArrayLike,
    rule: str | Rule,
    *,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    **options: Any,
) -> list[list]:
    """A collective ranking (a list of tiers, best first) under a rule that produces orders.

    Scoring rules rank by score; Kemeny and Slater return one optimal ranking; beat-path
    (Schulze) and the Copeland / minimax scores give weak orders. ``time_limit`` (seconds,
    ``None`` for no limit) bounds Kemeny's and Slater's search, as in :func:`winners`.

    Examples
    --------
    >>> import socialchoice as sc
    >>> p = sc.Profile([["a", "b", "c"], ["b", "a", "c"], ["a", "c", "b"]])
    >>> sc.ranking(p, "borda")
    [['a'], ['b'], ['c']]
    """
    r = get_rule(rule)
    options = _rule_options(r, options, time_limit, r.order_options)
    if r.order is None:
        have = sorted(name for name, x in RULES.items() if x.order is not None)
        raise RuleInputError(
            f"Rule {r.name!r} does not produce an order; rules that do: {', '.join(have)}."
        )
    if isinstance(data, Profile):
        labels: tuple | None = data.candidates
        levels = _apply(r.order, r, data, options)
    else:
        if r.needs == "profile":
            raise RuleInputError(f"Rule {r.name!r} needs a Profile to rank candidates.")
        M = as_margin_matrix(data)
        labels = None
        levels = r.order(M, **options)
    levels = np.asarray(levels)
    return [_labelled(np.flatnonzero(levels == lv), labels) for lv in np.unique(levels)]


def rule_names(family: str | None = None) -> list[str]:
    """Registered rule names grouped by family (in :data:`FAMILIES` order), sorted within.

    Examples
    --------
    >>> import socialchoice as sc
    >>> sc.rule_names("condorcet")[:3]
    ['condorcet', 'copeland', 'llull']
    """
    if family is not None and family not in FAMILIES:
        raise UnknownRuleError(
            f"Unknown rule family {family!r}; expected one of: {', '.join(FAMILIES)}."
        )

    def key(name: str) -> tuple[int, str]:
        fam = RULES[name].family
        return (FAMILIES.index(fam) if fam in FAMILIES else len(FAMILIES), name)

    return sorted((n for n in RULES if family in (None, RULES[n].family)), key=key)


def winners_by_rule(
    data: Profile | ArrayLike,
    rules: list[str] | None = None,
    *,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
) -> dict[str, list | SocialChoiceError]:
    """Winners of one profile under many rules; a rule that cannot apply maps to its error.

    Parameters
    ----------
    data : Profile or array_like of shape (m, m)
    rules : list of str, optional
        Rule names; default every registered rule, in :func:`rule_names` order.
    time_limit : float or None, default 10
        Seconds allowed to each rule whose search can take exponential time.

    Returns
    -------
    dict
        Rule name -> sorted winners, or the :class:`SocialChoiceError` explaining why the
        rule gave no answer: a :class:`RuleInputError` (e.g. a rule defined on strict
        rankings given ties) or a :class:`TimeLimitError`. For a table with notes, see
        :func:`socialchoice.summarize`.

    Examples
    --------
    >>> import socialchoice as sc
    >>> p = sc.Profile([["a", "b"], [("a", "b")]])
    >>> out = sc.winners_by_rule(p, ["copeland", "borda"])
    >>> out["copeland"], type(out["borda"]).__name__
    (['a'], 'RuleInputError')
    """
    names = rule_names() if rules is None else [get_rule(r).name for r in rules]
    out: dict[str, list | SocialChoiceError] = {}
    for name in names:
        try:
            out[name] = winners(data, name, time_limit=time_limit)
        except (RuleInputError, TimeLimitError) as exc:
            out[name] = exc
    return out


def candidate_labels(data: Profile | ArrayLike) -> list[Hashable]:
    """Labels of a profile, or indices of a margin matrix."""
    if isinstance(data, Profile):
        return list(data.candidates)
    return list(range(np.asarray(data).shape[-1]))
