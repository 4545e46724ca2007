"""The demo deliberation data/moralgraph_demo: reproducible, as documented, and its loaders."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

import moralgraph
from moralgraph import Context, MoralGraphError, ValueCard, _demo, articulate_value, load_demo
from moralgraph._demo import demo_question, demo_transcripts
from moralgraph._simulate import simulate_votes

FOLDER = Path(__file__).resolve().parents[2] / "data" / "moralgraph_demo"


def _json(name: str):
    return json.loads((FOLDER / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_mg_demo_build", FOLDER / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def demo() -> moralgraph.MoralGraph:
    return load_demo()


def test_graph_json_is_exactly_what_build_writes(build, tmp_path) -> None:
    written = build.build(tmp_path / "graph.json")
    assert written.read_bytes() == (FOLDER / "graph.json").read_bytes()
    assert build.main(["--check", "--out", str(FOLDER / "graph.json")]) == 0
    (tmp_path / "graph.json").write_text("{}\n")
    assert build.main(["--check", "--out", str(tmp_path / "graph.json")]) == 1
    assert build.render(seed=build.SEED + 1) != written.read_bytes()  # the seed matters


def test_load_demo_is_the_hand_written_cards_and_contexts(demo) -> None:
    assert repr(demo) == "MoralGraph(20 values, 400 votes, 3 contexts)"
    assert list(demo.values) == [ValueCard.from_dict(c) for c in _json("cards.json")]
    assert list(demo.contexts) == [Context.from_dict(c) for c in _json("contexts.json")]
    assert demo_question().endswith("hard personal decision?")
    assert moralgraph.load_demo is load_demo and "load_demo" in moralgraph.__all__


def test_cards_are_well_formed() -> None:
    cards = [ValueCard.from_dict(c) for c in _json("cards.json")]
    assert len({c.title for c in cards}) == len(cards) == 20
    for card in cards:
        assert 3 <= len(card.policies) <= 6, card.id
        assert card.description.endswith("."), card.id
        assert len(set(card.policies)) == len(card.policies), card.id
        assert card.authors and card.context is not None


def test_votes_follow_the_latent_wisdom_as_documented(demo, build) -> None:
    latent = _json("latent.json")
    cards = {c.id for c in demo.values}
    assert all(set(column) == cards for column in latent.values())
    votes = demo.votes_frame()
    for vote in votes.itertuples():  # only values judged in the context are compared there
        assert latent[vote.context][vote.from_value] is not None
        assert latent[vote.context][vote.to_value] is not None
    per_participant = votes.groupby("participant").size()
    assert len(per_participant) == build.N_PARTICIPANTS
    assert (per_participant == build.VOTES_PER_PARTICIPANT).all()
    gap = np.array([latent[v.context][v.to_value] - latent[v.context][v.from_value]
                    for v in votes.itertuples()])
    decided = votes["verdict"].to_numpy() != "unsure"
    agree = (gap[decided] > 0) == (votes["verdict"].to_numpy()[decided] == "wiser")
    assert 0.6 < agree.mean() < 0.95  # noisy, but informative
    assert 0.05 < 1 - decided.mean() < 0.3


def test_flow_ranks_the_demo_close_to_the_latent_order(demo) -> None:
    latent = _json("latent.json")
    for context in latent:
        truth = pd.Series({k: v for k, v in latent[context].items() if v is not None})
        scores = demo.scores(context)[truth.index]
        assert scores.corr(truth, method="spearman") > 0.5, context


def test_transcripts_are_well_formed(demo) -> None:
    transcripts = demo_transcripts()
    contexts = {c.id for c in demo.contexts}
    assert len(transcripts) == 12 and len({t["id"] for t in transcripts}) == 12
    for t in transcripts:
        assert set(t) == {"id", "context", "messages"} and t["context"] in contexts
        roles = [m["role"] for m in t["messages"]]
        assert roles == ["assistant", "user"] * (len(roles) // 2) and len(roles) >= 4
    assert {t["context"] for t in transcripts} == contexts


class FakeChat:
    """Replies with a card made of the participant's own words; checks what it is asked."""

    def __init__(self, replies: list[str]) -> None:
        self.replies, self.prompts = list(replies), []

    def generate(self, messages, max_new_tokens=128, temperature=0.0, seed=0):
        self.prompts.append(messages)
        return self.replies.pop(0)


