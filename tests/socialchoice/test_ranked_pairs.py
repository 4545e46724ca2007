"""Ranked Pairs and Stable Voting: fast paths against slow references, hand examples."""

from __future__ import annotations

from collections import Counter
from math import factorial, prod

import numpy as np
import pytest

import socialchoice as sc
from socialchoice.rules import ranked_pairs as rp

TIE_VALUES = ([-2, 0, 2], [-1, 1], [-3, -1, 1, 3], [-2, -1, 0, 1, 2], [-4, -2, 2, 4])


def _random_margins(rng: np.random.Generator, m: int, values, size: int = 1) -> np.ndarray:
    M = np.zeros((size, m, m), dtype=np.int64)
    i, j = np.triu_indices(m, 1)
    M[:, i, j] = rng.choice(values, size=(size, len(i)))
    return M - np.swapaxes(M, -1, -2)


def _orders_to_try(M: np.ndarray) -> int:
    """Number of tie-breaking orders the reference enumerates (zero pairs count twice)."""
    counts = Counter(M[M >= 0].tolist())
    counts[0] -= len(M)
    return prod(factorial(c) for c in counts.values())


def _top_cycle(M: np.ndarray) -> np.ndarray:
    """Smith set: candidates that reach every candidate along majority edges."""
    m = len(M)
    reach = (M > 0) | np.eye(m, dtype=bool)
    for k in range(m):
        reach |= reach[:, [k]] & reach[[k], :]
    return reach.all(axis=1)


# ------------------------------------------------------------------ Ranked Pairs
def test_search_matches_reference_on_random_tied_margins():
    rng = np.random.default_rng(0)
    checked = 0
    while checked < 2500:
        m = int(rng.integers(2, 6))
        M = _random_margins(rng, m, TIE_VALUES[checked % len(TIE_VALUES)])[0]
        if _orders_to_try(M) > 150:
            continue
        expected = rp._ranked_pairs_reference(M)
        assert rp._ranked_pairs_search(M).tolist() == expected.tolist(), M.tolist()
        assert rp.ranked_pairs(M).tolist() == expected.tolist(), M.tolist()
        checked += 1


def test_batched_stack_test_matches_search():
    rng = np.random.default_rng(7)
    for m in (2, 3, 4, 5):
        for values in TIE_VALUES:
            M = _random_margins(rng, m, values, size=150)
            expected = np.array([rp._ranked_pairs_search(x) for x in M])
            assert (rp._stack_tops(M) == expected).all()


def test_all_tied_tournaments_m4_match_reference():
    """Every odd tournament on 4 candidates with all margins equal (6! orders each)."""
    i, j = np.triu_indices(4, 1)
    signs = np.array(np.meshgrid(*[[-1, 1]] * 6)).reshape(6, -1).T
    M = np.zeros((len(signs), 4, 4), dtype=np.int64)
    M[:, i, j] = signs
    M = M - np.swapaxes(M, -1, -2)
    got = rp.ranked_pairs(M)
    for b in range(len(M)):
        assert got[b].tolist() == rp._ranked_pairs_reference(M[b]).tolist()
        assert got[b].tolist() == _top_cycle(M[b]).tolist()


def test_fast_path_matches_reference_on_distinct_margins():
    rng = np.random.default_rng(1)
    for _ in range(400):
        m = int(rng.integers(2, 8))
        k = m * (m - 1) // 2
        M = np.zeros((m, m), dtype=np.int64)
        i, j = np.triu_indices(m, 1)
        M[i, j] = rng.permutation(np.arange(1, k + 1)) * rng.choice([-1, 1], size=k)
        if rng.random() < 0.3:             # a zero margin or two (still deterministic)
            M[i[:2], j[:2]] = 0
        M = M - M.T
        expected = rp._ranked_pairs_reference(M)
        assert rp.ranked_pairs(M).tolist() == expected.tolist(), M.tolist()
        assert rp._ranked_pairs_search(M).tolist() == expected.tolist(), M.tolist()


def test_batched_equals_single_with_mixed_tied_and_untied_profiles():
    rng = np.random.default_rng(2)
    for m in (3, 4, 6, 8):
        ranks = np.argsort(np.argsort(rng.random((40, 7, m)), axis=-1), axis=-1)
        weights = rng.integers(1, 9, size=(40, 7))       # mostly distinct margins
        weights[::2] = 1                                 # every other profile: many ties
        M = sc.margins(ranks, weights)
        batch = rp.ranked_pairs(M.reshape(4, 10, m, m)).reshape(40, m)
        assert batch.any(axis=-1).all()
        for b in range(40):
            assert batch[b].tolist() == rp._ranked_pairs_search(M[b]).tolist()
            assert batch[b].tolist() == rp.ranked_pairs(M[b]).tolist()


