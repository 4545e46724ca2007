"""Preference profiles: ballots with ties and truncation, counts, labelled candidates."""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Iterable, Iterator, Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from _common.validation import show

from ._errors import ProfileError, RuleInputError
from ._margins import margins
from ._preflib_write import write_preflib

__all__ = ["MAX_VOTERS", "Ballot", "Profile", "format_ballot"]

#: The largest total count a profile may hold, 2^53: every integer up to it is exact as a
#: float and int64 sums of such counts cannot wrap, so every rule counts it exactly.
MAX_VOTERS = 2**53

#: A ballot as the user writes it: best first; a tuple/set/frozenset/list is a tier of ties.
Ballot = Sequence[Any]
_TIER_TYPES = (tuple, set, frozenset, list)


def _sort_labels(labels: list[Hashable]) -> list[Hashable]:
    try:
        return sorted(labels)
    except TypeError:  # mixed label types: keep first appearance
        return labels


class Profile:
    """An anonymous preference profile over labelled candidates.

    Parameters
    ----------
    ballots : iterable of ballots
        Each ballot lists candidates best first. An item that is a ``tuple``, ``set``,
        ``frozenset`` or ``list`` is a *tier* of candidates tied with each other.
        Candidates a ballot leaves out are ranked below every listed candidate and tied
        with each other (a truncated ballot).
    counts : array_like, optional
        How many voters cast each ballot (non-negative; floats are weights). Default 1 each.
    candidates : sequence, optional
        The candidate set and its order. Default: the sorted labels that appear on ballots.
    metadata : dict, optional
        Free-form information kept with the profile (e.g. PrefLib header fields); not part
        of equality.

    Notes
    -----
    Identical ballots are stored once with their summed count. Internally ballots are a
    ``(k, m)`` array of tier positions (0 = best) with ``m`` for unranked candidates, the
    representation every rule works on. The margin matrix is computed lazily and cached.

    Examples
    --------
    >>> from socialchoice import Profile
    >>> p = Profile([["a", "b", "c"], ["b", "c", "a"], ["a", "b", "c"]], counts=[2, 2, 1])
    >>> p
    Profile(candidates=('a', 'b', 'c'), num_voters=5, num_ballots=2)
    >>> p.margin_matrix()
    array([[ 0,  1,  1],
           [-1,  0,  5],
           [-1, -5,  0]])
    >>> for ballot, count in p:
    ...     print(ballot, count)
    ('a', 'b', 'c') 3
    ('b', 'c', 'a') 2
    >>> Profile([[("a", "b"), "c"], ["c"]], candidates=["a", "b", "c", "d"]).ballots
    [(('a', 'b'), 'c'), ('c',)]
    """

    __slots__ = ("_candidates", "_counts", "_index", "_margins", "_ranks", "metadata")

    def __init__(
        self,
        ballots: Iterable[Ballot],
        counts: ArrayLike | None = None,
        *,
        candidates: Sequence[Hashable] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.metadata: dict[str, Any] = dict(metadata or {})
        ballots = list(ballots)
        if not ballots:
            raise ProfileError("The profile has no ballots; expected at least one ballot.")
        if candidates is None:
            seen: dict[Hashable, None] = {}
            for i, ballot in enumerate(ballots):
                for tier in self._tiers(ballot, i):
                    for c in tier:
                        seen.setdefault(c, None)
            cands = _sort_labels(list(seen))
        else:
            cands = list(candidates)
        if not cands:
            raise ProfileError("The profile has no candidates; expected at least one.")
        index = {}
        for j, c in enumerate(cands):
            if isinstance(c, _TIER_TYPES):
                raise ProfileError(
                    f"Candidate {j} is {c!r}; labels must not be tuples, sets or lists."
                )
            if c in index:
                raise ProfileError(f"Candidate {c!r} is listed twice in candidates.")
            index[c] = j
        m = len(cands)
        ranks = np.full((len(ballots), m), m, dtype=np.int32)
        for i, ballot in enumerate(ballots):
            for pos, tier in enumerate(self._tiers(ballot, i)):
                for c in tier:
                    j = index.get(c)
                    if j is None:
                        raise ProfileError(
                            f"Ballot {i} names unknown candidate {c!r}; expected one of {cands}."
                        )
                    if ranks[i, j] != m:
                        raise ProfileError(
                            f"Ballot {i} lists candidate {c!r} twice; expected each candidate "
                            "at most once."
                        )
                    ranks[i, j] = pos
        self._init_arrays(tuple(cands), index, ranks, counts)

    @staticmethod
    def _tiers(ballot: Ballot, i: int) -> list[tuple]:
        if isinstance(ballot, (str, bytes)) or not isinstance(ballot, Iterable):
            raise ProfileError(
                f"Ballot {i} is {ballot!r}; expected a sequence of candidates (best first)."
            )
        tiers = []
        for item in ballot:
            if isinstance(item, _TIER_TYPES):
                unordered = isinstance(item, (set, frozenset))
                tier = tuple(_sort_labels(list(item))) if unordered else tuple(item)
                if len(tier) == 0:
                    raise ProfileError(f"Ballot {i} has an empty tier; expected candidates in it.")
                if len(set(tier)) != len(tier):
                    raise ProfileError(f"Ballot {i} lists a candidate twice in tier {item!r}.")
                tiers.append(tier)
            else:
                tiers.append((item,))
        return tiers

    def _init_arrays(
        self,
        cands: tuple,
        index: dict,
        ranks: NDArray,
        counts: ArrayLike | None,
    ) -> None:
        w = _check_counts(counts, ranks.shape[0])
        keep = w > 0
        ranks, w = ranks[keep], w[keep]
        uniq, first, inverse = np.unique(ranks, axis=0, return_index=True, return_inverse=True)
        summed = np.zeros(len(uniq), dtype=w.dtype)
        np.add.at(summed, inverse.ravel(), w)
        order = np.argsort(first, kind="stable")
        self._candidates = cands
        self._index = index
        self._ranks = np.ascontiguousarray(uniq[order], dtype=np.int32)
        self._ranks.setflags(write=False)
        self._counts = summed[order]
        self._counts.setflags(write=False)
        self._margins: NDArray | None = None

    @classmethod
    def from_ranks(
        cls,
        ranks: ArrayLike,
        candidates: Sequence[Hashable] | None = None,
        counts: ArrayLike | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Profile:
        """Build a profile from an ``(n, m)`` array of positions.

        Parameters
        ----------
        ranks : array_like, shape (n, m)
            ``ranks[v, c]`` is candidate ``c``'s position on ballot ``v`` (0 = best; only
            the order matters, so 1-based positions work too). Tied candidates share a
            position. A negative or NaN entry marks a candidate the voter did not rank.
        candidates : sequence, optional
            Labels for the ``m`` columns; default ``0..m-1``.
        counts : array_like, shape (n,), optional
            Ballot counts or weights.

        Examples
        --------
        >>> import numpy as np
        >>> from socialchoice import Profile
        >>> p = Profile.from_ranks([[0, 1, 2], [2, 0, 1], [0, 0, -1]], candidates="xyz")
        >>> p.ballots
        [('x', 'y', 'z'), ('y', 'z', 'x'), (('x', 'y'),)]
        """
        r = np.asarray(ranks, dtype=float)
        if r.ndim != 2 or r.shape[0] == 0 or r.shape[1] == 0:
            raise ProfileError(f"ranks must have shape (n, m) with n, m >= 1; got {r.shape}.")
        n, m = r.shape
        cands = tuple(range(m)) if candidates is None else tuple(candidates)
        if len(cands) != m:
            raise ProfileError(f"{len(cands)} candidate labels given for {m} rank columns.")
        if len(set(cands)) != m:
            raise ProfileError("candidates contains a label twice; expected distinct labels.")
        if np.isinf(r).any():
            v, c = np.argwhere(np.isinf(r))[0]
            raise ProfileError(f"ranks[{v}, {c}] is infinite; expected a finite position.")
        unranked = np.isnan(r) | (r < 0)
        # dense positions per ballot: tier index of each ranked candidate
        filled = np.where(unranked, np.inf, r)
        order = np.argsort(filled, axis=1, kind="stable")
        sorted_vals = np.take_along_axis(filled, order, axis=1)
        new_tier = np.concatenate(
            [np.zeros((n, 1), bool), sorted_vals[:, 1:] != sorted_vals[:, :-1]], axis=1
        )
        dense_sorted = np.cumsum(new_tier, axis=1)
        dense = np.empty_like(dense_sorted)
        np.put_along_axis(dense, order, dense_sorted, axis=1)
        dense = np.where(unranked, m, dense).astype(np.int32)
        self = cls.__new__(cls)
        self.metadata = dict(metadata or {})
        self._init_arrays(cands, {c: j for j, c in enumerate(cands)}, dense, counts)
        return self

    # ------------------------------------------------------------------ accessors
    @property
    def candidates(self) -> tuple:
        """The candidate labels, in index order."""
        return self._candidates

    @property
    def num_candidates(self) -> int:
        """Number of candidates ``m``."""
        return len(self._candidates)

    @property
    def num_voters(self) -> int | float:
        """Total count (weight) of all ballots."""
        total = self._counts.sum()
        return int(total) if np.issubdtype(self._counts.dtype, np.integer) else float(total)

    @property
    def ranks(self) -> NDArray:
        """``(k, m)`` positions of the distinct ballots (0 = best, ``m`` = unranked)."""
        return self._ranks

    @property
    def counts(self) -> NDArray:
        """``(k,)`` count (weight) of each distinct ballot."""
        return self._counts

    @property
    def ballots(self) -> list[tuple]:
        """The distinct ballots as tuples of labels and tiers (tuples of tied labels)."""
        return [self._ballot(i) for i in range(len(self._ranks))]

    def _ballot(self, i: int) -> tuple:
        row = self._ranks[i]
        m = len(self._candidates)
        out = []
        for pos in np.unique(row[row < m]):
            tier = tuple(self._candidates[j] for j in np.flatnonzero(row == pos))
            out.append(tier[0] if len(tier) == 1 else tier)
        return tuple(out)

    def __iter__(self) -> Iterator[tuple[tuple, int | float]]:
        """Yield ``(ballot, count)`` for each distinct ballot."""
        for i in range(len(self._ranks)):
            yield self._ballot(i), self._counts[i].item()

    def __len__(self) -> int:
        """Number of distinct ballots."""
        return len(self._ranks)

    def index(self, candidate: Hashable) -> int:
        """The integer index of a candidate label."""
        try:
            return self._index[candidate]
        except KeyError:
            raise ProfileError(
                f"Unknown candidate {candidate!r}; expected one of {list(self._candidates)}."
            ) from None

    @property
    def is_linear(self) -> bool:
        """True when every ballot is a strict ranking of all candidates.

        A ballot that leaves out exactly one candidate counts as complete (that candidate
        is last).
        """
        return self._first_nonlinear() is None

    def _first_nonlinear(self) -> int | None:
        m = len(self._candidates)
        r = self._ranks
        ranked = r < m
        n_ranked = ranked.sum(axis=1)
        # strict: ranked positions are exactly 0..n_ranked-1 with no repeats
        max_pos = np.where(ranked, r, -1).max(axis=1)
        strict = (max_pos == n_ranked - 1) & (n_ranked >= m - 1)
        bad = np.flatnonzero(~strict)
        return int(bad[0]) if len(bad) else None

    def linear_ranks(self, rule: str = "this rule") -> NDArray:
        """``(k, m)`` positions ``0..m-1`` of each ballot; raises if a ballot is not linear.

        The error names the first such ballot, numbered from 1 in the order of
        :attr:`ballots`, and shows its candidates.

        Examples
        --------
        >>> Profile([["a", "b", "c"], ["c", "a"]]).linear_ranks().tolist()
        [[0, 1, 2], [1, 2, 0]]
        >>> Profile([["a", "b", "c"], [("a", "b"), "c"]]).linear_ranks("Borda")
        Traceback (most recent call last):
        ...
        socialchoice._errors.RuleInputError: Borda is defined on strict, complete rankings, \
but ballot 2 ({a, b} > c) has ties or leaves out more than one candidate.
        """
        i = self._first_nonlinear()
        if i is not None:
            raise RuleInputError(
                f"{rule} is defined on strict, complete rankings, but ballot {i + 1} "
                f"({format_ballot(self._ballot(i))}) has ties or leaves out more than one "
                "candidate."
            )
        m = len(self._candidates)
        return np.where(self._ranks < m, self._ranks, m - 1).astype(np.int32)

    def margin_matrix(self) -> NDArray:
        """``M[a, b]`` = voters ranking ``a`` over ``b`` minus those ranking ``b`` over ``a``.

        Computed on first use and cached (a read-only array).
        """
        if self._margins is None:
            M = margins(self._ranks, self._counts)
            M.setflags(write=False)
            self._margins = M
        return self._margins

    def condorcet_winner(self) -> Hashable | None:
        """The candidate who beats every other by a strict majority, or None."""
        M = self.margin_matrix()
        m = len(self._candidates)
        beats_all = ((M > 0).sum(axis=1) == m - 1)
        hits = np.flatnonzero(beats_all)
        return self._candidates[hits[0]] if len(hits) else None

    def to_preflib(self, path: str | PathLike[str], **metadata: Any) -> Path:
        """Write the profile as a PrefLib file (see :func:`socialchoice.write_preflib`).

        Returns the path written (with the data type appended when ``path`` has no
        extension).
        """
        return write_preflib(self, path, **metadata)

    # ------------------------------------------------------------------ dunder
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Profile):
            return NotImplemented
        if set(self._candidates) != set(other._candidates):
            return False
        perm = [other._index[c] for c in self._candidates]
        return _ballot_multiset(self._ranks, self._counts) == _ballot_multiset(
            other._ranks[:, perm], other._counts
        )

    def __hash__(self) -> int:
        return hash((frozenset(self._candidates), self.num_voters, len(self._ranks)))

    def __repr__(self) -> str:
        return (
            f"Profile(candidates={self._candidates!r}, num_voters={self.num_voters}, "
            f"num_ballots={len(self._ranks)})"
        )


def format_ballot(ballot: tuple) -> str:
    """A ballot as text, best first: ``a > {b, c} > d``; ``(empty)`` ranks nobody.

    Examples
    --------
    >>> format_ballot(("a", ("b", "c"), "d"))
    'a > {b, c} > d'
    """
    if not ballot:
        return "(empty)"
    return " > ".join(
        "{" + ", ".join(map(str, t)) + "}" if isinstance(t, tuple) else str(t) for t in ballot
    )


def _ballot_multiset(ranks: NDArray, counts: NDArray) -> dict[bytes, float]:
    return {row.tobytes(): float(c) for row, c in zip(ranks, counts, strict=True)}


def _check_counts(counts: ArrayLike | None, n: int) -> NDArray:
    """``counts`` as int64 (whole numbers) or float64: finite, >= 0, total in (0, 2^53]."""
    if counts is None:
        return np.ones(n, dtype=np.int64)
    try:
        w = np.asarray(counts)
    except (TypeError, ValueError, OverflowError):
        raise ProfileError("counts must be a sequence of numbers, one per ballot.") from None
    if w.shape != (n,):
        raise ProfileError(
            f"counts has shape {w.shape}; expected one count per ballot, shape ({n},)."
        )
    if w.dtype == object:  # e.g. Python ints beyond int64: checked one by one, exactly
        w = _object_counts(w.tolist())
    if w.dtype == bool or w.dtype.kind not in "iuf":
        raise ProfileError(f"counts must be numbers; got dtype {w.dtype}.")
    bad = ~np.isfinite(w) | (w < 0) | (w > MAX_VOTERS)
    if bad.any():
        i = int(np.argmax(bad))
        raise ProfileError(
            f"Ballot {i} has count {show(w[i])}; expected a finite, non-negative number of at "
            f"most 2^53 ({MAX_VOTERS})."
        )
    if w.dtype.kind == "f" and np.all(w == np.round(w)):
        w = w.astype(np.int64)
    w = w.astype(np.int64) if w.dtype.kind in "iu" else w.astype(np.float64)
    total = float(w.sum(dtype=np.float64))
    if w.dtype.kind == "i" and total < 2.0**62:  # each count <= 2^53: this sum cannot wrap
        total = int(w.sum())
    if total > MAX_VOTERS:
        raise ProfileError(
            f"The profile's counts sum to {show(total)}; expected a total of at most 2^53 "
            f"({MAX_VOTERS}) voters, the most every rule counts exactly."
        )
    if total <= 0:
        raise ProfileError("The profile's counts sum to 0; expected at least one voter.")
    return w


def _object_counts(values: list[Any]) -> NDArray:
    """An object array of counts as a numeric one, refusing values no int64 can hold."""
    for i, v in enumerate(values):
        if not isinstance(v, numbers.Real) or isinstance(v, bool):
            raise ProfileError(f"Ballot {i} has count {show(v)}; expected a number.")
        if not (math.isfinite(v) and 0 <= v <= MAX_VOTERS):
            raise ProfileError(
                f"Ballot {i} has count {show(v)}; expected a finite, non-negative number of at "
                f"most 2^53 ({MAX_VOTERS})."
            )
    return np.asarray([float(v) for v in values], dtype=np.float64)
