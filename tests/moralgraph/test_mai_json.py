"""read_mai_json / to_mai_json: the Meaning Alignment Institute's export format."""

from __future__ import annotations

import copy
import io
import json

import numpy as np
import pytest

from moralgraph import MoralGraph, MoralGraphError, ValueCard, WiserVote, simulate
from moralgraph._mai_json import read_mai_json, to_mai_json

DISTRESS = "When the user is in distress"
MEDICAL = "When the user asks for medical advice"
COUNTS = ("marked_wiser", "marked_not_wiser", "marked_less_wise", "marked_unsure", "impressions")
KEYS = ("markedWiser", "markedNotWiser", "markedLessWise", "markedUnsure", "impressions")


def _value(vid: int, title: str, criteria: list[str]) -> dict:
    return {
        "id": vid,
        "title": title,
        "instructionsShort": f"ChatGPT should {title.lower()}.",
        "instructionsDetailed": f"ChatGPT should attend to what {title.lower()} asks of it.",
        "evaluationCriteria": criteria,
        "createdAt": "2023-10-30T12:00:00.000Z",  # their rows carry more keys: ignored
    }


def _edge(a: int, b: int, contexts: list[str], counts: tuple, likelihood, entropy) -> dict:
    return {
        "sourceValueId": a,
        "wiserValueId": b,
        "contexts": contexts,
        "counts": dict(zip(KEYS, counts, strict=True)),
        "summary": {"wiserLikelihood": likelihood, "entropy": entropy},
    }


def export() -> dict:
    """A small export in their shape; the summaries were computed by hand from the counts.

    11 <-> 12 both directions (4 wiser, 1 not, 1 unsure one way; 1 wiser, 1 not back);
    12 -> 13 without its reverse (a trimmed export: 2 impressions come from reverse votes);
    11 -> 14 and its all-"less wise" reverse, in the second context.
    """
    return {
        "values": [
            _value(11, "Comfort first", ["how the person feels right now"]),
            _value(12, "Informed agency", ["the options they have", "what they already know"]),
            _value(13, "Honest limits", ["what I cannot know from here"]),
            _value(14, "Safety net", ["who else could help them", "signs of acute danger"]),
        ],
        "edges": [
            _edge(11, 12, [DISTRESS], (4, 1, 1, 1, 8), 0.42857142857142855, 1.7735572622751854),
            _edge(12, 11, [DISTRESS], (1, 1, 4, 0, 8), -0.5, 1.5216406363433181),
            _edge(12, 13, [DISTRESS, MEDICAL], (3, 0, 0, 0, 5), 1.0, 0.954434002924965),
            _edge(11, 14, [MEDICAL], (2, 0, 0, 1, 3), 0.6666666666666666, 1.4591479170272448),
            _edge(14, 11, [MEDICAL], (0, 0, 2, 0, 3), -1.0, 0.9709505944546686),
        ],
    }


def _stats(summary) -> dict:
    """(from, to) -> (counts..., likelihood, entropy) of an edge_summary table."""
    return {
        (r.from_value, r.to_value): (*(getattr(r, c) for c in COUNTS), r.wiser_likelihood,
                                     r.entropy)
        for r in summary.itertuples()
    }


def _file_stats(doc: dict) -> dict:
    return {
        (str(e["sourceValueId"]), str(e["wiserValueId"])): (
            *(e["counts"][k] for k in KEYS),
            np.nan if e["summary"]["wiserLikelihood"] is None else e["summary"]["wiserLikelihood"],
            e["summary"]["entropy"],
        )
        for e in doc["edges"]
    }


def _same(got: tuple, want: tuple) -> bool:
    return got[:5] == want[:5] and np.allclose(got[5:], want[5:], rtol=1e-12, atol=0,
                                               equal_nan=True)


def _same_stats(got: dict, want: dict) -> bool:
    return got.keys() == want.keys() and all(_same(got[k], want[k]) for k in want)


def test_counts_and_statistics_come_back_identical():
    doc = export()
    g = read_mai_json(json.dumps(doc))
    got = _stats(g.edge_summary(keep_all=True))
    for pair, want in _file_stats(doc).items():
        assert got[pair] == want  # bit for bit
    # 13 -> 12 is not in the file: 3 less wise (12 -> 13's wiser votes), 2 implied unsure
    assert got[("13", "12")][:5] == (0, 0, 3, 2, 5)


