"""The **Admin** page: create and edit deliberations, moderate, export, import, delete.

Everything here needs the admin token (``COLLECTIVE_ADMIN_TOKEN``, checked by
:func:`deliberation.check_admin` in constant time on every run); without the variable the
page says how to set it. Every action is one :class:`deliberation.Store` call; a refused
action shows the store's message and changes nothing. Participant texts (statements waiting
for moderation) are shown as plain text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from deliberation import (
    ADMIN_ENV,
    STEPS,
    AccessError,
    DeliberationError,
    admin_configured,
    check_admin,
    draft_answers,
    parse_contexts,
    parse_form,
    parse_lines,
    split_answers,
)

from ._ui import md_escape, show_table
from .results._shared import Chosen, choose_deliberation, get_store

__all__ = ["TASKS", "render"]


def _act(action: Callable[[], Any], done: str) -> Any:
    """Run a store action; show ``done`` or the store's reason for refusing."""
    try:
        result = action()
    except (DeliberationError, ValueError) as exc:
        st.error(md_escape(exc))
        return None
    st.success(done)
    return result


def _create() -> None:
    with st.form("admin_create"):
        question = st.text_area("Question")
        title = st.text_input("Title (optional)")
        contexts = st.text_area("Contexts, one per line (key: text)")
        statements = st.text_area("Seed statements, one per line")
        steps = st.multiselect("Steps", list(STEPS[1:-1]), default=list(STEPS[1:-1]))
        form = st.text_area("Demographics form, one field per line (name: option, option)")
        consent = st.text_area("Consent text (optional: the default text)")
        submitted = st.form_submit_button("Create", type="primary", width="stretch")
    if submitted:
        _act(lambda: get_store().create_deliberation(
            question, contexts=parse_contexts(contexts), statements=parse_lines(statements),
            title=title or None, steps=steps, demographics=parse_form(form),
            consent_text=consent or None,
        ), "Created. Choose it above to edit it.")


def _edit(chosen: Chosen) -> None:
    info = chosen.info
    with st.form("admin_edit"):
        title = st.text_input("Title", info.title)
        question = st.text_area("Question", info.question)
        contexts = st.text_area("Contexts (key: text)",
                                "\n".join(f"{c.key}: {c.text}" for c in info.contexts))
        steps = st.multiselect("Steps", list(STEPS[1:-1]),
                               default=[s for s in info.steps if s in STEPS[1:-1]])
        form = st.text_area("Demographics form", "\n".join(
            f"{f['name']}{'*' if f.get('required') else ''}: {', '.join(f.get('options') or [])}"
            for f in info.demographics))
        consent = st.text_area("Consent text (a change makes a new version)", info.consent_text)
        submitted = st.form_submit_button("Save", type="primary", width="stretch")
    st.caption(f"Consent version {info.consent_version}.")
    if submitted:
        _act(lambda: chosen.store.update_deliberation(
            info.id, title=title, question=question, contexts=parse_contexts(contexts),
            steps=steps, demographics=parse_form(form), consent_text=consent,
        ), "Saved.")
    added = st.text_area("Add statements, one per line", key="admin_add_statements")
    if st.button("Add statements", width="stretch", key="admin_add_statements_go"):
        _act(lambda: chosen.store.add_statements(info.id, parse_lines(added)), "Added.")


def _prompts(chosen: Chosen) -> None:
    prompt = st.text_area("Prompt", key="admin_prompt")
    if st.button("Draft answers with the local model", width="stretch", key="admin_draft"):
        import lm

        try:
            with st.spinner("The model writes answers…"):
                model = lm.load_chat_model()
                drafts = draft_answers(model, prompt, 4)
            st.session_state["admin_answers"] = "\n---\n".join(drafts)
            st.session_state["admin_answers_model"] = str(getattr(model, "model_id", "model"))
        except Exception as exc:  # a model failure must not break the page
            st.error(md_escape(f"The model could not write answers: {exc}"))
    answers = st.text_area("Answers, separated by lines of ---", key="admin_answers")
    if st.session_state.get("admin_answers_model"):
        st.caption(md_escape(f"Drafted by {st.session_state['admin_answers_model']} "
                             ", an AI model: review before adding."))
    if st.button("Add the prompt and its answers", type="primary", width="stretch",
                 key="admin_add_prompt"):
        model = st.session_state.get("admin_answers_model")
        texts = [{"text": a, "model": model} for a in split_answers(answers)]
        _act(lambda: chosen.store.add_prompt(chosen.info.id, prompt, texts), "Prompt added.")


