"""Tournament solutions of the majority relation: Smith set, Schwartz set, uncovered set.

These rules depend only on the signs of the margins (C1 rules). Each takes margins ``M`` of
shape ``(..., m, m)`` and returns a boolean mask ``(..., m)``, vectorised over the leading
batch dimensions: reachability is the widest-path kernel on booleans (a Floyd–Warshall
closure, :func:`~socialchoice.rules._common.widest_paths`), covering is a batched matrix
product.
"""

from __future__ import annotations

from functools import partial
from itertools import combinations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._registry import register
from ._common import widest_paths

__all__ = ["covering", "schwartz", "smith", "transitive_closure", "uncovered"]

#: :func:`register` with the family and input shared by this module's rules.
_rule = partial(register, family="condorcet", needs="margins", batched=True)

_BRANDT = (
    "F. Brandt, M. Brill, P. Harrenstein, 'Tournament Solutions', in Handbook of "
    "Computational Social Choice (2016), ch. 3"
)


def transitive_closure(R: ArrayLike) -> NDArray:
    """Transitive closure of boolean relations ``R`` of shape ``(..., m, m)``.

    ``C[..., a, b]`` is True iff there is a path ``a = x_0 R x_1 R ... R x_k = b`` with
    ``k >= 1`` (so the diagonal is True only on cycles, unless ``R`` is reflexive).

    References
    ----------
    .. [1] S. Warshall, 'A theorem on Boolean matrices', J. ACM 9 (1962) 11-12.

    Examples
    --------
    >>> import numpy as np
    >>> R = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]], dtype=bool)   # a->b->c
    >>> transitive_closure(R).astype(int)
    array([[0, 1, 1],
           [0, 0, 1],
           [0, 0, 0]])
    """
    return widest_paths(np.array(R, dtype=bool), overwrite=True)


@_rule(
    "smith",
    reference="J. H. Smith, 'Aggregation of preferences with variable electorate', "
    "Econometrica 41 (1973) 1027-1041; " + _BRANDT,
)
def smith(M: NDArray) -> NDArray:
    """Smith set (top cycle): the smallest set whose members all beat every outsider.

    Equivalently the candidates that reach every other candidate along the weak majority
    relation (``M[a, b] >= 0``), i.e. the top strongly connected component of that
    relation; this is ``pref_voting.c1_methods.top_cycle`` (GETCHA).

    Parameters
    ----------
    M : ndarray, shape (..., m, m)
        Margin matrices; only their signs matter.

    Returns
    -------
    ndarray of bool, shape (..., m)

    References
    ----------
    .. [1] J. H. Smith, 'Aggregation of preferences with variable electorate',
       Econometrica 41 (1973) 1027-1041.
    .. [2] F. Brandt, M. Brill, P. Harrenstein, 'Tournament Solutions', Handbook of
       Computational Social Choice (2016), ch. 3, §3.3.2 (top cycle) and §3.5 (weak
       tournaments).

    Examples
    --------
    The slides' preference function is one cycle a>b>c>d>a, so everyone is in it:

    >>> import numpy as np
    >>> F = np.array([[0, 1, 1, -1], [-1, 0, 1, -1], [-1, -1, 0, 1], [1, 1, -1, 0]])
    >>> smith(F)
    array([ True,  True,  True,  True])
    >>> smith(np.array([[0, 0, 1], [0, 0, 1], [-1, -1, 0]]))   # a, b tied, both beat c
    array([ True,  True, False])
    """
    M = np.asarray(M)
    weak = (M >= 0) | np.eye(M.shape[-1], dtype=bool)
    return transitive_closure(weak).all(axis=-1)


@_rule(
    "schwartz",
    reference="T. Schwartz, 'Rationality and the myth of the maximum', Noûs 6 (1972) "
    "97-117; T. Schwartz, The Logic of Collective Choice (1986); " + _BRANDT,
)
def schwartz(M: NDArray) -> NDArray:
    """Schwartz set (GOCHA): the union of the minimal sets not beaten from outside.

    ``x`` is in the set iff every ``y`` that reaches ``x`` along strict majority
    (``M > 0``) paths is also reached by ``x``: the union of the top strongly connected
    components of the strict majority relation (``pref_voting.c1_methods.gocha``).
    It is a subset of the Smith set, and equal to it when there are no majority ties.

    Parameters
    ----------
    M : ndarray, shape (..., m, m)
        Margin matrices; only their signs matter.

    Returns
    -------
    ndarray of bool, shape (..., m)

    References
    ----------
    .. [1] T. Schwartz, 'Rationality and the myth of the maximum', Noûs 6 (1972) 97-117;
       The Logic of Collective Choice, Columbia UP (1986).
    .. [2] F. Brandt, M. Brill, P. Harrenstein, 'Tournament Solutions', Handbook of
       Computational Social Choice (2016), ch. 3, §3.5 (weak tournaments).

    Examples
    --------
    >>> import numpy as np
    >>> F = np.array([[0, 1, 1, -1], [-1, 0, 1, -1], [-1, -1, 0, 1], [1, 1, -1, 0]])
    >>> schwartz(F)
    array([ True,  True,  True,  True])
    >>> schwartz(np.array([[0, 0, 1], [0, 0, -1], [-1, 1, 0]]))   # Smith is {a, b, c}
    array([ True, False, False])
    """
    C = transitive_closure(np.asarray(M) > 0)
    blocked = C & ~np.swapaxes(C, -1, -2)   # blocked[y, x]: y reaches x, x not y
    return ~blocked.any(axis=-2)


