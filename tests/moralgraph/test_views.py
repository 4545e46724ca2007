"""f(G_M, p) and alignment targets: subgraph, contexts_for, export, principles, suggest_pairs."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from moralgraph import Context, MoralGraph, MoralGraphError, ValueCard, WiserVote, simulate
from moralgraph._export import pooled_edges, to_graphml, to_networkx
from moralgraph._flow import edge_weights
from moralgraph._targets import principles, suggest_pairs
from moralgraph._views import contexts_for, subgraph

CONTEXTS = [
    Context("distress", "When the user is in distress"),
    Context("grief", "When the user is grieving"),
    Context("money", "When the user asks about money"),
]


def card(i: str, *policies: str, context: str | None = None) -> ValueCard:
    return ValueCard(i, i.title(), f"About {i}.", policies or (f"attends to {i}",),
                     context=context)


@pytest.fixture
def graph() -> MoralGraph:
    cards = [
        card("comfort", "how the person feels"),
        card("agency", "what they can do next", "their options"),
        card("ritual", "shared rituals", context="grief"),
        card("budget", "the numbers", context="money"),
        card("unused"),
    ]
    votes = [
        WiserVote("ann", "comfort", "agency", "distress", "wiser"),
        WiserVote("bob", "comfort", "agency", "distress", "wiser"),
        WiserVote("cy", "comfort", "agency", "distress", "not_wiser"),
        WiserVote("dee", "agency", "ritual", "distress", "unsure"),
        WiserVote("ann", "comfort", "ritual", "grief", "wiser"),
        WiserVote("bob", "ritual", "comfort", "grief", "not_wiser"),
        WiserVote("cy", "agency", "comfort", "grief", "wiser"),
    ]
    return MoralGraph(cards, votes, CONTEXTS)


class Keywords:
    """A toy embedder: one dimension per keyword, unit rows (a constant keeps rows non-zero)."""

    words = ("distress", "grie", "money")

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        rows = np.array([[t.lower().count(w) for w in self.words] + [0.1] for t in texts],
                        dtype=float)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


# -- subgraph ------------------------------------------------------------------------------
def test_subgraph_keeps_the_contexts_votes_and_their_values(graph):
    h = subgraph(graph, ["distress"])
    assert [c.id for c in h.contexts] == ["distress"]
    assert h.votes == tuple(v for v in graph.votes if v.context == "distress")
    assert [v.id for v in h.values] == ["comfort", "agency", "ritual"]
    # ritual was articulated in grief, which is gone: its context is cleared, nothing else
    ritual = next(v for v in h.values if v.id == "ritual")
    assert ritual.context is None and ritual.policies == ("shared rituals",)


def test_subgraph_keeps_cards_articulated_in_the_context_without_votes(graph):
    h = subgraph(graph, "money")
    assert [v.id for v in h.values] == ["budget"] and h.votes == ()
    assert h.contexts == (CONTEXTS[2],)


def test_subgraph_of_several_contexts_in_graph_order(graph):
    h = subgraph(graph, ["grief", "distress", "grief"])
    assert [c.id for c in h.contexts] == ["distress", "grief"]
    assert h.votes == graph.votes
    assert "unused" not in {v.id for v in h.values}
    assert next(v for v in h.values if v.id == "ritual").context == "grief"


def test_subgraph_of_a_simulation_matches_a_vote_filter():
    g = simulate(n_values=8, contexts=3, n_participants=20, votes_per_participant=4, rng=3).graph
    h = subgraph(g, ["c0", "c2"])
    assert h.votes == tuple(v for v in g.votes if v.context in {"c0", "c2"})
    named = {v.from_value for v in h.votes} | {v.to_value for v in h.votes}
    assert {v.id for v in h.values} == named


@pytest.mark.parametrize("bad", ["nowhere", [], ["distress", "nowhere"], [1], None])
def test_subgraph_rejects_bad_contexts(graph, bad):
    with pytest.raises(MoralGraphError, match="'contexts' parameter of subgraph"):
        subgraph(graph, bad)


# -- contexts_for --------------------------------------------------------------------------
def test_contexts_for_ranks_by_similarity(graph):
    assert contexts_for(graph, "I am in distress about money", Keywords(), top=2) in (
        ["distress", "money"], ["money", "distress"]
    )
    assert contexts_for(graph, "My dog died and I am grieving", Keywords(), top=1) == ["grief"]
    assert contexts_for(graph, "money money, some distress", Keywords(), top=3) == [
        "money", "distress", "grief"
    ]


def test_contexts_for_top_larger_than_the_graph_returns_all(graph):
    assert sorted(contexts_for(graph, "hello", Keywords(), top=10)) == sorted(
        c.id for c in CONTEXTS
    )


def test_contexts_for_uses_context_texts_not_ids():
    g = MoralGraph([], [], [Context("a", "about money"), Context("b", "about grief")])
    assert contexts_for(g, "grief", Keywords(), top=1) == ["b"]


def test_context_similarity_is_the_cosine_to_each_context_text(graph):
    similarity = graph.context_similarity("money worries", Keywords())
    assert list(similarity.index) == [c.id for c in graph.contexts]
    texts = [c.text or c.id for c in graph.contexts]
    rows = Keywords().encode([*texts, "money worries"])
    np.testing.assert_allclose(similarity.to_numpy(), rows[:-1] @ rows[-1])
    assert similarity.idxmax() == "money"


def test_contexts_for_min_similarity_leaves_out_unrelated_contexts(graph):
    similarity = graph.context_similarity("money money", Keywords())
    cut = float(similarity.sort_values().iloc[-2]) + 1e-6  # above the runner-up
    assert contexts_for(graph, "money money", Keywords(), top=3, min_similarity=cut) == [
        "money"]
    assert contexts_for(graph, "money money", Keywords(), min_similarity=1.0) == []
    assert graph.contexts_for("money money", Keywords(), min_similarity=-1.0) == (
        contexts_for(graph, "money money", Keywords()))


@pytest.mark.parametrize("bad", [1.5, -2, float("nan"), "0.5", True])
def test_contexts_for_rejects_bad_min_similarity(graph, bad):
    with pytest.raises(MoralGraphError, match="'min_similarity' parameter of contexts_for"):
        contexts_for(graph, "hi", Keywords(), min_similarity=bad)


@pytest.mark.parametrize("top", [0, -1, 1.5, "2", True])
def test_contexts_for_rejects_bad_top(graph, top):
    with pytest.raises(MoralGraphError, match="'top' parameter of contexts_for must be an int"):
        contexts_for(graph, "hi", Keywords(), top=top)


def test_contexts_for_rejects_bad_prompt_and_embedder(graph):
    with pytest.raises(MoralGraphError, match="'prompt' parameter"):
        contexts_for(graph, "  ", Keywords())
    with pytest.raises(MoralGraphError, match="'embedder' parameter"):
        contexts_for(graph, "hi", object())

    class Wrong:
        def encode(self, texts):
            return np.ones((len(texts) + 1, 3))

    with pytest.raises(MoralGraphError, match="shape"):
        contexts_for(graph, "hi", Wrong())
    with pytest.raises(MoralGraphError, match="no contexts"):
        contexts_for(MoralGraph([], []), "hi", Keywords())


# -- to_networkx / to_graphml --------------------------------------------------------------
def test_to_networkx_nodes_and_attributes(graph):
    d = to_networkx(graph)
    assert list(d.nodes) == [v.id for v in graph.values]
    assert d.nodes["agency"] == {
        "title": "Agency", "description": "About agency.",
        "policies": ("what they can do next", "their options"),
    }


def test_to_networkx_edges_match_edge_weights_in_one_context(graph):
    d = to_networkx(graph, "distress")
    ref = edge_weights(graph.votes_frame(), [v.id for v in graph.values], contexts="distress")
    ref = ref[ref["n_wiser"] > 0]
    assert sorted(d.edges) == sorted(zip(ref["from_value"], ref["to_value"], strict=True))
    for row in ref.itertuples():
        data = d.edges[row.from_value, row.to_value]
        assert data["n_wiser"] == row.n_wiser and data["n_against"] == row.n_against
        assert data["weight"] == pytest.approx(row.weight)
    # Beta(3, 2): P(p > 1/2) = 11/16, so the weight is 2 * 11/16 - 1 = 3/8
    assert d.edges["comfort", "agency"] == {"weight": pytest.approx(0.375), "n_wiser": 2,
                                            "n_against": 1}
    assert d.graph["context"] == "distress"


def test_to_networkx_pools_contexts_by_summing_evidence(graph):
    d = to_networkx(graph)
    # comfort -> agency: 2 wiser, 1 not_wiser (distress) + 1 wiser for comfort (grief)
    edge = d.edges["comfort", "agency"]
    assert (edge["n_wiser"], edge["n_against"]) == (2, 2)
    assert edge["weight"] == 0.0  # evidence split evenly
    # agency -> comfort: the grief "wiser" vote, against it the 2 distress "wiser" votes
    assert (d.edges["agency", "comfort"]["n_wiser"], d.edges["agency", "comfort"]["n_against"]) \
        == (1, 2)
    # comfort -> ritual wiser in grief; not_wiser on ritual -> comfort is not "less wise"
    assert d.edges["comfort", "ritual"]["n_against"] == 0
    assert not d.has_edge("ritual", "comfort")
    assert not d.has_edge("agency", "ritual")  # only an "unsure" vote
    both = to_networkx(graph, ["distress", "grief"])
    assert nx.utils.edges_equal(both.edges(data=True), d.edges(data=True))


def test_to_networkx_of_a_simulation_sums_per_context_counts():
    g = simulate(n_values=6, contexts=3, n_participants=40, votes_per_participant=5, rng=7).graph
    per = edge_weights(g.votes_frame(), [v.id for v in g.values])
    sums = per.groupby(["from_value", "to_value"])[["n_wiser", "n_against"]].sum()
    d = to_networkx(g)
    for (a, b), row in sums.iterrows():
        if row["n_wiser"] > 0:
            assert (d.edges[a, b]["n_wiser"], d.edges[a, b]["n_against"]) == tuple(row)
        else:
            assert not d.has_edge(a, b)
    assert len(pooled_edges(g)) == len(sums)


def test_to_networkx_rejects_unknown_context(graph):
    with pytest.raises(MoralGraphError, match="'context' parameter of to_networkx"):
        to_networkx(graph, "nowhere")
    with pytest.raises(MoralGraphError, match="'context' parameter of to_graphml"):
        to_graphml(graph, "unused.graphml", "nowhere")


def test_to_networkx_of_a_graph_without_votes():
    d = to_networkx(MoralGraph([card("a"), card("b")], []))
    assert list(d.nodes) == ["a", "b"] and d.number_of_edges() == 0


def test_graphml_round_trip(graph, tmp_path):
    path = tmp_path / "g.graphml"
    to_graphml(graph, path, ["distress", "grief"])
    back = nx.read_graphml(path)
    d = to_networkx(graph)
    assert list(back.nodes) == list(d.nodes)
    assert back.graph["context"] == "distress\ngrief"
    for node, data in d.nodes(data=True):
        assert tuple(back.nodes[node]["policies"].split("\n")) == data["policies"]
        assert back.nodes[node]["title"] == data["title"]
    assert sorted(back.edges) == sorted(d.edges)
    for a, b, data in d.edges(data=True):
        assert back.edges[a, b]["weight"] == pytest.approx(data["weight"])
        assert back.edges[a, b]["n_wiser"] == data["n_wiser"]
    to_graphml(graph, path)
    assert "context" not in nx.read_graphml(path).graph


def test_graphml_unwritable_path(graph, tmp_path):
    with pytest.raises(MoralGraphError, match="Could not write the GraphML file"):
        to_graphml(graph, tmp_path / "missing" / "g.graphml")


# -- principles ----------------------------------------------------------------------------
def test_principles_from_context_ids(graph):
    assert principles(graph, ["distress"], k=1) == [
        "When the user is in distress, attend to: what they can do next; their options."
    ]
    cards = {v.id: v for v in graph.values}
    texts = []
    for context in ("grief", "distress"):
        best = subgraph(graph, context).wisest(context, 2)
        texts.append("; ".join([*cards[best[0]].policies, *cards[best[1]].policies]))
    assert principles(graph, ["grief", "distress"], k=2) == [
        f"When the user is grieving, attend to: {texts[0]}.",
        f"When the user is in distress, attend to: {texts[1]}.",
    ]


def test_principles_never_pick_values_not_judged_in_the_context(graph):
    # budget and unused keep their teleport mass in the whole graph's distress scores and
    # outrank comfort there, but nobody compared them in distress
    assert set(graph.wisest("distress", 5)[:3]) & {"budget", "unused"}
    text = principles(graph, ["distress"], k=5)[0]
    assert "the numbers" not in text and "attends to unused" not in text
    assert "how the person feels" in text and "shared rituals" in text


def test_principles_skip_contexts_without_votes_and_dedupe_policies():
    cards = [card("a", "shared", "own a"), card("b", "shared", "own b")]
    votes = [WiserVote(p, "a", "b", "c1", "wiser") for p in ("p1", "p2", "p3")]
    g = MoralGraph(cards, votes, [Context("c1", "In c1"), Context("c2", "In c2")])
    assert principles(g, ["c2", "c1"], k=2) == ["In c1, attend to: shared; own b; own a."]


def test_principles_from_a_prompt_uses_the_embedder(graph):
    embedder = Keywords()
    by_prompt = principles(graph, "I feel such distress", k=1, embedder=embedder)
    ranked = contexts_for(graph, "I feel such distress", Keywords())
    assert embedder.calls > 0
    assert by_prompt == principles(graph, ranked, k=1)
    assert by_prompt[0].startswith("When the user is in distress, attend to:")


def test_principles_mai_method(graph):
    cards = [card("a", "pa"), card("b", "pb")]
    g = MoralGraph(cards, [WiserVote(p, "a", "b", "c1", "wiser") for p in ("p1", "p2", "p3")])
    assert principles(g, ["c1"], k=1, method="mai") == ["c1, attend to: pb."]


def test_principles_bad_arguments(graph):
    with pytest.raises(MoralGraphError, match="no embedder"):
        principles(graph, "a prompt")
    with pytest.raises(MoralGraphError, match="'k' parameter of principles"):
        principles(graph, ["distress"], k=0)
    with pytest.raises(MoralGraphError, match="unknown context 'nowhere'"):
        principles(graph, ["nowhere"])
    with pytest.raises(MoralGraphError, match="'method' parameter"):
        principles(graph, ["distress"], method="vote")


# -- suggest_pairs -------------------------------------------------------------------------
def uncertainty_graph() -> MoralGraph:
    """a -> b: 30 agreeing votes; b -> c: 5 wiser and 5 not_wiser; c, d, e barely judged."""
    cards = [card(i) for i in "abcde"]
    votes = [WiserVote(f"p{k}", "a", "b", "ctx", "wiser") for k in range(30)]
    votes += [WiserVote(f"q{k}", "b", "c", "ctx", "wiser" if k < 5 else "not_wiser")
              for k in range(10)]
    votes += [WiserVote("r", "c", "d", "other", "wiser")]
    return MoralGraph(cards, votes)


def test_suggest_pairs_weights_are_as_documented():
    g = uncertainty_graph()
    pairs = suggest_pairs(g, "ctx", 20, rng=0).set_index(["from_value", "to_value"])
    assert len(pairs) == 20  # every ordered pair of 5 values, each once
    j = {"a": 30, "b": 40, "c": 10, "d": 0, "e": 0}  # votes in "ctx" naming each value
    for (a, b), row in pairs.iterrows():
        nw, na = row["n_wiser"], row["n_against"]
        n = nw + na
        assert row["uncertainty"] == pytest.approx(
            12 * (1 + nw) * (1 + na) / ((2 + n) ** 2 * (3 + n))
        )
        assert row["novelty"] == pytest.approx(0.5 * (1 / (1 + j[a]) + 1 / (1 + j[b])))
        assert row["weight"] == pytest.approx(row["uncertainty"] * row["novelty"])
    assert (pairs.loc[("a", "b"), ["n_wiser", "n_against"]] == [30, 0]).all()
    assert (pairs.loc[("b", "a"), ["n_wiser", "n_against"]] == [0, 30]).all()
    assert (pairs.loc[("b", "c"), ["n_wiser", "n_against"]] == [5, 5]).all()
    assert pairs.loc[("d", "e"), "uncertainty"] == 1.0 and pairs.loc[("d", "e"), "novelty"] == 1
    # split votes are more uncertain than as many agreeing ones
    assert pairs.loc[("b", "c"), "uncertainty"] > 12 * 11 / (12**2 * 13)


def test_suggest_pairs_prefers_uncertain_pairs_statistically():
    g = uncertainty_graph()
    rng = np.random.default_rng(12345)
    draws = pd.concat([suggest_pairs(g, "ctx", 1, rng=rng) for _ in range(800)])
    counts = draws.groupby(["from_value", "to_value"]).size()
    full = suggest_pairs(g, "ctx", 20, rng=0).set_index(["from_value", "to_value"])["weight"]
    expected = full / full.sum() * 800
    def n(*pairs):
        return sum(int(counts.get(pair, 0)) for pair in pairs)

    # 30 agreeing votes: almost never asked again (expected 0.02 of 800 draws)
    assert n(("a", "b"), ("b", "a")) <= 1
    # split votes are asked more than agreeing ones; the six pairs among the judged values
    # a, b, c (expected 14) far less than the two pairs of never-judged d, e (expected 189)
    assert n(("b", "c"), ("c", "b")) >= n(("a", "b"), ("b", "a"))
    judged = n(*[(x, y) for x in "abc" for y in "abc" if x != y])
    assert n(("d", "e"), ("e", "d")) > 5 * judged
    for pair in [("d", "e"), ("e", "d"), ("c", "d"), ("a", "d")]:
        assert abs(n(pair) - expected[pair]) < 4 * np.sqrt(expected[pair]) + 5


def test_suggest_pairs_includes_never_judged_pairs_and_no_self_pairs():
    g = simulate(n_values=6, contexts=2, n_participants=10, votes_per_participant=3, rng=1).graph
    pairs = suggest_pairs(g, "c0", 30, rng=5)
    assert (pairs["from_value"] != pairs["to_value"]).all()
    assert len(set(zip(pairs["from_value"], pairs["to_value"], strict=True))) == 30
    assert ((pairs["n_wiser"] + pairs["n_against"]) == 0).any()
    small = suggest_pairs(g, "c0", 4, rng=5)
    assert len(small) == 4 and (small["weight"] > 0).all()


def test_suggest_pairs_is_reproducible():
    g = uncertainty_graph()
    pd.testing.assert_frame_equal(suggest_pairs(g, "ctx", 7, rng=42),
                                  suggest_pairs(g, "ctx", 7, rng=42))
    pd.testing.assert_frame_equal(suggest_pairs(g, "ctx", 7, rng=-3),
                                  suggest_pairs(g, "ctx", 7, rng=-3))
    generator = np.random.default_rng(9)
    first = suggest_pairs(g, "ctx", 7, rng=generator)
    pd.testing.assert_frame_equal(first, suggest_pairs(g, "ctx", 7, rng=np.random.default_rng(9)))
    assert not suggest_pairs(g, "ctx", 7, rng=1).equals(suggest_pairs(g, "ctx", 7, rng=2))


@pytest.mark.parametrize("n", [0, -1, 21, 2.0, "3", None])
def test_suggest_pairs_rejects_bad_n(n):
    with pytest.raises(MoralGraphError, match=r"'n' parameter of suggest_pairs .*\[1, 20\]"):
        suggest_pairs(uncertainty_graph(), "ctx", n)


def test_suggest_pairs_rejects_bad_arguments():
    g = uncertainty_graph()
    with pytest.raises(MoralGraphError, match="'rng' parameter of suggest_pairs"):
        suggest_pairs(g, "ctx", 2, rng="seed")
    with pytest.raises(MoralGraphError, match="unknown context 'nowhere'"):
        suggest_pairs(g, "nowhere", 2)
    with pytest.raises(MoralGraphError, match="'context' parameter of suggest_pairs"):
        suggest_pairs(g, ["ctx"], 2)
    with pytest.raises(MoralGraphError, match="at least two value cards"):
        suggest_pairs(MoralGraph([card("a")], [], ["ctx"]), "ctx", 1)
