"""MoralGraph.from_frames and the versioned JSON schema (to_json / from_json)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moralgraph import VERDICTS, Context, MoralGraph, MoralGraphError, ValueCard, WiserVote
from moralgraph._io import SCHEMA, split_policies

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def value_table(**override) -> pd.DataFrame:
    data = {
        "id": ["a", "b", "c"],
        "title": ["A", "B", "C"],
        "description": ["about a", np.nan, "about c"],
        "policies": ["p1; p2", ["q1", "q2"], "r1\nr2; still r2"],
    }
    data.update(override)
    return pd.DataFrame(data)


def vote_table(**override) -> pd.DataFrame:
    data = {
        "participant": ["ann", "bob", "ann"],
        "from_value": ["a", "a", "b"],
        "to_value": ["b", "c", "c"],
        "context": ["c1", "c1", "c2"],
        "verdict": ["wiser", "unsure", "not_wiser"],
    }
    data.update(override)
    return pd.DataFrame(data)


def test_from_frames_builds_the_graph():
    g = MoralGraph.from_frames(value_table(), vote_table())
    assert [c.policies for c in g.values] == [("p1", "p2"), ("q1", "q2"), ("r1", "r2; still r2")]
    assert g.values[1].description == ""
    assert [c.id for c in g.contexts] == ["c1", "c2"]
    assert g.votes[2] == WiserVote("ann", "b", "c", "c2", "not_wiser")
    assert g.votes_frame().drop(columns="reason").equals(vote_table().astype(object))


def test_from_frames_optional_columns_and_context_table():
    values = value_table(authors=["ann", np.nan, "bob\ncid"], context=["c1", None, np.nan])
    votes = vote_table(reason=["kinder", np.nan, None])
    contexts = pd.DataFrame({"id": ["c1", "c2"], "text": ["First", "Second"]})
    g = MoralGraph.from_frames(values, votes, contexts)
    assert [c.authors for c in g.values] == [("ann",), (), ("bob", "cid")]
    assert [c.context for c in g.values] == ["c1", None, None]
    assert [v.reason for v in g.votes] == ["kinder", None, None]
    assert g.contexts == (Context("c1", "First"), Context("c2", "Second"))


def test_from_frames_applies_the_replacement_rule_in_row_order():
    votes = vote_table(participant=["ann", "ann", "ann"], to_value=["b", "c", "b"])
    votes.loc[2, "from_value"] = "a"
    g = MoralGraph.from_frames(value_table(), votes)
    assert [(v.to_value, v.verdict) for v in g.votes] == [("c", "unsure"), ("b", "not_wiser")]


def test_split_policies():
    assert split_policies(" a ;; b ") == ("a", "b")
    assert split_policies("a;b\r\nc") == ("a;b", "c")
    assert split_policies(np.array(["x", "y"])) == ("x", "y")
    assert split_policies(float("nan")) == ()


@pytest.mark.parametrize("column", ["id", "title", "description", "policies"])
def test_missing_value_column(column):
    with pytest.raises(MoralGraphError, match=f"values table lacks the column '{column}'"):
        MoralGraph.from_frames(value_table().drop(columns=column), vote_table())


@pytest.mark.parametrize("column", ["participant", "from_value", "to_value", "context", "verdict"])
def test_missing_vote_column(column):
    with pytest.raises(MoralGraphError, match=f"votes table lacks the column '{column}'"):
        MoralGraph.from_frames(value_table(), vote_table().drop(columns=column))


@pytest.mark.parametrize(
    ("column", "cell"),
    [
        ("participant", np.nan),
        ("participant", ""),
        ("from_value", 7),
        ("to_value", "nowhere"),
        ("context", None),
        ("verdict", "better"),
    ],
)
def test_bad_vote_cell_names_row_and_column(column, cell):
    votes = vote_table()
    votes[column] = votes[column].astype(object)
    votes.at[1, column] = cell
    where = r"votes table, row 3 \(header = row 1\)"
    with pytest.raises(MoralGraphError, match=rf"{where}.*'{column}'"):
        MoralGraph.from_frames(value_table(), votes)


def test_self_loop_row():
    votes = vote_table(to_value=["b", "a", "c"])
    with pytest.raises(MoralGraphError, match=r"votes table, row 3 .*'to_value'.*itself"):
        MoralGraph.from_frames(value_table(), votes)


@pytest.mark.parametrize(
    ("column", "cell"),
    [("id", ""), ("id", np.nan), ("title", None), ("policies", 5), ("policies", ["ok", 3])],
)
def test_bad_value_cell_names_row_and_column(column, cell):
    values = value_table()
    values[column] = values[column].astype(object)
    values.at[2, column] = cell
    where = r"values table, row 4 \(header = row 1\)"
    with pytest.raises(MoralGraphError, match=rf"{where}.*'{column}'"):
        MoralGraph.from_frames(values, vote_table())


def test_duplicate_value_row():
    with pytest.raises(MoralGraphError, match=r"values table, row 4 .*'id' field 'a' repeats"):
        MoralGraph.from_frames(value_table(id=["a", "b", "a"]), vote_table(to_value=["b"] * 3))


def test_from_frames_refuses_non_frames():
    with pytest.raises(MoralGraphError, match=r"'votes' parameter of MoralGraph\.from_frames"):
        MoralGraph.from_frames(value_table(), vote_table().to_dict("records"))


# --- JSON --------------------------------------------------------------------------------


def small_graph() -> MoralGraph:
    return MoralGraph.from_frames(
        value_table(authors=["ann", "", "bob"]),
        vote_table(reason=["kinder", None, "ünïcode"]),
        [Context("c1", "When the user is in distress"), Context("c2")],
    )


def test_json_document_has_the_documented_schema():
    document = json.loads(small_graph().to_json())
    assert list(document) == ["schema", "version", "contexts", "values", "votes"]
    assert document["schema"] == SCHEMA == "collective-alignment/moral-graph"
    assert document["version"] == 1
    assert document["contexts"][0] == {"id": "c1", "text": "When the user is in distress"}
    assert document["values"][0] == {
        "id": "a", "title": "A", "description": "about a", "policies": ["p1", "p2"],
        "authors": ["ann"], "context": None,
    }
    assert document["votes"][2]["reason"] == "ünïcode"


def test_json_round_trip_from_text_and_bytes():
    g = small_graph()
    assert MoralGraph.from_json(g.to_json()) == g
    assert MoralGraph.from_json(g.to_json(indent=None).encode()) == g


def test_malformed_json_names_line_and_column():
    text = '{\n  "schema": "collective-alignment/moral-graph",\n  "version": 1,,\n}'
    with pytest.raises(MoralGraphError, match="line 3, column 16"):
        MoralGraph.from_json(text)
    with pytest.raises(MoralGraphError, match="not UTF-8"):
        MoralGraph.from_json(b"\xff\xfe{")
    with pytest.raises(MoralGraphError, match="str or bytes"):
        MoralGraph.from_json(None)


def edit(change) -> str:
    document = json.loads(small_graph().to_json())
    change(document)
    return json.dumps(document)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(version=2), "version 2; this version of moralgraph reads version 1"),
        (lambda d: d.update(version=True), "version True"),
        (lambda d: d.update(schema="other"), "'schema' must be"),
        (lambda d: d.pop("votes"), "lacks the key 'votes'"),
        (lambda d: d.update(extra=1), "unknown key 'extra'"),
        (lambda d: d.update(values={}), "'values' must be a list"),
        (lambda d: d["votes"][1].update(verdict="meh"), r"votes\[1\]: .*'verdict'"),
        (lambda d: d["votes"][2].update(to_value="zz"), r"votes\[2\]: the 'to_value' field"),
        (lambda d: d["votes"][0].pop("verdict"), r"votes\[0\]: .*lacks the field 'verdict'"),
        (lambda d: d["values"][1].update(policies="p"), r"values\[1\]: .*'policies'"),
        (lambda d: d["values"][2].update(id="a"), r"values\[2\]: the 'id' field 'a' repeats"),
        (lambda d: d["contexts"].pop(1), r"votes\[2\]: the 'context' field"),
    ],
)
def test_bad_json_documents(change, message):
    with pytest.raises(MoralGraphError, match=message):
        MoralGraph.from_json(edit(change))


def test_json_keys_with_defaults_may_be_omitted():
    def drop(d):
        del d["votes"][0]["reason"], d["values"][0]["authors"], d["values"][0]["context"]
        del d["contexts"][1]["text"]

    g = MoralGraph.from_json(edit(drop))
    assert g.votes[0].reason is None and g.values[0].authors == () and g.contexts[1].text == "c2"


def test_json_top_level_must_be_an_object():
    with pytest.raises(MoralGraphError, match="must be an object"):
        MoralGraph.from_json("[]")


# --- Hypothesis: to_json / from_json round-trips random graphs -----------------------------

texts = st.text(min_size=1, max_size=12).filter(lambda s: s.strip() != "")


@st.composite
def graphs(draw) -> MoralGraph:
    value_ids = draw(st.lists(texts, min_size=2, max_size=6, unique=True))
    context_ids = draw(st.lists(texts, min_size=1, max_size=3, unique=True))
    contexts = [Context(c, draw(st.one_of(st.none(), texts))) for c in context_ids]
    cards = [
        ValueCard(
            v,
            draw(texts),
            draw(st.text(max_size=20)),
            draw(st.lists(texts, max_size=4)),
            draw(st.lists(texts, max_size=2)),
            draw(st.one_of(st.none(), st.sampled_from(context_ids))),
        )
        for v in value_ids
    ]
    pairs = st.tuples(st.sampled_from(value_ids), st.sampled_from(value_ids)).filter(
        lambda p: p[0] != p[1]
    )
    votes = [
        WiserVote(
            draw(st.sampled_from(["ann", "bob", "cid"])),
            *draw(pairs),
            draw(st.sampled_from(context_ids)),
            draw(st.sampled_from(VERDICTS)),
            draw(st.one_of(st.none(), st.text(max_size=10))),
        )
        for _ in range(draw(st.integers(0, 15)))
    ]
    return MoralGraph(cards, votes, contexts)


@SETTINGS
@given(graph=graphs(), indent=st.sampled_from([None, 2]))
def test_json_round_trips_random_graphs(graph, indent):
    back = MoralGraph.from_json(graph.to_json(indent=indent))
    assert back == graph
    assert back.votes == graph.votes and back.values == graph.values
    assert back.contexts == graph.contexts


@SETTINGS
@given(graph=graphs())
def test_frames_round_trip_random_graphs(graph):
    back = MoralGraph.from_frames(graph.values_frame(), graph.votes_frame(), list(graph.contexts))
    assert back == graph


def test_empty_cells_of_nullable_string_columns_are_missing():
    import pandas as pd

    from moralgraph import MoralGraph

    values = pd.DataFrame({"id": ["a", "b"], "title": ["A", "B"], "description": ["", ""],
                           "policies": ["x", "y"]})
    votes = pd.DataFrame({
        "participant": ["ann"], "from_value": ["a"], "to_value": ["b"], "context": ["c1"],
        "verdict": ["wiser"], "reason": pd.array([pd.NA], dtype="string"),
    })
    graph = MoralGraph.from_frames(values, votes)
    assert graph.votes[0].reason is None


def test_votes_frame_is_built_once_and_callers_get_their_own_copy():
    from moralgraph import simulate

    graph = simulate(n_values=5, n_participants=10, votes_per_participant=3, rng=0).graph
    first = graph.votes_frame()
    first.loc[0, "verdict"] = "changed"
    assert graph.votes_frame().loc[0, "verdict"] != "changed"
    assert graph.votes_frame().equals(graph.votes_frame())
