"""What the results and admin pages share: the store, the chosen deliberation, caches.

:func:`get_store` is the one cached store of the app (keyed on the database URL:
``DATABASE_URL`` or :data:`deliberation.DEFAULT_URL`); :func:`load_demo` (called by
``app.py`` at start-up, once per database) loads the demo deliberation into an empty
database. :func:`cached` keeps a Store result per (database, deliberation, data version),
so a write anywhere — this instance or another — gives the next page run a new key and
fresh results.
"""

from __future__ import annotations

import os
from typing import Any

import streamlit as st

from deliberation import DEFAULT_URL, DeliberationInfo, Store, seed_demo

__all__ = ["Chosen", "cached", "choose_deliberation", "database_url", "get_store", "load_demo"]


def database_url() -> str:
    """``DATABASE_URL``, else the default SQLite file."""
    return os.environ.get("DATABASE_URL") or DEFAULT_URL


def get_store() -> Store:
    """The app's store, opened once per database URL and process (the one factory of
    every page: :func:`deliberation.pages._ui.get_store`)."""
    from .._ui import get_store as app_store

    return app_store()


@st.cache_resource(show_spinner="Loading the demo deliberation…")
def _seeded(url: str) -> int | None:
    info = seed_demo(get_store())
    return None if info is None else info.id


def load_demo() -> None:
    """Load the demo deliberation if the database holds none (once per database)."""
    _seeded(database_url())


@st.cache_resource(show_spinner=False, max_entries=32)
def cached(url: str, deliberation_id: int, version: int, method: str) -> Any:
    """``Store.<method>(deliberation_id)`` at data ``version`` (shared; do not mutate).

    ``url`` names the database in the key; the read goes through :func:`get_store`.
    """
    return getattr(get_store(), method)(deliberation_id)


class Chosen:
    """The deliberation a page shows, its data version and cached reads of it."""

    def __init__(self, store: Store, info: DeliberationInfo) -> None:
        self.store = store
        self.info = info
        self.url = store.url
        self.version = store.data_version(info.id)

    def get(self, method: str) -> Any:
        """``Store.<method>(id)`` cached under this data version."""
        return cached(self.url, self.info.id, self.version, method)

    @property
    def key(self) -> str:
        """A text naming this deliberation's data at this version (for session caches)."""
        return f"{self.url}#{self.info.id}@{self.version}"


def choose_deliberation(key: str) -> Chosen | None:
    """A select box of the stored deliberations; None (with a note) when there are none."""
    store = get_store()
    options = store.deliberations()
    if not options:
        st.info("No deliberation yet: create one on the Admin page.")
        return None
    by_id = {d.id: d for d in options}
    chosen = st.selectbox(
        "Deliberation", list(by_id), index=len(options) - 1, key=key,
        format_func=lambda i: f"{by_id[i].title} (#{i}{'' if by_id[i].is_open else ', closed'})",
    )
    return Chosen(store, by_id[chosen])
