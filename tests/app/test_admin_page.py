"""The Admin page through streamlit's AppTest: the token gate and each task."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from deliberation import ADMIN_ENV, Store, seed_demo

TOKEN = "a-long-admin-secret-for-tests"
SCRIPT = "from deliberation.pages import admin\nadmin.render()\n"


@pytest.fixture
def url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'admin.db'}"
    store = Store(url)
    seed_demo(store)
    store.close()
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def _app() -> AppTest:
    app = AppTest.from_string(SCRIPT, default_timeout=60)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


@pytest.fixture
def admin(url, monkeypatch) -> AppTest:
    monkeypatch.setenv(ADMIN_ENV, TOKEN)
    app = _app()
    app.text_input(key="admin_token").set_value(TOKEN).run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    return app


def test_without_the_variable_the_page_says_how_to_set_it(url, monkeypatch):
    monkeypatch.delenv(ADMIN_ENV, raising=False)
    app = _app()
    assert ADMIN_ENV in app.warning[0].value
    assert not app.text_input and not app.selectbox and not app.button


def test_a_wrong_token_is_refused(url, monkeypatch):
    monkeypatch.setenv(ADMIN_ENV, TOKEN)
    app = _app()
    assert not app.selectbox  # nothing before the token
    app.text_input(key="admin_token").set_value("not-the-token").run()
    assert "not correct" in app.error[0].value
    assert not app.selectbox and not app.button


def test_the_right_token_opens_the_tasks(admin):
    assert admin.selectbox(key="admin_task").value == "Edit"
    assert admin.selectbox(key="admin_deliberation").value == 1


def test_moderation_approves_a_statement_shown_as_plain_text(admin, url):
    store = Store(url)
    d = store.deliberations()[0]
    token = store.join(d.id, features={"age": "55+"})
    store.consent(token, d.consent_version)
    payload = "<script>alert(1)</script> ![x](http://evil/x.png) [link](javascript:alert(1))"
    sid = store.submit_statement(token, payload)
    admin.selectbox(key="admin_task").set_value("Moderate statements").run()
    assert payload in [t.value for t in admin.text]
    assert not any("<script>" in m.value for m in admin.markdown)
    admin.button(key=f"approve_{sid}").click().run()
    assert admin.success[0].value == "Approved."
    assert sid in set(store.statements(d.id, "approved")["id"])
    store.close()


def test_close_and_quotas_and_delete(admin, url):
    store = Store(url)
    d = store.deliberations()[0]
    admin.selectbox(key="admin_task").set_value("Open or close").run()
    admin.button(key="admin_toggle").click().run()
    assert not store.deliberation(d.id).is_open
    admin.selectbox(key="admin_task").set_value("Quotas").run()
    admin.number_input(key="quota_age_55+").set_value(7).run()
    admin.button(key="admin_quotas").click().run()
    assert store.deliberation(d.id).settings["quotas"]["age"]["55+"] == 7
    admin.selectbox(key="admin_task").set_value("Delete a participant").run()
    admin.number_input(key="admin_delete_id").set_value(3).run()
    admin.checkbox(key="admin_delete_sure").check().run()
    admin.button(key="admin_delete").click().run()
    assert 3 not in set(store.export(d.id)["participants"]["id"])
    admin.number_input(key="admin_delete_id").set_value(9999).run()
    admin.button(key="admin_delete").click().run()
    assert "participant of deliberation" in admin.error[0].value
    store.close()


def test_edit_and_add_a_prompt(admin, url):
    store = Store(url)
    d = store.deliberations()[0]
    form_question = [t for t in admin.text_area if t.label == "Question"][-1]
    form_question.set_value("An edited question?")
    admin.button[[b.label for b in admin.button].index("Save")].click().run()
    assert store.deliberation(d.id).question == "An edited question?"
    admin.selectbox(key="admin_task").set_value("Prompts and answers").run()
    admin.text_area(key="admin_prompt").set_value("Should I adopt a dog?")
    admin.text_area(key="admin_answers").set_value("Yes.\n---\nThink about time first.")
    admin.button(key="admin_add_prompt").click().run()
    assert admin.success[0].value == "Prompt added."
    prompts = store.prompt_rankings(d.id)
    assert prompts[-1].prompt == "Should I adopt a dog?"
    assert list(prompts[-1].answers.values()) == ["Yes.", "Think about time first."]
    store.close()


def test_export_zip_is_offered(admin):
    admin.selectbox(key="admin_task").set_value("Export and import").run()
    button = admin.get("download_button")[0]
    assert button.proto.label == "Download everything (zip)"


def test_answers_drafted_by_the_model_are_stored_with_it(admin, url, monkeypatch):
    import lm
    from tests.app.fakes import FakeChat

    monkeypatch.setattr(lm, "load_chat_model", lambda **_: FakeChat())
    admin.selectbox(key="admin_task").set_value("Prompts and answers").run()
    admin.text_area(key="admin_prompt").set_value("Should I move cities?")
    admin.button(key="admin_draft").click().run()
    assert admin.text_area(key="admin_answers").value == "\n---\n".join(["yes yes"] * 4)
    assert any("an AI model" in c.value for c in admin.caption)
    admin.button(key="admin_add_prompt").click().run()
    store = Store(url)
    answers = store.export(store.deliberations()[0].id)["answers"]
    assert answers["model"].notna().sum() == 4
    store.close()


def test_a_failing_model_leaves_the_page_working(admin, monkeypatch):
    import lm

    def broken(**_):
        raise OSError("no model files")

    monkeypatch.setattr(lm, "load_chat_model", broken)
    admin.selectbox(key="admin_task").set_value("Prompts and answers").run()
    admin.text_area(key="admin_prompt").set_value("Should I move cities?")
    admin.button(key="admin_draft").click().run()
    assert not admin.exception
    assert "could not write answers" in admin.error[0].value


def _deliberation_count(url: str) -> list:
    store = Store(url)
    try:
        return store.deliberations()
    finally:
        store.close()


def test_an_uploaded_export_is_imported_as_a_new_deliberation(admin, url):
    store = Store(url)
    first = store.deliberations()[0]
    archive = store.export_zip(first.id, "csv")
    before = {name: len(t) for name, t in store.export(first.id).items()}
    store.close()
    admin.selectbox(key="admin_task").set_value("Export and import").run()
    admin.file_uploader(key="admin_import").set_value(
        ("deliberation.zip", archive, "application/zip")).run()
    admin.button(key="admin_import_go").click().run()
    assert not admin.exception and not admin.error, [e.value for e in admin.error]
    assert [s.value for s in admin.success] == ["Imported."]
    found = _deliberation_count(url)
    assert len(found) == 2 and found[-1].question == first.question
    store = Store(url)
    after = {name: len(t) for name, t in store.export(found[-1].id).items()}
    store.close()
    assert after == before


def test_a_broken_upload_is_refused_and_imports_nothing(admin, url):
    admin.selectbox(key="admin_task").set_value("Export and import").run()
    admin.file_uploader(key="admin_import").set_value(
        ("deliberation.zip", b"PK\x03\x04 not really a zip", "application/zip")).run()
    admin.button(key="admin_import_go").click().run()
    assert not admin.exception
    assert len(admin.error) == 1
    assert "deliberation.zip is not a zip file" in admin.error[0].value.replace("\\", "")
    assert not admin.success
    assert len(_deliberation_count(url)) == 1
