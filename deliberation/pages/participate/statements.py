"""Step "statements": agree / disagree / pass on one statement at a time (fewest votes
first, ``store.next_statement``), and a statement of one's own (moderated)."""

from __future__ import annotations

import streamlit as st

from .._ui import md_escape, plain
from ._shared import Step, attempt, big_button, finish_step

VOTES = {1: "Agree", -1: "Disagree", 0: "Pass / unsure"}


def render(ctx: Step) -> None:
    """The current statement with three big buttons; a form to add one."""
    st.header("Statements")
    task = ctx.store.next_statement_task(ctx.token)
    if task["id"] is None:
        st.success(md_escape(f"You have voted on all {task['total']} statements. Thank you!"))
        if big_button("Continue", key="statements-next", primary=True):
            finish_step(ctx, "statements")
    else:
        st.caption(md_escape(f"Statement {task['voted'] + 1} of {task['total']}"))
        with st.container(border=True):
            plain(task["text"], size="large")
        for vote, label in VOTES.items():
            if big_button(label, key=f"vote-{vote}-{task['id']}", primary=vote == 1):
                ok, _ = attempt(ctx.store.submit_statement_vote, ctx.token, task["id"], vote)
                if ok:
                    st.rerun()
        if big_button("I have voted enough", key="statements-done"):
            finish_step(ctx, "statements")
    _own_statement(ctx)


def _own_statement(ctx: Step) -> None:
    with st.expander("Add a statement of your own"):
        st.caption("Others will vote on it after a moderator approves it. One idea, "
                   "in one or two sentences; no personal details.")
        with st.form("own-statement", clear_on_submit=True):
            text = st.text_area("Your statement", max_chars=ctx.store.limits.statement)
            sent = st.form_submit_button("Send for moderation", width="stretch")
        if sent:
            ok, _ = attempt(ctx.store.submit_statement, ctx.token, text)
            if ok:
                st.success("Thank you: your statement will appear once it is approved.")
