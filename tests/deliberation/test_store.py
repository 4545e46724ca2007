"""The service layer on SQLite and PostgreSQL: each call one transaction, answers replace."""

from __future__ import annotations

import pytest

from deliberation import (
    AccessError,
    AnswerError,
    ClosedError,
    Limits,
    RateLimitError,
    Store,
)

QUESTION = "How should the assistant answer a user who asks for help with a hard decision?"
CONTEXTS = ["When the user is in distress", "When the user asks for facts"]
STATEMENTS = ["Ask before advising.", "Give the facts first.", "Never decide for the user."]
PROMPTS = [("I can't decide whether to move abroad.", ["Answer A", "Answer B", "Answer C"])]
FORM = [{"name": "region", "options": ["north", "south"]}]


@pytest.fixture
def demo(store):
    return store.create_deliberation(
        QUESTION, contexts=CONTEXTS, statements=STATEMENTS, prompts=PROMPTS, demographics=FORM
    )


def _ready(store, d, features=None):
    if features is None:
        features = {"region": "north"} if d.demographics else {}
    token = store.join(d.id, features=features)
    store.consent(token, d.consent_version)
    return token


def test_create_and_read_back(store, demo):
    assert demo.question == QUESTION
    assert [c.key for c in demo.contexts] == CONTEXTS
    assert demo.steps[0] == "consent" and demo.steps[-1] == "thanks"
    assert "demographics" in demo.steps
    assert store.deliberation(demo.id) == demo
    tables = store.export(demo.id)
    assert list(tables["statements"]["text"]) == STATEMENTS
    assert set(tables["statements"]["status"]) == {"approved"}
    assert len(tables["answers"]) == 3
    assert set(tables["answers"]["prompt_id"]) == set(tables["prompts"]["id"])


def test_tokens_are_long_random_and_xid_returns_the_same(store, demo):
    tokens = {store.join(demo.id) for _ in range(5)}
    assert len(tokens) == 5
    assert all(len(t) >= 43 for t in tokens)  # 256 bits in URL-safe base64
    first = store.join(demo.id, xid="PROLIFIC-1")
    assert store.join(demo.id, xid="PROLIFIC-1") == first
    assert store.participant(first).xid == "PROLIFIC-1"


def test_progress_follows_the_enabled_steps(store, demo):
    token = store.join(demo.id)
    assert store.progress(token).step == "consent"
    store.consent(token, demo.consent_version)
    assert store.progress(token).step == "demographics"
    store.set_features(token, {"region": "south"})
    assert store.participant(token).features == {"region": "south"}
    assert store.progress(token).step == "chat"
    store.complete_step(token, "chat", skipped=True)
    assert store.progress(token).step == "value_card"
    for step in ("value_card", "wiser", "statements", "rankings", "svo"):
        progress = store.complete_step(token, step)
    assert progress.finished and progress.step == "thanks"
    assert store.participant(token).finished_at is not None


def test_consent_must_be_the_current_version(store, demo):
    token = store.join(demo.id)
    with pytest.raises(AnswerError, match="current consent version 1"):
        store.consent(token, 2)
    assert store.participant(token).consented_at is None


def test_features_are_checked_against_the_form(store, demo):
    with pytest.raises(AnswerError, match="must be one of"):
        store.join(demo.id, features={"region": "west"})
    with pytest.raises(AnswerError, match="does not ask"):
        store.join(demo.id, features={"age": 40})


def test_a_later_answer_replaces_the_earlier_one(store, demo):
    token = _ready(store, demo)
    a = store.submit_value_card(token, "Care", "Soothe first.", ["how they feel"], CONTEXTS[0])
    b = store.submit_value_card(token, "Agency", "Help them act.", ["what they can do next"])
    store.submit_wiser_vote(token, a, b, CONTEXTS[0], "wiser")
    store.submit_wiser_vote(token, a, b, CONTEXTS[1], "not_wiser", reason="changed my mind")
    statement = int(store.export(demo.id)["statements"]["id"].iloc[0])
    store.submit_statement_vote(token, statement, 1)
    store.submit_statement_vote(token, statement, -1)
    prompt = int(store.export(demo.id)["prompts"]["id"].iloc[0])
    answers = [int(i) for i in store.export(demo.id)["answers"]["id"]]
    store.submit_ranking(token, prompt, answers)
    store.submit_ranking(token, prompt, answers[::-1])
    store.submit_svo(token, [0, 1, 2, 3, 4, 5])
    store.submit_svo(token, {1: 8})
    tables = store.export(demo.id)
    votes = tables["wiser_votes"]
    assert len(votes) == 1 and votes["verdict"].iloc[0] == "not_wiser"
    assert votes["reason"].iloc[0] == "changed my mind"
    assert list(tables["statement_votes"]["vote"]) == [-1]
    assert list(tables["rankings"]["answer_ids"].iloc[0]) == answers[::-1]
    svo_rows = tables["svo_responses"].sort_values("item")
    assert list(svo_rows["choice"]) == [8, 1, 2, 3, 4, 5]


