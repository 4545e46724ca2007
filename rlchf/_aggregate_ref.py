"""A slow reference for :func:`rlchf.aggregate_pairs`, written straight from the definition.

One prompt at a time: its responses sorted by id (by text for pairwise data), its evaluators'
ballots as a :class:`socialchoice.Profile` (ranking data) or its margins summed judgment by judgment
(pairwise data), the collective ranking from :func:`socialchoice.ranking` or by repeated
:func:`socialchoice.winners` on sub-elections, and the pairs read off it. The tests check the
batched implementation against it; nothing else uses it.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

import socialchoice as sc

from ._aggregate import COLUMNS, MAJORITY

__all__ = ["aggregate_pairs_ref"]


def _ranking_profile(g: pd.DataFrame) -> tuple[list, list, sc.Profile, np.ndarray, int]:
    """Response ids and texts, the Profile over slots 0..m-1, margins and evaluator count."""
    ids = sorted(set(g["response_id"]))
    slot = {r: i for i, r in enumerate(ids)}
    texts = [g.loc[g["response_id"] == r, "response"].iloc[0] for r in ids]
    ballots = []
    for _, a in g.groupby("annotator_id", sort=False):
        tiers: dict[int, list[int]] = defaultdict(list)
        for r, k in zip(a["response_id"], a["rank"], strict=True):
            tiers[int(k)].append(slot[r])
        ballots.append([tuple(tiers[k]) if len(tiers[k]) > 1 else tiers[k][0]
                        for k in sorted(tiers)])
    profile = sc.Profile(ballots, candidates=list(range(len(ids))))
    # margins from the pairs each evaluator ranked both of
    M = np.zeros((len(ids), len(ids)), dtype=np.int64)
    for _, a in g.groupby("annotator_id", sort=False):
        ranked = {slot[r]: int(k) for r, k in zip(a["response_id"], a["rank"], strict=True)}
        for x, kx in ranked.items():
            for y, ky in ranked.items():
                M[x, y] += (kx < ky) - (kx > ky)
    return ids, texts, profile, M, len(ballots)


def _pairwise_margins(g: pd.DataFrame) -> tuple[list, list, None, np.ndarray, int]:
    """Texts (they are the ids), no profile, margins with repeated judgments averaged."""
    texts = sorted({*g["response_a"], *g["response_b"]})
    slot = {t: i for i, t in enumerate(texts)}
    M = np.zeros((len(texts), len(texts)))
    judged: dict[tuple, list[float]] = defaultdict(list)
    for a, b, label, ann in zip(g["response_a"], g["response_b"], g["label"],
                                g["annotator_id"], strict=True):
        i, j = slot[a], slot[b]
        s = 2 * label - 1
        key = (ann, min(i, j), max(i, j))
        judged[key].append(s if i < j else -s)
    for (_, i, j), votes in judged.items():
        M[i, j] += np.mean(votes)
        M[j, i] -= np.mean(votes)
    return texts, texts, None, M, g["annotator_id"].nunique()


def _sub_profile(profile: sc.Profile, keep: list[int]) -> sc.Profile:
    """The profile restricted to candidates ``keep`` (relabelled 0..k-1)."""
    new = {c: i for i, c in enumerate(keep)}
    ballots = []
    for ballot in profile.ballots:
        out = []
        for tier in ballot:
            members = [new[c] for c in (tier if isinstance(tier, tuple) else (tier,)) if c in new]
            if members:
                out.append(tuple(members) if len(members) > 1 else members[0])
        ballots.append(out)
    return sc.Profile(ballots, counts=list(profile.counts), candidates=list(range(len(keep))))


def _tiers(rule: sc.Rule, profile: sc.Profile | None, M: np.ndarray,
           time_limit: float | None) -> list[list[int]]:
    """The collective ranking as tiers of slots, best first."""
    data = profile if rule.needs == "profile" else M
    if rule.order is not None:
        return sc.ranking(data, rule.name, time_limit=time_limit)
    remaining, tiers = list(range(M.shape[0])), []
    while remaining:
        if len(remaining) == 1:
            won = [0]
        elif rule.needs == "profile":
            won = sc.winners(_sub_profile(profile, remaining), rule.name, time_limit=time_limit)
        else:
            won = sc.winners(M[np.ix_(remaining, remaining)], rule.name, time_limit=time_limit)
        tiers.append([remaining[i] for i in won])
        remaining = [c for i, c in enumerate(remaining) if i not in set(won)]
    return tiers


def _prompt_pairs(rule: str, tiers: list[list[int]] | None, M: np.ndarray, ids: list,
                  pairs: str, tie_break: str) -> list[tuple[int, int]]:
    if tiers is None:  # pairwise majority
        m = M.shape[0]
        return [(i, j) if M[i, j] > 0 else (j, i)
                for i in range(m) for j in range(i + 1, m) if M[i, j] != 0]
    if tie_break == "response_id":
        tiers = [[c] for t in tiers for c in sorted(t, key=lambda c: ids[c])]
    tiers = [sorted(t) for t in tiers]
    out = []
    for k, tier in enumerate(tiers):
        below = tiers[k + 1: k + 2] if pairs == "adjacent" else tiers[k + 1:]
        out += [(a, b) for a in tier for lower in below for b in lower]
    return out


def aggregate_pairs_ref(data: object, rule: str = "copeland", *, pairs: str = "all",
                        tie_break: str = "none",
                        time_limit: float | None = sc.DEFAULT_TIME_LIMIT) -> pd.DataFrame:
    """:func:`rlchf.aggregate_pairs` one prompt at a time (valid input only)."""
    frame = data.frame
    build = _ranking_profile if data.kind == "ranking" else _pairwise_margins
    r = None if rule == MAJORITY else sc.RULES[rule]
    rows = []
    for pid, g in frame.groupby("prompt_id", sort=False):
        ids, texts, profile, M, n = build(g)
        tiers = None if r is None else _tiers(r, profile, M, time_limit)
        for a, b in _prompt_pairs(rule, tiers, M, ids, pairs, tie_break):
            rows.append((pid, g["prompt"].iloc[0], texts[a], texts[b], M[a, b] / n))
    return pd.DataFrame(rows, columns=COLUMNS).astype({"margin": np.float64})
