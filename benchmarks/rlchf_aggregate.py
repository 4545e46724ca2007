"""RLCHF variant 1 at scale: ``aggregate_pairs`` with Copeland on a million prompts.

A Parquet file of 1,000,000 prompts x 4 responses x 5 evaluators (20 million rows) is read
with :func:`rlchf.read_preferences` (which validates it) and aggregated with
:func:`rlchf.aggregate_pairs`; beside it, a loop over pref_voting (a ``Profile`` per prompt,
``copeland_ranking``, the pairs and margins read off it) on a 1,000-prompt sample, whose pairs
must equal ours on those prompts. Run on its own (``python benchmarks/rlchf_aggregate.py``,
with the repository on ``PYTHONPATH``) it replaces its section of benchmarks/RESULTS.md;
``benchmarks/run.py --only rlchf`` does the same.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pref_voting import c1_methods as c1
from pref_voting.profiles import Profile as PVProfile

import rlchf

TITLE = "### RLCHF aggregate-then-train pairs (rlchf.aggregate_pairs)"
SEED = 2026


def _labels(prefix: str, numbers: np.ndarray, suffix: str = "") -> pa.Array:
    """``prefix + str(number) + suffix`` for each number, as an Arrow string array."""
    text = pc.cast(pa.array(numbers), pa.string())
    return pc.binary_join_element_wise(prefix, text, suffix, "")


def write_data(path: Path, prompts: int, rng: np.random.Generator, *, responses: int = 4,
               evaluators: int = 5, pool: int = 1000) -> np.ndarray:
    """A ranking Parquet file of ``prompts`` x ``responses`` x ``evaluators`` rows.

    Each prompt's responses have a latent quality; each evaluator ranks them by quality plus
    Gaussian noise (Thurstone), so collective rankings are informative but not unanimous.
    Evaluators are drawn from a pool of ``pool`` annotator ids; rows come prompt by prompt,
    evaluator by evaluator. Returns the ranks, shape (prompts, evaluators, responses).
    """
    P, m, n = prompts, responses, evaluators
    quality = rng.normal(size=(P, 1, m))
    noisy = quality + rng.normal(size=(P, n, m))
    rank = np.argsort(np.argsort(-noisy, axis=-1), axis=-1)
    p = np.repeat(np.arange(P), n * m)
    a = (rng.integers(0, pool, size=P)[:, None] + np.arange(n)[None, :]) % pool
    r = np.tile(np.arange(m), P * n)
    table = pa.table({
        "prompt_id": _labels("p", np.arange(P)).take(p),
        "prompt": _labels("Question number ", np.arange(P), "?").take(p),
        "response_id": r,
        "response": _labels("Answer ", np.arange(P * m), " in some words").take(p * m + r),
        "annotator_id": _labels("a", np.arange(pool)).take(np.repeat(a.ravel(), m)),
        "rank": rank.ravel(),
    })
    pq.write_table(table, path)
    return rank


def _timed(fn):
    """(result, wall seconds, CPU seconds of this process)."""
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def _pref_voting_pairs(ranks: np.ndarray) -> tuple[set, float, float]:
    """Pairs of each prompt under pref_voting's Copeland ranking, and the wall-clock and
    CPU seconds taken."""
    out = set()
    start, cpu = time.perf_counter(), time.process_time()
    for p in range(len(ranks)):
        prof = PVProfile(np.argsort(ranks[p], axis=1).tolist())
        level = c1.copeland_ranking(prof).rmap
        n = len(ranks[p])
        for a in level:
            for b in level:
                if level[a] < level[b]:
                    out.add((f"p{p}", f"Answer {4 * p + a} in some words",
                             f"Answer {4 * p + b} in some words", round(prof.margin(a, b) / n, 9)))
    return out, time.perf_counter() - start, time.process_time() - cpu


def rlchf_aggregate(quick: bool = False, sample: int = 1000, prompts: int | None = None
                    ) -> list[str]:
    """The section's Markdown lines (``prompts``: default 1,000,000, 100,000 if ``quick``)."""
    prompts = prompts or (100_000 if quick else 1_000_000)
    rng = np.random.default_rng(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rankings.parquet"
        ranks = write_data(path, prompts, rng)
        size = path.stat().st_size / 2**20
        load = os.getloadavg()[0]
        frame, read_w, read_c = _timed(lambda: pd.read_parquet(path))
        del frame
        data, prefs_w, prefs_c = _timed(lambda: rlchf.read_preferences(path, kind="ranking"))
        pairs, agg_w, agg_c = _timed(lambda: rlchf.aggregate_pairs(data, "copeland"))
    head = pairs[pairs["prompt_id"].isin([f"p{p}" for p in range(sample)])]
    ours = {(r.prompt_id, r.chosen, r.rejected, round(r.margin, 9))
            for r in head.itertuples(index=False)}
    c1.copeland_ranking(PVProfile([[0, 1], [1, 0]]))  # warm-up
    theirs, pv_w, pv_c = _pref_voting_pairs(ranks[:sample])
    ours_per, ours_cpu = agg_w / prompts * 1e6, agg_c / prompts * 1e6
    pv_per, pv_cpu = pv_w / sample * 1e6, pv_c / sample * 1e6
    total_w, total_c = prefs_w + agg_w, prefs_c + agg_c
    return [
        TITLE,
        "",
        f"{prompts:,} prompts × 4 responses × 5 evaluators ({prompts * 20:,} rows, a "
        f"{size:.0f} MiB Parquet file of prompt, response and annotator texts and ranks from "
        "a Thurstone model), read with `rlchf.read_preferences` (which validates the data) "
        "and aggregated with `rlchf.aggregate_pairs(data, \"copeland\")`: every pair the "
        "Copeland ranking orders, with its normalised margin. Wall-clock and CPU seconds of "
        "this process; the machine's load average was "
        f"{load:.1f} on {os.cpu_count()} cores when the run started, so wall-clock times "
        "include waiting for the CPU.",
        "",
        "| stage | wall (s) | CPU (s) |",
        "|---|---:|---:|",
        f"| `pandas.read_parquet` alone (for reference) | {read_w:.2f} | {read_c:.2f} |",
        f"| `read_preferences` (read + validate) | {prefs_w:.2f} | {prefs_c:.2f} |",
        f"| `aggregate_pairs` (Copeland, {len(pairs):,} pairs) | {agg_w:.2f} | {agg_c:.2f} |",
        f"| **end to end** | **{total_w:.2f}** | **{total_c:.2f}** |",
        "",
        "| | per prompt, wall (µs) | per prompt, CPU (µs) | speed-up wall / CPU | same pairs |",
        "|---|---:|---:|---:|---|",
        f"| ours, amortised over {prompts:,} prompts | {ours_per:.2f} | {ours_cpu:.2f} | | |",
        f"| pref_voting loop (`Profile`, `copeland_ranking`, margins) on {sample:,} prompts "
        f"| {pv_per:,.0f} | {pv_cpu:,.0f} | {pv_per / ours_per:,.0f}× / {pv_cpu / ours_cpu:,.0f}× "
        f"| {'yes' if ours == theirs else 'NO'} |",
        "",
        f"Goals: under 5 s end to end ({_met(total_w < 5)} in wall-clock time, "
        f"{_met(total_c < 5)} in CPU time; `aggregate_pairs` alone {_met(agg_w < 5)} / "
        f"{_met(agg_c < 5)}) and at least 50× faster per prompt than the pref_voting loop "
        f"({_met(pv_per / ours_per >= 50)} / {_met(pv_cpu / ours_cpu >= 50)}).",
    ]


def _met(ok: bool) -> str:
    return "met" if ok else "not met"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="100,000 prompts")
    args = ap.parse_args()
    from _results import write_section

    write_section(rlchf_aggregate(args.quick))


if __name__ == "__main__":
    main()
