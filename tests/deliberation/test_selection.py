"""What a participant is shown: stored draws, no repeats, exposure log, random orders."""

from __future__ import annotations

import pytest

from deliberation import AnswerError

CONTEXT = "When the user is in distress"


@pytest.fixture
def filled(store):
    d = store.create_deliberation(
        "Question?", contexts=[CONTEXT], statements=["One.", "Two.", "Three."],
        prompts=[("A prompt", ["x", "y", "z", "w"]), ("Another", ["p", "q", "r"])],
    )
    authors = []
    cards = []
    for i in range(4):
        token = store.join(d.id)
        store.consent(token, 1)
        cards.append(store.submit_value_card(token, f"Card {i}", "A value.", ["a policy"]))
        authors.append(token)
    return d, authors, cards


def test_pairs_skip_own_cards_and_judged_pairs_and_survive_a_reload(store, filled):
    d, authors, cards = filled
    token = authors[0]
    pairs = store.next_pairs(token, CONTEXT, n=3, rng=1)
    assert len(pairs) == 3
    assert all(source != cards[0] for source, _ in pairs)
    assert store.next_pairs(token, CONTEXT, n=3, rng=2) == pairs  # a reload: same draw
    for source, target in pairs:
        store.submit_wiser_vote(token, source, target, CONTEXT, "wiser")
    judged = {frozenset(p) for p in pairs}
    fresh = store.next_pairs(token, CONTEXT, n=3, rng=3)
    assert fresh and not judged & {frozenset(p) for p in fresh}
    log = store.export(d.id)["exposures"]
    assert list(log["kind"]) == [f"wiser:{CONTEXT}"] * 2
    assert [tuple(p) for p in log["payload"].iloc[0]["items"]] == pairs
    with pytest.raises(AnswerError, match="contexts"):
        store.next_pairs(token, "Nowhere")


def test_statements_come_fewest_votes_first_until_done(store, filled):
    _, authors, _ = filled
    first = store.next_statement(authors[0], rng=0)
    store.submit_statement_vote(authors[0], first, 1)
    following = store.next_statement(authors[1], rng=0)
    assert following != first  # the voted statement has more votes now
    assert store.next_statement(authors[1], rng=5) == following  # stored draw
    seen = set()
    while (statement := store.next_statement(authors[2])) is not None:
        seen.add(statement)
        store.submit_statement_vote(authors[2], statement, 0)
    assert len(seen) == 3


def test_answers_are_shown_in_a_stored_order_per_participant(store, filled):
    _, authors, _ = filled
    tasks = store.ranking_tasks(authors[0], rng=0)
    assert [len(t["answers"]) for t in tasks] == [4, 3]
    again = store.ranking_tasks(authors[0], rng=99)
    assert [t["answers"] for t in again] == [t["answers"] for t in tasks]
    orders = {
        tuple(a for a, _, _ in store.ranking_tasks(token, rng=i)[0]["answers"])
        for i, token in enumerate(authors)
    }
    assert len(orders) > 1
    ids = [a for a, _, _ in tasks[0]["answers"]]
    store.submit_ranking(authors[0], tasks[0]["prompt_id"], ids)
    assert store.ranking_tasks(authors[0])[0]["ranked"] == ids


def test_my_answers_holds_only_the_participants_rows(store, filled):
    d, authors, cards = filled
    store.submit_wiser_vote(authors[1], cards[0], cards[1], CONTEXT, "unsure")
    mine = store.my_answers(authors[1])
    assert list(mine["value_cards"]["id"]) == [cards[1]]
    assert len(mine["wiser_votes"]) == 1
    assert list(store.cards(d.id)["id"]) == cards