def _open_close(chosen: Chosen) -> None:
    is_open = chosen.info.is_open
    st.write("The deliberation is **open**." if is_open else "The deliberation is **closed**.")
    if st.button("Close it now" if is_open else "Open it", type="primary", width="stretch",
                 key="admin_toggle"):
        _act(lambda: chosen.store.set_open(chosen.info.id, not is_open),
             "Closed." if is_open else "Opened.")


def _moderate(chosen: Chosen) -> None:
    pending = chosen.store.pending_statements(chosen.info.id)
    if pending.empty:
        st.info("No statement waits for moderation.")
        return
    for row in pending.itertuples(index=False):
        with st.container(border=True):
            st.text(row.text)
            left, right = st.columns(2)
            if left.button("Approve", key=f"approve_{row.id}", width="stretch"):
                _act(lambda i=row.id: chosen.store.set_statement_status(i, "approved"),
                     "Approved.")
            if right.button("Reject", key=f"reject_{row.id}", width="stretch"):
                _act(lambda i=row.id: chosen.store.set_statement_status(i, "rejected"),
                     "Rejected.")


def _quotas(chosen: Chosen) -> None:
    current = chosen.info.settings.get("quotas", {})
    targets: dict[str, dict[str, int]] = {}
    for field in chosen.info.demographics:
        if not field.get("options"):
            continue
        st.markdown(f"**{md_escape(field.get('label') or field['name'])}**")
        targets[field["name"]] = {
            option: int(st.number_input(option, 0, 1_000_000,
                                        int(current.get(field["name"], {}).get(option, 0)),
                                        key=f"quota_{field['name']}_{option}"))
            for option in field["options"]
        }
    if not targets:
        st.info("The demographics form has no field with options to set quotas on.")
        return
    if st.button("Save quotas", type="primary", width="stretch", key="admin_quotas"):
        _act(lambda: chosen.store.set_quotas(chosen.info.id, targets), "Quotas saved.")


def _exchange(chosen: Chosen) -> None:
    fmt = st.radio("Format", ["csv", "json", "parquet"], horizontal=True, key="admin_format")
    st.download_button(
        "Download everything (zip)", chosen.store.export_zip(chosen.info.id, fmt),
        file_name=f"deliberation-{chosen.info.id}-{fmt}.zip", mime="application/zip",
        width="stretch", key="admin_export",
    )
    upload = st.file_uploader("Import an export (zip)", type=["zip"], key="admin_import")
    if upload is not None and st.button("Import as a new deliberation", width="stretch",
                                        key="admin_import_go"):
        _act(lambda: get_store().import_(upload), "Imported.")  # named in errors


def _delete(chosen: Chosen) -> None:
    st.write("Delete one participant's data on request (their answers, cards and votes).")
    pid = st.number_input("Participant id", min_value=1, step=1, key="admin_delete_id")
    sure = st.checkbox("I confirm this participant asked to have their data deleted",
                       key="admin_delete_sure")
    if st.button("Delete", type="primary", width="stretch", key="admin_delete",
                 disabled=not sure):
        _act(lambda: chosen.store.delete_participant(chosen.info.id, int(pid)), "Deleted.")


#: The page's tasks, in the order of its menu.
TASKS: dict[str, Callable[[Chosen], None]] = {
    "Edit": _edit,
    "Prompts and answers": _prompts,
    "Open or close": _open_close,
    "Moderate statements": _moderate,
    "Quotas": _quotas,
    "Export and import": _exchange,
    "Delete a participant": _delete,
}


def render() -> None:
    """Draw the Admin page (after checking the admin token)."""
    st.title("Admin")
    if not admin_configured():
        st.warning(
            f"The admin pages are off: no admin token is set. Start the app with the "
            f"environment variable {ADMIN_ENV} set to a secret of at least 16 characters, "
            f"e.g. `{ADMIN_ENV}=$(openssl rand -hex 16) make app`."
        )
        return
    token = st.text_input("Admin token", type="password", key="admin_token")
    if not token:
        st.info("Enter the admin token to continue.")
        return
    try:
        check_admin(token)
    except AccessError as exc:
        st.error(md_escape(exc))
        return
    with st.expander("Create a deliberation"):
        _create()
    chosen = choose_deliberation("admin_deliberation")
    if chosen is None:
        return
    task = st.selectbox("Task", list(TASKS), key="admin_task")
    TASKS[task](chosen)
    with st.expander("Participants"):
        people = chosen.get("export")["participants"]
        show_table(people[["id", "xid", "consent_version", "finished_at"]].assign(
            features=people["features"].map(str)))
