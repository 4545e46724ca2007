"""Pairwise margins from rank arrays, and validation of margin matrices."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from _common.validation import first_index, parameter_error

from ._errors import MarginError, ProfileError

__all__ = [
    "as_margin_matrix",
    "check_rank_array",
    "check_weights",
    "map_unique_matrices",
    "margins",
    "snap_to_weight_grid",
    "unique_matrices",
]


def margins(ranks: ArrayLike, weights: ArrayLike | None = None) -> NDArray:
    """Pairwise majority margins of one or many profiles given as rank arrays.

    Parameters
    ----------
    ranks : array_like of int, shape (..., n, m)
        ``ranks[..., v, c]`` is the position of candidate ``c`` on voter ``v``'s ballot,
        0 = best. Tied candidates share a position; a candidate the voter did not rank gets
        any position larger than every ranked one (e.g. ``m``), so it is below all ranked
        candidates and tied with the other unranked ones.
    weights : array_like, shape (..., n) or (n,), optional
        Voter weights (counts); default 1 for every voter.

    Returns
    -------
    ndarray, shape (..., m, m)
        ``M[..., a, b]`` = weight of voters ranking ``a`` above ``b`` minus weight of those
        ranking ``b`` above ``a``. Integer when ranks and weights are integers.

    Notes
    -----
    Candidate positions are compared pairwise with one broadcast comparison per voter
    block; the voter axis is reduced by a matrix product, so memory is
    ``O(batch · n · m)`` and the time is dominated by ``n · m²`` comparisons. Large inputs
    are processed in voter chunks to bound memory.

    References
    ----------
    .. [1] F. Brandt et al. (eds.), *Handbook of Computational Social Choice*, CUP 2016, §3.1
       (majority margins / weighted tournaments).

    Examples
    --------
    >>> import numpy as np
    >>> from socialchoice import margins
    >>> ranks = np.array([[0, 1, 2], [1, 2, 0], [2, 0, 1]])   # a cyclic profile
    >>> margins(ranks)
    array([[ 0,  1, -1],
           [-1,  0,  1],
           [ 1, -1,  0]])
    >>> margins(np.stack([ranks, ranks[[0, 0, 1]]])).shape   # a batch of two profiles
    (2, 3, 3)
    """
    r = np.asarray(ranks)
    if r.ndim < 2:
        raise ProfileError(
            f"ranks must have shape (..., n, m) with voters on axis -2 and candidates on "
            f"axis -1; got an array of shape {r.shape}."
        )
    if not (np.issubdtype(r.dtype, np.integer) or np.issubdtype(r.dtype, np.floating)):
        raise ProfileError(f"ranks must be numbers (positions, 0 = best); got dtype {r.dtype}.")
    if np.issubdtype(r.dtype, np.floating) and not np.isfinite(r).all():
        raise ProfileError("ranks contain NaN or infinite values; expected finite positions.")
    *batch, n, _ = r.shape
    w = None if weights is None else check_weights(weights, r.shape, "margins")
    if n == 0:
        dtype = np.int64 if w is None or w.dtype.kind in "iu" else np.float64
        return np.zeros((*batch, r.shape[-1], r.shape[-1]), dtype=dtype)
    M = _margins_by_pairs(r, w) if n <= _SMALL_N else _margins_by_comparison(r, w)
    return snap_to_weight_grid(M, w) if M.dtype.kind == "f" else M


def check_rank_array(
    ranks: ArrayLike, func: str, *, error: type[Exception] = ProfileError
) -> NDArray:
    """Rank arrays of a rule: integers of shape ``(..., n, m)`` (positions, 0 = best).

    Examples
    --------
    >>> check_rank_array([[0, 1], [1, 0]], "plurality").shape
    (2, 2)
    >>> check_rank_array([0.5, 1], "plurality")
    Traceback (most recent call last):
    ...
    socialchoice._errors.ProfileError: The 'ranks' parameter of plurality must be an integer \
array of shape (..., n, m). Got an array of shape (2,) instead.
    """
    r = np.asarray(ranks)
    if r.ndim < 2 or not np.issubdtype(r.dtype, np.integer):
        expected = "an integer array of shape (..., n, m)"
        raise parameter_error("ranks", func, expected, r, error)
    return r


def check_weights(
    weights: ArrayLike,
    ranks_shape: tuple[int, ...],
    func: str,
    *,
    error: type[Exception] = ProfileError,
) -> NDArray:
    """Voter weights for rank arrays of shape ``(..., n, m)``, broadcast to ``(..., n)``.

    The one check of voter weights: numbers (not booleans), finite and non-negative, of a
    shape that broadcasts to the voters of ``ranks_shape`` with ``n`` as the last axis.

    Examples
    --------
    >>> check_weights([1, 2], (3, 2, 4), "margins").shape
    (3, 2)
    >>> check_weights([1, 2, 3], (2, 4), "margins")
    Traceback (most recent call last):
    ...
    socialchoice._errors.ProfileError: The 'weights' parameter of margins must be finite \
