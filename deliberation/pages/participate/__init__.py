"""The participant flow ("Take part"): landing, joining, and one page per step.

Participants arrive by ``/?d=<deliberation id>`` (a join link; ``&xid=…`` for a panel's
external id) or ``/?t=<token>`` (their resume link). After joining, the token is put in the
address (``st.query_params``), so the address bar *is* the resume link. The router asks
``store.progress(token)`` for the step and renders that step's module; every answer is
saved at once, so a reload or the resume link continues at the same step.
"""

from __future__ import annotations

import streamlit as st

from deliberation import AccessError, DeliberationError

from .._ui import apply_participant_style, get_store, md_escape, plain
from . import (
    answers,
    chat,
    consent,
    demographics,
    rankings,
    statements,
    svo,
    thanks,
    value_card,
    wiser,
)
from ._shared import STEP_LABELS, Step, attempt, big_button, friendly, show_resume_link

__all__ = ["render"]

PAGES = {
    "consent": consent.render,
    "demographics": demographics.render,
    "chat": chat.render,
    "value_card": value_card.render,
    "wiser": wiser.render,
    "statements": statements.render,
    "rankings": rankings.render,
    "svo": svo.render,
    "thanks": thanks.render,
}


def render() -> None:
    """The page at ``/``: a participant's current step, a join page, or the landing."""
    apply_participant_style()
    store = get_store()
    params = st.query_params
    if params.get("t"):
        _participant(store, params["t"])
    elif params.get("d"):
        _join(store, params["d"], params.get("xid"))
    else:
        _landing(store)


def _landing(store) -> None:
    st.title("Take part")
    if st.session_state.pop("withdrawn", False):
        st.success("You have withdrawn: everything you wrote has been deleted.")
    st.markdown(
        "Help decide how an AI assistant should behave. You will talk briefly with a model "
        "about what matters to you, write it down as a *value card*, compare other people's "
        "values, vote on statements and rank a few model answers. It takes about 15 minutes; "
        "you can stop and come back later with your personal link."
    )
    open_ones = [d for d in store.deliberations() if d.is_open]
    if not open_ones:
        st.info("No deliberation is open at the moment.")
        return
    st.subheader("Open deliberations")
    for d in open_ones:
        with st.container(border=True):
            plain(d.title, size="large")
            if d.question != d.title:
                plain(d.question)
            if big_button("Join", key=f"join-{d.id}", primary=True):
                _start(store, d.id, None)


def _join(store, raw_id: str, xid: str | None) -> None:
    deliberation = None
    if raw_id.isdigit():
        try:
            deliberation = store.deliberation(int(raw_id))
        except AccessError:
            deliberation = None
    if deliberation is None:
        st.title("Take part")
        st.error("This join link is not valid: there is no such deliberation.")
        return
    st.title(md_escape(deliberation.title))
    plain(deliberation.question)
    if not deliberation.is_open:
        st.warning("This deliberation is closed: it takes no new participants.")
        return
    st.markdown("It takes about 15 minutes, and you can stop and come back later with your "
                "personal link. You will first see what we store and how it is used.")
    if big_button("Start", key="start", primary=True):
        _start(store, deliberation.id, xid)


def _start(store, deliberation_id: int, xid: str | None) -> None:
    ok, token = attempt(store.join, deliberation_id, xid=xid or None)
    if ok:
        st.query_params.clear()
        st.query_params["t"] = token
        st.rerun()


def _participant(store, token: str) -> None:
    try:
        progress = store.progress(token)
        deliberation = store.deliberation(store.participant(token).deliberation_id)
    except DeliberationError as error:
        st.title("Take part")
        st.error(friendly(error))
        st.markdown("Ask the organisers for a new link, or start again from the "
                    "[list of deliberations](/).")
        return
    ctx = Step(store, token, deliberation, progress)
    st.caption(md_escape(deliberation.title))
    _progress_bar(ctx)
    if st.session_state.get("view") == "answers":
        if big_button("Back to where I was", key="back", primary=True):
            st.session_state["view"] = "step"
            st.rerun()
        _guarded(answers.render, ctx)
        return
    _guarded(PAGES[progress.step], ctx)
    st.divider()
    if progress.step != "consent" and big_button("My answers", key="my-answers"):
        st.session_state["view"] = "answers"
        st.rerun()
    if progress.step != "thanks":
        with st.expander("Your link to come back later"):
            show_resume_link(token)


def _progress_bar(ctx: Step) -> None:
    steps = ctx.progress.steps
    position = ctx.progress.index + 1
    label = STEP_LABELS.get(ctx.progress.step, ctx.progress.step)
    st.progress(ctx.progress.index / max(len(steps) - 1, 1),
                text=f"Step {position} of {len(steps)}: {label}")


def _guarded(page, ctx: Step) -> None:
    """Render a step; a refusal the step did not handle shows its reason, not a traceback."""
    try:
        page(ctx)
    except DeliberationError as error:
        st.error(friendly(error), icon=":material/error:")
