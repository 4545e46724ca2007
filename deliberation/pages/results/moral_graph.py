"""The **Moral graph** results page: the graph per context, the wisest values, exports.

The picture is :meth:`moralgraph.MoralGraph.plot`; the wisest values, their support and
legitimacy are :meth:`~moralgraph.MoralGraph.legitimacy` and
:meth:`~moralgraph.MoralGraph.support_level`; the downloads are the graph's own exports.
Card texts are shown in tables or escaped, never as HTML or Markdown.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import streamlit as st

from deliberation import top_values_graph
from moralgraph import MoralGraphError

from .._ui import download, figure_png, md_escape, show_figure, show_table
from ._shared import Chosen, choose_deliberation

__all__ = ["graph_png", "graphml_bytes", "render"]

_ALL = "All contexts"


@st.cache_data(show_spinner=False, max_entries=32)
def graph_png(key: str, _graph: Any, context: str | None, propagation: float,
              min_weight: float, k: int) -> bytes:
    """The picture of the ``k`` wisest values as PNG, cached per data ``key`` and options."""
    top = top_values_graph(_graph, context, k, propagation=propagation)
    picture = top.plot(context, propagation=propagation, min_weight=min_weight, per_row=3,
                       wrap=14)
    return figure_png(picture)


@st.cache_data(show_spinner=False, max_entries=8)
def graphml_bytes(key: str, _graph: Any, context: str | None) -> bytes:
    """:meth:`MoralGraph.to_graphml` as bytes (it writes a file)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "graph.graphml")
        _graph.to_graphml(path, context)
        with open(path, "rb") as handle:
            return handle.read()


@st.cache_data(show_spinner=False, max_entries=8)
def _exports(key: str, _graph: Any) -> tuple[bytes, bytes]:
    """The graph's JSON and MAI-format JSON, cached per data ``key``."""
    return _graph.to_json().encode(), _graph.to_mai_json().encode()


@st.cache_data(show_spinner=False, max_entries=32)
def _wisest(key: str, _graph: Any, context: str | None, method: str, propagation: float,
            k: int) -> tuple[Any, str]:
    table = _graph.legitimacy(context, method, k, propagation=propagation)
    return table, _graph.support_level(context, method=method, propagation=propagation)


def _options(chosen: Chosen) -> tuple[str | None, str, float]:
    keys = [c.key for c in chosen.info.contexts]
    texts = {c.key: c.text for c in chosen.info.contexts}
    context = st.selectbox(
        "Context", [_ALL, *keys], key="mg_context",
        format_func=lambda k: k if k == _ALL else f"{k}: {texts[k]}",
    )
    method = st.radio(
        "Scoring", ["flow", "mai"], horizontal=True, key="mg_method",
        format_func={"flow": "Flow (propagation)", "mai": "MAI (published)"}.get,
    )
    propagation = st.slider(
        "Propagation", 0.0, 0.95, 0.85, 0.05, key="mg_propagation",
        disabled=method == "mai",
        help="Share of a value's score passed on to the values judged wiser than it "
        "(flow only; the MAI scoring uses its published damping 0.85).",
    )
    return (None if context == _ALL else context), method, (0.85 if method == "mai" else
                                                            propagation)


def _downloads(chosen: Chosen, graph: Any, context: str | None) -> None:
    name = f"moral-graph-{chosen.info.id}"
    ours, mai = _exports(chosen.key, graph)
    download("Download the graph (JSON)", ours, f"{name}.json")
    download("Download in the MAI format (JSON)", mai, f"{name}-mai.json")
    st.download_button(
        "Download as GraphML", graphml_bytes(chosen.key, graph, context),
        file_name=f"{name}.graphml", mime="application/graphml+xml", width="stretch",
    )


def render() -> None:
    """Draw the Moral graph page."""
    st.title("Moral graph")
    chosen = choose_deliberation("mg_deliberation")
    if chosen is None:
        return
    graph = chosen.get("moral_graph")
    st.caption(f"{len(graph.values)} value cards · {len(graph.votes)} wiser-than votes")
    if not graph.votes:
        st.info("No wiser-than votes yet: the graph appears once participants compare values.")
        return
    context, method, propagation = _options(chosen)
    try:
        table, support = _wisest(chosen.key, graph, context, method, propagation, 5)
    except MoralGraphError as exc:
        st.warning(md_escape(exc))
        return
    st.subheader("Wisest values")
    st.write(f"Support for the wisest value: **{md_escape(support)}**")
    columns = ["title", "score", "share_agreeing", "cards_beaten", "judged_wiser_than_own",
               "participants_judging", "participants_agreeing"]
    show_table(
        table[columns],
        {"score": st.column_config.NumberColumn(format="%.3f"),
         "share_agreeing": st.column_config.NumberColumn("share agreeing", format="percent")},
        pin=True,
    )
    st.caption(
        "Legitimacy: cards beaten, participants whose own card the value was judged wiser "
        "than, and the share of those judging its edges who agree."
    )
    st.subheader("The graph")
    k = st.slider("Values drawn", 3, 30, 12, key="mg_drawn")
    try:
        show_figure(graph_png(chosen.key, graph, context, propagation, 0.5, k))
        st.caption(f"The {k} highest-scoring values (flow) and the votes among them: wiser "
                   "values higher; arrows to a value judged wiser, width by weight (above 0.5).")
    except MoralGraphError as exc:
        st.info(md_escape(f"No picture: {exc}"))
    _downloads(chosen, graph, context)
