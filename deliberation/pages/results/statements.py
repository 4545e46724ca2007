"""The **Statements** results page: opinion groups, consensus and slates of a deliberation.

The vote matrix of the deliberation's approved statements is analysed by
:mod:`socialchoice.bridging` and shown with the analyst Statements page's own sections
(:func:`deliberation.pages.statements.show_report`); the generative slate is built from the
participants' chat turns with the approved statements as candidates and shown with the
Slate page's sections (:func:`deliberation.pages.slate.show_run`): slate, BJR audit and
representation against the baselines.
"""

from __future__ import annotations

import streamlit as st

import lm
import socialchoice as sc
from socialchoice import committee
from socialchoice.generative import Pool, slate_work

from .. import slate as slate_page
from .. import statements as statements_page
from .._ui import md_escape
from ._shared import Chosen, choose_deliberation

__all__ = ["render"]


def _summary(chosen: Chosen) -> None:
    matrix = chosen.get("vote_matrix")
    cols = st.columns(3)
    cols[0].metric("Voters", matrix.shape[0])
    cols[1].metric("Statements", matrix.shape[1])
    cols[2].metric("Votes", int(matrix.notna().to_numpy().sum()))


def _bridging(chosen: Chosen) -> None:
    conv = chosen.get("conversation")
    if conv.n_participants < 4 or conv.n_statements < 2:
        st.info("Too few votes for opinion groups yet (at least 4 voters and 2 statements).")
        return
    with st.expander("Options"):
        rule = st.selectbox("Slate rule", ["consensus", *committee.rule_names()],
                            key="rs_rule")
        n_slate = max(1, min(10, conv.n_statements))
        k = st.slider("Slate size", 1, n_slate, min(5, n_slate), key="rs_k")
        top = st.slider("Statements per list", 1, 10, 5, key="rs_top")
    try:
        report = statements_page.analyse(chosen.key, conv, "ours", k, rule, top)
    except sc.SocialChoiceError as exc:
        st.error(md_escape(exc))
        return
    statements_page.show_report(report)


def _generative(chosen: Chosen) -> None:
    st.subheader("Generative slate")
    opinions = chosen.get("opinions")
    texts = chosen.get("conversation").statements
    if len(opinions) < 2 or len(texts) < 1:
        st.info("The generative slate needs participants' chat turns and approved statements.")
        return
    pool = Pool(tuple(str(s.id) for s in texts), tuple(s.text for s in texts),
                name="approved statements")
    k = st.slider("Generative slate size k", 1, min(10, len(opinions)), min(5, len(opinions)),
                  key="rs_gen_k")
    work = slate_work(opinions, k, pool=pool, rater="embedding", generator="pool")
    key = (chosen.key, k)
    st.caption(f"{len(opinions)} participants' chat turns rated against {len(pool)} approved "
               "statements with sentence embeddings.")
    if st.button("Build the generative slate", type="primary", width="stretch",
                 key="rs_gen_build"):
        try:
            slate_page.build_run(key, work, opinions, pool, k=k, rater="embedding",
                                 generator="pool", question=chosen.info.question, rng=0)
        except (sc.SocialChoiceError, lm.LMError) as exc:
            st.error(md_escape(exc))
            return
    run = slate_page.built_run(key)
    if run is not None:
        slate_page.show_run(run)


def render() -> None:
    """Draw the Statements results page."""
    st.title("Statement results")
    chosen = choose_deliberation("rs_deliberation")
    if chosen is None:
        return
    _summary(chosen)
    _bridging(chosen)
    _generative(chosen)
