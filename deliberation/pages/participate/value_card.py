"""Step "value_card": the model drafts a card from the chat (``moralgraph.articulate_value``),
the participant edits and confirms it, or adopts a similar existing card instead."""

from __future__ import annotations

from typing import Any

import streamlit as st

from .._ui import md_escape, plain
from ._shared import (
    Step,
    attempt,
    big_button,
    chat_model,
    embedder,
    finish_step,
    model_name,
)

EMPTY = {"title": "", "description": "", "policies": [], "model": None, "note": None}
#: Longest draft the model may write (a card is about 100 tokens of JSON).
DRAFT_TOKENS = 200


def _draft(ctx: Step, has_chat: bool) -> dict[str, Any]:
    """The card to start from: the AI's draft once asked for (kept for the session)."""
    key = f"draft-{ctx.token}"
    if key not in st.session_state:
        st.session_state[key] = dict(EMPTY)
    if has_chat and st.session_state[key]["model"] is None and big_button(
        "Draft my card from our chat (AI)", key="card-draft", primary=True,
        icon=":material/smart_toy:",
    ):
        st.session_state[key] = _articulate(ctx)
        st.session_state.pop(f"similar-{ctx.token}", None)
    return st.session_state[key]


def _articulate(ctx: Step) -> dict[str, Any]:
    from moralgraph import articulate_value

    empty = EMPTY
    messages = ctx.store.my_answers(ctx.token)["messages"]
    if not (messages["role"] == "user").any():
        return {**empty, "note": "There is no chat to draft from: write your card below."}
    model = chat_model()
    if model is None:
        return {**empty, "note": "The AI model is not available: write your card below."}
    transcript = [{"role": r.role, "content": r.content} for r in messages.itertuples()]
    try:
        with st.spinner("The AI is drafting a card from your chat..."):
            result = articulate_value(transcript, model, max_new_tokens=DRAFT_TOKENS)
    except Exception:  # any model failure: start from an empty card
        return {**empty, "note": "The AI could not draft a card: write your card below."}
    if result.card is None:
        return {**empty, "note": "The AI could not draft a card from the chat: write your "
                                 "card below."}
    return {"title": result.card.title, "description": result.card.description,
            "policies": list(result.card.policies), "model": model_name(model), "note": None}


def render(ctx: Step) -> None:
    """The form (title, description, one policy per line, context) and similar cards."""
    st.header("Your value card")
    st.markdown("A value card says what you think the assistant should **pay attention to** "
                "when it chooses how to answer. Policies are the things it attends to, one "
                "per line.")
    messages = ctx.store.my_answers(ctx.token)["messages"]
    has_chat = bool((messages["role"] == "user").any())
    if has_chat:
        st.caption("The AI can draft a card from your chat for you to edit (this can take a "
                   "minute), or write your own below.")
    draft = _draft(ctx, has_chat)
    if draft["model"]:
        st.info(md_escape(f"AI-written draft ({draft['model']}): edit it until it says what "
                          "you mean."), icon=":material/smart_toy:")
    elif draft.get("note"):
        st.info(md_escape(draft["note"]))
    contexts = {c.key: c.text for c in ctx.deliberation.contexts}
    with st.form("card"):
        title = st.text_input("Title", value=draft["title"], max_chars=ctx.store.limits.title)
        description = st.text_area("Description", value=draft["description"],
                                   max_chars=ctx.store.limits.description, height=100)
        policies = st.text_area("What should it attend to? (one per line)",
                                value="\n".join(draft["policies"]), height=150)
        context = None
        if contexts:
            context = st.selectbox("In which situation?", list(contexts),
                                   format_func=contexts.get)
        save = st.form_submit_button("Save my card", type="primary", width="stretch")
        look = st.form_submit_button("Look for similar cards first", width="stretch")
    lines = [line.strip() for line in policies.splitlines() if line.strip()]
    if save:
        edited = draft["model"] is not None and (
            title, description, lines) != (draft["title"], draft["description"],
                                           draft["policies"])
        ok, _ = attempt(ctx.store.submit_value_card, ctx.token, title, description, lines,
                        context, model=None if draft["model"] is None else
                        draft["model"] + (" (edited)" if edited else ""))
        if ok:
            finish_step(ctx, "value_card")
    if look or (f"similar-{ctx.token}" not in st.session_state and draft["title"]):
        st.session_state[f"similar-{ctx.token}"] = _similar(ctx, title, lines)
    _show_similar(ctx, st.session_state.get(f"similar-{ctx.token}"))
    if big_button("Skip this step", key="card-skip"):
        finish_step(ctx, "value_card", skipped=True)


def _similar(ctx: Step, title: str, policies: list[str]) -> list[dict[str, Any]] | None:
    model = embedder()
    if model is None or not title.strip():
        return None
    try:
        return ctx.store.similar_cards(ctx.token, title, policies, embedder=model)
    except Exception:  # the embedder failed: no suggestions, the form is still there
        return None


def _show_similar(ctx: Step, found: list[dict[str, Any]] | None) -> None:
    if found is None:
        return
    if not found:
        st.caption("No similar card yet: yours is new.")
        return
    st.subheader("Similar cards by others")
    st.caption("If one of these says what you mean, use it instead of writing a new one.")
    for card in found:
        with st.container(border=True):
            plain(card["title"], size="large")
            plain(card["description"])
            plain("\n".join(f"• {p}" for p in card["policies"]))
            if big_button("Use this card", key=f"adopt-{card['id']}"):
                ok, _ = attempt(ctx.store.adopt_card, ctx.token, card["id"])
                if ok:
                    finish_step(ctx, "value_card")