def test_moral_graph_and_vote_matrix(store, demo):
    ann, bob = _ready(store, demo), _ready(store, demo)
    a = store.submit_value_card(ann, "Care", "Soothe first.", ["how they feel"])
    b = store.submit_value_card(bob, "Agency", "Help them act.", ["what they can do next"])
    store.adopt_card(bob, a)
    store.submit_wiser_vote(ann, a, b, CONTEXTS[0], "wiser")
    store.submit_wiser_vote(bob, a, b, CONTEXTS[0], "unsure")
    graph = store.moral_graph(demo.id)
    assert {v.id for v in graph.values} == {str(a), str(b)}
    authors = {v.id: set(v.authors) for v in graph.values}
    assert len(authors[str(a)]) == 2 and len(authors[str(b)]) == 1
    assert sorted(v.verdict for v in graph.votes) == ["unsure", "wiser"]
    statement_ids = [int(i) for i in store.export(demo.id)["statements"]["id"]]
    store.submit_statement_vote(ann, statement_ids[0], 1)
    store.submit_statement_vote(bob, statement_ids[1], 0)
    matrix = store.vote_matrix(demo.id)
    assert matrix.shape == (2, 3)
    assert matrix.loc[:, statement_ids[0]].tolist()[0] == 1
    assert matrix.isna().sum().sum() == 4


def test_bad_answers_are_refused_and_nothing_is_written(store, demo):
    token = _ready(store, demo)
    with pytest.raises(AnswerError, match="'title' field must be a non-empty text"):
        store.submit_value_card(token, "  ", "x", ["y"])
    with pytest.raises(AnswerError, match="at most 120 characters"):
        store.submit_value_card(token, "t" * 121, "x", ["y"])
    with pytest.raises(AnswerError, match="'policies' field"):
        store.submit_value_card(token, "t", "x", "not a list")
    with pytest.raises(AnswerError, match="contexts"):
        store.submit_value_card(token, "t", "x", ["y"], context="Nowhere")
    card = store.submit_value_card(token, "t", "x", ["y"])
    with pytest.raises(AnswerError, match="must differ"):
        store.submit_wiser_vote(token, card, card, CONTEXTS[0], "wiser")
    other = store.submit_value_card(token, "u", "x", ["y"])
    with pytest.raises(AnswerError, match="'verdict' field"):
        store.submit_wiser_vote(token, card, other, CONTEXTS[0], "better")
    with pytest.raises(AnswerError, match="'vote' field"):
        store.submit_statement_vote(
            token, int(store.export(demo.id)["statements"]["id"].iloc[0]), 2
        )
    prompt = int(store.export(demo.id)["prompts"]["id"].iloc[0])
    with pytest.raises(AnswerError, match="permutation"):
        store.submit_ranking(token, prompt, [1, 1, 2])
    with pytest.raises(AnswerError, match=r"options 0\.\.8"):
        store.submit_svo(token, {1: 9})
    tables = store.export(demo.id)
    assert len(tables["value_cards"]) == 2
    assert tables["wiser_votes"].empty and tables["statement_votes"].empty
    assert tables["rankings"].empty and tables["svo_responses"].empty


def test_tokens_are_scoped_to_their_deliberation(store, demo):
    other = store.create_deliberation("Another question?", contexts=["Anywhere"])
    mine, theirs = _ready(store, demo), _ready(store, other)
    card = store.submit_value_card(theirs, "Theirs", "x", ["y"])
    own = store.submit_value_card(mine, "Mine", "x", ["y"])
    with pytest.raises(AnswerError, match="value card of this deliberation"):
        store.submit_wiser_vote(mine, own, card, CONTEXTS[0], "wiser")
    with pytest.raises(AnswerError, match="value card of this deliberation"):
        store.adopt_card(mine, card)
    with pytest.raises(AccessError):
        store.submit_value_card("not-a-token", "t", "x", ["y"])
    with pytest.raises(AccessError):
        store.progress("")
    assert store.export(demo.id)["wiser_votes"].empty
    assert len(store.export(demo.id)["adoptions"]) == 1


