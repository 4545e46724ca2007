"""Per-context summaries of a moral graph, as the command line and the app show them.

:func:`score_report` gives, per context, the top values of Γ with their titles, scores and
the winner's support label; :func:`principles_report` gives, per context a prompt selects,
its wisest values and the principle :meth:`MoralGraph.principles` builds from them. Both
call the graph's own methods (:meth:`MoralGraph.scores`, :meth:`MoralGraph.principles`,
:meth:`MoralGraph.contexts_for`) and only arrange their answers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from _common.validation import check_choice, check_float, check_int, parameter_error

from ._errors import MoralGraphError
from ._graph import MoralGraph
from ._views import check_selection, context_similarity, most_similar

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["ContextScores", "ScoreReport", "principles_report", "score_report"]


@dataclass(frozen=True)
class ContextScores:
    """The top values of one context.

    Attributes
    ----------
    context : str
        The context id.
    text : str
        The context's text.
    votes : int
        The graph's votes in the context.
    support : str or None
        The support label of the context's winner over all its scores
        (:meth:`MoralGraph.support_level`); None when nothing was scored (see ``note``).
    table : pandas.DataFrame
        Columns ``rank`` (1 = wisest), ``value``, ``title``, ``score``: the top values,
        highest score first.
    note : str
        Why ``table`` is empty, or ``""``.
    """

    context: str
    text: str
    votes: int
    support: str | None
    table: pd.DataFrame
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The context's scores as plain Python (``top``: a list of row dicts)."""
        return {
            "context": self.context,
            "text": self.text,
            "votes": self.votes,
            "support": self.support,
            "note": self.note,
            "top": self.table.to_dict("records"),
        }


@dataclass(frozen=True)
class ScoreReport:
    """:func:`score_report`'s answer: the settings and one :class:`ContextScores` per context."""

    method: str
    propagation: float
    top: int
    contexts: tuple[ContextScores, ...]

    def to_frame(self) -> pd.DataFrame:
        """Every context's top values in one table: ``context, support`` then ``table``'s."""
        import pandas as pd

        parts = [c.table.assign(context=c.context, support=c.support) for c in self.contexts]
        columns = ["context", "support", "rank", "value", "title", "score"]
        if not parts:
            return pd.DataFrame(columns=columns)
        return pd.concat(parts, ignore_index=True)[columns]

    def to_dict(self) -> dict[str, Any]:
        """The report as plain Python, ready for :func:`json.dumps`."""
        return {
            "method": self.method,
            "propagation": self.propagation if self.method == "flow" else None,
            "top": self.top,
            "contexts": [c.to_dict() for c in self.contexts],
        }


def _selected(graph: MoralGraph, contexts: str | Sequence[str] | None, func: str) -> list[str]:
    from ._contexts import context_ids

    if contexts is None:
        return [c.id for c in graph.contexts]
    return context_ids(graph, contexts, func, name="contexts", allow_none=False) or []


def _empty_note(method: str, votes: int) -> str:
    from ._mai import MAX_ENTROPY, MIN_LIKELIHOOD

    if votes == 0:
        return "no votes in this context: nothing to score (every value has the base score)"
    if method == "mai":
        return (
            "no pair passes the published cuts (markedWiser >= 2, "
            f"wiserLikelihood >= {MIN_LIKELIHOOD}, entropy <= {MAX_ENTROPY})"
        )
    return "no value was scored"


def _scorer(graph: MoralGraph, method: str, propagation: float) -> Callable[[str], pd.Series]:
    """Γ of one context exactly as ``graph.scores(context, propagation, method)`` computes it
    (:func:`moralgraph._scoring.scores`), with the votes table built and split by context
    once for all contexts (:meth:`MoralGraph.scores` builds it on every call). Both methods
    use only the context's votes, in their order, so the split changes no number."""
    votes = graph.votes_frame()
    parts = {
        context: part.reset_index(drop=True)
        for context, part in votes.groupby("context", sort=False)
    }
    if method == "mai":
        from ._mai import mai_edge_summary, mai_pagerank

        def mai(context: str) -> pd.Series:
            edges = mai_edge_summary(parts[context], error=MoralGraphError)
            return mai_pagerank(edges, error=MoralGraphError)

        return mai
    from ._flow import flow_scores

    values = [v.id for v in graph.values]
    return lambda context: flow_scores(parts[context], values, contexts=[context],
                                       propagation=propagation)


