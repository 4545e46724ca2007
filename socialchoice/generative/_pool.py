"""An exact oracle over a finite pool of statements: generator and rater in one object."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from _common.validation import check_int, parameter_error

from .._errors import GenerativeError
from ._slate import as_scale, first_bad_rating

__all__ = ["PoolGenerator", "as_statements", "as_utility_matrix"]


def as_utility_matrix(
    utilities: ArrayLike,
    *,
    name: str = "utilities",
    scale: tuple[float, float] | None = None,
) -> NDArray[np.float64]:
    """A float ``(n, C)`` matrix of agents × statements, finite and (optionally) in ``scale``.

    Examples
    --------
    >>> as_utility_matrix([[1, 2], [3, 4]], scale=(0, 6)).shape
    (2, 2)
    >>> as_utility_matrix([[1, 7]], scale=(0, 6))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    socialchoice._errors.GenerativeError: utilities must lie in the rating scale [0, 6]; row 0 ...
    """
    try:
        U = np.array(utilities, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise GenerativeError(
            f"{name} must be an (n agents, C statements) matrix of numbers; it could not be "
            f"read as numbers: {exc}"
        ) from None
    if U.ndim != 2:
        raise GenerativeError(
            f"{name} must be a 2-dimensional (agents, statements) matrix. "
            f"Got an array of shape {U.shape} instead."
        )
    if U.shape[0] == 0 or U.shape[1] == 0:
        raise GenerativeError(
            f"{name} must have at least one agent (row) and one statement (column). "
            f"Got shape {U.shape} instead."
        )
    found = first_bad_rating(U, scale)
    if found is not None:
        (row, col), is_nan = found
        at = f"row {row} (agent), column {col} (statement)"
        if is_nan:
            raise GenerativeError(f"{name} must hold numbers, not NaN; {at} is NaN.")
        expected = (
            f"lie in the rating scale [{scale[0]:g}, {scale[1]:g}]" if scale else "be finite"
        )
        raise GenerativeError(f"{name} must {expected}; {at} is {U[row, col]:g}.")
    return U


def as_statements(statements: Sequence[str], count: int | None = None) -> tuple[str, ...]:
    """Statements as a tuple of unique non-empty strings (``count`` of them, if given).

    Examples
    --------
    >>> as_statements(["a", "b"], 2)
    ('a', 'b')
    """
    if isinstance(statements, str):
        raise GenerativeError(
            "statements must be a sequence of strings, not a single string. "
            f"Got {statements!r} instead."
        )
    try:
        out = tuple(statements)
    except TypeError:
        raise GenerativeError(
            f"statements must be a sequence of strings. Got {type(statements).__name__} instead."
        ) from None
    first: dict[str, int] = {}
    for j, s in enumerate(out):
        if not isinstance(s, str) or not s.strip():
            raise GenerativeError(f"statements must be non-empty strings; statement {j} is {s!r}.")
        if first.setdefault(s, j) != j:
            raise GenerativeError(
                f"statements must be unique; {s!r} is statement {first[s]} and statement {j}."
            )
    if count is not None and len(out) != count:
        raise GenerativeError(
            f"There must be one statement per utility column: {count} columns but "
            f"{len(out)} statements."
        )
    return out


class PoolGenerator:
    """Exact generative and discriminative queries over a finite pool of statements.

    The agents are the rows ``0..n-1`` of a known utility matrix and the statements its
    columns. :meth:`generate` answers the generative query exactly: the pool statement whose
    ``r``-th highest utility among the given agents is largest (ties: the lowest pool
    index). :meth:`rate` answers the discriminative query by table lookup. One object can
    therefore play both roles in :func:`generate_slate`, which then satisfies balanced
    justified representation with respect to the pool.

    A statement may be returned again in a later round even if it is already on the slate,
    unless the caller excludes it (``generate_slate(..., distinct=True)``). Repeats are
    allowed by default on purpose: BJR's guarantee rests on every pool statement staying
    available in every round (when the first member of a would-be violating coalition is
    matched, the coalition's statement must still compete), so removing chosen statements
    could break it.

    Parameters
    ----------
    statements : sequence of str
        The pool, unique non-empty strings, one per column of ``utilities``.
    utilities : array_like of shape (n, C)
        ``utilities[i, c]``: agent ``i``'s rating of statement ``c``.
    scale : (float, float)
        The closed rating range; every utility must lie in it (default 0--6, as in the
        published pilot).

    Attributes
    ----------
    statements : tuple of str
    utilities : ndarray of shape (n, C), read-only
    scale : (float, float)

    References
    ----------
    .. [1] S. Fish, P. Gölz, D. C. Parkes, A. D. Procaccia, G. Rusak, I. Shapira and
       M. Wüthrich, 'Generative Social Choice', arXiv:2309.01291 (2023): generative and
       discriminative queries; BJR with exact queries.

    Examples
    --------
    >>> pool = PoolGenerator(["A", "B"], [[6, 0], [5, 1], [0, 6]])
    >>> pool.generate([0, 1, 2], 2)
    'A'
    >>> pool.generate([2], 1)
    'B'
    >>> pool.generate([0, 1, 2], 2, exclude=["A"])
    'B'
    >>> pool.rate([2, 0], ["B", "A"]).tolist()
    [[6.0, 0.0], [0.0, 6.0]]
    """

    def __init__(
        self,
        statements: Sequence[str],
        utilities: ArrayLike,
        *,
        scale: tuple[float, float] = (0.0, 6.0),
    ) -> None:
        self.scale = as_scale(scale)
        U = as_utility_matrix(utilities, scale=self.scale)
        self.statements = as_statements(statements, U.shape[1])
        U.flags.writeable = False
        self.utilities = U
        self._index = {s: j for j, s in enumerate(self.statements)}

    def __repr__(self) -> str:
        n, c = self.utilities.shape
        return f"PoolGenerator({c} statements, {n} agents, scale={self.scale})"

    @property
    def n(self) -> int:
        """Number of agents (rows)."""
        return int(self.utilities.shape[0])

    def _rows(self, agent_ids: Sequence[Hashable]) -> NDArray[np.intp]:
        n = self.n
        try:
            rows = np.asarray(agent_ids)
        except (TypeError, ValueError):
            rows = np.asarray([None])
        if rows.ndim == 1 and rows.size and rows.dtype.kind in "iu":
            if rows.min() >= 0 and rows.max() < n:  # the fast path: valid row indices
                return rows.astype(np.intp, copy=False)
        ids = list(agent_ids)
        if not ids:
            raise GenerativeError("agent_ids is empty; a pool query needs at least one agent.")
        for pos, a in enumerate(ids):
            ok = isinstance(a, (int, np.integer)) and not isinstance(a, bool)
            if not ok or not 0 <= a < n:
                raise GenerativeError(
                    f"A PoolGenerator's agents are the row indices 0..{n - 1} of its "
                    f"utility matrix; agent_ids[{pos}] is {a!r}."
                )
        raise GenerativeError(  # pragma: no cover - e.g. a nested sequence
            f"agent_ids must be a flat sequence of row indices 0..{n - 1}. Got {agent_ids!r}."
        )

    def index(self, statement: str) -> int:
        """The pool index (column) of ``statement``; unknown statements raise."""
        try:
            return self._index[statement]
        except (KeyError, TypeError):
            raise GenerativeError(
                f"Statement {statement!r} is not in the pool of {len(self.statements)} "
                "statements; a PoolGenerator can only rate its own statements."
            ) from None

    def rate(self, agent_ids: Sequence[Hashable], statements: Sequence[str]) -> NDArray[np.float64]:
        """Ratings by table lookup, shape ``(len(agent_ids), len(statements))``."""
        rows = self._rows(agent_ids)
        if isinstance(statements, str):
            raise GenerativeError(
                f"statements must be a sequence of strings, not one string: {statements!r}."
            )
        cols = np.asarray([self.index(s) for s in statements], dtype=np.intp)
        return self.utilities[rows[:, None], cols[None, :]]  # fancy indexing copies

    def best(
        self, agent_ids: Sequence[Hashable], r: int, exclude: Collection[str] = ()
    ) -> tuple[int, float]:
        """Pool index and value of the statement with the largest ``r``-th highest utility.

        The ``r``-th highest utility of every statement is computed at once with
        ``np.partition`` along the agent axis; ties go to the lowest pool index. Statements
        in ``exclude`` are skipped.
        """
        rows = self._rows(agent_ids)
        m = len(rows)
        try:
            check_int(r, "r", "PoolGenerator.generate", 1, m, error=GenerativeError)
        except GenerativeError:  # the same check, with what m is
            expected = f"an int in [1, {m}] (the number of agents)"
            raise parameter_error(
                "r", "PoolGenerator.generate", expected, r, GenerativeError
            ) from None
        sub = self.utilities[rows]
        rth = np.partition(sub, m - r, axis=0)[m - r]  # (C,) r-th highest per statement
        taken = [self._index[s] for s in exclude if s in self._index]
        if len(taken) == len(self.statements):
            raise GenerativeError(
                f"Every statement of the pool of {len(self.statements)} is already on the "
                "slate; a slate of distinct statements needs at least k pool statements."
            )
        rth[taken] = -np.inf
        c = int(np.argmax(rth))  # first maximum: lowest pool index
        return c, float(rth[c])

    def generate(
        self,
        agent_ids: Sequence[Hashable],
        r: int,
        *,
        rng: np.random.Generator | None = None,
        exclude: Collection[str] = (),
    ) -> str:
        """The pool statement not in ``exclude`` that maximises the ``r``-th highest utility
        among the agents (exact: ``rng`` is not used)."""
        return self.statements[self.best(agent_ids, r, exclude)[0]]
