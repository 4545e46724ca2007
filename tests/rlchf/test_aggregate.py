"""rlchf.aggregate_pairs: the batched implementation against a per-prompt reference and
against pref_voting, its conventions (margins, ties, adjacent pairs), and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pref_voting import c1_methods as c1
from pref_voting import iterative_methods as it
from pref_voting import margin_based_methods as mb
from pref_voting import scoring_methods as sm
from pref_voting.helper import swf_from_vm
from pref_voting.profiles import Profile as PVProfile
from pref_voting.profiles_with_ties import ProfileWithTies

import socialchoice as sc
from rlchf import AggregationError, PreferenceData, PreferenceDataError, RLCHFError
from rlchf import aggregate_pairs as aggregate
from rlchf._aggregate_levels import (
    BATCHED_ORDERS,
    _per_distinct_profile,
    canonical_ranks,
    collective_levels,
)
from rlchf._aggregate_ref import aggregate_pairs_ref

RULES = ["pairwise_majority", *sc.rule_names()]
LINEAR_ONLY = {name for name in sc.RULES if sc.RULES[name].linear_only}
COLUMNS = ["prompt_id", "prompt", "chosen", "rejected", "margin"]


# ------------------------------------------------------------------------- data
def ranking_frame(prompts: list[tuple[int, list[list[int]]]], ids=None) -> pd.DataFrame:
    """Rows from ``[(m, ballots)]``: a ballot lists a rank per response (-1: unranked)."""
    rows = []
    for p, (m, ballots) in enumerate(prompts):
        for a, ballot in enumerate(ballots):
            for r in range(m):
                if ballot[r] >= 0:
                    rid = r if ids is None else ids[r]
                    rows.append((f"p{p}", f"prompt {p}", rid, f"text {p}.{r}", f"ann{a}",
                                 ballot[r]))
    return pd.DataFrame(rows, columns=["prompt_id", "prompt", "response_id", "response",
                                       "annotator_id", "rank"])


def ranking(prompts, ids=None) -> PreferenceData:
    return PreferenceData.from_pandas(ranking_frame(prompts, ids), kind="ranking")


@st.composite
def profiles(draw, *, strict: bool, max_m: int = 5, max_n: int = 5):
    """Prompts as (m, ballots); ``strict``: complete strict rankings, else ties and gaps."""
    out = []
    for _ in range(draw(st.integers(1, 4))):
        m = draw(st.integers(2, max_m))
        ballots = []
        for _ in range(draw(st.integers(1, max_n))):
            if strict:
                ballots.append(draw(st.permutations(range(m))))
                continue
            ranks = draw(st.lists(st.integers(-1, m - 1), min_size=m, max_size=m))
            if sum(r >= 0 for r in ranks) < 2:  # an annotator ranks at least two
                ranks[0], ranks[1] = max(ranks[0], 0), max(ranks[1], 0)
            ballots.append(ranks)
        # every response is ranked by someone (a prompt's responses are those of its rows)
        seen = {r for b in ballots for r in range(m) if b[r] >= 0}
        if len(seen) < 2:
            continue
        keep = sorted(seen)
        out.append((len(keep), [[b[r] for r in keep] for b in ballots]))
    if not out:
        out.append((2, [[0, 1]]))
    return out


def same(fast: pd.DataFrame, ref: pd.DataFrame) -> None:
    assert list(fast.columns) == COLUMNS
    assert len(fast) == len(ref)
    for col in ["prompt_id", "prompt", "chosen", "rejected"]:
        assert fast[col].tolist() == ref[col].tolist(), col
    np.testing.assert_allclose(fast["margin"].to_numpy(), ref["margin"].to_numpy(), atol=1e-12)


# ------------------------------------------------------------------------- examples
SEED_F = [  # the slides' intransitive preference function as three voters over a, b, c, d
    [0, 1, 2, 3], [3, 0, 1, 2], [1, 3, 0, 2],
]


def test_copeland_by_hand() -> None:
    # ann: 0>1>2, bob: 1>0>2, cy: 0>2>1: Copeland 0 (2 wins), 1 (1), 2 (0)
    data = ranking([(3, [[0, 1, 2], [1, 0, 2], [0, 2, 1]])])
    out = aggregate(data, "copeland")
    assert out[["chosen", "rejected"]].values.tolist() == [
        ["text 0.0", "text 0.1"], ["text 0.0", "text 0.2"], ["text 0.1", "text 0.2"]]
    assert out["margin"].tolist() == pytest.approx([1 / 3, 1, 1 / 3])
    adjacent = aggregate(data, "copeland", pairs="adjacent")
    assert adjacent[["chosen", "rejected"]].values.tolist() == [
        ["text 0.0", "text 0.1"], ["text 0.1", "text 0.2"]]


def test_ties_form_no_pair_unless_broken_by_id() -> None:
    # a 2-cycle tie: ann 0>1, bob 1>0, and response 2 last for both
    data = ranking([(3, [[0, 1, 2], [1, 0, 2]])], ids=["b", "a", "c"])
    out = aggregate(data, "copeland")
    assert sorted(map(tuple, out[["chosen", "rejected"]].values)) == [
        ("text 0.0", "text 0.2"), ("text 0.1", "text 0.2")]
    broken = aggregate(data, "copeland", tie_break="response_id")
    # id 'a' (text 0.1) before id 'b' (text 0.0): a zero-margin pair is emitted
    assert broken[["chosen", "rejected", "margin"]].values.tolist()[0] == [
        "text 0.1", "text 0.0", 0.0]
    assert len(broken) == 3


def test_pairwise_majority_keeps_only_strict_majorities() -> None:
    data = ranking([(4, SEED_F)])
    out = aggregate(data, "pairwise_majority")
    M = sc.Profile([list(np.argsort(b)) for b in SEED_F]).margin_matrix()
    expected = {(f"text 0.{a}", f"text 0.{b}") for a in range(4) for b in range(4) if M[a, b] > 0}
    assert set(map(tuple, out[["chosen", "rejected"]].values)) == expected
    assert (out["margin"] > 0).all()


def test_borda_can_order_a_pair_against_its_majority() -> None:
    # 3 voters a>b>c, 2 voters b>c>a: Borda a 6, b 7, c 2... majority a over b 3:2
    ballots = [[0, 1, 2]] * 3 + [[2, 0, 1]] * 2
    out = aggregate(ranking([(3, ballots)]), "borda")
    first = out.iloc[0]
    assert (first["chosen"], first["rejected"]) == ("text 0.1", "text 0.0")
    assert first["margin"] == pytest.approx(-1 / 5)


def test_every_prompt_tied_gives_an_empty_table() -> None:
    out = aggregate(ranking([(2, [[0, 1], [1, 0]])]), "copeland")
    assert list(out.columns) == COLUMNS and len(out) == 0


def test_progress_reports_prompts() -> None:
    seen = []
    data = ranking([(2, [[0, 1]]), (3, [[0, 1, 2]] * 2), (2, [[1, 0]])])
    aggregate(data, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 3) and seen[-1] == (3, 3)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


# ------------------------------------------------------------------------- reference
_SETTINGS = settings(max_examples=12, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("rule", RULES)
@_SETTINGS
@given(data=st.data())
def test_matches_the_reference(rule: str, data) -> None:
    strict = rule in LINEAR_ONLY or rule == "plurality" or data.draw(st.booleans())
    prompts = data.draw(profiles(strict=strict))
    pairs = data.draw(st.sampled_from(["all", "adjacent"])) if rule != "pairwise_majority" \
        else "all"
    tie_break = data.draw(st.sampled_from(["none", "response_id"]))
    prefs = ranking(prompts)
    same(aggregate(prefs, rule, pairs=pairs, tie_break=tie_break),
         aggregate_pairs_ref(prefs, rule, pairs=pairs, tie_break=tie_break))


@pytest.mark.parametrize("rule", ["copeland", "minimax", "schulze", "split_cycle", "kemeny",
                                  "pairwise_majority"])
@_SETTINGS
@given(prompts=profiles(strict=False))
def test_pairwise_data_matches_the_reference(rule: str, prompts) -> None:
    pairwise = ranking(prompts).to_pairwise()
    same(aggregate(pairwise, rule), aggregate_pairs_ref(pairwise, rule))


@pytest.mark.parametrize("rule", ["copeland", "minimax", "schulze", "smith", "split_cycle",
                                  "pairwise_majority"])
@_SETTINGS
@given(prompts=profiles(strict=False))
def test_pairwise_form_gives_the_same_pairs(rule: str, prompts) -> None:
    """Every pair of every ranking, as pairwise judgments, has the same margins (divided by
    the same evaluators), so order-free rules give the same pairs."""
    prefs = ranking(prompts)

    def rows(frame: pd.DataFrame) -> list:
        return sorted(map(tuple, frame.round(12).values.tolist()))

    assert rows(aggregate(prefs, rule)) == rows(aggregate(prefs.to_pairwise(), rule))


def test_repeated_pairwise_judgments_count_as_their_mean() -> None:
    df = pd.DataFrame({
        "prompt_id": 1, "prompt": "Q", "response_a": ["x", "x", "y", "x"],
        "response_b": ["y", "y", "x", "y"], "label": [1, 1, 1, 0.5],
        "annotator_id": ["a", "a", "a", "b"]})
    out = aggregate(PreferenceData.from_pandas(df, "pairwise"), "copeland")
    # annotator a: x>y, x>y, y>x -> mean +1/3; b: tie -> 0; two evaluators
    assert out[["chosen", "rejected"]].values.tolist() == [["x", "y"]]
    assert out["margin"].iloc[0] == pytest.approx(1 / 6)
    same(out, aggregate_pairs_ref(PreferenceData.from_pandas(df, "pairwise"), "copeland"))


def test_padded_evaluators_and_many_shapes() -> None:
    """Prompts with 17-40 evaluators share padded groups (weight-0 ballots) for margin
    rules and exact groups for ballot rules; both match the reference."""
    rng = np.random.default_rng(5)
    prompts = [(int(m), [list(rng.permutation(int(m))) for _ in range(int(n))])
               for m, n in zip(rng.integers(2, 5, 12), rng.integers(1, 41, 12), strict=True)]
    prefs = ranking(prompts)
    for rule in ["copeland", "borda", "instant_runoff", "ranked_pairs"]:
        same(aggregate(prefs, rule), aggregate_pairs_ref(prefs, rule))


# ------------------------------------------------------------------------- pref_voting
def _pv_levels(rule: str, ballots: list[list[int]], m: int) -> np.ndarray:
    """pref_voting's collective ranking (dict candidate -> level) as levels per slot."""
    orders = [list(np.argsort(b)) for b in ballots]
    prof = PVProfile(orders)
    if rule == "copeland":
        scores = c1.copeland_ranking(prof).rmap
    elif rule == "borda":
        scores = sm.borda_ranking(prof).rmap
    elif rule == "plurality":
        scores = sm.plurality_ranking(prof).rmap
    elif rule == "anti_plurality":
        scores = sm.anti_plurality_ranking(prof).rmap
    elif rule == "minimax":
        s = mb.minimax_scores(prof)  # the negated largest defeat: higher is better
        scores = {c: -s[c] for c in s}
    else:
        vm = {"instant_runoff": it.instant_runoff, "smith": c1.top_cycle,
              "split_cycle": mb.split_cycle, "coombs": it.coombs, "llull": c1.llull,
              "condorcet": c1.condorcet}[rule]
        scores = swf_from_vm(vm)(prof).rmap
    return np.array([scores[c] for c in range(m)], dtype=float)


