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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import networkx as nx
import numpy as np
import pandas as pd

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


class Seconds(NamedTuple):
    """Wall-clock and CPU (this process) seconds; CPU time is what a busy machine inflates
    less, and equals the wall-clock time on an idle one for this single-threaded code."""

    wall: float
    cpu: float

    def plus(self, start: Seconds, end: Seconds) -> Seconds:
        """These seconds plus the time from clock reading ``start`` to ``end``."""
        return Seconds(self.wall + end.wall - start.wall, self.cpu + end.cpu - start.cpu)


def _clock() -> Seconds:
    return Seconds(time.perf_counter(), time.process_time())


def _timed(fn: Callable[[], object], repeat: int = 1) -> tuple[Seconds, object]:
    """The fastest wall-clock and the fastest CPU time of ``repeat`` runs; the last result."""
    runs, result = [], None
    for _ in range(repeat):
        start = _clock()
        result = fn()
        runs.append(Seconds(0.0, 0.0).plus(start, _clock()))
    return Seconds(min(r.wall for r in runs), min(r.cpu for r in runs)), result


def networkx_scores(
    votes: pd.DataFrame, values: list[str], contexts: list[str], alpha: float
) -> tuple[dict[str, np.ndarray], Seconds, Seconds]:
    """networkx.pagerank per context (scores aligned with ``values``), build and run time."""
    weights = edge_weights(votes, values)
    weights = weights[weights["weight"] > 0]
    uniform = dict.fromkeys(values, 1.0)
    out, build, run = {}, Seconds(0.0, 0.0), Seconds(0.0, 0.0)
    for context, edges in weights.groupby("context", sort=False):
        t0 = _clock()
        graph = nx.DiGraph()
        graph.add_nodes_from(values)
        graph.add_weighted_edges_from(
            zip(edges["from_value"], edges["to_value"], edges["weight"], strict=True)
        )
        t1 = _clock()
        rank = nx.pagerank(
            graph,
            alpha=alpha,
            personalization=uniform,
            dangling=uniform,
            weight="weight",
            tol=1e-15,
            max_iter=10_000,
        )
        t2 = _clock()
        build, run = build.plus(t0, t1), run.plus(t1, t2)
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
    ours_all: Seconds
    ours_each: Seconds
    nx_build: Seconds
    nx_run: Seconds
    diff_each: float
    diff_pooled: float
    rel_each: float
    graph: dict[str, Seconds] = field(default_factory=dict)
    public_diff: float = float("nan")
    load: float = field(default_factory=lambda: os.getloadavg()[0])


def _aligned(series: pd.Series, values: list[str]) -> np.ndarray:
    return series.reindex(values).to_numpy(dtype=np.float64)


