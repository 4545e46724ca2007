"""MAI's published moral-graph scoring: hand-worked examples, the loop reference, bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moralgraph._mai import (
    EDGE_COLUMNS,
    mai_edge_summary,
    mai_pagerank,
    mai_wisdom,
    support_label,
)
from moralgraph._mai_ref import (
    _mai_edges_reference,
    _mai_pagerank_reference,
    _mai_wisdom_reference,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class GraphError(ValueError):
    """Stands in for the package's MoralGraphError."""


def frame(rows: list[tuple]) -> pd.DataFrame:
    """Votes from (from_value, to_value, context, verdict); participant = row number."""
    return pd.DataFrame(
        [(i, a, b, c, v) for i, (a, b, c, v) in enumerate(rows)],
        columns=["participant", "from_value", "to_value", "context", "verdict"],
    )


def H(*counts: int) -> float:
    """Shannon entropy in bits of counts (for hand-checked numbers)."""
    total = sum(counts)
    return -sum(c / total * math.log2(c / total) for c in counts if c)


# --- hand-worked -------------------------------------------------------------------------

SMALL = [
    ("a", "b", "c1", "wiser"),
    ("a", "b", "c2", "wiser"),
    ("a", "b", "c1", "not_wiser"),
    ("b", "a", "c1", "unsure"),
]


def test_hand_worked_pair_and_its_reverse():
    # (a, b): forward votes 1-3 -> wiser 2, not_wiser 1, impressions 3; the reverse of vote 4
    # (b -> a unsure) adds one impression and nothing else -> counts (2, 1, 0, 0, 4).
    # wiser_likelihood = (2 - 0) / (2 + 1 + 0 + 0) = 2/3.
    # entropy of (2, 1, 0, 0, 4) / 7 = 2/7 log2(7/2) + 1/7 log2 7 + 4/7 log2(7/4)
    #   = 0.516387 + 0.401051 + 0.461346 = 1.378784 (<= 1.69: kept).
    # (b, a): forward vote 4 -> unsure 1, impressions 1; the reverses of votes 1-3 add
    # 3 impressions and less_wise 2 -> counts (0, 0, 2, 1, 4); likelihood (0 - 2) / 3 = -2/3.
    table = mai_edge_summary(frame(SMALL), keep_all=True)
    assert list(table.columns) == list(EDGE_COLUMNS)
    assert list(zip(table.from_value, table.to_value, strict=True)) == [("a", "b"), ("b", "a")]
    ab, ba = table.iloc[0], table.iloc[1]
    assert ab.contexts == ("c1", "c2") and ba.contexts == ("c1", "c2")
    assert (ab.marked_wiser, ab.marked_not_wiser, ab.marked_less_wise) == (2, 1, 0)
    assert (ab.marked_unsure, ab.impressions) == (0, 4)
    assert ab.wiser_likelihood == pytest.approx(2 / 3)
    assert ab.entropy == pytest.approx(1.378784, abs=1e-6)
    assert ab.entropy == pytest.approx(H(2, 1, 0, 0, 4))
    assert (ba.marked_wiser, ba.marked_not_wiser, ba.marked_less_wise) == (0, 0, 2)
    assert (ba.marked_unsure, ba.impressions) == (1, 4)
    assert ba.wiser_likelihood == pytest.approx(-2 / 3)
    kept = mai_edge_summary(frame(SMALL))
    assert list(zip(kept.from_value, kept.to_value, strict=True)) == [("a", "b")]


