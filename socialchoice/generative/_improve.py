"""After the greedy rounds: re-match the agents and swap in better pool statements, BJR kept.

Fish et al.'s rounds fix each slot's agents as they go, so the last slots serve whoever
is left. :func:`improve_slate` keeps what the rounds guarantee and raises the welfare the
slate is judged by (the balanced optimal matching, :mod:`._matching`): first the agents are
re-matched; then, slot by slot, a slate statement is swapped for the pool statement that
raises the matching's welfare most. A step is taken only if some balanced assignment of the
new slate (the new optimal matching, or the old assignment with the swapped slot's new
statement) has no BJR violation that the input slate did not already have, so a slate that
satisfies BJR against the pool still does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from _common.validation import check_int

from .._errors import GenerativeError
from ._bjr import violation_table
from ._matching import matched_utilities, slate_ratings
from ._pool import as_statements, as_utility_matrix
from ._slate import Slate, as_slate_size

__all__ = ["improve_slate"]


@dataclass
class _State:
    """The slate being improved: ratings of its slots, pool columns and a BJR witness."""

    R: NDArray[np.float64]  # (n, k) ratings of the slots
    cols: list[int]  # pool column of each slot, -1 for a statement outside the pool
    assignment: NDArray[np.intp]  # the witness: a balanced assignment without new violations
    welfare: float  # total utility of the optimal balanced matching of R


def _pairs(U: NDArray[np.float64], own: NDArray[np.float64], k: int) -> set[tuple[int, float]]:
    cols, thresholds, _ = violation_table(U, own, k)
    return set(zip(cols.tolist(), thresholds.tolist(), strict=True))


def _witness(
    U: NDArray[np.float64],
    R: NDArray[np.float64],
    options: Sequence[NDArray[np.intp]],
    k: int,
    allowed: set[tuple[int, float]],
) -> NDArray[np.intp] | None:
    """The first assignment of ``options`` whose BJR violations are all in ``allowed``."""
    rows = np.arange(R.shape[0])
    for assignment in options:
        if _pairs(U, R[rows, assignment], k) <= allowed:
            return assignment
    return None


def _best_swap(
    U: NDArray[np.float64],
    state: _State,
    k: int,
    allowed: set[tuple[int, float]],
    budget: int | None,
) -> _State | None:
    """The swap (slot, pool statement) of largest welfare gain that keeps BJR, if any.

    Candidates are tried in decreasing order of an upper bound on their welfare (every agent
    on its favourite slot, no balance); the search stops when the next bound cannot beat the
    best swap found, so without a ``budget`` of exact matchings the swap is the best one.
    """
    tol = 1e-9 * max(1.0, abs(state.welfare))
    candidates: list[tuple[float, int, int]] = []
    for j in range(k):
        others = np.delete(state.R, j, axis=1).max(axis=1, initial=-np.inf)
        bounds = np.maximum(others[:, None], U).sum(axis=0)
        candidates += [
            (float(bounds[c]), j, int(c))
            for c in np.flatnonzero(bounds > state.welfare + tol)
            if c not in state.cols
        ]
    candidates.sort(key=lambda t: (-t[0], t[1], t[2]))
    best: _State | None = None
    for tried, (bound, j, c) in enumerate(candidates):
        floor = state.welfare if best is None else best.welfare
        if bound <= floor + tol or (budget is not None and tried >= budget):
            break
        R = state.R.copy()
        R[:, j] = U[:, c]
        assignment, u = matched_utilities(R)
        if u.sum() <= floor + tol:
            continue
        witness = _witness(U, R, (assignment, state.assignment), k, allowed)
        if witness is not None:
            cols = [*state.cols[:j], c, *state.cols[j + 1 :]]
            best = _State(R, cols, witness, float(u.sum()))
    return best


def improve_slate(
    slate: Slate,
    pool_utilities: ArrayLike,
    k: int,
    *,
    statements: Sequence[str],
    ratings: ArrayLike | None = None,
    max_swaps: int = 20,
    max_candidates: int | None = 50,
) -> Slate:
    """Re-match the agents and swap slate statements for pool statements, never breaking BJR.

    1. **Re-matching.** The agents are assigned by the welfare-maximal balanced matching
       (each slot ``floor(n/k)`` or ``ceil(n/k)`` agents, :func:`rematch`).
    2. **Local search.** Among all pairs (slot ``j``, pool statement ``c`` not on the slate),
       the one whose swap raises the matching's total utility most is taken, and again,
       until no swap raises it or ``max_swaps`` were taken. Pairs are tried in decreasing
       order of an upper bound on their welfare (every agent on its favourite slot, no
       balance) and the search stops when the bound cannot beat the best swap found; at
       most ``max_candidates`` exact matchings are solved per step (each is an
       ``O(n^3)`` assignment problem), so a large pool costs bounded time.

    Every step keeps balanced justified representation: a step is taken only if some
    balanced assignment of the new slate — the optimal matching, else the previous
    assignment with slot ``j``'s new statement — has no violating (statement, threshold)
    pair (:func:`bjr_violations` against the pool) that the input slate's own assignment did
    not have; that assignment becomes the slate's. So the welfare of the optimal matching
    never falls, and a slate satisfying BJR (as :func:`generate_slate` with an exact pool
    generator does) still satisfies it, witnessed by the returned assignment.

    Parameters
    ----------
    slate : Slate
        A slate over the ``n`` agents (rows of ``pool_utilities``), e.g. from
        :func:`generate_slate`.
    pool_utilities : array_like of shape (n, C)
        Utilities of the agents for the pool statements.
    k : int
        Slate size; ``slate`` must have ``k`` statements.
    statements : sequence of str
        The pool's statements, unique, one per column of ``pool_utilities``.
    ratings : array_like of shape (n, k), optional
        Every agent's rating of the slate's statements; needed when a statement is not in
        the pool (e.g. written by a language model). Such a statement can be swapped out
        but never comes back.
    max_swaps : int >= 0
        At most this many swaps (0: re-matching only). Each swap strictly raises welfare,
        so the search ends anyway.
    max_candidates : int >= 1 or None
        Exact matchings per step, the most promising pairs first; ``None``: as many as the
        bound requires, which makes each step the best swap.

    Returns
    -------
    Slate
        The new statements (slot order kept; a swapped statement takes the slot it
        replaced), the assignment witnessing BJR and each agent's utility under it, the
        input's round log, and ``method`` ending in ``"+improved"``.

    Raises
    ------
    GenerativeError
        Malformed utilities or statements, ``k`` not the slate's size, a slate over other
        agents, a statement outside the pool without ``ratings``, or a bad ``max_swaps``.

    References
    ----------
    .. [1] S. Fish, P. Gölz, D. C. Parkes, A. D. Procaccia, G. Rusak, I. Shapira and
       M. Wüthrich, 'Generative Social Choice', arXiv:2309.01291 (2023): balanced
       justified representation (§3) and validation under a balanced matching (§5).
    .. [2] B. L. Monroe, 'Fully proportional representation', American Political Science
       Review 89(4), 1995 (the balanced matching).

    Examples
    --------
    The last round serves agents 2 and 3 with "b" (both rate it 3: the best second-highest
    rating); "c" serves them 6 and 2, more in total, and leaves no coalition behind:

    >>> from socialchoice.generative import PoolGenerator, bjr_violations, generate_slate
    >>> U = [[6, 0, 0], [6, 0, 0], [0, 3, 6], [0, 3, 2]]
    >>> pool = PoolGenerator(["a", "b", "c"], U)
    >>> greedy = generate_slate(4, 2, pool, pool)
    >>> greedy.statements, greedy.utilities.tolist()
    (('a', 'b'), [6.0, 6.0, 3.0, 3.0])
    >>> better = improve_slate(greedy, U, 2, statements=pool.statements)
    >>> better.statements, better.utilities.tolist(), better.method
    (('a', 'c'), [6.0, 6.0, 6.0, 2.0], 'generative+improved')
    >>> bjr_violations(U, better.utilities, 2)
    []
    """
    func = "improve_slate"
    if not isinstance(slate, Slate):
        raise GenerativeError(
            f"The 'slate' parameter of {func} must be a Slate (e.g. from generate_slate). "
            f"Got {type(slate).__name__} instead."
        )
    U = as_utility_matrix(pool_utilities, name="pool_utilities")
    pool = as_statements(statements, U.shape[1])
    k = as_slate_size(k, U.shape[0], func=func)
    max_swaps = check_int(max_swaps, "max_swaps", func, 0, error=GenerativeError)
    if max_candidates is not None:
        max_candidates = check_int(max_candidates, "max_candidates", func, 1, error=GenerativeError)
    if slate.k != k or slate.n != U.shape[0]:
        raise GenerativeError(
            f"The 'slate' parameter of {func} must have k = {k} statements and one agent per "
            f"row of pool_utilities ({U.shape[0]}). Got {slate.k} statements and {slate.n} "
            "agents instead."
        )
    R = slate_ratings(slate, U, statements=pool, ratings=ratings, name="the slate")
    column = {s: c for c, s in enumerate(pool)}
    allowed = _pairs(U, np.asarray(slate.utilities, dtype=np.float64), k)
    assignment, u = matched_utilities(R)
    own = np.asarray(slate.assignment, dtype=np.intp)
    witness = _witness(U, R, (assignment,), k, allowed)
    state = _State(
        R=R,
        cols=[column.get(s, -1) for s in slate.statements],
        assignment=own if witness is None else witness,
        welfare=float(u.sum()),
    )
    for _ in range(max_swaps):
        step = _best_swap(U, state, k, allowed, max_candidates)
        if step is None:
            break
        state = step
    texts = tuple(slate.statements[j] if c < 0 else pool[c] for j, c in enumerate(state.cols))
    return Slate(
        agents=slate.agents,
        statements=texts,
        assignment=state.assignment,
        utilities=state.R[np.arange(U.shape[0]), state.assignment],
        rounds=slate.rounds,
        method=f"{slate.method}+improved",
    )
