"""Aggregation Γ, method "flow": Bayesian edge weights and the per-context wisdom flow."""

from __future__ import annotations

import itertools
import logging

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moralgraph import MoralGraph, MoralGraphError, ValueCard, WiserVote
from moralgraph._flow import edge_weights, flow_scores
from moralgraph._flow_ref import edge_weights_ref, flow_scores_ref

VERDICT_CHOICES = np.array(["wiser", "not_wiser", "unsure"], dtype=object)


def random_votes(seed: int, n_values: int = 6, n_votes: int = 40, n_ctx: int = 3):
    """Random votes (one per participant, pair and context) and the value ids."""
    rng = np.random.default_rng(seed)
    values = [f"v{k}" for k in range(n_values)]
    rows = {}
    for _ in range(n_votes):
        a, b = rng.choice(n_values, size=2, replace=False)
        participant = f"p{rng.integers(12)}"
        context = f"c{rng.integers(n_ctx)}"
        verdict = rng.choice(VERDICT_CHOICES, p=[0.6, 0.3, 0.1])
        rows[(participant, values[a], values[b], context)] = verdict
    frame = pd.DataFrame(
        [[*key, verdict] for key, verdict in rows.items()],
        columns=["participant", "from_value", "to_value", "context", "verdict"],
    )
    return frame, values


def frame(*rows):
    columns = ["participant", "from_value", "to_value", "context", "verdict"]
    return pd.DataFrame(rows, columns=columns)


settings_small = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


# --- edge weights -----------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(8))
def test_edge_weights_match_the_reference(seed):
    votes, values = random_votes(seed)
    fast = edge_weights(votes, values, prior=(1.5, 0.7))
    ref = edge_weights_ref(votes, values, prior=(1.5, 0.7))
    assert len(fast) == len(ref)
    for row in fast.itertuples(index=False):
        n_for, n_against, weight = ref[(row.context, row.from_value, row.to_value)]
        assert (row.n_wiser, row.n_against) == (n_for, n_against)
        assert row.weight == pytest.approx(weight, abs=1e-12)


def test_one_lonely_vote_counts_little_and_thirty_count_a_lot():
    one = frame(("ann", "a", "b", "c", "wiser"))
    thirty = frame(*[(f"p{k}", "a", "b", "c", "wiser") for k in range(30)])
    w1 = edge_weights(one, ["a", "b"]).set_index(["from_value", "to_value"])["weight"]
    w30 = edge_weights(thirty, ["a", "b"]).set_index(["from_value", "to_value"])["weight"]
    assert w1["a", "b"] == pytest.approx(0.5)
    assert w30["a", "b"] > 0.999999
    assert w1["b", "a"] == w30["b", "a"] == 0.0


def test_split_votes_give_no_weight_and_unsure_votes_are_ignored():
    votes = frame(
        ("ann", "a", "b", "c", "wiser"),
        ("bob", "b", "a", "c", "wiser"),
        ("cy", "a", "b", "c", "unsure"),
    )
    weights = edge_weights(votes, ["a", "b"])
    assert weights["weight"].tolist() == [0.0, 0.0]
    assert weights["n_wiser"].tolist() == [1, 1]
    assert weights["n_against"].tolist() == [1, 1]


def test_weight_grows_with_agreeing_votes_and_falls_with_dissent():
    def weight(n_for, n_against):
        rows = [(f"p{k}", "a", "b", "c", "wiser") for k in range(n_for)]
        rows += [(f"q{k}", "a", "b", "c", "not_wiser") for k in range(n_against)]
        w = edge_weights(frame(*rows), ["a", "b"])
        return float(w.loc[(w.from_value == "a") & (w.to_value == "b"), "weight"].iloc[0])

    grows = [weight(n, 2) for n in range(1, 12)]
    assert all(x < y for x, y in itertools.pairwise(grows[2:]))
    assert weight(5, 0) > weight(5, 1) > weight(5, 3)


def test_edge_weights_restricted_to_contexts():
    votes, values = random_votes(3)
    one = edge_weights(votes, values, contexts="c1")
    assert set(one["context"]) == {"c1"}
    assert len(one) == len(edge_weights(votes, values).query("context == 'c1'"))


# --- flow scores against networkx ---------------------------------------------------------


