"""``load_chat_model`` and ``load_embedder``: one loaded model per process, chosen by env."""

from __future__ import annotations

import os
import threading
from typing import Any

from ._base import ChatModel
from ._embed import Embedder

__all__ = ["load_chat_model", "load_embedder"]

_LOADED: dict[tuple[Any, ...], Any] = {}
_LOCK = threading.Lock()


def _memo(key: tuple[Any, ...], build: Any) -> Any:
    with _LOCK:
        if key not in _LOADED:
            _LOADED[key] = build()
        return _LOADED[key]


def load_chat_model(
    *,
    base_url: str | None = None,
    model: str | None = None,
    api_key: str | None = None,
    **options: Any,
) -> ChatModel:
    """Return the chat model of this deployment, loading it once per process.

    An OpenAI-compatible endpoint when ``base_url`` (or ``$LM_BASE_URL``) is set, with
    ``model`` (``$LM_MODEL``) and ``api_key`` (``$LM_API_KEY``); otherwise the local
    SmolLM2-135M-Instruct on the CPU. ``options`` go to :class:`lm.LocalChatModel` or
    :class:`lm.HTTPChatModel`. Calls with the same arguments return the same object.

    Raises
    ------
    ModelNotInstalledError
        The local model's wheel or torch/transformers are missing (the message says how to
        install them).
    LMInputError
        ``LM_BASE_URL`` is set but ``LM_MODEL`` is not.

    Examples
    --------
    >>> chat = load_chat_model()                                    # doctest: +SKIP
    >>> chat.generate("Say hello.", max_new_tokens=8)              # doctest: +SKIP
    'Hello! How can I help you today?'
    """
    from ._errors import LMInputError

    base_url = base_url or os.environ.get("LM_BASE_URL") or None
    if base_url:
        model = model or os.environ.get("LM_MODEL")
        if not model:
            raise LMInputError(
                f"An HTTP chat model at {base_url} needs a model name: pass model=... or set "
                "LM_MODEL (for example LM_MODEL=gpt-4o-mini)."
            )
        api_key = api_key or os.environ.get("LM_API_KEY")
        from ._http import HTTPChatModel

        key = ("http", base_url, model, api_key, tuple(sorted(options.items())))
        return _memo(key, lambda: HTTPChatModel(base_url, model, api_key, **options))
    from ._local import LocalChatModel

    key = ("local", tuple(sorted(options.items())))
    return _memo(key, lambda: LocalChatModel(**options))


def load_embedder(**options: Any) -> Embedder:
    """Return the local sentence embedder (all-MiniLM-L6-v2), loading it once per process.

    Examples
    --------
    >>> emb = load_embedder()                                        # doctest: +SKIP
    >>> emb.encode(["hello"]).shape                                  # doctest: +SKIP
    (1, 384)
    """
    key = ("embedder", tuple(sorted(options.items())))
    return _memo(key, lambda: Embedder(**options))
