"""Beat path, Split Cycle, Smith, Schwartz and uncovered set: fast vs reference, examples."""

from __future__ import annotations

import numpy as np
import pytest
from pref_voting import c1_methods as c1
from pref_voting import margin_based_methods as mb
from pref_voting.weighted_majority_graphs import MarginGraph

import socialchoice as sc
from socialchoice.rules import graph, tournament

F = np.array([[0, 1, 1, -1], [-1, 0, 1, -1], [-1, -1, 0, 1], [1, 1, -1, 0]])

RULES = ["schulze", "split_cycle", "smith", "schwartz", "uncovered"]
FAST = {
    "schulze": graph.schulze,
    "split_cycle": graph.split_cycle,
    "smith": tournament.smith,
    "schwartz": tournament.schwartz,
    "uncovered": tournament.uncovered,
}
REFERENCE = {
    "schulze": graph._schulze_reference,
    "split_cycle": graph._split_cycle_reference,
    "smith": tournament._smith_reference,
    "schwartz": tournament._schwartz_reference,
    "uncovered": tournament._uncovered_reference,
}
PV = {
    "schulze": mb.beat_path,
    "split_cycle": mb.split_cycle,
    "smith": c1.top_cycle,
    "schwartz": c1.gocha,
    "uncovered": c1.uc_gill,
}


def _antisym(upper: np.ndarray) -> np.ndarray:
    """(..., m, m) antisymmetric matrices from the strict upper triangle of ``upper``."""
    U = np.triu(upper, k=1)
    return U - np.swapaxes(U, -1, -2)


