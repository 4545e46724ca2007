"""Step "consent": the deliberation's consent text (versioned); agreeing is stored with its
version and time, declining deletes the participant at once."""

from __future__ import annotations

import streamlit as st

from .._ui import md_escape, plain
from ._shared import Step, attempt, big_button


def render(ctx: Step) -> None:
    """Show the consent text; "I agree" records it, "No thanks" withdraws."""
    st.header("Before you start")
    plain(ctx.deliberation.question)
    with st.container(border=True):
        plain(ctx.deliberation.consent_text)
    st.warning("Please do not write names, addresses, health details or anything else that "
               "identifies you or someone else.", icon=":material/privacy_tip:")
    st.caption(md_escape(f"Consent text version {ctx.deliberation.consent_version}"))
    if big_button("I agree, let's start", key="consent-yes", primary=True):
        ok, _ = attempt(ctx.store.consent, ctx.token, ctx.deliberation.consent_version)
        if ok:
            st.rerun()
    if big_button("No thanks", key="consent-no"):
        ok, _ = attempt(ctx.store.withdraw, ctx.token)
        if ok:
            st.query_params.clear()
            st.session_state["withdrawn"] = True
            st.rerun()
