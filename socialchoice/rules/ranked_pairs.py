"""Ranked Pairs (Tideman) and Stable Voting (Holliday & Pacuit) on the weighted majority graph.

Both rules read margins ``M`` of shape ``(..., m, m)``: an edge ``a -> b`` of strength
``M[a, b]`` whenever ``M[a, b] > 0``.

Ranked Pairs with tied margins follows pref_voting's *parallel-universe* convention: a
candidate wins if it is the Ranked Pairs winner under **some** strict ordering of the
equal-margin edges. Deciding this is NP-hard in general (Brill & Fischer 2012), so profiles
whose positive margins are all distinct take a batched deterministic path and the others
an exact search over tie-breaking orders with forced-edge reduction, pruning and
memoisation (see :func:`_RankedPairsSearch`).
"""

from __future__ import annotations

from itertools import permutations, product

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._registry import register, register_order

__all__ = ["ranked_pairs", "ranked_pairs_levels", "stable_voting"]

_TIDEMAN = (
    "T. N. Tideman, 'Independence of clones as a criterion for voting rules', Soc. Choice "
    "Welf. 4 (1987) 185-206, §4; ties: M. Brill and F. Fischer, 'The price of neutrality "
    "for the ranked pairs method', AAAI 2012 (parallel-universe tie-breaking)"
)
_STABLE = (
    "W. H. Holliday and E. Pacuit, 'Stable Voting', Constitutional Political Economy 34 "
    "(2023) 421-433, §2 (with Split Cycle as the defeat relation)"
)


# ------------------------------------------------------------------ Ranked Pairs
def _lock_distinct(flat: NDArray) -> NDArray:
    """Locked reachability ``(B, m, m)`` of profiles whose positive margins are distinct.

    Step ``k`` locks every profile's ``k``-th strongest edge unless its head already
    reaches its tail; the transitive closure is updated for the whole batch at once.
    """
    B, m, _ = flat.shape
    i, j = np.triu_indices(m, 1)
    upper = flat[:, i, j]
    order = np.argsort(-np.abs(upper), axis=1, kind="stable")
    n_pos = int((upper != 0).sum(axis=1).max(initial=0))
    reach = np.zeros((B, m, m), dtype=bool)
    eye = np.eye(m, dtype=bool)
    rows = np.arange(B)
    for k in range(n_pos):
        e = order[:, k]
        s = upper[rows, e]
        a = np.where(s > 0, i[e], j[e])
        b = np.where(s > 0, j[e], i[e])
        lock = (s != 0) & ~reach[rows, b, a]
        src = (reach[rows, :, a] | eye[a]) & lock[:, None]   # u reaches a (or is a)
        dst = reach[rows, b, :] | eye[b]                      # b reaches v (or is v)
        reach |= src[:, :, None] & dst[:, None, :]
    return reach


def _bits(x: int):
    while x:
        low = x & -x
        yield low.bit_length() - 1
        x ^= low


def _closure(adj: list[int] | tuple[int, ...], start: int) -> int:
    """Bitmask of the vertices reachable from the set ``start`` (itself included)."""
    seen = frontier = start
    while frontier:
        nxt = 0
        for v in _bits(frontier):
            nxt |= adj[v]
        frontier = nxt & ~seen
        seen |= frontier
    return seen


def _lock(rows: tuple[int, ...], a: int, b: int) -> tuple[int, ...]:
    """Add ``a -> b`` to a transitively closed relation given as row bitmasks."""
    gain = rows[b] | (1 << b)
    return tuple(r | gain if (u == a or r >> a & 1) else r for u, r in enumerate(rows))


