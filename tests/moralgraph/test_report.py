"""read_graph (either JSON format, detected) and the per-context reports of the CLI."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import moralgraph as mg
from moralgraph import Context, MoralGraph, MoralGraphError, ValueCard, WiserVote
from moralgraph._mai_json import read_mai_json

CARDS = [
    ValueCard("comfort", "Comfort", "", ["how the person feels"]),
    ValueCard("agency", "Agency", "", ["what they can do next"]),
    ValueCard("honesty", "Honesty", "", ["what is true"]),
]
CONTEXTS = [Context("distress", "When the user is in distress"),
            Context("money", "When the user asks about money"),
            Context("grief", "When the user is grieving")]


@pytest.fixture
def graph() -> MoralGraph:
    votes = [WiserVote(p, "comfort", "agency", "distress", "wiser") for p in "abcd"]
    votes += [WiserVote(p, "agency", "honesty", "money", "wiser") for p in "abc"]
    votes += [WiserVote("d", "honesty", "agency", "money", "not_wiser")]
    return MoralGraph(CARDS, votes, CONTEXTS)


@pytest.fixture
def sim_graph() -> MoralGraph:
    return mg.simulate(n_values=8, contexts=3, n_participants=60, rng=3).graph


class Keywords:
    """A toy embedder: one dimension per keyword, unit rows."""

    words = ("distress", "money", "griev")

    def encode(self, texts):
        rows = np.array([[t.lower().count(w) for w in self.words] + [0.1] for t in texts])
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


# -- read_graph ------------------------------------------------------------------------------
def test_read_graph_reads_our_schema_from_a_path_bytes_or_a_stream(graph, tmp_path):
    path = tmp_path / "g.json"
    path.write_text(graph.to_json())
    assert mg.read_graph(path) == graph
    assert mg.read_graph(str(path)) == graph
    assert mg.read_graph(graph.to_json().encode()) == graph
    assert mg.read_graph(io.BytesIO(graph.to_json().encode())) == graph


def test_read_graph_reads_the_mai_export_as_read_mai_json_does(sim_graph, tmp_path):
    path = tmp_path / "mai.json"
    path.write_text(sim_graph.to_mai_json())
    read = mg.read_graph(path)
    assert read == read_mai_json(path)
    # the counts and statistics come back; the export keeps no context per vote
    pd.testing.assert_frame_equal(read.edge_summary(keep_all=True).drop(columns="contexts"),
                                  sim_graph.edge_summary(keep_all=True).drop(columns="contexts"))


def test_malformed_json_names_the_file_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"values": [],\n  "edges": [,]}\n')
    with pytest.raises(MoralGraphError, match=r"broken\.json: the JSON is malformed at line 2, "
                                              r"column 13"):
        mg.read_graph(path)


@pytest.mark.parametrize(
    ("document", "found"),
    [({"nodes": [], "links": []}, "this JSON object has: nodes, links"),
     ({}, "this JSON object has: no keys"),
     ([1, 2], "Got [1, 2] instead")],
)
def test_a_file_in_neither_format_says_which_keys_were_expected(tmp_path, document, found):
    path = tmp_path / "other.json"
    path.write_text(json.dumps(document))
    with pytest.raises(MoralGraphError) as info:
        mg.read_graph(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert "schema, version, contexts, values, votes" in message
    assert "Meaning Alignment Institute's export (keys values, edges)" in message
    assert found in message


def test_errors_inside_either_format_name_the_file(graph, tmp_path):
    doc = json.loads(graph.to_json())
    doc["votes"][2]["to_value"] = "nobody"
    ours = tmp_path / "ours.json"
    ours.write_text(json.dumps(doc))
    with pytest.raises(MoralGraphError, match=r"ours\.json: .*votes\[2\].*'nobody'"):
        mg.read_graph(ours)
    doc = json.loads(graph.to_mai_json())
    doc["edges"][0]["counts"]["markedWiser"] = -1
    mai = tmp_path / "mai.json"
    mai.write_text(json.dumps(doc))
    with pytest.raises(MoralGraphError, match=r"mai\.json: edges\[0\]\.counts\.markedWiser"):
        mg.read_graph(mai)


def test_a_missing_file_or_non_utf8_bytes_are_graph_errors(tmp_path):
    with pytest.raises(MoralGraphError, match="no such file"):
        mg.read_graph(tmp_path / "absent.json")
    with pytest.raises(MoralGraphError, match="not UTF-8"):
        mg.read_graph(b"\xff\xfe{")


def test_graph_format_tells_the_formats_apart():
    from moralgraph._read import graph_format

    assert graph_format({"schema": "x"}) == "moralgraph"
    assert graph_format({"values": [], "votes": []}) == "moralgraph"
    assert graph_format({"values": [], "edges": []}) == "mai"


# -- score_report ----------------------------------------------------------------------------
@pytest.mark.parametrize(("method", "propagation"),
                         [("flow", 0.0), ("flow", 0.5), ("flow", 0.85), ("mai", 0.85)])
def test_score_report_shows_the_graphs_own_scores_and_labels(sim_graph, method, propagation):
    report = mg.score_report(sim_graph, method=method, propagation=propagation, top=4)
    assert [c.context for c in report.contexts] == [c.id for c in sim_graph.contexts]
    for part in report.contexts:
        scores = sim_graph.scores(part.context, propagation, method)
        assert list(part.table["value"]) == list(scores.index[:4])
        np.testing.assert_array_equal(part.table["score"], scores.to_numpy()[:4])
        assert list(part.table["rank"]) == [1, 2, 3, 4]
        titles = {c.id: c.title for c in sim_graph.values}
        assert list(part.table["title"]) == [titles[v] for v in part.table["value"]]
        assert part.support == sim_graph.support_level(
            part.context, method=method, propagation=propagation)
        assert part.votes == sum(v.context == part.context for v in sim_graph.votes)


def test_score_report_keeps_the_order_of_the_contexts_asked_for(sim_graph):
    report = mg.score_report(sim_graph, ["c2", "c0"], top=2)
    assert [c.context for c in report.contexts] == ["c2", "c0"]
    frame = report.to_frame()
    assert list(frame.columns) == ["context", "support", "rank", "value", "title", "score"]
    assert list(frame["context"]) == ["c2", "c2", "c0", "c0"]
    assert mg.score_report(sim_graph, "c1").contexts[0].context == "c1"


def test_score_report_reports_progress_per_context(sim_graph):
    calls = []
    mg.score_report(sim_graph, ["c1", "c2"], progress=lambda done, total: calls.append(
        (done, total)))
    assert calls == [(1, 2), (2, 2)]


def test_a_context_without_votes_is_reported_not_scored(graph):
    report = mg.score_report(graph)
    grief = report.contexts[2]
    assert grief.votes == 0 and grief.support is None and grief.table.empty
    assert "no votes in this context" in grief.note
    assert report.contexts[0].note == "" and report.contexts[0].table["value"][0] == "agency"


def test_mai_without_kept_pairs_says_why():
    # one lonely "wiser" vote: below markedWiser >= 2, so MAI keeps no pair and scores nothing
    one = MoralGraph(CARDS, [WiserVote("a", "comfort", "agency", "distress", "wiser")],
                     CONTEXTS)
    part = mg.score_report(one, method="mai").contexts[0]
    assert part.votes == 1 and part.table.empty and part.support is None
    assert "markedWiser >= 2" in part.note and "entropy <= 1.69" in part.note


def test_score_report_to_dict_is_json(sim_graph):
    document = mg.score_report(sim_graph, top=2, method="mai").to_dict()
    assert document["propagation"] is None and document["method"] == "mai"
    json.dumps(document)
    assert set(document["contexts"][0]) == {"context", "text", "votes", "support", "note", "top"}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"contexts": ["nowhere"]}, "unknown context 'nowhere'"),
     ({"contexts": []}, "'contexts' parameter of score_report"),
     ({"top": 0}, "'top' parameter of score_report must be an int"),
     ({"method": "pagerank"}, "'method' parameter of score_report"),
     ({"propagation": 1.0},
      r"'propagation' parameter of score_report must be a float in \[0, 1\)"),
     ({"method": "mai", "propagation": 0.5}, r"must be 0.85 with method='mai'")],
)
def test_score_report_rejects_bad_arguments(graph, kwargs, match):
    with pytest.raises(MoralGraphError, match=match):
        mg.score_report(graph, **kwargs)


def test_score_report_of_a_graph_without_votes_is_an_error():
    with pytest.raises(MoralGraphError, match="no votes"):
        mg.score_report(MoralGraph(CARDS, [], CONTEXTS))


# -- principles_report -----------------------------------------------------------------------
def test_principles_report_matches_principles_context_by_context(sim_graph):
    table = mg.principles_report(sim_graph, contexts=["c1", "c0"], k=2)
    assert list(table["context"]) == ["c1", "c0"]
    assert list(table["principle"]) == sim_graph.principles(["c1", "c0"], 2)
    for row in table.itertuples():
        part = sim_graph.subgraph(row.context)
        assert list(row.values) == part.wisest(row.context, 2)
        policies = [p for v in row.values for p in part.values[
            [c.id for c in part.values].index(v)].policies]
        assert row.principle.endswith("attend to: " + "; ".join(policies) + ".")


def test_principles_report_of_a_prompt_uses_its_contexts(graph):
    table = mg.principles_report(graph, "I am in distress", embedder=Keywords(), k=1)
    assert list(table["context"]) == graph.contexts_for("I am in distress", Keywords())
    assert table.loc[0, "context"] == "distress"
    assert table.loc[0, "principle"] == (
        "When the user is in distress, attend to: what they can do next.")
    grief = table.set_index("context").loc["grief"]
    assert grief["principle"] is None and grief["values"] == () and grief["votes"] == 0
    similarity = graph.context_similarity("I am in distress", Keywords())
    np.testing.assert_allclose(table["similarity"], similarity[table["context"]].to_numpy())
    assert table["similarity"].is_monotonic_decreasing


def test_principles_report_top_and_min_similarity_select_fewer_contexts(graph):
    one = mg.principles_report(graph, "I am in distress", embedder=Keywords(), top=1)
    assert list(one["context"]) == ["distress"]
    none = mg.principles_report(graph, "distress about money", embedder=Keywords(),
                                min_similarity=0.99)
    assert none.empty and list(none.columns) == list(one.columns)


def test_principles_report_of_given_contexts_has_no_similarity(graph):
    table = mg.principles_report(graph, contexts=["money"])
    assert table["similarity"].isna().all() and table["similarity"].dtype == float


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({}, "needs a prompt"),
     ({"prompt": "hello"}, "no embedder"),
     ({"contexts": ["nowhere"]}, "unknown context 'nowhere'"),
     ({"contexts": ["money"], "k": 0}, "'k' parameter of principles_report"),
     ({"prompt": "hi", "embedder": Keywords(), "top": 0}, "'top' parameter of principles_r"),
     ({"prompt": "hi", "embedder": Keywords(), "min_similarity": 2},
      "'min_similarity' parameter of principles_report")],
)
def test_principles_report_rejects_bad_arguments(graph, kwargs, match):
    with pytest.raises(MoralGraphError, match=match):
        mg.principles_report(graph, **kwargs)


def test_the_readers_error_is_the_mai_readers_for_a_path(tmp_path: Path):
    path = tmp_path / "mai.json"
    path.write_text('{"values": [{"id": 1}], "edges": []}')
    with pytest.raises(MoralGraphError, match=r"mai\.json: values\[0\]\.title is missing"):
        mg.read_graph(path)
