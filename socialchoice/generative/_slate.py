"""The generative slate algorithm of Fish et al. and its result, :class:`Slate`."""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from _common.progress import Progress, report
from _common.validation import check_int, check_rng

from .._errors import GenerativeError
from ._protocols import Generator, Rater, check_progress

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Slate", "SlateRound", "generate_slate", "round_sizes"]

REFERENCE = (
    "S. Fish, P. Gölz, D. C. Parkes, A. D. Procaccia, G. Rusak, I. Shapira and M. Wüthrich, "
    "'Generative Social Choice', arXiv:2309.01291 (2023)"
)


@dataclass(frozen=True)
class SlateRound:
    """One round of :func:`generate_slate`: a generative query and the agents it matched.

    Attributes
    ----------
    index : int
        The round (0-based); the statement fills slot ``index`` of the slate.
    remaining : tuple
        Ids of the agents still unmatched when the round started, in input order.
    r : int
        How many agents the round matches: ``ceil(n/k)`` or ``floor(n/k)``.
    statement : str
        The generated statement.
    matched : tuple
        Ids of the ``r`` remaining agents who rate the statement highest, in input order.
    threshold : float
        The ``r``-th highest rating of the statement among the remaining agents: every
        matched agent rates it at least this much.

    Examples
    --------
    >>> SlateRound(0, (0, 1, 2), 2, "Be kind.", (0, 2), 5.0).r
    2
    """

    index: int
    remaining: tuple[Hashable, ...]
    r: int
    statement: str
    matched: tuple[Hashable, ...]
    threshold: float


@dataclass(frozen=True, eq=False)
class Slate:
    """A slate of ``k`` statements with a balanced assignment of the agents to them.

    Attributes
    ----------
    agents : tuple
        The agent ids, in input order; array positions below refer to this order.
    statements : tuple of str
        The statement of each slot. A generative slate built without ``distinct`` may hold
        the same statement in two slots (an exact pool generator may pick a statement again;
        see :class:`~socialchoice.generative.PoolGenerator`).
    assignment : ndarray of int, shape (n,)
        The slot of each agent.
    utilities : ndarray of float, shape (n,)
        Each agent's utility for the statement of its own slot.
    rounds : tuple of SlateRound
        The per-round log of :func:`generate_slate` (empty for baselines).
    method : str
        ``"generative"`` or the name of the baseline that chose the slate.

    Examples
    --------
    >>> import numpy as np
    >>> s = Slate(("ann", "bob", "cy"), ("A", "B"), np.array([0, 1, 0]), np.array([5.0, 6, 4]))
    >>> s.k, s.n, s.members(0)
    (2, 3, ('ann', 'cy'))
    """

    agents: tuple[Hashable, ...]
    statements: tuple[str, ...]
    assignment: NDArray[np.int64]
    utilities: NDArray[np.float64]
    rounds: tuple[SlateRound, ...] = field(default=())
    method: str = "generative"

    def __post_init__(self) -> None:
        agents = tuple(self.agents)
        statements = tuple(self.statements)
        n, k = len(agents), len(statements)
        raw = np.asarray(self.assignment)
        assignment = np.array(raw, dtype=np.int64)
        if raw.dtype.kind not in "iu" and not np.array_equal(raw, assignment):
            raise GenerativeError(
                f"Slate assignment must hold integer slot indices. Got {raw.tolist()!r} instead."
            )
        utilities = np.array(self.utilities, dtype=np.float64)
        if assignment.shape != (n,) or utilities.shape != (n,):
            raise GenerativeError(
                f"A Slate needs one assignment and one utility per agent (shape ({n},)). "
                f"Got assignment {assignment.shape} and utilities {utilities.shape} instead."
            )
        bad = (assignment < 0) | (assignment >= k)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise GenerativeError(
                f"Slate assignment must hold slot indices in [0, {k}); agent {agents[i]!r} "
                f"(position {i}) has {int(assignment[i])}."
            )
        assignment.flags.writeable = False
        utilities.flags.writeable = False
        object.__setattr__(self, "agents", agents)
        object.__setattr__(self, "statements", statements)
        object.__setattr__(self, "assignment", assignment)
        object.__setattr__(self, "utilities", utilities)
        object.__setattr__(self, "rounds", tuple(self.rounds))

    @property
    def k(self) -> int:
        """Number of slots (statements) of the slate."""
        return len(self.statements)

    @property
    def n(self) -> int:
        """Number of agents."""
        return len(self.agents)

    def members(self, slot: int) -> tuple[Hashable, ...]:
        """Ids of the agents assigned to ``slot``, in input order."""
        slot = check_int(slot, "slot", "Slate.members", 0, self.k - 1, error=GenerativeError)
        return tuple(self.agents[i] for i in np.flatnonzero(self.assignment == slot))

    def to_frame(self) -> pd.DataFrame:
        """One row per agent: ``agent``, ``slot``, ``statement``, ``utility`` (needs pandas)."""
        import pandas as pd

        return pd.DataFrame(
            {
                "agent": list(self.agents),
                "slot": self.assignment.copy(),
                "statement": [self.statements[s] for s in self.assignment],
                "utility": self.utilities.copy(),
            }
        )