@pytest.mark.parametrize("rule", ["copeland", "borda", "plurality", "anti_plurality",
                                  "minimax", "instant_runoff", "smith", "split_cycle",
                                  "coombs", "llull", "condorcet"])
@_SETTINGS
@given(prompts=profiles(strict=True))
def test_matches_pref_voting(rule: str, prompts) -> None:
    out = aggregate(ranking(prompts), rule)
    expected = []
    for p, (m, ballots) in enumerate(prompts):
        levels = _pv_levels(rule, ballots, m)
        M = PVProfile([list(np.argsort(b)) for b in ballots]).margin
        for a in range(m):
            for b in range(m):
                if levels[a] < levels[b]:
                    expected.append((f"p{p}", f"text {p}.{a}", f"text {p}.{b}",
                                     round(M(a, b) / len(ballots), 12)))
    got = [(r.prompt_id, r.chosen, r.rejected, round(r.margin, 12))
           for r in out.itertuples(index=False)]
    assert sorted(got) == sorted(expected)


@_SETTINGS
@given(prompts=profiles(strict=False))
def test_copeland_with_ties_matches_pref_voting(prompts) -> None:
    out = aggregate(ranking(prompts), "copeland")
    expected = []
    for p, (m, ballots) in enumerate(prompts):
        prof = ProfileWithTies([{c: r for c, r in enumerate(b) if r >= 0} for b in ballots],
                               candidates=list(range(m)))
        score = prof.copeland_scores()
        for a in range(m):
            for b in range(m):
                if score[a] > score[b]:
                    expected.append((f"text {p}.{a}", f"text {p}.{b}",
                                     round(prof.margin(a, b) / len(ballots), 12)))
    got = [(r.chosen, r.rejected, round(r.margin, 12)) for r in out.itertuples(index=False)]
    assert sorted(got) == sorted(expected)


