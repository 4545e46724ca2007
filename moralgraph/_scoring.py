"""The aggregation Γ on a :class:`~moralgraph.MoralGraph`: edge statistics, scores, winners.

Thin glue between the graph and the scoring functions: :mod:`moralgraph._mai` (the
Meaning Alignment Institute's published scoring, exactly) and :mod:`moralgraph._flow` (our
per-context flow with a propagation parameter). The formulas are in docs/reference.md §7.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING

from _common.validation import check_choice, check_int

from ._errors import MoralGraphError
from ._mai import mai_edge_summary, mai_pagerank, support_label

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ._graph import MoralGraph

__all__ = ["METHODS", "edge_summary", "scores", "support_level", "wisest"]

#: The aggregation methods, the default first.
METHODS = ("flow", "mai")


def _contexts(graph: MoralGraph, context: object, func: str) -> list[Hashable] | None:
    """``context`` (None, one id or a sequence of ids) as a list of known ids, or None."""
    if context is None:
        return None
    many = isinstance(context, Sequence) and not isinstance(context, str)
    ids = list(context) if many else [context]
    known = {c.id for c in graph.contexts}
    unknown = [c for c in ids if c not in known]
    if unknown or not ids:
        raise MoralGraphError(
            f"The 'context' parameter of {func} must name contexts of the graph; "
            f"{unknown[0]!r} is not one of {sorted(map(str, known))}." if unknown else
            f"The 'context' parameter of {func} must name at least one context."
        )
    return ids


def _votes(graph: MoralGraph, contexts: list[Hashable] | None) -> pd.DataFrame:
    votes = graph.votes_frame()
    if contexts is not None:
        votes = votes[votes["context"].isin(contexts)].reset_index(drop=True)
    return votes


def edge_summary(
    graph: MoralGraph,
    method: str = "mai",
    context: object = None,
    *,
    min_wiser: int = 2,
    keep_all: bool = False,
) -> pd.DataFrame:
    """Per ordered pair of values: the vote counts and the statistics ``method`` uses.

    See :meth:`MoralGraph.edge_summary`.
    """
    check_choice(method, "method", "edge_summary", ("mai",), error=MoralGraphError)
    votes = _votes(graph, _contexts(graph, context, "edge_summary"))
    return mai_edge_summary(votes, min_wiser=min_wiser, keep_all=keep_all, error=MoralGraphError)


def scores(
    graph: MoralGraph, context: object = None, propagation: float = 0.85, method: str = "flow"
) -> pd.Series:
    """Γ: a score per value, highest first. See :meth:`MoralGraph.scores`."""
    check_choice(method, "method", "scores", METHODS, error=MoralGraphError)
    if not graph.votes:
        raise MoralGraphError("The moral graph has no votes: there is nothing to score.")
    contexts = _contexts(graph, context, "scores")
    if method == "mai":
        votes = _votes(graph, contexts)
        return mai_pagerank(mai_edge_summary(votes, error=MoralGraphError), error=MoralGraphError)
    from ._flow import flow_scores

    values = [v.id for v in graph.values]
    return flow_scores(
        graph.votes_frame(), values, contexts=contexts, propagation=propagation
    )


def wisest(
    graph: MoralGraph, context: object = None, k: int = 1, *, method: str = "flow",
    propagation: float = 0.85,
) -> list[Hashable]:
    """The ``k`` highest-scoring value ids. See :meth:`MoralGraph.wisest`."""
    k = check_int(k, "k", "wisest", 1, error=MoralGraphError)
    return list(scores(graph, context, propagation, method).index[:k])


def support_level(
    graph: MoralGraph, context: object = None, *, method: str = "flow",
    propagation: float = 0.85,
) -> str:
    """How clearly the winner leads: MAI's label. See :meth:`MoralGraph.support_level`."""
    return support_label(scores(graph, context, propagation, method), error=MoralGraphError)
