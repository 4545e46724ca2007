"""Stand-in models shared by the app's and the CLI's slate tests: fast, with known ratings."""

from __future__ import annotations

import numpy as np


class Toy:
    """Embeds a text as its normalised ("yes", "no") counts (fast, and ratings known)."""

    def encode(self, texts, *, progress=None):
        v = np.array([[t.count("yes") + 0.1, t.count("no") + 0.1] for t in texts])
        if progress is not None:
            progress(len(texts), len(texts))
        return v / np.linalg.norm(v, axis=1, keepdims=True)


class FakeChat:
    """Writes the same statement whatever it is asked."""

    def generate_batch(
        self, conversations, max_new_tokens=128, temperature=0.0, seed=0, *, progress=None
    ):
        return ["yes yes" for _ in conversations]