def test_values_contexts_and_pseudo_participants():
    g = read_mai_json(json.dumps(export()))
    card = g.values[1]
    assert card == ValueCard(
        "12", "Informed agency", "ChatGPT should attend to what informed agency asks of it.",
        ("the options they have", "what they already know"),
    )
    assert [c.id for c in g.contexts] == [DISTRESS, MEDICAL]
    assert len(g.votes) == 6 + 2 + 3 + 2 + 3
    assert len({v.participant for v in g.votes}) == len(g.votes)
    first = [v for v in g.votes if (v.from_value, v.to_value) == ("11", "12")]
    assert [v.participant for v in first][:2] == ["mai:11>12:0", "mai:11>12:1"]
    assert {v.context for v in first} == {DISTRESS}
    assert [v.verdict for v in first] == ["wiser"] * 4 + ["not_wiser", "unsure"]


def test_round_trip_gives_the_same_edge_statistics():
    doc = export()
    g = read_mai_json(json.dumps(doc))
    text = to_mai_json(g)
    again = read_mai_json(text)
    assert _same_stats(_stats(again.edge_summary(keep_all=True)),
                       _stats(g.edge_summary(keep_all=True)))
    written = json.loads(text)
    assert written["values"][0]["id"] == 11  # integer ids stay integers
    for pair, want in _file_stats(doc).items():
        assert _same(_file_stats(written)[pair], want)


def test_round_trip_of_a_simulated_graph_and_nan_likelihood_as_null():
    g = simulate(8, contexts=2, n_participants=30, votes_per_participant=4, rng=3).graph
    text = to_mai_json(g, indent=None)
    doc = json.loads(text)
    assert any(e["summary"]["wiserLikelihood"] is None for e in doc["edges"])
    again = read_mai_json(text)
    want = g.edge_summary(keep_all=True)
    got = again.edge_summary(keep_all=True)
    assert list(got.columns) == list(want.columns)
    assert got[list(COUNTS)].equals(want[list(COUNTS)])
    for column in ("wiser_likelihood", "entropy"):
        np.testing.assert_allclose(got[column], want[column], rtol=1e-12, equal_nan=True)
    assert _same_stats(_file_stats(json.loads(to_mai_json(again))), _file_stats(doc))


def test_sources_path_bytes_file_and_text(tmp_path):
    text = json.dumps(export())
    path = tmp_path / "moral_graph.json"
    path.write_text(text, encoding="utf-8")
    graphs = [
        read_mai_json(text),
        read_mai_json(path),
        read_mai_json(str(path)),
        read_mai_json(text.encode()),
        read_mai_json(io.StringIO(text)),
        read_mai_json(io.BytesIO(text.encode())),
    ]
    assert all(g == graphs[0] for g in graphs)


def test_empty_export_and_graph():
    g = read_mai_json('{"values": [], "edges": []}')
    assert (len(g.values), len(g.votes)) == (0, 0)
    assert json.loads(to_mai_json(MoralGraph([], []))) == {"values": [], "edges": []}


def test_string_ids_stay_strings():
    cards = [ValueCard("comfort", "Comfort", "", ["x"]), ValueCard("007", "Agency", "", ["y"])]
    g = MoralGraph(cards, [WiserVote("ann", "comfort", "007", "c", "wiser")])
    doc = json.loads(to_mai_json(g))
    assert [v["id"] for v in doc["values"]] == ["comfort", "007"]
    assert read_mai_json(json.dumps(doc)).values == g.values


def test_malformed_json_names_line_and_column():
    text = '{"values": [],\n  "edges": [,]}'
    with pytest.raises(MoralGraphError, match=r"<text>: .*malformed at line 2, column 13"):
        read_mai_json(text)
    with pytest.raises(MoralGraphError, match=r"<bytes>: .*line 1, column 2"):
        read_mai_json(b"{oops")


