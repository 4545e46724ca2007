"""What every participant step shares: its context, the models, safe calls and the header.

A step module has ``render(ctx: Step)``; it calls the Store through :func:`attempt` (a
refused answer shows its reason inline, never a traceback) and reruns the page after a
saved answer, so the router shows the next step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from deliberation import (
    AccessError,
    ClosedError,
    DeliberationError,
    DeliberationInfo,
    Progress,
    RateLimitError,
)

from .._ui import md_escape

__all__ = [
    "STEP_LABELS",
    "Step",
    "attempt",
    "big_button",
    "chat_model",
    "embedder",
    "finish_step",
    "friendly",
    "model_name",
    "resume_link",
]

#: What each step is called on screen.
STEP_LABELS = {
    "consent": "Consent",
    "demographics": "About you",
    "chat": "Chat",
    "value_card": "Your value card",
    "wiser": "Wiser choices",
    "statements": "Statements",
    "rankings": "Rank answers",
    "svo": "Sharing choices",
    "thanks": "Thank you",
}


@dataclass(frozen=True)
class Step:
    """What a step page needs: the Store, the participant's token, their deliberation and
    progress."""

    store: Any
    token: str
    deliberation: DeliberationInfo
    progress: Progress


def friendly(error: DeliberationError) -> str:
    """The message a participant sees for a refused call (escaped for Markdown)."""
    if isinstance(error, ClosedError):
        return "This deliberation is closed: your earlier answers are kept, new ones are not."
    if isinstance(error, RateLimitError):
        return f"You are going a little fast. Please wait {error.retry_after:.0f} s and try again."
    if isinstance(error, AccessError):
        return "This link is not valid (it may have been withdrawn or mistyped)."
    return md_escape(str(error))


def attempt(call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[bool, Any]:
    """Run a Store call; on a refusal show why (inline) and return ``(False, None)``."""
    try:
        return True, call(*args, **kwargs)
    except DeliberationError as error:
        st.error(friendly(error), icon=":material/error:")
        return False, None


def finish_step(ctx: Step, step: str, *, skipped: bool = False) -> None:
    """Mark ``step`` done and show the next one."""
    ok, _ = attempt(ctx.store.complete_step, ctx.token, step, skipped=skipped)
    if ok:
        st.rerun()


def big_button(label: str, *, key: str | None = None, primary: bool = False,
               **options: Any) -> bool:
    """A button at the page's full width (a thumb-sized target on a phone)."""
    return st.button(label, key=key, type="primary" if primary else "secondary",
                     width="stretch", **options)


def resume_link(token: str) -> str:
    """The address that brings the participant back to where they are."""
    base = ""
    url = getattr(st.context, "url", None) or ""
    if url:
        base = url.split("?", 1)[0].rstrip("/")
        for suffix in ("/take-part",):
            base = base.removesuffix(suffix)
    return f"{base}/?t={token}"


def show_resume_link(token: str) -> None:
    """The resume link, copyable, with a note to keep it."""
    st.caption("Keep this link to come back later and continue where you left off "
               "(anyone with it can see and change your answers):")
    st.code(resume_link(token), language=None, wrap_lines=True)


# -- the models (loaded once per process; a failure means "no model", never a crash) ------
@st.cache_resource(show_spinner=False)
def _load_chat() -> Any:
    import lm

    return lm.load_chat_model()


@st.cache_resource(show_spinner=False)
def _load_embedder() -> Any:
    import lm

    return lm.load_embedder()


def chat_model() -> Any | None:
    """The deployment's chat model (``lm.load_chat_model``), or None if it cannot load."""
    try:
        return _load_chat()
    except Exception:  # any back-end failure: the participant goes on without the model
        return None


def embedder() -> Any | None:
    """The sentence embedder (``lm.load_embedder``), or None if it cannot load."""
    try:
        return _load_embedder()
    except Exception:  # any back-end failure: no similar cards are shown
        return None


def model_name(model: Any) -> str:
    """How a model is named on screen and in the database."""
    return str(getattr(model, "model_id", type(model).__name__))
