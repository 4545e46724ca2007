"""Monitoring on SQLite and PostgreSQL: the step funnel, time per step, demographics vs quotas."""

from __future__ import annotations

import math

import pytest

from deliberation import Monitoring
from deliberation._monitoring import FUNNEL_COLUMNS, QUOTA_COLUMNS

FORM = [{"name": "age", "options": ["18-34", "35+"]}]


@pytest.fixture
def demo(store):
    return store.create_deliberation(
        "What should the assistant attend to?", contexts=["distress"],
        steps=["demographics", "chat", "svo"], demographics=FORM,
    )


def _join(store, d, age=None, through=()):
    token = store.join(d.id, features={} if age is None else {"age": age})
    for step in through:
        if step == "consent":
            store.consent(token, d.consent_version)
        elif step == "demographics":
            store.set_features(token, {} if age is None else {"age": age})
        else:
            store.complete_step(token, step, skipped=step == "chat")
    return token


def test_funnel_counts_started_finished_and_where_people_stop(store, demo):
    _join(store, demo, "18-34")  # joined only
    _join(store, demo, "18-34", ["consent"])
    _join(store, demo, "35+", ["consent", "demographics", "chat"])
    _join(store, demo, "35+", ["consent", "demographics", "chat", "svo"])
    m = store.monitoring(demo.id)
    assert isinstance(m, Monitoring) and (m.participants, m.finished) == (4, 1)
    funnel = m.funnel.set_index("step")
    assert list(m.funnel.columns) == list(FUNNEL_COLUMNS)
    assert list(funnel.index) == ["consent", "demographics", "chat", "svo"]
    assert funnel["started"].tolist() == [4, 3, 2, 2]
    assert funnel["finished"].tolist() == [3, 2, 2, 1]
    assert funnel["stopped_here"].tolist() == [1, 1, 0, 1]
    assert funnel.loc["chat", "skipped"] == 2
    assert funnel.loc["svo", "drop_off"] == pytest.approx(0.5)
    assert funnel.loc["consent", "median_seconds"] >= 0
    assert math.isfinite(funnel.loc["svo", "median_seconds"])


def test_empty_deliberation_has_an_empty_funnel(store, demo):
    m = store.monitoring(demo.id)
    assert (m.participants, m.finished) == (0, 0)
    assert m.funnel["started"].tolist() == [0, 0, 0, 0]
    assert m.funnel["drop_off"].isna().all() and m.funnel["median_seconds"].isna().all()
    assert m.demographics["count"].tolist() == [0, 0]


def test_demographics_against_quotas(store, demo):
    store.set_quotas(demo.id, {"age": {"18-34": 2, "35+": 1}})
    for age in ("18-34", "35+", "35+", None):
        _join(store, demo, age)
    table = store.monitoring(demo.id).demographics
    assert list(table.columns) == list(QUOTA_COLUMNS)
    rows = {r["value"]: r for r in table.to_dict("records")}
    assert list(rows) == ["18-34", "35+", "not given"]
    assert (rows["18-34"]["count"], rows["18-34"]["target"], rows["18-34"]["reached"]) == (
        1, 2.0, False)
    assert (rows["35+"]["count"], rows["35+"]["reached"]) == (2, True)
    assert rows["not given"]["reached"] is None and math.isnan(rows["not given"]["target"])
    assert table["share"].sum() == pytest.approx(1.0)


def test_monitoring_follows_writes_in_the_data_version(store, demo):
    before = store.data_version(demo.id)
    _join(store, demo, "18-34", ["consent"])
    assert store.data_version(demo.id) > before
