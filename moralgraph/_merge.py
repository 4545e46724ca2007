"""Merging near-duplicate value cards into canonical ones, rewiring the votes.

:func:`dedupe_values` proposes which cards say the same thing (its ``mapping``);
:func:`merge_values` applies such a mapping to a :class:`~moralgraph.MoralGraph` and says
exactly what happened to every vote, so nothing is lost silently.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from _common.validation import parameter_error, show

from ._errors import MoralGraphError
from ._graph import MoralGraph
from ._model import ValueCard, WiserVote

__all__ = ["Merge", "merge_values"]

_FUNC = "merge_values"


@dataclass(frozen=True)
class Merge:
    """The outcome of :meth:`MoralGraph.merge_values`.

    Attributes
    ----------
    graph : MoralGraph
        The merged graph: merged cards gone, their votes pointing at the canonical cards.
    dropped : tuple of WiserVote
        The votes (as they were before the merge) between two cards merged into the same
        canonical card: they became self-loops and were dropped.
    replaced : tuple of WiserVote
        The votes (as they were before the merge) that a later vote by the same participant
        on the same rewired ordered pair replaced (the graph's replacement rule).
    """

    graph: MoralGraph
    dropped: tuple[WiserVote, ...]
    replaced: tuple[WiserVote, ...]

    def __repr__(self) -> str:
        return (
            f"Merge({self.graph!r}, dropped={len(self.dropped)}, "
            f"replaced={len(self.replaced)})"
        )


def _canonical(graph: MoralGraph, mapping: Any) -> dict[str, str]:
    """Every value id of ``graph`` -> its canonical id, after checking ``mapping``."""
    if not isinstance(mapping, Mapping):
        raise parameter_error(
            "mapping", _FUNC, "a mapping of value id to canonical value id (e.g. "
            "Deduplication.mapping)", mapping, MoralGraphError,
        )
    ids = {card.id for card in graph.values}
    for key, target in mapping.items():
        if key not in ids:
            raise MoralGraphError(
                f"The 'mapping' parameter of {_FUNC} must map value ids of the graph. "
                f"Got the key {show(key)}, which is not one."
            )
        if not isinstance(target, str) or target not in ids:
            raise MoralGraphError(
                f"The 'mapping' parameter of {_FUNC} must map to value ids of the graph. "
                f"Got {show(key)} -> {show(target)}, which is not one."
            )
        onward = mapping.get(target, target)
        if onward != target:
            raise MoralGraphError(
                f"The 'mapping' parameter of {_FUNC} must map each id straight to a canonical "
                f"card (chains are not followed). Got {show(key)} -> {show(target)} while "
                f"{show(target)} -> {show(onward)}."
            )
    return {i: mapping.get(i, i) for i in (card.id for card in graph.values)}


def _cards(graph: MoralGraph, canonical: dict[str, str]) -> list[ValueCard]:
    """The canonical cards in graph order, each with the authors of its cluster united."""
    authors: dict[str, dict[str, None]] = {}
    for card in graph.values:
        authors.setdefault(canonical[card.id], {}).update(dict.fromkeys(card.authors))
    return [
        dataclasses.replace(card, authors=tuple(authors[card.id]))
        for card in graph.values
        if canonical[card.id] == card.id
    ]


def merge_values(graph: MoralGraph, mapping: Mapping[str, str]) -> Merge:
    """Merge value cards into canonical ones and rewire the votes. See
    :meth:`MoralGraph.merge_values`.

    Examples
    --------
    >>> from moralgraph import MoralGraph, ValueCard, WiserVote
    >>> cards = [ValueCard(i, i.title(), "", ["x"], authors=[f"{i}1"]) for i in "abc"]
    >>> g = MoralGraph(cards, [WiserVote("ann", "a", "c", "c1", "wiser"),
    ...                        WiserVote("bob", "b", "a", "c1", "wiser")])
    >>> merge_values(g, {"b": "a"})
    Merge(MoralGraph(2 values, 1 votes, 1 contexts), dropped=1, replaced=0)
    """
    canonical = _canonical(graph, mapping)
    dropped: list[WiserVote] = []
    replaced: list[WiserVote] = []
    kept: dict[tuple[str, str, str], tuple[WiserVote, WiserVote]] = {}
    for vote in graph.votes:
        to_from, to_to = canonical[vote.from_value], canonical[vote.to_value]
        if to_from == to_to:
            dropped.append(vote)
            continue
        key = (vote.participant, to_from, to_to)
        if key in kept:  # the later vote replaces the earlier one and takes its place
            replaced.append(kept.pop(key)[0])
        kept[key] = (vote, dataclasses.replace(vote, from_value=to_from, to_value=to_to))
    merged = MoralGraph(
        _cards(graph, canonical), [new for _, new in kept.values()], graph.contexts
    )
    return Merge(merged, tuple(dropped), tuple(replaced))
