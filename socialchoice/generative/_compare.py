"""Side-by-side comparison of slates: BJR audit, matched utility, representation levels.

Every slate is evaluated under the same welfare-maximal balanced matching of agents to
slots (:mod:`._matching`), whatever assignment its own algorithm made.

pandas is imported inside the functions that return pandas objects, so importing
:mod:`socialchoice.generative` does not need it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._errors import GenerativeError
from ._bjr import violation_table
from ._matching import matched_utilities, slate_ratings
from ._pool import as_utility_matrix
from ._slate import Slate, as_scale, as_slate_size

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "PILOT_REPRESENTATION",
    "REPRESENTATION_LEVELS",
    "compare_slates",
    "representation_levels",
]

#: The five answers of the pilot's validation question, best first.
REPRESENTATION_LEVELS = ("perfectly", "mostly", "somewhat", "poorly", "not at all")

#: The published pilot's answers (Fish et al. 2023, chatbot personalisation: 100 validation
#: participants, k = 5): share of participants per level.
PILOT_REPRESENTATION = dict(zip(REPRESENTATION_LEVELS, (0.75, 0.18, 0.06, 0.0, 0.01), strict=True))

#: Cut points on the 0--6 scale between "not at all" | "poorly" | "somewhat" | "mostly" |
#: "perfectly" (a rating equal to a cut point goes to the upper level).
_CUTS = np.array([0.5, 2.5, 4.5, 5.5])


def _as_vector(utilities: ArrayLike, scale: tuple[float, float], name: str) -> NDArray[np.float64]:
    try:
        u = np.array(utilities, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise GenerativeError(f"{name} must be numbers, one per agent: {exc}") from None
    if u.ndim != 1 or u.size == 0:
        raise GenerativeError(
            f"{name} must be a non-empty 1-dimensional array (one utility per agent). "
            f"Got shape {u.shape} instead."
        )
    lo, hi = scale
    bad = np.isnan(u) | (u < lo) | (u > hi)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise GenerativeError(
            f"{name} must lie in the rating scale [{lo:g}, {hi:g}]; agent {i} has {u[i]}."
        )
    return u


def _level_shares(u: NDArray[np.float64], scale: tuple[float, float]) -> NDArray[np.float64]:
    lo, hi = scale
    six = (u - lo) * (6.0 / (hi - lo))
    level = np.digitize(six, _CUTS)  # 0 = not at all ... 4 = perfectly
    counts = np.bincount(level, minlength=5)[::-1]  # perfectly first
    return counts / u.size


def representation_levels(
    utilities: ArrayLike, scale: tuple[float, float] = (0.0, 6.0)
) -> pd.Series:
    """Share of agents at each level of "how well does your statement represent you?".

    The published pilot asked its validation participants a five-level question
    (perfectly / mostly / somewhat / poorly / not at all represented; 100 participants,
    ``k = 5``: 75 / 18 / 6 / 0 / 1 %, :data:`PILOT_REPRESENTATION`). To put a slate's
    matched utilities on the same footing we map a rating, first rescaled linearly from
    ``scale`` to 0--6, to the nearest level of a 0--6 reading of the question: ``>= 5.5``
    perfectly, ``[4.5, 5.5)`` mostly, ``[2.5, 4.5)`` somewhat, ``[0.5, 2.5)`` poorly,
    ``< 0.5`` not at all. This mapping is our choice (the pilot did not ask for a number),
    so compare distributions, not single shares, across the two.

    Parameters
    ----------
    utilities : array_like of shape (n,)
        Each agent's utility for its own slot (``Slate.utilities``).
    scale : (float, float)
        The rating scale of ``utilities``.

    Returns
    -------
    pandas.Series
        Indexed by :data:`REPRESENTATION_LEVELS` (best first), shares summing to 1.

    Raises
    ------
    GenerativeError
        ``utilities`` is empty, not 1-D, NaN or outside ``scale``.

    References
    ----------
    .. [1] S. Fish, P. Gölz, D. C. Parkes, A. D. Procaccia, G. Rusak, I. Shapira and
       M. Wüthrich, 'Generative Social Choice', arXiv:2309.01291v1 (2023): the chatbot
       personalisation pilot and its validation survey.

    Examples
    --------
    >>> representation_levels([6, 5, 5, 3]).tolist()
    [0.25, 0.5, 0.25, 0.0, 0.0]
    >>> representation_levels([1.0, 0.0], scale=(0, 1)).tolist()
    [0.5, 0.0, 0.0, 0.0, 0.5]
    """
    import pandas as pd

    scale = as_scale(scale)
    u = _as_vector(utilities, scale, "utilities")
    return pd.Series(
        _level_shares(u, scale), index=pd.Index(REPRESENTATION_LEVELS, name="level"), name="share"
    )


def _check_slate(name: str, slate: object, n: int, k: int, scale: tuple[float, float]) -> Slate:
    if not hasattr(slate, "utilities") or not hasattr(slate, "statements"):
        raise GenerativeError(
            f"slates[{name!r}] must be a Slate. Got {type(slate).__name__} instead."
        )
    u = _as_vector(slate.utilities, scale, f"slates[{name!r}].utilities")
    if u.size != n:
        raise GenerativeError(
            f"slates[{name!r}] has {u.size} agents but pool_utilities has {n} rows; "
            "compare slates over the same agents."
        )
    if len(slate.statements) != k:
        raise GenerativeError(
            f"slates[{name!r}] has {len(slate.statements)} statements; expected k = {k}."
        )
    return slate  # type: ignore[return-value]


def _row(
    U: NDArray[np.float64],
    slate: Slate,
    R: NDArray[np.float64] | None,
    k: int,
    scale: tuple[float, float],
) -> dict[str, object]:
    own = np.asarray(slate.utilities, dtype=np.float64)
    _, _, sizes = violation_table(U, own, k)
    if R is None:
        u, matching, matched_sizes = own, "own assignment", sizes
    else:
        u = matched_utilities(R)[1]
        matching, matched_sizes = "balanced optimal", violation_table(U, u, k)[2]
    u = _as_vector(u, scale, "the matched utilities")
    q10, q25, median = np.quantile(u, [0.1, 0.25, 0.5])
    return {
        "n_statements": len(slate.statements),
        "matching": matching,
        "bjr_violations": int(sizes.size),
        "largest_coalition": int(sizes.max()) if sizes.size else 0,
        "matched_bjr_violations": int(matched_sizes.size),
        "mean": float(u.mean()),
        "min": float(u.min()),
        "q10": float(q10),
        "q25": float(q25),
        "median": float(median),
        **dict(zip(REPRESENTATION_LEVELS, _level_shares(u, scale), strict=True)),
        "own_mean": float(own.mean()),
    }


def compare_slates(
    pool_utilities: ArrayLike,
    slates: Mapping[str, Slate],
    k: int,
    scale: tuple[float, float] = (0.0, 6.0),
    *,
    statements: Sequence[str] | None = None,
    ratings: Mapping[str, ArrayLike] | None = None,
) -> pd.DataFrame:
    """Compare slates on one pool, every slate under the same balanced optimal matching.

    Each slate is judged by the welfare-maximal balanced matching of the agents to its
    slots (each slot ``floor(n/k)`` or ``ceil(n/k)`` agents; Monroe's assignment, as Fish et
    al. validate their slates): the utilities and representation levels describe that
    matching, so a generative slate (whose greedy rounds made its own assignment) and the
    baselines (matched optimally already) are measured alike. The BJR audit uses each
    slate's own assignment, the witness its algorithm produced (BJR asks for *some*
    balanced assignment without a violating coalition; the welfare-maximal matching may
    leave a coalition behind that the algorithm's own assignment serves, which
    ``matched_bjr_violations`` shows).

    A slate's ratings of its slots come from ``ratings[name]`` or, for statements in the
    pool, from ``pool_utilities`` via ``statements``. With neither, only each agent's own
    slot is known and the row is computed on the slate's own assignment (column
    ``matching`` says which).

    Parameters
    ----------
    pool_utilities : array_like of shape (n, C)
        Utilities of the agents for the pool statements (the BJR audit's reference).
    slates : mapping of str to Slate
        Slates over the same ``n`` agents, in the order of the pool's rows.
    k : int
        Slate size; every slate must have ``k`` statements.
    scale : (float, float)
        Rating scale of the utilities.
    statements : sequence of str, optional
        The pool's statements, one per column of ``pool_utilities``.
    ratings : mapping of str to array_like of shape (n, k), optional
        Ratings of a slate's slots by every agent, for slates whose statements are not in
        the pool (e.g. written by a language model).

    Returns
    -------
    pandas.DataFrame
        One row per slate (index ``slate``) with columns ``n_statements``; ``matching``
        (``"balanced optimal"``, or ``"own assignment"`` when the slate's ratings are
        unknown); ``bjr_violations`` (violating statement/threshold pairs of the slate's own
        assignment, see :func:`bjr_violations`), ``largest_coalition`` (size of the largest
        violating coalition, 0 if none) and ``matched_bjr_violations`` (the same count under
        the matching); ``mean``, ``min``, ``q10``, ``q25``, ``median`` of the matched
        utilities; the share of agents at each of the :data:`REPRESENTATION_LEVELS`
        (:func:`representation_levels`) under the matching; and ``own_mean``, the mean
        utility of each agent's slot in the slate's own assignment.

    Raises
    ------
    GenerativeError
        Malformed pool, an empty mapping, a slate with the wrong number of agents or
        statements, a statement outside the pool without ratings, or utilities outside
        ``scale``.

    References
    ----------
    .. [1] S. Fish et al., 'Generative Social Choice', arXiv:2309.01291 (2023): BJR (§3)
       and the pilot's validation under a balanced matching and representation question (§5).
    .. [2] B. L. Monroe, 'Fully proportional representation', American Political Science
       Review 89(4), 1995 (the balanced assignment).

    Examples
    --------
    >>> from socialchoice.generative import PoolGenerator, generate_slate, top_mean_slate
    >>> U = [[6, 5, 0], [6, 5, 0], [0, 1, 6], [0, 1, 6]]
    >>> pool = PoolGenerator(["a", "b", "c"], U)
    >>> slates = {
    ...     "generative": generate_slate(4, 2, pool, pool),
    ...     "top_mean": top_mean_slate(pool.statements, U, 2),
    ... }
    >>> table = compare_slates(U, slates, k=2, statements=pool.statements)
    >>> table[["bjr_violations", "largest_coalition", "mean", "perfectly"]]
    ... # doctest: +NORMALIZE_WHITESPACE
                bjr_violations  largest_coalition  mean  perfectly
    slate
    generative               0                  0   6.0        1.0
    top_mean                 1                  2   3.5        0.5
    """
    import pandas as pd

    scale = as_scale(scale)
    U = as_utility_matrix(pool_utilities, name="pool_utilities", scale=scale)
    n = U.shape[0]
    k = as_slate_size(k, n, func="compare_slates")
    if not isinstance(slates, Mapping) or not slates:
        raise GenerativeError(
            "slates must be a non-empty mapping of names to Slate objects. "
            f"Got {type(slates).__name__} of length {len(slates) if slates else 0}."
        )
    given = dict(ratings or {})
    unknown = [name for name in given if name not in slates]
    if unknown:
        raise GenerativeError(
            f"ratings has an entry for {unknown[0]!r}, which is not one of the slates "
            f"{list(slates)!r}; key the ratings by slate name."
        )
    rows = []
    for name, slate in slates.items():
        slate = _check_slate(name, slate, n, k, scale)
        R = slate_ratings(
            slate, U, statements=statements, ratings=given.get(name), name=f"slates[{name!r}]"
        )
        rows.append({"slate": name, **_row(U, slate, R, k, scale)})
    return pd.DataFrame(rows).set_index("slate")
