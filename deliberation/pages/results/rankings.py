"""The **Rankings** results page: collective rankings of each prompt's model answers.

The participants' rankings of a prompt's answers form a :class:`socialchoice.Profile`
(:meth:`deliberation.PromptRankings.profile`); the page shows the collective ranking under
a chosen rule, the places under several rules side by side
(:func:`deliberation.compare_rules`), the margin matrix as a heat map, and offers every
ranking as TRL preference pairs (prompt, chosen, rejected) and the collective rankings'
pairs (:func:`rlchf.aggregate_pairs` on :meth:`deliberation.Store.preference_data`).
"""

from __future__ import annotations

from typing import Any

import altair as alt
import streamlit as st

import socialchoice as sc
from deliberation import COMPARED_RULES, compare_rules, margin_frame, rule_ranking, trl_pairs

from .._ui import download, md_escape, show_table
from ._shared import choose_deliberation

__all__ = ["render"]


@st.cache_data(show_spinner=False, max_entries=32)
def _tables(key: str, prompt_id: int, _prompt: Any, rule: str) -> tuple[list, Any, Any]:
    """The rule's ranking, the places under every rule and the margins, per data ``key``."""
    profile = _prompt.profile()
    return rule_ranking(profile, rule), compare_rules(profile), margin_frame(profile)


@st.cache_data(show_spinner=False, max_entries=8)
def _pairs_csv(key: str, _prompts: Any) -> tuple[int, bytes]:
    pairs = trl_pairs(_prompts)
    return len(pairs), pairs.to_csv(index=False).encode()


@st.cache_data(show_spinner=False, max_entries=16)
def _collective_csv(key: str, _data: Any, rule: str) -> tuple[int, bytes]:
    """RLCHF's aggregate-then-train pairs: each prompt's collective ranking under ``rule``."""
    import rlchf

    pairs = rlchf.aggregate_pairs(_data, rule)
    return len(pairs), pairs.to_csv(index=False).encode()


def _label(position: int) -> str:
    return f"A{position + 1}"


def _heat_map(frame: object) -> None:
    long = frame.rename_axis("row").reset_index().melt("row", var_name="column",
                                                        value_name="margin")
    chart = alt.Chart(long).mark_rect().encode(
        x=alt.X("column:N", title="against"), y=alt.Y("row:N", title="answer"),
        color=alt.Color("margin:Q", scale=alt.Scale(scheme="redblue", domainMid=0)),
        tooltip=["row", "column", "margin"],
    )
    text = alt.Chart(long).mark_text().encode(x="column:N", y="row:N", text="margin:Q")
    st.altair_chart(chart + text, width="stretch")
    st.caption("Margin: how many more participants ranked the row's answer above the "
               "column's than below it.")


def _prompt(key: str, prompt: Any, rule: str) -> None:
    labels = {a: _label(i) for i, a in enumerate(prompt.answers)}
    for answer_id, text in prompt.answers.items():
        st.markdown(f"**{labels[answer_id]}.** {md_escape(text)}")
    if not prompt.rankings:
        st.info("Nobody has ranked these answers yet.")
        return
    try:
        tiers, table, margins = _tables(key, prompt.prompt_id, prompt, rule)
    except sc.SocialChoiceError as exc:
        st.error(md_escape(exc))
        return
    table = table.copy()
    order = " > ".join(" = ".join(labels[a] for a in tier) for tier in tiers)
    st.write(f"Collective ranking under **{rule}** ({len(prompt.rankings)} rankings): {order}")
    table["candidate"] = table["candidate"].map(labels)
    st.markdown("**Place under each rule** (1 = best)")
    show_table(table.rename(columns={"candidate": "answer"}), pin=True)
    _heat_map(margins.rename(index=labels, columns=labels))


def render() -> None:
    """Draw the Rankings results page."""
    st.title("Rankings")
    chosen = choose_deliberation("rk_deliberation")
    if chosen is None:
        return
    prompts = chosen.get("prompt_rankings")
    if not prompts:
        st.info("This deliberation has no prompts to rank.")
        return
    rule = st.selectbox("Rule", list(COMPARED_RULES), index=2, key="rk_rule")
    by_id = {p.prompt_id: p for p in prompts}
    which = st.selectbox("Prompt", list(by_id), key="rk_prompt",
                         format_func=lambda i: by_id[i].prompt[:80])
    _prompt(chosen.key, by_id[which], rule)
    if not any(p.rankings for p in prompts):
        return
    count, data = _pairs_csv(chosen.key, prompts)
    download(f"Download {count} TRL preference pairs (CSV)", data,
             f"preference-pairs-{chosen.info.id}.csv")
    try:
        count, data = _collective_csv(chosen.key, chosen.get("preference_data"), rule)
    except (sc.SocialChoiceError, ValueError) as exc:
        st.caption(md_escape(f"No collective pairs under {rule}: {exc}"))
        return
    download(f"Download {count} collective pairs under {rule} (CSV)", data,
             f"collective-pairs-{rule}-{chosen.info.id}.csv")
    st.caption("TRL pairs: every pair each participant ordered. Collective pairs: the pairs "
               "each prompt's collective ranking orders (rlchf.aggregate_pairs), with the "
               "share of participants agreeing as the margin.")
