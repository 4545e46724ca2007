"""The moral graph: value cards, contexts and "wiser than" votes, validated together."""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from _common.validation import show

from ._errors import MoralGraphError
from ._model import Context, ValueCard, WiserVote

if TYPE_CHECKING:
    import pandas as pd

    from ._merge import Merge

__all__ = ["MoralGraph"]

Locator = Callable[[int], str]


def _vote_at(i: int) -> str:
    return f"Vote {i} (0-based index)"


def _value_at(i: int) -> str:
    return f"Value {i} (0-based index)"


def _record(item: Any, cls: type, where: str) -> Any:
    """``item`` as a ``cls`` (an instance or a dict of its fields); errors start with ``where``."""
    if isinstance(item, cls):
        return item
    try:
        if isinstance(item, Mapping):
            return cls(**item)
        raise MoralGraphError(
            f"expected a {cls.__name__} or a dict of its fields, got {show(item)}"
        )
    except TypeError as exc:  # unknown or missing keyword
        raise MoralGraphError(f"{where}: {exc}.") from None
    except MoralGraphError as exc:
        raise MoralGraphError(f"{where}: {exc}") from None


def _contexts(
    given: Iterable[Any] | None, values: tuple[ValueCard, ...], votes: list[WiserVote]
) -> dict[str, Context]:
    """The contexts by id: ``given`` (Context, dict or id string), or those votes/cards name."""
    if given is None:
        named = [c.context for c in values if c.context is not None] + [v.context for v in votes]
        return {name: Context(name) for name in dict.fromkeys(named)}
    if isinstance(given, str | bytes | Mapping):
        raise MoralGraphError(
            "The 'contexts' parameter of MoralGraph must be None or a sequence of Context "
            f"objects, dicts or id strings. Got {show(given)} instead."
        )
    out: dict[str, Context] = {}
    for i, item in enumerate(given):
        where = f"Context {i} (0-based index)"
        context = Context(item) if isinstance(item, str) else _record(item, Context, where)
        if context.id in out:
            raise MoralGraphError(
                f"{where}: the 'id' field {context.id!r} repeats an earlier context."
            )
        out[context.id] = context
    return out


def _listed(ids: list[Any], most: int = 10) -> str:
    """Up to ``most`` ids for a message, "..." when there are more, "none" when empty."""
    more = f", ... ({len(ids)} in all)" if len(ids) > most else ""
    return (", ".join(map(repr, ids[:most])) + more) or "none"


