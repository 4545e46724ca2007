"""Every registered rule against pref_voting on random profiles: identical winner sets.

Registry-driven: a rule is tested by being registered (and fails until it has an oracle).
"""

from __future__ import annotations

import numpy as np
import pytest

import socialchoice as sc

from .oracle import ORACLES, oracle_winners, random_profiles

RULE_NAMES = sorted(sc.RULES)


def test_every_rule_has_an_oracle():
    missing = [r for r in RULE_NAMES if r not in ORACLES]
    assert not missing, f"rules without a pref_voting oracle: {missing}"


def _check(rule: str, profiles) -> int:
    checked = 0
    for i, p in enumerate(profiles):
        expected = oracle_winners(rule, p)
        if expected is None:
            with pytest.raises(sc.RuleInputError):
                sc.winners(p, rule)
            continue
        got = sc.winners(p, rule)
        assert got == expected, (
            f"{rule} on profile #{i}: ours {got}, pref_voting {expected}\n"
            f"ballots={p.ballots} counts={p.counts.tolist()}"
        )
        checked += 1
    return checked


@pytest.mark.parametrize("rule", [r for r in RULE_NAMES if r in ORACLES])
def test_linear_profiles_match_pref_voting(rule):
    o = ORACLES[rule]
    checked = _check(rule, random_profiles(1000 + len(rule), o.budget, max_m=o.max_m))
    assert checked == o.budget


@pytest.mark.parametrize("rule", [r for r in RULE_NAMES if r in ORACLES])
def test_profiles_with_ties_and_truncation_match_pref_voting(rule):
    o = ORACLES[rule]
    _check(rule, random_profiles(2000 + len(rule), o.budget // 2, max_m=o.max_m, ties=True))


@pytest.mark.parametrize("rule", [r for r in RULE_NAMES if r in ORACLES])
def test_batched_equals_looped(rule):
    r = sc.RULES[rule]
    rng = np.random.default_rng(7)
    for m in (2, 3, 4, 5):
        n = 6 if m % 2 else 5
        ranks = np.argsort(np.argsort(rng.random((3, 20, n, m)), axis=-1), axis=-1)
        if r.needs == "margins":
            batch = sc.winner_mask(sc.margins(ranks), rule)
        else:
            batch = sc.winner_mask(ranks=ranks, rule=rule)
        assert batch.shape == (3, 20, m)
        for idx in np.ndindex(3, 20):
            p = sc.Profile.from_ranks(ranks[idx])
            assert np.flatnonzero(batch[idx]).tolist() == sc.winners(p, rule), (rule, idx)


def test_ranked_pairs_matches_pref_votings_enumeration_of_tie_breaks():
    """The stack oracle above against pref_voting's literal enumeration, where it is cheap.

    Zero margins are skipped: pref_voting enumerates both directions of every zero-margin
    pair, 12! orders for four candidates with all margins zero.
    """
    from pref_voting.margin_based_methods import ranked_pairs

    from .oracle import to_pref_voting

    for p in random_profiles(77, 400, max_m=4, max_n=8):
        M = p.margin_matrix()
        if (M[~np.eye(len(M), dtype=bool)] == 0).any():
            continue
        expected = sorted(ranked_pairs(to_pref_voting(p), algorithm="basic"))
        assert sc.winners(p, "ranked_pairs") == expected, p.ballots


@pytest.mark.parametrize("rule", RULE_NAMES)
def test_decimal_weights_give_the_winners_of_integer_counts(rule):
    """Counts 3, 1, 2 and weights 0.3, 0.1, 0.2 are the same election (no float noise)."""
    for p in random_profiles(4242, 150, max_m=5, max_n=9):
        counts = np.random.default_rng(len(p)).integers(1, 8, size=len(p))
        exact = sc.Profile(p.ballots, counts=counts, candidates=p.candidates)
        decimal = sc.Profile(p.ballots, counts=counts / 10, candidates=p.candidates)
        try:
            expected = sc.winners(exact, rule)
        except sc.RuleInputError:
            continue
        assert sc.winners(decimal, rule) == expected, (rule, p.ballots, counts.tolist())


def test_tiny_float_margins_keep_their_winners():
    M = np.array([[0, 2, -4], [-2, 0, 6], [4, -6, 0]])
    for rule in ("kemeny", "slater", "schulze", "minimax", "maximal_lottery"):
        assert sc.winners(M * 1e-8, rule) == sc.winners(M, rule), rule
