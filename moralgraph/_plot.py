"""A picture of a moral graph: wiser values higher, edges from the less wise to the wiser.

matplotlib is imported when :func:`plot` runs, not when this module is imported.

**Layout.** The values are ranked by their flow score (:meth:`MoralGraph.scores`, ``method=
"flow"``) in the chosen contexts and laid out in rows of ``per_row``: the ``per_row`` wisest
values on the top row, the next ones below, and so on, so a value is never drawn below a
value with a lower score. Ranking by score rather than by the longest path of a DAG keeps
the picture defined when the votes contain cycles (A wiser than B wiser than C wiser than A,
common with noisy votes) and puts the values Γ would choose on top. Within a row, values are
ordered by the mean horizontal position of their neighbours in the rows above (one
barycentre sweep, which reduces edge crossings), ties by score; every other row is
shifted by half a slot, which keeps most edges that skip a row off the labels between (the
labels are drawn over the edges in any case).

**Edges.** One arrow per ordered pair with weight above ``min_weight``, from the less wise
to the wiser value (slightly curved, so opposite or parallel edges stay apart), its width
and opacity growing with the Bayesian edge weight of
:func:`moralgraph._export.pooled_edges` (the evidence summed over the chosen contexts).
An arrow points down where the votes on that pair disagree with the scores, which rank
with all the votes (with several contexts pooled, typically a pair judged in a context
where the ranking of the pooled contexts does not hold).
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np

from _common.validation import check_float, check_int

from ._errors import MoralGraphError
from ._graph import MoralGraph

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["layout", "plot"]

_FUNC = "plot"


def layout(scores: pd.Series, edges: pd.DataFrame, per_row: int) -> dict[str, tuple[float, int]]:
    """Node positions ``{value id: (x, row)}``: rows of ``per_row`` by score, row 0 wisest.

    ``x`` is in [0, per_row − 1] (plus ½ on odd rows); see the module docstring.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series({"a": 0.5, "b": 0.3, "c": 0.2})
    >>> e = pd.DataFrame({"from_value": ["c"], "to_value": ["b"], "weight": [0.5]})
    >>> layout(s, e, 2)
    {'a': (0.0, 0), 'b': (1.0, 0), 'c': (1.0, 1)}
    """
    order = [str(v) for v in scores.index]
    rank = {v: i for i, v in enumerate(order)}
    neighbours: dict[str, list[str]] = {v: [] for v in order}
    for a, b in zip(edges["from_value"], edges["to_value"], strict=True):
        if a in neighbours and b in neighbours:
            neighbours[a].append(b)
            neighbours[b].append(a)
    pos: dict[str, tuple[float, int]] = {}
    for row, start in enumerate(range(0, len(order), per_row)):
        members = order[start:start + per_row]
        shift = 0.5 if row % 2 else 0.0
        slots = np.arange(len(members)) + shift + (per_row - len(members)) / 2.0
        if row:
            middle = float(np.mean(slots))
            centre = {v: float(np.mean([pos[u][0] for u in neighbours[v] if u in pos] or
                                       [middle])) for v in members}
            members = sorted(members, key=lambda v: (centre[v], rank[v]))
        for v, x in zip(members, slots.tolist(), strict=True):
            pos[v] = (float(x), row)
    return pos


def _selected(graph: MoralGraph, context: Any) -> MoralGraph:
    """The graph of the chosen contexts; an error if it has no votes (nothing to rank)."""
    sub = graph if context is None else graph.subgraph(context)
    if not sub.votes:
        where = "the graph" if context is None else f"the context(s) {context!r}"
        raise MoralGraphError(
            f"The 'context' parameter of {_FUNC}: {where} has no votes, so no value is "
            "wiser than another and there is nothing to draw."
        )
    return sub


def plot(
    graph: MoralGraph,
    context: Any = None,
    *,
    propagation: float = 0.85,
    min_weight: float = 0.0,
    per_row: int = 4,
    wrap: int = 18,
    fontsize: float = 10.0,
    title: str | None = None,
) -> Figure:
    """Draw a moral graph: wiser values higher, edge width by weight.

    Parameters
    ----------
    graph : MoralGraph
    context : str, sequence of str or None, default None
        The context(s) whose votes are drawn; None: all contexts (scores pooled as in
        :meth:`MoralGraph.scores`). Only values judged (or articulated) in the chosen
        contexts are drawn (:meth:`MoralGraph.subgraph`).
    propagation : float in [0, 1), default 0.85
        The flow's propagation, for the scores that order the rows.
    min_weight : float in [0, 1], default 0.0
        Draw only edges whose weight is above this (0: every edge with positive weight).
    per_row : int, default 4
        Values per row (at least 1).
    wrap : int, default 18
        Characters per line of a title label (at least 5).
    fontsize : float, default 10.0
        Label size in points (at least 6).
    title : str, optional
        The axes title; default: which contexts are drawn.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; ``ax.texts`` holds one label per drawn value (the card's title, wrapped;
        its ``gid`` is the value id) and ``ax.patches`` one arrow per drawn edge (``gid``
        ``"from->to"``). A plain :class:`~matplotlib.figure.Figure`, not registered with
        pyplot (nothing to close, no global state): save it with ``fig.savefig(path)``,
        show it with ``st.pyplot(fig)`` in Streamlit or as the last value in a notebook.

    Raises
    ------
    MoralGraphError
        An unknown context; no votes in the chosen contexts (nothing to rank); a parameter
        out of range (the message names it).

    Examples
    --------
    >>> from moralgraph import load_demo
    >>> fig = plot(load_demo(), "distress")
    >>> len(fig.axes[0].texts)   # the 14 values judged in that context
    14
    """
    propagation = check_float(propagation, "propagation", _FUNC, 0.0, 1.0, high_open=True,
                              error=MoralGraphError)
    min_weight = check_float(min_weight, "min_weight", _FUNC, 0.0, 1.0, error=MoralGraphError)
    per_row = check_int(per_row, "per_row", _FUNC, 1, error=MoralGraphError)
    wrap = check_int(wrap, "wrap", _FUNC, 5, error=MoralGraphError)
    fontsize = check_float(fontsize, "fontsize", _FUNC, 6.0, error=MoralGraphError)
    from ._export import pooled_edges

    sub = _selected(graph, context)
    shown = {v.id for v in sub.values}
    scores = graph.scores(context, propagation)
    scores = scores[[str(v) in shown for v in scores.index]]
    edges = pooled_edges(graph, context, func=_FUNC)
    edges = edges[edges["weight"] > min_weight]
    pos = layout(scores, edges, per_row)
    if title is None:
        texts = {c.id: c.text for c in graph.contexts}
        ids = [c.id for c in sub.contexts]
        title = "All contexts, pooled" if context is None else "; ".join(texts[c] for c in ids)
    return _draw(sub, scores, edges, pos, (per_row, wrap, fontsize, title))


def _draw(
    graph: MoralGraph, scores: pd.Series, edges: pd.DataFrame,
    pos: dict[str, tuple[float, int]], style: tuple[int, int, float, str],
) -> Figure:
    """The figure: labelled boxes at ``pos`` and weighted arrows between them."""
    from matplotlib import colormaps
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch

    per_row, wrap, fontsize, title = style
    rows = max(row for _, row in pos.values()) + 1
    fig = Figure(figsize=(2.6 * per_row + 0.6, 1.55 * rows + 1.0), layout="constrained")
    ax = fig.subplots()
    titles = {card.id: card.title for card in graph.values}
    low, high = float(scores.min()), float(scores.max())
    cmap = colormaps["YlGn"]
    boxes = {}
    for value, (x, row) in pos.items():
        shade = 0.15 + 0.5 * ((scores[value] - low) / (high - low) if high > low else 1.0)
        text = textwrap.fill(titles[value], wrap, break_on_hyphens=False)
        label = ax.text(
            x, -row, text, ha="center", va="center", fontsize=fontsize, zorder=3, gid=value,
            parse_math=False,  # a participant's "$" is text, never matplotlib maths
            bbox={"boxstyle": "round,pad=0.4", "facecolor": cmap(shade), "edgecolor": "0.4"},
        )
        boxes[value] = label
    for a, b, weight in zip(edges["from_value"], edges["to_value"], edges["weight"],
                            strict=True):
        if a not in pos or b not in pos:
            continue
        (xa, ra), (xb, rb) = pos[a], pos[b]
        ax.add_patch(FancyArrowPatch(
            (xa, -ra), (xb, -rb), arrowstyle="-|>", color="tab:blue",
            alpha=0.3 + 0.4 * float(weight), linewidth=0.4 + 3.6 * float(weight),
            mutation_scale=10, shrinkA=0, shrinkB=0, zorder=1, gid=f"{a}->{b}",
            patchA=boxes[a].get_bbox_patch(), patchB=boxes[b].get_bbox_patch(),
            connectionstyle="arc3,rad=0.12",
        ))
    ax.set_xlim(-0.6, per_row - 0.4 + 0.5)
    ax.set_ylim(-(rows - 1) - 0.6, 0.6)
    ax.set_axis_off()
    ax.set_title(f"{title}\nwiser values higher; arrows from less wise to wiser, "
                 "width = edge weight", fontsize=fontsize, parse_math=False)
    return fig
