"""The participant flow in Streamlit's AppTest: every step, resume, bad links, inert text.

Each test runs ``app.py`` against a temporary SQLite database (``DATABASE_URL``) with a fake
chat model and embedder, and checks what the Store holds afterwards.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from deliberation import Store
from deliberation.pages.participate import _shared

APP = str(Path(__file__).resolve().parents[2] / "app.py")
CONTEXTS = ["When the user is in distress", "When the user asks for facts"]
STATEMENTS = ["Ask before advising.", "Give the facts first.", "Never decide for the user."]
PROMPTS = [
    ("I can't decide whether to move abroad.",
     [{"text": "Answer one", "model": "fake-a"}, {"text": "Answer two", "model": "fake-b"},
      {"text": "Answer three", "model": "fake-c"}]),
]
FORM = [{"name": "region", "label": "Where do you live?", "options": ["north", "south"]}]
CARD = {"title": "Informed autonomy", "description": "Let them choose.",
        "policies": ["their options", "the risks", "their own goals"]}
PAYLOADS = ["<script>alert(1)</script>", "![x](http://evil/x.png)", "[link](javascript:alert(1))"]


class FakeChat:
    """Streams a follow-up question in pieces; drafts :data:`CARD` when asked for JSON."""

    model_id = "fake:chat"

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    def stream(self, messages, max_new_tokens=128, temperature=0.0, seed=0) -> Iterator[str]:
        if self.fail:
            raise RuntimeError("the model server is down")
        yield from ["Why does ", "that matter ", "to you?"]

    def generate(self, messages, max_new_tokens=128, temperature=0.0, seed=0) -> str:
        if self.fail:
            raise RuntimeError("the model server is down")
        return json.dumps(CARD)


class FakeEmbedder:
    """Embeds a text by a few word counts (autonomy-like cards come out similar)."""

    def encode(self, texts):
        words = ("autonomy", "choose", "care", "truth")
        return np.array([[t.lower().count(w) + 0.01 for w in words] for t in texts])


@pytest.fixture
def database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setattr(_shared, "_load_chat", lambda: FakeChat())
    monkeypatch.setattr(_shared, "_load_embedder", lambda: FakeEmbedder())
    store = Store(url)
    yield store
    store.close()


@pytest.fixture
def deliberation(database):
    d = database.create_deliberation(
        "How should the assistant answer a user who asks for help with a hard decision?",
        contexts=CONTEXTS, statements=STATEMENTS, prompts=PROMPTS, demographics=FORM,
        settings={"completion_code": "C0DE-42", "wiser_per_context": 1},
    )
    other = database.join(d.id, features={"region": "south"})
    database.consent(other, d.consent_version)
    database.submit_value_card(other, "Autonomy first", "Let them choose.",
                               ["what they can choose"], CONTEXTS[0])
    database.submit_value_card(other, "Care", "Comfort first.", ["how they feel"], CONTEXTS[0])
    database.submit_value_card(other, "Truth", "Facts first.", ["the facts"], CONTEXTS[1])
    database.submit_value_card(other, "Plain truth", "Facts.", ["the plain facts"], CONTEXTS[1])
    return d


def _app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def _button(at: AppTest, label: str):
    found = [b for b in at.button if b.label == label]
    assert found, f"no button {label!r} among {[b.label for b in at.button]}"
    return found[0]


def _header(at: AppTest) -> str:
    return at.header[0].value if at.header else ""


def _text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.error]
    parts += [w.value for w in at.warning] + [i.value for i in at.info]
    parts += [c.value for c in at.caption] + [s.value for s in at.success]
    parts += [h.value for h in at.subheader]
    return re.sub(r"\\(.)", r"\1", "\n".join(parts))  # Markdown escapes removed


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    return at


def _join(deliberation) -> tuple[AppTest, str]:
    at = _ok(_app(d=str(deliberation.id)))
    _button(at, "Start").click().run()
    token = at.query_params["t"]
    assert isinstance(token, str) and len(token) >= 22  # at least 128 bits
    assert "d" not in at.query_params
    return _ok(at), token


def test_the_landing_lists_open_deliberations_and_joins_one(database, deliberation):
    database.create_deliberation("A closed one?", title="Closed")
    database.set_open(database.deliberations()[-1].id, False)
    at = _ok(_app())
    assert at.title[0].value == "Take part"
    assert [b.key for b in at.button if b.key.startswith("join-")] == [f"join-{deliberation.id}"]
    at.button(key=f"join-{deliberation.id}").click().run()
    assert _header(_ok(at)) == "Before you start"
    assert database.progress(at.query_params["t"]).step == "consent"


def test_a_participant_takes_every_step_and_it_is_stored(database, deliberation):
    at, token = _join(deliberation)
    assert "Step 1 of 9" in at.get("progress")[0].proto.text
    _button(at, "I agree, let's start").click().run()
    assert _header(_ok(at)) == "About you"
    at.selectbox(key="demo-region").set_value("north")
    _button(at, "Continue").click().run()
    assert _header(_ok(at)) == "Chat"

    at.chat_input[0].set_value("I want the assistant to respect my choices.").run()
    messages = database.my_answers(token)["messages"]
    assert list(messages["role"]) == ["user", "assistant"]
    assert messages["content"].iloc[1] == "Why does that matter to you?"
    assert messages["model"].iloc[1] == "fake:chat" and messages["prompt_version"].iloc[1]
    _button(_ok(at), "Done, on to my value card").click().run()

    assert _header(_ok(at)) == "Your value card"
    assert at.text_input[0].value == ""  # the participant may write their own at once
    _button(at, "Draft my card from our chat (AI)").click().run()
    assert "AI-written draft" in _text(_ok(at))
    assert at.text_input[0].value == CARD["title"]
    assert "Autonomy first" in _text(at)  # the similar card found for the draft
    _button(at, "Save my card").click().run()
    (card,) = database.my_cards(token)
    assert card["title"] == CARD["title"] and card["policies"] == CARD["policies"]
    assert card["context"] == CONTEXTS[0] and card["model"] == "fake:chat"

    assert _header(_ok(at)) == "Wiser choices"
    assert "used to focus on" in _text(at)
    while _header(at) == "Wiser choices" and any(b.label == "Wiser" for b in at.button):
        _button(at, "Wiser").click().run()
        _ok(at)
    assert len(database.my_answers(token)["wiser_votes"]) == 2  # one per context
    _button(at, "Continue").click().run()

    assert _header(_ok(at)) == "Statements"
    for label in ("Agree", "Disagree", "Pass / unsure"):
        _button(at, label).click().run()
    votes = database.my_answers(token)["statement_votes"]
    assert sorted(votes["vote"]) == [-1, 0, 1]
    at.text_area[0].set_value("Ask what the user already knows.")
    _button(at, "Send for moderation").click().run()
    assert "appear once it is approved" in _text(_ok(at))
    at.text_area[0].set_value("ask what the USER already knows!")
    _button(at, "Send for moderation").click().run()
    assert "repeats statement" in _text(_ok(at))  # a duplicate: said, not stored
    assert len(database.my_answers(token)["statements"]) == 1
    _button(at, "Continue").click().run()

    assert _header(_ok(at)) == "Rank the answers"
    assert "AI-written (fake-a)" in _text(at)
    places = [g for g in at.button_group if g.key.startswith("rank-place-")]
    for group, place in zip(places, [1, 1, 2], strict=True):
        group.set_value(place)
    _button(at, "Save this order").click().run()
    assert "place 1 is given twice" in _text(_ok(at))
    assert database.my_answers(token)["rankings"].empty
    places = [g for g in at.button_group if g.key.startswith("rank-place-")]
    for group, place in zip(places, [2, 3, 1], strict=True):
        group.set_value(place)
    _button(at, "Save this order").click().run()
    (task,) = database.ranking_tasks(token)
    shown = [answer for answer, _, _ in task["answers"]]
    assert task["ranked"] == [shown[2], shown[0], shown[1]]
    _button(_ok(at), "Continue").click().run()

    assert _header(_ok(at)) == "Sharing choices"
    assert len(at.select_slider) == 6
    at.select_slider[0].set_value(8)
    _button(at, "Save my choices").click().run()
    svo = database.my_answers(token)["svo_responses"]
    assert dict(zip(svo["item"], svo["choice"], strict=True)) == {1: 8, 2: 4, 3: 4, 4: 4,
                                                                   5: 4, 6: 4}

    assert _header(_ok(at)) == "Thank you!"
    assert database.progress(token).finished
    text = _text(at)
    assert "C0DE-42" in [c.value for c in at.code]
    assert any(f"?t={token}" in c.value for c in at.code)
    assert "Informed autonomy" in text and "group (angle" in text
    at.radio(key="survey-card_still_mine").set_value("Yes")
    at.radio(key="survey-fair_process").set_value("Somewhat")
    _button(at, "Send").click().run()
    survey = database.my_answers(token)["survey_answers"]
    assert dict(zip(survey["question"], survey["answer"], strict=True)) == {
        "card_still_mine": "Yes", "fair_process": "Somewhat"}
    assert database.participant(token).features == {"region": "north"}


def test_leaving_and_coming_back_continues_at_the_same_step(database, deliberation):
    at, token = _join(deliberation)
    _button(at, "I agree, let's start").click().run()
    at.selectbox(key="demo-region").set_value("south")
    _button(at, "Continue").click().run()
    _button(_ok(at), "Skip the chat").click().run()
    assert _header(_ok(at)) == "Your value card"
    again = _ok(_app(t=token))  # a new browser session, through the resume link
    assert _header(again) == "Your value card"
    assert "Step 4 of 9" in again.get("progress")[0].proto.text
    assert not [b for b in again.button if b.key == "card-draft"]  # no chat, no draft


def test_my_answers_lists_and_changes_a_vote(database, deliberation):
    at, token = _join(deliberation)
    for step in ("consent", "demographics", "chat", "value_card", "wiser"):
        database.complete_step(token, step)
    at = _ok(_app(t=token))
    _button(at, "Agree").click().run()
    _button(_ok(at), "My answers").click().run()
    assert _header(_ok(at)) == "My answers"
    statement = int(database.my_answers(token)["statement_votes"]["statement_id"].iloc[0])
    at.button_group(key=f"my-vote-{statement}").set_value(-1).run()
    assert list(database.my_answers(token)["statement_votes"]["vote"]) == [-1]
    _button(_ok(at), "Back to where I was").click().run()
    assert _header(_ok(at)) == "Statements"


def test_a_failing_model_keeps_the_answer_and_the_flow_going(database, deliberation,
                                                             monkeypatch):
    monkeypatch.setattr(_shared, "_load_chat", lambda: FakeChat(fail=True))
    at, token = _join(deliberation)
    _button(at, "I agree, let's start").click().run()
    _button(at, "Skip these questions").click().run()
    at.chat_input[0].set_value("Be honest with me.").run()
    assert "not available right now" in _text(_ok(at))
    assert list(database.my_answers(token)["messages"]["role"]) == ["user"]
    _button(at, "Done, on to my value card").click().run()
    _button(_ok(at), "Draft my card from our chat (AI)").click().run()
    assert "could not draft a card" in _text(_ok(at))
    assert at.text_input[0].value == ""


def test_participant_text_is_shown_inert(database, deliberation):
    at, token = _join(deliberation)
    _button(at, "I agree, let's start").click().run()
    _button(at, "Skip these questions").click().run()
    _button(at, "Skip the chat").click().run()
    at.text_input[0].set_value(PAYLOADS[0])
    at.text_area[0].set_value(PAYLOADS[1])
    at.text_area[1].set_value("\n".join(PAYLOADS))
    _button(at, "Save my card").click().run()
    assert database.my_cards(token)[0]["title"] == PAYLOADS[0]
    _button(_ok(at), "My answers").click().run()
    shown = [m.value for m in _ok(at).markdown] + [h.value for h in at.subheader]
    assert any(r"\<script\>alert\(1\)\</script\>" in v for v in shown)
    assert any(r"\!\[x\]\(http\://evil/x\.png\)" in v for v in shown)
    for value in shown:
        assert "<script>" not in value and "![x](" not in value and "[link](" not in value


def test_an_invalid_token_says_so(database, deliberation):
    at = _ok(_app(t="not-a-token"))
    assert "This link is not valid" in _text(at)
    assert not at.header


def test_a_bad_join_link_and_a_closed_deliberation(database, deliberation):
    assert "not valid" in _text(_ok(_app(d="999")))
    assert "not valid" in _text(_ok(_app(d="<b>")))
    at, token = _join(deliberation)
    database.set_open(deliberation.id, False)
    _button(at, "I agree, let's start").click().run()
    assert "closed" in _text(_ok(at))
    assert database.progress(token).step == "consent"
    assert "closed" in _text(_ok(_app(d=str(deliberation.id))))


def test_a_panel_id_maps_to_the_same_participant(database, deliberation):
    at = _ok(_app(d=str(deliberation.id), xid="PROLIFIC-1"))
    _button(at, "Start").click().run()
    first = at.query_params["t"]
    at = _ok(_app(d=str(deliberation.id), xid="PROLIFIC-1"))
    _button(at, "Start").click().run()
    assert at.query_params["t"] == first
    assert database.participant(first).xid == "PROLIFIC-1"


def test_withdrawing_deletes_the_participant(database, deliberation):
    at, token = _join(deliberation)
    for step in deliberation.steps[:-1]:
        database.complete_step(token, step)
    at = _ok(_app(t=token))
    assert _header(at) == "Thank you!"
    withdraw = _button(at, "Withdraw and delete my data")
    assert withdraw.disabled
    at.checkbox(key="withdraw-sure").check().run()
    _button(at, "Withdraw and delete my data").click().run()
    assert "withdrawn" in _text(_ok(at))
    assert "t" not in at.query_params
    assert len(database.export(deliberation.id)["participants"]) == 1  # the other one


def test_all_fifteen_svo_items_when_the_settings_ask(database):
    d = database.create_deliberation("Q?", steps=["svo"], settings={"svo_items": 15})
    token = database.join(d.id)
    database.consent(token, d.consent_version)
    at = _ok(_app(t=token))
    assert _header(at) == "Sharing choices" and len(at.select_slider) == 15
    assert at.select_slider[0].value == 4  # the middle of the slider to start
    _button(at, "Save my choices").click().run()
    assert len(database.my_answers(token)["svo_responses"]) == 15
    assert database.svo_result(token)["items"] == 15
    assert _header(_ok(at)) == "Thank you!"


def test_refusals_read_as_plain_messages():
    from deliberation import AnswerError, ClosedError, RateLimitError

    assert "wait 12 s" in _shared.friendly(RateLimitError("too many", retry_after=12.2))
    assert "closed" in _shared.friendly(ClosedError("closed"))
    assert _shared.friendly(AnswerError("The 'x' field <b>")) == r"The 'x' field \<b\>"
