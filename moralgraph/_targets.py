"""Alignment targets from a moral graph: principles for a constitution, questions to ask next.

:func:`principles` turns the wisest values of the contexts a prompt selects into
constitution-style sentences; :func:`suggest_pairs` picks the "is B wiser than A?" questions
whose answers the graph is least sure of.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from _common.validation import check_int, check_rng, parameter_error

from ._errors import MoralGraphError
from ._graph import MoralGraph

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["principles", "suggest_pairs"]


def principles(
    graph: MoralGraph,
    prompt_or_contexts: str | Sequence[str],
    k: int = 3,
    *,
    embedder: Any = None,
    method: str = "flow",
    propagation: float = 0.85,
) -> list[str]:
    """Constitution-style principles from the wisest values of the selected contexts.

    For each selected context with at least one vote, the policies of its ``k`` wisest
    values, in score order and without repeats, become one sentence ``"<context text>,
    attend to: <p1>; <p2>."``. The wisest values are those of
    :meth:`MoralGraph.wisest` (with ``method`` and ``propagation``) on
    :func:`moralgraph._views.subgraph` of the context, so only values judged in the context
    (or articulated in it) can be chosen, never a card that nobody compared there. Contexts
    without votes give no principle.

    Parameters
    ----------
    graph : MoralGraph
    prompt_or_contexts : str or sequence of str
        A prompt (its contexts are :func:`moralgraph._views.contexts_for` with the default
        ``top=3``; needs ``embedder``) or a list of context ids, used as given.
    k : int, default 3
        Wisest values per context, at least 1.
    embedder : object, optional
        Has ``encode(texts) -> (n, d)``; required for a prompt.
    method : {"flow", "mai"}, default "flow"
    propagation : float in [0, 1), default 0.85

    Returns
    -------
    list of str
        One principle per selected context with votes, in the order the contexts were
        selected (most similar to the prompt first).

    Raises
    ------
    MoralGraphError
        A prompt without an embedder, an unknown context, a bad ``k``, ``method`` or
        ``propagation``.

    Examples
    --------
    >>> from moralgraph import Context, MoralGraph, ValueCard, WiserVote
    >>> cards = [ValueCard("comfort", "Comfort", "", ["how the person feels"]),
    ...          ValueCard("agency", "Agency", "", ["what they can do next"])]
    >>> votes = [WiserVote(p, "comfort", "agency", "distress", "wiser") for p in "xyz"]
    >>> g = MoralGraph(cards, votes, [Context("distress", "When the user is in distress")])
    >>> principles(g, ["distress"], k=2)
    ['When the user is in distress, attend to: what they can do next; how the person feels.']
    """
    from ._contexts import context_ids
    from ._views import contexts_for, subgraph

    func = "principles"
    k = check_int(k, "k", func, 1, error=MoralGraphError)
    if isinstance(prompt_or_contexts, str):
        if embedder is None:
            raise MoralGraphError(
                "principles was given a prompt (a string) but no embedder to match it to "
                "contexts; pass embedder= or a list of context ids."
            )
        ids = contexts_for(graph, prompt_or_contexts, embedder)
    else:
        ids = context_ids(graph, prompt_or_contexts, func, name="contexts", allow_none=False)
    texts = {c.id: c.text or c.id for c in graph.contexts}
    cards = {c.id: c for c in graph.values}
    voted = {v.context for v in graph.votes}
    out = []
    for context in ids:
        if context not in voted:
            continue
        part = subgraph(graph, context)
        best = part.wisest(context, k, method=method, propagation=propagation)
        policies = dict.fromkeys(p for value in best for p in cards[value].policies)
        out.append(f"{texts[context]}, attend to: {'; '.join(policies)}.")
    return out


def _judgments(graph: MoralGraph, context: str, values: list[str]) -> np.ndarray:
    """How many votes (any verdict) in ``context`` name each value, aligned with ``values``."""
    position = {v: i for i, v in enumerate(values)}
    counts = np.zeros(len(values))
    for vote in graph.votes:
        if vote.context == context:
            counts[position[vote.from_value]] += 1
            counts[position[vote.to_value]] += 1
    return counts


def suggest_pairs(
    graph: MoralGraph, context: str, n: int, rng: np.random.Generator | int | None = None
) -> pd.DataFrame:
    """The ``n`` questions "is moving from A to B a gain in wisdom?" to ask next in a context.

    Every ordered pair (A, B) of distinct value cards of the graph is a candidate, judged or
    not. With ``n_wiser`` and ``n_against`` the evidence of
    :func:`moralgraph._flow.edge_weights` for (A → B) in ``context`` (the same evidence the
    flow's edge weights use), p ~ Beta(1 + n_wiser, 1 + n_against) and ``j_V`` the number of
    votes in ``context`` naming value V (any verdict), the pair's weight is::

        uncertainty = 12 · Var[p] = 12 (1 + n_wiser)(1 + n_against) / ((2 + n)² (3 + n))
        novelty     = ½ (1 / (1 + j_A) + 1 / (1 + j_B))
        weight      = uncertainty · novelty

    with n = n_wiser + n_against. ``uncertainty`` is 1 for a never-judged pair (the uniform
    prior's variance is 1/12) and shrinks as votes accumulate, the least for votes split
    evenly (posterior near ½); ``novelty`` is 1 for two never-judged values and favours
    values with few judgments. ``n`` pairs are drawn without replacement with probabilities
    proportional to ``weight``; a pair is never a self-pair.

    Parameters
    ----------
    graph : MoralGraph
        With at least two value cards.
    context : str
        A context id of the graph.
    n : int
        How many pairs, between 1 and the number of ordered pairs m(m − 1).
    rng : numpy.random.Generator, int or None
        Randomness (a seed makes the draw reproducible).

    Returns
    -------
    pandas.DataFrame
        ``n`` rows in draw order, columns ``from_value, to_value, n_wiser, n_against,
        uncertainty, novelty, weight``.

    Raises
    ------
    MoralGraphError
        An unknown context, fewer than two values, a bad ``n`` or ``rng``.

    Examples
    --------
    >>> from moralgraph import MoralGraph, ValueCard, WiserVote
    >>> cards = [ValueCard(i, i.title(), "", ["x"]) for i in ("a", "b", "c")]
    >>> g = MoralGraph(cards, [WiserVote("p1", "a", "b", "c1", "wiser")])
    >>> pairs = suggest_pairs(g, "c1", 6, rng=0)
    >>> len(pairs), bool((pairs["from_value"] != pairs["to_value"]).all())
    (6, True)
    >>> row = pairs.set_index(["from_value", "to_value"]).loc[("a", "b")]
    >>> round(float(row["uncertainty"]), 4), float(row["novelty"])   # 12·Var of Beta(2, 1)
    (0.6667, 0.5)
    """
    import pandas as pd

    from ._contexts import context_ids
    from ._flow import edge_weights

    func = "suggest_pairs"
    if not isinstance(context, str):
        raise parameter_error("context", func, "a context id (a string)", context, MoralGraphError)
    context_ids(graph, context, func, allow_none=False)
    values = [v.id for v in graph.values]
    m = len(values)
    if m < 2:
        raise MoralGraphError(
            f"suggest_pairs needs a graph with at least two value cards; it has {m}."
        )
    n = check_int(n, "n", func, 1, m * (m - 1), error=MoralGraphError)
    generator = check_rng(rng, func, error=MoralGraphError)
    n_for = np.zeros((m, m))
    n_against = np.zeros((m, m))
    if graph.votes:
        evidence = edge_weights(graph.votes_frame(), values, contexts=context)
        index = pd.Index(values)
        i = index.get_indexer(evidence["from_value"])
        j = index.get_indexer(evidence["to_value"])
        n_for[i, j] = evidence["n_wiser"].to_numpy()
        n_against[i, j] = evidence["n_against"].to_numpy()
    total = n_for + n_against
    uncertainty = 12 * (1 + n_for) * (1 + n_against) / ((2 + total) ** 2 * (3 + total))
    fresh = 1.0 / (1.0 + _judgments(graph, context, values))
    novelty = 0.5 * (fresh[:, None] + fresh[None, :])
    rows, cols = np.nonzero(~np.eye(m, dtype=bool))
    weight = (uncertainty * novelty)[rows, cols]
    pick = generator.choice(len(rows), size=n, replace=False, p=weight / weight.sum())
    r, c = rows[pick], cols[pick]
    ids = np.asarray(values, dtype=object)
    return pd.DataFrame(
        {
            "from_value": ids[r],
            "to_value": ids[c],
            "n_wiser": n_for[r, c].astype(np.int64),
            "n_against": n_against[r, c].astype(np.int64),
            "uncertainty": uncertainty[r, c],
            "novelty": novelty[r, c],
            "weight": weight[pick],
        }
    )