class _RankedPairsSearch:
    """Exact parallel-universe Ranked Pairs of one margin matrix.

    A state is ``(g, rows, rem)``: the locked relation (transitively closed, as row
    bitmasks) after the groups before ``g`` and part of group ``g``, and the edges of
    group ``g`` not yet processed. Reductions that do not change the set of reachable
    outcomes: an edge whose endpoints are already comparable is decided (skipped or
    redundant); an edge ``a -> b`` such that ``b`` cannot reach ``a`` even with all other
    pending edges of the group is locked in every order, so it is locked now (locking it
    earlier cannot block an edge that would otherwise be locked, since both would then lie
    on a locked cycle). Only the remaining, order-dependent edges are branched on (which
    one is processed next). For each target ``x`` a depth-first search prunes states where
    ``x`` is already beaten or some later edge ``y -> x`` can no longer be blocked, succeeds
    as soon as ``x`` reaches every ``y`` of a pending edge ``y -> x``, and memoises visited
    states.
    """

    def __init__(self, M: NDArray) -> None:
        m = M.shape[0]
        i, j = np.triu_indices(m, 1)
        by_strength: dict[float, list[tuple[int, int]]] = {}
        for a, b, s in zip(i.tolist(), j.tolist(), M[i, j].tolist(), strict=True):
            if s != 0:
                by_strength.setdefault(abs(s), []).append((a, b) if s > 0 else (b, a))
        self.m = m
        self.groups = [by_strength[s] for s in sorted(by_strength, reverse=True)]
        # adjacency of each group, as row bitmasks
        self.group_adj = []
        for grp in self.groups:
            adj = [0] * m
            for a, b in grp:
                adj[a] |= 1 << b
            self.group_adj.append(adj)

    def winners(self) -> NDArray:
        return np.array([self._can_win(x) for x in range(self.m)], dtype=bool)

    # -- one target
    def _can_win(self, x: int) -> bool:
        self.x = x
        self.seen: set = set()
        # threats[g]: tails y of the edges y -> x in group g
        self.threats = [sum(1 << a for a, b in grp if b == x) for grp in self.groups]
        if not self.groups:
            return True
        return self._dfs(0, (0,) * self.m, (1 << len(self.groups[0])) - 1)

    def _dfs(self, g: int, rows: tuple[int, ...], rem: int) -> bool:
        G = len(self.groups)
        while True:
            rows, rem = self._reduce(g, rows, rem)
            if rem or g == G - 1:
                break
            g += 1
            rem = (1 << len(self.groups[g])) - 1
        key = (g, rows, rem)
        if key in self.seen:
            return False
        self.seen.add(key)
        status = self._status(g, rows, rem)
        if status != 0:
            return status > 0
        x, edges = self.x, self.groups[g]
        reach_x = rows[x] | (1 << x)
        pending = self._pending(g, rem) & ~rows[x]
        cand = [e for e in _bits(rem) if edges[e][1] != x]   # locking y -> x loses
        cand.sort(key=lambda e: (not reach_x >> edges[e][0] & 1, not pending >> edges[e][1] & 1))
        return any(self._dfs(g, _lock(rows, *edges[e]), rem & ~(1 << e)) for e in cand)

    def _reduce(self, g: int, rows: tuple[int, ...], rem: int) -> tuple[tuple[int, ...], int]:
        edges = self.groups[g]
        while rem:
            for e in _bits(rem):
                a, b = edges[e]
                if rows[b] >> a & 1 or rows[a] >> b & 1:
                    rem &= ~(1 << e)
            adj = list(rows)
            for e in _bits(rem):
                a, b = edges[e]
                adj[a] |= 1 << b
            forced = None
            for e in _bits(rem):
                a, b = edges[e]
                adj[a] &= ~(1 << b)
                if not _closure(adj, 1 << b) >> a & 1:
                    forced = e
                    break
                adj[a] |= 1 << b
            if forced is None:
                break
            rows = _lock(rows, *edges[forced])
            rem &= ~(1 << forced)
        return rows, rem

    def _pending(self, g: int, rem: int) -> int:
        edges, x = self.groups[g], self.x
        return sum(1 << edges[e][0] for e in _bits(rem) if edges[e][1] == x)

    def _status(self, g: int, rows: tuple[int, ...], rem: int) -> int:
        """-1: ``x`` cannot win from here; 1: ``x`` surely wins; 0: undecided."""
        x = self.x
        for r in rows:
            if r >> x & 1:
                return -1
        later = [self._pending(g, rem), *self.threats[g + 1 :]]
        if not any(t & ~rows[x] for t in later):
            return 1
        # optimistic reach of x using every edge that can come before the threat
        adj = list(rows)
        for e in _bits(rem):
            a, b = self.groups[g][e]
            adj[a] |= 1 << b
        for h, threat in enumerate(later):
            if h > 0:
                for u, row in enumerate(self.group_adj[g + h]):
                    adj[u] |= row
            if threat & ~rows[x] and threat & ~_closure(adj, 1 << x):
                return -1
        return 0


