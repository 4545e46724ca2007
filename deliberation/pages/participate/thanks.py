"""Step "thanks": where the participant's card stands in the moral graph, how well the
current bridging slate represents them, their SVO type, the resume link, the legitimacy
questions, the completion code or redirect, and withdrawal."""

from __future__ import annotations

import streamlit as st

from .._ui import md_escape, plain
from ._shared import Step, attempt, big_button, show_resume_link

#: The closing questions: key stored with the answer, question shown, answers offered.
SURVEY = {
    "card_still_mine": ("Is your value card still yours, now that similar cards may be "
                        "merged with it?", ["Yes", "Partly", "No"]),
    "fair_process": ("Was this process fair to you?", ["Yes", "Somewhat", "No"]),
    "fair_outcome": ("Could you say what mattered to you, and was it taken into account?",
                     ["Yes", "Somewhat", "No"]),
}


def render(ctx: Step) -> None:
    """The results for this participant and the closing survey."""
    st.header("Thank you!")
    st.markdown("Your answers are saved.")
    _standing(ctx)
    _slate(ctx)
    result = ctx.store.svo_result(ctx.token)
    if result is not None:
        st.markdown(md_escape(f"Your sharing choices put you in the {result['category']} "
                              f"group (angle {result['angle']:.1f}°)."))
    _survey(ctx)
    settings = ctx.deliberation.settings
    if settings.get("completion_code"):
        st.markdown("Your completion code:")
        st.code(str(settings["completion_code"]), language=None)
    if settings.get("redirect_url"):
        st.link_button("Finish and return to the study", str(settings["redirect_url"]),
                       type="primary", width="stretch")
    show_resume_link(ctx.token)
    _withdraw(ctx)


def _standing(ctx: Step) -> None:
    for card in ctx.store.card_standing(ctx.token):
        with st.container(border=True):
            st.caption("Your value card")
            plain(card["title"], size="large")
            if card["rank"] is None:
                st.markdown("Nobody has compared it with other cards yet: check back later "
                            "with your link.")
            else:
                where = f" in the situation “{card['context']}”" if card["context"] else ""
                st.markdown(md_escape(f"It ranks {card['rank']} of {card['of']} values"
                                      f"{where}, by how wise participants judged it so far."))


def _slate(ctx: Step) -> None:
    standing = ctx.store.slate_standing(ctx.token)
    if standing is None:
        return
    with st.container(border=True):
        st.caption("The statements that bridge the groups best so far")
        for text in standing["statements"]:
            plain(f"• {text}")
        st.markdown(md_escape(
            f"You agreed with {standing['agreed']} of these {standing['k']} statements "
            f"(you voted on {standing['seen']} of them)."
        ))


def _survey(ctx: Step) -> None:
    given = ctx.store.my_answers(ctx.token)["survey_answers"]
    previous = dict(zip(given["question"], given["answer"], strict=True))
    st.subheader("Three last questions")
    with st.form("survey"):
        answers = {}
        for key, (question, options) in SURVEY.items():
            answers[key] = st.radio(question, options, key=f"survey-{key}",
                                    index=options.index(previous[key])
                                    if previous.get(key) in options else None)
        sent = st.form_submit_button("Send", type="primary", width="stretch")
    if sent:
        for key, answer in answers.items():
            if answer is not None:
                ok, _ = attempt(ctx.store.answer_survey, ctx.token, key, answer)
                if not ok:
                    return
        st.success("Thank you for your answers.")


def _withdraw(ctx: Step) -> None:
    with st.expander("Withdraw from the study"):
        st.markdown("Withdrawing deletes everything you wrote here, at once. This cannot be "
                    "undone.")
        sure = st.checkbox("Yes, delete all my answers", key="withdraw-sure")
        if big_button("Withdraw and delete my data", key="withdraw", disabled=not sure):
            ok, _ = attempt(ctx.store.withdraw, ctx.token)
            if ok:
                st.query_params.clear()
                st.session_state["withdrawn"] = True
                st.rerun()