def test_entropy_counts_impressions_as_their_code_does():
    # a -> b: wiser 2, not_wiser 1, unsure 1 -> counts (2, 1, 0, 1, 4), total 8:
    # p = 1/4, 1/8, 1/8, 1/2 -> entropy = 0.5 + 0.375 + 0.375 + 0.5 = 1.75 > 1.69: dropped,
    # although without impressions (2, 1, 0, 1) it would be 1.5 and the pair kept.
    # wiser_likelihood = 2 / 4 = 0.5 passes, so the entropy cut alone drops it.
    votes = frame([("a", "b", "c", v) for v in ("wiser", "wiser", "not_wiser", "unsure")])
    row = mai_edge_summary(votes, keep_all=True).iloc[0]
    assert row.entropy == pytest.approx(1.75)
    assert row.wiser_likelihood == pytest.approx(0.5)
    assert mai_edge_summary(votes).empty


def test_likelihood_cut_and_min_wiser():
    # a -> b wiser twice and not_wiser once, b -> a wiser once: (a, b) has wiser 2,
    # not_wiser 1, less_wise 1 -> likelihood (2 - 1) / 4 = 0.25 < 0.33: dropped.
    votes = frame(
        [
            ("a", "b", "c", "wiser"),
            ("a", "b", "c", "wiser"),
            ("a", "b", "c", "not_wiser"),
            ("b", "a", "c", "wiser"),
        ]
    )
    ab = mai_edge_summary(votes, keep_all=True).iloc[0]
    assert ab.wiser_likelihood == pytest.approx(0.25)
    assert mai_edge_summary(votes).empty
    # One lonely "wiser" vote: counts (1, 0, 0, 0, 1), likelihood 1, entropy 1 bit.
    lonely = frame([("a", "b", "c", "wiser")])
    assert mai_edge_summary(lonely).empty
    kept = mai_edge_summary(lonely, min_wiser=1)
    assert kept.iloc[0].entropy == pytest.approx(1.0)
    assert (kept.iloc[0].from_value, kept.iloc[0].to_value) == ("a", "b")


def test_context_filter_applies_before_counting():
    # Only the c2 votes: a -> b wiser twice in c2 -> counts (2, 0, 0, 0, 2), contexts (c2,).
    # Over all contexts the three c1 "not_wiser" votes count too -> counts (2, 3, 0, 0, 5),
    # contexts (c2, c1) in first-seen order, entropy of (2, 3, 5) / 10 = 1.485475.
    votes = frame(
        [
            ("a", "b", "c2", "wiser"),
            ("a", "b", "c2", "wiser"),
            ("a", "b", "c1", "not_wiser"),
            ("a", "b", "c1", "not_wiser"),
            ("a", "b", "c1", "not_wiser"),
        ]
    )
    only = mai_edge_summary(votes, context="c2").iloc[0]
    assert (only.marked_wiser, only.marked_not_wiser, only.impressions) == (2, 0, 2)
    assert only.contexts == ("c2",)
    both = mai_edge_summary(votes).iloc[0]
    assert (both.marked_wiser, both.marked_not_wiser, both.impressions) == (2, 3, 5)
    assert both.contexts == ("c2", "c1")
    assert both.entropy == pytest.approx(H(2, 3, 5))
    assert mai_edge_summary(votes, context="nowhere").empty


def test_pagerank_hand_worked_and_not_normalised():
    # One kept pair a -> b. N = 2, start 1/2. Every iteration: a = 0.15 / 2 = 0.075 and
    # b = 0.075 + 0.85 * a_prev. After iteration 1, a = 0.075; from iteration 2 on
    # b = 0.075 + 0.85 * 0.075 = 0.13875. Sum 0.21375: sinks pass nothing on.
    edges = mai_edge_summary(frame(SMALL))
    scores = mai_pagerank(edges)
    assert list(scores.index) == ["b", "a"]
    assert scores["a"] == pytest.approx(0.075)
    assert scores["b"] == pytest.approx(0.13875)
    assert scores.sum() == pytest.approx(0.21375)


