"""Step "demographics": the deliberation's configurable form (these become rlchf features)."""

from __future__ import annotations

import streamlit as st

from .._ui import md_escape
from ._shared import Step, attempt, finish_step


def render(ctx: Step) -> None:
    """One field per form entry: a choice for fields with options, else a short text."""
    st.header("About you")
    st.markdown("These answers let researchers see whether different groups see things "
                "differently. Leave out anything you prefer not to say.")
    known = ctx.store.participant(ctx.token).features
    with st.form("demographics"):
        answers = {}
        for field in ctx.deliberation.demographics:
            label = md_escape(field["label"]) + ("" if field["required"] else " (optional)")
            previous = known.get(field["name"])
            if field["options"]:
                options = field["options"]
                answers[field["name"]] = st.selectbox(
                    label, options, key=f"demo-{field['name']}", placeholder="Choose",
                    index=options.index(previous) if previous in options else None,
                )
            else:
                answers[field["name"]] = st.text_input(
                    label, value=previous or "", key=f"demo-{field['name']}", max_chars=200
                )
        sent = st.form_submit_button("Continue", type="primary", width="stretch")
    if sent:
        ok, _ = attempt(ctx.store.set_features, ctx.token,
                        {k: v for k, v in answers.items() if v not in (None, "")})
        if ok:
            st.rerun()
    if not any(f["required"] for f in ctx.deliberation.demographics) and st.button(
        "Skip these questions", key="demo-skip", width="stretch"
    ):
        finish_step(ctx, "demographics", skipped=True)
