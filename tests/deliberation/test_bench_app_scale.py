"""The several-instances load test (benchmarks/app_scale.py) runs at its quick size, and its
audit finds a lost, a duplicated and an unacknowledged write when there is one."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from deliberation import Store
from tests._postgres import new_database

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def bench():
    """The benchmark module (it imports its sibling ``_results``)."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import app_scale

        yield app_scale
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_the_quick_load_test_over_two_instances_loses_and_duplicates_nothing(
    bench, postgres_server
):
    load, checks = bench.measure(new_database(*postgres_server), bench.QUICK)
    assert checks == {"lost": 0, "duplicated": 0, "unacknowledged": 0}
    assert load.errors == []
    assert load.finished == bench.QUICK.participants
    plan = bench.QUICK
    expected = {"join": 1, "consent": 1, "value card": 1, "wiser vote": plan.wiser_each,
                "statement vote": plan.statements_each, "ranking": 3, "svo": 1}
    assert {k: len(ms) for k, ms in load.latency.items()} == {
        k: n * plan.participants for k, n in expected.items()}
    assert all(ms > 0 for values in load.latency.values() for ms in values)
    lines = bench._lines(load, checks, plan)
    assert lines[0] == bench.TITLE
    assert sum(line.startswith("| ") for line in lines) == len(bench.KINDS) + 2
    assert "**0 lost writes**" in lines[-1]


def _acks_of_one_participant(store: Store) -> tuple[int, list[tuple]]:
    d = store.create_deliberation("Q?", contexts=["c"], statements=["S."],
                                  prompts=[("P?", ["x", "y"])])
    token = store.join(d.id, xid="p1")
    store.consent(token, 1)
    card = store.submit_value_card(token, "T", "D.", ["p"], "c")
    tables = store.export(d.id)
    statement = int(tables["statements"]["id"][0])
    vote = store.submit_statement_vote(token, statement, 1)
    prompt = int(tables["prompts"]["id"][0])
    answers = [int(a) for a in tables["answers"]["id"]]
    ranking = store.submit_ranking(token, prompt, answers)
    svo_ids = store.submit_svo(token, [1, 2, 3, 4, 5, 6])
    return d.id, [
        ("join", "p1"), ("consent", "p1"), ("value card", "p1", card),
        ("statement vote", "p1", vote, statement, 1),
        ("ranking", "p1", ranking, prompt, tuple(answers)),
        ("svo", "p1", tuple(svo_ids), (1, 2, 3, 4, 5, 6)),
    ]


def test_the_audit_counts_lost_duplicated_and_unacknowledged_writes(bench, tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'audit.db'}")
    try:
        d, acks = _acks_of_one_participant(store)
        tables = store.export(d)
    finally:
        store.close()
    assert bench.audit(acks, tables) == {"lost": 0, "duplicated": 0, "unacknowledged": 0}
    kind, xid, row, statement, vote = acks[3]
    changed = [*acks[:3], (kind, xid, row, statement, -vote), *acks[4:]]  # stored as +1
    assert bench.audit(changed, tables)["lost"] == 1
    assert bench.audit([*acks, ("join", "nobody")], tables)["lost"] == 1
    assert bench.audit(acks[:-1], tables)["unacknowledged"] == 1  # the SVO answers
    doubled = dict(tables)
    votes = tables["statement_votes"]
    doubled["statement_votes"] = pd.concat([votes, votes.assign(id=votes["id"] + 100)])
    result = bench.audit(acks, doubled)
    assert result["duplicated"] == 1 and result["unacknowledged"] == 1
