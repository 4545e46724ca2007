"""Ranked Pairs (Tideman) and Stable Voting (Holliday & Pacuit) on the weighted majority graph.

Both rules read margins ``M`` of shape ``(..., m, m)``: an edge ``a -> b`` of strength
``M[a, b]`` whenever ``M[a, b] > 0``.

Ranked Pairs with tied margins follows pref_voting's *parallel-universe* convention: a
candidate wins if it is the Ranked Pairs winner under **some** strict ordering of the
equal-margin edges. Deciding this is NP-hard in general (Brill & Fischer 2012), so profiles
whose positive margins are all distinct take a batched deterministic path and the others
go through Zavist–Tideman *stacks*: every order tested at once for ``m <= 5``
(:func:`_stack_tops`), an exact search with pruning and memoisation for a stack topped by
each candidate beyond that (:class:`_StackSearch`).
"""

from __future__ import annotations

from itertools import permutations, product

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._margins import unique_matrices
from .._registry import register_order
from .._timelimit import DEFAULT_TIME_LIMIT, Clock, check_time_limit
from ._common import widest_paths
from .graph import _rule, split_cycle  # graph-family rules, registered alike

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
def _exactly_antisymmetric(M: NDArray) -> NDArray:
    """Float margins are only antisymmetric up to rounding: rebuild them from the upper
    triangle so that ``M[b, a] == -M[a, b]`` holds exactly (integers are returned as is)."""
    if not np.issubdtype(M.dtype, np.floating):
        return M
    U = np.triu(M, 1)
    return U - np.swapaxes(U, -1, -2)


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


def _bit_rows(B: NDArray) -> list[int]:
    """Each row of a boolean ``(r, m)`` array as a Python int whose bit ``j`` is ``B[i, j]``."""
    packed = np.packbits(np.asarray(B, dtype=bool), axis=1, bitorder="little")
    return [int.from_bytes(row.tobytes(), "little") for row in packed]


def _closure(adj: list[int], start: int, within: int) -> int:
    """Vertices of ``within`` reachable from the set ``start`` (itself included) via ``adj``."""
    seen = frontier = start
    while frontier:
        nxt = 0
        for v in _bits(frontier):
            nxt |= adj[v]
        frontier = nxt & within & ~seen
        seen |= frontier
    return seen


def _lock(rows: tuple[int, ...], a: int, b: int) -> tuple[int, ...]:
    """Add ``a -> b`` to a transitively closed relation given as row bitmasks."""
    gain = rows[b] | (1 << b)
    return tuple(r | gain if (u == a or r >> a & 1) else r for u, r in enumerate(rows))