def test_hand_examples():
    # a>b 5, b>c 3, c>a 1: c>a closes a cycle and is skipped
    assert rp.ranked_pairs(np.array([[0, 5, -1], [-5, 0, 3], [1, -3, 0]])).tolist() == [
        True, False, False]
    # pref_voting's documentation example: 1>0 and 2>1 (5) lock, 0>2 (3) is skipped in
    # either order, 3>0 (3), 2>3 and 3>1 (1) lock: 2 > 3 > 1 > 0 in every universe
    M = np.zeros((4, 4), dtype=int)
    for a, b, s in [(0, 2, 3), (1, 0, 5), (2, 1, 5), (2, 3, 1), (3, 0, 3), (3, 1, 1)]:
        M[a, b], M[b, a] = s, -s
    assert sc.winners(M, "ranked_pairs") == [2]
    assert sc.ranking(M, "ranked_pairs") == [[2], [3], [1], [0]]
    # a and b tie and both beat c: either may be locked on top
    assert sc.winners(np.array([[0, 0, 2], [0, 0, 2], [-2, -2, 0]]), "ranked_pairs") == [0, 1]
    # a>b 2 and c>a 2 tie above b>c 1: both orders lock c > a > b, then b>c is skipped
    assert sc.winners(np.array([[0, 2, -2], [-2, 0, 1], [2, -1, 0]]), "ranked_pairs") == [2]
    # an all-tied 3-cycle: every candidate wins in some universe
    assert sc.winners(np.array([[0, 1, -1], [-1, 0, 1], [1, -1, 0]]), "ranked_pairs") == [0, 1, 2]
    assert sc.winners(np.zeros((3, 3)), "ranked_pairs") == [0, 1, 2]
    assert sc.winners(np.zeros((1, 1)), "ranked_pairs") == [0]


def test_all_tied_tournament_m10_is_its_top_cycle_and_fast():
    """m = 10, every margin ±1: 45 tied edges (45! orders for pref_voting), solved at once.

    With all margins equal every top-cycle member wins (lock the edges of a search tree
    out of it first) and Ranked Pairs never leaves the top cycle.
    """
    rng = np.random.default_rng(3)
    M = _random_margins(rng, 10, [-1, 1], size=20)
    got = rp.ranked_pairs(M)
    for b in range(len(M)):
        assert got[b].tolist() == _top_cycle(M[b]).tolist()


def test_levels_is_a_linear_order_topped_by_a_winner():
    rng = np.random.default_rng(4)
    for k in range(200):
        m = int(rng.integers(2, 7))
        M = _random_margins(rng, m, TIE_VALUES[k % len(TIE_VALUES)])[0]
        levels = rp.ranked_pairs_levels(M)
        assert sorted(levels.tolist()) == list(range(m))
        assert rp.ranked_pairs(M)[int(np.argmin(levels))]


def test_profile_entry_points():
    p = sc.Profile([["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"]])   # all margins 1
    assert sc.winners(p, "ranked_pairs") == ["a", "b", "c"]
    assert sc.ranking(p, "ranked_pairs") == [["a"], ["b"], ["c"]]
    p = sc.Profile([["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"], ["a", "b", "c"]])
    assert sc.winners(p, "ranked_pairs") == ["a"]


# ------------------------------------------------------------------ Stable Voting
def test_stable_voting_matches_reference():
    rng = np.random.default_rng(5)
    values = ([-2, 0, 2], [-1, 1], [-3, -1, 1, 3], [-4, -2, 0, 2, 4, 6], [-5, -3, -1, 1, 3, 5])
    for k in range(600):
        m = int(rng.integers(2, 7))
        M = _random_margins(rng, m, values[k % len(values)])[0]
        assert rp.stable_voting(M).tolist() == rp._stable_voting_reference(M).tolist(), M.tolist()


def test_stable_voting_lazy_split_cycle_path(monkeypatch):
    rng = np.random.default_rng(6)
    Ms = [_random_margins(rng, m, [-3, -1, 1, 3])[0] for m in (4, 5, 6, 7) for _ in range(20)]
    expected = [rp.stable_voting(M).tolist() for M in Ms]
    monkeypatch.setattr(rp, "_PRECOMPUTE_MAX_M", 0)
    assert [rp.stable_voting(M).tolist() for M in Ms] == expected


def test_stable_voting_hand_examples():
    # pref_voting's documentation example
    M = np.zeros((4, 4), dtype=int)
    for a, b, s in [(0, 3, 8), (1, 0, 10), (2, 0, 4), (2, 1, 8), (3, 1, 8)]:
        M[a, b], M[b, a] = s, -s
    assert sc.winners(M, "stable_voting") == [2]
    # a 3-cycle a>b 5, b>c 3, c>a 1: the strongest match a>b, and a wins without b
    assert sc.winners(np.array([[0, 5, -1], [-5, 0, 3], [1, -3, 0]]), "stable_voting") == [0]
    assert sc.winners(np.zeros((2, 2)), "stable_voting") == [0, 1]


@pytest.mark.parametrize("m", [9, 10])
def test_stable_voting_m10_batch(m):
    rng = np.random.default_rng(m)
    M = _random_margins(rng, m, [-5, -3, -1, 1, 3, 5], size=5)
    mask = sc.winner_mask(M, "stable_voting")
    assert mask.any(axis=-1).all()
    split_cycle = rp.split_cycle(np.maximum(M, 0).astype(float))
    assert not (mask & ~split_cycle).any()        # Stable Voting picks Split Cycle winners
