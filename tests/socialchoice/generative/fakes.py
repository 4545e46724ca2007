"""Test doubles shared by the generative tests."""

from __future__ import annotations


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
