"""Test helpers of the reward-model tests: a fake embedder and a small contested population."""

from __future__ import annotations

import hashlib
from itertools import combinations

import numpy as np
import pandas as pd


class FakeEmbedder:
    """Deterministic unit vectors from a hash of each text (no model, instant)."""

    def __init__(self, dimension: int = 48) -> None:
        self.dimension = dimension
        self.calls: list[int] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.append(len(texts))
        out = np.empty((len(texts), self.dimension))
        for i, text in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            v = np.random.default_rng(seed).normal(size=self.dimension)
            out[i] = v / np.linalg.norm(v)
        return out.astype(np.float32)


def contested(
    prompts: int = 24,
    m: int = 4,
    annotators: int = 30,
    share: float = 0.7,
    contested_share: float = 0.5,
    scale: float = 3.0,
    seed: int = 0,
) -> tuple[pd.DataFrame, dict]:
    """Pairwise judgments of two groups (``north`` with ``share``, ``south``) with known
    utilities: on contested prompts the groups' orders are reversed.

    Returns the long frame (every annotator judges every pair of every prompt) and the truth
    ``{"utilities": {group: (prompts, m)}, "contested": bool (prompts,)}``.
    """
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(prompts, m))
    is_contested = np.arange(prompts) < round(contested_share * prompts)
    south = np.where(is_contested[:, None], -base, base)
    utilities = {"north": base, "south": south}
    n_north = round(share * annotators)
    groups = ["north"] * n_north + ["south"] * (annotators - n_north)
    rows = []
    for k, group in enumerate(groups):
        U = utilities[group]
        for p in range(prompts):
            for a, b in combinations(range(m), 2):
                win = rng.random() < 1 / (1 + np.exp(-scale * (U[p, a] - U[p, b])))
                rows.append((f"p{p}", f"Prompt {p}?", f"Answer {a} to {p}.",
                             f"Answer {b} to {p}.", 1.0 if win else 0.0, f"ann{k}", group))
    df = pd.DataFrame(rows, columns=["prompt_id", "prompt", "response_a", "response_b", "label",
                                     "annotator_id", "region"])
    return df, {"utilities": utilities, "contested": is_contested}
