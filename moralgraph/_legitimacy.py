"""Legitimacy statistics of the winning values: who lost to them, and who agreed.

A score says which value wins; these statistics say how the participants stand behind it
(Klingefjord, Lowe & Edelman 2024, arXiv 2404.10636, §5 reports such figures for their
deliberation: how often participants judged the winning value wiser than their own).
Definitions are in :func:`legitimacy` and docs/reference.md §7.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from _common.validation import check_choice, check_int

from ._contexts import context_ids
from ._errors import MoralGraphError
from ._scoring import METHODS, scores

if TYPE_CHECKING:  # pragma: no cover
    from ._graph import MoralGraph

__all__ = ["LEGITIMACY_COLUMNS", "legitimacy"]

LEGITIMACY_COLUMNS = (
    "value",
    "title",
    "score",
    "cards_beaten",
    "judged_wiser_than_own",
    "participants_judging",
    "participants_agreeing",
    "share_agreeing",
)
_SIGN = {"wiser": 1, "not_wiser": -1, "unsure": 0}


def _one(votes: pd.DataFrame, value: str, authors: dict[str, tuple[str, ...]]) -> list:
    """cards_beaten, judged_wiser_than_own, judging, agreeing for ``value``."""
    into = votes[votes["to_value"] == value]
    out = votes[votes["from_value"] == value]
    sign_in = into["verdict"].map(_SIGN).to_numpy(dtype=np.int64)
    sign_out = out["verdict"].map(_SIGN).to_numpy(dtype=np.int64)
    # Evidence per other card u, as the flow counts it: "wiser" on (u -> value) is for
    # `value`; "not_wiser" on (u -> value) and "wiser" on (value -> u) are against it.
    other = np.concatenate([into["from_value"].to_numpy(), out["to_value"].to_numpy()])
    evidence = np.concatenate([sign_in, -np.maximum(sign_out, 0)])
    net = pd.Series(evidence, dtype=np.int64).groupby(other).sum()
    beaten = [u for u, n in net.items() if n > 0]
    losers = {p for u in beaten for p in authors[u]} - set(authors[value])
    # Per participant: votes supporting `value` minus votes opposing it (unsure: neither).
    who = np.concatenate([into["participant"].to_numpy(), out["participant"].to_numpy()])
    support = np.concatenate([sign_in, -sign_out])
    informative = support != 0
    per = pd.DataFrame({"who": who[informative], "s": support[informative]})
    balance = per.groupby("who")["s"].sum()
    return [len(beaten), len(losers), len(balance), int((balance > 0).sum())]


def legitimacy(
    graph: MoralGraph, context: object = None, method: str = "flow", k: int = 1, *,
    propagation: float = 0.85,
) -> pd.DataFrame:
    """Legitimacy statistics of the ``k`` wisest values. See :meth:`MoralGraph.legitimacy`.

    Examples
    --------
    >>> from moralgraph import MoralGraph, ValueCard, WiserVote
    >>> cards = [ValueCard("a", "A", "", ["x"], authors=["ann"]),
    ...          ValueCard("b", "B", "", ["y"], authors=["bob"])]
    >>> g = MoralGraph(cards, [WiserVote("ann", "a", "b", "c1", "wiser")])
    >>> legitimacy(g)[["value", "judged_wiser_than_own", "share_agreeing"]]
      value  judged_wiser_than_own  share_agreeing
    0     b                      1             1.0
    """
    func = "legitimacy"
    check_choice(method, "method", func, METHODS, error=MoralGraphError)
    ids = context_ids(graph, context, func)
    k = check_int(k, "k", func, 1, error=MoralGraphError)
    ranked = scores(graph, ids, propagation, method).iloc[:k]
    votes = graph.votes_frame()
    if ids is not None:
        votes = votes[votes["context"].isin(ids)]
    cards = {card.id: card for card in graph.values}
    authors = {i: card.authors for i, card in cards.items()}
    rows = []
    for value, score in ranked.items():
        beaten, losers, judging, agreeing = _one(votes, value, authors)
        share = agreeing / judging if judging else float("nan")
        rows.append([value, cards[value].title, float(score), beaten, losers, judging,
                     agreeing, share])
    frame = pd.DataFrame(rows, columns=list(LEGITIMACY_COLUMNS))
    ints = ["cards_beaten", "judged_wiser_than_own", "participants_judging",
            "participants_agreeing"]
    frame[ints] = frame[ints].astype(np.int64)
    frame["score"] = frame["score"].astype(np.float64)
    frame["share_agreeing"] = frame["share_agreeing"].astype(np.float64)
    return frame
