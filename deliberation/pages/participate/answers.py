""""My answers": everything the participant gave so far, each one changeable (a later answer
replaces the earlier one), and the status of the statements they submitted."""

from __future__ import annotations

import streamlit as st

from .._ui import md_escape, plain
from ._shared import Step, attempt, show_resume_link
from .rankings import ranking_form
from .statements import VOTES
from .svo import svo_form
from .wiser import VERDICTS

STATUS = {"pending": "waiting for moderation", "approved": "approved: others vote on it",
          "rejected": "not accepted by the moderators"}


def render(ctx: Step) -> None:
    """Each kind of answer in its own expander, with a control to change it."""
    st.header("My answers")
    mine = ctx.store.my_answers(ctx.token)
    show_resume_link(ctx.token)
    _cards(ctx)
    _statement_votes(ctx, mine)
    _own_statements(mine)
    _wiser_votes(ctx, mine)
    _rankings(ctx)
    if not mine["svo_responses"].empty:
        with st.expander(f"My sharing choices ({len(mine['svo_responses'])})"):
            if svo_form(ctx, "my-svo"):
                st.success("Saved.")


def _cards(ctx: Step) -> None:
    cards = ctx.store.my_cards(ctx.token)
    with st.expander(f"My value cards ({len(cards)})"):
        for card in cards:
            plain(card["title"], size="large")
            plain("\n".join(f"• {p}" for p in card["policies"]))


def _statement_votes(ctx: Step, mine) -> None:
    votes = mine["statement_votes"]
    with st.expander(f"My votes on statements ({len(votes)})"):
        texts = ctx.store.export(ctx.deliberation.id)["statements"].set_index("id")["text"]
        for row in votes.itertuples():
            plain(texts.get(row.statement_id, ""))
            new = st.segmented_control(
                "My vote", list(VOTES), format_func=VOTES.get, default=int(row.vote),
                key=f"my-vote-{row.statement_id}", width="stretch",
            )
            if new is not None and new != row.vote:
                ok, _ = attempt(ctx.store.submit_statement_vote, ctx.token,
                                int(row.statement_id), int(new))
                if ok:
                    st.rerun()


def _own_statements(mine) -> None:
    own = mine.get("statements")
    if own is None or own.empty:
        return
    with st.expander(f"Statements I wrote ({len(own)})"):
        for row in own.itertuples():
            plain(row.text)
            st.caption(md_escape(STATUS.get(row.status, row.status)))


def _wiser_votes(ctx: Step, mine) -> None:
    votes = mine["wiser_votes"]
    with st.expander(f"My wiser choices ({len(votes)})"):
        titles = {c["id"]: c["title"] for c in _all_cards(ctx)}
        contexts = {c.id: c.key for c in ctx.deliberation.contexts}
        for row in votes.itertuples():
            plain(f"{titles.get(row.from_card_id, '?')} → {titles.get(row.to_card_id, '?')}")
            new = st.segmented_control(
                "My verdict", list(VERDICTS), format_func=VERDICTS.get, default=row.verdict,
                key=f"my-wiser-{row.id}", width="stretch",
            )
            if new is not None and new != row.verdict:
                ok, _ = attempt(ctx.store.submit_wiser_vote, ctx.token, int(row.from_card_id),
                                int(row.to_card_id), contexts[row.context_id], new,
                                row.reason)
                if ok:
                    st.rerun()


def _all_cards(ctx: Step) -> list[dict]:
    cards = ctx.store.cards(ctx.deliberation.id)
    return cards.to_dict("records")


def _rankings(ctx: Step) -> None:
    tasks = [t for t in ctx.store.ranking_tasks(ctx.token) if t["ranked"] is not None]
    with st.expander(f"My rankings ({len(tasks)})"):
        for task in tasks:
            if ranking_form(ctx, task, "my-rank"):
                st.success("Saved.")