def _context_scores(
    graph: MoralGraph, context: str, votes: int, score: Callable[[str], pd.Series], top: int,
    method: str,
) -> ContextScores:
    import pandas as pd

    from ._mai import support_label

    text = next(c.text for c in graph.contexts if c.id == context) or context
    scores = score(context) if votes else pd.Series(dtype=float)
    titles = {c.id: c.title for c in graph.values}
    best = scores.iloc[:top]
    table = pd.DataFrame({
        "rank": range(1, len(best) + 1),
        "value": list(best.index),
        "title": [titles[v] for v in best.index],
        "score": best.to_numpy(dtype=float),
    })
    if scores.empty:
        return ContextScores(context, text, votes, None, table, _empty_note(method, votes))
    return ContextScores(context, text, votes, support_label(scores, error=MoralGraphError),
                         table)


def score_report(
    graph: MoralGraph,
    contexts: str | Sequence[str] | None = None,
    *,
    method: str = "flow",
    propagation: float = 0.85,
    top: int = 5,
    progress: Callable[[int, int], None] | None = None,
) -> ScoreReport:
    """The ``top`` wisest values of each context, with titles, scores and support labels.

    For each context, :meth:`MoralGraph.scores` of that context alone (``method``,
    ``propagation``; computed with one votes table for all contexts) gives the scores, and
    :func:`moralgraph._mai.support_label` of all of them the winner's support label (as
    :meth:`MoralGraph.support_level`). A context without
    votes, or (``method="mai"``) without a pair that passes the published cuts, has an empty
    table, no label and a ``note`` saying why.

    Parameters
    ----------
    graph : MoralGraph
    contexts : str, sequence of str or None, default None
        The contexts to report, in this order; None: every context of the graph.
    method : {"flow", "mai"}, default "flow"
    propagation : float in [0, 1), default 0.85
        The flow's propagation; ``method="mai"`` takes only 0.85, its fixed damping (as
        :meth:`MoralGraph.scores`).
    top : int, default 5
        Values listed per context, at least 1.
    progress : callable, optional
        Called as ``progress(done, total)`` after each context (``total`` contexts).

    Returns
    -------
    ScoreReport

    Raises
    ------
    MoralGraphError
        A graph without value cards or votes, an unknown context, a bad ``method``,
        ``propagation`` (or one other than 0.85 with ``method="mai"``) or ``top``.

    Examples
    --------
    >>> from moralgraph import MoralGraph, ValueCard, WiserVote
    >>> cards = [ValueCard("a", "Comfort", "", ["x"]), ValueCard("b", "Agency", "", ["y"])]
    >>> votes = [WiserVote(p, "a", "b", "distress", "wiser") for p in ("p1", "p2", "p3")]
    >>> report = score_report(MoralGraph(cards, votes, ["distress", "grief"]), top=1)
    >>> report.to_frame()
        context       support  rank value   title     score
    0  distress  some support     1     b  Agency  0.649123
    >>> report.contexts[1].note
    'no votes in this context: nothing to score (every value has the base score)'
    """
    from ._mai import DAMPING
    from ._scoring import METHODS, _check_graph

    func = "score_report"
    method = check_choice(method, "method", func, METHODS, error=MoralGraphError)
    propagation = check_float(propagation, "propagation", func, 0.0, 1.0, high_open=True,
                              error=MoralGraphError)
    if method == "mai" and propagation != DAMPING:
        raise parameter_error(
            "propagation", func, f"{DAMPING} with method='mai' (the published scoring fixes "
            "its damping; use method='flow' to vary it)", propagation, MoralGraphError,
        )
    top = check_int(top, "top", func, 1, error=MoralGraphError)
    ids = _selected(graph, contexts, func)
    _check_graph(graph)
    counts = Counter(v.context for v in graph.votes)
    score = _scorer(graph, method, propagation)
    rows = []
    for done, context in enumerate(ids, 1):
        rows.append(_context_scores(graph, context, counts[context], score, top, method))
        if progress is not None:
            progress(done, len(ids))
    return ScoreReport(method, propagation, top, tuple(rows))


_DTYPES = {"votes": int, "similarity": float}


