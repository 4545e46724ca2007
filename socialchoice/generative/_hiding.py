"""Hide a random part of each participant's agree/disagree votes, to predict them back.

The held-out split behind :func:`~socialchoice.generative.validate_rater`, and the checks of
the vote matrices it works on.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from _common.validation import check_float, check_int, check_rng, check_vote_matrix

from .._errors import GenerativeError, VoteMatrixError

__all__ = ["as_authored", "as_votes", "hide_votes"]


def as_votes(V: ArrayLike, func: str, name: str = "V") -> NDArray[np.float64]:
    """``V`` as a float vote matrix of +1, -1, 0 and NaN (a copy), else :class:`VoteMatrixError`."""
    return np.array(check_vote_matrix(V, name, func, error=VoteMatrixError))


def as_authored(authored: ArrayLike | None, shape: tuple[int, int], func: str) -> NDArray:
    """The 'participant wrote statement' matrix as bool of ``shape`` (all False if None)."""
    if authored is None:
        return np.zeros(shape, dtype=bool)
    A = np.asarray(authored, dtype=bool)
    if A.shape != shape:
        raise VoteMatrixError(
            f"The 'authored' parameter of {func} must be a boolean matrix of the vote matrix's "
            f"shape {shape}. Got shape {A.shape} instead."
        )
    return A


def hide_votes(
    V: ArrayLike,
    fraction: float = 0.1,
    rng: np.random.Generator | int | None = None,
    *,
    min_votes: int = 5,
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Hide a random part of each participant's agree/disagree votes.

    A participant with ``c`` agree/disagree votes and ``c > min_votes`` hides
    ``floor(fraction * c)`` of them plus one more with probability equal to the fractional
    part (so ``fraction`` of the votes in expectation), but never so many that fewer than
    ``min_votes`` stay visible. Others hide nothing. Passes (0) and unseen cells are never
    hidden.

    Parameters
    ----------
    V : array_like, shape (n, m)
        +1 agree, -1 disagree, 0 pass, NaN unseen.
    fraction : float in (0, 1)
    rng : numpy.random.Generator, int or None
    min_votes : int >= 0
        Agree/disagree votes every participant keeps visible (participants with at most this
        many hide none).

    Returns
    -------
    V_train : ndarray, shape (n, m)
        ``V`` with the hidden cells set to NaN.
    hidden : ndarray of bool, shape (n, m)
        The hidden cells.

    References
    ----------
    .. [1] The usual held-out evaluation of collaborative filtering: J. L. Herlocker,
       J. A. Konstan, L. G. Terveen, J. T. Riedl, 'Evaluating collaborative filtering
       recommender systems', ACM TOIS 22(1), 2004, §3.

    Examples
    --------
    >>> V = np.array([[1, -1, 1, 1, -1, 1, 0, np.nan], [1, 1, np.nan, 0, 0, 0, 0, 0]])
    >>> V_train, hidden = hide_votes(V, 0.5, rng=0, min_votes=2)
    >>> hidden.sum(axis=1).tolist()          # row 1 has only two agree/disagree votes
    [3, 0]
    >>> bool(np.isin(V[hidden], (-1, 1)).all() and np.isnan(V_train[hidden]).all())
    True
    """
    V = as_votes(V, "hide_votes")
    fraction = check_float(
        fraction,
        "fraction",
        "hide_votes",
        0.0,
        1.0,
        low_open=True,
        high_open=True,
        error=GenerativeError,
    )
    min_votes = check_int(min_votes, "min_votes", "hide_votes", 0, error=GenerativeError)
    rng = check_rng(rng, "hide_votes", error=GenerativeError)
    n, m = V.shape
    votes = np.abs(V) == 1.0  # NaN compares False
    count = votes.sum(axis=1)
    quota = np.floor(fraction * count)
    quota += rng.random(n) < fraction * count - quota
    quota = np.where(count > min_votes, np.minimum(quota, count - min_votes), 0).astype(np.int64)
    keys = np.where(votes, rng.random((n, m)), np.inf)  # random order of each row's votes
    rank = np.empty((n, m), dtype=np.int64)
    rank[np.arange(n)[:, None], np.argsort(keys, axis=1, kind="stable")] = np.arange(m)
    hidden = votes & (rank < quota[:, None])
    V_train = V.copy()
    V_train[hidden] = np.nan
    return V_train, hidden
