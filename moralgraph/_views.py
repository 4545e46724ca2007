"""f(G_M, p): the part of a moral graph a prompt selects (its contexts and their votes).

:func:`contexts_for` ranks a graph's contexts by the embedding similarity of their texts to
a prompt; :func:`subgraph` keeps only some contexts, their votes and the values involved.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from _common.validation import check_float, check_int, parameter_error

from ._contexts import context_ids
from ._errors import MoralGraphError
from ._graph import MoralGraph

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["context_similarity", "contexts_for", "subgraph"]


def subgraph(graph: MoralGraph, contexts: str | Sequence[str]) -> MoralGraph:
    """The moral graph restricted to some contexts.

    Parameters
    ----------
    graph : MoralGraph
    contexts : str or sequence of str
        One context id or several; each must be a context of ``graph``.

    Returns
    -------
    MoralGraph
        The votes cast in these contexts (in their order), the value cards those votes name
        or that were articulated in these contexts (in the graph's order), and these
        contexts only (in the graph's order). A kept card articulated in another context
        (it is kept because a vote names it) gets ``context=None``, since that context is
        no longer part of the graph.

    Raises
    ------
    MoralGraphError
        ``contexts`` is empty, not strings, or names an unknown context.

    Examples
    --------
    >>> from moralgraph import MoralGraph, ValueCard, WiserVote
    >>> cards = [ValueCard(i, i.title(), "", ["x"]) for i in ("a", "b", "c")]
    >>> g = MoralGraph(cards, [WiserVote("ann", "a", "b", "distress", "wiser"),
    ...                        WiserVote("bob", "b", "c", "grief", "wiser")])
    >>> h = subgraph(g, "distress")
    >>> h, [v.id for v in h.values]
    (MoralGraph(2 values, 1 votes, 1 contexts), ['a', 'b'])
    """
    ids = set(context_ids(graph, contexts, "subgraph", name="contexts", allow_none=False) or ())
    votes = [v for v in graph.votes if v.context in ids]
    named = {v.from_value for v in votes} | {v.to_value for v in votes}
    cards = []
    for card in graph.values:
        if card.context in ids:
            cards.append(card)
        elif card.id in named:
            cards.append(card if card.context is None else dataclasses.replace(card, context=None))
    kept = [c for c in graph.contexts if c.id in ids]
    return MoralGraph(cards, votes, kept)


def _embed(embedder: Any, texts: list[str], what: str, func: str) -> np.ndarray:
    """``embedder.encode(texts)`` as a float (len(texts), d) array with unit rows."""
    if not callable(getattr(embedder, "encode", None)):
        raise parameter_error(
            "embedder", func, "an object with an encode(texts) method", embedder,
            MoralGraphError,
        )
    rows = np.asarray(embedder.encode(texts), dtype=np.float64)
    if rows.ndim != 2 or rows.shape[0] != len(texts) or not np.isfinite(rows).all():
        raise MoralGraphError(
            f"The embedder given to {func} returned an array of shape {rows.shape} "
            f"for {len(texts)} {what}; expected {len(texts)} finite rows (n, d)."
        )
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)


def context_similarity(graph: MoralGraph, prompt: str, embedder: Any,
                       func: str = "context_similarity") -> pd.Series:
    """The cosine similarity of a prompt to each context's text, in the graph's order.

    Similarity is the cosine of ``embedder.encode([prompt])`` and ``embedder.encode`` of
    the context texts (a context without text is embedded by its id; rows are normalised
    here, so an embedder returning unit vectors, e.g. ``lm.load_embedder()``, gives their
    dot product). It is in [-1, 1]; sentence embedders put unrelated texts near 0.

    Parameters
    ----------
    graph : MoralGraph
    prompt : str
        A non-empty prompt.
    embedder : object
        Has ``encode(texts) -> (n, d)`` array.

    Returns
    -------
    pandas.Series
        Float similarities indexed by context id (named ``similarity``).

    Raises
    ------
    MoralGraphError
        A bad ``prompt`` or ``embedder``, an embedder output of the wrong shape, or a graph
        without contexts.

    Examples
    --------
    >>> from moralgraph import Context, MoralGraph
    >>> class Letters:  # a toy embedder: counts of the letters a, b, c
    ...     def encode(self, texts):
    ...         return [[t.count(ch) + 1e-9 for ch in "abc"] for t in texts]
    >>> g = MoralGraph([], [], [Context("x", "aaa"), Context("y", "bbb")])
    >>> context_similarity(g, "ab", Letters()).round(3).to_dict()
    {'x': 0.707, 'y': 0.707}
    """
    import pandas as pd

    if not isinstance(prompt, str) or not prompt.strip():
        raise parameter_error("prompt", func, "a non-empty string", prompt, MoralGraphError)
    contexts = graph.contexts
    if not contexts:
        raise MoralGraphError("The moral graph has no contexts: there is nothing to rank.")
    texts = [c.text or c.id for c in contexts]
    query = _embed(embedder, [prompt], "prompt", func)
    rows = _embed(embedder, texts, "context texts", func)
    if rows.shape[1] != query.shape[1]:
        raise MoralGraphError(
            f"The embedder given to {func} returned {query.shape[1]} dimensions for the "
            f"prompt but {rows.shape[1]} for the contexts."
        )
    return pd.Series(rows @ query[0], index=[c.id for c in contexts], name="similarity")


def contexts_for(graph: MoralGraph, prompt: str, embedder: Any, top: int = 3, *,
                 min_similarity: float | None = None) -> list[str]:
    """The ids of the contexts whose texts are most similar to a prompt, most similar first.

    Similarity is :func:`context_similarity`. Ties keep the graph's order.

    Parameters
    ----------
    graph : MoralGraph
    prompt : str
        A non-empty prompt.
    embedder : object
        Has ``encode(texts) -> (n, d)`` array.
    top : int, default 3
        How many contexts to return at most, at least 1 (all of them if the graph has fewer).
    min_similarity : float in [-1, 1], optional
        Leave out contexts less similar than this; the list may then be empty (the prompt
        matches no context).

    Returns
    -------
    list of str

    Raises
    ------
    MoralGraphError
        A bad ``prompt``, ``top``, ``min_similarity`` or ``embedder``, an embedder output of
        the wrong shape, or a graph without contexts.

    Examples
    --------
    >>> from moralgraph import Context, MoralGraph
    >>> class Letters:  # a toy embedder: counts of the letters a, b, c
    ...     def encode(self, texts):
    ...         return [[t.count(ch) + 1e-9 for ch in "abc"] for t in texts]
    >>> g = MoralGraph([], [], [Context("x", "aaa"), Context("y", "bbb"), Context("z", "ccc")])
    >>> contexts_for(g, "bab", Letters(), top=2)
    ['y', 'x']
    >>> contexts_for(g, "bab", Letters(), min_similarity=0.5)
    ['y']
    """
    func = "contexts_for"
    top, min_similarity = check_selection(top, min_similarity, func)
    return most_similar(context_similarity(graph, prompt, embedder, func), top,
                        min_similarity).index.tolist()


def check_selection(top: Any, min_similarity: Any, func: str) -> tuple[int, float | None]:
    """``top`` (an int >= 1) and ``min_similarity`` (None or a float in [-1, 1]), checked."""
    top = check_int(top, "top", func, 1, error=MoralGraphError)
    if min_similarity is not None:
        min_similarity = check_float(min_similarity, "min_similarity", func, -1.0, 1.0,
                                     error=MoralGraphError)
    return top, min_similarity


def most_similar(similarity: pd.Series, top: int, min_similarity: float | None
                 ) -> pd.Series:
    """The ``top`` largest similarities (ties in index order), those below
    ``min_similarity`` left out."""
    order = np.argsort(-similarity.to_numpy(), kind="stable")[:top]
    best = similarity.iloc[order]
    return best if min_similarity is None else best[best >= min_similarity]
