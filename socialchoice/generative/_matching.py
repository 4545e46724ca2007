"""One yardstick for every slate: the balanced (Monroe) matching of agents to slots.

A slate is judged by how well its statements can serve the agents when every slot serves
``floor(n/k)`` or ``ceil(n/k)`` of them: the assignment of maximal total utility among the
balanced ones (Monroe's rule restricted to a fixed committee; Fish et al. validate their
slates the same way). Generative slates come with the assignment their greedy rounds made
and baselines with an optimal one; re-matching every slate with :func:`rematch` puts them on
the same footing. The matching itself is
:func:`~socialchoice.generative.balanced_assignment` (one linear assignment problem over
slot copies, exact).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._errors import GenerativeError
from ._baselines import balanced_assignment
from ._slate import Slate

__all__ = ["matched_utilities", "rate_slates", "rematch", "slate_ratings"]

def _as_ratings(ratings: ArrayLike, n: int, k: int, name: str) -> NDArray[np.float64]:
    try:
        R = np.array(ratings, dtype=np.float64)
    except (TypeError, ValueError):
        R = np.full((0, 0), np.nan)
    if R.shape != (n, k) or not np.isfinite(R).all():
        raise GenerativeError(
            f"The ratings of {name} must be a finite ({n}, {k}) matrix (agents x slots). "
            f"Got shape {R.shape} instead."
        )
    return R


def slate_ratings(
    slate: Slate,
    pool_utilities: ArrayLike,
    *,
    statements: Sequence[str] | None = None,
    ratings: ArrayLike | None = None,
    name: str = "slate",
) -> NDArray[np.float64] | None:
    """Every agent's rating of every slot of ``slate``: an ``(n, k)`` matrix, or ``None``.

    ``ratings`` (an ``(n, k)`` matrix, e.g. a rater's ratings of statements a language
    model wrote) wins; otherwise each slot's statement is looked up in the pool
    ``statements`` (the texts of the columns of ``pool_utilities``). ``None`` when neither is
    given: the slate's ratings are then unknown beyond each agent's own slot.

    Parameters
    ----------
    slate : Slate
        A slate over the ``n`` agents of the rows of ``pool_utilities``.
    pool_utilities : array_like of shape (n, C)
        Utilities of the agents for the pool statements (already validated by the caller).
    statements : sequence of str, optional
        The pool's statements, one per column (unique, as in
        :class:`~socialchoice.generative.PoolGenerator`).
    ratings : array_like of shape (n, k), optional
        The slate's ratings, given directly.
    name : str
        How messages call the slate.

    Returns
    -------
    ndarray of shape (n, k) or None

    Raises
    ------
    GenerativeError
        ``ratings`` has the wrong shape or is not finite, or a slot's statement is not in
        the pool (pass its ratings in ``ratings``).

    Examples
    --------
    >>> s = Slate((0, 1), ("b", "a"), [0, 1], [2.0, 6.0])
    >>> slate_ratings(s, [[1, 2], [6, 0]], statements=["a", "b"]).tolist()
    [[2.0, 1.0], [0.0, 6.0]]
    """
    U = np.asarray(pool_utilities, dtype=np.float64)
    if ratings is not None:
        return _as_ratings(ratings, U.shape[0], len(slate.statements), name)
    if statements is None:
        return None
    column = {s: c for c, s in enumerate(statements)}
    missing = [s for s in slate.statements if s not in column]
    if missing:
        raise GenerativeError(
            f"{name} has the statement {missing[0]!r}, which is not in the pool of "
            f"{len(column)} statements; pass the slate's (n, k) ratings to rate it."
        )
    return U[:, [column[s] for s in slate.statements]]


def rate_slates(
    slates: Mapping[str, Slate],
    pool_utilities: ArrayLike,
    statements: Sequence[str],
    rater: Any,
    cache: MutableMapping[str, NDArray[np.float64]] | None = None,
) -> dict[str, NDArray[np.float64]]:
    """The ``(n, k)`` ratings of each slate: pool statements looked up, others rated once.

    Statements outside the pool (e.g. written by a language model) are rated for agents
    ``0..n-1`` with ``rater.rate``, each text once; ``cache`` (text -> ratings of the ``n``
    agents) keeps them across calls so that no statement is rated twice.

    Parameters
    ----------
    slates : mapping of str to Slate
    pool_utilities : array_like of shape (n, C)
    statements : sequence of str
        The pool, one statement per column.
    rater : Rater
        Rates the statements outside the pool; never called when there are none.
    cache : dict, optional

    Returns
    -------
    dict of str to ndarray of shape (n, k)

    Examples
    --------
    >>> class Length:
    ...     def rate(self, agent_ids, statements):
    ...         return np.array([[float(len(t)) for t in statements] for _ in agent_ids])
    >>> slate = Slate((0, 1), ("a", "new"), [0, 1], [1.0, 3.0])
    >>> rate_slates({"s": slate}, [[1, 2], [3, 4]], ["a", "b"], Length())["s"].tolist()
    [[1.0, 3.0], [3.0, 3.0]]
    """
    U = np.asarray(pool_utilities, dtype=np.float64)
    n = U.shape[0]
    known: MutableMapping[str, NDArray[np.float64]] = {} if cache is None else cache
    known.update((s, U[:, c]) for c, s in enumerate(statements))
    new = list(dict.fromkeys(s for slate in slates.values() for s in slate.statements))
    new = [s for s in new if s not in known]
    if new:
        rated = np.asarray(rater.rate(list(range(n)), new), dtype=np.float64)
        if rated.shape != (n, len(new)) or not np.isfinite(rated).all():
            raise GenerativeError(
                f"The rater must return finite ratings of shape ({n}, {len(new)}) for the "
                f"slate statements outside the pool. Got shape {rated.shape} instead."
            )
        known.update(zip(new, rated.T, strict=True))
    return {
        name: np.column_stack([known[s] for s in slate.statements])
        for name, slate in slates.items()
    }


def matched_utilities(ratings: ArrayLike) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """The balanced matching of maximal total utility: each agent's slot and its utility.

    Parameters
    ----------
    ratings : array_like of shape (n, k)
        ``ratings[i, j]``: agent ``i``'s rating of slot ``j``.

    Returns
    -------
    assignment : ndarray of int, shape (n,)
        Every slot gets ``floor(n/k)`` or ``ceil(n/k)`` agents.
    utilities : ndarray of float, shape (n,)
        Each agent's rating of its slot.

    References
    ----------
    .. [1] B. L. Monroe, 'Fully proportional representation', American Political Science
       Review 89(4), 1995 (the balanced assignment of voters to representatives).
    .. [2] S. Fish et al., 'Generative Social Choice', arXiv:2309.01291 (2023), §5 (slates
       validated under a balanced matching).

    Examples
    --------
    >>> a, u = matched_utilities([[6, 5], [6, 0], [2, 1]])
    >>> a.tolist(), u.tolist()
    ([1, 0, 0], [5.0, 6.0, 2.0])
    """
    R = np.asarray(ratings, dtype=np.float64)
    assignment = balanced_assignment(R)
    return assignment, R[np.arange(R.shape[0]), assignment]


def rematch(slate: Slate, ratings: ArrayLike) -> Slate:
    """``slate`` with its agents re-assigned by the welfare-maximal balanced matching.

    The statements, round log and method stay; only ``assignment`` and ``utilities``
    change. The new assignment is balanced and its total utility is at least that of any
    other balanced assignment, the slate's own included. It may still leave a coalition
    worse off than the old one did, so audit it with
    :func:`~socialchoice.generative.bjr_violations` when BJR matters
    (:func:`~socialchoice.generative.improve_slate` does).

    Parameters
    ----------
    slate : Slate
    ratings : array_like of shape (n, k)
        Every agent's rating of every slot (:func:`slate_ratings`).

    Returns
    -------
    Slate

    Raises
    ------
    GenerativeError
        ``ratings`` does not have shape ``(slate.n, slate.k)`` or is not finite.

    References
    ----------
    .. [1] B. L. Monroe, 'Fully proportional representation', APSR 89(4), 1995.

    Examples
    --------
    >>> s = Slate((0, 1), ("A", "B"), [0, 1], [1.0, 1.0])
    >>> rematch(s, [[1, 5], [6, 1]]).assignment.tolist()
    [1, 0]
    """
    assignment, utilities = matched_utilities(_as_ratings(ratings, slate.n, slate.k, "slate"))
    return Slate(
        agents=slate.agents,
        statements=slate.statements,
        assignment=assignment,
        utilities=utilities,
        rounds=slate.rounds,
        method=slate.method,
    )


def _matching_welfare_reference(ratings: ArrayLike) -> float:
    """Brute force over every balanced assignment (tiny ``n`` only); for tests."""
    R = np.asarray(ratings, dtype=np.float64)
    n, k = R.shape
    lo, hi = n // k, -(-n // k)
    best = -np.inf
    for slots in itertools.product(range(k), repeat=n):
        sizes = np.bincount(slots, minlength=k)
        if sizes.min() >= lo and sizes.max() <= hi:
            best = max(best, float(R[np.arange(n), slots].sum()))
    return best
