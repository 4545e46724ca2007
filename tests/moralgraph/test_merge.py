"""MoralGraph.merge_values: canonical cards, rewired votes, nothing lost silently."""

from __future__ import annotations

import numpy as np
import pytest

from moralgraph import (
    Deduplication,
    Merge,
    MoralGraph,
    MoralGraphError,
    ValueCard,
    WiserVote,
    dedupe_values,
    simulate,
)
from moralgraph._merge import merge_values


def card(i: str, *authors: str, context: str | None = None) -> ValueCard:
    return ValueCard(i, i.title(), f"about {i}", [f"policy of {i}"], authors=authors,
                     context=context)


CARDS = [card("care", "ann"), card("kindness", "bob", "ann"), card("agency", "cy"),
         card("honesty", "dee", context="c2")]


def graph(votes: list[WiserVote]) -> MoralGraph:
    return MoralGraph(CARDS, votes, ["c1", "c2"])


def test_votes_from_and_to_merged_cards_point_at_the_canonical_card() -> None:
    g = graph([WiserVote("p1", "kindness", "agency", "c1", "wiser", reason="more freedom"),
               WiserVote("p2", "agency", "kindness", "c2", "not_wiser"),
               WiserVote("p3", "care", "honesty", "c1", "unsure")])
    merge = g.merge_values({"kindness": "care"})
    assert isinstance(merge, Merge) and merge.dropped == () and merge.replaced == ()
    assert [v.id for v in merge.graph.values] == ["care", "agency", "honesty"]
    assert merge.graph.votes == (
        WiserVote("p1", "care", "agency", "c1", "wiser", reason="more freedom"),
        WiserVote("p2", "agency", "care", "c2", "not_wiser"),
        WiserVote("p3", "care", "honesty", "c1", "unsure"),
    )
    assert merge.graph.contexts == g.contexts


def test_authors_are_united_on_the_canonical_card_which_keeps_its_text() -> None:
    merge = graph([]).merge_values({"kindness": "care", "honesty": "agency"})
    care, agency = merge.graph.values
    assert care.authors == ("ann", "bob")  # canonical authors first, no repeats
    assert agency.authors == ("cy", "dee")
    assert (care.title, care.description, care.policies) == ("Care", "about care",
                                                             ("policy of care",))
    assert agency.context is None  # the canonical card's own context, not a merged one's


def test_votes_between_merged_cards_are_dropped_and_reported() -> None:
    loop = WiserVote("p1", "care", "kindness", "c1", "wiser")
    back = WiserVote("p2", "kindness", "care", "c2", "not_wiser")
    keep = WiserVote("p1", "care", "agency", "c1", "wiser")
    merge = graph([loop, keep, back]).merge_values({"kindness": "care"})
    assert merge.dropped == (loop, back)
    assert merge.graph.votes == (keep,)


def test_two_votes_on_the_same_rewired_pair_the_later_wins() -> None:
    early = WiserVote("p1", "care", "agency", "c1", "not_wiser")
    other = WiserVote("p2", "care", "agency", "c1", "wiser")
    late = WiserVote("p1", "kindness", "agency", "c2", "wiser")
    merge = graph([early, other, late]).merge_values({"kindness": "care"})
    assert merge.replaced == (early,)
    # the later vote wins, whatever its context, and takes the later place
    assert merge.graph.votes == (other, WiserVote("p1", "care", "agency", "c2", "wiser"))


def test_nothing_is_lost_on_a_simulated_deliberation() -> None:
    g = simulate(n_values=10, contexts=3, n_participants=60, votes_per_participant=6,
                 rng=4).graph
    ids = [v.id for v in g.values]
    mapping = {ids[1]: ids[0], ids[2]: ids[0], ids[5]: ids[4], ids[0]: ids[0]}
    merge = g.merge_values(mapping)
    assert len(g.votes) == len(merge.graph.votes) + len(merge.dropped) + len(merge.replaced)
    assert len(merge.dropped) > 0 and len(merge.replaced) > 0
    assert {v.id for v in merge.graph.values} == set(ids) - {ids[1], ids[2], ids[5]}
    for vote in merge.dropped:
        assert {mapping.get(vote.from_value, vote.from_value),
                mapping.get(vote.to_value, vote.to_value)} in ({ids[0]}, {ids[4]})
    # the flow still scores it, and values not merged keep their evidence
    assert abs(float(merge.graph.scores().sum()) - 1.0) < 1e-12
    untouched = [v for v in g.votes if {v.from_value, v.to_value}.isdisjoint(mapping)]
    assert set(untouched) <= set(merge.graph.votes)


def test_an_identity_or_empty_mapping_returns_an_equal_graph() -> None:
    g = graph([WiserVote("p1", "care", "agency", "c1", "wiser")])
    assert g.merge_values({}).graph == g
    assert g.merge_values({c.id: c.id for c in CARDS}).graph == g


def test_dedupe_values_mapping_merges_in_one_call() -> None:
    class ByTitleWord:
        def encode(self, texts):
            words = ["care", "kindness", "agency", "honesty"]
            rows = np.array([[float(w in t.lower()) for w in words] for t in texts])
            rows[:, 0] += rows[:, 1]  # care and kindness embed alike
            rows[:, 1] = 0.0
            return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    g = graph([WiserVote("p1", "kindness", "agency", "c1", "wiser")])
    dedup = dedupe_values(list(g.values), ByTitleWord(), threshold=0.9)
    assert isinstance(dedup, Deduplication)
    merge = g.merge_values(dedup.mapping)
    assert len(merge.graph.values) == 3
    assert merge.graph.votes[0].to_value == "agency"
    assert merge.graph.votes[0].from_value in ("care", "kindness")


def test_the_method_is_the_module_function() -> None:
    g = graph([WiserVote("p1", "kindness", "agency", "c1", "wiser")])
    assert g.merge_values({"kindness": "care"}) == merge_values(g, {"kindness": "care"})


@pytest.mark.parametrize(
    ("mapping", "match"),
    [
        (["kindness", "care"], r"'mapping' parameter of merge_values must be a mapping"),
        ({"kind": "care"}, r"must map value ids of the graph\. Got the key 'kind'"),
        ({3: "care"}, r"Got the key 3, which is not one"),
        ({"kindness": "carer"}, r"Got 'kindness' -> 'carer', which is not one"),
        ({"kindness": None}, r"Got 'kindness' -> None, which is not one"),
        ({"kindness": ["care"]}, r"Got 'kindness' -> \['care'\], which is not one"),
        ({"kindness": "care", "care": "agency"},
         r"chains are not followed\)\. Got 'kindness' -> 'care' while 'care' -> 'agency'"),
        ({"care": "kindness", "kindness": "care"}, r"Got 'care' -> 'kindness' while"),
    ],
)
def test_bad_mappings_are_refused_naming_the_key(mapping, match: str) -> None:
    with pytest.raises(MoralGraphError, match=match):
        graph([]).merge_values(mapping)
