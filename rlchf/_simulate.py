"""The vectorised core of :mod:`rlchf.synthetic`: latent utilities and judgments.

One call of :func:`simulate_block` draws a block of prompts: the ground truth (shared and
group components, contested flags) and every judgment of the block, with numpy arrays over
(prompt, annotator, response); no Python loop over prompts, annotators or rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ._errors import RLCHFError

__all__ = ["Params", "allocate", "annotator_sets", "simulate_block"]

#: Rejection rounds allowed before a contested draw is declared impossible.
_ROUNDS = 200
#: Words that make the texts of different responses embed differently.
WORDS = np.array(
    "amber brisk calm daring eager fair gentle honest ideal jolly keen lucid mellow noble "
    "open plain quick rare steady tidy urban vivid warm young zesty bold clear deep easy "
    "firm grand humble inner jade kind lively modest neat odd proud quiet round sharp "
    "tender upper vast wise exact yearly zonal candid direct formal casual terse verbose "
    "cautious playful".split()
)


@dataclass(frozen=True)
class Params:
    """Checked simulator parameters (see :func:`rlchf.synthetic.population`)."""

    n_responses: int
    annotators_per_prompt: int
    contested: float
    kind: str
    pairs: str
    model: str
    shared_scale: float
    group_scale: float
    noise: float


def allocate(shares: NDArray[np.float64], n: int) -> NDArray[np.int64]:
    """Largest-remainder counts of ``n`` items in proportion to ``shares`` (summing to 1).

    >>> allocate(np.array([0.5, 0.3, 0.2]), 7).tolist()
    [4, 2, 1]
    """
    exact = shares * n
    counts = np.floor(exact).astype(np.int64)
    rest = n - int(counts.sum())
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:rest]] += 1
    return counts


def annotator_sets(n_prompts: int, k: int, pool: int, rng: np.random.Generator) -> NDArray:
    """``(n_prompts, k)`` annotator indices, distinct within each prompt, uniform over sets.

    Rows with a repeated index are redrawn (vectorised rejection); when ``k`` is more than
    half the pool, a random permutation of the pool per prompt is cut instead.
    """
    if 2 * k > pool:
        return np.argsort(rng.random((n_prompts, pool)), axis=1)[:, :k]
    A = rng.integers(pool, size=(n_prompts, k))
    while True:
        s = np.sort(A, axis=1)
        dup = (s[:, 1:] == s[:, :-1]).any(axis=1)
        if not dup.any():
            return A
        A[dup] = rng.integers(pool, size=(int(dup.sum()), k))


def _truth(
    p: Params, n: int, n_groups: int, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Group utilities ``(G, n, R)`` and contested flags ``(n,)`` of a block of prompts.

    ``u[g, p, r] = shared_scale * S[p, r] + contested[p] * group_scale * C[g, p, r]`` with
    S, C standard normal; on a contested prompt, C is redrawn until the groups' favourite
    responses are not all the same.
    """
    R = p.n_responses
    S = p.shared_scale * rng.standard_normal((n, R))
    flags = np.zeros(n, dtype=bool)
    flags[rng.permutation(n)[: round(p.contested * n)]] = True
    C = np.zeros((n_groups, n, R))
    todo = np.flatnonzero(flags)
    for _ in range(_ROUNDS):
        C[:, todo] = p.group_scale * rng.standard_normal((n_groups, todo.size, R))
        top = (S[todo][None] + C[:, todo]).argmax(axis=-1)
        todo = todo[(top == top[0]).all(axis=0)]
        if todo.size == 0:
            return S[None] + C, flags
    raise RLCHFError(
        f"population could not draw contested prompts: after {_ROUNDS} draws the groups "
        f"still agreed on the best response of {todo.size} prompt(s). Raise group_scale "
        f"(now {p.group_scale:g}) relative to shared_scale (now {p.shared_scale:g}).")


def _perturbed(
    p: Params, U: NDArray, group_of: NDArray, A: NDArray, rng: np.random.Generator
) -> NDArray[np.float64]:
    """Each judging annotator's utilities ``(n, k, R)``: their group's plus noise.

    Gumbel noise of scale ``noise`` gives Plackett–Luce rankings and Bradley–Terry pairs;
    normal noise of standard deviation ``noise`` gives Thurstone rankings and pairs.
    """
    n, k = A.shape
    base = U[group_of[A], np.arange(n)[:, None]]
    size = (n, k, p.n_responses)
    if p.noise == 0:
        return base
    if p.model == "bradley_terry":
        return base + rng.gumbel(0.0, p.noise, size)
    return base + rng.normal(0.0, p.noise, size)


