"""Axioms as Hypothesis properties, driven by the registry.

Anonymity and neutrality hold for every rule (all rules return every tied winner, so
relabelling candidates must permute the winner set). Condorcet consistency and the Pareto
principle are checked for the rules known to satisfy them.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import socialchoice as sc

CONDORCET_CONSISTENT = {
    "copeland", "llull", "minimax", "condorcet", "smith", "schwartz", "uncovered", "schulze",
    "ranked_pairs", "split_cycle", "stable_voting", "kemeny", "slater", "black", "baldwin",
    "strict_nanson", "maximal_lottery",
}
PARETO = {
    "plurality", "borda", "copeland", "schulze", "ranked_pairs", "split_cycle",
    "stable_voting", "kemeny", "uncovered", "maximal_lottery",
}
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def linear_ranks(draw, max_m: int = 5, max_n: int = 9) -> np.ndarray:
    m = draw(st.integers(2, max_m))
    n = draw(st.integers(1, max_n))
    orders = [draw(st.permutations(range(m))) for _ in range(n)]
    return np.argsort(np.array(orders), axis=1)


def _winners(rule: str, ranks: np.ndarray) -> list[int]:
    return sc.winners(sc.Profile.from_ranks(ranks), rule)


def rules(names: set[str] | None = None) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(r for r in sc.RULES if names is None or r in names))


@SETTINGS
@given(rule=rules(), ranks=linear_ranks(), seed=st.integers(0, 2**32 - 1))
def test_neutrality(rule, ranks, seed):
    m = ranks.shape[1]
    perm = np.random.default_rng(seed).permutation(m)  # new label of candidate c is perm[c]
    relabelled = np.empty_like(ranks)
    relabelled[:, perm] = ranks
    expected = sorted(int(perm[c]) for c in _winners(rule, ranks))
    assert _winners(rule, relabelled) == expected


@SETTINGS
@given(rule=rules(), ranks=linear_ranks(), seed=st.integers(0, 2**32 - 1))
def test_anonymity(rule, ranks, seed):
    shuffled = ranks[np.random.default_rng(seed).permutation(len(ranks))]
    batch = np.stack([ranks, shuffled])
    mask = sc.winner_mask(ranks=batch, rule=rule)
    assert (mask[0] == mask[1]).all()
    assert np.flatnonzero(mask[0]).tolist() == _winners(rule, ranks)


@SETTINGS
@given(rule=rules(CONDORCET_CONSISTENT), ranks=linear_ranks())
def test_condorcet_consistency(rule, ranks):
    p = sc.Profile.from_ranks(ranks)
    cw = p.condorcet_winner()
    if cw is not None:
        assert sc.winners(p, rule) == [cw]


@SETTINGS
@given(rule=rules(PARETO), ranks=linear_ranks())
def test_pareto(rule, ranks):
    m = ranks.shape[1]
    dominated = {
        b for a in range(m) for b in range(m) if a != b and (ranks[:, a] < ranks[:, b]).all()
    }
    assert not dominated & set(_winners(rule, ranks))


@SETTINGS
@given(rule=rules(), ranks=linear_ranks())
def test_there_is_always_a_winner(rule, ranks):
    assert _winners(rule, ranks)


@SETTINGS
@given(
    rule=rules({r for r, x in sc.RULES.items() if x.needs == "margins"}),
    matrix=st.integers(2, 6).flatmap(
        lambda m: st.lists(st.sampled_from([-1, 0, 1]), min_size=m * m, max_size=m * m).map(
            lambda xs: np.array(xs).reshape(m, m)
        )
    ),
)
def test_margin_rules_accept_preference_functions(rule, matrix):
    F = np.triu(matrix, 1)
    F = F - F.T  # any antisymmetric {-1, 0, +1} matrix, as in the slides
    assert sc.winners(F, rule)
