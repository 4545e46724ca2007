"""Exponential searches stop at a time limit with a typed error; stable voting past 63
candidates; the one widest-path kernel."""

from __future__ import annotations

import pickle
import time

import numpy as np
import pytest
from pref_voting import margin_based_methods as mb
from pref_voting.weighted_majority_graphs import MarginGraph

import socialchoice as sc
from socialchoice.rules import graph, ranked_pairs, tournament
from socialchoice.rules._common import widest_paths

SLOW = 3.0  # seconds a search may overrun a small time limit (shared, busy machines)


def _impartial(seed: int, n: int, m: int) -> np.ndarray:
    """Margins of ``n`` uniformly random linear orders over ``m`` candidates."""
    rng = np.random.default_rng(seed)
    return sc.margins(np.argsort(rng.random((n, m)), axis=1).argsort(axis=1))


def _cycle_at_the_end(m: int) -> np.ndarray:
    """Margins where the last three candidates form a majority cycle above all others
    and the last one is the lone Split Cycle (and stable voting) winner."""
    base = list(range(m - 3))
    a, b, c = m - 3, m - 2, m - 1
    rows = [[c, a, b, *base]] * 3 + [[a, b, c, *base]] * 2 + [[b, c, a, *base]] * 2
    return sc.margins(np.argsort(np.array(rows), axis=1))


# ------------------------------------------------------------------ stable voting, m >= 64
@pytest.mark.parametrize("m", [64, 65, 100])
def test_stable_voting_beyond_63_candidates(m: int) -> None:
    """Used to raise OverflowError (the winner set was a bit mask shifted in an int64)."""
    M = _cycle_at_the_end(m)
    assert sc.winners(M, "split_cycle") == [m - 1]
    assert sc.winners(M, "stable_voting") == [m - 1]


def test_stable_voting_matches_pref_voting_beyond_the_precomputed_sizes() -> None:
    """m = 13..16 takes the lazy Split Cycle path (sub-elections as Python-int masks)."""
    for seed, m in enumerate((13, 13, 14, 14, 16, 16)):
        M = _impartial(seed, 9, m)
        edges = [(a, b, int(M[a, b])) for a in range(m) for b in range(m) if M[a, b] > 0]
        expected = mb.stable_voting(MarginGraph(list(range(m)), edges))
        assert sc.winners(M, "stable_voting", time_limit=None) == expected, seed


# ------------------------------------------------------------------ time limits
@pytest.mark.parametrize(
    ("rule", "n", "m"),
    [
        ("kemeny", 51, 200),         # minutes without a limit
        ("slater", 51, 200),
        ("ranked_pairs", 51, 60),    # 1770 pairs on ~26 margin levels: many ties
        ("stable_voting", 11, 64),   # exponentially many sub-elections
    ],
)
def test_exponential_search_stops_at_its_time_limit(rule: str, n: int, m: int) -> None:
    M = _impartial(0, n, m)
    start = time.monotonic()
    with pytest.raises(sc.TimeLimitError) as err:
        sc.winners(M, rule, time_limit=0.2)
    assert time.monotonic() - start < 0.2 + SLOW
    assert err.value.rule == rule and err.value.time_limit == 0.2
    message = str(err.value)
    assert "time limit of 0.2 s" in message
    assert "larger time_limit" in message and "time_limit=None" in message


def test_time_limit_error_is_a_social_choice_error_and_pickles() -> None:
    assert issubclass(sc.TimeLimitError, sc.SocialChoiceError)
    err = sc.TimeLimitError("slow", rule="kemeny", time_limit=1.5)
    back = pickle.loads(pickle.dumps(err))
    assert (str(back), back.rule, back.time_limit) == ("slow", "kemeny", 1.5)


def test_ranking_passes_the_time_limit_through() -> None:
    with pytest.raises(sc.TimeLimitError):
        sc.ranking(_impartial(0, 51, 200), "kemeny", time_limit=0.2)


def test_winner_mask_applies_the_time_limit() -> None:
    with pytest.raises(sc.TimeLimitError):
        sc.winner_mask(_impartial(0, 51, 60)[None], "ranked_pairs", time_limit=0.2)


def test_default_time_limit_is_declared_by_the_exponential_rules() -> None:
    assert sc.DEFAULT_TIME_LIMIT == 10.0
    limited = {name for name, rule in sc.RULES.items() if "time_limit" in rule.options}
    assert limited == {"kemeny", "slater", "ranked_pairs", "stable_voting"}


def test_polynomial_rules_accept_and_ignore_a_time_limit() -> None:
    M = _impartial(1, 7, 5)
    assert sc.winners(M, "copeland", time_limit=0) == sc.winners(M, "copeland")


def test_no_time_limit_is_unbounded() -> None:
    M = _impartial(2, 7, 7)
    assert sc.winners(M, "kemeny", time_limit=None) == sc.winners(M, "kemeny")


@pytest.mark.parametrize("bad", [-1, "10", float("nan"), True])
def test_time_limit_is_validated(bad: object) -> None:
    with pytest.raises(sc.RuleInputError, match="The 'time_limit' parameter of kemeny must be"):
        sc.winners(np.zeros((3, 3), int), "kemeny", time_limit=bad)


def test_options_come_from_the_registration() -> None:
    with pytest.raises(sc.RuleInputError, match="its options are: time_limit"):
        sc.winners(np.zeros((3, 3), int), "stable_voting", depth=2)
    with pytest.raises(sc.RuleInputError, match="its options are: none"):
        sc.ranking(np.zeros((3, 3), int), "ranked_pairs", time_limt=2)


# ------------------------------------------------------------------ the widest-path kernel
def test_widest_paths_is_the_beat_path_and_the_closure() -> None:
    rng = np.random.default_rng(4)
    for _ in range(200):
        m = int(rng.integers(1, 6))
        A = np.triu(rng.integers(-3, 4, (m, m)), 1)
        M = A - A.T
        S = widest_paths(np.maximum(M, 0))
        for a in range(m):
            for b in range(m):
                if a != b:
                    assert S[a, b] == graph._strongest_path_reference(M, a, b)
        R = M > 0
        C = widest_paths(R)
        assert C.dtype == bool
        reach = np.linalg.matrix_power(R.astype(int) + np.eye(m, dtype=int), m) > 0
        off = ~np.eye(m, dtype=bool)
        assert (C[off] == reach[off]).all()


def test_rules_share_the_kernel() -> None:
    """Schulze, Split Cycle, ranked pairs' stacks and the closures all use widest_paths."""
    for module in (graph, ranked_pairs, tournament):
        assert module.widest_paths is widest_paths