def _random_matrices(kind: str, count: int, m: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "sign":       # seed-style preference functions, entries in {-1, 0, 1}
        return _antisym(rng.integers(-1, 2, size=(count, m, m)))
    if kind == "int":        # small integer margins: many equal edge weights and ties
        return _antisym(rng.integers(-3, 4, size=(count, m, m)))
    if kind == "float":      # quantised floats so equal weights still occur
        return _antisym(np.round(rng.normal(size=(count, m, m)), 1) * 0.37)
    if kind == "profile":    # margins of real ballots (even n: majority ties)
        n = int(rng.integers(2, 9))
        ranks = np.argsort(np.argsort(rng.random((count, n, m)), axis=-1), axis=-1)
        return sc.margins(ranks)
    raise ValueError(kind)


def _margin_graph(M: np.ndarray) -> MarginGraph:
    m = M.shape[-1]
    edges = [(a, b, M[a, b].item()) for a in range(m) for b in range(m) if M[a, b] > 0]
    return MarginGraph(list(range(m)), edges)


# ------------------------------------------------------------------ fast vs reference
@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("kind", ["sign", "int", "float", "profile"])
def test_fast_equals_reference(rule, kind):
    rng = np.random.default_rng([RULES.index(rule), len(kind), ord(kind[0])])
    for m in range(1, 7):
        Ms = _random_matrices(kind, 40 if m < 6 else 15, m, rng)
        fast = FAST[rule](Ms)
        assert fast.shape == (len(Ms), m) and fast.dtype == bool
        for M, got in zip(Ms, fast, strict=True):
            expected = REFERENCE[rule](M)
            assert got.tolist() == expected.tolist(), (rule, kind, M.tolist())
            assert got.any()


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("kind", ["sign", "float"])
def test_matrices_match_pref_voting_margin_graph(rule, kind):
    """{-1, 0, 1} and float margins (not reachable from ballots) against pref_voting."""
    rng = np.random.default_rng(11 + len(rule) + len(kind))
    for m in (3, 4, 5, 6):
        for M in _random_matrices(kind, 25, m, rng):
            expected = sorted(PV[rule](_margin_graph(M)))
            assert sc.winners(M, rule) == expected, (rule, M.tolist())


def test_beat_path_strengths_equal_path_enumeration():
    rng = np.random.default_rng(3)
    for kind in ("int", "float"):
        Ms = _random_matrices(kind, 30, 5, rng)
        S = graph.beat_path_strengths(Ms)
        for M, s in zip(Ms, S, strict=True):
            for a in range(5):
                for b in range(5):
                    if a != b:
                        assert s[a, b] == graph._strongest_path_reference(M, a, b)


# ------------------------------------------------------------------ batches and dtypes
@pytest.mark.parametrize("rule", RULES)
def test_batched_shapes_equal_one_by_one(rule):
    rng = np.random.default_rng(5)
    for m in (1, 2, 4, 6):
        Ms = _random_matrices("int", 6, m, rng).reshape(2, 3, m, m)
        batch = sc.winner_mask(Ms, rule)
        assert batch.shape == (2, 3, m)
        for idx in np.ndindex(2, 3):
            assert np.flatnonzero(batch[idx]).tolist() == sc.winners(Ms[idx], rule)


@pytest.mark.parametrize("rule", RULES)
def test_positive_scaling_and_float_dtype_do_not_change_winners(rule):
    rng = np.random.default_rng(9)
    Ms = _random_matrices("profile", 50, 5, rng)
    base = sc.winner_mask(Ms, rule)
    np.testing.assert_array_equal(sc.winner_mask(Ms * 0.25, rule), base)
    np.testing.assert_array_equal(sc.winner_mask(Ms.astype(np.float32) * 3.5, rule), base)


def test_empty_batch():
    for rule in RULES:
        assert sc.winner_mask(np.zeros((0, 4, 4)), rule).shape == (0, 4)


# ------------------------------------------------------------------ known examples
def test_slides_preference_function():
    assert sc.winners(F, "schulze") == [0, 1, 2, 3]
    assert sc.winners(F, "split_cycle") == [0, 1, 2, 3]
    assert sc.winners(F, "smith") == [0, 1, 2, 3]
    assert sc.winners(F, "schwartz") == [0, 1, 2, 3]
    assert sc.winners(F, "uncovered") == [0, 2, 3]   # a covers b


def test_schulze_wikipedia_example():
    """The 45-voter, 5-candidate example (Schulze 2011, §3.1): E wins, E > A > C > B > D."""
    groups = [(5, "ACBED"), (5, "ADECB"), (8, "BEDAC"), (3, "CABED"),
              (7, "CAEBD"), (2, "CBADE"), (7, "DCEBA"), (8, "EBADC")]
    p = sc.Profile([list(b) for _, b in groups], counts=[c for c, _ in groups],
                   candidates=list("ABCDE"))
    assert sc.winners(p, "schulze") == ["E"]
    assert sc.ranking(p, "schulze") == [["E"], ["A"], ["C"], ["B"], ["D"]]
    # the example's strongest paths in support counts (rows: from A..E); margin = 2 d - 45
    d = np.array([[0, 28, 28, 30, 24], [25, 0, 28, 33, 24], [25, 29, 0, 29, 24],
                  [25, 28, 28, 0, 24], [25, 28, 28, 31, 0]])
    S = graph.beat_path_strengths(p.margin_matrix())
    off = ~np.eye(5, dtype=bool)
    np.testing.assert_array_equal(S[off], (2 * d - 45)[off])
    assert sc.winners(p, "split_cycle") == ["A", "E"]
    assert sc.winners(p, "smith") == ["A", "B", "C", "D", "E"]


def test_pref_voting_docstring_margin_graph():
    """The margin graph of pref_voting's beat_path / split_cycle docstrings."""
    M = np.zeros((4, 4), dtype=int)
    for a, b, w in [(0, 2, 3), (1, 0, 5), (2, 1, 5), (2, 3, 1), (3, 0, 3), (3, 1, 1)]:
        M[a, b], M[b, a] = w, -w
    assert sc.winners(M, "schulze") == [3]
    # 3 -> 1 has margin 1 and the path 1 -> 0 -> 2 -> 3 back has strength 1: not a defeat
    assert sc.winners(M, "split_cycle") == [2, 3]


def test_split_cycle_tie_for_weakest_edge_is_not_a_defeat():
    M = np.array([[0, 2, -2], [-2, 0, 2], [2, -2, 0]])   # a>b>c>a, all margins 2
    assert sc.winners(M, "split_cycle") == [0, 1, 2]
    M = np.array([[0, 2, -1], [-2, 0, 2], [1, -2, 0]])   # c>a is the unique weakest
    assert sc.winners(M, "split_cycle") == [0]
    assert sc.winners(M, "schulze") == [0]


def test_tournament_solutions_with_ties():
    tied_top = np.array([[0, 0, 1], [0, 0, 1], [-1, -1, 0]])
    assert sc.winners(tied_top, "smith") == [0, 1]
    assert sc.winners(tied_top, "schwartz") == [0, 1]
    # a ~ b, a > c > b: the weak relation is one cycle, but only a is unbeaten
    M = np.array([[0, 0, 1], [0, 0, -1], [-1, 1, 0]])
    assert sc.winners(M, "smith") == [0, 1, 2]
    assert sc.winners(M, "schwartz") == [0]
    # a covers c (nobody beats a); c beats b but a does not beat b, so b stays uncovered
    assert sc.winners(M, "uncovered") == [0, 1]
    assert sc.winners(np.zeros((3, 3)), "schwartz") == [0, 1, 2]   # everyone tied


def test_condorcet_winner_is_the_only_winner():
    M = np.array([[0, 1, 3, 2], [-1, 0, 1, -1], [-3, -1, 0, 1], [-2, 1, -1, 0]])
    for rule in RULES:
        assert sc.winners(M, rule) == [0], rule


def test_inclusions_between_rules():
    """Beat path ⊆ Split Cycle ⊆ Smith; Schwartz ⊆ Smith; uncovered ⊆ Smith."""
    rng = np.random.default_rng(21)
    Ms = np.concatenate([_random_matrices("int", 300, 6, rng),
                         _random_matrices("profile", 300, 6, rng)])
    w = {r: sc.winner_mask(Ms, r) for r in RULES}
    assert not (w["schulze"] & ~w["split_cycle"]).any()
    assert not (w["split_cycle"] & ~w["smith"]).any()
    assert not (w["schwartz"] & ~w["smith"]).any()
    assert not (w["uncovered"] & ~w["smith"]).any()


def test_schulze_levels_extend_the_defeat_relation():
    rng = np.random.default_rng(4)
    Ms = _random_matrices("int", 100, 6, rng)
    levels = graph.schulze_levels(Ms)
    S = graph.beat_path_strengths(Ms)
    defeat = S > np.swapaxes(S, -1, -2)
    lv_a = levels[:, :, None]
    lv_b = levels[:, None, :]
    assert not (defeat & (lv_a >= lv_b)).any()
    np.testing.assert_array_equal(levels == 0, graph.schulze(Ms))
    for M, lv in zip(Ms[:10], levels[:10], strict=True):
        np.testing.assert_array_equal(graph.schulze_levels(M), lv)