def _texts(offset: int, n: int, R: int, rng: np.random.Generator) -> tuple[Any, Any]:
    """Prompt texts ``(n,)`` and response texts ``(n * R,)`` (row ``p * R + r``) as Arrow
    string arrays, built with vectorised Arrow compute functions."""
    import pyarrow as pa
    import pyarrow.compute as pc

    pid = pa.array(np.arange(offset, offset + n)).cast(pa.string())
    words = pa.array(WORDS)
    tag = rng.integers(len(WORDS), size=(3, n * R))
    w = [pc.take(words, pa.array(t)) for t in tag]
    rid = pa.array(np.tile(np.arange(R), n)).cast(pa.string())
    prompt_of = pc.take(pid, pa.array(np.repeat(np.arange(n), R)))
    responses = pc.binary_join_element_wise(
        "Response ", rid, " to prompt ", prompt_of, ": ", w[0], " ", w[1], " ", w[2], "")
    return pc.binary_join_element_wise("Prompt ", pid, ""), responses


def _take(texts: Any, rows: NDArray) -> pd.Series:
    """``texts[rows]`` as a pandas string column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.take(texts, pa.array(rows)).to_pandas()


def _ranking_rows(util: NDArray) -> dict[str, NDArray]:
    n, k, R = util.shape
    rank = np.argsort(np.argsort(-util, axis=-1, kind="stable"), axis=-1)
    return {"p": np.repeat(np.arange(n), k * R), "j": np.repeat(np.arange(n * k), R),
            "response_id": np.tile(np.arange(R), n * k), "rank": rank.ravel()}


def _pair_rows(p: Params, util: NDArray, rng: np.random.Generator) -> dict[str, NDArray]:
    n, k, R = util.shape
    if p.pairs == "random":
        a = rng.integers(R, size=(n, k, 1))
        b = (a + 1 + rng.integers(R - 1, size=(n, k, 1))) % R
    else:
        i, j = np.triu_indices(R, 1)
        swap = rng.random((n, k, i.size)) < 0.5
        a = np.where(swap, j, i)
        b = np.where(swap, i, j)
    ua = np.take_along_axis(util, a, axis=-1)
    ub = np.take_along_axis(util, b, axis=-1)
    label = np.where(ua > ub, 1.0, np.where(ua < ub, 0.0, 0.5))
    m = a.shape[-1]
    return {"p": np.repeat(np.arange(n), k * m), "j": np.repeat(np.arange(n * k), m),
            "a": a.ravel(), "b": b.ravel(), "label": label.ravel()}


def simulate_block(
    p: Params,
    offset: int,
    n: int,
    pool: pd.DataFrame,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, NDArray[np.float64], NDArray[np.bool_]]:
    """Judgments of prompts ``offset .. offset + n - 1`` and their truth.

    ``pool`` holds the annotators: ``annotator_id``, ``group_index`` (row of the groups) and
    the feature columns. Returns the long frame (columns of ``p.kind``), the utilities
    ``(G, n, R)`` and the contested flags.
    """
    group_of = pool["group_index"].to_numpy()
    n_groups = int(group_of.max()) + 1
    U, flags = _truth(p, n, n_groups, rng)
    A = annotator_sets(n, p.annotators_per_prompt, len(pool), rng)
    util = _perturbed(p, U, group_of, A, rng)
    prompts, responses = _texts(offset, n, p.n_responses, rng)
    R = p.n_responses
    rows = _ranking_rows(util) if p.kind == "ranking" else _pair_rows(p, util, rng)
    P, who = rows.pop("p"), A.ravel()[rows.pop("j")]
    annotator = pool["annotator_id"].to_numpy()[who]
    cols: dict[str, Any] = {"prompt_id": P + offset, "prompt": _take(prompts, P)}
    if p.kind == "ranking":
        r = rows["response_id"]
        cols |= {"response_id": r, "response": _take(responses, P * R + r),
                 "annotator_id": annotator, "rank": rows["rank"]}
    else:
        cols |= {"response_a": _take(responses, P * R + rows["a"]),
                 "response_b": _take(responses, P * R + rows["b"]),
                 "label": rows["label"], "annotator_id": annotator}
    for feature in pool.columns[2:]:
        cols[feature] = pool[feature].to_numpy()[who]
    if p.kind == "pairwise":
        cols |= {"response_a_id": rows["a"], "response_b_id": rows["b"]}
    return pd.DataFrame(cols), U, flags