class _StackSearch:
    """Exact parallel-universe Ranked Pairs winners of one margin matrix, via stacks.

    Zavist & Tideman (1989): the orders Ranked Pairs produces under the tie-breaking
    orders are exactly the *stacks*, linear orders ``L`` in which every ``a`` above ``b``
    with ``M[b, a] > 0`` is joined to ``b`` by a descending path ``a = x_1 L ... L x_n = b``
    whose margins are all ``>= M[b, a]``; so ``x`` wins iff some stack starts with ``x``
    (pref_voting's ``is_stack`` / ``_ranked_pairs_from_stacks``).

    For each ``x`` a depth-first search builds the stack from the top. The state is the
    placed set ``S`` and, for every margin level ``k``, ``G[k][a]``: the placed candidates
    reachable from ``a`` by descending paths of margins ``>= k``. A candidate ``c`` can go
    next iff for every placed ``a`` it beats, ``G[k][a]`` holds some ``a'`` with
    ``M[a', c] >= k = M[c, a]``. The future only needs paths to exist, so it is monotone in
    ``G``: a state whose ``G`` is contained in that of a failed state with the same ``S``
    fails too (memoised). Pruning: a state fails if some pending constraint cannot be met
    even by paths continuing through the unplaced candidates in any order. Success as soon
    as every unplaced candidate can go next: the rest then follows in the order of any
    stack of the unplaced candidates, which exists (their own Ranked Pairs order).
    """

    def __init__(self, M: NDArray, clock: Clock) -> None:
        m = M.shape[0]
        Ml = M.tolist()
        i, j = np.triu_indices(m, 1)
        levels = sorted({abs(s) for s in M[i, j].tolist() if s != 0})
        index = {s: k for k, s in enumerate(levels)}
        self.m, self.full, self.clock = m, (1 << m) - 1, clock
        # into[k][c]: the a with M[a, c] >= level k; out[k][u]: the v with M[u, v] >= level k
        self.into = [_bit_rows((M >= s).T) for s in levels]
        self.out = [_bit_rows(M >= s) for s in levels]
        # beats[c]: (level k, bitmask of the a that c beats by exactly level k)
        self.beats: list[list[tuple[int, int]]] = []
        for c in range(m):
            by_level: dict[int, int] = {}
            for a in range(m):
                if Ml[c][a] > 0:
                    k = index[Ml[c][a]]
                    by_level[k] = by_level.get(k, 0) | (1 << a)
            self.beats.append(sorted(by_level.items()))
        self.wins = [sum(bits for _, bits in self.beats[c]) for c in range(m)]
        self.empty = tuple((0,) * m for _ in levels)

    def winners(self) -> NDArray:
        return np.array([self._can_top(x) for x in range(self.m)], dtype=bool)

    def _can_top(self, x: int) -> bool:
        self.failed: dict[int, list] = {}
        return self._dfs(*self._place(0, self.empty, x))

    def _fits(self, S: int, G: tuple, c: int) -> bool:
        for k, beaten in self.beats[c]:
            into, Gk = self.into[k][c], G[k]
            for a in _bits(beaten & S):
                if not Gk[a] & into:
                    return False
        return True

    def _place(self, S: int, G: tuple, c: int) -> tuple[int, tuple]:
        cb = 1 << c
        new = []
        for k, Gk in enumerate(G):
            into = self.into[k][c]
            row = [g | cb if (S >> a & 1 and g & into) else g for a, g in enumerate(Gk)]
            row[c] = cb
            new.append(tuple(row))
        return S | cb, tuple(new)

    def _hopeless(self, S: int, G: tuple) -> bool:
        R = self.full & ~S
        for c in _bits(R):
            for k, beaten in self.beats[c]:
                out = self.out[k]
                for a in _bits(beaten & S):
                    start = 0
                    for v in _bits(G[k][a]):
                        start |= out[v]
                    if not _closure(out, start & R, R) >> c & 1:
                        return True
        return False

    def _dfs(self, S: int, G: tuple) -> bool:
        R = self.full & ~S
        if not R:
            return True
        self.clock.check()
        failed = self.failed.setdefault(S, [])
        for F in failed:
            if all(g & ~f == 0 for Gk, Fk in zip(G, F, strict=True)
                   for g, f in zip(Gk, Fk, strict=True)):
                return False
        nxt = [c for c in _bits(R) if self._fits(S, G, c)]
        if len(nxt) == R.bit_count():
            return True
        if nxt and not self._hopeless(S, G):
            nxt.sort(key=lambda c: -(self.wins[c] & R).bit_count())
            if any(self._dfs(*self._place(S, G, c)) for c in nxt):
                return True
        failed.append(G)
        return False


_ALL_ORDERS_MAX_M = 5   # up to here, tied profiles test all m! orders as stacks, batched


