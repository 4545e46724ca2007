"""Positional and runoff rules: fast (batched) versions against slow references, hand examples."""

from __future__ import annotations

import numpy as np
import pytest

import socialchoice as sc
from socialchoice.rules import positional as pos
from socialchoice.rules import runoff as ro

FAST_AND_REFERENCE = {
    "plurality": (pos.plurality, pos._plurality_reference),
    "borda": (pos.borda, pos._borda_reference),
    "anti_plurality": (pos.anti_plurality, pos._anti_plurality_reference),
    "bucklin": (pos.bucklin, pos._bucklin_reference),
    "black": (pos.black, pos._black_reference),
    "instant_runoff": (ro.instant_runoff, ro._instant_runoff_reference),
    "coombs": (ro.coombs, ro._coombs_reference),
    "baldwin": (ro.baldwin, ro._baldwin_reference),
    "strict_nanson": (ro.strict_nanson, ro._strict_nanson_reference),
}
OURS = sorted(FAST_AND_REFERENCE)


def linear_ranks(rng, shape, m):
    return np.argsort(np.argsort(rng.random((*shape, m)), axis=-1), axis=-1)


def weak_ranks(rng, shape, m):
    """Ballots with ties and truncation: arbitrary positions, value m = unranked."""
    return rng.integers(0, m + 1, size=(*shape, m))


# ---------------------------------------------------------------------- fast vs reference
@pytest.mark.parametrize("rule", OURS)
@pytest.mark.parametrize("weights_kind", ["ones", "int", "halves"])
def test_batched_fast_equals_reference_on_linear_profiles(rule, weights_kind):
    fast, ref = FAST_AND_REFERENCE[rule]
    rng = np.random.default_rng(len(rule) * 7 + len(weights_kind))
    for m in range(1, 7):
        for n in (1, 2, 3, 4, 7):
            R = linear_ranks(rng, (6, n), m)
            if weights_kind == "ones":
                W = np.ones((6, n), dtype=np.int64)
            elif weights_kind == "int":
                W = rng.integers(0, 4, size=(6, n))
            else:
                W = rng.integers(0, 6, size=(6, n)) / 2
            got = fast(R, W)
            assert got.shape == (6, m) and got.dtype == bool
            for b in range(6):
                want = ref(R[b], W[b])
                assert got[b].tolist() == want.tolist(), (rule, R[b].tolist(), W[b].tolist())


def test_instant_runoff_fast_equals_reference_with_ties_and_truncation():
    rng = np.random.default_rng(11)
    for m in range(1, 7):
        for n in (1, 3, 6, 10):
            R = weak_ranks(rng, (30, n), m)
            W = rng.integers(0, 4, size=(30, n))
            got = ro.instant_runoff(R, W)
            for b in range(30):
                assert got[b].tolist() == ro._instant_runoff_reference(R[b], W[b]).tolist()


def test_plurality_fast_equals_reference_with_ties_and_truncation():
    rng = np.random.default_rng(12)
    raised = 0
    for m in range(1, 6):
        for n in (1, 3, 6):
            for _ in range(40):
                r = weak_ranks(rng, (n,), m)
                w = rng.integers(0, 3, size=n)
                try:
                    want = pos._plurality_reference(r, w)
                except sc.RuleInputError:
                    raised += 1
                    with pytest.raises(sc.RuleInputError, match=r"ties column .* first"):
                        pos.plurality(r, w)
                    continue
                assert pos.plurality(r, w).tolist() == want.tolist(), (r.tolist(), w.tolist())
    assert raised > 0


