"""Argument checks of :mod:`socialchoice.bridging`, on top of :mod:`_common.validation`.

Every error is a :class:`~socialchoice.VoteMatrixError` in the shared message form
("The 'V' parameter of opinion_map must be ... Got ... instead.").
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from _common.validation import (
    check_float,
    check_int,
    check_vote_matrix,
    parameter_error,
    show,
)

from .._errors import VoteMatrixError

__all__ = ["as_columns", "as_groups", "as_mask", "as_vote_matrix", "z_of"]


def as_vote_matrix(V: ArrayLike, func: str, *, name: str = "V") -> NDArray[np.float64]:
    """``V`` as a float ``(n, m)`` matrix of +1 (agree), -1 (disagree), 0 (pass), NaN (unseen).

    A float64 input is returned without a copy (callers do not modify it).

    Examples
    --------
    >>> as_vote_matrix([[1, -1], [0, float("nan")]], "opinion_map").shape
    (2, 2)
    >>> as_vote_matrix([[2]], "opinion_map")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    socialchoice._errors.VoteMatrixError: The 'V' parameter of opinion_map must be a vote ...
    """
    out = check_vote_matrix(V, name, func, error=VoteMatrixError)
    if out.shape[0] == 0 or out.shape[1] == 0:
        raise parameter_error(name, func, "a matrix with at least one participant (row) and "
                              "one statement (column)", out, VoteMatrixError)
    return out


def as_groups(groups: ArrayLike, n: int, func: str, *, name: str = "groups") -> NDArray[np.int64]:
    """Group ids as an int ``(n,)`` array; -1 marks a participant in no group.

    Examples
    --------
    >>> as_groups([0, 1, -1], 3, "group_aware_consensus")
    array([ 0,  1, -1])
    """
    try:
        raw = np.asarray(groups, dtype=np.float64)
    except (TypeError, ValueError):
        raise parameter_error(name, func, f"{n} integer group ids, one per participant",
                              groups, VoteMatrixError) from None
    if raw.shape != (n,):
        raise parameter_error(name, func, f"{n} group ids, one per participant (shape "
                              f"({n},))", raw, VoteMatrixError)
    bad = ~np.isfinite(raw) | (raw != np.round(raw)) | (raw < -1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise parameter_error(name, func, f"integer ids >= 0, or -1 for no group; participant "
                              f"{i} has {show(raw[i])}", raw, VoteMatrixError)
    out = raw.astype(np.int64)
    if not (out >= 0).any():
        raise parameter_error(name, func, "group ids with at least one participant in a group "
                              "(id >= 0)", out, VoteMatrixError)
    return out


def as_columns(value: Any, m: int, name: str, func: str) -> NDArray[np.bool_]:
    """Statements given as column indices or a boolean mask, as an ``(m,)`` mask.

    >>> as_columns([2], 3, "exclude", "consensus_statements").tolist()
    [False, False, True]
    >>> as_columns(None, 2, "exclude", "consensus_statements").tolist()
    [False, False]
    """
    mask = np.zeros(m, dtype=bool)
    if value is None:
        return mask
    raw = np.asarray(value)
    if raw.dtype == bool:
        if raw.shape != (m,):
            raise parameter_error(name, func, f"a boolean mask of shape ({m},) or statement "
                                  "(column) indices", raw, VoteMatrixError)
        return raw.copy()
    raw = raw.reshape(-1)
    if raw.size and (not np.issubdtype(raw.dtype, np.number) or np.any(raw != np.round(raw))
                     or raw.min() < 0 or raw.max() >= m):
        raise parameter_error(name, func, f"statement (column) indices in [0, {m - 1}] or a "
                              f"boolean mask of shape ({m},)", raw.tolist(), VoteMatrixError)
    mask[raw.astype(np.int64)] = True
    return mask


def as_mask(value: Any, m: int, name: str, func: str) -> NDArray[np.bool_]:
    """A boolean ``(m,)`` mask, one entry per statement (all True when ``value`` is None).

    >>> as_mask([1, 0], 2, "eligible", "bridging_slate").tolist()
    [True, False]
    """
    if value is None:
        return np.ones(m, dtype=bool)
    try:
        mask = np.asarray(value, dtype=bool)
    except (TypeError, ValueError):
        mask = np.empty(0, dtype=bool)
    if mask.shape != (m,):
        raise parameter_error(name, func, f"a boolean mask of shape ({m},), one entry per "
                              "statement", value, VoteMatrixError)
    return mask


def z_of(top: Any, confidence: Any, func: str) -> float:
    """Check ``top`` (an int >= 1) and ``confidence`` (in (0, 1)); the one-sided z.

    >>> round(z_of(5, 0.95, "consensus_statements"), 3)
    1.645
    """
    check_int(top, "top", func, 1, error=VoteMatrixError)
    c = check_float(confidence, "confidence", func, 0.0, 1.0, low_open=True, high_open=True,
                    error=VoteMatrixError)
    from scipy.special import ndtri  # norm.ppf; imported here: ``import socialchoice`` stays light

    return float(ndtri(c))