def test_missing_file_is_named(tmp_path):
    with pytest.raises(MoralGraphError, match=r"nope\.json: no such file"):
        read_mai_json(tmp_path / "nope.json")


def _broken(edit) -> dict:
    doc = copy.deepcopy(export())
    edit(doc)
    return doc


BAD = [
    (lambda d: d["edges"][3]["counts"].pop("markedWiser"),
     r"edges\[3\]\.counts\.markedWiser is missing"),
    (lambda d: d.pop("edges"), r"the document\.edges is missing"),
    (lambda d: d.update(values={}), r"values is \{\}; expected a list"),
    (lambda d: d["values"][2].pop("evaluationCriteria"),
     r"values\[2\]\.evaluationCriteria is missing"),
    (lambda d: d["values"][0].update(title=""), r"values\[0\] is not a valid value card.*'title'"),
    (lambda d: d["values"][1].update(id=11), r"values\[1\]\.id '11' repeats"),
    (lambda d: d["values"][1].update(id=True), r"values\[1\]\.id is True"),
    (lambda d: d["values"][1]["evaluationCriteria"].append(""), r"evaluationCriteria\[2\] is ''"),
    (lambda d: d["edges"][0].update(wiserValueId=99),
     r"edges\[0\]\.wiserValueId names an unknown value '99'"),
    (lambda d: d["edges"][0].update(wiserValueId=11), r"edges\[0\] joins value '11' to itself"),
    (lambda d: d["edges"].append(copy.deepcopy(d["edges"][2])),
     r"edges\[5\] repeats the pair '12' -> '13' of edges\[2\]"),
    (lambda d: d["edges"][1].update(counts=[1]),
     r"edges\[1\]\.counts is \[1\]; expected a JSON object"),
    (lambda d: d["edges"][1]["counts"].update(markedUnsure=-1),
     r"edges\[1\]\.counts\.markedUnsure is -1; expected an integer >= 0"),
    (lambda d: d["edges"][1]["counts"].update(markedUnsure=True), r"markedUnsure is True"),
    (lambda d: d["edges"][1]["counts"].update(markedUnsure=0.5), r"markedUnsure is 0.5"),
    (lambda d: d["edges"][0]["summary"].update(entropy=1.5),
     r"edges\[0\]\.summary\.entropy is 1.5; the counts give 1.77"),
    (lambda d: d["edges"][0]["summary"].update(wiserLikelihood=None),
     r"summary\.wiserLikelihood is None"),
    (lambda d: d["edges"][0].pop("summary"), r"edges\[0\]\.summary is missing"),
    (lambda d: d["edges"][2].update(contexts=[]), r"edges\[2\]\.contexts is empty"),
    (lambda d: d["edges"][2].update(contexts=DISTRESS), r"edges\[2\]\.contexts is 'When"),
]


@pytest.mark.parametrize(("edit", "message"), BAD)
def test_bad_inputs_name_the_json_path(edit, message):
    with pytest.raises(MoralGraphError, match=message):
        read_mai_json(json.dumps(_broken(edit)))


def _recount(edge: dict, **counts) -> None:
    """Set counts and a summary consistent with them, so only the cross-edge check fails."""
    from moralgraph._mai_json import _entropy

    edge["counts"].update(counts)
    w, n, lw, u, imp = (edge["counts"][k] for k in KEYS)
    edge["summary"] = {"wiserLikelihood": (w - lw) / (w + n + u + lw),
                       "entropy": _entropy((w, n, lw, u, imp))}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: _recount(d["edges"][0], markedLessWise=2),
         r"edges\[0\]\.counts\.markedLessWise is 2; "
         r"it must equal edges\[1\]\.counts\.markedWiser \(1\)"),
        (lambda d: _recount(d["edges"][0], impressions=9),
         r"edges\[0\]\.counts\.impressions is 9; .* reverse edge edges\[1\] add up to 8"),
        (lambda d: _recount(d["edges"][2], impressions=2),
         r"edges\[2\]\.counts\.impressions is 2; it must be at least .* = 3"),
    ],
)
def test_counts_no_votes_can_produce_are_refused(edit, message):
    with pytest.raises(MoralGraphError, match=message):
        read_mai_json(json.dumps(_broken(edit)))