def round_sizes(n: int, k: int) -> list[int]:
    """How many agents each round matches: ``ceil(n/k)`` for the first ``n mod k`` rounds,
    ``floor(n/k)`` afterwards, so that all ``n`` agents are matched in ``k`` rounds.

    References
    ----------
    .. [1] S. Fish et al., 'Generative Social Choice', arXiv:2309.01291 (2023), the slate
       algorithm with exact queries.

    Examples
    --------
    >>> round_sizes(10, 4)
    [3, 3, 2, 2]
    """
    q, rem = divmod(n, k)
    return [q + 1] * rem + [q] * (k - rem)


def as_agents(agents: Sequence[Hashable] | int, *, func: str) -> tuple[Hashable, ...]:
    """Agent ids as a tuple: ``range(n)`` for an int, else the distinct ids in order."""
    if isinstance(agents, (int, np.integer)) and not isinstance(agents, bool):
        if agents < 1:
            raise GenerativeError(
                f"The 'agents' parameter of {func} must be a non-empty sequence of agent ids "
                f"or a positive int n (agents 0..n-1). Got {agents!r} instead."
            )
        return tuple(range(int(agents)))
    unordered = isinstance(agents, (str, bytes, set, frozenset, dict))
    try:
        if unordered:
            raise TypeError
        ids = tuple(a.item() if isinstance(a, np.generic) else a for a in agents)
    except TypeError:
        raise GenerativeError(
            f"The 'agents' parameter of {func} must be a sequence of agent ids (list, tuple, "
            f"array) or an int n. Got {type(agents).__name__} instead."
        ) from None
    if not ids:
        raise GenerativeError(
            f"The 'agents' parameter of {func} is empty; it needs at least one agent."
        )
    seen: dict[Hashable, int] = {}
    for pos, a in enumerate(ids):
        try:
            first = seen.setdefault(a, pos)
        except TypeError:
            raise GenerativeError(
                f"Agent ids must be hashable (e.g. ints or strings); agent at position {pos} "
                f"is {a!r}."
            ) from None
        if first != pos:
            raise GenerativeError(
                f"Agent ids must be unique; {a!r} appears at positions {first} and {pos}."
            )
    return ids


def as_slate_size(k: object, n: int, *, func: str) -> int:
    """The slate size as an int in ``[1, n]``."""
    return check_int(k, "k", func, 1, n, error=GenerativeError)


def as_scale(scale: object, *, name: str = "scale") -> tuple[float, float]:
    """A rating scale as a pair of finite floats ``lo < hi``."""
    try:
        lo, hi = (float(x) for x in scale)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise GenerativeError(
            f"{name} must be a pair (lo, hi) of numbers. Got {scale!r} instead."
        ) from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise GenerativeError(
            f"{name} must be a pair (lo, hi) of finite numbers with lo < hi. Got {scale!r} instead."
        )
    return lo, hi


def first_bad_rating(
    ratings: NDArray[np.float64], scale: tuple[float, float] | None
) -> tuple[tuple[int, ...], bool] | None:
    """Where ``ratings`` first holds NaN, else an infinite or out-of-``scale`` value.

    ``None`` when every rating is a finite number in ``scale`` (any finite number without
    one); otherwise ``(index, is_nan)``: NaN is looked for first, anywhere in the array.

    Examples
    --------
    >>> first_bad_rating(np.array([[1.0, 7.0], [np.nan, 2.0]]), (0, 6))
    ((1, 0), True)
    >>> first_bad_rating(np.array([1.0, 7.0]), (0, 6)), first_bad_rating(np.ones(2), None)
    (((1,), False), None)
    """
    lo, hi = scale if scale is not None else (-np.inf, np.inf)
    nan = np.isnan(ratings)
    out = ~nan & (~np.isfinite(ratings) | (ratings < lo) | (ratings > hi))
    for is_nan, bad in ((True, nan), (False, out)):
        if bad.any():
            return tuple(int(i) for i in np.argwhere(bad)[0]), is_nan
    return None


