"""Path-based rules on the weighted majority graph: beat path (Schulze) and Split Cycle.

Both rules read the margin matrix ``M`` (shape ``(..., m, m)``) as a weighted directed
graph with an edge ``a -> b`` of weight ``M[a, b]`` whenever ``M[a, b] > 0``. The strength
of a path is its weakest edge; :func:`beat_path_strengths` computes the strongest
(widest) path between every ordered pair with the shared kernel
:func:`~socialchoice.rules._common.widest_paths`, vectorised over every leading batch
dimension.
"""

from __future__ import annotations

from functools import partial
from itertools import pairwise, permutations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._registry import register, register_order
from ._common import widest_paths

__all__ = ["beat_path_strengths", "schulze", "schulze_levels", "split_cycle"]

#: :func:`register` with the family and input shared by this module's rules.
_rule = partial(register, family="graph", needs="margins", batched=True)

_SCHULZE = (
    "M. Schulze, 'A new monotonic, clone-independent, reversal symmetric, and "
    "Condorcet-consistent single-winner election method', Soc. Choice Welf. 36 (2011) "
    "267-303, §2.2-2.3 and §4.1"
)
_SPLIT_CYCLE = (
    "W. H. Holliday and E. Pacuit, 'Split Cycle: a new Condorcet-consistent voting method "
    "independent of clones and immune to spoilers', Public Choice 197 (2023) 1-62, §3"
)


def beat_path_strengths(M: ArrayLike) -> NDArray:
    """Strength of the strongest majority path between every ordered pair of candidates.

    ``S[..., a, b]`` is the largest ``s`` such that some path ``a = x_1 -> ... -> x_k = b``
    of positive-margin edges has all margins ``>= s`` (the widest path); 0 when no such
    path exists (every real path has positive strength, so 0 can only mean "no path").
    The diagonal is the strength of the strongest cycle through the candidate (0 if none).

    Parameters
    ----------
    M : array_like, shape (..., m, m)
        Antisymmetric margin matrices (integers or floats).

    Returns
    -------
    ndarray, shape (..., m, m)
        Same dtype as ``M`` (integer margins give integer strengths).

    Notes
    -----
    The widest-path kernel :func:`~socialchoice.rules._common.widest_paths` (Floyd–Warshall
    for the max–min semiring) on the positive margins, ``O(batch · m³)`` work.

    References
    ----------
    .. [1] M. Schulze, Soc. Choice Welf. 36 (2011) 267-303, §2.3 (implementation).

    Examples
    --------
    >>> import numpy as np
    >>> M = np.array([[0, 3, -1], [-3, 0, 5], [1, -5, 0]])   # a>b (3), b>c (5), c>a (1)
    >>> beat_path_strengths(M)
    array([[1, 3, 3],
           [1, 1, 5],
           [1, 1, 1]])
    """
    M = np.asarray(M)
    return widest_paths(np.where(M > 0, M, np.zeros((), dtype=M.dtype)), overwrite=True)


def _schulze_defeats(M: ArrayLike) -> NDArray:
    """``D[..., a, b]``: a beats b by beat path (strongest a->b path beats b->a)."""
    S = beat_path_strengths(M)
    return S > np.swapaxes(S, -1, -2)


@_rule("schulze", reference=_SCHULZE)
def schulze(M: NDArray) -> NDArray:
    """Beat path (Schulze): candidates whose strongest paths are never beaten.

    ``a`` defeats ``b`` when the strongest majority path from ``a`` to ``b`` is stronger
    than the strongest path from ``b`` to ``a`` (path strength = weakest margin on it).
    The winners are the undefeated candidates; all of them are returned (as
    ``pref_voting.margin_based_methods.beat_path``).

    Parameters
    ----------
    M : ndarray, shape (..., m, m)
        Margin matrices; any antisymmetric matrix, e.g. a {-1, 0, 1} preference function.

    Returns
    -------
    ndarray of bool, shape (..., m)

    References
    ----------
    .. [1] M. Schulze, 'A new monotonic, clone-independent, reversal symmetric, and
       Condorcet-consistent single-winner election method', Soc. Choice Welf. 36 (2011)
       267-303, §2.2 (definition), §4.1 (the defeat relation is transitive).

    Examples
    --------
    The slides' preference function: one majority cycle through all four candidates
    with equal strengths, so nobody is defeated.

    >>> import numpy as np
    >>> F = np.array([[0, 1, 1, -1], [-1, 0, 1, -1], [-1, -1, 0, 1], [1, 1, -1, 0]])
    >>> schulze(F)
    array([ True,  True,  True,  True])
    >>> schulze(np.array([[0, 3, -1], [-3, 0, 5], [1, -5, 0]]))
    array([ True, False, False])
    """
    return ~_schulze_defeats(M).any(axis=-2)