def _stack_tops(flat: NDArray) -> NDArray:
    """Parallel-universe winners of small ``(B, m, m)`` batches: tops of all stacks.

    Every linear order ``L`` of the candidates is tested as a Zavist–Tideman stack for
    every profile at once: widest paths along the descending edges of ``L`` (a DAG), then
    ``W[a, b] >= M[b, a]`` for every ``a`` above ``b`` that ``b`` beats.
    """
    B, m, _ = flat.shape
    orders = np.array(list(permutations(range(m))), dtype=np.intp)      # (P, m), best first
    pos = np.argsort(orders, axis=1)
    down = pos[:, :, None] < pos[:, None, :]                            # (P, m, m): a above b
    out = np.zeros((B, m), dtype=bool)
    chunk = max(1, 2**21 // (len(orders) * m * m))
    for start in range(0, B, chunk):
        M = flat[start : start + chunk, None]                            # (b, 1, m, m)
        W = widest_paths(np.where(down, np.maximum(M, 0), 0), overwrite=True)
        Mt = np.swapaxes(M, -1, -2)
        stack = ~(down & (Mt > 0) & (W < Mt)).any(axis=(-2, -1))         # (b, P)
        for c in range(m):
            out[start : start + chunk, c] = stack[:, orders[:, 0] == c].any(axis=1)
    return out


def _ranked_pairs_search(M: NDArray, clock: Clock | None = None) -> NDArray:
    """Parallel-universe Ranked Pairs winners of one ``(m, m)`` matrix (exact search)."""
    clock = Clock(None, "ranked_pairs") if clock is None else clock
    return _StackSearch(_exactly_antisymmetric(np.asarray(M)), clock).winners()


@_rule("ranked_pairs", reference=_TIDEMAN, options=("time_limit",))
def ranked_pairs(M: NDArray, *, time_limit: float | None = DEFAULT_TIME_LIMIT) -> NDArray:
    """Ranked Pairs: lock majority edges from the largest margin down, skipping cycles.

    The winner is the top of the locked order. Ties: a candidate wins if it is the winner
    under *some* strict ordering of the equal-margin edges (parallel-universe
    tie-breaking, as ``pref_voting.margin_based_methods.ranked_pairs``); zero margins are
    pairs either of whose directions may be locked, so every candidate that no locked edge
    reaches wins.

    Profiles whose positive margins are all distinct are solved together (one batched
    locking step per edge rank); the others, deduplicated, through Zavist–Tideman stacks
    (the orders Ranked Pairs yields under some tie-breaking): for ``m <= 5`` every order
    is tested as a stack for the whole batch at once, beyond that an exact search for a
    stack topped by each candidate, with pruning and memoisation (:class:`_StackSearch`).
    That search is exponential in the worst case (the problem is NP-hard): it stops with
    :class:`~socialchoice.TimeLimitError` after ``time_limit`` seconds.

    Parameters
    ----------
    M : ndarray, shape (..., m, m)
        Margin matrices; any antisymmetric matrix.
    time_limit : float or None, default 10
        Seconds allowed for the search on each distinct tied matrix with more than five
        candidates (``None``: no limit); the other cases take polynomial time.

    Returns
    -------
    ndarray of bool, shape (..., m)

    References
    ----------
    .. [1] T. N. Tideman, 'Independence of clones as a criterion for voting rules',
       Social Choice and Welfare 4 (1987) 185-206, §4.
    .. [2] M. Brill and F. Fischer, 'The price of neutrality for the ranked pairs method',
       AAAI 2012 (parallel-universe tie-breaking; NP-hardness of the winner problem).
    .. [3] T. M. Zavist and T. N. Tideman, 'Complete independence of clones in the ranked
       pairs rule', Social Choice and Welfare 6 (1989) 167-173 (stacks).

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
    check_time_limit(time_limit, "ranked_pairs")
    M = _exactly_antisymmetric(np.asarray(M))
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
        uniq, inverse = unique_matrices(hard)
        if np.issubdtype(uniq.dtype, np.integer) and np.abs(uniq).max() < 2**7:
            uniq = uniq.astype(np.int8)  # less memory traffic in the all-orders test
        if m <= _ALL_ORDERS_MAX_M:
            res = _stack_tops(uniq)
        else:
            res = np.array(
                [_ranked_pairs_search(u, Clock(time_limit, "ranked_pairs")) for u in uniq],
                dtype=bool,
            ).reshape(-1, m)
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
    M = _exactly_antisymmetric(np.asarray(M))
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
_PRECOMPUTE_MAX_M = 12   # Split Cycle of all 2**m sub-elections in one batched call


@_rule("stable_voting", batched=False, reference=_STABLE, options=("time_limit",))
def stable_voting(M: NDArray, *, time_limit: float | None = DEFAULT_TIME_LIMIT) -> NDArray:
    """Stable Voting: the undefeated ``a`` of the strongest match ``(a, b)`` won without ``b``.

    Recursively: with one candidate, it wins. Otherwise take the Split Cycle winners; if
    there is only one, it wins (pref_voting's early termination). Otherwise go through the
    ordered pairs ``(a, b)`` by decreasing margin ``M[a, b]`` (negative margins included);
    the winners are the Split Cycle winners ``a`` of the first pairs, all those at the
    same margin included, such that ``a`` is a Stable Voting winner of the election
    without ``b``. A Condorcet winner is returned at once. This is exactly
    ``pref_voting.margin_based_methods.stable_voting`` with its default algorithm
    ``"with_condorcet_check_and_early_termination"``; sub-elections are memoised by the
    bitmask of their candidates (Python integers, so any number of candidates), and the
    Split Cycle winners of all ``2**m`` sub-elections are computed in one batched call for
    ``m <= 12``. The recursion can visit exponentially many sub-elections: it stops with
    :class:`~socialchoice.TimeLimitError` after ``time_limit`` seconds.

    Parameters
    ----------
    M : ndarray, shape (m, m)
        One margin matrix (the dispatcher loops over the distinct matrices of a batch).
    time_limit : float or None, default 10
        Seconds allowed (``None``: no limit).

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
    clock = Clock(time_limit, "stable_voting")
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
    if m <= _PRECOMPUTE_MAX_M:
        masks = np.arange(1 << m)
        member = (masks[:, None] >> np.arange(m)) & 1 == 1
        sub = P * (member[:, :, None] & member[:, None, :])   # outsiders lose every edge
        und = split_cycle(sub) & member   # Split Cycle of every sub-election
        bits = (und.astype(np.int64) << np.arange(m)).sum(axis=1)
        undefeated = dict(zip(masks.tolist(), bits.tolist(), strict=True))

    def split_cycle_of(mask: int) -> int:
        if mask not in undefeated:
            idx = list(_bits(mask))
            und = split_cycle(P[np.ix_(idx, idx)])
            undefeated[mask] = sum(1 << c for c, w in zip(idx, und, strict=True) if w)
        return undefeated[mask]

    memo: dict[int, int] = {}

    def sv(mask: int) -> int:
        if mask & (mask - 1) == 0:
            return mask
        if mask in memo:
            return memo[mask]
        clock.check()
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
    return np.array([win >> c & 1 for c in range(m)], dtype=bool)


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