class MoralGraph:
    """Value cards and the votes judging moves between them, per context.

    Parameters
    ----------
    values : sequence of ValueCard or dict
        The value cards; ids must be distinct.
    votes : sequence of WiserVote or dict
        The votes, in the order they were cast. **One participant judges an ordered pair
        once**: a later vote by the same participant on the same ``(from_value, to_value)``
        replaces the earlier one, whatever its context (as the primary key of the Meaning
        Alignment Institute's published app does). The kept vote takes the later vote's place
        in the order. ``(A, B)`` and ``(B, A)`` are different pairs.
    contexts : sequence of Context, dict or str, optional
        The contexts (a string is a context whose text is its id). ``None`` (the default): the
        contexts named by the cards and votes, in order of first mention, each with text = id.

    Raises
    ------
    MoralGraphError
        A malformed card, context or vote, an empty id, a self-loop, a verdict outside
        ``VERDICTS``, a repeated value or context id, or a vote or card naming an unknown
        value or context. Messages about votes name the vote's 0-based index in ``votes``
        (before replacement) and the field.

    Examples
    --------
    >>> from moralgraph import MoralGraph, ValueCard, WiserVote
    >>> cards = [ValueCard("a", "Comfort", "", ["how they feel"]),
    ...          ValueCard("b", "Agency", "", ["what they can do next"])]
    >>> g = MoralGraph(cards, [WiserVote("ann", "a", "b", "distress", "unsure"),
    ...                        WiserVote("ann", "a", "b", "distress", "wiser")])
    >>> [v.verdict for v in g.votes], [c.id for c in g.contexts]
    (['wiser'], ['distress'])
    >>> MoralGraph(cards, [WiserVote("ann", "a", "z", "distress", "wiser")])
    Traceback (most recent call last):
    ...
    moralgraph._errors.MoralGraphError: Vote 0 (0-based index): the 'to_value' field names ...
    """

    def __init__(
        self,
        values: Iterable[ValueCard | Mapping[str, Any]],
        votes: Iterable[WiserVote | Mapping[str, Any]],
        contexts: Iterable[Context | Mapping[str, Any] | str] | None = None,
    ) -> None:
        self._build(values, votes, contexts, _value_at, _vote_at)

    def _build(
        self, values: Any, votes: Any, contexts: Any, value_at: Locator, vote_at: Locator
    ) -> None:
        """Check and store the graph; ``value_at(i)``/``vote_at(i)`` name item ``i`` in errors."""
        for name, given in (("values", values), ("votes", votes)):
            if isinstance(given, str | bytes | Mapping) or not isinstance(given, Iterable):
                raise MoralGraphError(
                    f"The {name!r} parameter of MoralGraph must be a sequence. "
                    f"Got {show(given)} instead."
                )
        cards: dict[str, ValueCard] = {}
        for i, item in enumerate(values):
            card = _record(item, ValueCard, value_at(i))
            if card.id in cards:
                raise MoralGraphError(
                    f"{value_at(i)}: the 'id' field {card.id!r} repeats an earlier value card."
                )
            cards[card.id] = card
        checked = [_record(v, WiserVote, vote_at(i)) for i, v in enumerate(votes)]
        self._values = tuple(cards.values())
        self._contexts = _contexts(contexts, self._values, checked)
        self._check_ids(checked, cards, value_at, vote_at)
        kept: dict[tuple[str, str, str], WiserVote] = {}
        for vote in checked:
            key = (vote.participant, vote.from_value, vote.to_value)
            kept.pop(key, None)  # the later vote replaces the earlier one and takes its place
            kept[key] = vote
        self._votes = tuple(kept.values())
        self._votes_table: Any = None

    def _check_ids(
        self,
        votes: list[WiserVote],
        cards: dict[str, ValueCard],
        value_at: Locator,
        vote_at: Locator,
    ) -> None:
        known = _listed(list(self._contexts))
        for i, card in enumerate(self._values):
            if card.context is not None and card.context not in self._contexts:
                raise MoralGraphError(
                    f"{value_at(i)}: the 'context' field names an unknown context "
                    f"{card.context!r}; known contexts: {known}."
                )
        ids = _listed(list(cards))
        for i, vote in enumerate(votes):
            for name in ("from_value", "to_value"):
                if getattr(vote, name) not in cards:
                    raise MoralGraphError(
                        f"{vote_at(i)}: the {name!r} field names an unknown value "
                        f"{getattr(vote, name)!r}; known value ids: {ids}."
                    )
            if vote.context not in self._contexts:
                raise MoralGraphError(
                    f"{vote_at(i)}: the 'context' field names an unknown context "
                    f"{vote.context!r}; known contexts: {known}."
                )

    @property
    def values(self) -> tuple[ValueCard, ...]:
        """The value cards, in the order given."""
        return self._values

    @property
    def votes(self) -> tuple[WiserVote, ...]:
        """The votes after replacement (one per participant and ordered pair)."""
        return self._votes

    @property
    def contexts(self) -> tuple[Context, ...]:
        """The contexts, in the order given (or of first mention)."""
        return tuple(self._contexts.values())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MoralGraph):
            return NotImplemented
        return (self.values, self.votes, self.contexts) == (
            other.values, other.votes, other.contexts
        )

    def __hash__(self) -> int:
        return hash((self.values, self.votes, self.contexts))

    def __repr__(self) -> str:
        return (
            f"MoralGraph({len(self._values)} values, {len(self._votes)} votes, "
            f"{len(self._contexts)} contexts)"
        )

    def votes_frame(self) -> pd.DataFrame:
        """The votes as a DataFrame.

        Returns
        -------
        pandas.DataFrame
            One row per vote, columns ``participant, from_value, to_value, context, verdict,
            reason`` (``reason`` is None where not given).

        Examples
        --------
        >>> from moralgraph import MoralGraph, ValueCard, WiserVote
        >>> cards = [ValueCard("a", "A", "", ["x"]), ValueCard("b", "B", "", ["y"])]
        >>> g = MoralGraph(cards, [WiserVote("ann", "a", "b", "c1", "wiser")])
        >>> g.votes_frame()[["participant", "to_value", "verdict"]]
          participant to_value verdict
        0         ann        b   wiser
        """
        import pandas as pd

        if self._votes_table is None:  # the graph is immutable: build the table once
            columns = ["participant", "from_value", "to_value", "context", "verdict", "reason"]
            self._votes_table = pd.DataFrame(
                {c: pd.Series([getattr(v, c) for v in self._votes], dtype=object)
                 for c in columns},
                columns=columns,
            )
        return self._votes_table.copy()

    def values_frame(self) -> pd.DataFrame:
        """The value cards as a DataFrame.

        Returns
        -------
        pandas.DataFrame
            One row per card, columns ``id, title, description, policies, authors, context``
            (``policies`` and ``authors`` hold tuples of strings).

        Examples
        --------
        >>> from moralgraph import MoralGraph, ValueCard
        >>> g = MoralGraph([ValueCard("a", "Agency", "", ["options", "skills"])], [])
        >>> g.values_frame().loc[0, "policies"]
        ('options', 'skills')
        """
        import pandas as pd

        columns = ["id", "title", "description", "policies", "authors", "context"]
        rows = [[getattr(c, name) for name in columns] for c in self._values]
        return pd.DataFrame(rows, columns=columns, dtype=object)

    @classmethod
    def from_frames(
        cls, values: pd.DataFrame, votes: pd.DataFrame, contexts: Any = None
    ) -> MoralGraph:
        """A moral graph from a table of value cards and a table of votes.

        Parameters
        ----------
        values : pandas.DataFrame
            Columns ``id, title, description, policies`` and optionally ``authors, context``.
            A ``policies`` (or ``authors``) cell is a list/tuple of strings or one string
            holding one policy per line or, if it has no line break, policies separated by
            ``";"``; parts are stripped, empty parts dropped. An empty description is ``""``,
            an empty context None.
        votes : pandas.DataFrame
            Columns ``participant, from_value, to_value, context, verdict`` and optionally
            ``reason`` (an empty reason is None). Cells are strings. Rows are in voting
            order: a later row by the same participant on the same ordered pair replaces
            an earlier one.
        contexts : pandas.DataFrame, sequence or None
            A table with column ``id`` (optionally ``text``), or what the constructor takes.

        Raises
        ------
        MoralGraphError
            A missing column or a bad cell. Rows are numbered as in a spreadsheet whose
            header is row 1 (the first data row is row 2, as a CSV file's line number, by
            position whatever the index); the message names the table, the row and the
            column (a card's or vote's field has its column's name).

        Examples
        --------
        >>> import pandas as pd
        >>> values = pd.DataFrame({"id": ["a", "b"], "title": ["A", "B"],
        ...                        "description": ["", ""], "policies": ["x; y", "z"]})
        >>> votes = pd.DataFrame({"participant": ["ann"], "from_value": ["a"],
        ...                       "to_value": ["b"], "context": ["c1"], "verdict": ["wiser"]})
        >>> MoralGraph.from_frames(values, votes).values[0].policies
        ('x', 'y')
        """
        from ._io import from_frames

        return from_frames(cls, values, votes, contexts)

    def to_json(self, indent: int | None = 2) -> str:
        """The graph as JSON text in the versioned schema of :mod:`moralgraph._io`.

        Examples
        --------
        >>> from moralgraph import MoralGraph, ValueCard
        >>> g = MoralGraph([ValueCard("a", "Agency", "", ["options"])], [])
        >>> MoralGraph.from_json(g.to_json()) == g
        True
        """
        from ._io import to_json

        return to_json(self, indent)

    @classmethod
    def from_json(cls, text: str | bytes) -> MoralGraph:
        """The graph from :meth:`to_json`'s text (malformed JSON: the error names line, column).

        Examples
        --------
        >>> MoralGraph.from_json('{"schema": "collective-alignment/moral-graph",')
        Traceback (most recent call last):
        ...
        moralgraph._errors.MoralGraphError: The moral-graph JSON is malformed at line 1, column ...
        """
        from ._io import from_json

        return from_json(cls, text)

    # -- aggregation Γ (moralgraph._scoring) --------------------------------------------------
    def edge_summary(
        self, method: str = "mai", context: object = None, *, min_wiser: int = 2,
        keep_all: bool = False,
    ) -> pd.DataFrame:
        """Per ordered pair of values: the vote counts and the statistics of ``method``.

        With ``method="mai"``, the Meaning Alignment Institute's ``summarizeGraph``
        exactly (:func:`moralgraph._mai.mai_edge_summary`): columns ``from_value, to_value,
        contexts, marked_wiser, marked_not_wiser, marked_less_wise, marked_unsure,
        impressions, wiser_likelihood, entropy``, the kept pairs only unless ``keep_all``.

        Parameters
        ----------
        method : {"mai"}
        context : context id, list of ids or None
            Use only the votes in these contexts first (None: all votes, merged across
            contexts as the published scoring does).
        min_wiser : int, default 2
            The published ``markedWiserThreshold``.
        keep_all : bool, default False
            Every pair, not only the kept ones.

        References
        ----------
        .. [1] O. Klingefjord, R. Lowe, J. Edelman, "What are human values, and how do we
           align AI to them?", arXiv 2404.10636 (2024); meaningalignment/values-tools,
           ``src/services/moral-graph.ts`` (``summarizeGraph``).

        Examples
        --------
        >>> from moralgraph import MoralGraph, ValueCard, WiserVote
        >>> cards = [ValueCard(i, i.title(), "", ["x"]) for i in ("a", "b")]
        >>> votes = [WiserVote(p, "a", "b", "c1", "wiser") for p in ("p1", "p2", "p3")]
        >>> g = MoralGraph(cards, votes)
        >>> g.edge_summary()[["from_value", "to_value", "marked_wiser", "wiser_likelihood"]]
          from_value to_value  marked_wiser  wiser_likelihood
        0          a        b             3               1.0
        """
        from ._scoring import edge_summary

        return edge_summary(self, method, context, min_wiser=min_wiser, keep_all=keep_all)

    def scores(
        self, context: object = None, propagation: float = 0.85, method: str = "flow"
    ) -> pd.Series:
        """Γ: a score per value (value id -> score), highest first.

        ``method="flow"`` (default): per-context flow along less-wise -> wiser edges with
        Bayesian edge weights; ``propagation`` in [0, 1) is the share of score that moves one
        step (0: the base distribution; scores sum to 1) — see :mod:`moralgraph._flow`.
        ``method="mai"``: the published scoring exactly (kept pairs, 100 iterations of
        weighted PageRank; values on no kept pair drop out; ``propagation`` is not used).

        Parameters
        ----------
        context : context id, list of ids or None
            One context, several pooled (the f(G_M, p) case), or all (None). A requested
            context without votes is not an error: with ``method="flow"`` it scores the
            base distribution (uniform), with ``method="mai"`` it scores no value (no kept
            pair), and either way a warning is logged on the ``"moralgraph"`` logger.
        propagation : float in [0, 1), default 0.85
            With ``method="mai"`` it must be 0.85, the published damping (any other value
            would be silently ignored, so it is refused).
        method : {"flow", "mai"}

        Raises
        ------
        MoralGraphError
            A bad ``method`` or ``propagation`` (NaN, a bool, a string or outside [0, 1)),
            a ``context`` that is not an id or a non-empty list of ids or names a context
            the graph lacks, or a graph without value cards or votes.

        References
        ----------
        .. [1] O. Klingefjord, R. Lowe, J. Edelman, arXiv 2404.10636 (2024), §4.
        .. [2] L. Page, S. Brin, R. Motwani, T. Winograd, "The PageRank citation ranking"
           (1999).

        Examples
        --------
        >>> from moralgraph import MoralGraph, ValueCard, WiserVote
        >>> cards = [ValueCard(i, i.title(), "", ["x"]) for i in ("a", "b")]
        >>> votes = [WiserVote(p, "a", "b", "c1", "wiser") for p in ("p1", "p2", "p3")]
        >>> g = MoralGraph(cards, votes)
        >>> g.scores(method="mai").round(5).to_dict()
        {'b': 0.13875, 'a': 0.075}
        >>> s = g.scores()
        >>> s.index[0], round(float(s.sum()), 12)
        ('b', 1.0)
        """
        from ._scoring import scores

        return scores(self, context, propagation, method)

    def wisest(
        self, context: object = None, k: int = 1, *, method: str = "flow",
        propagation: float = 0.85,
    ) -> list[Hashable]:
        """The ids of the ``k`` highest-scoring values (see :meth:`scores`).

        Parameters
        ----------
        context, method, propagation
            As in :meth:`scores`.
        k : int, default 1
            At least 1; all scored values (highest first) if fewer than ``k`` are scored.

        Raises
        ------
        MoralGraphError
            A bad ``k`` (not an int, a bool, below 1) or what :meth:`scores` refuses.

        Examples
        --------
        >>> from moralgraph import MoralGraph, ValueCard, WiserVote
        >>> cards = [ValueCard(i, i.title(), "", ["x"]) for i in ("a", "b")]
        >>> g = MoralGraph(cards, [WiserVote("p1", "a", "b", "c1", "wiser")])
        >>> g.wisest("c1")
        ['b']
        """
        from ._scoring import wisest

        return wisest(self, context, k, method=method, propagation=propagation)

    def support_level(
        self, context: object = None, *, method: str = "flow", propagation: float = 0.85
    ) -> str:
        """How clearly the winner leads: "broadly supported", "some support" or "contested".

        z = (winner − mean) / std and gap = winner / runner-up over the scores: broadly
        supported if z > 2.5 and gap > 2, some support if z > 1.5 or gap > 1.5, else
        contested (the Meaning Alignment Institute's labels; :func:`moralgraph._mai.
        support_label`).

        Raises
        ------
        MoralGraphError
            What :meth:`scores` refuses, or ``method="mai"`` keeping no pair in the chosen
            contexts (no winner to label).

        Examples
        --------
        >>> from moralgraph import MoralGraph, ValueCard, WiserVote
        >>> cards = [ValueCard(i, i.title(), "", ["x"]) for i in ("a", "b")]
        >>> g = MoralGraph(cards, [WiserVote("p1", "a", "b", "c1", "wiser")])
        >>> g.scores("c1").round(4).to_dict()   # one lonely vote moves a little weight
        {'b': 0.6491, 'a': 0.3509}
        >>> g.support_level("c1")
        'some support'
        """
        from ._scoring import support_level

        return support_level(self, context, method=method, propagation=propagation)

    # -- f(G_M, p), targets and export (moralgraph._views, _targets, _export, _mai_json) ------
    def subgraph(self, contexts: str | Sequence[str]) -> MoralGraph:
        """The graph of only these contexts' votes (and the values they involve).

        See :func:`moralgraph._views.subgraph`.
        """
        from ._views import subgraph

        return subgraph(self, contexts)

    def merge_values(self, mapping: Mapping[str, str]) -> Merge:
        """Merge value cards into canonical cards, rewiring the votes so nothing is lost.

        Parameters
        ----------
        mapping : mapping of str to str
            Value id -> the id of its canonical card, e.g. :func:`moralgraph.dedupe_values`'s
            ``Deduplication.mapping``. Ids left out (and ids mapped to themselves) stay.
            Every key and every canonical id must be a value id of the graph, and a
            canonical id must map to itself (or be left out): chains such as
            ``a -> b, b -> c`` are refused rather than followed, since a mapping with a
            chain is usually a stale or hand-edited one.

        Returns
        -------
        Merge
            ``.graph``: a new graph with the canonical cards only (in the graph's order; each
            canonical card keeps its title, description, policies and context, and its
            ``authors`` become the authors of every card merged into it, canonical card's
            first, without repeats); every vote's ``from_value``/``to_value`` point at the
            canonical ids; contexts unchanged. ``.dropped``: the votes between two cards
            merged into the same card (they would be self-loops), dropped and returned.
            ``.replaced``: votes superseded because the same participant now has two votes on
            the same ordered pair; the graph's rule applies, **the later vote wins** (and
            takes the later place), whatever the contexts. So ``len(self.votes) ==
            len(merge.graph.votes) + len(merge.dropped) + len(merge.replaced)``.

        Raises
        ------
        MoralGraphError
            ``mapping`` is not a mapping, a key or a canonical id is not a value id of the
            graph, or a canonical id is itself mapped elsewhere (a chain); the message names
            the key.

        Examples
        --------
        >>> from moralgraph import MoralGraph, ValueCard, WiserVote
        >>> cards = [ValueCard("care", "Care", "", ["feelings"], authors=["ann"]),
        ...          ValueCard("kindness", "Kindness", "", ["feelings"], authors=["bob"]),
        ...          ValueCard("agency", "Agency", "", ["options"], authors=["cy"])]
        >>> g = MoralGraph(cards, [WiserVote("ann", "care", "agency", "c1", "unsure"),
        ...                        WiserVote("ann", "kindness", "agency", "c1", "wiser"),
        ...                        WiserVote("bob", "care", "kindness", "c1", "wiser")])
        >>> merge = g.merge_values({"kindness": "care"})
        >>> merge
        Merge(MoralGraph(2 values, 1 votes, 1 contexts), dropped=1, replaced=1)
        >>> merge.graph.values[0].authors, merge.graph.votes[0].verdict
        (('ann', 'bob'), 'wiser')
        >>> g.merge_values({"kindness": "compassion"})
        Traceback (most recent call last):
        ...
        moralgraph._errors.MoralGraphError: The 'mapping' parameter of merge_values must map \
to value ids of the graph. Got 'kindness' -> 'compassion', which is not one.
        """
        from ._merge import merge_values

        return merge_values(self, mapping)

    def legitimacy(
        self, context: object = None, method: str = "flow", k: int = 1, *,
        propagation: float = 0.85,
    ) -> pd.DataFrame:
        """How the participants stand behind the ``k`` wisest values of :meth:`scores`.

        Only the votes in ``context`` count (all votes if None). For a winning value V and
        another card U, the evidence that V is wiser than U is counted as the flow method
        does: "wiser" on (U → V) is for V; "not_wiser" on (U → V) and "wiser" on (V → U)
        are against V ("not_wiser" on (V → U) says nothing about U being less wise).

        Parameters
        ----------
        context : context id, list of ids or None
            As in :meth:`scores`.
        method : {"flow", "mai"}, default "flow"
        k : int, default 1
            How many winning values (at least 1; fewer rows if fewer values are scored).
        propagation : float in [0, 1), default 0.85
            As in :meth:`scores`.

        Returns
        -------
        pandas.DataFrame
            One row per winning value, highest score first, columns:

            - ``value``, ``title``, ``score``;
            - ``cards_beaten``: the cards U that V was judged wiser than: more votes for V
              than against it on the pair (U, V);
            - ``judged_wiser_than_own``: the participants whose own card (they are among
              its ``authors``) is one of the cards beaten, not counting the authors of V;
            - ``participants_judging``: the participants with a "wiser" or "not_wiser" vote
              on an edge into or out of V ("unsure" is no judgement);
            - ``participants_agreeing``: those of them whose votes on V's edges support V
              more often than they oppose it. Support: "wiser" into V, "not_wiser" out of
              V; opposition: "not_wiser" into V, "wiser" out of V;
            - ``share_agreeing``: ``participants_agreeing / participants_judging`` (NaN when
              nobody judged V's edges).

        Raises
        ------
        MoralGraphError
            A bad ``context``, ``method``, ``k`` or ``propagation``, or a graph without
            values or votes (as :meth:`scores`).

        Examples
        --------
        >>> from moralgraph import MoralGraph, ValueCard, WiserVote
        >>> cards = [ValueCard("comfort", "Comfort", "", ["feelings"], authors=["ann", "cy"]),
        ...          ValueCard("agency", "Agency", "", ["options"], authors=["bob"])]
        >>> votes = [WiserVote("ann", "comfort", "agency", "c1", "wiser"),
        ...          WiserVote("bob", "comfort", "agency", "c1", "wiser"),
        ...          WiserVote("cy", "comfort", "agency", "c1", "not_wiser")]
        >>> g = MoralGraph(cards, votes)
        >>> g.legitimacy("c1").drop(columns=["title", "score"]).to_dict("records")[0]
        {'value': 'agency', 'cards_beaten': 1, 'judged_wiser_than_own': 2, \
'participants_judging': 3, 'participants_agreeing': 2, 'share_agreeing': 0.6666666666666666}
        """
        from ._legitimacy import legitimacy

        return legitimacy(self, context, method, k, propagation=propagation)

    def contexts_for(self, prompt: str, embedder: Any, top: int = 3, *,
                     min_similarity: float | None = None) -> list[str]:
        """f(G_M, p): the ``top`` contexts most similar to ``prompt`` (embedding cosine),
        optionally only those at least ``min_similarity`` similar.

        See :func:`moralgraph._views.contexts_for`.
        """
        from ._views import contexts_for

        return contexts_for(self, prompt, embedder, top, min_similarity=min_similarity)

    def context_similarity(self, prompt: str, embedder: Any) -> Any:
        """The cosine similarity of ``prompt`` to each context (a pandas Series by id).

        See :func:`moralgraph._views.context_similarity`.
        """
        from ._views import context_similarity

        return context_similarity(self, prompt, embedder)

    def principles(
        self, prompt_or_contexts: str | Sequence[str], k: int = 3, *, embedder: Any = None,
        method: str = "flow", propagation: float = 0.85,
    ) -> list[str]:
        """Constitution-style principles from the ``k`` wisest values' policies per context.

        See :func:`moralgraph._targets.principles`.
        """
        from ._targets import principles

        return principles(self, prompt_or_contexts, k, embedder=embedder, method=method,
                          propagation=propagation)

    def to_networkx(self, context: Any = None) -> Any:
        """A ``networkx.DiGraph``: values as nodes, less wise -> wiser edges with weights.

        See :func:`moralgraph._export.to_networkx`.
        """
        from ._export import to_networkx

        return to_networkx(self, context)

    def to_graphml(self, path: str | os.PathLike[str], context: Any = None) -> None:
        """Write :meth:`to_networkx` as GraphML (policies joined by line breaks)."""
        from ._export import to_graphml

        to_graphml(self, path, context)

    def to_mai_json(self, indent: int | None = 2) -> str:
        """The graph in the Meaning Alignment Institute's export format (every voted pair).

        See :func:`moralgraph._mai_json.to_mai_json`; :func:`moralgraph.read_mai_json` reads
        it back with the same edge statistics.
        """
        from ._mai_json import to_mai_json

        return to_mai_json(self, indent)

    # -- pictures (moralgraph._plot) -----------------------------------------------------------
    def plot(self, context: Any = None, **kw: Any) -> Any:
        """A matplotlib figure of the graph: wiser values higher, edge width by weight.

        Rows by flow score in ``context`` (None: all contexts pooled); keyword arguments
        (``propagation``, ``min_weight``, ``per_row``, ``wrap``, ``fontsize``, ``title``) go
        to :func:`moralgraph._plot.plot`, which documents the layout. A context without
        votes raises :class:`MoralGraphError`.
        """
        from ._plot import plot

        return plot(self, context, **kw)