# ---------------------------------------------------------------------- hand examples
# Plurality, instant runoff, Borda and Condorcet all disagree (a = 0, ..., d = 3):
# 1: d c b a, 3: c b d a, 8: a d c b, 5: b c d a (17 voters).
DISAGREE = sc.Profile(
    [["d", "c", "b", "a"], ["c", "b", "d", "a"], ["a", "d", "c", "b"], ["b", "c", "d", "a"]],
    counts=[1, 3, 8, 5],
)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("plurality", ["a"]),  # a 8, b 5, c 3, d 1
        ("instant_runoff", ["b"]),  # d out -> c 4; c out -> b 9 of 17
        ("borda", ["c"]),  # a 24, b 22, c 29, d 27
        ("condorcet", ["d"]),  # d beats each of a, b, c 9 to 8
        ("black", ["d"]),
        ("coombs", ["d"]),  # a most often last (9) -> d has 9 first places
        ("baldwin", ["d"]),
        ("strict_nanson", ["d"]),
        ("anti_plurality", ["c", "d"]),  # last places: a 9, b 8, c 0, d 0
        ("bucklin", ["c", "d"]),  # top-2 counts a 8, b 8, c 9, d 9
    ],
)
def test_four_rules_four_winners(rule, expected):
    assert sc.winners(DISAGREE, rule) == expected


def test_seed_preference_function_realised_by_a_profile():
    """docs/reference.md §1: a McGarvey profile whose majority relation is the slides' F."""
    F = np.array([[0, 1, 1, -1], [-1, 0, 1, -1], [-1, -1, 0, 1], [1, 1, -1, 0]])
    ballots = []
    for x, y in zip(*np.nonzero(F > 0), strict=True):
        rest = [c for c in range(4) if c not in (x, y)]
        ballots += [[int(x), int(y), *rest], [*rest[::-1], int(x), int(y)]]
    p = sc.Profile(ballots, candidates=range(4))
    assert (np.sign(p.margin_matrix()) == F).all()
    assert p.condorcet_winner() is None
    # Borda = ((m-1)n + row sums of the margins)/2; row sums of F: 1, -1, -1, 1
    assert pos.borda_scores(p.linear_ranks(), p.counts).tolist() == [19, 17, 17, 19]
    assert sc.winners(p, "borda") == [0, 3]  # the seed's Copeland winners {a, d}
    assert sc.winners(p, "black") == [0, 3]  # no Condorcet winner -> Borda
    assert sc.winners(p, "baldwin") == [3]  # b, c out together, then d beats a
    assert sc.winners(p, "strict_nanson") == [3]
    assert sc.winners(p, "instant_runoff") == [2]
    assert sc.winners(p, "coombs") == [0]


def test_pref_voting_documentation_examples():
    def prof(orders, counts):
        return sc.Profile([list(o) for o in orders], counts=counts, candidates=range(3))

    # (pref_voting's docstring comment says [2] here; its function returns [0], as we do)
    assert sc.winners(prof([[0, 1, 2], [1, 0, 2], [2, 1, 0]], [3, 1, 2]), "plurality") == [0]
    assert sc.winners(prof([[0, 1, 2], [1, 0, 2], [1, 2, 0]], [3, 1, 2]), "plurality") == [0, 1]
    assert sc.winners(prof([[0, 1, 2], [1, 0, 2], [2, 1, 0]], [3, 1, 2]), "borda") == [0, 1]
    assert sc.winners(prof([[0, 1, 2], [1, 0, 2], [1, 2, 0]], [3, 1, 2]), "borda") == [1]
    assert sc.winners(prof([[2, 1, 0], [2, 0, 1], [0, 1, 2]], [3, 1, 2]), "anti_plurality") == [1]
    assert sc.winners(prof([[2, 1, 0], [2, 0, 1], [0, 2, 1]], [3, 1, 2]), "anti_plurality") == [2]
    assert sc.winners(prof([[1, 0, 2], [0, 2, 1], [0, 1, 2]], [2, 1, 1]), "bucklin") == [0]


def test_instant_runoff_ties_are_simultaneous_not_parallel_universes():
    # a 2, b 1, c 1: b and c go out together and a wins (parallel universes would too);
    # a 1, b 1, c 1 with second choices: all tied -> all three win.
    p = sc.Profile([["a", "b", "c"]] * 2 + [["b", "c", "a"], ["c", "b", "a"]])
    assert sc.winners(p, "instant_runoff") == ["a"]
    cyc = sc.Profile([["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"]])
    assert sc.winners(cyc, "instant_runoff") == ["a", "b", "c"]
    # 2 a, 2 b, 1 c>a>b, 1 d>b>a: c and d tie last and go together; a and b tie -> both win
    p = sc.Profile(
        [["a", "b", "c", "d"]] * 2 + [["b", "a", "c", "d"]] * 2 + [["c", "a", "b", "d"]]
        + [["d", "b", "a", "c"]]
    )
    assert sc.winners(p, "instant_runoff") == ["a", "b"]


