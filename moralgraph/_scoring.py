"""The aggregation Γ on a :class:`~moralgraph.MoralGraph`: edge statistics, scores, winners.

Thin glue between the graph and the scoring functions: :mod:`moralgraph._mai` (the
Meaning Alignment Institute's published scoring, exactly) and :mod:`moralgraph._flow` (our
per-context flow with a propagation parameter). The formulas are in docs/reference.md §7.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from typing import TYPE_CHECKING

from _common.validation import check_choice, check_float, check_int, parameter_error

from ._contexts import context_ids
from ._errors import MoralGraphError
from ._mai import DAMPING, mai_edge_summary, mai_pagerank, support_label

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ._graph import MoralGraph

__all__ = ["METHODS", "edge_summary", "scores", "support_level", "wisest"]

#: The aggregation methods, the default first.
METHODS = ("flow", "mai")

logger = logging.getLogger(__name__)


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
    votes = _votes(graph, context_ids(graph, context, "edge_summary"))
    return mai_edge_summary(votes, min_wiser=min_wiser, keep_all=keep_all, error=MoralGraphError)


def _check_graph(graph: MoralGraph) -> None:
    if not graph.values:
        raise MoralGraphError("The moral graph has no value cards: there is nothing to score.")
    if not graph.votes:
        raise MoralGraphError("The moral graph has no votes: there is nothing to score.")


def _check_propagation(propagation: object, method: str) -> float:
    alpha = check_float(
        propagation, "propagation", "scores", 0.0, 1.0, high_open=True, error=MoralGraphError
    )
    if method == "mai" and alpha != DAMPING:
        raise parameter_error(
            "propagation", "scores", f"{DAMPING} with method='mai' (the published scoring "
            "fixes its damping; use method='flow' to vary it)", propagation, MoralGraphError,
        )
    return alpha


def scores(
    graph: MoralGraph, context: object = None, propagation: float = 0.85, method: str = "flow"
) -> pd.Series:
    """Γ: a score per value, highest first. See :meth:`MoralGraph.scores`."""
    check_choice(method, "method", "scores", METHODS, error=MoralGraphError)
    contexts = context_ids(graph, context, "scores")
    alpha = _check_propagation(propagation, method)
    _check_graph(graph)
    if method == "mai":
        votes = _votes(graph, contexts)
        if contexts is not None:
            empty = [c for c in contexts if not (votes["context"] == c).any()]
            if empty:
                logger.warning(
                    "scores(method='mai'): no votes in context(s) %s; the published scoring "
                    "keeps no pair there, so no value is scored from them.", empty
                )
        return mai_pagerank(mai_edge_summary(votes, error=MoralGraphError), error=MoralGraphError)
    from ._flow import flow_scores

    values = [v.id for v in graph.values]
    return flow_scores(graph.votes_frame(), values, contexts=contexts, propagation=alpha)


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
    scored = scores(graph, context, propagation, method)
    if scored.empty:  # only method="mai" drops values: flow scores every value
        raise MoralGraphError(
            "support_level: method='mai' scores no value here: no pair of values passes the "
            "published cuts (at least 2 'wiser' votes, wiser_likelihood >= 0.33, entropy <= "
            "1.69) in the chosen contexts, so there is no winner to label."
        )
    return support_label(scored, error=MoralGraphError)