# ------------------------------------------------------------------------- levels
@pytest.mark.parametrize("rule", sorted(BATCHED_ORDERS))
def test_batched_orders_match_one_profile_at_a_time(rule: str) -> None:
    """The rules called once per batch give each profile the order socialchoice gives it."""
    rng = np.random.default_rng(0)
    ranks = np.argsort(np.argsort(rng.random((200, 5, 4)), axis=-1), axis=-1)
    M = sc.margins(ranks)
    r = sc.RULES[rule]
    levels = collective_levels(r, M, ranks)
    for b in range(len(ranks)):
        one = collective_levels(r, M[b:b + 1], ranks[b:b + 1])
        assert levels[b].tolist() == one[0].tolist()
        p = sc.Profile([list(np.argsort(x)) for x in ranks[b]])
        tiers = sc.ranking(p, rule)
        assert [sorted(np.flatnonzero(levels[b] == k).tolist()) for k in range(len(tiers))] \
            == [sorted(t) for t in tiers]


def test_per_distinct_profile_order() -> None:
    ranks = np.array([[[0, 1, 2], [1, 0, 2]], [[2, 1, 0], [2, 0, 1]], [[0, 1, 2], [1, 0, 2]]])
    out = _per_distinct_profile(ranks, None, sc.RULES["borda"].order)
    assert out.tolist() == [[0, 0, 1], [1, 0, 0], [0, 0, 1]]  # Borda 3, 3, 0 and 0, 3, 3