def _ranked_pairs_search(M: NDArray) -> NDArray:
    """Parallel-universe Ranked Pairs winners of one ``(m, m)`` matrix (exact search)."""
    return _RankedPairsSearch(np.asarray(M)).winners()


@register("ranked_pairs", family="graph", needs="margins", batched=True, reference=_TIDEMAN)
def ranked_pairs(M: NDArray) -> NDArray:
    """Ranked Pairs: lock majority edges from the largest margin down, skipping cycles.

    The winner is the top of the locked order. Ties: a candidate wins if it is the winner
    under *some* strict ordering of the equal-margin edges (parallel-universe
    tie-breaking, as ``pref_voting.margin_based_methods.ranked_pairs``); zero margins are
    pairs either of whose directions may be locked, so every candidate that no locked edge
    reaches wins.

    Profiles whose positive margins are all distinct are solved together (one batched
    locking step per edge rank); the others, deduplicated, by an exact search over the
    tie-breaking orders that branches only on edges whose fate depends on the order.

    Parameters
    ----------
    M : ndarray, shape (..., m, m)
        Margin matrices; any antisymmetric matrix.

    Returns
    -------
    ndarray of bool, shape (..., m)

    References
    ----------
    .. [1] T. N. Tideman, 'Independence of clones as a criterion for voting rules',
       Social Choice and Welfare 4 (1987) 185-206, §4.
    .. [2] M. Brill and F. Fischer, 'The price of neutrality for the ranked pairs method',
       AAAI 2012 (parallel-universe tie-breaking; NP-hardness of the winner problem).

    Examples
    --------
    >>> import numpy as np
    >>> ranked_pairs(np.array([[0, 5, -1], [-5, 0, 3], [1, -3, 0]]))   # c>a is skipped
    array([ True, False, False])
    >>> cycle = np.array([[0, 1, -1], [-1, 0, 1], [1, -1, 0]])       # all margins tie
    >>> ranked_pairs(np.stack([cycle, cycle.T]))
    array([[ True,  True,  True],
           [ True,  True,  True]])
    """
    M = np.asarray(M)
    m = M.shape[-1]
    batch = M.shape[:-2]
    flat = M.reshape(-1, m, m)
    out = np.ones((flat.shape[0], m), dtype=bool)
    if m < 2 or flat.shape[0] == 0:
        return out.reshape(*batch, m)
    i, j = np.triu_indices(m, 1)
    s = np.sort(np.abs(flat[:, i, j]), axis=1)
    tied = ((s[:, 1:] == s[:, :-1]) & (s[:, 1:] > 0)).any(axis=1)
    if not tied.all():
        out[~tied] = ~_lock_distinct(flat[~tied]).any(axis=-2)
    if tied.any():
        hard = flat[tied]
        uniq, inverse = np.unique(hard.reshape(len(hard), -1), axis=0, return_inverse=True)
        res = np.array([_ranked_pairs_search(u.reshape(m, m)) for u in uniq], dtype=bool)
        out[tied] = res[inverse.ravel()]
    return out.reshape(*batch, m)