def covering(M: ArrayLike) -> NDArray:
    """Gillies covering relation: ``K[..., a, b]`` iff ``a`` covers ``b``.

    ``a`` covers ``b`` when ``a`` beats ``b`` (``M[a, b] > 0``) and every candidate that
    beats ``a`` also beats ``b`` (pref_voting's *left covering*; majority ties count as
    not beating).

    References
    ----------
    .. [1] D. B. Gillies, 'Solutions to general non-zero-sum games', Contributions to the
       Theory of Games IV (1959) 47-85.

    Examples
    --------
    >>> import numpy as np
    >>> F = np.array([[0, 1, 1, -1], [-1, 0, 1, -1], [-1, -1, 0, 1], [1, 1, -1, 0]])
    >>> covering(F).astype(int)     # a covers b: only d beats a, and d beats b too
    array([[0, 1, 0, 0],
           [0, 0, 0, 0],
           [0, 0, 0, 0],
           [0, 0, 0, 0]])
    """
    P = np.asarray(M) > 0
    beats_a = np.swapaxes(P, -1, -2).astype(np.float32)   # beats_a[a, d] = d beats a
    # exceptions[a, b] = #{d : d beats a and d does not beat b}
    exceptions = beats_a @ (~P).astype(np.float32)
    return P & (exceptions == 0)


@_rule(
    "uncovered",
    reference="D. B. Gillies, 'Solutions to general non-zero-sum games', Contributions to "
    "the Theory of Games IV (1959); N. R. Miller, 'A new solution set for tournaments and "
    "majority voting', AJPS 24 (1980) 68-96; " + _BRANDT,
)
def uncovered(M: NDArray) -> NDArray:
    """Uncovered set (Gillies): candidates that no other candidate covers.

    See :func:`covering` for the covering relation (``pref_voting.c1_methods.uc_gill``).

    Parameters
    ----------
    M : ndarray, shape (..., m, m)
        Margin matrices; only their signs matter.

    Returns
    -------
    ndarray of bool, shape (..., m)

    References
    ----------
    .. [1] D. B. Gillies, 'Solutions to general non-zero-sum games', Contributions to the
       Theory of Games IV (1959) 47-85.
    .. [2] N. R. Miller, 'A new solution set for tournaments and majority voting',
       American Journal of Political Science 24 (1980) 68-96.
    .. [3] F. Brandt, M. Brill, P. Harrenstein, 'Tournament Solutions', Handbook of
       Computational Social Choice (2016), ch. 3, §3.3 (uncovered set).

    Examples
    --------
    In the slides' preference function a covers b, so b is dropped:

    >>> import numpy as np
    >>> F = np.array([[0, 1, 1, -1], [-1, 0, 1, -1], [-1, -1, 0, 1], [1, 1, -1, 0]])
    >>> uncovered(F)
    array([ True, False,  True,  True])
    """
    return ~covering(M).any(axis=-2)


# ------------------------------------------------------------------ slow references
def _smith_reference(M: ArrayLike) -> NDArray:
    """Smallest non-empty set S with M[s, x] > 0 for all s in S, x outside (one profile)."""
    M = np.asarray(M)
    m = M.shape[0]
    for size in range(1, m):
        for S in combinations(range(m), size):
            out = [x for x in range(m) if x not in S]
            if all(M[s, x] > 0 for s in S for x in out):
                return np.isin(np.arange(m), S)
    return np.ones(m, dtype=bool)   # the full set is always dominant


def _schwartz_reference(M: ArrayLike) -> NDArray:
    """Union of the inclusion-minimal non-empty sets that no outsider beats any member of."""
    M = np.asarray(M)
    m = M.shape[0]
    undominated = [
        set(S)
        for size in range(1, m + 1)
        for S in combinations(range(m), size)
        if not any(M[x, s] > 0 for s in S for x in range(m) if x not in S)
    ]
    minimal = [S for S in undominated if not any(T < S for T in undominated)]
    return np.isin(np.arange(m), sorted(set().union(*minimal)))


def _uncovered_reference(M: ArrayLike) -> NDArray:
    """Candidates b such that no a beats b while everyone beating a also beats b."""
    M = np.asarray(M)
    m = M.shape[0]
    return np.array([
        not any(
            M[a, b] > 0 and all(M[d, b] > 0 for d in range(m) if M[d, a] > 0)
            for a in range(m)
        )
        for b in range(m)
    ])