def test_articulate_value_on_a_demo_transcript_with_a_fake_model() -> None:
    transcript = demo_transcripts()[1]
    good = json.dumps({"title": "Safety first", "description": "Check they are safe.",
                       "policies": ["words that hint at self-harm", "someone near them tonight",
                                    "real crisis numbers for where they live"]})
    chat = FakeChat(["Sure! Here is the card: {title: Safety first}", good])
    result = articulate_value(transcript["messages"], chat, context=transcript["context"])
    assert result.card is not None and result.card.id == "safety-first"
    assert result.card.context == "distress" and len(result.card.policies) == 3
    assert result.reason.startswith("valid after a repair attempt")
    asked = chat.prompts[0][0]["content"]
    assert transcript["messages"][3]["content"] in asked and "distress" in asked
    assert "not a valid value card" in chat.prompts[1][-1]["content"]
    chat = FakeChat(["no JSON here", '{"title": "T", "policies": ["one"]}'])
    failed = articulate_value(transcript["messages"], chat, context="distress")
    assert failed.card is None and "'policies'" in failed.reason


def test_load_demo_names_a_missing_folder(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(_demo, "DEMO_FOLDER", tmp_path / "nowhere")
    with pytest.raises(MoralGraphError, match=r"graph\.json is missing"):
        load_demo()
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "transcripts.jsonl").write_text('{"id": "t1"}\n{"id": \n')
    monkeypatch.setattr(_demo, "DEMO_FOLDER", tmp_path / "bad")
    with pytest.raises(MoralGraphError, match=r"line 2, column \d+: malformed JSON"):
        demo_transcripts()


# -- simulate_votes -------------------------------------------------------------------------
CARDS = [ValueCard(i, i.title(), "", ["x"]) for i in ("a", "b", "c", "d")]
WISDOM = {"c1": {"a": 0.0, "b": 1.0, "c": 2.0, "d": None},
          "c2": {"a": 2.0, "b": None, "c": 0.0, "d": 1.0}}


def test_simulate_votes_is_seeded_and_skips_values_not_judged() -> None:
    one = simulate_votes(CARDS, WISDOM, n_participants=30, votes_per_participant=4, rng=7)
    assert one.graph == simulate_votes(CARDS, WISDOM, n_participants=30,
                                       votes_per_participant=4, rng=7).graph
    assert len(one.graph.votes) == 120 and [c.id for c in one.graph.contexts] == ["c1", "c2"]
    for vote in one.graph.votes:
        assert {"c1": "d", "c2": "b"}[vote.context] not in (vote.from_value, vote.to_value)
    assert one.truth("c1") == ("c", ) and one.truth("c2") == ("a",)
    assert np.isnan(one.wisdom.loc["d", "c1"])
    assert list(one.graph.values) == CARDS


def test_simulate_votes_without_noise_follows_the_latent_order() -> None:
    frame = pd.DataFrame(WISDOM)
    sim = simulate_votes(CARDS, frame, [Context("c1", "One"), Context("c2", "Two")], 40, 6,
                         noise=0.0, unsure_rate=0.0, rng=1)
    assert sim.graph.contexts[0].text == "One"
    for v in sim.graph.votes:
        better = WISDOM[v.context][v.to_value] > WISDOM[v.context][v.from_value]
        assert v.verdict == ("wiser" if better else "not_wiser")
    pairs = [(v.participant, v.from_value, v.to_value) for v in sim.graph.votes]
    assert len(pairs) == len(set(pairs)) == 240  # distinct pairs per participant, none replaced


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"wisdom": {"c1": {"a": 1.0, "b": 0.0}}}, "card 'c' has none"),
        ({"wisdom": {"c1": {"a": 1, "b": 0, "c": 1, "d": 0, "e": 2}}}, "'e' is no card"),
        ({"wisdom": {"c1": {"a": np.inf, "b": 0, "c": 1, "d": 0}}}, "value 'a' in context 'c1'"),
        ({"wisdom": {"c1": {"a": "high", "b": 0, "c": 1, "d": 0}}}, "finite numbers"),
        ({"wisdom": {"c1": {"a": 1, "b": None, "c": None, "d": None}}}, "no context has two"),
        ({"contexts": [Context("c2"), Context("c1")]}, "wisdom's columns"),
        ({"votes_per_participant": 11}, "votes_per_participant"),
        ({"noise": -1.0}, "'noise' parameter of simulate_votes"),
        ({"cards": "abc"}, "'cards' parameter"),
        ({"wisdom": [1, 2]}, "'wisdom' parameter"),
    ],
)
def test_simulate_votes_rejects_bad_input(kwargs, match) -> None:
    args = {"cards": CARDS, "wisdom": WISDOM, "n_participants": 2, "votes_per_participant": 2}
    with pytest.raises(MoralGraphError, match=match):
        simulate_votes(**(args | kwargs))