def principles_report(
    graph: MoralGraph,
    prompt: str | None = None,
    contexts: str | Sequence[str] | None = None,
    *,
    k: int = 3,
    embedder: Any = None,
    method: str = "flow",
    propagation: float = 0.85,
    top: int = 3,
    min_similarity: float | None = None,
) -> pd.DataFrame:
    """Per selected context: its wisest values and the principle built from their policies.

    The contexts are ``contexts`` if given, else :meth:`MoralGraph.contexts_for` of
    ``prompt`` (the ``top`` most similar, at least ``min_similarity`` similar; needs
    ``embedder``). Each context's principle is
    :meth:`MoralGraph.principles` of that context, and its values the ``k`` wisest of
    :meth:`MoralGraph.subgraph` of the context, whose policies the principle lists.

    Parameters
    ----------
    graph : MoralGraph
    prompt : str, optional
        The prompt whose contexts are wanted (ignored when ``contexts`` is given).
    contexts : str, sequence of str or None
        The contexts, used as given.
    k : int, default 3
        Wisest values per context, at least 1.
    embedder : object, optional
        Has ``encode(texts) -> (n, d)`` unit vectors (e.g. ``lm.load_embedder()``).
    method : {"flow", "mai"}, default "flow"
    propagation : float in [0, 1), default 0.85
    top : int, default 3
        With a prompt: at most this many contexts.
    min_similarity : float in [-1, 1], optional
        With a prompt: only contexts at least this similar to it (the table may be empty).

    Returns
    -------
    pandas.DataFrame
        One row per selected context, most similar first: ``context, text, similarity``
        (cosine to the prompt; NaN for contexts given), ``votes, values`` (the wisest value
        ids), ``titles`` and ``principle`` (None for a context without votes, which gives
        no principle).

    Raises
    ------
    MoralGraphError
        Neither ``prompt`` nor ``contexts``, a prompt without an embedder, an unknown
        context, a bad ``k``, ``method`` or ``propagation``.

    Examples
    --------
    >>> from moralgraph import Context, MoralGraph, ValueCard, WiserVote
    >>> cards = [ValueCard("comfort", "Comfort", "", ["how the person feels"]),
    ...          ValueCard("agency", "Agency", "", ["what they can do next"])]
    >>> votes = [WiserVote(p, "comfort", "agency", "distress", "wiser") for p in "xyz"]
    >>> g = MoralGraph(cards, votes, [Context("distress", "When the user is in distress")])
    >>> principles_report(g, contexts=["distress"], k=1).loc[0, ["titles", "principle"]].tolist()
    [('Agency',), 'When the user is in distress, attend to: what they can do next.']
    """
    import pandas as pd

    func = "principles_report"
    k = check_int(k, "k", func, 1, error=MoralGraphError)
    if contexts is not None:
        ids = _selected(graph, contexts, func)
    elif prompt is None:
        raise MoralGraphError(f"{func} needs a prompt (with an embedder) or contexts.")
    elif embedder is None:
        raise MoralGraphError(
            f"{func} was given a prompt but no embedder to match it to contexts; pass "
            "embedder= or contexts=."
        )
    else:
        top, min_similarity = check_selection(top, min_similarity, func)
        best = most_similar(context_similarity(graph, prompt, embedder, func), top,
                            min_similarity)
        ids = best.index.tolist()
    similarity = best.tolist() if contexts is None else [float("nan")] * len(ids)
    counts = Counter(v.context for v in graph.votes)
    titles = {c.id: c.title for c in graph.values}
    texts = {c.id: c.text or c.id for c in graph.contexts}
    found = {c: graph.principles([c], k, method=method, propagation=propagation) for c in ids}
    best = {
        c: graph.subgraph(c).wisest(c, k, method=method, propagation=propagation)
        if found[c] else [] for c in ids
    }
    columns = {
        "context": ids,
        "text": [texts[c] for c in ids],
        "similarity": similarity,
        "votes": [counts[c] for c in ids],
        "values": [tuple(best[c]) for c in ids],
        "titles": [tuple(titles[v] for v in best[c]) for c in ids],
        "principle": [found[c][0] if found[c] else None for c in ids],
    }
    return pd.DataFrame({
        name: pd.Series(cells, dtype=_DTYPES.get(name, object))
        for name, cells in columns.items()
    })