def _check_statement(statement: object, j: int, k: int, exclude: Sequence[str]) -> str:
    if not isinstance(statement, str) or not statement.strip():
        raise GenerativeError(
            f"The generator must return a non-empty statement (str); in round {j + 1} of {k} "
            f"(slot {j}) it returned {statement!r}."
        )
    if statement in exclude:
        raise GenerativeError(
            f"The generator returned {statement!r} in round {j + 1} of {k} (slot {j}), but it "
            f"is already in slot {list(exclude).index(statement)}; with distinct=True a "
            "generator must not return a statement already on the slate."
        )
    return statement


def _check_ratings(
    ratings: object,
    ids: tuple[Hashable, ...],
    statement: str,
    scale: tuple[float, float] | None,
) -> NDArray[np.float64]:
    m = len(ids)
    try:
        u = np.asarray(ratings, dtype=np.float64)
    except (TypeError, ValueError):
        raise GenerativeError(
            f"The rater must return numbers; for statement {statement!r} it returned "
            f"{type(ratings).__name__} that could not be read as floats."
        ) from None
    if u.shape != (m, 1):
        raise GenerativeError(
            f"The rater must return ratings of shape (len(agent_ids), len(statements)) = "
            f"({m}, 1) for statement {statement!r}. Got shape {u.shape} instead."
        )
    u = u[:, 0]
    found = first_bad_rating(u, scale)
    if found is not None:
        ((i,), is_nan) = found
        if is_nan:
            raise GenerativeError(
                f"The rater returned NaN for agent {ids[i]!r} and statement {statement!r}; "
                "ratings must be numbers."
            )
        expected = f"in the rater's scale [{scale[0]:g}, {scale[1]:g}]" if scale else "finite"
        raise GenerativeError(
            f"The rater rated statement {statement!r} {u[i]} for agent {ids[i]!r}; ratings "
            f"must be {expected}."
        )
    return u


def _check_oracles(rater: object, generator: object) -> tuple[float, float] | None:
    """The rater's scale (if it has one), after checking both oracles have their method."""
    if not callable(getattr(rater, "rate", None)):
        raise GenerativeError(
            "The 'rater' parameter of generate_slate must have a method "
            f"rate(agent_ids, statements). Got {type(rater).__name__} instead."
        )
    if not callable(getattr(generator, "generate", None)):
        raise GenerativeError(
            "The 'generator' parameter of generate_slate must have a method "
            f"generate(agent_ids, r, *, rng, exclude). Got {type(generator).__name__} instead."
        )
    return as_scale(rater.scale, name="rater.scale") if hasattr(rater, "scale") else None