def test_instant_runoff_truncated_and_tied_ballots():
    # exhausted ballots count for nobody: c out, its voter ranked nobody else
    p = sc.Profile([["a"], ["a"], ["b", "a"], ["b"], ["b"], ["c"]])
    assert sc.winners(p, "instant_runoff") == ["b"]
    # a tied top supports both candidates of the tier ("approval" tops score)
    p = sc.Profile([[("a", "b"), "c"], ["c", "a"], ["c", "b"], ["a"]])
    assert sc.winners(p, "instant_runoff") == ["a", "c"]  # a 2, b 1, c 2 -> b out; a 2, c 2


def test_coombs_majority_check_comes_first():
    # a has a strict majority of first places although most voters rank a last
    p = sc.Profile([["a", "b", "c"]] * 3 + [["b", "c", "a"]] * 2)
    assert sc.winners(p, "coombs") == ["a"]
    # no majority: c is last on 3 of 5 ballots and goes; then b beats a 3 to 2
    p = sc.Profile([["a", "b", "c"]] * 2 + [["b", "a", "c"]] + [["c", "b", "a"]] * 2)
    assert sc.winners(p, "coombs") == ["b"]


def test_plurality_tied_top_names_candidates_and_counts_ballots_from_one():
    """The note the app shows: names, not indices; ballots numbered from 1."""
    p = sc.Profile([["c", "a", "b"], ["a", "b", "c"], [("d", "b"), "a"]], candidates="abcd")
    with pytest.raises(sc.RuleInputError) as err:
        sc.winners(p, "plurality")
    assert "ballot 3 ties b and d first" in str(err.value)
    assert "[" not in str(err.value)
    note = sc.summarize(p, ["plurality"]).results[0].note
    assert note.startswith("n/a — ") and "ballot 3 ties b and d first" in note


def test_plurality_on_truncated_ballots_and_error_on_tied_top():
    p = sc.Profile([["a"], ["b", "a"], ["b"], []], candidates="abc")
    assert sc.winners(p, "plurality") == ["b"]
    with pytest.raises(sc.RuleInputError, match="ballot 1 ties a and b first"):
        sc.winners(sc.Profile([[("a", "b"), "c"], ["c"]]), "plurality")
    with pytest.raises(sc.RuleInputError, match=r"ballot 1 of profile \(1,\) ties column 0"):
        sc.winner_mask(ranks=np.array([[[0, 1, 2]], [[0, 0, 1]]]), rule="plurality")
    # a ballot of weight 0 is not a vote and may have a tied top
    ranks = np.array([[0, 1, 2], [0, 0, 1]])
    assert pos.plurality(ranks, np.array([1, 0])).tolist() == [True, False, False]


@pytest.mark.parametrize(
    "rule", ["borda", "anti_plurality", "bucklin", "black", "coombs", "baldwin", "strict_nanson"]
)
def test_linear_only_rules_reject_ties_and_truncation(rule):
    with pytest.raises(sc.RuleInputError, match="strict, complete"):
        sc.winners(sc.Profile([[("a", "b"), "c"], ["c", "a", "b"]]), rule)
    with pytest.raises(sc.RuleInputError, match="strict, complete"):
        sc.winner_mask(ranks=np.array([[0, 0, 2], [0, 1, 2]]), rule=rule)
    # a rank array row that leaves out one candidate (position >= m) is complete, as in Profile
    assert sc.winner_mask(ranks=np.array([[0, 1, 3], [0, 1, 2]]), rule=rule).shape == (3,)
    # leaving out only the last candidate is still a complete ranking
    assert sc.winners(sc.Profile([["a", "b"], ["a", "c", "b"]], candidates="abc"), rule) == ["a"]


def test_single_candidate_always_wins():
    R = np.zeros((3, 4, 1), dtype=int)
    for rule in OURS:
        assert sc.winner_mask(ranks=R, rule=rule).tolist() == [[True]] * 3, rule


