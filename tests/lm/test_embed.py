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


class _CountingModel:
    """A stand-in sentence model: a text's vector is its length and word count, normalised."""

    def __init__(self):
        self.seen: list[str] = []

    def encode(self, texts, **options):
        self.seen.extend(texts)
        raw = np.array([[len(t), len(t.split()) + 1.0] for t in texts])
        return raw / np.linalg.norm(raw, axis=1, keepdims=True)


def test_encode_computes_each_new_text_once_in_batches():
    from lm import CallCache, Embedder

    embedder = Embedder.__new__(Embedder)  # the batching and caching, without the real model
    embedder.model, embedder.cache = _CountingModel(), CallCache(":memory:")
    embedder.model_id, embedder.dimension, embedder.batch_size = "toy", 2, 2
    texts = ["a b", "ccc", "a b", "dd d", "e"]
    progress = []
    first = embedder.encode(texts, progress=lambda done, total: progress.append((done, total)))
    assert embedder.model.seen == ["a b", "ccc", "dd d", "e"]
    assert progress == [(1, 5), (3, 5), (5, 5)]  # the repeat is done with its first copy
    assert first.dtype == np.float32 and first.flags.writeable
    np.testing.assert_array_equal(first[0], first[2])
    np.testing.assert_allclose(first[1], [3, 2] / np.hypot(3, 2), rtol=1e-6)
    again = embedder.encode(["e", "new", "ccc"])
    assert embedder.model.seen[4:] == ["new"]
    np.testing.assert_array_equal(again[[0, 2]], first[[4, 1]])
