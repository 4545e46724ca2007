"""RLCHF variant 1 at scale: ``aggregate_pairs`` with Copeland on a million prompts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def _labels(prefix: str, numbers: np.ndarray, suffix: str = "") -> pa.Array:
    """``prefix + str(number) + suffix`` for each number, as an Arrow string array."""
    text = pc.cast(pa.array(numbers), pa.string())
    return pc.binary_join_element_wise(prefix, text, suffix, "")


def write_data(path, prompts: int, rng: np.random.Generator, *, responses: int = 4,
               evaluators: int = 5, pool: int = 1000) -> None:
    """A ranking Parquet file: ``prompts`` x ``responses`` x ``evaluators`` rows.

    Each prompt's responses have a latent quality; each evaluator ranks them by quality plus
    Gaussian noise (Thurstone), so collective rankings are informative but not unanimous.
    Evaluators are drawn from a pool of ``pool`` annotator ids; rows come prompt by prompt,
    evaluator by evaluator.
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
    import pyarrow.parquet as pq

    pq.write_table(table, path)