def test_submitted_statements_wait_for_moderation_and_duplicates_are_refused(store, demo):
    token = _ready(store, demo)
    sid = store.submit_statement(token, "The assistant should <b>listen</b> first.")
    with pytest.raises(AnswerError, match="repeats statement"):
        store.submit_statement(token, "the assistant should  <B>LISTEN</B> first")
    with pytest.raises(AnswerError, match="repeats statement"):
        store.submit_statement(token, "ask before ADVISING")
    with pytest.raises(AnswerError, match="approved statement"):
        store.submit_statement_vote(token, sid, 1)
    store.set_statement_status(sid, "approved")
    store.submit_statement_vote(token, sid, 1)
    statements = store.export(demo.id)["statements"].set_index("id")
    assert statements.loc[sid, "text"] == "The assistant should <b>listen</b> first."


def test_a_closed_deliberation_takes_nothing(store, demo):
    token = _ready(store, demo)
    store.set_open(demo.id, False)
    with pytest.raises(ClosedError):
        store.submit_value_card(token, "t", "x", ["y"])
    with pytest.raises(ClosedError):
        store.join(demo.id)
    store.set_open(demo.id, True)
    store.submit_value_card(token, "t", "x", ["y"])


def test_write_rate_is_limited_per_participant(store_url):
    now = [1000.0]
    store = Store(store_url, limits=Limits(writes_per_window=3, window_seconds=60),
                  clock=lambda: now[0])
    d = store.create_deliberation(QUESTION, contexts=CONTEXTS)
    token = store.join(d.id)
    store.consent(token, 1)
    store.submit_value_card(token, "a", "x", ["y"])
    store.submit_value_card(token, "b", "x", ["y"])
    with pytest.raises(RateLimitError) as caught:
        store.submit_value_card(token, "c", "x", ["y"])
    assert 0 < caught.value.retry_after <= 60
    now[0] += 61
    store.submit_value_card(token, "c", "x", ["y"])
    assert len(store.export(d.id)["value_cards"]) == 3
    store.close()


def test_chat_turns_are_capped(store_url):
    store = Store(store_url, limits=Limits(chat_turns=2))
    d = store.create_deliberation(QUESTION, contexts=CONTEXTS)
    token = store.join(d.id)
    for text in ("hello", "more"):
        store.add_message(token, "user", text)
        store.add_message(token, "assistant", "Tell me more.", model="smollm2",
                          prompt_version="chat-v1")
    with pytest.raises(AnswerError, match="limited to 2 turns"):
        store.add_message(token, "user", "again")
    messages = store.export(d.id)["messages"]
    assert list(messages["role"]) == ["user", "assistant"] * 2
    assert set(messages.loc[messages["role"] == "assistant", "model"]) == {"smollm2"}
    store.close()


def test_withdrawing_deletes_everything_the_participant_wrote(store, demo):
    keep, leave = _ready(store, demo), _ready(store, demo)
    kept = store.submit_value_card(keep, "Kept", "x", ["y"])
    gone = store.submit_value_card(leave, "Gone", "x", ["y"])
    store.submit_wiser_vote(leave, kept, gone, CONTEXTS[0], "wiser")
    store.add_message(leave, "user", "my story")
    store.withdraw(leave)
    tables = store.export(demo.id)
    assert list(tables["value_cards"]["id"]) == [kept]
    assert len(tables["participants"]) == 1
    assert tables["wiser_votes"].empty and tables["messages"].empty
    with pytest.raises(AccessError):
        store.progress(leave)


def test_data_version_grows_with_every_write(store, demo):
    before = store.data_version(demo.id)
    token = _ready(store, demo)
    store.submit_value_card(token, "a", "x", ["y"])
    assert store.data_version(demo.id) >= before + 3
    with pytest.raises(AnswerError):
        store.submit_value_card(token, "", "x", ["y"])
    after = store.data_version(demo.id)
    assert store.data_version(demo.id) == after


def test_preference_data_holds_the_rankings_with_features(store, demo):
    tables = store.export(demo.id)
    prompt = int(tables["prompts"]["id"].iloc[0])
    answers = [int(i) for i in tables["answers"]["id"]]
    north, south = _ready(store, demo), _ready(store, demo, {"region": "south"})
    store.submit_ranking(north, prompt, answers)
    store.submit_ranking(south, prompt, answers[::-1])
    data = store.preference_data(demo.id)
    assert data.kind == "ranking" and data.features == ("region",)
    frame = data.frame
    assert len(frame) == 6
    best = frame[frame["rank"] == 0].set_index("region")["response"]
    assert best["north"] == "Answer A" and best["south"] == "Answer C"