@register_order("ranked_pairs")
def ranked_pairs_levels(M: ArrayLike) -> NDArray:
    """The Ranked Pairs order of one profile with a deterministic tie-break, as levels.

    Edges are locked by decreasing margin; equal margins are taken in candidate-index
    order of the edge ``(a, b)`` (smaller ``a`` first, then smaller ``b``); zero-margin
    pairs come last, in the same order, each locked as ``a -> b`` with ``a < b`` unless
    already decided. The locked relation is then a linear order; ``levels[c]`` is the
    number of candidates above ``c``. Its top is one of the :func:`ranked_pairs` winners.

    Parameters
    ----------
    M : array_like, shape (m, m)
        One margin matrix.

    Returns
    -------
    ndarray of int, shape (m,)

    References
    ----------
    .. [1] T. N. Tideman, 'Independence of clones as a criterion for voting rules',
       Social Choice and Welfare 4 (1987) 185-206, §4.

    Examples
    --------
    >>> import numpy as np
    >>> ranked_pairs_levels(np.array([[0, 5, -1], [-5, 0, 3], [1, -3, 0]]))
    array([0, 1, 2])
    >>> ranked_pairs_levels(np.array([[0, 1, -1], [-1, 0, 1], [1, -1, 0]]))  # a>b, b>c first
    array([0, 1, 2])
    """
    M = np.asarray(M)
    m = M.shape[-1]
    edges = sorted(
        (-abs(float(M[a, b])), *((a, b) if M[a, b] >= 0 else (b, a)))
        for a in range(m) for b in range(a + 1, m)
    )
    rows = (0,) * m
    for _, a, b in edges:
        if not rows[b] >> a & 1:
            rows = _lock(rows, a, b)
    return np.array([sum(r >> c & 1 for r in rows) for c in range(m)], dtype=np.int64)


def _ranked_pairs_reference(M: ArrayLike) -> NDArray:
    """Winners by trying every tie-breaking order (pref_voting's ``_ranked_pairs_basic``).

    Edges are every ``(a, b)`` with ``M[a, b] >= 0`` (zero margins in both directions),
    grouped by margin; every product of permutations of the groups is locked in turn and
    the unique top of the resulting linear order is a winner. Tiny inputs only.
    """
    M = np.asarray(M)
    m = M.shape[0]
    edges = [(a, b, M[a, b]) for a in range(m) for b in range(m) if a != b and M[a, b] >= 0]
    if not edges:
        return np.ones(m, dtype=bool)
    groups = [[e for e in edges if e[2] == s] for s in sorted({e[2] for e in edges})[::-1]]
    win = np.zeros(m, dtype=bool)
    for choice in product(*(permutations(grp) for grp in groups)):
        reach = np.zeros((m, m), dtype=bool)
        for grp in choice:
            for a, b, _ in grp:
                if not reach[b, a]:
                    src, dst = reach[:, a].copy(), reach[b].copy()
                    src[a] = dst[b] = True
                    reach |= np.outer(src, dst)
        win |= ~reach.any(axis=0)
    return win


# ------------------------------------------------------------------ Stable Voting
def _split_cycle_undefeated(P: NDArray) -> NDArray:
    """Split Cycle winners of ``(..., k, k)`` positive-part margins ``P = max(M, 0)``.

    ``b`` defeats ``a`` iff ``P[b, a]`` exceeds the strongest (widest) path ``a -> b``.
    """
    W = P.copy()
    for k in range(P.shape[-1]):
        W = np.maximum(W, np.minimum(W[..., :, k : k + 1], W[..., k : k + 1, :]))
    return ~(np.swapaxes(P, -1, -2) > W).any(axis=-1)