def test_pagerank_splits_by_normalised_likelihood():
    # a -> b (w 0.5) and a -> c (w 1.0): a passes 1/3 and 2/3 of 0.85 * rank[a].
    # a = 0.05 (0.15 / 3); b = 0.05 + 0.85 * 0.05 / 3; c = 0.05 + 0.85 * 0.05 * 2 / 3.
    edges = pd.DataFrame(
        {"from_value": ["a", "a"], "to_value": ["b", "c"], "wiser_likelihood": [0.5, 1.0]}
    )
    scores = mai_pagerank(edges)
    assert scores.to_dict() == pytest.approx(
        {"c": 0.05 + 0.85 * 0.05 * 2 / 3, "b": 0.05 + 0.85 * 0.05 / 3, "a": 0.05}
    )
    assert list(scores.index) == ["c", "b", "a"]
    assert mai_pagerank(edges.iloc[:0]).empty


def test_wisdom_and_support_labels():
    edges = pd.DataFrame(
        {
            "from_value": ["a", "c", "a", "d"],
            "to_value": ["b", "b", "c", "b"],
            "wiser_likelihood": [0.5, 0.75, 0.9, 0.4],
        }
    )
    # b: 0.5 + 0.75 + 0.4 = 1.65; c: 0.9 (not listed, not > 1).
    assert mai_wisdom(edges).to_dict() == pytest.approx({"b": 1.65})
    # Scores 0.9 and seven 0.1: mean 0.2, population std sqrt((0.49 + 7 * 0.01) / 8)
    # = sqrt(0.07) = 0.264575, z = 0.7 / 0.264575 = 2.6458 > 2.5, gap 9 > 2.
    assert support_label([0.9] + [0.1] * 7) == "broadly supported"
    # With sample std (ddof=1) z would be 2.4749 and the label "some support": ddof=0 pinned.
    assert support_label(pd.Series([0.9] + [0.1] * 7)) == "broadly supported"
    # 0.3, 0.25, 0.2: z = 0.05 / 0.040825 = 1.2247, gap 1.2 -> contested.
    assert support_label(np.array([0.3, 0.25, 0.2])) == "contested"
    # 0.4, 0.25, 0.2: gap 1.6 > 1.5 -> some support (z = 1.3728).
    assert support_label([0.4, 0.25, 0.2]) == "some support"
    assert support_label([0.7]) == "some support"  # lone value: z 0, gap infinite
    assert support_label([0.5, 0.5]) == "contested"  # tie: gap 1, z 0


# --- the loop reference ------------------------------------------------------------------

VOTE = st.tuples(
    st.sampled_from(["v0", "v1", "v2", "v3", "v4"]),
    st.sampled_from(["v0", "v1", "v2", "v3", "v4"]),
    st.sampled_from(["c0", "c1", "c2"]),
    st.sampled_from(["wiser", "wiser", "not_wiser", "unsure"]),
).filter(lambda v: v[0] != v[1])


def _same_rows(fast: pd.DataFrame, ref: list[dict]) -> None:
    assert len(fast) == len(ref)
    for got, want in zip(fast.to_dict("records"), ref, strict=True):
        for key in EDGE_COLUMNS:
            if key in ("wiser_likelihood", "entropy"):
                if math.isnan(want[key]):
                    assert math.isnan(got[key])
                else:
                    assert got[key] == pytest.approx(want[key], abs=1e-12)
            else:
                assert got[key] == want[key], key


@SETTINGS
@given(st.lists(VOTE, max_size=60), st.integers(0, 3), st.booleans())
def test_edges_match_reference(votes, min_wiser, keep_all):
    fast = mai_edge_summary(frame(votes), min_wiser=min_wiser, keep_all=keep_all)
    ref = _mai_edges_reference([tuple(v) for v in votes], min_wiser=min_wiser, keep_all=keep_all)
    _same_rows(fast, ref)


