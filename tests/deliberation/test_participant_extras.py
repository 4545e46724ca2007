"""The Store's participant extras: next tasks, similar cards, standings, SVO type."""

from __future__ import annotations

import numpy as np
import pytest

from deliberation import AccessError, AnswerError

CONTEXTS = ["When the user is in distress", "When the user asks for facts"]
STATEMENTS = ["Ask before advising.", "Give the facts first."]


class Words:
    """Embeds a text by counting a few words (known similarities)."""

    WORDS = ("care", "truth", "autonomy")

    def encode(self, texts):
        return np.array([[t.lower().count(w) + 0.01 for w in self.WORDS] for t in texts])


@pytest.fixture
def demo(store):
    return store.create_deliberation(
        "How should the assistant help?", contexts=CONTEXTS, statements=STATEMENTS,
        settings={"wiser_per_context": 2},
    )


def _ready(store, d):
    token = store.join(d.id)
    store.consent(token, d.consent_version)
    return token


def _cards(store, d):
    author = _ready(store, d)
    ids = [
        store.submit_value_card(author, "Care first", "d", ["care", "care for them"], CONTEXTS[0]),
        store.submit_value_card(author, "Truth", "d", ["truth"], CONTEXTS[0]),
        store.submit_value_card(author, "Autonomy", "d", ["autonomy"], CONTEXTS[1]),
    ]
    return author, ids


def test_similar_cards_rank_by_similarity_and_leave_out_ones_own(store, demo):
    author, ids = _cards(store, demo)
    me = _ready(store, demo)
    found = store.similar_cards(me, "Care", ["care about them"], embedder=Words(), top=2)
    assert [c["id"] for c in found] == [ids[0]]  # the others are below 0.3
    assert found[0]["policies"] == ["care", "care for them"]
    assert found[0]["context"] == CONTEXTS[0] and 0.99 < found[0]["similarity"] <= 1.0
    assert store.similar_cards(author, "Care", ["care"], embedder=Words()) == []


def test_similar_cards_need_a_valid_token(store, demo):
    with pytest.raises(AccessError):
        store.similar_cards("nope", "Care", ["care"], embedder=Words())


def test_next_wiser_pair_goes_through_the_contexts_then_stops(store, demo):
    _cards(store, demo)
    me = _ready(store, demo)
    seen = []
    while (task := store.next_wiser_pair(me, rng=0)) is not None:
        assert task["from"]["id"] != task["to"]["id"]
        assert task["answered"] == len(seen) and task["total"] == 4
        assert store.next_wiser_pair(me, rng=1) == task  # the draw is stored
        store.submit_wiser_vote(me, task["from"]["id"], task["to"]["id"], task["context"], "wiser")
        seen.append(task["context"])
        assert len(seen) <= 4
    # two per context, but three cards make only three pairs (a pair is judged once)
    assert seen == [CONTEXTS[0], CONTEXTS[0], CONTEXTS[1]]
    assert len(store.export(demo.id)["wiser_votes"]) == 3


def test_next_wiser_pair_with_no_cards_is_none(store, demo):
    assert store.next_wiser_pair(_ready(store, demo)) is None


def test_next_statement_task_counts_and_ends(store, demo):
    me = _ready(store, demo)
    first = store.next_statement_task(me, rng=0)
    assert first["text"] in STATEMENTS and (first["voted"], first["total"]) == (0, 2)
    store.submit_statement_vote(me, first["id"], 1)
    second = store.next_statement_task(me, rng=0)
    assert second["id"] != first["id"] and second["voted"] == 1
    store.submit_statement_vote(me, second["id"], 0)
    assert store.next_statement_task(me) == {"id": None, "text": None, "voted": 2, "total": 2}


def test_card_standing_ranks_the_participants_card_in_its_context(store, demo):
    author, ids = _cards(store, demo)
    me = _ready(store, demo)
    store.adopt_card(me, ids[1])
    for _ in range(2):
        voter = _ready(store, demo)
        store.submit_wiser_vote(voter, ids[0], ids[1], CONTEXTS[0], "wiser")
    (standing,) = store.card_standing(me)
    assert standing["id"] == ids[1] and standing["rank"] == 1 and standing["of"] >= 2
    assert [c["id"] for c in store.my_cards(author)] == ids


def test_svo_result_waits_for_the_six_primary_items(store, demo):
    me = _ready(store, demo)
    store.submit_svo(me, [8, 8, 8, 8, 0])
    assert store.svo_result(me) is None
    store.submit_svo(me, {6: 0})
    result = store.svo_result(me)
    assert result["category"] == "individualistic" and result["items"] == 6
    assert result["angle"] == pytest.approx(-7.82, abs=0.01)


def test_submit_ranks_checks_the_places_and_stores_best_first(store):
    d = store.create_deliberation("Q?", prompts=[("P", ["a", "b", "c"])])
    me = _ready(store, d)
    (task,) = store.ranking_tasks(me)
    a, b, c = sorted(answer for answer, _, _ in task["answers"])
    with pytest.raises(AnswerError, match="place 2 is given twice and place 3 to none"):
        store.submit_ranks(me, task["prompt_id"], {a: 1, b: 2, c: 2})
    with pytest.raises(AnswerError, match="every answer a place"):
        store.submit_ranks(me, task["prompt_id"], {a: 1, b: None, c: 2})
    assert store.export(d.id)["rankings"].empty
    store.submit_ranks(me, task["prompt_id"], {a: 3, b: 1, c: 2})
    assert store.ranking_tasks(me)[0]["ranked"] == [b, c, a]


def test_slate_standing_counts_the_participants_agreements_with_the_slate(store):
    d = store.create_deliberation(
        "Question?", contexts=["Here"], statements=[f"Statement {i}." for i in range(4)]
    )
    ids = [int(i) for i in store.export(d.id)["statements"]["id"]]
    tokens = []
    for person in range(12):
        token = store.join(d.id)
        store.consent(token, 1)
        for j, statement in enumerate(ids):
            store.submit_statement_vote(token, statement, 1 if (person + j) % 3 else -1)
        tokens.append(token)
    late = store.join(d.id)
    assert store.slate_standing(late) is None  # no vote yet
    standing = store.slate_standing(tokens[0], k=2)
    assert standing["k"] == 2 and len(standing["statements"]) == 2
    texts = dict(zip(ids, (f"Statement {i}." for i in range(4)), strict=True))
    chosen = [s for s, t in texts.items() if t in standing["statements"]]
    agreed = sum(1 for j, s in enumerate(ids) if s in chosen and j % 3)
    assert standing["agreed"] == agreed and standing["seen"] == 2