def _public_api(votes: pd.DataFrame, values: list[str], contexts: list[str]) -> tuple:
    """Time to build the graph (objects, then from frames) and to run ``g.scores()``."""
    rows = zip(*(votes[c].to_numpy() for c in votes.columns), strict=True)
    objects_time, (cards, objects) = _timed(
        lambda: (
            [ValueCard(v, v, "", ("a policy",)) for v in values],
            [WiserVote(*r) for r in rows],
        )
    )
    graph_time, graph = _timed(lambda o=objects: MoralGraph(cards, o, contexts))
    del objects
    table = pd.DataFrame({"id": values, "title": values, "description": "", "policies": "p"})
    frames_time, _ = _timed(lambda: MoralGraph.from_frames(table, votes, contexts))
    frame_time, _ = _timed(graph.votes_frame)
    scores_time, scores = _timed(graph.scores)
    seconds = {
        "objects": objects_time,
        "graph": graph_time,
        "from_frames": frames_time,
        "votes_frame": frame_time,
        "scores": scores_time,
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
    ours_all, _ = _timed(lambda: flow_scores(votes, values, propagation=PROPAGATION), repeat)
    parts = {str(c): part for c, part in votes.groupby("context", sort=False)}
    ours_each, each = _timed(
        lambda: {c: flow_scores(part, values, propagation=PROPAGATION) for c, part in parts.items()}
    )
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
        result.public_diff = float(
            np.abs(_aligned(public, values) - _aligned(pooled, values)).max()
        )
    result.load = os.getloadavg()[0]
    return result


def _t(s: Seconds) -> str:
    return f"{s.wall:.2f} | {s.cpu:.2f}"


def _lines(r: SpeedResult) -> list[str]:
    nx_total = Seconds(r.nx_build.wall + r.nx_run.wall, r.nx_build.cpu + r.nx_run.cpu)
    size = f"{r.n_values:,} values, {r.n_votes:,} votes, {r.n_contexts} contexts"
    met = "met" if r.ours_all.cpu < 2 else "NOT met"
    lines = [
        TITLE,
        "",
        f'Flow scoring (`method="flow"`, propagation {PROPAGATION}, uniform base, '
        f"tol 1e-12) of {size} (seed {SEED}; random ordered pairs, Thurstone verdicts on a "
        "latent wisdom per context, 10% unsure). networkx 3 `pagerank` runs context by "
        "context on the same graphs (every value a node, the edges of positive Bayesian "
        "weight), with the same damping, personalization and dangling distribution, "
        "tol 1e-15; its graphs are built from our `edge_weights` (not timed on our side "
        "either way). Ours: best of 3; networkx: one pass. Wall-clock and CPU seconds of "
        "this process: the load average was "
        f"{r.load:.1f} on 2 cores shared with other work, which stretches wall-clock time; "
        "the CPU time is what an idle machine's wall clock would show (the code is "
        "single-threaded). Ratios use CPU time.",
        "",
        "| computation | wall s | CPU s | networkx / ours | max abs diff vs networkx |",
        "|---|---:|---:|---:|---:|",
        f"| ours, all contexts at once, pooled by votes (`flow_scores(votes, values)`) "
        f"| {_t(r.ours_all)} | {r.nx_run.cpu / r.ours_all.cpu:,.0f}× | {r.diff_pooled:.1e} |",
        f"| ours, context by context (`flow_scores` on each context's votes) "
        f"| {_t(r.ours_each)} | {r.nx_run.cpu / r.ours_each.cpu:,.1f}× | {r.diff_each:.1e} |",
        f"| networkx.pagerank, context by context (graphs prebuilt) | {_t(r.nx_run)} | 1× | — |",
        f"| networkx: building the {r.n_contexts} DiGraphs | {_t(r.nx_build)} | — | — |",
        f"| networkx: graphs + pagerank | {_t(nx_total)} "
        f"| {nx_total.cpu / r.ours_all.cpu:,.0f}× | — |",
        "",
        f"Same scores: the largest absolute difference over all values and contexts is "
        f"{r.diff_each:.1e} (relative {r.rel_each:.1e}; a score is about "
        f"{1 / r.n_values:.0e}); pooled, ours against the vote-weighted mean of networkx's "
        f"per-context scores, {r.diff_pooled:.1e}. Goal: under 2 s for all contexts — "
        f"{met} ({r.ours_all.cpu:.2f} s of CPU, {r.ours_all.wall:.2f} s wall-clock).",
    ]
    if r.graph:
        g = r.graph
        lines += [
            "",
            "**Through the public API** (one run each):",
            "",
            "| step | wall s | CPU s |",
            "|---|---:|---:|",
            f"| {r.n_votes:,} `WiserVote` + {r.n_values:,} `ValueCard` objects (validated) "
            f"| {_t(g['objects'])} |",
            f"| `MoralGraph(cards, votes, contexts)` (ids checked, replacement rule) "
            f"| {_t(g['graph'])} |",
            f"| `MoralGraph.from_frames(values, votes)` (both steps from DataFrames) "
            f"| {_t(g['from_frames'])} |",
            f"| `g.votes_frame()` (objects back to a table) | {_t(g['votes_frame'])} |",
            f"| `g.scores()` (all contexts; includes `votes_frame`) | {_t(g['scores'])} |",
            "",
            f"`g.scores()` equals `flow_scores` on the table to {r.public_diff:.1e}. It "
            "rebuilds the votes table from the vote objects on every call (`g.votes_frame()`, "
            f"{g['votes_frame'].cpu:.2f} s of CPU here), then scores it as `flow_scores` does.",
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
