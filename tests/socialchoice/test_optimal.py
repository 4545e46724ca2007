"""Kemeny, Slater and maximal lotteries against brute force and LP references."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

import socialchoice as sc
from socialchoice.rules import optimal as opt


def _random_margins(rng: np.random.Generator, m: int, kind: int) -> np.ndarray:
    """Antisymmetric matrices with many ties (zeros and equal entries) or floats."""
    if kind == 0:
        A = rng.integers(-3, 4, (m, m))
    elif kind == 1:
        A = 2 * rng.integers(-1, 2, (m, m))  # a preference function, doubled
    elif kind == 2:
        A = rng.integers(-20, 21, (m, m)) * (rng.random((m, m)) < 0.7)
    else:
        A = rng.normal(size=(m, m)).round(1)
    U = np.triu(A, 1)
    return U - U.T


def _matrices(seed: int, count: int, max_m: int = 7):
    rng = np.random.default_rng(seed)
    for i in range(count):
        yield _random_margins(rng, int(rng.integers(1, max_m + 1)), i % 4)


@pytest.mark.parametrize(("rule", "ref"), [("kemeny", opt._kemeny_reference),
                                           ("slater", opt._slater_reference)])
def test_ilp_winners_equal_brute_force(rule, ref):
    f = getattr(opt, rule)
    for M in _matrices(11 if rule == "kemeny" else 12, 800):
        assert np.array_equal(f(M), ref(M)), (rule, M.tolist())


def test_kemeny_ranking_is_optimal():
    for M in _matrices(13, 600):
        order, score = opt.kemeny_ranking(M)
        best, _ = opt._lop_reference(M)
        assert sorted(order.tolist()) == list(range(M.shape[0]))
        assert np.isclose(score, best, rtol=0, atol=1e-9)
        assert np.isclose(score, opt._score(M, order))


def test_slater_ranking_counts_reversed_edges():
    for M in _matrices(14, 300):
        order, d = opt.slater_ranking(M)
        pos = np.argsort(order)
        reversed_edges = int(((M > 0) & (pos[:, None] > pos[None, :])).sum())
        assert d == reversed_edges
        S = np.sign(M).astype(np.int64)
        assert opt._score(S, order) == opt._lop_reference(S)[0]


def test_eight_candidates_and_structured_fifty():
    rng = np.random.default_rng(5)
    for kind in range(4):
        M = _random_margins(rng, 8, kind)
        assert np.array_equal(opt.kemeny(M), opt._kemeny_reference(M))
    # a transitive majority relation plus cycles inside blocks of 5: exact and fast
    m = 50
    U = np.triu(rng.integers(5, 30, (m, m)), 1)
    for b in range(0, m, 5):
        U[b : b + 5, b : b + 5] = np.triu(rng.integers(-20, 21, (5, 5)), 1)
    M = U - U.T
    order, score = opt.kemeny_ranking(M)
    for b in range(0, m, 5):
        assert sorted(order[b : b + 5].tolist()) == list(range(b, b + 5))
        block = M[b : b + 5, b : b + 5]
        assert np.isclose(opt._score(block, order[b : b + 5] - b), opt._lop_reference(block)[0])
    assert score == opt._score(M, order)
    assert np.flatnonzero(opt.kemeny(M)).tolist() == np.flatnonzero(
        opt._kemeny_reference(M[:5, :5])).tolist()


def test_batched_rules_and_ranking():
    rng = np.random.default_rng(3)
    M = np.stack([_random_margins(rng, 5, k % 4) for k in range(12)]).reshape(3, 4, 5, 5)
    for rule in ("kemeny", "slater", "maximal_lottery"):
        mask = sc.winner_mask(M, rule)
        assert mask.shape == (3, 4, 5)
        for idx in np.ndindex(3, 4):
            assert np.flatnonzero(mask[idx]).tolist() == sc.winners(M[idx], rule)
    p = sc.Profile([["a", "b", "c"], ["b", "c", "a"], ["a", "c", "b"]])
    assert sc.ranking(p, "kemeny") == [["a"], ["b"], ["c"]]
    assert [len(t) for t in sc.ranking(p, "slater")] == [1, 1, 1]


def test_time_limit_and_errors():
    rng = np.random.default_rng(0)
    M = _random_margins(rng, 9, 0)
    with pytest.raises(sc.SocialChoiceError, match="time_limit"):
        opt.kemeny_ranking(M, time_limit=1e-9)
    with pytest.raises(sc.MarginError):
        opt.kemeny_ranking(np.zeros((2, 3, 3)))
    with pytest.raises(sc.MarginError):
        opt.kemeny(np.array([[0, 1], [1, 0]]))


# ------------------------------------------------------------------ maximal lotteries
def test_lottery_is_an_equilibrium_with_essential_support():
    for M in _matrices(21, 300, max_m=9):
        p = sc.maximal_lottery(M)
        assert p.shape == (M.shape[0],)
        assert np.all(p >= 0) and np.isclose(p.sum(), 1)
        assert np.all(p @ M >= -1e-9 * max(1, np.abs(M).max()))
        ess = opt._essential_reference(M)
        assert np.array_equal(p > 0, ess), M.tolist()
        assert np.array_equal(opt.essential_set(M), ess)


def test_unique_lottery_for_odd_margins():
    rng = np.random.default_rng(8)
    for _ in range(100):
        m = int(rng.integers(2, 9))
        U = np.triu(2 * rng.integers(-4, 4, (m, m)) + 1, 1)
        M = U - U.T
        p = sc.maximal_lottery(M)
        # the unique lottery: every candidate's maximal probability equals p's
        for c in range(m):
            res = linprog(-np.eye(m)[c], A_ub=-M.T.astype(float), b_ub=np.zeros(m),
                          A_eq=np.ones((1, m)), b_eq=[1.0], bounds=(0, 1), method="highs")
            assert np.isclose(-res.fun, p[c], atol=1e-7)
        if (M > 0).sum(axis=1).max() == m - 1:
            assert p.max() == 1.0


def test_lottery_batches():
    cycle = np.array([[0, 2, -2], [-2, 0, 2], [2, -2, 0]])
    cw = np.array([[0, 1, 1], [-1, 0, 1], [-1, -1, 0]])
    batch = np.stack([[cycle, cw], [cw, cw]])
    P = sc.maximal_lottery(batch)
    assert P.shape == (2, 2, 3)
    np.testing.assert_allclose(P[0, 0], [1 / 3] * 3, atol=1e-12)
    np.testing.assert_array_equal(P[0, 1], [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(P[1], P[0, 1][None].repeat(2, axis=0))
    assert sc.maximal_lottery(np.zeros((0, 4, 4))).shape == (0, 4)
    assert sc.maximal_lottery(np.zeros((1, 1))).tolist() == [1.0]