def generate_slate(
    agents: Sequence[Hashable] | int,
    k: int,
    rater: Rater,
    generator: Generator,
    rng: np.random.Generator | int | None = None,
    *,
    distinct: bool = False,
    progress: Progress = None,
) -> Slate:
    """Build a proportional slate of ``k`` statements with generative queries (Fish et al.).

    Round ``j`` matches ``r_j`` agents: ``ceil(n/k)`` in the first ``n mod k`` rounds and
    ``floor(n/k)`` afterwards (:func:`round_sizes`). In each round the generator is asked for
    the statement that maximises the ``r_j``-th highest utility among the remaining agents;
    the rater rates it for them, and the ``r_j`` agents who rate it highest are matched to it
    and removed. Ties in that rating are broken in favour of the agent that comes first in
    ``agents`` (a stable sort), so the result is deterministic given the oracles.

    With an exact generator over a finite pool (:class:`PoolGenerator`) the slate and its
    assignment satisfy balanced justified representation (BJR) with respect to the pool; with
    approximate oracles, audit the result with :func:`bjr_violations`.

    Parameters
    ----------
    agents : sequence of hashable or int
        Agent ids passed to the oracles (for a :class:`PoolGenerator`: row indices), unique;
        an int ``n`` means ``range(n)``.
    k : int
        Slate size, in ``[1, n]``.
    rater : Rater
        ``rate(agent_ids, [statement])`` rates each round's statement. When the rater has an
        attribute ``scale = (lo, hi)``, every rating must lie in it.
    generator : Generator
        ``generate(agent_ids, r, rng=..., exclude=...)`` answers each round's query; it
        receives a fresh :class:`numpy.random.Generator` spawned from ``rng`` in each round.
    rng : numpy.random.Generator, int or None
        Seeds the generator's streams (any int, negative ones included).
    distinct : bool
        Ask the generator for a statement not yet on the slate (``exclude``) and refuse a
        repeat. Off by default: the BJR guarantee of the exact pool generator rests on every
        pool statement staying available in every round (see
        :class:`~socialchoice.generative.PoolGenerator`).
    progress : callable, optional
        Called as ``progress(done_rounds, k)``, first with ``(0, k)`` and after each round.

    Returns
    -------
    Slate
        Statements by slot, the assignment, each agent's utility for its own slot (the
        rater's rating in the round that matched it) and the per-round log.

    Raises
    ------
    GenerativeError
        ``agents`` is empty or not unique, ``k`` is not in ``[1, n]``, an oracle lacks its
        method, the generator returns an empty or non-string statement or (``distinct``) a
        statement already on the slate (the message names the round), or the rater returns
        ratings of the wrong shape, NaN or outside its scale (the message names the agent and
        the statement).

    References
    ----------
    .. [1] S. Fish, P. Gölz, D. C. Parkes, A. D. Procaccia, G. Rusak, I. Shapira and
       M. Wüthrich, 'Generative Social Choice', arXiv:2309.01291 (2023): the slate algorithm
       with generative and discriminative queries and its BJR guarantee.

    Examples
    --------
    Six agents, a pool of three statements; ``k = 3`` rounds of two agents each:

    >>> from socialchoice.generative import PoolGenerator, generate_slate
    >>> pool = PoolGenerator(
    ...     ["More privacy", "More safety", "More creativity"],
    ...     [[6, 1, 2], [5, 2, 1], [1, 6, 3], [2, 5, 4], [0, 3, 6], [4, 2, 5]],
    ... )
    >>> slate = generate_slate(6, 3, rater=pool, generator=pool)
    >>> slate.statements
    ('More privacy', 'More safety', 'More creativity')
    >>> slate.assignment.tolist(), slate.utilities.tolist()
    ([0, 0, 1, 1, 2, 2], [6.0, 5.0, 6.0, 5.0, 6.0, 5.0])
    >>> [(r.r, r.threshold, r.matched) for r in slate.rounds]
    [(2, 5.0, (0, 1)), (2, 5.0, (2, 3)), (2, 5.0, (4, 5))]
    >>> from socialchoice.generative import bjr_violations
    >>> bjr_violations(pool.utilities, slate.utilities, 3)
    []
    """
    ids = as_agents(agents, func="generate_slate")
    n = len(ids)
    k = as_slate_size(k, n, func="generate_slate")
    scale = _check_oracles(rater, generator)
    check_progress(progress, "generate_slate")
    rng = check_rng(rng, "generate_slate", error=GenerativeError)

    remaining = np.arange(n)  # positions of unmatched agents, in input order
    assignment = np.full(n, -1, dtype=np.int64)
    utilities = np.zeros(n)
    statements: list[str] = []
    rounds: list[SlateRound] = []
    report(progress, 0, k)
    for j, r in enumerate(round_sizes(n, k)):
        remaining_ids = tuple(ids[p] for p in remaining)
        exclude = tuple(statements) if distinct else ()
        raw = generator.generate(remaining_ids, r, rng=rng.spawn(1)[0], exclude=exclude)
        statement = _check_statement(raw, j, k, exclude)
        u = _check_ratings(rater.rate(remaining_ids, [statement]), remaining_ids, statement, scale)
        order = np.argsort(-u, kind="stable")  # highest rating first; ties: input order
        chosen = np.sort(order[:r])
        matched = remaining[chosen]
        assignment[matched] = j
        utilities[matched] = u[chosen]
        statements.append(statement)
        rounds.append(
            SlateRound(
                index=j,
                remaining=remaining_ids,
                r=r,
                statement=statement,
                matched=tuple(ids[p] for p in matched),
                threshold=float(u[order[r - 1]]),
            )
        )
        remaining = np.delete(remaining, chosen)
        report(progress, j + 1, k)
    return Slate(
        agents=ids,
        statements=tuple(statements),
        assignment=assignment,
        utilities=utilities,
        rounds=tuple(rounds),
        method="generative",
    )