# ---------------------------------------------------------------------- weights and shapes
@pytest.mark.parametrize("rule", OURS)
def test_weights_equal_repeated_ballots(rule):
    rng = np.random.default_rng(3)
    R = linear_ranks(rng, (40, 4), 4)
    W = rng.integers(1, 4, size=(40, 4))
    got = sc.winner_mask(ranks=R, weights=W, rule=rule)
    for b in range(40):
        repeated = np.repeat(R[b], W[b], axis=0)
        assert sc.winner_mask(ranks=repeated, rule=rule).tolist() == got[b].tolist()


@pytest.mark.parametrize("rule", OURS)
def test_leading_batch_dimensions_and_weight_broadcasting(rule):
    rng = np.random.default_rng(4)
    R = linear_ranks(rng, (2, 3, 5), 4)
    w = np.array([1, 2, 1, 3, 1])
    got = sc.winner_mask(ranks=R, weights=w, rule=rule)
    assert got.shape == (2, 3, 4)
    flat = sc.winner_mask(ranks=R.reshape(6, 5, 4), weights=np.tile(w, (6, 1)), rule=rule)
    assert (got.reshape(6, 4) == flat).all()
    for i, j in np.ndindex(2, 3):
        p = sc.Profile.from_ranks(R[i, j], counts=w)
        assert np.flatnonzero(got[i, j]).tolist() == sc.winners(p, rule)


def test_score_helpers():
    rng = np.random.default_rng(5)
    R = linear_ranks(rng, (10, 6), 5)
    W = rng.integers(0, 3, size=(10, 6))
    assert (pos.positional_scores(R, [4, 3, 2, 1, 0], W) == pos.borda_scores(R, W)).all()
    assert (pos.positional_scores(R, [1], W) == pos.plurality_scores(R, W)).all()
    veto = pos.positional_scores(R, [0, 0, 0, 0, 1], W)
    assert (veto == pos.anti_plurality_scores(R, W)).all()
    with pytest.raises(sc.RuleInputError, match="non-negative"):
        pos.positional_scores(R, [1], -W)
    expected = r"of shape \(\.\.\., 6\), one per voter of ranks of shape \(10, 6, 5\)"
    with pytest.raises(sc.RuleInputError, match=expected):
        pos.borda_scores(R, np.ones(3))


def test_orders_and_registry_entries():
    assert sc.ranking(DISAGREE, "plurality") == [["a"], ["b"], ["c"], ["d"]]
    assert sc.ranking(DISAGREE, "borda") == [["c"], ["d"], ["a"], ["b"]]
    assert sc.ranking(DISAGREE, "anti_plurality") == [["c", "d"], ["b"], ["a"]]
    for name in ("plurality", "borda", "anti_plurality", "bucklin", "black"):
        assert sc.RULES[name].family == "positional" and sc.RULES[name].needs == "profile"
    for name in ("instant_runoff", "coombs", "baldwin", "strict_nanson"):
        assert sc.RULES[name].family == "runoff" and sc.RULES[name].batched
    assert not sc.RULES["plurality"].linear_only and not sc.RULES["instant_runoff"].linear_only


@pytest.mark.parametrize(
    ("rule", "scores", "lower_is_better"),
    [
        ("plurality", lambda p: pos.plurality_scores(p.ranks, p.counts), False),
        ("borda", lambda p: pos.borda_scores(p.ranks, p.counts), False),
        ("anti_plurality", lambda p: pos.anti_plurality_scores(p.ranks, p.counts), True),
        ("copeland", lambda p: sc.rules.condorcet.copeland_scores(p.margin_matrix()), False),
        ("minimax", lambda p: sc.rules.condorcet.minimax_scores(p.margin_matrix()), True),
    ],
)
def test_score_rules_rank_by_their_scores(rule, scores, lower_is_better):
    """``ranking`` of a score rule: tiers of equal score, best first, winners on top."""
    for seed in range(30):
        p = sc.generate.impartial_culture(7, 4, rng=seed)
        s = scores(p)
        best_first = sorted(set(s.tolist()), reverse=not lower_is_better)
        expected = [[c for c in p.candidates if s[c] == v] for v in best_first]
        assert sc.ranking(p, rule) == expected, (rule, p.ballots)
        assert sc.ranking(p, rule)[0] == sc.winners(p, rule)
