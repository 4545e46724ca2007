"""Bad input (issue §8): every mistake is a typed MoralGraphError saying what and where."""

from __future__ import annotations

import logging
import math

import pandas as pd
import pytest

from moralgraph import MoralGraph, MoralGraphError, ValueCard, WiserVote, read_mai_json


def card(i: str) -> ValueCard:
    return ValueCard(i, i.title(), "", [f"p{i}"])


def graph() -> MoralGraph:
    votes = [WiserVote(p, "a", "b", "c1", "wiser") for p in ("p1", "p2", "p3")]
    votes.append(WiserVote("p4", "b", "c", "c1", "wiser"))
    return MoralGraph([card("a"), card("b"), card("c")], votes, ["c1", "c2"])


# -- malformed JSON: line and column ----------------------------------------------------------
@pytest.mark.parametrize(
    ("read", "text", "where"),
    [
        (MoralGraph.from_json, '{\n  "schema": 1,\n  "votes": [1,]\n}', "line 3, column 15"),
        (MoralGraph.from_json, b'{"values": [', "line 1, column 13"),
        (read_mai_json, '{"values": [],\n "edges": [\n  {,', "line 3, column 4"),
        (read_mai_json, b"\n\n   nope", "line 3, column 4"),
    ],
)
def test_malformed_json_names_line_and_column(read, text, where) -> None:
    with pytest.raises(MoralGraphError, match=f"malformed at {where}"):
        read(text)


# -- votes naming unknown values or contexts, self-loops, verdicts ----------------------------
def test_a_vote_naming_an_unknown_value_names_the_vote_and_field() -> None:
    with pytest.raises(MoralGraphError, match=r"Vote 1 .*'from_value' field .*unknown value 'z'"):
        MoralGraph([card("a"), card("b")], [WiserVote("p", "a", "b", "c", "wiser"),
                                            WiserVote("p", "z", "b", "c", "wiser")])


def test_a_vote_naming_an_unknown_context_names_the_vote_and_field() -> None:
    with pytest.raises(MoralGraphError, match=r"Vote 0 .*'context' field .*unknown context 'c9'"):
        MoralGraph([card("a"), card("b")], [WiserVote("p", "a", "b", "c9", "wiser")], ["c1"])


def test_a_self_loop_is_refused_in_objects_tables_and_json() -> None:
    with pytest.raises(MoralGraphError, match="'to_value' parameter of WiserVote"):
        WiserVote("p", "a", "a", "c", "wiser")
    with pytest.raises(MoralGraphError, match=r"Vote 0 .*'to_value'"):
        MoralGraph([card("a")], [{"participant": "p", "from_value": "a", "to_value": "a",
                                  "context": "c", "verdict": "wiser"}])
    votes = pd.DataFrame({"participant": ["p", "q"], "from_value": ["a", "b"],
                          "to_value": ["b", "b"], "context": ["c", "c"],
                          "verdict": ["wiser", "wiser"]})
    values = pd.DataFrame({"id": ["a", "b"], "title": ["A", "B"], "description": ["", ""],
                           "policies": ["x", "y"]})
    with pytest.raises(MoralGraphError, match=r"votes table, row 3 .*'to_value'"):
        MoralGraph.from_frames(values, votes)


def test_a_verdict_outside_the_set_is_refused_with_its_place() -> None:
    with pytest.raises(MoralGraphError, match="'verdict' parameter of WiserVote"):
        WiserVote("p", "a", "b", "c", "better")
    text = MoralGraph([card("a"), card("b")], [WiserVote("p", "a", "b", "c", "wiser")]).to_json()
    with pytest.raises(MoralGraphError, match=r"votes\[0\].*'verdict'.*'better'"):
        MoralGraph.from_json(text.replace('"wiser"', '"better"'))


# -- empty graphs ------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["flow", "mai"])
def test_an_empty_graph_is_a_typed_error_not_a_score(method: str) -> None:
    with pytest.raises(MoralGraphError, match="no value cards"):
        MoralGraph([], []).scores(method=method)
    with pytest.raises(MoralGraphError, match="no votes"):
        MoralGraph([card("a"), card("b")], [], ["c1"]).scores(method=method)
    with pytest.raises(MoralGraphError, match="no votes"):
        MoralGraph([card("a"), card("b")], [], ["c1"]).wisest("c1", method=method)


