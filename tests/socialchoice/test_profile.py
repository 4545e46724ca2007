"""Profile construction, equality, iteration, margins and from_ranks."""

from __future__ import annotations

import numpy as np
import pytest

import socialchoice as sc


def test_strict_tied_and_truncated_ballots():
    p = sc.Profile([["a", "b", "c"], [("a", "b"), "c"], ["c"]], candidates=["a", "b", "c"])
    assert p.ranks.tolist() == [[0, 1, 2], [0, 0, 1], [3, 3, 0]]
    assert p.ballots == [("a", "b", "c"), (("a", "b"), "c"), ("c",)]
    # truncated: c over a and b; a, b unranked are tied
    M = p.margin_matrix()
    assert M.tolist() == [[0, 1, 1], [-1, 0, 1], [-1, -1, 0]]
    assert not p.is_linear


def test_identical_ballots_are_counted_once():
    p = sc.Profile([["a", "b"], ["b", "a"], ["a", "b"]], counts=[2, 1, 3])
    assert len(p) == 2
    assert list(p) == [(("a", "b"), 5), (("b", "a"), 1)]
    assert p.num_voters == 6


def test_sets_are_tiers_and_default_candidates_are_sorted():
    p = sc.Profile([[{"c", "a"}, "b"]])
    assert p.candidates == ("a", "b", "c")
    assert p.ballots == [(("a", "c"), "b")]


def test_one_left_out_candidate_is_still_linear():
    p = sc.Profile([["a", "b"], ["c", "a", "b"]])
    assert p.is_linear
    assert p.linear_ranks().tolist() == [[0, 1, 2], [1, 2, 0]]


@pytest.mark.parametrize(
    ("ballots", "shown"),
    [
        ([["a", "b", "c"], [("a", "b"), "c"]], r"ballot 2 \(\{a, b\} > c\) has ties"),
        ([["b", "a", "c"], ["a", "b", "c"], ["c"]], r"ballot 3 \(c\) has ties or leaves out"),
        ([[("a", "c"), "b"], ["a", "b", "c"]], r"ballot 1 \(\{a, c\} > b\)"),
    ],
)
def test_linear_ranks_numbers_ballots_from_one_and_names_them(ballots, shown):
    p = sc.Profile(ballots)
    with pytest.raises(sc.RuleInputError, match=rf"^Borda is defined on strict.*, but {shown}"):
        p.linear_ranks("Borda")


def test_equality_ignores_ballot_order_and_candidate_order():
    p = sc.Profile([["a", "b", "c"], ["c", "b", "a"]])
    q = sc.Profile([["c", "b", "a"], ["a", "b", "c"]], candidates=["c", "a", "b"])
    r = sc.Profile([["c", "b", "a"], ["c", "b", "a"]])
    assert p == q
    assert p != r
    assert hash(p) == hash(q)


def test_from_ranks_dense_and_unranked():
    p = sc.Profile.from_ranks([[1, 3, 3], [2, 1, np.nan]], candidates=["x", "y", "z"])
    assert p.ballots == [("x", ("y", "z")), ("y", "x")]
    assert p.ranks.tolist() == [[0, 1, 1], [1, 0, 3]]


def test_weights_give_float_margins():
    p = sc.Profile([["a", "b"], ["b", "a"]], counts=[0.7, 0.2])
    assert p.margin_matrix()[0, 1] == pytest.approx(0.5)


def test_margins_batch_matches_profiles():
    rng = np.random.default_rng(0)
    ranks = np.argsort(rng.random((4, 7, 5)), axis=-1)
    M = sc.margins(ranks)
    for b in range(4):
        assert (M[b] == sc.Profile.from_ranks(ranks[b]).margin_matrix()).all()


def test_margins_with_weights_and_ties():
    ranks = np.array([[0, 0, 1], [2, 1, 0]])
    M = sc.margins(ranks, weights=[3, 1])
    assert M.tolist() == [[0, -1, 2], [1, 0, 2], [-2, -2, 0]]


def test_margins_large_profile_chunks_consistently():
    rng = np.random.default_rng(1)
    ranks = np.argsort(rng.random((20_000, 6)), axis=1).astype(np.int8)
    direct = (ranks[:, :, None] < ranks[:, None, :]).sum(0)
    assert (sc.margins(ranks) == direct - direct.T).all()


def test_condorcet_winner():
    assert sc.Profile([["a", "b", "c"], ["b", "a", "c"], ["a", "c", "b"]]).condorcet_winner() == "a"
    cycle = sc.Profile([["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"]])
    assert cycle.condorcet_winner() is None


def test_repr():
    assert repr(sc.Profile([[1, 2]])) == "Profile(candidates=(1, 2), num_voters=1, num_ballots=1)"


def test_margin_algorithms_agree_with_ties_weights_and_floats():
    from socialchoice._margins import _margins_by_comparison, _margins_by_pairs

    rng = np.random.default_rng(3)
    ranks = rng.integers(0, 4, size=(3, 40, 5))
    w = rng.integers(0, 5, size=(3, 40))
    for args in [(ranks, None), (ranks, w), (ranks.astype(float), w.astype(float) / 3)]:
        a, b = _margins_by_pairs(*args), _margins_by_comparison(*args)
        assert np.allclose(a, b)


@pytest.mark.parametrize("scale", [1, 10**9])
def test_unique_matrices_matches_numpy_unique(scale):
    from socialchoice._margins import unique_matrices

    rng = np.random.default_rng(5)
    upper = rng.integers(-2, 3, size=(500, 4, 4)) * scale
    M = np.triu(upper, 1) - np.swapaxes(np.triu(upper, 1), -1, -2)
    uniq, inverse = unique_matrices(M)
    assert (uniq[inverse] == M).all()
    assert len(uniq) == len(np.unique(M.reshape(500, -1), axis=0))
    floats = unique_matrices(M.astype(float) / 3)
    assert (floats[0][floats[1]] == M.astype(float) / 3).all()


def test_map_unique_matrices_calls_once_per_distinct_matrix():
    from socialchoice._margins import map_unique_matrices

    A = np.array([[0, 2, -1], [-2, 0, 3], [1, -3, 0]])
    calls = []

    def top_row(matrix):
        calls.append(matrix.copy())
        return matrix[0] > 0

    out = map_unique_matrices(np.stack([[A, -A], [A, A]]), top_row, bool)
    assert out.shape == (2, 2, 3) and len(calls) == 2
    assert out.tolist() == [[[False, True, False], [False, False, True]],
                            [[False, True, False], [False, True, False]]]
    assert map_unique_matrices(A, top_row, bool).tolist() == [False, True, False]
    calls.clear()
    empty = map_unique_matrices(np.zeros((0, 4, 3, 3), dtype=int), top_row, float)
    assert empty.shape == (0, 4, 3) and empty.dtype == float and not calls
