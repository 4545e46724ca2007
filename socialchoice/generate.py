"""Random profiles from the standard statistical cultures, vectorised over voters and batches.

Every generator takes ``n`` voters and ``m`` candidates (labelled ``0..m-1``), the culture's
parameters, and two keywords:

``size``
    ``None`` (default) returns a :class:`~socialchoice.Profile`. An ``int`` or a tuple
    returns a rank array of shape ``(*size, n, m)`` instead: ``size`` independent profiles,
    ``ranks[..., v, c]`` = position of candidate ``c`` on voter ``v``'s ballot (0 = best,
    ``int32``), ready for :func:`socialchoice.margins` and ``winner_mask(..., ranks=)``.
    ``size=()`` returns one ``(n, m)`` array, as in numpy.
``rng``
    A :class:`numpy.random.Generator`, an int seed (any integer, negative ones included) or
    ``None`` (fresh entropy).

No generator loops over voters or profiles in Python; the loops that remain run over the
``m`` positions of a ballot. The distributions match ``prefsampling``'s samplers of the same
name (the tests check them against exact probabilities and against prefsampling).

References
----------
.. [1] N. Boehmer et al., "Guide to Numerical Experiments on Elections in Computational Social
   Choice", IJCAI 2024, §4 (statistical cultures); the ``prefsampling`` package.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from _common.validation import (
    check_choice,
    check_float,
    check_int,
    check_rng,
    parameter_error,
)

from ._errors import ProfileError
from .profile import Profile

__all__ = [
    "impartial_anonymous_culture",
    "impartial_culture",
    "mallows",
    "single_peaked",
    "urn",
]

Size = int | tuple[int, ...] | None
RNG = np.random.Generator | int | None


# ---------------------------------------------------------------------------- validation
def _check_perm(value: ArrayLike | None, name: str, func: str, m: int) -> NDArray | None:
    if value is None:
        return None
    arr = np.asarray(value)
    if arr.shape != (m,) or not np.issubdtype(arr.dtype, np.integer) or not np.array_equal(
        np.sort(arr), np.arange(m)
    ):
        raise parameter_error(name, func, f"a permutation of 0..{m - 1} (candidates, first to "
                              "last)", value, ProfileError)
    return arr.astype(np.intp)


def _check_size(size: Size, func: str) -> tuple[int, ...] | None:
    if size is None:
        return None
    shape = (size,) if isinstance(size, numbers.Integral) and not isinstance(size, bool) else size
    if not isinstance(shape, tuple) or not all(
        isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 0 for s in shape
    ):
        raise parameter_error("size", func, "None, a non-negative int or a tuple of them", size,
                              ProfileError)
    return tuple(int(s) for s in shape)


def _start(
    func: str, n: object, m: object, size: Size, rng: object
) -> tuple[int, int, tuple[int, ...] | None, int, np.random.Generator]:
    """Checked ``n``, ``m``, batch shape (None for a Profile), number of profiles, generator."""
    n = check_int(n, "n", func, 1, error=ProfileError)
    m = check_int(m, "m", func, 1, error=ProfileError)
    shape = _check_size(size, func)
    return n, m, shape, math.prod(shape or ()), check_rng(rng, func, error=ProfileError)


def _finish(ranks: NDArray, shape: tuple[int, ...] | None, description: str) -> Profile | NDArray:
    """``ranks`` has shape ``(B, n, m)``; reshape to ``(*shape, n, m)`` or build a Profile."""
    if shape is not None:
        return ranks.reshape(*shape, *ranks.shape[1:]).astype(np.int32, copy=False)
    meta = {"modification_type": "synthetic", "description": description}
    return Profile.from_ranks(ranks[0], metadata=meta)


def _inverse(perm: NDArray) -> NDArray:
    """Positions from orders along the last axis (and back: the inverse permutation)."""
    out = np.empty_like(perm)
    np.put_along_axis(out, perm, np.arange(perm.shape[-1]), axis=-1)
    return out


def _relabel(ranks: NDArray, perm: NDArray | None) -> NDArray:
    """Ranks of candidates ``0..m-1`` whose ranks by place are ``ranks`` on the order ``perm``."""
    if perm is None:
        return ranks
    return np.take_along_axis(ranks, np.broadcast_to(_inverse(perm), ranks.shape), axis=-1)


def _uniform_ranks(gen: np.random.Generator, shape: tuple[int, ...], m: int) -> NDArray:
    return gen.permuted(np.broadcast_to(np.arange(m, dtype=np.int32), (*shape, m)), axis=-1)


# ---------------------------------------------------------------------------- cultures
def impartial_culture(n: int, m: int, *, size: Size = None, rng: RNG = None) -> Profile | NDArray:
    """Impartial culture: every voter draws one of the ``m!`` rankings uniformly, independently.

    Parameters
    ----------
    n, m : int
        Voters and candidates (both at least 1).
    size : int or tuple of int, optional
        Batch shape; see the module docstring (``None`` returns a Profile).
    rng : numpy.random.Generator, int or None

    Returns
    -------
    Profile or ndarray of shape (*size, n, m)

    References
    ----------
    .. [1] G.-Th. Guilbaud, "Les théories de l'intérêt général et le problème logique de
       l'agrégation", Économie appliquée 5 (1952) 501–584.

    Examples
    --------
    >>> from socialchoice.generate import impartial_culture
    >>> impartial_culture(5, 3, rng=0)
    Profile(candidates=(0, 1, 2), num_voters=5, num_ballots=...)
    >>> impartial_culture(100, 4, size=(2, 3), rng=0).shape
    (2, 3, 100, 4)
    """
    n, m, shape, batch, gen = _start("impartial_culture", n, m, size, rng)
    ranks = _uniform_ranks(gen, (batch, n), m)
    return _finish(ranks, shape, f"impartial culture, n={n}, m={m}")


def urn(n: int, m: int, alpha: float, *, size: Size = None, rng: RNG = None) -> Profile | NDArray:
    """Pólya–Eggenberger urn: voters copy earlier voters with growing probability.

    The urn starts with the ``m!`` rankings once each; every drawn ranking is returned to it
    with ``alpha · m!`` extra copies. So voter ``i`` (0-based) draws a fresh uniform ranking
    with probability ``1 / (1 + i·alpha)`` and otherwise copies a uniformly chosen earlier
    voter — prefsampling's ``ordinal.urn``. ``alpha = 0`` is impartial culture,
    ``alpha = 1/m!`` impartial anonymous culture; large ``alpha`` makes voters agree.

    Parameters
    ----------
    n, m : int
        Voters and candidates.
    alpha : float
        Replacement as a multiple of ``m!``; non-negative.
    size : int or tuple of int, optional
        Batch shape (``None`` returns a Profile).
    rng : numpy.random.Generator, int or None

    Returns
    -------
    Profile or ndarray of shape (*size, n, m)

    Notes
    -----
    Vectorised over voters: every voter's fresh/copy decision and copied predecessor are drawn
    at once (they are independent), and each voter's original is found by pointer jumping
    in ``O(log depth)`` array steps.

    References
    ----------
    .. [1] F. Eggenberger and G. Pólya, "Über die Statistik verketteter Vorgänge", ZAMM 3
       (1923) 279–289; S. Berg, "Paradox of voting under an urn model", Public Choice 47
       (1985) 377–387.

    Examples
    --------
    >>> from socialchoice.generate import urn
    >>> p = urn(50, 4, alpha=10.0, rng=1)
    >>> p.num_voters, len(p) < 10      # strong contagion: few distinct ballots
    (50, True)
    """
    n, m, shape, batch, gen = _start("urn", n, m, size, rng)
    alpha = check_float(alpha, "alpha", "urn", 0.0, None, error=ProfileError)
    return _finish(_urn_ranks(gen, batch, n, m, alpha), shape, f"urn, n={n}, m={m}, alpha={alpha}")


def _urn_ranks(gen: np.random.Generator, batch: int, n: int, m: int, alpha: float) -> NDArray:
    source = _urn_sources(gen.random((batch, n)), gen.random((batch, n)), alpha)
    ranks = _uniform_ranks(gen, (batch, n), m)
    return np.take_along_axis(ranks, source[..., None], axis=-2)


def _urn_sources(u_fresh: NDArray, u_copy: NDArray, alpha: float) -> NDArray:
    """For uniforms ``(..., n)``: the index of the fresh draw each voter's ballot comes from.

    Voter ``i`` is fresh when ``u_fresh * (1 + i*alpha) <= 1``, else it copies voter
    ``floor(u_copy * i)``; copies are resolved by pointer jumping.
    """
    n = u_fresh.shape[-1]
    i = np.arange(n)
    fresh = u_fresh * (1.0 + i * alpha) <= 1.0
    parent = np.minimum(np.floor(u_copy * i).astype(np.intp), np.maximum(i - 1, 0))
    parent = np.where(fresh, i, parent)
    while True:  # every voter ends at the fresh voter it (indirectly) copies
        nxt = np.take_along_axis(parent, parent, axis=-1)
        if np.array_equal(nxt, parent):
            return parent
        parent = nxt


def _urn_sources_reference(u_fresh: Sequence[float], u_copy: Sequence[float], alpha: float):
    """One voter at a time, as the urn is described (prefsampling's loop)."""
    source: list[int] = []
    for i, (uf, uc) in enumerate(zip(u_fresh, u_copy, strict=True)):
        source.append(i if uf * (1.0 + i * alpha) <= 1.0 else source[min(int(uc * i), i - 1)])
    return source


def impartial_anonymous_culture(
    n: int, m: int, *, size: Size = None, rng: RNG = None
) -> Profile | NDArray:
    """Impartial anonymous culture: every multiset of ``n`` rankings is equally likely.

    Sampled as the urn with ``alpha = 1/m!`` (Lepelley & Valognes), as prefsampling does.

    Parameters
    ----------
    n, m : int
        Voters and candidates.
    size : int or tuple of int, optional
        Batch shape (``None`` returns a Profile).
    rng : numpy.random.Generator, int or None

    Returns
    -------
    Profile or ndarray of shape (*size, n, m)

    References
    ----------
    .. [1] K. Kuga and H. Nagatani, "Voter antagonism and the paradox of voting", Econometrica
       42 (1974) 1045–1067; D. Lepelley and F. Valognes, "Voting rules, manipulability and
       social homogeneity", Public Choice 116 (2003) 165–184.

    Examples
    --------
    >>> from socialchoice.generate import impartial_anonymous_culture
    >>> impartial_anonymous_culture(3, 2, size=4, rng=0).shape
    (4, 3, 2)
    """
    n, m, shape, batch, gen = _start("impartial_anonymous_culture", n, m, size, rng)
    alpha = 1.0 / math.factorial(m) if m <= 170 else 0.0  # below float resolution beyond
    return _finish(_urn_ranks(gen, batch, n, m, alpha), shape,
                   f"impartial anonymous culture, n={n}, m={m}")


def mallows(
    n: int,
    m: int,
    phi: float,
    *,
    reference: Sequence[int] | None = None,
    size: Size = None,
    rng: RNG = None,
) -> Profile | NDArray:
    """Mallows model: ``P(ranking) ∝ phi ** kendall_tau(ranking, reference)``.

    Sampled exactly by the repeated insertion model: the reference's ``j``-th candidate is
    inserted into the partial ranking of the first ``j`` at a position creating ``k``
    inversions with probability ``∝ phi**k``, ``k = 0..j``.

    Parameters
    ----------
    n, m : int
        Voters and candidates.
    phi : float
        Dispersion in ``[0, 1]``: 0 returns the reference for every voter, 1 is impartial
        culture.
    reference : sequence of int, optional
        The central ranking, best first (a permutation of ``0..m-1``); default ``0, 1, …``.
    size : int or tuple of int, optional
        Batch shape (``None`` returns a Profile).
    rng : numpy.random.Generator, int or None

    Returns
    -------
    Profile or ndarray of shape (*size, n, m)

    References
    ----------
    .. [1] C. L. Mallows, "Non-null ranking models. I", Biometrika 44 (1957) 114–130;
       T. Lu and C. Boutilier, "Effective sampling and learning for Mallows models with
       pairwise-preference data", JMLR 15 (2014), §3 (repeated insertion model).

    Examples
    --------
    >>> from socialchoice.generate import mallows
    >>> mallows(4, 3, 0.0, reference=[2, 0, 1], rng=0).ballots
    [(2, 0, 1)]
    >>> mallows(1000, 5, 0.3, size=(), rng=0).shape
    (1000, 5)
    """
    n, m, shape, batch, gen = _start("mallows", n, m, size, rng)
    phi = check_float(phi, "phi", "mallows", 0.0, 1.0, error=ProfileError)
    ref = _check_perm(reference, "reference", "mallows", m)
    ranks = _relabel(_mallows_positions(gen.random((batch, n, m)), phi), ref)
    return _finish(ranks, shape, f"Mallows, n={n}, m={m}, phi={phi}")


def _mallows_positions(u: NDArray, phi: float) -> NDArray:
    """Repeated insertion driven by uniforms ``u (..., m)``: positions of items ``0..m-1``.

    Item ``j`` goes to slot ``s`` (``0..j``, creating ``j - s`` inversions with the items
    before it) with probability ``∝ phi**(j - s)``, the slot found by inverting the CDF at
    ``u[..., j]``.
    """
    m = u.shape[-1]
    pos = np.zeros(u.shape, dtype=np.int32)  # pos[..., j] = place of item j
    for j in range(1, m):
        w = phi ** np.arange(j, -1, -1, dtype=float)
        cdf = np.cumsum(w / w.sum())
        slot = np.minimum(np.searchsorted(cdf, u[..., j], side="right"), j).astype(np.int32)
        pos[..., :j] += pos[..., :j] >= slot[..., None]
        pos[..., j] = slot
    return pos


def _mallows_positions_reference(u: Sequence[float], phi: float) -> list[int]:
    """One ballot by list insertion (Lu & Boutilier's RIM, as prefsampling does it)."""
    order = [0]
    for j in range(1, len(u)):
        w = [phi ** (j - s) for s in range(j + 1)]
        total, acc, slot = sum(w), 0.0, j
        for s in range(j + 1):
            acc += w[s] / total
            if u[j] < acc:
                slot = s
                break
        order.insert(slot, j)
    return [order.index(item) for item in range(len(u))]


def single_peaked(
    n: int,
    m: int,
    *,
    axis: Sequence[int] | None = None,
    method: str = "walsh",
    size: Size = None,
    rng: RNG = None,
) -> Profile | NDArray:
    """Rankings single-peaked on an axis: preference falls off on both sides of the peak.

    ``method="walsh"`` draws uniformly from the ``2**(m-1)`` single-peaked rankings (fill the
    ranking from the bottom, taking the leftmost or rightmost remaining candidate with
    probability ½ each). ``method="conitzer"`` draws a uniform peak, then extends the top
    segment left or right with probability ½ each (forced at an end of the axis).

    Parameters
    ----------
    n, m : int
        Voters and candidates.
    axis : sequence of int, optional
        The candidates from left to right (a permutation of ``0..m-1``); default ``0..m-1``.
    method : {"walsh", "conitzer"}
    size : int or tuple of int, optional
        Batch shape (``None`` returns a Profile).
    rng : numpy.random.Generator, int or None

    Returns
    -------
    Profile or ndarray of shape (*size, n, m)

    References
    ----------
    .. [1] T. Walsh, "Generating single peaked votes", arXiv:1503.02766 (2015);
       V. Conitzer, "Eliciting single-peaked preferences using comparison queries", JAIR 35
       (2009) 161–191, §6.

    Examples
    --------
    >>> from socialchoice.generate import single_peaked
    >>> r = single_peaked(6, 4, axis=[3, 1, 0, 2], size=(), rng=0)
    >>> r.shape, sorted(set(r.min(axis=1).tolist()))
    ((6, 4), [0])
    """
    func = "single_peaked"
    n, m, shape, batch, gen = _start(func, n, m, size, rng)
    ax = _check_perm(axis, "axis", func, m)
    check_choice(method, "method", func, ("walsh", "conitzer"), error=ProfileError)
    if method == "walsh":
        by_place = _walsh_ranks(gen.random((batch, n, m)) < 0.5)
    else:
        by_place = _conitzer_ranks(gen.integers(0, m, size=(batch, n)),
                                   gen.random((batch, n, m)) < 0.5)
    return _finish(_relabel(by_place, ax), shape, f"single-peaked ({method}), n={n}, m={m}")


def _walsh_ranks(left: NDArray) -> NDArray:
    """Ranks by axis place; step ``t`` fills rank ``m-1-t`` from the left if ``left[..., t]``."""
    m = left.shape[-1]
    lefts_before = np.cumsum(left, axis=-1, dtype=np.int32) - left
    t = np.arange(m, dtype=np.int32)
    place = np.where(left, lefts_before, m - 1 - (t - lefts_before))
    out = np.empty(left.shape, dtype=np.int32)
    np.put_along_axis(out, place, np.broadcast_to(m - 1 - t, left.shape), axis=-1)
    return out


def _walsh_ranks_reference(left: Sequence[bool]) -> list[int]:
    m = len(left)
    lo, hi, ranks = 0, m - 1, [0] * m
    for t, go_left in enumerate(left):
        if go_left:
            ranks[lo], lo = m - 1 - t, lo + 1
        else:
            ranks[hi], hi = m - 1 - t, hi - 1
    return ranks


def _conitzer_ranks(peak: NDArray, right_coin: NDArray) -> NDArray:
    """Ranks by axis place: the top segment grows right when ``right_coin[..., t]`` (or forced)."""
    m = right_coin.shape[-1]
    out = np.empty(right_coin.shape, dtype=np.int32)
    lo = hi = peak
    np.put_along_axis(out, peak[..., None], 0, axis=-1)
    for t in range(1, m):
        right = np.where((lo > 0) & (hi < m - 1), right_coin[..., t], hi < m - 1)
        hi, lo = np.where(right, hi + 1, hi), np.where(right, lo, lo - 1)
        np.put_along_axis(out, np.where(right, hi, lo)[..., None], t, axis=-1)
    return out


def _conitzer_ranks_reference(peak: int, right_coin: Sequence[bool]) -> list[int]:
    m = len(right_coin)
    ranks, lo, hi = [0] * m, peak, peak
    for t in range(1, m):
        if hi < m - 1 and (lo == 0 or right_coin[t]):
            hi += 1
            ranks[hi] = t
        else:
            lo -= 1
            ranks[lo] = t
    return ranks
