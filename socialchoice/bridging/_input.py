"""Validation of agree/disagree vote matrices and group vectors."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._errors import VoteMatrixError

__all__ = ["as_groups", "as_vote_matrix"]


def as_vote_matrix(V: ArrayLike, *, name: str = "V") -> NDArray[np.float64]:
    """Return ``V`` as a float ``(n, m)`` matrix of +1 (agree), -1 (disagree), 0 (pass), NaN.

    NaN marks a statement the participant has not voted on. A float64 input is returned
    without a copy (callers do not modify it).

    Examples
    --------
    >>> as_vote_matrix([[1, -1], [0, float("nan")]]).shape
    (2, 2)
    >>> as_vote_matrix([[2]])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    socialchoice._errors.VoteMatrixError: V must hold votes ... column 0 (statement) is 2.
    """
    try:
        out = np.asarray(V, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise VoteMatrixError(
            f"{name} must be an (n, m) matrix of votes +1/-1/0 or NaN; it could not be read "
            f"as numbers: {exc}"
        ) from None
    if out.ndim != 2:
        raise VoteMatrixError(
            f"{name} must be a 2-dimensional (participants, statements) matrix. "
            f"Got an array of shape {out.shape} instead."
        )
    if out.shape[0] == 0 or out.shape[1] == 0:
        raise VoteMatrixError(
            f"{name} must have at least one participant (row) and one statement (column). "
            f"Got shape {out.shape} instead."
        )
    # |x| in {0, 1} or NaN: one pass over the data, no copy of an input that is already float
    a = np.abs(out)
    bad = ~((a == 1.0) | (a == 0.0) | np.isnan(a))
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        raise VoteMatrixError(
            f"{name} must hold votes +1 (agree), -1 (disagree), 0 (pass) or NaN (unseen); "
            f"row {row} (participant), column {col} (statement) is {out[row, col]:g}."
        )
    return out


def as_groups(groups: ArrayLike, n: int, *, name: str = "groups") -> NDArray[np.int64]:
    """Return group ids as an int ``(n,)`` array; -1 marks a participant in no group.

    Examples
    --------
    >>> as_groups([0, 1, -1], 3)
    array([ 0,  1, -1])
    """
    try:
        raw = np.asarray(groups, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise VoteMatrixError(
            f"{name} must be integer group ids, one per participant: {exc}"
        ) from None
    if raw.shape != (n,):
        raise VoteMatrixError(
            f"{name} must have one entry per participant (shape ({n},)). "
            f"Got shape {raw.shape} instead."
        )
    bad = ~np.isfinite(raw) | (raw != np.round(raw)) | (raw < -1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise VoteMatrixError(
            f"{name} must be integer ids >= 0, or -1 for no group; participant {i} has {raw[i]}."
        )
    out = raw.astype(np.int64)
    if not (out >= 0).any():
        raise VoteMatrixError(f"{name} must put at least one participant in a group (id >= 0).")
    return out
