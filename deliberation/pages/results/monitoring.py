"""The **Monitoring** page: who started and finished each step, time, drop-off, quotas.

The tables are :meth:`deliberation.Store.monitoring`'s (:class:`deliberation.Monitoring`).
"""

from __future__ import annotations

import altair as alt
import streamlit as st

from .._ui import show_table
from ._shared import choose_deliberation

__all__ = ["render"]


def render() -> None:
    """Draw the Monitoring page."""
    st.title("Monitoring")
    chosen = choose_deliberation("mon_deliberation")
    if chosen is None:
        return
    report = chosen.get("monitoring")
    cols = st.columns(2)
    cols[0].metric("Participants", report.participants)
    cols[1].metric("Finished", report.finished)
    st.subheader("Steps")
    funnel = report.funnel
    long = funnel.melt("step", ["started", "finished"], var_name="count", value_name="people")
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y("step:N", sort=list(funnel["step"]), title=None),
        x=alt.X("people:Q", title="participants"),
        yOffset="count:N", color=alt.Color("count:N", legend=alt.Legend(orient="bottom")),
        tooltip=["step", "count", "people"],
    )
    st.altair_chart(chart, width="stretch")
    table = funnel.assign(median_minutes=funnel["median_seconds"] / 60)[
        ["step", "started", "finished", "drop_off", "median_minutes", "stopped_here", "skipped"]
    ]
    show_table(table, {
        "drop_off": st.column_config.NumberColumn("drop-off", format="percent"),
        "median_minutes": st.column_config.NumberColumn("median min", format="%.1f"),
        "stopped_here": st.column_config.NumberColumn("stopped here"),
    }, pin=True)
    st.caption("Started: reached the step. Stopped here: it is their next step. Median time: "
               "from the previous step (or joining) to finishing this one.")
    st.subheader("Demographics and quotas")
    if report.demographics.empty:
        st.info("This deliberation has no demographics form.")
        return
    show_table(report.demographics, {
        "share": st.column_config.NumberColumn(format="percent"),
        "target": st.column_config.NumberColumn(format="%d"),
    }, pin=True)
    st.caption("Targets are the admin's quotas (set them on the Admin page).")
