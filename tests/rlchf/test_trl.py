"""to_trl: the columns TRL's preference trainers take, and bad pairs named by row and column."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from rlchf._errors import PreferenceDataError
from rlchf._trl import to_trl


def _pairs(**extra):
    table = {
        "prompt_id": ["p1", "p1", "p2"],
        "prompt": ["Why vote?", "Why vote?", "Is tax fair?"],
        "chosen": ["It gives you a say.", "It gives you a say.", "It depends on design."],
        "rejected": ["No reason.", "Because.", "Yes."],
    }
    table.update(extra)
    return pd.DataFrame(table)


def test_columns_and_values_in_row_order():
    ds = to_trl(_pairs())
    assert ds.column_names == ["prompt", "chosen", "rejected"]  # prompt_id is left out
    assert len(ds) == 3
    assert ds["rejected"] == ["No reason.", "Because.", "Yes."]
    assert ds["prompt"][2] == "Is tax fair?"


def test_margin_kept_as_float_when_present():
    ds = to_trl(_pairs(margin=np.array([1, 0.25, 0.5])))
    assert ds.column_names == ["prompt", "chosen", "rejected", "margin"]
    assert ds["margin"] == [1.0, 0.25, 0.5]


def test_conversational_turns():
    row = to_trl(_pairs(), conversational=True)[0]
    assert row["prompt"] == [{"role": "user", "content": "Why vote?"}]
    assert row["chosen"] == [{"role": "assistant", "content": "It gives you a say."}]
    assert row["rejected"] == [{"role": "assistant", "content": "No reason."}]


def test_aggregate_pairs_shape_with_non_default_index():
    pairs = _pairs(margin=[0.2, 0.4, 0.6]).set_index(pd.Index([10, 20, 30]))
    assert to_trl(pairs)["margin"] == [0.2, 0.4, 0.6]


@pytest.mark.parametrize("column", ["prompt", "chosen", "rejected"])
def test_missing_column_is_named(column):
    with pytest.raises(PreferenceDataError, match=f"no '{column}' column"):
        to_trl(_pairs().drop(columns=column))


@pytest.mark.parametrize("bad", ["", "   ", None, math.nan, 3])
def test_empty_or_non_text_cell_names_row_and_column(bad):
    pairs = _pairs().set_index(pd.Index(["a", "b", "c"]))
    pairs["chosen"] = pairs["chosen"].astype(object)
    pairs.loc["b", "chosen"] = bad
    with pytest.raises(PreferenceDataError, match="row 'b', column 'chosen'"):
        to_trl(pairs)


@pytest.mark.parametrize("bad", [math.nan, math.inf, "high", True])
def test_bad_margin_names_row(bad):
    pairs = _pairs(margin=[0.1, 0.2, 0.3])
    pairs["margin"] = pairs["margin"].astype(object)
    pairs.loc[2, "margin"] = bad
    with pytest.raises(PreferenceDataError, match="row 2, column 'margin' must be a finite"):
        to_trl(pairs)


def test_same_chosen_and_rejected_is_an_error():
    pairs = _pairs()
    pairs.loc[1, "rejected"] = pairs.loc[1, "chosen"]
    with pytest.raises(PreferenceDataError, match="row 1 has the same text"):
        to_trl(pairs)


def test_empty_table_and_non_frame():
    with pytest.raises(PreferenceDataError, match="no rows"):
        to_trl(_pairs().iloc[:0])
    with pytest.raises(PreferenceDataError, match=r"expects a pandas DataFrame.*Got list"):
        to_trl([("a", "b", "c")])