@pytest.mark.parametrize("seed", range(10))
def test_flow_scores_match_networkx_pagerank(seed):
    votes, values = random_votes(seed, n_values=8, n_votes=80)
    rng = np.random.default_rng(seed + 100)
    base = dict(zip(values, rng.random(len(values)) + 0.05, strict=True))
    alpha = float(rng.choice([0.0, 0.3, 0.85, 0.99]))
    for contexts, ref_contexts in [
        (None, ["c0", "c1", "c2"]),
        (["c0", "c2"], ["c0", "c2"]),
        ("c1", ["c1"]),
    ]:
        fast = flow_scores(votes, values, contexts=contexts, propagation=alpha, base=base)
        ref = flow_scores_ref(votes, values, ref_contexts, propagation=alpha, base=base)
        for value, score in ref.items():
            assert fast[value] == pytest.approx(score, abs=1e-8)


def test_flow_of_a_chain_matches_networkx_exactly_enough():
    votes = frame(
        ("ann", "a", "b", "c", "wiser"),
        ("bob", "a", "b", "c", "wiser"),
        ("cy", "b", "c", "c", "wiser"),
    )
    fast = flow_scores(votes, ["a", "b", "c"], propagation=0.85, tol=1e-14)
    ref = flow_scores_ref(votes, ["a", "b", "c"], ["c"], tol=1e-14)
    assert fast.index.tolist() == ["c", "b", "a"]
    assert np.allclose([fast[k] for k in ref], list(ref.values()), atol=1e-10)


# --- properties ------------------------------------------------------------------------------


@settings_small
@given(
    seed=st.integers(0, 10**6),
    alpha=st.floats(0, 0.99),
    n_values=st.integers(2, 7),
    n_votes=st.integers(0, 40),
)
def test_scores_sum_to_one_and_are_sorted(seed, alpha, n_values, n_votes):
    votes, values = random_votes(seed, n_values, n_votes)
    scores = flow_scores(votes, values, propagation=alpha)
    assert scores.sum() == pytest.approx(1.0, abs=1e-12)
    assert sorted(scores.index) == sorted(values)
    assert (np.diff(scores.to_numpy()) <= 0).all()


@settings_small
@given(seed=st.integers(0, 10**6), n_values=st.integers(2, 7))
def test_propagation_zero_returns_the_base_exactly(seed, n_values):
    votes, values = random_votes(seed, n_values, 30)
    weights = np.random.default_rng(seed).random(n_values)
    scores = flow_scores(votes, values, propagation=0.0, base=weights)
    expected = pd.Series(weights / weights.sum(), index=values)
    assert scores.reindex(values).to_numpy().tolist() == expected.to_numpy().tolist()
    uniform = flow_scores(votes, values, propagation=0)
    assert uniform.tolist() == [1 / n_values] * n_values
    assert uniform.index.tolist() == sorted(values)  # ties broken by value id


@settings_small
@given(seed=st.integers(0, 10**6), alpha=st.floats(0, 0.95), perm_seed=st.integers(0, 1000))
def test_relabelling_values_permutes_the_scores(seed, alpha, perm_seed):
    votes, values = random_votes(seed, 6, 40)
    new = list(np.random.default_rng(perm_seed).permutation([f"x{k}" for k in range(6)]))
    mapping = dict(zip(values, new, strict=True))
    renamed = votes.assign(
        from_value=votes["from_value"].map(mapping), to_value=votes["to_value"].map(mapping)
    )
    before = flow_scores(votes, values, propagation=alpha)
    after = flow_scores(renamed, new[::-1], propagation=alpha)
    for value, score in before.items():
        assert after[mapping[value]] == pytest.approx(score, abs=1e-10)


@settings_small
@given(
    seed=st.integers(0, 10**6),
    alpha=st.floats(0.05, 0.95),
    extra=st.integers(1, 10),
    pair=st.tuples(st.integers(0, 5), st.integers(0, 5)).filter(lambda p: p[0] != p[1]),
)
def test_more_agreeing_votes_on_a_pair_raise_the_wiser_value(seed, alpha, extra, pair):
    """Monotone when B has no "wiser" votes towards A: the new votes then only strengthen
    A → B. (With a reverse edge they also weaken B → A, and B can lose score that A used to
    send back; Hypothesis found such a case: seed=2, pair=(5, 2). See flow_scores Notes.)"""
    votes, values = random_votes(seed, 6, 30, n_ctx=1)
    a, b = values[pair[0]], values[pair[1]]
    reverse = (votes.from_value == b) & (votes.to_value == a) & (votes.verdict == "wiser")
    votes = votes[~reverse]
    more = pd.concat([votes, frame(*[(f"new{k}", a, b, "c0", "wiser") for k in range(extra)])])
    before = flow_scores(votes, values, propagation=alpha)
    after = flow_scores(more, values, propagation=alpha)
    assert after[b] >= before[b] - 1e-12


# --- contexts and bad input ---------------------------------------------------------------------


