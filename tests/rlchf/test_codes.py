"""rlchf._codes and the fast paths of validation: exact for any row order, same messages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlchf import PreferenceData, PreferenceDataError
from rlchf._codes import dense_codes, equal_at, first_of, run_factorize, run_pair_codes


def _same_partition(codes: np.ndarray, values: list) -> bool:
    expected = pd.factorize(pd.Series(values, dtype=object))[0]
    return bool((pd.factorize(codes)[0] == expected).all())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c"]), max_size=30), st.booleans())
def test_codes_are_an_exact_partition(values, as_text):
    s = pd.Series(values, dtype="str") if as_text else pd.Series(
        [ord(v) for v in values], dtype=np.int64)
    codes, k = run_factorize(s)
    assert k == len(set(values)) and _same_partition(codes, values)
    if not as_text and values:
        dense, kd = dense_codes(s.to_numpy())
        assert kd == k and _same_partition(dense, values)
        first = first_of(dense, kd)
        assert sorted(first.tolist()) == sorted(pd.Series(values).drop_duplicates().index)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), max_size=25))
def test_run_pair_codes_only_when_exact(pairs):
    head = np.array([p[0] for p in pairs], dtype=np.int64)
    last = np.array([p[1] for p in pairs], dtype=np.int64)
    out = run_pair_codes(head, last)
    if out is not None:
        assert out[1] == len(set(pairs)) and _same_partition(out[0], pairs)


def test_equal_at_mixes_shifted_and_taken_pairs():
    s = pd.Series(["x", "y", "x", "y", "z", "x"], dtype="str")
    a, b = np.array([0, 1, 2, 0, 3]), np.array([2, 3, 4, 5, 1])
    assert equal_at(s, a, b).tolist() == [True, True, False, True, True]


def _regular(prompts: int = 60, annotators: int = 3, responses: int = 4) -> pd.DataFrame:
    """A ranking frame in the usual layout: prompt by prompt, annotator by annotator."""
    rng = np.random.default_rng(0)
    p = np.repeat(np.arange(prompts), annotators * responses)
    a = np.tile(np.repeat(np.arange(annotators), responses), prompts)
    r = np.tile(np.arange(responses), prompts * annotators)
    rank = np.argsort(rng.random((prompts * annotators, responses)), axis=1).ravel()
    return pd.DataFrame({
        "prompt_id": [f"p{i}" for i in p], "prompt": [f"Q{i}?" for i in p],
        "response_id": r, "response": [f"A{i}.{j}" for i, j in zip(p, r, strict=True)],
        "annotator_id": [f"a{i}" for i in a], "rank": rank})


def _message(df: pd.DataFrame) -> str:
    with pytest.raises(PreferenceDataError) as info:
        PreferenceData.from_pandas(df, "ranking")
    return str(info.value)


def test_regular_layout_and_its_shuffle_agree():
    df = _regular()
    order = np.random.default_rng(1).permutation(len(df))
    fast = PreferenceData.from_pandas(df, "ranking").frame
    slow = PreferenceData.from_pandas(df.iloc[order], "ranking").frame
    pd.testing.assert_frame_equal(fast.iloc[order].reset_index(drop=True), slow)


@pytest.mark.parametrize("row", [0, 5, 13, 400, 719])
def test_fast_checks_name_the_row(row):
    df = _regular()
    bad = df.copy()
    bad.loc[row, "response"] = "changed"
    shuffled = bad.iloc[::-1].reset_index(drop=True)
    msg = _message(bad)
    assert "two response texts" in msg
    assert "two response texts" in _message(shuffled)
    first = df.index[(df.prompt_id == df.prompt_id[row]) & (df.response_id == df.response_id[row])]
    assert msg.startswith(f"Row {row if row != first[0] else first[1]} of the data")
    bad = df.copy()
    bad.loc[row, "prompt"] = "Other?"
    msg = _message(bad)
    start = row - row % 12
    assert msg.startswith(f"Row {row if row != start else start + 1} of the data: two prompt")


def test_fast_checks_find_duplicate_texts_and_repeated_rankings():
    df = _regular()
    dup = df.copy()
    dup.loc[dup.prompt_id == "p7", "response"] = dup.loc[dup.prompt_id == "p7", "response"].where(
        dup.response_id != 3, "A7.1")
    assert "two response ids with one text for prompt_id 'p7'" in _message(dup)
    twice = df.copy()
    twice.loc[101, "response_id"] = twice.loc[100, "response_id"]
    twice.loc[101, "response"] = twice.loc[100, "response"]
    assert _message(twice) == ("Row 101 of the data: annotator 'a1' ranks response 0 of "
                               "prompt 'p8' twice.")
    split = pd.concat([df.iloc[:4], df.iloc[8:12], df.iloc[4:8], df.iloc[12:]])
    split.loc[split.index[8:12], "annotator_id"] = "a0"  # a0's rows of p0 in two runs
    assert "ranks response 0 of prompt 'p0' twice" in _message(split.reset_index(drop=True))
