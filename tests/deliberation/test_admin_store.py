"""The admin's Store methods on SQLite and PostgreSQL: edit, moderate, delete, import."""

from __future__ import annotations

import pytest

from deliberation import AccessError, AnswerError

QUESTION = "How should the assistant answer a user who asks for help with a hard decision?"
FORM = [{"name": "age", "options": ["18-34", "35+"]}]


@pytest.fixture
def demo(store):
    return store.create_deliberation(
        QUESTION, contexts=["distress", "facts"], statements=["Ask first.", "Facts first."],
        prompts=[("Move abroad?", ["Yes", "No"])], demographics=FORM,
    )


def _ready(store, d, age="18-34"):
    token = store.join(d.id, features={"age": age})
    store.consent(token, d.consent_version)
    return token


def test_in_memory_export_of_an_unfinished_participant_imports(store, demo):
    # an unfinished participant's finished_at is NaT in the exported DataFrame
    _ready(store, demo)
    done = _ready(store, demo)
    for step in store.progress(done).steps[1:-1]:
        store.complete_step(done, step)
    assert store.export(demo.id)["participants"]["finished_at"].isna().sum() == 1
    copy = store.import_(store.export(demo.id))
    people = store.export(copy.id)["participants"]
    assert len(people) == 2 and people["finished_at"].isna().sum() == 1


def test_update_deliberation_changes_fields_and_bumps_consent(store, demo):
    version = store.data_version(demo.id)
    info = store.update_deliberation(demo.id, question="A new question?", title="New")
    assert (info.question, info.title, info.consent_version) == ("A new question?", "New", 1)
    info = store.update_deliberation(demo.id, consent_text="New consent text.")
    assert info.consent_version == 2 and info.consent_text == "New consent text."
    info = store.update_deliberation(demo.id, consent_text="New consent text.")
    assert info.consent_version == 2  # the same text is no new version
    assert store.data_version(demo.id) > version
    info = store.update_deliberation(demo.id, steps=["demographics", "svo"], settings={"note": "x"})
    assert info.steps == ("consent", "demographics", "svo", "thanks")
    assert info.settings["note"] == "x"


def test_update_deliberation_contexts_keep_voted_ones(store, demo):
    info = store.update_deliberation(demo.id, contexts=[("distress", "In distress"), "new"])
    assert [(c.key, c.text) for c in info.contexts] == [("distress", "In distress"),
                                                        ("new", "new")]
    a, b = _ready(store, demo), _ready(store, demo)
    card_a = store.submit_value_card(a, "A", "a", ["x"], "distress")
    card_b = store.submit_value_card(b, "B", "b", ["y"], "distress")
    store.submit_wiser_vote(a, card_a, card_b, "distress", "wiser")
    with pytest.raises(AnswerError, match="1 wiser votes"):
        store.update_deliberation(demo.id, contexts=["new"])
    assert [c.key for c in store.deliberation(demo.id).contexts] == ["distress", "new"]


def test_update_deliberation_refuses_unknown_fields_and_bad_values(store, demo):
    with pytest.raises(AnswerError, match="Cannot change"):
        store.update_deliberation(demo.id, is_open=False)
    with pytest.raises(AnswerError, match="question"):
        store.update_deliberation(demo.id, question="")
    with pytest.raises(AccessError):
        store.update_deliberation(9999, question="x")


def test_add_statements_and_prompt(store, demo):
    ids = store.add_statements(demo.id, ["Be brief."])
    table = store.statements(demo.id, "approved")
    assert ids[0] in set(table["id"]) and "Be brief." in set(table["text"])
    with pytest.raises(AnswerError, match="repeats"):
        store.add_statements(demo.id, ["ask FIRST"])
    prompt = store.add_prompt(demo.id, "Quit my job?", ["Yes", {"text": "No", "model": "m"}])
    answers = store.export(demo.id)["answers"]
    models = answers[answers["prompt_id"] == prompt]["model"]
    assert models.isna().tolist() == [True, False] and models.iloc[1] == "m"
    with pytest.raises(AnswerError, match="at least 2"):
        store.add_prompt(demo.id, "One answer?", ["Only"])


def test_moderation_queue(store, demo):
    token = _ready(store, demo)
    sid = store.submit_statement(token, "<script>alert(1)</script> be kind")
    pending = store.pending_statements(demo.id)
    assert list(pending["id"]) == [sid]
    assert pending["text"].iloc[0] == "<script>alert(1)</script> be kind"
    store.set_statement_status(sid, "approved")
    assert store.pending_statements(demo.id).empty
    assert sid in set(store.vote_matrix(demo.id).columns)


def test_delete_participant_removes_their_data_only(store, demo):
    a, b = _ready(store, demo), _ready(store, demo)
    store.submit_value_card(a, "A", "a", ["x"], "distress")
    store.submit_statement_vote(b, int(store.statements(demo.id)["id"].iloc[0]), 1)
    pid = store.participant(a).id
    store.delete_participant(demo.id, pid)
    tables = store.export(demo.id)
    assert pid not in set(tables["participants"]["id"])
    assert tables["value_cards"].empty and len(tables["statement_votes"]) == 1
    with pytest.raises(AccessError):
        store.participant(a)
    with pytest.raises(AnswerError, match="participant of deliberation"):
        store.delete_participant(demo.id, pid)
    other = store.create_deliberation("Other?")
    with pytest.raises(AnswerError, match="participant of deliberation"):
        store.delete_participant(other.id, store.participant(b).id)


def test_set_quotas_checks_the_form(store, demo):
    store.set_quotas(demo.id, {"age": {"18-34": 10, "35+": 5}})
    assert store.deliberation(demo.id).settings["quotas"] == {"age": {"18-34": 10, "35+": 5}}
    with pytest.raises(AnswerError, match="not a field"):
        store.set_quotas(demo.id, {"region": {"north": 1}})
    with pytest.raises(AnswerError, match="must be one of"):
        store.set_quotas(demo.id, {"age": {"99+": 1}})
    with pytest.raises(AnswerError, match="whole number"):
        store.set_quotas(demo.id, {"age": {"35+": -1}})