# -- a context without votes -------------------------------------------------------------------
def test_flow_scores_of_a_context_without_votes_are_the_base_with_a_warning(caplog) -> None:
    g = graph()
    with caplog.at_level(logging.WARNING, logger="moralgraph"):
        s = g.scores("c2")
    assert (s == 1 / 3).all() and list(s.index) == ["a", "b", "c"]
    assert any("'c2'" in r.getMessage() and r.name.startswith("moralgraph")
               for r in caplog.records)


def test_mai_scores_of_a_context_without_votes_warn_rather_than_go_silent(caplog) -> None:
    g = graph()
    with caplog.at_level(logging.WARNING, logger="moralgraph"):
        s = g.scores("c2", method="mai")
    assert s.empty  # the published scoring: values on no kept pair drop out
    assert any("'c2'" in r.getMessage() for r in caplog.records)


def test_no_warning_for_contexts_with_votes(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="moralgraph"):
        graph().scores("c1")
        graph().scores("c1", method="mai")
    assert not caplog.records


# -- propagation -------------------------------------------------------------------------------
@pytest.mark.parametrize("propagation", [-0.1, 1.0, 1.5, math.nan, math.inf, True, "0.5", None])
@pytest.mark.parametrize("method", ["flow", "mai"])
def test_propagation_outside_the_unit_interval_is_a_typed_error(propagation, method) -> None:
    with pytest.raises(MoralGraphError, match=r"'propagation' parameter of scores .*\[0, 1\)"):
        graph().scores(propagation=propagation, method=method)


def test_mai_refuses_a_propagation_it_would_silently_ignore() -> None:
    with pytest.raises(MoralGraphError, match=r"'propagation' parameter of scores .*0\.85"):
        graph().scores(propagation=0.5, method="mai")
    assert graph().scores(propagation=0.85, method="mai").index[0] == "b"


@pytest.mark.parametrize("call", ["wisest", "support_level"])
def test_bad_propagation_through_wisest_and_support_level(call) -> None:
    with pytest.raises(MoralGraphError, match="'propagation' parameter of scores"):
        getattr(graph(), call)("c1", propagation=math.nan)


# -- k for wisest --------------------------------------------------------------------------
@pytest.mark.parametrize("k", [0, -1, 1.0, True, "2", None])
def test_bad_k_for_wisest_is_a_typed_error(k) -> None:
    with pytest.raises(MoralGraphError, match=r"'k' parameter of wisest must be an int in \[1,"):
        graph().wisest("c1", k=k)


def test_k_larger_than_the_graph_returns_every_scored_value() -> None:
    assert graph().wisest("c1", k=10) == list(graph().scores("c1").index)


# -- context arguments: one check, one message ----------------------------------------------
@pytest.mark.parametrize(
    "call",
    [
        lambda g, c: g.scores(c),
        lambda g, c: g.scores(c, method="mai"),
        lambda g, c: g.edge_summary(context=c),
        lambda g, c: g.wisest(c),
        lambda g, c: g.support_level(c),
        lambda g, c: g.legitimacy(c),
    ],
)
def test_every_method_refuses_bad_contexts_with_the_same_message(call) -> None:
    g = graph()
    with pytest.raises(MoralGraphError, match=r"must name contexts of the graph \('c1', 'c2'\)"
                       r"\. Got the unknown context 'nowhere' instead\."):
        call(g, ["c1", "nowhere"])
    for bad in ([], {"c1"}, 5, ["c1", 2]):
        with pytest.raises(MoralGraphError, match=r"'context' parameter of .* must be None, a "
                           "context id or a non-empty list of context ids"):
            call(g, bad)


def test_subgraph_uses_the_same_check() -> None:
    with pytest.raises(MoralGraphError, match=r"'contexts' parameter of subgraph must name "
                       "contexts of the graph .* unknown context 'nowhere'"):
        graph().subgraph("nowhere")
    with pytest.raises(MoralGraphError, match="'contexts' parameter of subgraph must be a "
                       "context id or a non-empty list"):
        graph().subgraph(None)


def test_support_level_of_nothing_scored_says_why() -> None:
    cards = [card("a"), card("b")]
    lonely = MoralGraph(cards, [WiserVote("p", "a", "b", "c1", "wiser")], ["c1", "c2"])
    for context in ("c2", "c1", None):  # no votes in c2; one vote keeps no pair in c1
        with pytest.raises(MoralGraphError, match="support_level: method='mai' scores no value "
                           "here: no pair of values passes the published cuts"):
            lonely.support_level(context, method="mai")
