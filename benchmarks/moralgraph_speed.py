"""Moral graph: flow scoring of 100,000 values, 1,000,000 votes, 50 contexts, against networkx.

Ours: :func:`moralgraph._flow.flow_scores` solves every context at once (one stacked sparse
iteration) and pools the contexts by their numbers of votes, which is what
``MoralGraph.scores(context=None)`` returns. networkx: :func:`networkx.pagerank` context by
context on the same graphs (every value a node, the positive-weight edges of
:func:`moralgraph._flow.edge_weights`), with the same damping, personalization and dangling
distribution (uniform). Both are checked against each other context by context (ours scoring
one context's votes) and pooled, to 1e-8.

The votes are drawn as arrays (latent wisdom per value and context, Thurstone verdicts, 10%
"unsure"), not as a million ``WiserVote`` objects; building a :class:`moralgraph.MoralGraph`
from them (from objects and from DataFrames) is timed separately, and so is the public
``g.scores()``. Run on its own (``python benchmarks/moralgraph_speed.py``) it replaces its
section of benchmarks/RESULTS.md; ``benchmarks/run.py`` includes it in the full report.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd
from _timing import best_time

from moralgraph import MoralGraph, ValueCard, WiserVote
from moralgraph._flow import edge_weights, flow_scores

TITLE = "### Moral graph: flow scoring speed vs networkx.pagerank (moralgraph/)"
SEED = 2026
PROPAGATION = 0.85
FULL = (100_000, 1_000_000, 50)
QUICK = (10_000, 100_000, 10)


def synthetic_votes(
    n_values: int, n_votes: int, n_contexts: int, rng: np.random.Generator
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """``n_votes`` votes on random ordered pairs, drawn as arrays; value and context ids.

    Latent wisdom is standard normal per value and context; a vote on (A -> B) says "unsure"
    with probability 0.1, else "wiser" with probability Φ((w_B − w_A)/√2). Each of
    ``n_votes // 100`` participants votes about 100 times; a participant's repeated ordered
    pair keeps its last vote (the graph's replacement rule), so the frame needs no replacing.
    """
    n_people = max(1, n_votes // 100)
    wisdom = rng.standard_normal((n_values, n_contexts))
    a = rng.integers(n_values, size=n_votes)
    b = rng.integers(n_values - 1, size=n_votes)
    b += b >= a
    ctx = rng.integers(n_contexts, size=n_votes)
    who = rng.integers(n_people, size=n_votes)
    perceived = wisdom[b, ctx] - wisdom[a, ctx] + np.sqrt(2.0) * rng.standard_normal(n_votes)
    verdict = np.where(
        rng.random(n_votes) < 0.1, "unsure", np.where(perceived > 0, "wiser", "not_wiser")
    )
    key = (who.astype(np.int64) * n_values + a) * n_values + b
    last = n_votes - 1 - np.unique(key[::-1], return_index=True)[1]
    keep = np.sort(last)
    values = [f"v{i}" for i in range(n_values)]
    contexts = [f"c{j}" for j in range(n_contexts)]
    frame = pd.DataFrame(
        {
            "participant": np.array([f"p{q}" for q in range(n_people)], dtype=object)[who[keep]],
            "from_value": np.array(values, dtype=object)[a[keep]],
            "to_value": np.array(values, dtype=object)[b[keep]],
            "context": np.array(contexts, dtype=object)[ctx[keep]],
            "verdict": verdict[keep].astype(object),
        }
    )
    return frame, values, contexts


def networkx_scores(
    votes: pd.DataFrame, values: list[str], contexts: list[str], alpha: float
) -> tuple[dict[str, np.ndarray], float, float]:
    """networkx.pagerank per context (scores aligned with ``values``), build and run seconds."""
    weights = edge_weights(votes, values)
    weights = weights[weights["weight"] > 0]
    uniform = dict.fromkeys(values, 1.0)
    out, build, run = {}, 0.0, 0.0
    for context, edges in weights.groupby("context", sort=False):
        t0 = time.perf_counter()
        graph = nx.DiGraph()
        graph.add_nodes_from(values)
        graph.add_weighted_edges_from(
            zip(edges["from_value"], edges["to_value"], edges["weight"], strict=True)
        )
        t1 = time.perf_counter()
        rank = nx.pagerank(
            graph,
            alpha=alpha,
            personalization=uniform,
            dangling=uniform,
            weight="weight",
            tol=1e-15,
            max_iter=10_000,
        )
        t2 = time.perf_counter()
        build, run = build + t1 - t0, run + t2 - t1
        out[str(context)] = np.array([rank[v] for v in values])
    for context in contexts:  # a context whose edges all have weight 0: the base
        out.setdefault(context, np.full(len(values), 1.0 / len(values)))
    return out, build, run


@dataclass
class SpeedResult:
    """Seconds and agreement of one run of :func:`measure` (see the module docstring)."""

    n_values: int
    n_votes: int
    n_contexts: int
    ours_all: float
    ours_each: float
    nx_build: float
    nx_run: float
    diff_each: float
    diff_pooled: float
    rel_each: float
    graph: dict[str, float] = field(default_factory=dict)
    load: float = field(default_factory=lambda: os.getloadavg()[0])


def _aligned(series: pd.Series, values: list[str]) -> np.ndarray:
    return series.reindex(values).to_numpy(dtype=np.float64)


def _public_api(votes: pd.DataFrame, values: list[str], contexts: list[str]) -> tuple:
    """Seconds to build the graph (objects, then from frames) and to run ``g.scores()``."""
    t0 = time.perf_counter()
    cards = [ValueCard(v, v, "", ("a policy",)) for v in values]
    rows = zip(*(votes[c].to_numpy() for c in votes.columns), strict=True)
    objects = [WiserVote(*row) for row in rows]
    t1 = time.perf_counter()
    graph = MoralGraph(cards, objects, contexts)
    t2 = time.perf_counter()
    del objects
    table = pd.DataFrame({"id": values, "title": values, "description": "", "policies": "p"})
    t3 = time.perf_counter()
    MoralGraph.from_frames(table, votes, contexts)
    t4 = time.perf_counter()
    frame_seconds = best_time(graph.votes_frame, repeat=1)
    t5 = time.perf_counter()
    scores = graph.scores()
    t6 = time.perf_counter()
    seconds = {
        "objects": t1 - t0,
        "graph": t2 - t1,
        "from_frames": t4 - t3,
        "votes_frame": frame_seconds,
        "scores": t6 - t5,
    }
    return seconds, scores


def measure(
    n_values: int,
    n_votes: int,
    n_contexts: int,
    rng: np.random.Generator,
    *,
    repeat: int = 3,
    public_api: bool = True,
) -> SpeedResult:
    """Time ours (all contexts at once; context by context) and networkx; compare scores."""
    votes, values, contexts = synthetic_votes(n_values, n_votes, n_contexts, rng)
    pooled = flow_scores(votes, values, propagation=PROPAGATION)  # warm-up and the check
    ours_all = best_time(lambda: flow_scores(votes, values, propagation=PROPAGATION), repeat)
    parts = {str(c): part for c, part in votes.groupby("context", sort=False)}
    t0 = time.perf_counter()
    each = {c: flow_scores(part, values, propagation=PROPAGATION) for c, part in parts.items()}
    ours_each = time.perf_counter() - t0
    theirs, nx_build, nx_run = networkx_scores(votes, values, contexts, PROPAGATION)
    diffs = [np.abs(_aligned(each[c], values) - theirs[c]) for c in parts]
    rel = [d / theirs[c] for d, c in zip(diffs, parts, strict=True)]
    counts = {c: len(part) for c, part in parts.items()}
    mixed = sum(counts[c] * theirs[c] for c in parts) / sum(counts.values())
    result = SpeedResult(
        n_values,
        len(votes),
        n_contexts,
        ours_all,
        ours_each,
        nx_build,
        nx_run,
        diff_each=float(max(d.max() for d in diffs)),
        diff_pooled=float(np.abs(_aligned(pooled, values) - mixed).max()),
        rel_each=float(max(r.max() for r in rel)),
    )
    if public_api:
        result.graph, public = _public_api(votes, values, contexts)
        result.graph["public_diff"] = float(
            np.abs(_aligned(public, values) - _aligned(pooled, values)).max()
        )
    result.load = os.getloadavg()[0]
    return result


def _lines(r: SpeedResult) -> list[str]:
    nx_total = r.nx_build + r.nx_run
    size = f"{r.n_values:,} values, {r.n_votes:,} votes, {r.n_contexts} contexts"
    lines = [
        TITLE,
        "",
        f'Flow scoring (`method="flow"`, propagation {PROPAGATION}, uniform base, '
        f"tol 1e-12) of {size} (seed {SEED}; random ordered pairs, Thurstone verdicts on a "
        "latent wisdom per context, 10% unsure). networkx 3 `pagerank` runs context by "
        "context on the same graphs (every value a node, the edges of positive Bayesian "
        "weight), with the same damping, personalization and dangling distribution, "
        "tol 1e-15; its graphs are built from our `edge_weights` (not timed on our side "
        "either way). Ours: best of 3; networkx: one pass. Load average at the end of the "
        f"run: {r.load:.1f} on 2 cores shared with other work (wall-clock times grow with it).",
        "",
        "| computation | seconds | networkx / ours | max abs diff vs networkx |",
        "|---|---:|---:|---:|",
        f"| ours, all contexts at once, pooled by votes (`flow_scores(votes, values)`) "
        f"| {r.ours_all:.2f} | {r.nx_run / r.ours_all:,.0f}× | {r.diff_pooled:.1e} |",
        f"| ours, context by context (`flow_scores` on each context's votes) "
        f"| {r.ours_each:.2f} | {r.nx_run / r.ours_each:,.1f}× | {r.diff_each:.1e} |",
        f"| networkx.pagerank, context by context (graphs prebuilt) | {r.nx_run:.2f} | 1× | — |",
        f"| networkx: building the {r.n_contexts} DiGraphs | {r.nx_build:.2f} | — | — |",
        f"| networkx: graphs + pagerank | {nx_total:.2f} | {nx_total / r.ours_all:,.0f}× | — |",
        "",
        f"Same scores: the largest absolute difference over all values and contexts is "
        f"{r.diff_each:.1e} (relative {r.rel_each:.1e}; a score is about "
        f"{1 / r.n_values:.0e}); pooled, ours against the vote-weighted mean of networkx's "
        f"per-context scores, {r.diff_pooled:.1e}. Goal: under 2 s for all contexts — "
        f"{'met' if r.ours_all < 2 else 'NOT met'} ({r.ours_all:.2f} s).",
    ]
    if r.graph:
        g = r.graph
        lines += [
            "",
            "**Through the public API** (one run each):",
            "",
            "| step | seconds |",
            "|---|---:|",
            f"| {r.n_votes:,} `WiserVote` + {r.n_values:,} `ValueCard` objects (validated) "
            f"| {g['objects']:.2f} |",
            f"| `MoralGraph(cards, votes, contexts)` (ids checked, replacement rule) "
            f"| {g['graph']:.2f} |",
            f"| `MoralGraph.from_frames(values, votes)` (both steps from DataFrames) "
            f"| {g['from_frames']:.2f} |",
            f"| `g.votes_frame()` (objects back to a table) | {g['votes_frame']:.2f} |",
            f"| `g.scores()` (all contexts; includes `votes_frame`) | {g['scores']:.2f} |",
            "",
            f"`g.scores()` equals `flow_scores` on the table to {g['public_diff']:.1e}. It "
            "rebuilds the votes table from the vote objects on every call (`g.votes_frame()`, "
            f"{g['votes_frame']:.2f} s here), then scores it as `flow_scores` does "
            f"({r.ours_all:.2f} s).",
        ]
    return lines


def moralgraph_speed(quick: bool = False) -> list[str]:
    """The RESULTS.md section: full size (100k values, 1M votes, 50 contexts) or quick."""
    n_values, n_votes, n_contexts = QUICK if quick else FULL
    rng = np.random.default_rng(SEED)
    return _lines(measure(n_values, n_votes, n_contexts, rng))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="10,000 values, 100,000 votes")
    args = ap.parse_args()
    from _results import write_section

    write_section(moralgraph_speed(args.quick))


if __name__ == "__main__":
    main()
