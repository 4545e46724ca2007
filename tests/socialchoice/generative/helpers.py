"""Test doubles and builders shared by the generative tests."""

from __future__ import annotations

import numpy as np

from socialchoice.generative import PoolGenerator, Slate, generate_slate


class ScriptedChat:
    """A chat model that only ever writes the given replies (one per call, in turn)."""

    def __init__(self, replies: list[str]) -> None:
        self.replies = replies
        self.calls = 0

    def generate_batch(
        self, conversations, max_new_tokens=128, temperature=0.0, seed=0, *, progress=None
    ):
        self.calls += 1
        return [self.replies[(seed + i) % len(self.replies)] for i in range(len(conversations))]


def numbered_pool(U: np.ndarray) -> PoolGenerator:
    """The exact oracle on statements ``"s0", "s1", ...`` (one per column of ``U``)."""
    return PoolGenerator([f"s{c}" for c in range(U.shape[1])], U)


def pool_slate(U: np.ndarray, k: int) -> tuple[PoolGenerator, Slate]:
    """:func:`numbered_pool` and the slate of ``k`` statements it gives every agent of ``U``."""
    pool = numbered_pool(U)
    return pool, generate_slate(U.shape[0], k, pool, pool)