@register("stable_voting", family="graph", needs="margins", batched=False, reference=_STABLE)
def stable_voting(M: NDArray) -> NDArray:
    """Stable Voting: the undefeated ``a`` of the strongest match ``(a, b)`` won without ``b``.

    Recursively: with one candidate, it wins. Otherwise take the Split Cycle winners; if
    there is only one, it wins (pref_voting's early termination). Otherwise go through the
    ordered pairs ``(a, b)`` by decreasing margin ``M[a, b]`` (negative margins included);
    the winners are the Split Cycle winners ``a`` of the first pairs, all those at the
    same margin included, such that ``a`` is a Stable Voting winner of the election
    without ``b``. A Condorcet winner is returned at once. This is exactly
    ``pref_voting.margin_based_methods.stable_voting`` with its default algorithm
    ``"with_condorcet_check_and_early_termination"``; sub-elections are memoised by the
    bitmask of their candidates, and the Split Cycle winners of all ``2**m`` sub-elections
    are computed in one batched call for ``m <= 12``.

    Parameters
    ----------
    M : ndarray, shape (m, m)
        One margin matrix (the dispatcher loops over the distinct matrices of a batch).

    Returns
    -------
    ndarray of bool, shape (m,)

    References
    ----------
    .. [1] W. H. Holliday and E. Pacuit, 'Stable Voting', Constitutional Political
       Economy 34 (2023) 421-433, §2.
    .. [2] W. H. Holliday and E. Pacuit, 'Split Cycle: a new Condorcet-consistent voting
       method independent of clones and immune to spoilers', Public Choice 197 (2023) §3.

    Examples
    --------
    >>> import numpy as np
    >>> M = np.array([[0, -10, -4, 8], [10, 0, -8, -8], [4, 8, 0, 0], [-8, 8, 0, 0]])
    >>> stable_voting(M)      # pref_voting's documentation example
    array([False, False,  True, False])
    """
    M = np.asarray(M)
    m = M.shape[-1]
    cw = (M > 0).sum(axis=-1) == m - 1
    if cw.any():
        return cw
    P = np.maximum(M, 0).astype(np.float64)
    matches = sorted(
        ((float(M[a, b]), a, b) for a in range(m) for b in range(m) if a != b), reverse=True
    )
    undefeated: dict[int, int] = {}
    if m <= 12:
        masks = np.arange(1 << m)
        member = (masks[:, None] >> np.arange(m)) & 1 == 1
        sub = P * (member[:, :, None] & member[:, None, :])   # outsiders lose every edge
        und = _split_cycle_undefeated(sub) & member
        bits = (und.astype(np.int64) << np.arange(m)).sum(axis=1)
        undefeated = dict(zip(masks.tolist(), bits.tolist(), strict=True))

    def split_cycle_of(mask: int) -> int:
        if mask not in undefeated:
            idx = list(_bits(mask))
            und = _split_cycle_undefeated(P[np.ix_(idx, idx)])
            undefeated[mask] = sum(1 << c for c, w in zip(idx, und, strict=True) if w)
        return undefeated[mask]

    memo: dict[int, int] = {}

    def sv(mask: int) -> int:
        if mask & (mask - 1) == 0:
            return mask
        if mask in memo:
            return memo[mask]
        und = split_cycle_of(mask)
        if und & (und - 1) == 0:
            memo[mask] = und
            return und
        wins, witness = 0, -np.inf
        for s, a, b in matches:
            if s < witness:
                break
            if mask >> a & 1 and mask >> b & 1 and und >> a & 1 and not wins >> a & 1:
                if sv(mask & ~(1 << b)) >> a & 1:
                    wins |= 1 << a
                    witness = s
        memo[mask] = wins
        return wins

    win = sv((1 << m) - 1)
    return (win >> np.arange(m)) & 1 == 1


def _stable_voting_reference(M: ArrayLike, early_termination: bool = True) -> NDArray:
    """Stable Voting by the plain recursion, no memoisation, Split Cycle from the definition.

    ``early_termination=False`` is the paper's definition without pref_voting's shortcut
    (a lone Split Cycle winner is returned without recursing). Tiny inputs only.
    """
    M = np.asarray(M)

    def split_cycle(cands: list[int]) -> list[int]:
        def strong_path(a: int, b: int, k: float, seen: frozenset) -> bool:
            return a == b or any(
                M[a, c] > 0 and M[a, c] >= k and strong_path(c, b, k, seen | {c})
                for c in cands if c not in seen
            )

        return [a for a in cands if not any(
            M[b, a] > 0 and not strong_path(a, b, M[b, a], frozenset({a})) for b in cands
        )]

    def sv(cands: list[int]) -> list[int]:
        if len(cands) == 1:
            return cands
        und = split_cycle(cands)
        if early_termination and len(und) == 1:
            return und
        pairs = sorted(((M[a, b], a, b) for a in cands for b in cands if a != b), reverse=True)
        wins: list[int] = []
        witness = -np.inf
        for s, a, b in pairs:
            if s < witness:
                break
            if a in und and a not in wins and a in sv([c for c in cands if c != b]):
                wins.append(a)
                witness = s
        return wins

    m = M.shape[0]
    cw = [a for a in range(m) if all(M[a, b] > 0 for b in range(m) if b != a)]
    win = cw if cw else sv(list(range(m)))
    return np.isin(np.arange(m), win)
