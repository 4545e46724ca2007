"""The records (ValueCard, Context, WiserVote) and MoralGraph construction and validation."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from moralgraph import VERDICTS, Context, MoralGraph, MoralGraphError, ValueCard, WiserVote


def cards(*ids: str) -> list[ValueCard]:
    return [ValueCard(i, f"Title {i}", f"About {i}", [f"policy of {i}"]) for i in ids]


def vote(participant="ann", a="a", b="b", context="c1", verdict="wiser", reason=None):
    return WiserVote(participant, a, b, context, verdict, reason)


def test_import_loads_neither_pandas_nor_torch():
    code = (
        "import sys, moralgraph; "
        "print([m for m in ('torch', 'pandas', 'networkx', 'matplotlib') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_error_is_a_value_error():
    assert issubclass(MoralGraphError, ValueError)
    assert VERDICTS == ("wiser", "not_wiser", "unsure")


def test_card_policies_list_becomes_tuple_and_card_is_hashable():
    card = ValueCard("v", "T", "D", ["p1", "p2"], ["ann"], "c1")
    assert card.policies == ("p1", "p2") and card.authors == ("ann",)
    same = ValueCard("v", "T", "D", ("p1", "p2"), ("ann",), "c1")
    assert card == same and hash(card) == hash(same) and len({card, same}) == 1


@pytest.mark.parametrize(
    "record",
    [ValueCard("v", "T", "D", ["p"]), Context("c"), WiserVote("a", "x", "y", "c", "wiser")],
)
def test_records_are_immutable(record):
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.id = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"id": ""}, "id"),
        ({"id": "  "}, "id"),
        ({"id": 3}, "id"),
        ({"title": ""}, "title"),
        ({"description": None}, "description"),
        ({"policies": "one string"}, "policies"),
        ({"policies": ["ok", ""]}, "policies"),
        ({"authors": "ann"}, "authors"),
        ({"context": ""}, "context"),
    ],
)
def test_card_field_errors_name_the_field(kwargs, field):
    args = {"id": "v", "title": "T", "description": "D", "policies": ["p"], **kwargs}
    with pytest.raises(MoralGraphError, match=f"'{field}' parameter of ValueCard"):
        ValueCard(**args)


def test_context_text_defaults_to_id_and_checks_fields():
    assert Context("c").text == "c"
    with pytest.raises(MoralGraphError, match="'id' parameter of Context"):
        Context("")
    with pytest.raises(MoralGraphError, match="'text' parameter of Context"):
        Context("c", "")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"participant": ""}, "participant"),
        ({"a": ""}, "from_value"),
        ({"b": None}, "to_value"),
        ({"b": "a"}, "to_value"),
        ({"context": ""}, "context"),
        ({"verdict": "better"}, "verdict"),
        ({"reason": 5}, "reason"),
    ],
)
def test_vote_field_errors_name_the_field(kwargs, field):
    with pytest.raises(MoralGraphError, match=f"'{field}' parameter of WiserVote"):
        vote(**kwargs)


def test_record_dict_round_trip_and_unknown_or_missing_keys():
    card = ValueCard("v", "T", "D", ["p"], ["ann"], "c1")
    v = vote(reason="because")
    assert ValueCard.from_dict(card.to_dict()) == card
    assert WiserVote.from_dict(v.to_dict()) == v
    assert Context.from_dict({"id": "c", "text": "t"}) == Context("c", "t")
    with pytest.raises(MoralGraphError, match="lacks the field 'title'"):
        ValueCard.from_dict({"id": "v"})
    with pytest.raises(MoralGraphError, match="unknown field 'colour'"):
        Context.from_dict({"id": "c", "colour": "red"})
    with pytest.raises(MoralGraphError, match="JSON object"):
        WiserVote.from_dict(["ann"])


def test_construction_and_properties():
    g = MoralGraph(cards("a", "b", "c"), [vote(), vote("bob", "b", "c", "c2", "unsure")])
    assert [c.id for c in g.values] == ["a", "b", "c"]
    assert len(g.votes) == 2 and isinstance(g.votes, tuple)
    assert g.contexts == (Context("c1"), Context("c2"))
    assert isinstance(g.values, tuple) and isinstance(g.contexts, tuple)
    assert repr(g) == "MoralGraph(3 values, 2 votes, 2 contexts)"
    assert g == MoralGraph(cards("a", "b", "c"), list(g.votes)) and hash(g) == hash(g)


def test_dicts_are_accepted_as_records():
    g = MoralGraph([c.to_dict() for c in cards("a", "b")], [vote().to_dict()], ["c1"])
    assert g.values == tuple(cards("a", "b")) and g.votes == (vote(),)


def test_contexts_default_to_those_named_by_cards_then_votes():
    card = ValueCard("a", "A", "", ["p"], context="from-card")
    g = MoralGraph([card, *cards("b")], [vote(context="from-vote")])
    assert [c.id for c in g.contexts] == ["from-card", "from-vote"]
    assert all(c.text == c.id for c in g.contexts)


def test_given_contexts_are_kept_in_order_with_their_text():
    given = [Context("c2", "Second"), "c1", {"id": "c3", "text": "Third"}]
    g = MoralGraph(cards("a", "b"), [vote()], given)
    assert g.contexts == (Context("c2", "Second"), Context("c1"), Context("c3", "Third"))


def test_later_vote_by_same_participant_on_same_pair_replaces_earlier():
    votes = [
        vote("ann", "a", "b", "c1", "unsure"),
        vote("bob", "a", "b", "c1", "wiser"),
        vote("ann", "b", "a", "c1", "wiser"),  # the reverse pair is another pair
        vote("ann", "a", "b", "c2", "not_wiser"),  # replaces ann's first vote, other context
    ]
    g = MoralGraph(cards("a", "b"), votes)
    assert g.votes == (votes[1], votes[2], votes[3])
    assert [v.verdict for v in g.votes if v.participant == "ann" and v.from_value == "a"] == [
        "not_wiser"
    ]


def test_unknown_value_in_vote_names_position_and_field():
    votes = [vote(), vote("bob", "a", "zz")]
    with pytest.raises(MoralGraphError, match=r"Vote 1 \(0-based index\): the 'to_value' field"):
        MoralGraph(cards("a", "b"), votes)
    with pytest.raises(MoralGraphError, match=r"Vote 0 \(0-based index\): the 'from_value'.*'q'"):
        MoralGraph(cards("a", "b"), [vote(a="q")])


def test_unknown_context_in_vote_or_card():
    with pytest.raises(MoralGraphError, match=r"Vote 0 \(0-based index\): the 'context' field"):
        MoralGraph(cards("a", "b"), [vote(context="elsewhere")], contexts=["c1"])
    card = ValueCard("a", "A", "", ["p"], context="nowhere")
    with pytest.raises(MoralGraphError, match=r"Value 0 \(0-based index\): the 'context' field"):
        MoralGraph([card], [], contexts=["c1"])


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"from_value": "a", "to_value": "a"}, "to_value"),
        ({"verdict": "maybe"}, "verdict"),
        ({"participant": ""}, "participant"),
        ({"context": ""}, "context"),
    ],
)
def test_malformed_vote_dicts_name_position_and_field(bad, field):
    votes = [vote().to_dict(), {**vote("bob").to_dict(), **bad}]
    with pytest.raises(MoralGraphError, match=rf"Vote 1 \(0-based index\): .*'{field}'"):
        MoralGraph(cards("a", "b"), votes)


def test_vote_dict_with_unknown_key_names_position():
    with pytest.raises(MoralGraphError, match=r"Vote 0 \(0-based index\).*'weight'"):
        MoralGraph(cards("a", "b"), [{**vote().to_dict(), "weight": 2}])
    with pytest.raises(MoralGraphError, match=r"Vote 0 \(0-based index\).*WiserVote"):
        MoralGraph(cards("a", "b"), [("ann", "a", "b", "c1", "wiser")])


def test_duplicate_value_and_context_ids():
    with pytest.raises(MoralGraphError, match=r"Value 2 \(0-based index\): the 'id' field 'a'"):
        MoralGraph(cards("a", "b", "a"), [])
    with pytest.raises(MoralGraphError, match=r"Context 1 \(0-based index\): the 'id' field"):
        MoralGraph(cards("a"), [], contexts=["c1", Context("c1", "again")])


def test_bad_container_arguments():
    with pytest.raises(MoralGraphError, match="'values' parameter of MoralGraph"):
        MoralGraph("ab", [])
    with pytest.raises(MoralGraphError, match="'votes' parameter of MoralGraph"):
        MoralGraph([], None)
    with pytest.raises(MoralGraphError, match="'contexts' parameter of MoralGraph"):
        MoralGraph([], [], contexts="c1")


def test_frames_have_the_documented_columns():
    g = MoralGraph(cards("a", "b"), [vote(reason="kinder")])
    votes = g.votes_frame()
    assert list(votes.columns) == [
        "participant", "from_value", "to_value", "context", "verdict", "reason"
    ]
    assert votes.iloc[0].tolist() == ["ann", "a", "b", "c1", "wiser", "kinder"]
    values = g.values_frame()
    assert list(values.columns) == ["id", "title", "description", "policies", "authors", "context"]
    assert values.loc[1, "policies"] == ("policy of b",)
    empty = MoralGraph([], [])
    assert len(empty.votes_frame()) == 0 and len(empty.values_frame().columns) == 6


def test_graph_attributes_cannot_be_reassigned():
    g = MoralGraph(cards("a", "b"), [vote()])
    with pytest.raises(AttributeError):
        g.votes = ()  # type: ignore[misc]
    with pytest.raises(AttributeError):
        g.values = ()  # type: ignore[misc]
