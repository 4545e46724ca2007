"""Session-wide fixtures: the local models load once for the whole test run.

Model results go to a cache file in the session's temporary folder, so every test computes
for real (nothing comes from a developer's own cache) and repeated calls inside the run are
served from it. The first load on a fresh machine converts SmolLM2's GGUF file (≈ 40 s).
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def lm_cache(tmp_path_factory):
    from lm import CallCache

    return CallCache(tmp_path_factory.mktemp("lm-cache") / "calls.sqlite")


@pytest.fixture(scope="session")
def chat_model(lm_cache):
    """The local SmolLM2-135M-Instruct, loaded once per test session."""
    from lm import LocalChatModel

    return LocalChatModel(cache=lm_cache)


@pytest.fixture(scope="session")
def embedder(lm_cache):
    """The local all-MiniLM-L6-v2 embedder, loaded once per test session."""
    from lm import Embedder

    return Embedder(cache=lm_cache)
