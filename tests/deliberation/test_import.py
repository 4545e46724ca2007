"""Export then import: the same deliberation under new ids; bad imports write nothing."""

from __future__ import annotations

import pandas as pd
import pytest

from deliberation import ImportDataError

CONTEXT = "When the user is in distress"


@pytest.fixture
def full(store):
    d = store.create_deliberation(
        "Question?", contexts=[CONTEXT], statements=["One.", "Two."],
        prompts=[("A prompt", ["x", "y", "z"])], demographics=[{"name": "region"}],
    )
    tokens = [store.join(d.id, features={"region": r}) for r in ("north", "south")]
    cards = []
    for token in tokens:
        store.consent(token, 1)
        cards.append(store.submit_value_card(token, "Card <script>", "A value.", ["a", "b"],
                                             CONTEXT))
    store.submit_wiser_vote(tokens[0], cards[1], cards[0], CONTEXT, "wiser", reason="why")
    tables = store.export(d.id)
    store.submit_statement_vote(tokens[1], int(tables["statements"]["id"].iloc[0]), -1)
    store.submit_ranking(tokens[1], int(tables["prompts"]["id"].iloc[0]),
                         [int(i) for i in tables["answers"]["id"]][::-1])
    store.submit_svo(tokens[0], [0, 1, 2, 3, 4, 5])
    store.add_message(tokens[0], "user", "hello")
    store.next_statement(tokens[0], rng=0)
    return d


def _comparable(tables):
    """Tables without ids and times, and with references replaced by positions."""
    out = {}
    for name, frame in tables.items():
        drop = [c for c in frame.columns if c == "id" or c.endswith("_id") or c.endswith("_at")]
        out[name] = frame.drop(columns=drop + (["answer_ids"] if name == "rankings" else []))
    return out


@pytest.mark.parametrize("format", ["json", "csv", "parquet"])
def test_round_trip_through_a_zip(store, full, format):
    blob = store.export_zip(full.id, format)
    copy = store.import_(blob)
    assert copy.id != full.id and copy.question == full.question
    before, after = _comparable(store.export(full.id)), _comparable(store.export(copy.id))
    for name in before:
        pd.testing.assert_frame_equal(
            before[name].reset_index(drop=True), after[name].reset_index(drop=True),
            check_dtype=False, obj=name,
        )
    graph_before, graph_after = store.moral_graph(full.id), store.moral_graph(copy.id)
    assert len(graph_after.votes) == len(graph_before.votes) == 1
    ranked = store.export(copy.id)["rankings"]["answer_ids"].iloc[0]
    assert set(ranked) == set(store.export(copy.id)["answers"]["id"])


def _count_rows(store):
    return sum(len(t) for d in store.deliberations() for t in store.export(d.id).values())


@pytest.mark.parametrize("spoil, message", [
    (lambda t: t.pop("contexts"), "no 'contexts' table"),
    (lambda t: t.update(extra=t["contexts"]), "unknown tables"),
    (lambda t: t["wiser_votes"].loc.__setitem__((0, "verdict"), "better"), "'verdict' must be"),
    (lambda t: t["wiser_votes"].loc.__setitem__((0, "context_id"), 999), "not an id of the"),
    (lambda t: t["value_cards"].loc.__setitem__((1, "id"), t["value_cards"]["id"].iloc[0]),
     "'id' is empty or repeated"),
    (lambda t: t.update(statement_votes=pd.concat([t["statement_votes"]] * 2).assign(
        id=[100, 101])), r"repeats \['participant_id', 'statement_id'\]"),
    (lambda t: t.update(rankings=t["rankings"].drop(columns="prompt_id")), "no 'prompt_id'"),
])
def test_a_bad_import_is_rejected_whole(store, full, spoil, message):
    tables = store.export(full.id)
    spoil(tables)
    rows = _count_rows(store)
    with pytest.raises(ImportDataError, match=message):
        store.import_(tables)
    assert _count_rows(store) == rows
    assert len(store.deliberations()) == 1


def test_a_file_that_is_not_an_export_is_refused(store):
    with pytest.raises(ImportDataError, match="not a zip file"):
        store.import_(b"not a zip")
