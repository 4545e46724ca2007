"""Step "wiser": pairs of cards in a context (``store.next_wiser_pair``, chosen by
``moralgraph.suggest_pairs`` and stored), shown as "this person used to focus on A; now they
focus on B": wiser / not wiser / unsure, with an optional reason."""

from __future__ import annotations

from typing import Any

import streamlit as st

from .._ui import md_escape, plain
from ._shared import Step, attempt, big_button, finish_step

VERDICTS = {"wiser": "Wiser", "not_wiser": "Not wiser", "unsure": "Not sure"}


def _card(card: dict[str, Any]) -> None:
    with st.container(border=True):
        plain(card["title"], size="large")
        if card["description"]:
            plain(card["description"])
        plain("\n".join(f"• {p}" for p in card["policies"]))


def render(ctx: Step) -> None:
    """One pair per screen, three big buttons and an optional reason."""
    st.header("Wiser choices")
    task = ctx.store.next_wiser_pair(ctx.token)
    if task is None:
        st.success("There are no more pairs for you to judge. Thank you!")
        if big_button("Continue", key="wiser-next", primary=True):
            finish_step(ctx, "wiser")
        return
    st.caption(md_escape(f"Pair {task['answered'] + 1} of up to {task['total']}"))
    st.markdown("**In this situation:**")
    plain(task["context_text"])
    st.markdown("This person **used to focus on**")
    _card(task["from"])
    st.markdown("and **now focuses on**")
    _card(task["to"])
    st.markdown("**Did they become wiser?**")
    pair = f"{task['from']['id']}-{task['to']['id']}-{task['context']}"
    reason = st.text_input("Why? (optional)", key=f"reason-{pair}",
                           max_chars=ctx.store.limits.reason)
    for verdict, label in VERDICTS.items():
        if big_button(label, key=f"{verdict}-{pair}", primary=verdict == "wiser"):
            ok, _ = attempt(ctx.store.submit_wiser_vote, ctx.token, task["from"]["id"],
                            task["to"]["id"], task["context"], verdict, reason or None)
            if ok:
                st.rerun()
    if big_button("I have judged enough pairs", key="wiser-done"):
        finish_step(ctx, "wiser")