@SETTINGS
@given(st.lists(VOTE, max_size=80), st.sampled_from([None, "c0", "c1"]))
def test_scores_match_reference(votes, context):
    edges = mai_edge_summary(frame(votes), context=context, min_wiser=1)
    triples = list(zip(edges.from_value, edges.to_value, edges.wiser_likelihood, strict=True))
    ref = _mai_pagerank_reference(triples)
    fast = mai_pagerank(edges)
    assert set(fast.index) == set(ref)
    for value, score in ref.items():
        assert fast[value] == pytest.approx(score, abs=1e-12)
    assert list(fast.to_numpy()) == sorted(fast.to_numpy(), reverse=True)
    assert mai_wisdom(edges).to_dict() == pytest.approx(_mai_wisdom_reference(triples))


@SETTINGS
@given(st.lists(VOTE, max_size=60), st.permutations(["v0", "v1", "v2", "v3", "v4"]))
def test_relabelling_values_permutes_scores(votes, perm):
    rename = dict(zip(["v0", "v1", "v2", "v3", "v4"], perm, strict=True))
    moved = [(rename[a], rename[b], c, v) for a, b, c, v in votes]
    before = mai_pagerank(mai_edge_summary(frame(votes), min_wiser=1))
    after = mai_pagerank(mai_edge_summary(frame(moved), min_wiser=1))
    assert {rename[k]: s for k, s in before.items()} == pytest.approx(after.to_dict())


# --- bad input ---------------------------------------------------------------------------


def test_bad_verdict_names_row_and_column():
    votes = frame(SMALL)
    votes.index = [10, 11, 12, 13]
    votes.loc[12, "verdict"] = "upgrade"
    with pytest.raises(GraphError, match=r"row 12, column 'verdict' is 'upgrade'"):
        mai_edge_summary(votes, error=GraphError)


def test_missing_column_is_named():
    votes = frame(SMALL).drop(columns="context")
    with pytest.raises(GraphError, match="no column 'context'"):
        mai_edge_summary(votes, error=GraphError)
    with pytest.raises(ValueError, match="must be a pandas DataFrame"):
        mai_edge_summary([("a", "b", "c", "wiser")])


def test_missing_value_and_self_loop_are_refused():
    votes = frame(SMALL)
    votes.loc[1, "to_value"] = None
    with pytest.raises(GraphError, match=r"row 1, column 'to_value' is missing"):
        mai_edge_summary(votes, error=GraphError)
    loop = frame([("a", "a", "c", "wiser")])
    with pytest.raises(GraphError, match=r"row 0 judges value 'a' against itself"):
        mai_edge_summary(loop, error=GraphError)


def test_bad_parameters_and_edge_tables():
    with pytest.raises(GraphError, match="'min_wiser' parameter of mai_edge_summary"):
        mai_edge_summary(frame(SMALL), min_wiser=-1, error=GraphError)
    with pytest.raises(GraphError, match="no column 'wiser_likelihood'"):
        mai_pagerank(pd.DataFrame({"from_value": ["a"], "to_value": ["b"]}), error=GraphError)
    every = mai_edge_summary(frame(SMALL), keep_all=True)
    with pytest.raises(GraphError, match=r"row 1, column 'wiser_likelihood'"):
        mai_wisdom(every, error=GraphError)
    with pytest.raises(GraphError, match="no scores"):
        support_label([], error=GraphError)
    with pytest.raises(GraphError, match="finite and >= 0"):
        support_label([0.5, float("nan")], error=GraphError)


def test_empty_votes_and_integer_ids():
    empty = mai_edge_summary(frame([]), keep_all=True)
    assert list(empty.columns) == list(EDGE_COLUMNS) and empty.empty
    assert mai_pagerank(mai_edge_summary(frame([]))).empty
    # Integer ids and contexts come back as Python ints, contexts in first-seen order.
    votes = frame([(1, 2, 7, "wiser"), (1, 2, 5, "wiser"), (2, 1, 7, "unsure")])
    row = mai_edge_summary(votes).iloc[0]
    assert (row.from_value, row.to_value, row.contexts) == (1, 2, (7, 5))
    assert all(type(c) is int for c in row.contexts)
    assert mai_pagerank(mai_edge_summary(votes)).index.tolist() == [2, 1]
