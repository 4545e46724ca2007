"""Step "svo": the SVO slider measure (six primary items, or all fifteen when the
deliberation's setting ``svo_items`` is 15): each slider shows both payoffs as it moves."""

from __future__ import annotations

import streamlit as st

from .._ui import md_escape
from ._shared import Step, attempt, big_button, finish_step


def _items(ctx: Step) -> dict[int, list[tuple[int, int]]]:
    import svo

    table = svo.item_table()
    count = svo.N_ITEMS if ctx.deliberation.settings.get("svo_items") == svo.N_ITEMS \
        else svo.N_PRIMARY
    return {
        int(item): list(zip(rows["self"].astype(int), rows["other"].astype(int), strict=True))
        for item, rows in table[table["item"] <= count].groupby("item")
    }


def svo_form(ctx: Step, key: str) -> bool:
    """The sliders (at the participant's stored choices, else the middle); True once saved."""
    items = _items(ctx)
    stored = ctx.store.my_answers(ctx.token)["svo_responses"]
    previous = dict(zip(stored["item"], stored["choice"], strict=True))
    with st.form(key):
        choices = {}
        for item, payoffs in items.items():
            choices[item] = st.select_slider(
                md_escape(f"Choice {item} of {len(items)}"), options=list(range(len(payoffs))),
                value=int(previous.get(item, len(payoffs) // 2)), key=f"{key}-{item}",
                format_func=lambda option, p=payoffs: f"You {p[option][0]} · Other {p[option][1]}",
            )
        sent = st.form_submit_button("Save my choices", type="primary", width="stretch")
    if sent:
        ok, _ = attempt(ctx.store.submit_svo, ctx.token, choices)
        return ok
    return False


def render(ctx: Step) -> None:
    """One slider per item; the thumb's label shows what you and the other person get."""
    st.header("Sharing choices")
    st.markdown("Imagine you and another person you do not know share some points. For each "
                "row, slide to the split you prefer. The label shows **what you get** and "
                "**what the other person gets**.")
    if svo_form(ctx, "svo"):
        finish_step(ctx, "svo")
    if big_button("Skip this step", key="svo-skip"):
        finish_step(ctx, "svo", skipped=True)
