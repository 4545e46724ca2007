"""Hypothesis properties of a MoralGraph's scores, merges and legitimacy, on random graphs.

The scoring functions have their own properties in test_flow.py and test_mai.py; these check
the same laws through the MoralGraph methods (vote replacement, context selection, both
methods) and the laws of merge_values and legitimacy.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moralgraph import VERDICTS, MoralGraph, ValueCard, WiserVote
from moralgraph._flow_ref import flow_scores_ref
from moralgraph._mai_ref import _mai_edges_reference, _mai_pagerank_reference

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CONTEXTS = ["c0", "c1", "c2"]
PEOPLE = [f"p{k}" for k in range(6)]


@st.composite
def graphs(draw, min_votes: int = 1) -> MoralGraph:
    """A graph of 2-6 cards (random authors), up to 40 votes, in up to 3 contexts."""
    n = draw(st.integers(2, 6))
    ids = [f"v{k}" for k in range(n)]
    cards = [
        ValueCard(i, i.upper(), "", [f"policy {i}"],
                  authors=draw(st.lists(st.sampled_from(PEOPLE), max_size=2, unique=True)))
        for i in ids
    ]
    vote = st.tuples(
        st.sampled_from(PEOPLE), st.integers(0, n - 1), st.integers(0, n - 1),
        st.sampled_from(CONTEXTS), st.sampled_from(VERDICTS),
    ).filter(lambda t: t[1] != t[2])
    rows = draw(st.lists(vote, min_size=min_votes, max_size=40))
    votes = [WiserVote(p, ids[a], ids[b], c, v) for p, a, b, c, v in rows]
    return MoralGraph(cards, votes, CONTEXTS)


CONTEXT_CHOICE = st.sampled_from([None, "c0", ["c0", "c2"], ["c1"]])


def relabelled(g: MoralGraph, seed: int) -> tuple[MoralGraph, dict[str, str]]:
    """``g`` with value ids renamed by a random permutation and the cards shuffled."""
    rng = np.random.default_rng(seed)
    ids = [c.id for c in g.values]
    new = [f"x{k}" for k in rng.permutation(len(ids))]
    rename = dict(zip(ids, new, strict=True))
    cards = [ValueCard(rename[c.id], c.title, c.description, c.policies, c.authors)
             for c in g.values]
    cards = [cards[k] for k in rng.permutation(len(cards))]
    votes = [WiserVote(v.participant, rename[v.from_value], rename[v.to_value], v.context,
                       v.verdict) for v in g.votes]
    return MoralGraph(cards, votes, CONTEXTS), rename


def _voted(g: MoralGraph, context) -> bool:
    wanted = CONTEXTS if context is None else [context] if isinstance(context, str) else context
    return any(v.context in wanted for v in g.votes)


# -- scores -------------------------------------------------------------------------------
@SETTINGS
@given(graphs(), st.integers(0, 10**6), CONTEXT_CHOICE, st.floats(0, 0.95))
def test_relabelling_values_permutes_the_scores_both_methods(g, seed, context, alpha) -> None:
    h, rename = relabelled(g, seed)
    for method, propagation in (("flow", alpha), ("mai", 0.85)):
        before = g.scores(context, propagation, method)
        after = h.scores(context, propagation, method)
        assert set(after.index) == {rename[v] for v in before.index}
        for value, score in before.items():
            assert after[rename[value]] == pytest.approx(score, abs=1e-10)


@SETTINGS
@given(graphs(), CONTEXT_CHOICE, st.floats(0, 0.99))
def test_flow_scores_sum_to_one_over_every_value(g, context, alpha) -> None:
    s = g.scores(context, alpha)
    assert float(s.sum()) == pytest.approx(1.0, abs=1e-12)
    assert sorted(s.index) == sorted(c.id for c in g.values)
    assert (np.diff(s.to_numpy()) <= 1e-15).all()


@SETTINGS
@given(graphs(), CONTEXT_CHOICE)
def test_propagation_zero_returns_the_uniform_base(g, context) -> None:
    s = g.scores(context, 0.0)
    assert s.tolist() == [1 / len(g.values)] * len(g.values)


@SETTINGS
@given(graphs(), CONTEXT_CHOICE, st.sampled_from([0.0, 0.5, 0.85]))
def test_flow_scores_agree_with_the_reference(g, context, alpha) -> None:
    ids = [c.id for c in g.values]
    chosen = CONTEXTS if context is None else [context] if isinstance(context, str) else context
    ref = flow_scores_ref(g.votes_frame(), ids, chosen, propagation=alpha)
    fast = g.scores(context, alpha)
    for value, score in ref.items():
        assert fast[value] == pytest.approx(score, abs=1e-8)


@SETTINGS
@given(graphs(), CONTEXT_CHOICE)
def test_mai_scores_agree_with_the_reference(g, context) -> None:
    chosen = CONTEXTS if context is None else [context] if isinstance(context, str) else context
    votes = [(v.from_value, v.to_value, v.context, v.verdict) for v in g.votes
             if v.context in chosen]
    edges = _mai_edges_reference(votes, min_wiser=2)
    ref = _mai_pagerank_reference(
        [(e["from_value"], e["to_value"], e["wiser_likelihood"]) for e in edges]
    )
    fast = g.scores(context, method="mai")
    assert set(fast.index) == set(ref)
    for value, score in ref.items():
        assert fast[value] == pytest.approx(score, abs=1e-12)


# -- merge_values --------------------------------------------------------------------------
@st.composite
def graphs_and_mappings(draw):
    g = draw(graphs())
    ids = [c.id for c in g.values]
    canonical = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=2, unique=True))
    merged = [i for i in ids if i not in canonical]
    targets = draw(st.lists(st.sampled_from(canonical), min_size=len(merged),
                            max_size=len(merged)))
    keep = draw(st.lists(st.booleans(), min_size=len(merged), max_size=len(merged)))
    mapping = {m: t for m, t, k in zip(merged, targets, keep, strict=True) if k}
    return g, mapping


@SETTINGS
@given(graphs_and_mappings())
def test_merging_accounts_for_every_vote_and_author(case) -> None:
    g, mapping = case
    merge = g.merge_values(mapping)
    to = {c.id: mapping.get(c.id, c.id) for c in g.values}
    assert len(g.votes) == len(merge.graph.votes) + len(merge.dropped) + len(merge.replaced)
    assert all(to[v.from_value] == to[v.to_value] for v in merge.dropped)
    assert {c.id for c in merge.graph.values} == set(to.values())
    for card in merge.graph.values:
        cluster = [c for c in g.values if to[c.id] == card.id]
        assert set(card.authors) == {a for c in cluster for a in c.authors}
    rewired = {(v.participant, to[v.from_value], to[v.to_value], v.context, v.verdict)
               for v in g.votes if v not in merge.dropped and v not in merge.replaced}
    assert rewired == {(v.participant, v.from_value, v.to_value, v.context, v.verdict)
                       for v in merge.graph.votes}
    if merge.graph.votes:
        assert float(merge.graph.scores().sum()) == pytest.approx(1.0, abs=1e-12)


@SETTINGS
@given(graphs())
def test_an_identity_merge_changes_nothing(g) -> None:
    merge = g.merge_values({c.id: c.id for c in g.values})
    assert merge.graph == g and merge.dropped == () and merge.replaced == ()


# -- legitimacy ----------------------------------------------------------------------------
@SETTINGS
@given(graphs(), CONTEXT_CHOICE, st.sampled_from(["flow", "mai"]), st.integers(1, 4))
def test_legitimacy_counts_are_bounded_and_follow_the_scores(g, context, method, k) -> None:
    frame = g.legitimacy(context, method, k)
    scores = g.scores(context, method=method)
    assert list(frame["value"]) == list(scores.index[:k])
    pd.testing.assert_series_equal(
        frame["score"], scores.iloc[:k].reset_index(drop=True), check_names=False
    )
    authors = {a for c in g.values for a in c.authors}
    for _, r in frame.iterrows():
        assert 0 <= r["participants_agreeing"] <= r["participants_judging"] <= len(PEOPLE)
        assert 0 <= r["judged_wiser_than_own"] <= len(authors)
        assert 0 <= r["cards_beaten"] < len(g.values)
        share = r["share_agreeing"]
        assert math.isnan(share) if r["participants_judging"] == 0 else 0 <= share <= 1
