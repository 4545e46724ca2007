"""MoralGraph.legitimacy: hand-worked statistics, a vote-by-vote reference, edge cases."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from moralgraph import MoralGraph, MoralGraphError, ValueCard, WiserVote, simulate
from moralgraph._legitimacy import LEGITIMACY_COLUMNS, legitimacy


def card(i: str, *authors: str) -> ValueCard:
    return ValueCard(i, i.title(), "", [f"p{i}"], authors=authors)


def graph(w_authors: tuple[str, ...] = ("win",)) -> MoralGraph:
    cards = [card("a", "ann"), card("b", "bob"), card("c", "cy", "dee"), card("w", *w_authors)]
    votes = [
        WiserVote("ann", "a", "w", "c1", "wiser"),  # supports w; a loses
        WiserVote("bob", "b", "w", "c1", "wiser"),  # supports w; b loses
        WiserVote("bob", "w", "b", "c1", "not_wiser"),  # supports w; no evidence on b
        WiserVote("cy", "c", "w", "c1", "not_wiser"),  # opposes w
        WiserVote("dee", "c", "w", "c1", "wiser"),  # supports w
        WiserVote("eve", "w", "c", "c1", "wiser"),  # opposes w; c wins the pair on net
        WiserVote("fay", "a", "w", "c1", "unsure"),  # no judgement
        WiserVote("ann", "b", "w", "c2", "not_wiser"),  # only counted without a context
        *(WiserVote(f"x{i}", "a", "b", "c1", "wiser") for i in range(3)),
    ]
    return MoralGraph(cards, votes)


def row(frame: pd.DataFrame, value: str) -> dict:
    return frame.set_index("value").loc[value].to_dict()


def test_hand_worked_statistics_in_one_context() -> None:
    frame = graph().legitimacy("c1", k=4)
    w = row(frame, "w")
    assert (w["cards_beaten"], w["judged_wiser_than_own"]) == (2, 2)  # a and b: ann, bob
    assert (w["participants_judging"], w["participants_agreeing"]) == (5, 3)  # not fay
    assert w["share_agreeing"] == pytest.approx(0.6)
    assert w["title"] == "W"


def test_all_contexts_count_every_vote() -> None:
    w = row(graph().legitimacy(k=4), "w")
    # ann's "not_wiser" in c2 balances her support and b no longer loses on net
    assert (w["cards_beaten"], w["judged_wiser_than_own"]) == (1, 1)
    assert (w["participants_judging"], w["participants_agreeing"]) == (5, 2)


def test_authors_of_the_winner_are_not_counted_as_losing_their_own_card() -> None:
    w = row(graph(w_authors=("ann", "win")).legitimacy("c1", k=4), "w")
    assert w["judged_wiser_than_own"] == 1  # bob only: ann also wrote w


def test_rows_are_the_top_k_scores_in_order() -> None:
    g = graph()
    for method in ("flow", "mai"):
        frame = g.legitimacy("c1", method=method, k=2)
        expected = g.scores("c1", method=method).iloc[:2]
        assert list(frame["value"]) == list(expected.index)
        assert frame["score"].tolist() == expected.tolist()
    assert list(g.legitimacy(k=1)["value"]) == g.wisest()
    assert tuple(g.legitimacy().columns) == LEGITIMACY_COLUMNS


def test_nobody_judging_gives_nan_share_not_a_made_up_number() -> None:
    g = MoralGraph([card("a"), card("b")], [WiserVote("p", "a", "b", "c1", "unsure")])
    frame = g.legitimacy(k=2)
    assert frame["participants_judging"].tolist() == [0, 0]
    assert all(math.isnan(x) for x in frame["share_agreeing"])


def test_mai_scoring_nothing_gives_an_empty_table_with_the_columns() -> None:
    g = MoralGraph([card("a"), card("b")], [WiserVote("p", "a", "b", "c1", "wiser")])
    frame = g.legitimacy(method="mai", k=3)
    assert frame.empty and tuple(frame.columns) == LEGITIMACY_COLUMNS


def _reference(g: MoralGraph, context: str | None, value: str) -> tuple[int, int, int, int]:
    """The definitions of MoralGraph.legitimacy, vote by vote."""
    votes = [v for v in g.votes if context is None or v.context == context]
    net: dict[str, int] = {}
    balance: dict[str, int] = {}
    for v in votes:
        if v.to_value == value:
            other, sign = v.from_value, {"wiser": 1, "not_wiser": -1, "unsure": 0}[v.verdict]
            net[other] = net.get(other, 0) + sign
        elif v.from_value == value:
            other, sign = v.to_value, {"wiser": -1, "not_wiser": 1, "unsure": 0}[v.verdict]
            net[other] = net.get(other, 0) - (v.verdict == "wiser")
        else:
            continue
        if sign:
            balance[v.participant] = balance.get(v.participant, 0) + sign
    authors = {c.id: set(c.authors) for c in g.values}
    beaten = [u for u, n in net.items() if n > 0]
    losers = set().union(*(authors[u] for u in beaten)) - authors[value]
    return len(beaten), len(losers), len(balance), sum(b > 0 for b in balance.values())


@pytest.mark.parametrize(("seed", "context"), [(0, None), (1, "c0"), (2, "c1")])
def test_matches_the_vote_by_vote_reference_on_simulations(seed: int, context) -> None:
    g = simulate(n_values=7, contexts=2, n_participants=40, votes_per_participant=8,
                 noise=0.8, unsure_rate=0.2, rng=seed).graph
    frame = g.legitimacy(context, k=7)
    assert len(frame) == 7
    for _, r in frame.iterrows():
        got = (r["cards_beaten"], r["judged_wiser_than_own"], r["participants_judging"],
               r["participants_agreeing"])
        assert got == _reference(g, context, r["value"])


def test_the_method_is_the_module_function() -> None:
    g = graph()
    pd.testing.assert_frame_equal(g.legitimacy("c1", k=2), legitimacy(g, "c1", k=2))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"k": 0}, r"'k' parameter of legitimacy must be an int in \[1, inf\)"),
        ({"k": 1.5}, r"'k' parameter of legitimacy"),
        ({"method": "vote"}, r"'method' parameter of legitimacy"),
        ({"context": "nowhere"}, r"'context' parameter of legitimacy must name contexts"),
        ({"propagation": 1.0}, r"'propagation' parameter of scores"),
    ],
)
def test_bad_arguments_are_typed_errors(kwargs, match: str) -> None:
    with pytest.raises(MoralGraphError, match=match):
        graph().legitimacy(**kwargs)


def test_an_empty_graph_is_refused() -> None:
    with pytest.raises(MoralGraphError, match="no votes"):
        MoralGraph([card("a")], []).legitimacy()
