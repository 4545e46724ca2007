"""Tests of moralgraph._llm with fake chat models and embedders (no real model)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from moralgraph import Context, MoralGraph, MoralGraphError, ValueCard, WiserVote
from moralgraph._llm import (
    Articulation,
    Deduplication,
    articulate_value,
    dedupe_values,
    to_preference_pairs,
)

CARD = {"title": "Informed Autonomy!", "description": "Help them choose.",
        "policies": ["the options they have", "what they already know", "their own goals"]}


class ScriptedChat:
    """Returns the scripted replies in turn and records every conversation it was sent."""

    def __init__(self, *replies: str) -> None:
        self.replies = list(replies)
        self.calls: list[list[dict[str, str]]] = []

    def generate(self, messages, max_new_tokens=128, temperature=0.0, seed=0):
        self.calls.append(list(messages))
        return self.replies[len(self.calls) - 1]


# -- articulate_value -------------------------------------------------------------------------
def test_valid_json_card():
    chat = ScriptedChat(json.dumps(CARD))
    result = articulate_value("user: I like to decide myself.", chat, context="advice")
    assert isinstance(result, Articulation)
    assert result.card == ValueCard("informed-autonomy", "Informed Autonomy!", "Help them choose.",
                                    CARD["policies"], context="advice")
    assert result.reason == "valid on the first attempt"
    assert len(chat.calls) == 1
    assert "I like to decide myself." in chat.calls[0][0]["content"]
    assert "advice" in chat.calls[0][0]["content"]


def test_fenced_json_with_surrounding_text():
    reply = "Here is the card:\n```json\n" + json.dumps(CARD) + "\n```\nHope it helps {sic}."
    result = articulate_value([{"role": "user", "content": "hi"}], ScriptedChat(reply))
    assert result.card is not None and result.card.id == "informed-autonomy"
    assert result.raw == reply


def test_invalid_then_repaired_quotes_the_error():
    chat = ScriptedChat("I think they value autonomy.", "{\"title\": \"Autonomy\", "
                        "\"description\": \"\", \"policies\": [\"a\", \"b\", \"c\"]} trailing")
    result = articulate_value("user: hi", chat)
    assert result.card is not None and result.card.policies == ("a", "b", "c")
    assert result.reason.startswith("valid after a repair attempt")
    assert len(chat.calls) == 2
    repair = chat.calls[1]
    assert repair[1] == {"role": "assistant", "content": "I think they value autonomy."}
    assert "no JSON object" in repair[2]["content"]


def test_invalid_twice_gives_no_card():
    chat = ScriptedChat("no card", "{\"title\": \"x\", \"policies\": [")
    result = articulate_value("user: hi", chat)
    assert result.card is None
    assert "no valid card" in result.reason and "does not parse" in result.reason
    assert result.raw == "{\"title\": \"x\", \"policies\": ["
    assert len(chat.calls) == 2


@pytest.mark.parametrize("policies", [["a", "b"], ["p"] * 7, ["a", "", "c"], "a; b; c", None])
def test_bad_policy_count_or_type_is_refused(policies):
    bad = json.dumps({**CARD, "policies": policies})
    result = articulate_value("user: hi", ScriptedChat(bad, bad))
    assert result.card is None
    assert "'policies' must be a list of 3 to 6 non-empty strings" in result.reason


@pytest.mark.parametrize("reply, message", [
    ("[1, 2]", "no JSON object"),
    ('{"title": "", "policies": ["a", "b", "c"]}', "'title'"),
    ('{"title": "T", "description": 3, "policies": ["a", "b", "c"]}', "'description'"),
])
def test_other_invalid_cards(reply, message):
    result = articulate_value("user: hi", ScriptedChat(reply, reply))
    assert result.card is None and message in result.reason


@pytest.mark.parametrize("transcript", ["", "   ", [], [{"role": "user"}], 3])
def test_bad_transcript(transcript):
    with pytest.raises(MoralGraphError, match="'transcript' parameter of articulate_value"):
        articulate_value(transcript, ScriptedChat())


def test_bad_max_new_tokens_and_context():
    with pytest.raises(MoralGraphError, match="max_new_tokens"):
        articulate_value("hi", ScriptedChat(), max_new_tokens=0)
    with pytest.raises(MoralGraphError, match="'context'"):
        articulate_value("hi", ScriptedChat(), context="")


# -- dedupe_values ----------------------------------------------------------------------------
class KeywordEmbedder:
    """Embeds a text as fixed vectors chosen by keyword (not normalised, on purpose)."""

    def __init__(self, table: dict[str, list[float]]) -> None:
        self.table = table
        self.seen: list[str] = []

    def encode(self, texts):
        self.seen.extend(texts)
        return np.array([next(v for k, v in self.table.items() if k in t) for t in texts])


def _card(id_: str, title: str) -> ValueCard:
    return ValueCard(id_, title, "", ["p " + id_])


def test_dedupe_single_linkage_and_canonical():
    # a~b (cos 0.9), b~c (cos 0.9) but a, c at cos 0.62: one cluster by single linkage;
    # b is closest to the cluster mean, so canonical. d stands alone.
    t = np.arccos(0.9)
    emb = KeywordEmbedder({"A": [1, 0, 0], "B": [np.cos(t), np.sin(t), 0],
                           "C": [np.cos(2 * t), np.sin(2 * t), 0], "D": [0, 0, 5]})
    cards = [_card("a", "A"), _card("d", "D"), _card("b", "B"), _card("c", "C")]
    result = dedupe_values(cards, emb, threshold=0.85)
    assert isinstance(result, Deduplication)
    assert result.clusters == [["b", "a", "c"], ["d"]]
    assert result.mapping == {"a": "b", "d": "d", "b": "b", "c": "b"}
    assert emb.seen[0] == "A. p a"
    strict = dedupe_values(cards, emb, threshold=0.95)
    assert strict.clusters == [["a"], ["d"], ["b"], ["c"]]


def test_dedupe_tie_picks_first_and_identical_cards_merge():
    emb = KeywordEmbedder({"X": [0, 2]})
    cards = [_card("x1", "X"), _card("x2", "X again")]
    assert dedupe_values(cards, emb).clusters == [["x1", "x2"]]
    assert dedupe_values([], emb) == Deduplication([], {})


def test_dedupe_errors():
    emb = KeywordEmbedder({"X": [0, 1], "Z": [0, 0]})
    with pytest.raises(MoralGraphError, match="repeated"):
        dedupe_values([_card("x", "X"), _card("x", "X")], emb)
    with pytest.raises(MoralGraphError, match="'threshold'"):
        dedupe_values([_card("x", "X")], emb, threshold=1.5)
    with pytest.raises(MoralGraphError, match="'cards'"):
        dedupe_values(["x"], emb)
    with pytest.raises(MoralGraphError, match="zero vector"):
        dedupe_values([_card("z", "Z")], emb)


# -- to_preference_pairs ----------------------------------------------------------------------
@pytest.fixture
def graph() -> MoralGraph:
    cards = [ValueCard("comfort", "Comfort", "", ["how they feel"]),
             ValueCard("agency", "Agency", "", ["what they can do next"])]
    votes = [WiserVote(p, "comfort", "agency", "distress", "wiser") for p in "xyz"]
    return MoralGraph(cards, votes, [Context("distress", "When the user is in distress")])


def _slot(prompt: str, name: str) -> str:
    return prompt.split(f"Response {name}:")[1].split("Response B:")[0].split("Which")[0]


class PositionJudge:
    """Always prefers position A, whatever the responses."""

    def __init__(self) -> None:
        self.prompts: list[str] = []

    def option_scores(self, prompt, options):
        assert list(options) == ["A", "B"]
        self.prompts.append(prompt)
        return np.log([0.9, 0.1])


class KeywordJudge:
    """Prefers the response containing ``word``, plus a bias toward position A."""

    def __init__(self, word: str, hard: bool = False) -> None:
        self.word, self.hard = word, hard

    def option_scores(self, prompt, options):
        a_has = self.word in _slot(prompt, "A")
        b_has = self.word in _slot(prompt, "B")
        if self.hard:
            return np.array([0.0, -np.inf]) if a_has else np.array([-np.inf, 0.0])
        return np.array([np.log(0.5) + 1.0 * a_has + 0.3, np.log(0.5) + 1.0 * b_has])


def test_position_bias_cancels_to_margin_zero(graph):
    judge = PositionJudge()
    df = to_preference_pairs(graph, "I failed", ["r1", "r2", "r3"], judge, contexts=["distress"])
    assert list(df.columns) == ["prompt", "chosen", "rejected", "margin"]
    assert df.margin.tolist() == [0.0, 0.0, 0.0]
    # ties: the response listed first is chosen
    assert df[["chosen", "rejected"]].values.tolist() == [["r1", "r2"], ["r1", "r3"],
                                                          ["r2", "r3"]]
    assert len(judge.prompts) == 6
    assert "what they can do next" in judge.prompts[0]
    assert _slot(judge.prompts[0], "A").strip() == "r1"
    assert _slot(judge.prompts[1], "A").strip() == "r2"


def test_keyword_wins_in_both_orders(graph):
    responses = ["plain", "take a step", "also plain"]
    df = to_preference_pairs(graph, "I failed", responses, KeywordJudge("step"),
                             contexts=["distress"])
    assert df.chosen.tolist() == ["take a step", "plain", "take a step"]
    assert df.rejected.tolist() == ["plain", "also plain", "also plain"]
    # the keyword is worth 1.0 nat either way; the 0.3 position bias cancels
    assert df.margin.tolist() == pytest.approx([1.0, 0.0, 1.0])
    assert (df.prompt == "I failed").all()


def test_hard_constrained_scores_stay_finite(graph):
    df = to_preference_pairs(graph, "p", ["step", "no"], KeywordJudge("step", hard=True),
                             contexts=["distress"])
    assert df.chosen.tolist() == ["step"] and df.margin.tolist() == [50.0]


def test_prompt_contexts_through_embedder(graph):
    class Embed:
        def encode(self, texts):
            return np.ones((len(texts), 2)) / np.sqrt(2)

    df = to_preference_pairs(graph, "I failed", ["a", "b"], PositionJudge(), Embed())
    assert len(df) == 1


def test_preference_pair_errors(graph):
    judge = PositionJudge()
    with pytest.raises(MoralGraphError, match="'responses'"):
        to_preference_pairs(graph, "p", ["only one"], judge, contexts=["distress"])
    with pytest.raises(MoralGraphError, match="'prompt'"):
        to_preference_pairs(graph, "", ["a", "b"], judge, contexts=["distress"])
    with pytest.raises(MoralGraphError, match="embedder"):
        to_preference_pairs(graph, "p", ["a", "b"], judge)
    empty = MoralGraph(graph.values, [], graph.contexts)
    with pytest.raises(MoralGraphError, match="no principles"):
        to_preference_pairs(empty, "p", ["a", "b"], judge, contexts=["distress"])

    class Broken:
        def option_scores(self, prompt, options):
            return np.array([np.nan, 0.0])

    with pytest.raises(MoralGraphError, match="2 log-probabilities"):
        to_preference_pairs(graph, "p", ["a", "b"], Broken(), contexts=["distress"])