@register_order("schulze")
def schulze_levels(M: ArrayLike) -> NDArray:
    """Schulze ranking as weak-order levels, ``(..., m)``, 0 = first tier.

    Schulze's defeat relation ``O`` (``a O b`` iff the strongest path a->b beats the
    strongest path b->a) is a strict partial order ([1]_, §4.1). The tiers peel it from
    the top: tier 0 is the beat-path winners, tier ``k`` the candidates undefeated once
    tiers ``0..k-1`` are removed. Every defeat ``a O b`` puts ``a`` in a better tier.

    References
    ----------
    .. [1] M. Schulze, Soc. Choice Welf. 36 (2011) 267-303, §4.1 (transitivity).

    Examples
    --------
    >>> import numpy as np
    >>> schulze_levels(np.array([[0, 3, -1], [-3, 0, 5], [1, -5, 0]]))
    array([0, 1, 2])
    """
    D = _schulze_defeats(M)
    m = D.shape[-1]
    levels = np.full(D.shape[:-1], -1, dtype=np.int64)
    for lv in range(m):
        remaining = levels < 0
        beaten = (D & remaining[..., :, None]).any(axis=-2)
        levels[remaining & ~beaten] = lv
    return levels


@_rule("split_cycle", reference=_SPLIT_CYCLE)
def split_cycle(M: NDArray) -> NDArray:
    """Split Cycle: drop the weakest edge of every majority cycle; undefeated candidates win.

    ``a`` defeats ``b`` iff ``M[a, b] > 0`` and ``M[a, b]`` is strictly greater than the
    strength of the strongest majority path from ``b`` back to ``a`` (so an edge that is
    tied for weakest in some cycle is not a defeat). Winners are the undefeated
    candidates, all of them returned (as ``pref_voting.margin_based_methods.split_cycle``).

    Parameters
    ----------
    M : ndarray, shape (..., m, m)
        Margin matrices; any antisymmetric matrix.

    Returns
    -------
    ndarray of bool, shape (..., m)

    References
    ----------
    .. [1] W. H. Holliday and E. Pacuit, 'Split Cycle: a new Condorcet-consistent voting
       method independent of clones and immune to spoilers', Public Choice 197 (2023)
       1-62, §3 (definition via cycles and via strongest paths).

    Examples
    --------
    >>> import numpy as np
    >>> F = np.array([[0, 1, 1, -1], [-1, 0, 1, -1], [-1, -1, 0, 1], [1, 1, -1, 0]])
    >>> split_cycle(F)
    array([ True,  True,  True,  True])
    >>> split_cycle(np.array([[0, 3, -1], [-3, 0, 5], [1, -5, 0]]))   # c>a is split
    array([ True, False, False])
    """
    M = np.asarray(M)
    S = beat_path_strengths(M)
    defeats = (M > 0) & (M > np.swapaxes(S, -1, -2))
    return ~defeats.any(axis=-2)


# ------------------------------------------------------------------ slow references
def _simple_paths(M: NDArray, a: int, b: int) -> list[list[int]]:
    """Every simple path a -> b along positive margins (enumerated over orderings)."""
    m = M.shape[0]
    others = [c for c in range(m) if c not in (a, b)]
    paths = []
    for k in range(len(others) + 1):
        for mid in permutations(others, k):
            path = [a, *mid, b]
            if all(M[x, y] > 0 for x, y in pairwise(path)):
                paths.append(path)
    return paths


def _strongest_path_reference(M: NDArray, a: int, b: int) -> float:
    """Max over simple a->b paths of the min margin on the path; 0 if there is none."""
    best = 0.0
    for path in _simple_paths(M, a, b):
        best = max(best, min(M[x, y] for x, y in pairwise(path)))
    return best


def _schulze_reference(M: ArrayLike) -> NDArray:
    """Beat path of one (m, m) matrix by enumerating all simple paths (tiny m only)."""
    M = np.asarray(M)
    m = M.shape[0]
    p = np.array([[_strongest_path_reference(M, a, b) if a != b else 0 for b in range(m)]
                  for a in range(m)])
    return np.array([all(p[a, b] >= p[b, a] for b in range(m)) for a in range(m)])


def _split_cycle_reference(M: ArrayLike) -> NDArray:
    """Split Cycle of one (m, m) matrix from the cycle definition (tiny m only).

    ``b`` defeats ``a`` iff ``M[b, a] > 0`` and no majority cycle through the edge
    ``b -> a`` has all its margins ``>= M[b, a]`` (a cycle b -> a -> ... -> b).
    """
    M = np.asarray(M)
    m = M.shape[0]
    win = np.ones(m, dtype=bool)
    for b in range(m):
        for a in range(m):
            if M[b, a] <= 0:
                continue
            split = any(
                all(M[x, y] >= M[b, a] for x, y in pairwise(path))
                for path in _simple_paths(M, a, b)
            )
            if not split:
                win[a] = False
    return win
