"""Step "rankings": for each prompt, put its model answers in order (numbered places) —
RLCHF data. Answers show in this participant's stored random order, labelled AI-written
with their model."""

from __future__ import annotations

from typing import Any

import streamlit as st

from .._ui import md_escape, plain
from ._shared import Step, attempt, big_button, finish_step


def ranking_form(ctx: Step, task: dict[str, Any], key: str) -> bool:
    """The prompt, its answers and a place (1 = best) for each; True once stored."""
    plain(task["prompt"], size="large")
    n = len(task["answers"])
    previous = {a: i + 1 for i, a in enumerate(task["ranked"] or [])}
    with st.form(f"{key}-{task['prompt_id']}", border=False):
        places: dict[int, int | None] = {}
        for i, (answer_id, text, model) in enumerate(task["answers"]):
            letter = chr(ord("A") + i)
            with st.container(border=True):
                st.markdown(f"**Answer {letter}**")
                st.caption(md_escape(f"AI-written ({model or 'model not recorded'})"))
                plain(text)
                # tap targets, not a select box: no phone keyboard pops up
                places[answer_id] = st.segmented_control(
                    f"Place of answer {letter} (1 = best)", list(range(1, n + 1)),
                    default=previous.get(answer_id), key=f"{key}-place-{answer_id}",
                    width="stretch",
                )
        sent = st.form_submit_button("Save this order", type="primary", width="stretch")
    if sent:
        ok, _ = attempt(ctx.store.submit_ranks, ctx.token, task["prompt_id"], places)
        return ok
    return False


def render(ctx: Step) -> None:
    """The first prompt not ranked yet; the step ends when all are ranked."""
    st.header("Rank the answers")
    st.markdown("Here is something a user asked, and several answers an AI gave. Put the "
                "answers in order: **1 is the best** in your view, each place used once.")
    tasks = ctx.store.ranking_tasks(ctx.token)
    todo = [t for t in tasks if t["ranked"] is None]
    if not todo:
        st.success("You have ranked every answer. Thank you!")
        if big_button("Continue", key="rankings-next", primary=True):
            finish_step(ctx, "rankings")
        return
    st.caption(md_escape(f"Question {len(tasks) - len(todo) + 1} of {len(tasks)}"))
    if ranking_form(ctx, todo[0], "rank"):
        st.rerun()
    if big_button("Skip the rest", key="rankings-skip"):
        finish_step(ctx, "rankings", skipped=True)
