"""Slow, obviously-correct references for MAI's moral-graph scoring (for tests only).

Written straight from the steps of ``summarizeGraph`` and ``calculatePageRank``
(``meaningalignment/values-tools``, ``src/services/moral-graph.ts``; Klingefjord, Lowe &
Edelman 2024, arXiv:2404.10636) with plain dicts and loops, one vote at a time.
"""

from __future__ import annotations

import math

__all__ = ["_mai_edges_reference", "_mai_pagerank_reference", "_mai_wisdom_reference"]

_COUNT_KEYS = (
    "marked_wiser",
    "marked_not_wiser",
    "marked_less_wise",
    "marked_unsure",
    "impressions",
)


def _new_pair() -> dict:
    return {"contexts": [], "counts": dict.fromkeys(_COUNT_KEYS, 0)}


def _entropy(counts: dict) -> float:
    total = sum(counts.values())
    entropy = 0.0
    for count in counts.values():
        p = count / total
        if p > 0:
            entropy -= p * math.log2(p)
    return entropy


def _mai_edges_reference(
    votes: list[tuple], min_wiser: int = 2, keep_all: bool = False
) -> list[dict]:
    """Pairs from votes ``(from_value, to_value, context, verdict)``, in PairMap order."""
    pairs: dict[tuple, dict] = {}
    for a, b, ctx, verdict in votes:
        pair = pairs.setdefault((a, b), _new_pair())
        pair["contexts"].append(ctx)
        pair["counts"]["impressions"] += 1
        if verdict == "wiser":
            pair["counts"]["marked_wiser"] += 1
        if verdict == "not_wiser":
            pair["counts"]["marked_not_wiser"] += 1
        if verdict == "unsure":
            pair["counts"]["marked_unsure"] += 1
    for a, b, ctx, verdict in votes:  # the opposite direction
        pair = pairs.setdefault((b, a), _new_pair())
        pair["contexts"].append(ctx)
        pair["counts"]["impressions"] += 1
        if verdict == "wiser":
            pair["counts"]["marked_less_wise"] += 1
    out = []
    for (a, b), pair in pairs.items():
        c = pair["counts"]
        total = (
            c["marked_wiser"] + c["marked_not_wiser"] + c["marked_unsure"] + c["marked_less_wise"]
        )
        likelihood = (c["marked_wiser"] - c["marked_less_wise"]) / total if total else math.nan
        contexts: list = []
        for ctx in pair["contexts"]:
            if ctx not in contexts:
                contexts.append(ctx)
        row = {
            "from_value": a,
            "to_value": b,
            "contexts": tuple(contexts),
            **c,
            "wiser_likelihood": likelihood,
            "entropy": _entropy(c),
        }
        kept = (
            c["marked_wiser"] != 0
            and not likelihood < 0.33
            and not row["entropy"] > 1.69
            and not c["marked_wiser"] < min_wiser
        )
        if keep_all or kept:
            out.append(row)
    return out


def _mai_pagerank_reference(
    edges: list[tuple], damping: float = 0.85, iterations: int = 100
) -> dict:
    """Rank per node from kept edges ``(from_value, to_value, wiser_likelihood)``."""
    nodes: list = []
    for a, b, _ in edges:
        for node in (a, b):
            if node not in nodes:
                nodes.append(node)
    rank = {node: 1 / len(nodes) for node in nodes}
    for _ in range(iterations):
        new = {node: (1 - damping) / len(nodes) for node in nodes}
        for a, b, w in edges:
            total = 0.0
            for a2, _b2, w2 in edges:
                if a2 == a:
                    total += w2
            if total > 0:
                new[b] += damping * rank[a] * w / total
        rank = new
    return rank


def _mai_wisdom_reference(edges: list[tuple]) -> dict:
    """Sum of wiser_likelihood into each value, only those above 1."""
    sums: dict = {}
    for _a, b, w in edges:
        sums[b] = sums.get(b, 0.0) + w
    return {value: s for value, s in sums.items() if s > 1}