def test_canonical_ranks_keep_each_weak_order() -> None:
    r = np.array([[[5, 5, 9, 0], [1, 2, 3, 4]]])
    ranked = np.array([[[True, True, True, False], [True, True, True, True]]])
    assert canonical_ranks(r, ranked).tolist() == [[[0, 0, 2, 4], [0, 1, 2, 3]]]


# ------------------------------------------------------------------------- bad input
@pytest.fixture
def prefs() -> PreferenceData:
    return ranking([(3, [[0, 1, 2], [1, 0, 2], [0, 2, 1]])])


def test_unknown_rule_lists_the_rules(prefs: PreferenceData) -> None:
    with pytest.raises(AggregationError, match=r"Unknown rule 'copland'.*pairwise_majority") as e:
        aggregate(prefs, "copland")
    assert isinstance(e.value, RLCHFError) and isinstance(e.value, sc.SocialChoiceError)
    with pytest.raises(AggregationError, match="must be a rule name"):
        aggregate(prefs, 3)


def test_ballot_rule_on_pairwise_data(prefs: PreferenceData) -> None:
    with pytest.raises(AggregationError, match=r"'borda' needs each evaluator's ranking.*"
                                               r"pairwise data.*copeland"):
        aggregate(prefs.to_pairwise(), "borda")


@pytest.mark.parametrize(("options", "message"), [
    ({"pairs": "some"}, "The 'pairs' parameter of aggregate_pairs must be one of 'all', "
                        "'adjacent'. Got 'some' instead."),
    ({"tie_break": "random"}, "The 'tie_break' parameter of aggregate_pairs must be one of "
                              "'none', 'response_id'. Got 'random' instead."),
    ({"time_limit": -1}, "The 'time_limit' parameter of aggregate_pairs must be"),
    ({"rule": "pairwise_majority", "pairs": "adjacent"}, "needs a collective ranking"),
])
def test_bad_options(prefs: PreferenceData, options: dict, message: str) -> None:
    with pytest.raises(RLCHFError) as e:
        aggregate(prefs, **options)
    assert message in str(e.value)


