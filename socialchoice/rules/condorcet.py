"""Condorcet-family rules computed from the majority margins.

Every function takes margins ``M`` of shape ``(..., m, m)`` and returns a boolean winner
mask ``(..., m)``; all are vectorised over the leading batch dimensions.
"""

from __future__ import annotations

from functools import partial

import numpy as np
from numpy.typing import NDArray

from .._registry import register, register_order
from ._common import argmax_mask, order_by, row_max, row_sum

#: :func:`register` with the family and input shared by this module's rules.
_rule = partial(register, family="condorcet", needs="margins", batched=True)

_BRANDT = (
    "F. Brandt, M. Brill, P. Harrenstein, 'Tournament Solutions', "
    "Handbook of COMSOC (2016), ch. 3"
)


def copeland_scores(M: NDArray) -> NDArray:
    """Wins minus losses of every candidate, ``(..., m)``: the scores of :func:`copeland`.

    Examples
    --------
    >>> import numpy as np
    >>> F = np.array([[0, 1, 1, -1], [-1, 0, 1, -1], [-1, -1, 0, 1], [1, 1, -1, 0]])
    >>> copeland_scores(F)
    array([ 1, -1, -1,  1])
    """
    M = np.asarray(M)
    return row_sum(np.sign(M).astype(np.int64))


@_rule(
    "copeland",
    reference="A. H. Copeland, 'A reasonable social welfare function', "
    "Univ. Michigan seminar (1951); " + _BRANDT,
)
def copeland(M: NDArray) -> NDArray:
    """Most pairwise wins minus losses (win 1, tie ½, loss 0 gives the same winners).

    Ties: every candidate with the maximal score wins (as ``pref_voting.c1_methods.copeland``).

    References
    ----------
    .. [1] A. H. Copeland, 'A reasonable social welfare function', Univ. Michigan seminar
       (1951); F. Brandt, M. Brill, P. Harrenstein, 'Tournament Solutions', Handbook of
       COMSOC (2016), ch. 3

    Examples
    --------
    >>> import numpy as np
    >>> F = np.array([[0, 1, 1, -1], [-1, 0, 1, -1], [-1, -1, 0, 1], [1, 1, -1, 0]])
    >>> copeland(F)
    array([ True, False, False,  True])
    """
    return argmax_mask(copeland_scores(M))


register_order("copeland")(order_by(copeland_scores))


@_rule("llull", reference="Ramon Llull, 'Artifitium electionis personarum' (c. 1280); " + _BRANDT)
def llull(M: NDArray) -> NDArray:
    """Most pairwise wins plus ties (Copeland with a tie worth as much as a win).

    References
    ----------
    .. [1] Ramon Llull, 'Artifitium electionis personarum' (c. 1280); F. Brandt, M. Brill,
       P. Harrenstein, 'Tournament Solutions', Handbook of COMSOC (2016), ch. 3

    Examples
    --------
    >>> import numpy as np
    >>> llull(np.array([[0, 0, 1], [0, 0, -1], [-1, 1, 0]]))
    array([ True, False, False])
    """
    M = np.asarray(M)
    m = M.shape[-1]
    off_diag = ~np.eye(m, dtype=bool)
    return argmax_mask(row_sum((M >= 0) & off_diag))


def minimax_scores(M: NDArray) -> NDArray:
    """The largest margin by which each candidate is defeated (0 if undefeated), ``(..., m)``.

    The scores of :func:`minimax` (its winners have the smallest).

    Examples
    --------
    >>> import numpy as np
    >>> minimax_scores(np.array([[0, 3, -1], [-3, 0, 5], [1, -5, 0]]))
    array([1, 3, 5])
    """
    return row_max(np.maximum(np.swapaxes(np.asarray(M), -1, -2), 0))


@_rule(
    "minimax",
    reference="P. B. Simpson, 'On defining areas of voter choice', QJE 83 (1969); "
    "G. H. Kramer, 'A dynamical model of political equilibrium', JET 16 (1977)",
)
def minimax(M: NDArray) -> NDArray:
    """Smallest worst pairwise defeat (Simpson–Kramer), measured by margins.

    A candidate with no defeat has score 0. Ties: all candidates with the smallest worst
    defeat win (as ``pref_voting.margin_based_methods.minimax``).

    References
    ----------
    .. [1] P. B. Simpson, 'On defining areas of voter choice', QJE 83 (1969); G. H. Kramer,
       'A dynamical model of political equilibrium', JET 16 (1977)

    Examples
    --------
    >>> import numpy as np
    >>> F = np.array([[0, 1, 1, -1], [-1, 0, 1, -1], [-1, -1, 0, 1], [1, 1, -1, 0]])
    >>> minimax(F)
    array([ True,  True,  True,  True])
    """
    return argmax_mask(-minimax_scores(M))


register_order("minimax")(order_by(minimax_scores, lower_is_better=True))


@_rule(
    "condorcet",
    reference="Marquis de Condorcet, 'Essai sur l'application de l'analyse...' (1785)",
)
def condorcet(M: NDArray) -> NDArray:
    """The Condorcet winner if there is one, otherwise every candidate.

    References
    ----------
    .. [1] Marquis de Condorcet, 'Essai sur l'application de l'analyse...' (1785)

    Examples
    --------
    >>> import numpy as np
    >>> condorcet(np.array([[0, 1, 3], [-1, 0, 1], [-3, -1, 0]]))
    array([ True, False, False])
    """
    M = np.asarray(M)
    m = M.shape[-1]
    cw = row_sum(M > 0) == m - 1
    has = cw.any(axis=-1, keepdims=True)
    return np.where(has, cw, True)
