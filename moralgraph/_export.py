"""A moral graph as a :mod:`networkx` graph and as GraphML.

Nodes are the value cards; edges run from the less wise value to the wiser one, weighted by
the Bayesian edge weight of :func:`moralgraph._flow.edge_weights` with the evidence pooled
over the chosen contexts. networkx is imported only when these functions run.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ._errors import MoralGraphError
from ._graph import MoralGraph

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx
    import pandas as pd

__all__ = ["pooled_edges", "to_graphml", "to_networkx"]


def pooled_edges(
    graph: MoralGraph, context: Any = None, *, func: str = "pooled_edges"
) -> pd.DataFrame:
    """Evidence per ordered pair summed over the chosen contexts, and its Bayesian weight.

    Returns a DataFrame ``from_value, to_value, n_wiser, n_against, weight``: ``n_wiser`` and
    ``n_against`` are the sums over the contexts of :func:`moralgraph._flow.edge_weights`'s
    counts and ``weight`` is the same Beta(1, 1) weight computed from the sums.
    """
    import numpy as np
    import pandas as pd

    from ._contexts import context_ids
    from ._flow import _weight, edge_weights

    contexts = context_ids(graph, context, func)
    columns = ["from_value", "to_value", "n_wiser", "n_against"]
    values = [v.id for v in graph.values]
    if not graph.votes or not values:
        return pd.DataFrame({c: [] for c in [*columns, "weight"]})
    per_context = edge_weights(graph.votes_frame(), values, contexts=contexts)
    pooled = per_context.groupby(["from_value", "to_value"], sort=False, as_index=False)[
        ["n_wiser", "n_against"]
    ].sum()
    n_for = pooled["n_wiser"].to_numpy(dtype=np.float64)
    n_against = pooled["n_against"].to_numpy(dtype=np.float64)
    pooled["weight"] = _weight(n_for, n_against, 1.0, 1.0)
    return pooled


def to_networkx(
    graph: MoralGraph, context: Any = None, *, func: str = "to_networkx"
) -> nx.DiGraph:
    """The moral graph as a :class:`networkx.DiGraph`.

    Parameters
    ----------
    graph : MoralGraph
    context : str, sequence of str or None, default None
        Use the votes in this context or these contexts (None: all contexts).
    func : str, default "to_networkx"
        The function named in error messages (for callers such as :func:`to_graphml`).

    Returns
    -------
    networkx.DiGraph
        One node per value card (every card, judged or not), keyed by id, with attributes
        ``title``, ``description`` and ``policies`` (a tuple of strings). One edge
        ``A → B`` (less wise → wiser) per ordered pair with at least one "wiser" vote for B
        over A in the chosen contexts, with attributes ``n_wiser`` (the "wiser" votes on
        (A → B)), ``n_against`` (the "not_wiser" votes on (A → B) plus the "wiser" votes on
        (B → A)) and ``weight`` = max(0, 2·P(p > ½) − 1) under the Beta(1 + n_wiser,
        1 + n_against) posterior (:func:`moralgraph._flow.edge_weights`, the counts summed
        over the contexts first). The graph attribute ``context`` records ``context``.

    Raises
    ------
    MoralGraphError
        ``context`` names an unknown context.

    Examples
    --------
    >>> from moralgraph import MoralGraph, ValueCard, WiserVote
    >>> cards = [ValueCard(i, i.title(), "", ["x"]) for i in ("a", "b")]
    >>> g = MoralGraph(cards, [WiserVote(p, "a", "b", "c1", "wiser") for p in ("p1", "p2")])
    >>> d = to_networkx(g)
    >>> d.edges["a", "b"]
    {'weight': 0.75, 'n_wiser': 2, 'n_against': 0}
    >>> d.nodes["b"]["title"], list(d.edges)
    ('B', [('a', 'b')])
    """
    import networkx as nx

    edges = pooled_edges(graph, context, func=func)
    out = nx.DiGraph(context=context)
    for card in graph.values:
        out.add_node(
            card.id, title=card.title, description=card.description, policies=card.policies
        )
    for row in edges[edges["n_wiser"] > 0].itertuples(index=False):
        out.add_edge(
            row.from_value, row.to_value, weight=float(row.weight),
            n_wiser=int(row.n_wiser), n_against=int(row.n_against),
        )
    return out


def to_graphml(graph: MoralGraph, path: str | os.PathLike[str], context: Any = None) -> None:
    """Write :func:`to_networkx`'s graph to a GraphML file.

    GraphML has no list type, so a node's ``policies`` are joined with ``"\\n"`` (one policy
    per line); the graph attribute ``context`` is the context id, the ids joined with
    ``"\\n"``, or absent for all contexts.

    Parameters
    ----------
    graph : MoralGraph
    path : str or path-like
        The file to write (overwritten).
    context : str, sequence of str or None, default None

    Raises
    ------
    MoralGraphError
        ``context`` names an unknown context, or the file cannot be written.

    Examples
    --------
    >>> import networkx as nx, tempfile, os
    >>> from moralgraph import MoralGraph, ValueCard, WiserVote
    >>> cards = [ValueCard(i, i.title(), "", ["x", "y"]) for i in ("a", "b")]
    >>> g = MoralGraph(cards, [WiserVote("p1", "a", "b", "c1", "wiser")])
    >>> path = os.path.join(tempfile.mkdtemp(), "g.graphml")
    >>> to_graphml(g, path)
    >>> back = nx.read_graphml(path)
    >>> back.nodes["a"]["policies"], back.edges["a", "b"]["n_wiser"]
    ('x\\ny', 1)
    """
    import networkx as nx

    out = to_networkx(graph, context, func="to_graphml")
    for _, data in out.nodes(data=True):
        data["policies"] = "\n".join(data["policies"])
    if context is None:
        del out.graph["context"]
    elif not isinstance(context, str):
        out.graph["context"] = "\n".join(context)
    try:
        nx.write_graphml(out, os.fspath(path))
    except OSError as exc:
        raise MoralGraphError(f"Could not write the GraphML file {str(path)!r}: {exc}.") from None
