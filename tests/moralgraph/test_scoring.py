"""The aggregation Γ on a MoralGraph: the methods are the scoring functions, wired right."""

from __future__ import annotations

import pandas as pd
import pytest

from moralgraph import MoralGraph, MoralGraphError, ValueCard, WiserVote
from moralgraph._mai import mai_edge_summary, mai_pagerank


def _graph() -> MoralGraph:
    cards = [ValueCard(i, i.title(), "", ["x"]) for i in ("a", "b", "c", "d")]
    votes = [
        *(WiserVote(f"p{i}", "a", "b", "c1", "wiser") for i in range(4)),
        *(WiserVote(f"p{i}", "b", "c", "c1", "wiser") for i in range(3)),
        WiserVote("p9", "b", "c", "c1", "not_wiser"),
        *(WiserVote(f"q{i}", "a", "d", "c2", "wiser") for i in range(3)),
        WiserVote("q9", "c", "d", "c2", "unsure"),
    ]
    return MoralGraph(cards, votes)


def test_edge_summary_is_the_published_statistics_of_the_graphs_votes() -> None:
    g = _graph()
    pd.testing.assert_frame_equal(g.edge_summary(), mai_edge_summary(g.votes_frame()))
    every = g.edge_summary(keep_all=True)
    assert len(every) > len(g.edge_summary())
    in_c2 = g.edge_summary(context="c2")
    assert set(zip(in_c2.from_value, in_c2.to_value, strict=True)) == {("a", "d")}


def test_mai_scores_are_the_published_pagerank() -> None:
    g = _graph()
    expected = mai_pagerank(mai_edge_summary(g.votes_frame()))
    pd.testing.assert_series_equal(g.scores(method="mai"), expected)
    only_c1 = g.scores("c1", method="mai")
    assert "d" not in only_c1.index  # values on no kept pair drop out


def test_wisest_and_support_level() -> None:
    g = _graph()
    assert g.wisest("c1", k=2, method="mai") == list(g.scores("c1", method="mai").index[:2])
    assert g.support_level("c1", method="mai") in ("broadly supported", "some support",
                                                   "contested")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda g: g.scores("nowhere", method="mai"), "Got the unknown context 'nowhere' instead"),
        (lambda g: g.scores([], method="mai"), "non-empty list of context ids"),
        (lambda g: g.scores(method="magic"), "'method' parameter of scores"),
        (lambda g: g.edge_summary(method="flow"), "'method' parameter of edge_summary"),
        (lambda g: g.wisest("c1", k=0, method="mai"), "'k' parameter of wisest"),
    ],
)
def test_bad_arguments_are_named(call, message: str) -> None:
    with pytest.raises(MoralGraphError, match=message):
        call(_graph())


def test_an_empty_graph_has_nothing_to_score() -> None:
    g = MoralGraph([ValueCard("a", "A", "", ["x"])], [])
    with pytest.raises(MoralGraphError, match="no votes"):
        g.scores(method="mai")


def test_flow_scores_are_the_flow_of_the_graphs_votes() -> None:
    from moralgraph._flow import flow_scores

    g = _graph()
    values = [v.id for v in g.values]
    pd.testing.assert_series_equal(g.scores(), flow_scores(g.votes_frame(), values))
    s = g.scores("c1", propagation=0.5)
    assert abs(float(s.sum()) - 1.0) < 1e-12 and s.index[0] == "c"
    uniform = g.scores(["c1", "c2"], propagation=0.0)
    assert (uniform == 0.25).all()  # no wisdom flows: the base distribution
    assert g.wisest("c2") == ["d"]


def test_a_simulated_deliberation_finds_its_wisest_value() -> None:
    from moralgraph import simulate

    sim = simulate(n_values=8, contexts=2, n_participants=300, votes_per_participant=10,
                   noise=0.3, rng=0)
    for context in ("c0", "c1"):
        assert sim.graph.wisest(context)[0] in sim.truth(context)


def test_the_graph_methods_are_the_module_functions(tmp_path) -> None:
    import networkx as nx

    import moralgraph as mg
    from moralgraph import _export, _mai_json, _targets, _views

    g = _graph()
    assert g.subgraph("c2") == _views.subgraph(g, "c2")
    assert g.principles(["c1"], k=2) == _targets.principles(g, ["c1"], k=2)
    assert nx.utils.graphs_equal(g.to_networkx("c1"), _export.to_networkx(g, "c1"))
    g.to_graphml(tmp_path / "g.graphml")
    assert set(nx.read_graphml(tmp_path / "g.graphml").nodes) == {"a", "b", "c", "d"}
    assert g.to_mai_json() == _mai_json.to_mai_json(g)
    again = mg.read_mai_json(g.to_mai_json())
    pd.testing.assert_frame_equal(
        again.edge_summary(keep_all=True).drop(columns="contexts"),
        g.edge_summary(keep_all=True).drop(columns="contexts"),
    )
    assert len(mg.suggest_pairs(g, "c1", 3, rng=0)) == 3
