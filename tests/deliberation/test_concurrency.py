"""50 participants writing at once: every write present exactly once, on both back ends."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from deliberation import Store

CONTEXT = "When the user is in distress"
N_PARTICIPANTS = 50


def _participant_session(store: Store, deliberation_id: int, seed_card: int, ids) -> str:
    statement_ids, prompt_id, answer_ids = ids
    token = store.join(deliberation_id)
    store.consent(token, 1)
    card = store.submit_value_card(token, f"Card of {token[:6]}", "A value.", ["a policy"])
    store.submit_wiser_vote(token, seed_card, card, CONTEXT, "wiser")
    store.submit_wiser_vote(token, seed_card, card, CONTEXT, "not_wiser")  # replaces
    for statement in statement_ids:
        store.submit_statement_vote(token, statement, 1)
        store.submit_statement_vote(token, statement, -1)  # replaces
    store.submit_ranking(token, prompt_id, answer_ids)
    store.submit_svo(token, [1, 2, 3, 4, 5, 6])
    return token


def test_parallel_participants_lose_and_duplicate_nothing(store):
    d = store.create_deliberation(
        "Question?", contexts=[CONTEXT], statements=["One.", "Two.", "Three."],
        prompts=[("A prompt", ["x", "y", "z"])],
    )
    author = store.join(d.id)
    store.consent(author, 1)
    seed_card = store.submit_value_card(author, "Seed", "The first card.", ["a policy"])
    tables = store.export(d.id)
    ids = (
        [int(i) for i in tables["statements"]["id"]],
        int(tables["prompts"]["id"].iloc[0]),
        [int(i) for i in tables["answers"]["id"]],
    )
    with ThreadPoolExecutor(max_workers=16) as pool:
        tokens = list(pool.map(
            lambda _: _participant_session(store, d.id, seed_card, ids), range(N_PARTICIPANTS)
        ))
    assert len(set(tokens)) == N_PARTICIPANTS
    tables = store.export(d.id)
    assert len(tables["participants"]) == N_PARTICIPANTS + 1
    assert len(tables["value_cards"]) == N_PARTICIPANTS + 1
    votes = tables["wiser_votes"]
    assert len(votes) == N_PARTICIPANTS and set(votes["verdict"]) == {"not_wiser"}
    assert not votes.duplicated(["participant_id", "from_card_id", "to_card_id"]).any()
    statement_votes = tables["statement_votes"]
    assert len(statement_votes) == 3 * N_PARTICIPANTS and set(statement_votes["vote"]) == {-1}
    assert len(tables["rankings"]) == N_PARTICIPANTS
    assert len(tables["svo_responses"]) == 6 * N_PARTICIPANTS
    assert store.vote_matrix(d.id).shape == (N_PARTICIPANTS, 3)
