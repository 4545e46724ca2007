"""Step "chat": a short conversation with the model about what the assistant should attend
to. The model's reply streams in (``st.write_stream``); every turn is stored with the model
and the prompt version that produced it. Skipping is always possible, and a model failure
shows a friendly message: the participant goes on without it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import streamlit as st

from .._ui import md_escape, plain
from ._shared import Step, attempt, big_button, chat_model, finish_step, model_name

#: Stored with every model turn: which system prompt produced it.
PROMPT_VERSION = "chat-v1"
SYSTEM_PROMPT = (
    "You are helping a participant of a deliberation think about this question: {question}\n"
    "Ask ONE short follow-up question at a time about what the assistant should pay "
    "attention to in such a situation, and why it matters to the participant. Do not give "
    "advice and do not answer the question yourself. Reply in at most two sentences."
)
OPENING = ("What do you think the assistant should pay attention to here, and why does it "
           "matter to you?")
MAX_NEW_TOKENS = 96


def _history(ctx: Step) -> list[dict[str, Any]]:
    messages = ctx.store.my_answers(ctx.token)["messages"]
    return [
        {"role": row.role, "content": row.content, "model": row.model}
        for row in messages.itertuples()
    ]


def _show_turn(turn: dict[str, Any]) -> None:
    with st.chat_message(turn["role"]):
        if turn["role"] == "assistant" and turn.get("model"):
            st.caption(md_escape(f"AI-written ({turn['model']})"))
        plain(turn["content"])


def render(ctx: Step) -> None:
    """The transcript so far, a box for the next message, "done" and "skip"."""
    st.header("Chat")
    plain(ctx.deliberation.question)
    st.caption("Talk with an AI model about what matters here. It asks follow-up questions; "
               "two or three answers are enough. You can skip this step.")
    history = _history(ctx)
    _show_turn({"role": "assistant", "content": OPENING})
    for turn in history:
        _show_turn(turn)
    if st.session_state.pop("chat-failed", False):
        st.warning("The AI model is not available right now. Your answer is saved: add "
                   "more if you like, or go on to your value card.",
                   icon=":material/cloud_off:")
    turns = sum(t["role"] == "user" for t in history)
    if turns < ctx.store.limits.chat_turns:
        said = st.chat_input("Your answer", max_chars=ctx.store.limits.message)
        if said:
            _answer(ctx, history, said)
    else:
        st.info("That is the most this chat takes: please go on to your value card.")
    if big_button("Done, on to my value card", key="chat-done", primary=True, disabled=not turns):
        finish_step(ctx, "chat")
    if big_button("Skip the chat", key="chat-skip"):
        finish_step(ctx, "chat", skipped=True)


def _answer(ctx: Step, history: list[dict[str, Any]], said: str) -> None:
    ok, _ = attempt(ctx.store.add_message, ctx.token, "user", said)
    if not ok:
        return
    _show_turn({"role": "user", "content": said})
    model = chat_model()
    conversation = [{"role": "system",
                     "content": SYSTEM_PROMPT.format(question=ctx.deliberation.question)},
                    {"role": "assistant", "content": OPENING}]
    conversation += [{"role": t["role"], "content": t["content"]} for t in history]
    conversation.append({"role": "user", "content": said})
    raw: list[str] = []
    try:
        if model is None:
            raise RuntimeError("no chat model")
        with st.chat_message("assistant"):
            st.caption(md_escape(f"AI-written ({model_name(model)})"))
            st.write_stream(_escaped(model.stream(conversation, max_new_tokens=MAX_NEW_TOKENS),
                                     raw))
    except Exception:  # any model failure: say so, keep the participant's answer, go on
        st.session_state["chat-failed"] = True
        st.rerun()
    reply = "".join(raw).strip()
    if reply:
        attempt(ctx.store.add_message, ctx.token, "assistant", reply[:ctx.store.limits.message],
                model=model_name(model), prompt_version=PROMPT_VERSION)
    st.rerun()


def _escaped(pieces: Iterator[str], raw: list[str]) -> Iterator[str]:
    """The model's pieces escaped for Markdown (shown literally); the raw text kept."""
    for piece in pieces:
        raw.append(piece)
        yield md_escape(piece)