def test_not_preference_data() -> None:
    with pytest.raises(PreferenceDataError, match="must be a PreferenceData"):
        aggregate(pd.DataFrame({"prompt_id": [1]}))


def test_linear_rule_names_the_prompt_and_annotator() -> None:
    data = ranking([(3, [[0, 1, 2]]), (3, [[0, 1, 2], [0, 0, 1]])])
    with pytest.raises(AggregationError, match=r"'borda' is defined on strict, complete "
                                               r"rankings, but annotator 'ann1'.*prompt 'p1'"):
        aggregate(data, "borda")


def test_rule_input_error_names_the_prompt() -> None:
    # plurality with a tied first place in the third prompt only
    data = ranking([(2, [[0, 1]]), (2, [[1, 0]]), (2, [[0, 0], [0, 1]]), (2, [[0, 1]])])
    with pytest.raises(AggregationError, match="'plurality' cannot aggregate prompt 'p2'"):
        aggregate(data, "plurality")


def test_prompt_with_one_response() -> None:
    frame = ranking_frame([(2, [[0, 1]])]).iloc[:1]
    with pytest.raises(PreferenceDataError, match="one response"):
        PreferenceData.from_pandas(frame, "ranking")
    # data built without validation (as the simulator does) is checked here too
    with pytest.raises(PreferenceDataError, match="prompt 'p0' has one response"):
        aggregate(PreferenceData(frame.reset_index(drop=True), "ranking", ()))


def test_time_limit_is_socialchoices_error() -> None:
    rng = np.random.default_rng(0)
    data = ranking([(8, [list(rng.permutation(8)) for _ in range(7)])])
    with pytest.raises(sc.TimeLimitError, match="kemeny did not finish"):
        aggregate(data, "kemeny", time_limit=0)
    assert len(aggregate(data, "kemeny", time_limit=None)) == 28


def test_ids_that_cannot_be_sorted() -> None:
    frame = ranking_frame([(2, [[0, 1], [1, 0]])])
    frame["response_id"] = frame["response_id"].map({0: "a", 1: 1}).astype(object)
    data = PreferenceData.from_pandas(frame, "ranking")
    assert len(aggregate(data)) == 0
    with pytest.raises(RLCHFError, match="response ids that can be sorted"):
        aggregate(data, tie_break="response_id")


@pytest.mark.parametrize("rule", ["copeland", "borda", "kemeny"])
@_SETTINGS
@given(prompts=profiles(strict=True), big=st.booleans())
def test_hashed_candidates_match_the_dense_table(rule: str, prompts, big) -> None:
    """Sparse ids (a dense (prompt, id) table would be too large) are hashed and sorted."""
    from rlchf import _aggregate_profiles

    ids = [10**12 + 7 * k for k in range(5)] if big else [f"r{9 - k}" for k in range(5)]
    prefs = ranking(prompts, ids=ids)
    dense = aggregate(prefs, rule)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_aggregate_profiles, "DENSE_EXTRA", -(10**9))
        hashed = aggregate(prefs, rule)
    same(hashed, dense)
    same(dense, aggregate_pairs_ref(prefs, rule))


@pytest.mark.parametrize("rule", ["copeland", "borda", "schulze"])
@_SETTINGS
@given(prompts=profiles(strict=True), seed=st.integers(0, 2**32 - 1),
       within=st.booleans())
def test_row_order_does_not_change_the_pairs(rule: str, prompts, seed: int,
                                             within: bool) -> None:
    """Rows shuffled (all of them, or only within each prompt, which splits an evaluator's
    rows into several runs) give the same pairs; only the prompts' order may change."""
    frame = ranking_frame(prompts)
    rng = np.random.default_rng(seed)
    if within:
        order = frame.assign(key=rng.random(len(frame))).sort_values(["prompt_id", "key"]).index
    else:
        order = rng.permutation(len(frame))
    shuffled = PreferenceData.from_pandas(frame.iloc[order], "ranking")
    prefs = PreferenceData.from_pandas(frame, "ranking")

    def rows(out: pd.DataFrame) -> list:
        return sorted(map(tuple, out.round(12).values.tolist()))

    assert rows(aggregate(shuffled, rule)) == rows(aggregate(prefs, rule))
    same(aggregate(shuffled, rule), aggregate_pairs_ref(shuffled, rule))
