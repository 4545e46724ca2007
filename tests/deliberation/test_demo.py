"""The demo deliberation: created once, fast, and something on every results page."""

from __future__ import annotations

import time

import numpy as np
import pytest

import socialchoice as sc
import svo
from deliberation import Store, seed_demo
from deliberation._demo import DEMO_PARTICIPANTS, demo_tables


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    started = time.perf_counter()
    info = seed_demo(store)
    seconds = time.perf_counter() - started
    yield store, info, seconds
    store.close()


def test_seeded_once_and_fast(seeded):
    store, info, seconds = seeded
    assert info is not None and seconds < 10
    assert seed_demo(store) is None
    assert [d.id for d in store.deliberations()] == [info.id]


def test_demo_is_deterministic():
    a, b = demo_tables(16), demo_tables(16)
    assert all(a[name].equals(b[name]) for name in a)


def test_moral_graph_matches_the_shipped_demo(seeded):
    import moralgraph

    store, info, _ = seeded
    graph = store.moral_graph(info.id)
    shipped = moralgraph.load_demo()
    assert len(graph.values) == len(shipped.values) and len(graph.votes) == len(shipped.votes)
    titles = {v.id: v.title for v in graph.values}
    assert titles[graph.wisest("distress")[0]] == "Steady presence"


def test_statements_split_into_opinion_groups(seeded):
    store, info, _ = seeded
    matrix = store.vote_matrix(info.id)
    assert matrix.shape[1] == 30 and matrix.shape[0] > 90
    assert len(store.pending_statements(info.id)) == 2
    agree = np.nanmean(matrix.to_numpy() == 1, axis=0)
    assert agree.max() - agree.min() > 0.3  # statements divide people


def test_rankings_svo_monitoring_and_opinions(seeded):
    store, info, _ = seeded
    prompts = store.prompt_rankings(info.id)
    assert len(prompts) == 3 and all(len(p.rankings) > 90 for p in prompts)
    assert sc.ranking(prompts[0].profile(), "borda")[0] == [1]  # the best-written answer
    scored = svo.score(store.svo_survey(info.id).set_index("respondent"))
    assert scored["category"].value_counts().idxmax() == "prosocial"
    m = store.monitoring(info.id)
    assert m.participants == DEMO_PARTICIPANTS and 0 < m.finished < DEMO_PARTICIPANTS
    assert m.funnel["stopped_here"].sum() == DEMO_PARTICIPANTS - m.finished
    assert m.demographics["target"].notna().any()
    assert len(store.opinions(info.id)) > 90