non-negative numbers of shape (..., 2), one per voter of ranks of shape (2, 4). Got an \
array of shape (3,) instead.
    """
    *batch, n, _ = ranks_shape
    expected = (f"finite non-negative numbers of shape (..., {n}), one per voter of ranks of "
                f"shape {tuple(ranks_shape)}")
    try:
        w = np.asarray(weights)
    except (TypeError, ValueError):
        raise parameter_error("weights", func, expected, weights, error) from None
    numeric = np.issubdtype(w.dtype, np.integer) or np.issubdtype(w.dtype, np.floating)
    if w.dtype == bool or not numeric or w.shape[-1:] != (n,) or w.ndim > len(batch) + 1:
        raise parameter_error("weights", func, expected, w, error)
    try:
        w = np.broadcast_to(w, (*batch, n))
    except ValueError:
        raise parameter_error("weights", func, expected, w, error) from None
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        where = first_index(bad)
        expected += f"; weight {list(where)} is {w[where]}"
        raise parameter_error("weights", func, expected, w, error)
    return w


def snap_to_weight_grid(x: NDArray, weights: NDArray) -> NDArray:
    """Round sums of float weights to 10 significant decimal digits of the total weight.

    Sums that are equal in exact arithmetic (``0.1 + 0.2`` and ``0.3``) then compare equal,
    so ties between candidates stay ties; decimal rounding keeps decimal weights such as
    0.1 exact to the last digit. Integer input is returned unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> snap_to_weight_grid(np.array([0.1 + 0.2, 0.3]), np.array([0.1, 0.2, 0.3])).tolist()
    [0.3, 0.3]
    """
    if x.dtype.kind != "f":
        return x
    total = float(np.abs(weights).sum(axis=-1).max(initial=0.0))
    if total <= 0 or not np.isfinite(total):
        return x
    return np.round(x, 10 - int(np.ceil(np.log10(total))))


_SMALL_N = 256  # below this many voters the per-pair formulation is faster


def _margins_by_pairs(r: NDArray, w: NDArray | None) -> NDArray:
    """Sum of sign(rank_b - rank_a) over voters for each pair a < b (batches of small n)."""
    m = r.shape[-1]
    iu0, iu1 = np.triu_indices(m, 1)
    if r.dtype.kind == "f":
        rr = r
    else:
        # differences of positions must not overflow the narrow type
        lo, hi = int(r.min(initial=0)), int(r.max(initial=0))
        small = -(2**6) <= lo and hi < 2**6
        mid = -(2**14) <= lo and hi < 2**14
        rr = r.astype(np.int8 if small else np.int16 if mid else np.int64)
    sign = rr[..., iu1] - rr[..., iu0]
    np.sign(sign, out=sign)
    if w is not None:
        s = np.einsum("...v,...vp->...p", w, sign.astype(w.dtype))
    elif sign.shape[-2] <= 16:
        # numpy reduces a short non-last axis slowly; adding voter rows is ~4x faster
        s = sign[..., 0, :].astype(np.int64)
        for v in range(1, sign.shape[-2]):
            s += sign[..., v, :]
    else:
        s = sign.sum(axis=-2, dtype=np.int64)
    out = np.zeros((*r.shape[:-2], m, m), dtype=s.dtype)
    out[..., iu0, iu1] = s
    out[..., iu1, iu0] = -s
    return out


def _margins_by_comparison(r: NDArray, w: NDArray | None) -> NDArray:
    """Pairwise comparison tensors reduced over voter chunks (large n)."""
    *batch, n, m = r.shape
    out_dtype = np.int64 if w is None or np.issubdtype(w.dtype, np.integer) else np.float64
    out = np.zeros((*batch, m, m), dtype=out_dtype)
    # chunk voters so the (…, chunk, m, m) comparison tensor stays around 64 MB
    batch_size = int(np.prod(batch)) if batch else 1
    chunk = max(1, int(2**26 // max(1, batch_size * m * m)))
    for start in range(0, n, chunk):
        part = r[..., start : start + chunk, :]
        # pref[..., v, a, b] = voter v strictly prefers a to b
        pref = (part[..., :, None] < part[..., None, :]).astype(np.int8 if w is None else w.dtype)
        if w is None:
            support = pref.sum(axis=-3, dtype=np.int64)
        else:
            support = np.einsum("...v,...vab->...ab", w[..., start : start + chunk], pref)
        out += support
    return out - np.swapaxes(out, -1, -2)


def as_margin_matrix(matrix: ArrayLike, *, name: str = "margin matrix") -> NDArray:
    """Validate an ``(..., m, m)`` array as margins: square, finite, antisymmetric.

    Integer and boolean-free numeric dtypes are kept; a seed-style preference function
    with entries in {-1, 0, +1} is a valid margin matrix.
    """
    try:
        M = np.asarray(matrix)
    except ValueError as exc:  # ragged nested lists
        raise MarginError(f"The {name} must be a rectangular (..., m, m) array: {exc}") from None
    if M.ndim < 2 or M.shape[-1] != M.shape[-2]:
        raise MarginError(f"The {name} must have shape (..., m, m); got {M.shape}.")
    if M.dtype == bool or not (
        np.issubdtype(M.dtype, np.integer) or np.issubdtype(M.dtype, np.floating)
    ):
        raise MarginError(f"The {name} must hold numbers; got dtype {M.dtype}.")
    if M.shape[-1] == 0:
        raise MarginError(f"The {name} has no candidates; expected at least one.")
    floating = np.issubdtype(M.dtype, np.floating)
    if floating and not np.isfinite(M).all():
        idx = tuple(int(i) for i in np.argwhere(~np.isfinite(M))[0])
        raise MarginError(f"The {name} has a non-finite entry at {idx}; expected finite numbers.")
    diag = np.diagonal(M, axis1=-2, axis2=-1)
    if (diag != 0).any():
        idx = tuple(int(i) for i in np.argwhere(diag != 0)[0])
        raise MarginError(
            f"The {name} has {diag[idx]} on its diagonal at {(*idx, idx[-1])}; expected 0."
        )
    MT = np.swapaxes(M, -1, -2)
    bad = ~np.isclose(M, -MT, rtol=1e-9, atol=1e-9) if floating else M != -MT
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        a, b = idx[-2], idx[-1]
        j = (*idx[:-2], b, a)
        raise MarginError(
            f"The {name} is not antisymmetric: entry {idx} is {M[idx]} but entry {j} is "
            f"{M[j]}; expected M[a, b] == -M[b, a]."
        )
    # rounding noise within the tolerance is removed, so every rule sees the same matrix
    return (M - MT) / 2 if floating else M


def unique_matrices(flat: NDArray) -> tuple[NDArray, NDArray]:
    """Distinct ``(m, m)`` matrices of a ``(B, m, m)`` stack and the inverse map.

    Integer matrices whose off-diagonal upper triangle fits a mixed-radix ``int64`` key are
    deduplicated by sorting one key per matrix (antisymmetry makes the upper triangle
    enough); others by ``np.unique(axis=0)``, which is several times slower.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[0, 1], [-1, 0]])
    >>> uniq, inverse = unique_matrices(np.stack([A, -A, A]))
    >>> len(uniq), inverse.tolist()
    (2, [1, 0, 1])
    """
    B, m, _ = flat.shape
    iu0, iu1 = np.triu_indices(m, 1)
    upper = flat[:, iu0, iu1]
    if B and np.issubdtype(flat.dtype, np.integer) and upper.shape[1]:
        lo, hi = int(upper.min()), int(upper.max())
        radix = hi - lo + 1
        if radix ** upper.shape[1] < 2**62:
            digits = (upper - lo).astype(np.int64)
            key = digits @ (radix ** np.arange(upper.shape[1], dtype=np.int64))
            _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
            return flat[first], inverse.ravel()
    uniq, inverse = np.unique(flat.reshape(B, -1), axis=0, return_inverse=True)
    return uniq.reshape(-1, m, m), inverse.ravel()


def map_unique_matrices(
    M: NDArray, func: Callable[[NDArray], ArrayLike], dtype: type
) -> NDArray:
    """``func((m, m)) -> (m,)`` applied once to each distinct matrix of a ``(..., m, m)`` batch.

    Returns the ``(..., m)`` results as ``dtype``; ``func`` is not called on an empty batch.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[0, 1], [-1, 0]])
    >>> calls = []
    >>> map_unique_matrices(np.stack([A, -A, A]), lambda x: calls.append(1) or x[0], int)
    array([[ 0,  1],
           [ 0, -1],
           [ 0,  1]])
    >>> len(calls)
    2
    """
    m = M.shape[-1]
    if M.ndim == 2:
        return np.asarray(func(M), dtype=dtype)
    flat = M.reshape(-1, m, m)
    if flat.shape[0] == 0:
        return np.zeros((*M.shape[:-2], m), dtype=dtype)
    uniq, inverse = unique_matrices(flat)
    return np.array([func(u) for u in uniq], dtype=dtype)[inverse].reshape(*M.shape[:-2], m)