def test_a_context_without_votes_falls_back_to_base_with_a_warning(caplog):
    votes, values = random_votes(1)
    base = {"v0": 3.0, "v1": 1.0}
    with caplog.at_level(logging.WARNING, logger="moralgraph._flow"):
        scores = flow_scores(votes, values, contexts="nobody voted here", base=base)
    assert "nobody voted here" in caplog.text
    assert scores.to_dict() == {"v0": 0.75, "v1": 0.25, **{v: 0.0 for v in values[2:]}}


def test_contexts_are_pooled_by_their_vote_counts():
    votes, values = random_votes(5, n_ctx=2)
    counts = votes["context"].value_counts()
    s0 = flow_scores(votes, values, contexts="c0")
    s1 = flow_scores(votes, values, contexts="c1")
    pooled = flow_scores(votes, values, contexts=["c0", "c1"])
    expected = (counts["c0"] * s0 + counts["c1"] * s1) / counts.sum()
    pd.testing.assert_series_equal(pooled.sort_index(), expected.sort_index(), atol=1e-12)
    pd.testing.assert_series_equal(
        flow_scores(votes, values).sort_index(), pooled.sort_index(), atol=1e-12
    )
    with_empty = flow_scores(votes, values, contexts=["c0", "c1", "empty"])
    pd.testing.assert_series_equal(with_empty.sort_index(), pooled.sort_index(), atol=1e-12)


def test_works_on_a_moral_graph_votes_frame():
    cards = [ValueCard(i, i.title(), "", [f"about {i}"]) for i in ("comfort", "agency", "truth")]
    g = MoralGraph(
        cards,
        [WiserVote(p, "comfort", "agency", "distress", "wiser") for p in ("ann", "bob", "cy")]
        + [WiserVote("dan", "agency", "truth", "distress", "not_wiser")],
    )
    scores = flow_scores(g.votes_frame(), [c.id for c in cards])
    assert scores.index[0] == "agency"


@pytest.mark.parametrize("propagation", [1.0, -0.1, 1.5, float("nan"), "0.5", True])
def test_propagation_outside_the_unit_interval_is_refused(propagation):
    votes, values = random_votes(0)
    with pytest.raises(MoralGraphError, match=r"'propagation' parameter of flow_scores.*\[0, 1\)"):
        flow_scores(votes, values, propagation=propagation)


def test_the_error_class_can_be_chosen():
    class Custom(Exception):
        pass

    votes, values = random_votes(0)
    with pytest.raises(Custom, match="propagation"):
        flow_scores(votes, values, propagation=1, error=Custom)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"values": ["v0", "v1"]}, "unknown value"),
        ({"values": ["v0", "v0", "v1", "v2", "v3", "v4", "v5"]}, "repeats the value id 'v0'"),
        ({"values": []}, "'values' parameter"),
        ({"base": [1.0, 2.0]}, "'base' parameter"),
        ({"base": [-1.0, 1, 1, 1, 1, 1]}, "'base' parameter"),
        ({"base": {"zz": 1.0}}, "unknown value 'zz'"),
        ({"prior": (0.0, 1.0)}, "'prior' parameter"),
        ({"prior": 1.0}, "'prior' parameter"),
        ({"contexts": []}, "'contexts' parameter"),
        ({"max_iter": 0}, "'max_iter' parameter"),
        ({"tol": 0.0}, "'tol' parameter"),
        ({"max_iter": 2, "tol": 1e-15}, "did not converge"),
    ],
)
def test_bad_arguments_raise_typed_errors(kwargs, match):
    votes, values = random_votes(0)
    arguments = {"values": values, **kwargs}
    with pytest.raises(MoralGraphError, match=match):
        flow_scores(votes, **arguments)


def test_missing_columns_and_non_frames_are_refused():
    votes, values = random_votes(0)
    with pytest.raises(MoralGraphError, match="lacks the column"):
        edge_weights(votes.drop(columns="verdict"), values)
    with pytest.raises(MoralGraphError, match="'votes' parameter of edge_weights"):
        edge_weights([], values)


def test_a_missing_value_id_in_a_vote_is_reported_with_its_row():
    votes, values = random_votes(0)
    votes.loc[3, "to_value"] = None
    with pytest.raises(
        MoralGraphError, match=r"Row 3 .* unknown value (None|nan) in column 'to_value'"
    ):
        flow_scores(votes, values)


def test_only_unsure_votes_give_the_base_distribution():
    votes = frame(("ann", "a", "b", "c", "unsure"), ("bob", "b", "c", "c", "unsure"))
    scores = flow_scores(votes, ["a", "b", "c"], base=[1, 2, 1])
    assert scores.to_dict() == {"b": 0.5, "a": 0.25, "c": 0.25}
