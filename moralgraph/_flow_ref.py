"""Slow, obviously-correct reference of :mod:`moralgraph._flow` (plain Python and networkx).

Written straight from the definitions in :func:`moralgraph._flow.edge_weights` and
:func:`moralgraph._flow.flow_scores`: vote by vote into dictionaries, the Beta posterior
tail from :mod:`scipy.stats`, and :func:`networkx.pagerank` context by context. Tests check
the fast version against it.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import pandas as pd
from scipy.stats import beta as beta_dist

__all__ = ["edge_weights_ref", "flow_scores_ref"]


def edge_weights_ref(
    votes: pd.DataFrame, values: Sequence[str], prior: tuple[float, float] = (1.0, 1.0)
) -> dict[tuple[str, str, str], tuple[int, int, float]]:
    """``{(context, from, to): (n_wiser, n_against, weight)}`` for every evidenced pair.

    >>> votes = pd.DataFrame({"participant": ["ann"], "from_value": ["a"],
    ...     "to_value": ["b"], "context": ["c"], "verdict": ["wiser"]})
    >>> edge_weights_ref(votes, ["a", "b"])[("c", "a", "b")]
    (1, 0, 0.5)
    """
    counts: dict[tuple[str, str, str], list[int]] = {}
    for row in votes.itertuples(index=False):
        if row.verdict == "wiser":
            counts.setdefault((row.context, row.from_value, row.to_value), [0, 0])[0] += 1
            counts.setdefault((row.context, row.to_value, row.from_value), [0, 0])[1] += 1
        elif row.verdict == "not_wiser":
            counts.setdefault((row.context, row.from_value, row.to_value), [0, 0])[1] += 1
    out = {}
    for key, (n_for, n_against) in counts.items():
        p_above = float(beta_dist.sf(0.5, prior[0] + n_for, prior[1] + n_against))
        out[key] = (n_for, n_against, max(0.0, 2.0 * p_above - 1.0))
    return out


def flow_scores_ref(
    votes: pd.DataFrame,
    values: Sequence[str],
    contexts: Sequence[str],
    propagation: float = 0.85,
    base: dict[str, float] | None = None,
    prior: tuple[float, float] = (1.0, 1.0),
    tol: float = 1e-13,
) -> dict[str, float]:
    """Value id → score: networkx PageRank per context, averaged by vote counts.

    >>> votes = pd.DataFrame({"participant": ["ann"], "from_value": ["a"],
    ...     "to_value": ["b"], "context": ["c"], "verdict": ["wiser"]})
    >>> {k: round(v, 4) for k, v in flow_scores_ref(votes, ["a", "b"], ["c"]).items()}
    {'a': 0.3509, 'b': 0.6491}
    """
    if base is None:
        base = {v: 1.0 for v in values}
    total_base = sum(base.values())
    base = {v: base.get(v, 0.0) / total_base for v in values}
    weights = edge_weights_ref(votes, values, prior)
    mixed = {v: 0.0 for v in values}
    total_votes = 0
    for context in contexts:
        n_votes = int((votes["context"] == context).sum())
        if n_votes == 0:
            continue
        graph = nx.DiGraph()
        graph.add_nodes_from(values)
        for (c, a, b), (_, _, w) in weights.items():
            if c == context and w > 0:
                graph.add_edge(a, b, weight=w)
        rank = nx.pagerank(
            graph,
            alpha=propagation,
            personalization=base,
            weight="weight",
            dangling=base,
            tol=tol,
            max_iter=100_000,
        )
        for v in values:
            mixed[v] += n_votes * rank[v]
        total_votes += n_votes
    if total_votes == 0:
        return base
    return {v: s / total_votes for v, s in mixed.items()}
