"""The local sentence embedder (all-MiniLM-L6-v2)."""

from __future__ import annotations

import numpy as np
import pytest

from lm import LMInputError


def test_unit_norm_float32_and_meaningful(embedder):
    texts = [
        "The assistant should refuse dangerous requests.",
        "An AI helper ought to decline harmful asks.",
        "I like strawberry ice cream.",
    ]
    vectors = embedder.encode(texts)
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > similarity[0, 2] + 0.3


def test_cache_and_repeats_give_identical_vectors(embedder):
    texts = ["same text", "other text", "same text"]
    first = embedder.encode(texts)
    np.testing.assert_array_equal(first[0], first[2])
    again = embedder.encode(texts)
    np.testing.assert_array_equal(first, again)
    assert embedder.encode([]).shape == (0, 384)


@pytest.mark.parametrize("bad", ["a string", ["ok", 3], None])
def test_bad_input(embedder, bad):
    with pytest.raises(LMInputError):
        embedder.encode(bad)
