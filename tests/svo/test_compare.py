"""svo.compare and svo._compare.difference: bootstrap intervals per group."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import svo
from svo._compare import (
    STATISTICS,
    _replicate_means,
    _resample_means,
    _resample_means_reference,
    difference,
)

IDEALS = np.array([svo.IDEAL_CHOICES[c] for c in svo.CATEGORIES], dtype=float)
EXACT_ANGLES = svo.score(IDEALS)["angle"].to_numpy()


def survey(shares, n, rng, group="g"):
    """n respondents answering as the ideal types drawn with the given category shares."""
    types = rng.choice(len(svo.CATEGORIES), size=n, p=shares)
    frame = pd.DataFrame(IDEALS[types], columns=svo.PRIMARY_COLUMNS)
    frame["group"] = group
    return frame


def random_survey(n, rng, groups=("a", "b", "c")):
    frame = pd.DataFrame(rng.integers(0, 9, (n, 6)), columns=svo.PRIMARY_COLUMNS)
    frame["group"] = rng.choice(groups, n)
    return frame


def test_columns_and_point_estimates_match_plain_pandas():
    rng = np.random.default_rng(1)
    data = random_survey(300, rng)
    table = svo.compare(data, n_boot=200, rng=0)
    expected_columns = ["n", "n_excluded", "angle_mean", "angle_low", "angle_high"]
    for c in svo.CATEGORIES:
        expected_columns += [f"share_{c}", f"share_{c}_low", f"share_{c}_high"]
    expected_columns += ["transitive_share", "transitive_share_low", "transitive_share_high"]
    assert list(table.columns) == expected_columns
    assert table.index.name == "group" and list(table.index) == ["a", "b", "c"]
    scored = svo.score(data)
    scored["group"] = data["group"]
    grouped = scored.groupby("group")
    np.testing.assert_allclose(table["angle_mean"], grouped["angle"].mean())
    np.testing.assert_array_equal(table["n"], grouped.size())
    for c in svo.CATEGORIES:
        share = grouped["category"].apply(lambda s, c=c: (s == c).mean())
        np.testing.assert_allclose(table[f"share_{c}"], share)
    transitive = grouped["transitive"].apply(lambda s: s.astype(float).mean())
    np.testing.assert_allclose(table["transitive_share"], transitive)
    for name in STATISTICS:
        stem = "angle" if name == "angle_mean" else name
        assert (table[f"{stem}_low"] <= table[name] + 1e-12).all()
        assert (table[name] <= table[f"{stem}_high"] + 1e-12).all()
    shares = table[[f"share_{c}" for c in svo.CATEGORIES]].sum(axis=1)
    np.testing.assert_allclose(shares, 1.0)
    assert table.attrs["confidence"] == 0.95 and table.attrs["n_boot"] == 200


def test_interval_covers_the_truth():
    shares = [0.1, 0.5, 0.3, 0.1]
    data = survey(shares, 600, np.random.default_rng(2))
    row = svo.compare(data, rng=0).iloc[0]
    for c, p in zip(svo.CATEGORIES, shares, strict=True):
        assert row[f"share_{c}_low"] <= p <= row[f"share_{c}_high"], c
    true_angle = float(np.dot(shares, EXACT_ANGLES))
    assert row["angle_low"] <= true_angle <= row["angle_high"]


def test_coverage_is_near_nominal_over_many_samples():
    # 150 independent samples of 80 respondents (one group each): the 90% interval of the
    # prosocial share (true 0.5) should cover the truth in roughly 90% of them.
    rng = np.random.default_rng(3)
    data = survey([0.1, 0.5, 0.3, 0.1], 150 * 80, rng)
    data["group"] = np.repeat(np.arange(150), 80)
    table = svo.compare(data, n_boot=400, confidence=0.9, rng=4)
    covered = (table["share_prosocial_low"] <= 0.5) & (0.5 <= table["share_prosocial_high"])
    assert 0.8 <= covered.mean() <= 0.97


def test_reproducible_with_a_seed_and_varies_without():
    data = random_survey(200, np.random.default_rng(5))
    first = svo.compare(data, n_boot=300, rng=7)
    pd.testing.assert_frame_equal(first, svo.compare(data, n_boot=300, rng=7))
    pd.testing.assert_frame_equal(
        first, svo.compare(data, n_boot=300, rng=np.random.default_rng(7))
    )
    other = svo.compare(data, n_boot=300, rng=8)
    assert not np.allclose(first["angle_low"], other["angle_low"])
    np.testing.assert_array_equal(first["angle_mean"], other["angle_mean"])


def test_interval_narrows_with_n():
    rng = np.random.default_rng(6)
    small = survey([0.1, 0.5, 0.3, 0.1], 50, rng, group="small")
    large = survey([0.1, 0.5, 0.3, 0.1], 1600, rng, group="large")
    table = svo.compare(pd.concat([small, large]), n_boot=500, rng=0)
    width = table["angle_high"] - table["angle_low"]
    share_width = table["share_prosocial_high"] - table["share_prosocial_low"]
    # the width shrinks like 1/sqrt(n): 32 times the respondents, about 5.7 times narrower
    assert width["large"] < width["small"] / 3
    assert share_width["large"] < share_width["small"] / 3


def test_higher_confidence_gives_wider_intervals():
    data = random_survey(200, np.random.default_rng(7), groups=("a",))
    narrow = svo.compare(data, n_boot=1000, confidence=0.5, rng=0)
    wide = svo.compare(data, n_boot=1000, confidence=0.99, rng=0)
    assert (wide["angle_high"] - wide["angle_low"]).iloc[0] > 2 * (
        narrow["angle_high"] - narrow["angle_low"]
    ).iloc[0]


def test_scored_input_gives_the_same_table_as_items():
    data = random_survey(150, np.random.default_rng(8))
    scored = svo.score(data)
    scored["group"] = data["group"].to_numpy()
    pd.testing.assert_frame_equal(
        svo.compare(data, n_boot=200, rng=1), svo.compare(scored, n_boot=200, rng=1)
    )


def test_scored_input_without_transitive_column():
    data = random_survey(100, np.random.default_rng(9))
    scored = svo.score(data)[["angle"]].assign(group=data["group"].to_numpy())
    table = svo.compare(scored, n_boot=200, rng=0)
    assert table["transitive_share"].isna().all()
    assert table["share_prosocial"].notna().all()


def test_incomplete_respondents_are_counted_not_used():
    data = random_survey(120, np.random.default_rng(10), groups=("a", "b"))
    data = data.astype({c: float for c in svo.PRIMARY_COLUMNS})
    blank = [0, 1, 2, 50]
    data.loc[blank, "item3"] = np.nan
    table = svo.compare(data, n_boot=200, rng=0)
    excluded = data.loc[blank, "group"].value_counts().reindex(["a", "b"], fill_value=0)
    np.testing.assert_array_equal(table["n_excluded"], excluded)
    np.testing.assert_array_equal(
        table["n"] + table["n_excluded"], data["group"].value_counts().sort_index()
    )
    complete = data.drop(index=blank)
    np.testing.assert_allclose(
        table["angle_mean"], svo.compare(complete, n_boot=200, rng=0)["angle_mean"]
    )


def test_missing_group_values_are_left_out_with_a_warning(caplog):
    data = random_survey(60, np.random.default_rng(11), groups=("a", "b"))
    data.loc[[3, 4, 5], "group"] = None
    with caplog.at_level(logging.WARNING, logger="svo._compare"):
        table = svo.compare(data, n_boot=200, rng=0)
    assert "3 row(s) with a missing value" in caplog.text and "'group'" in caplog.text
    assert table.attrs["n_missing_group"] == 3
    assert table["n"].sum() == 57 and list(table.index) == ["a", "b"]


def test_small_groups_log_a_warning(caplog):
    data = random_survey(5, np.random.default_rng(12), groups=("tiny",))
    with caplog.at_level(logging.WARNING, logger="svo._compare"):
        svo.compare(data, n_boot=100, rng=0)
    assert "'tiny' has only 5 respondents with an angle" in caplog.text


def test_warnings_are_returned_not_only_logged(caplog):
    """compare_report hands its warnings to the caller (the CLI and the app show them)."""
    data = random_survey(40, np.random.default_rng(12), groups=("big", "tiny"))
    data["group"] = [None] + ["big"] * 36 + ["tiny"] * 3
    with caplog.at_level(logging.WARNING, logger="svo._compare"):
        report = svo.compare_report(data, n_boot=100, rng=0)
    assert caplog.text == ""  # nothing logged: the caller decides how to show them
    assert report.warnings == (
        "1 row(s) with a missing value in the grouping column(s) 'group' were left out.",
        "group 'tiny' has only 3 respondents with an angle; its bootstrap intervals are "
        "unreliable.",
    )
    assert report.n_missing_group == 1 and report.confidence == 0.95 and report.n_boot == 100
    pd.testing.assert_frame_equal(report.table, svo.compare(data, n_boot=100, rng=0),
                                  check_flags=False)


def test_group_order_sorted_and_categorical():
    data = random_survey(90, np.random.default_rng(13), groups=("zeta", "alpha", "mid"))
    assert list(svo.compare(data, n_boot=100, rng=0).index) == ["alpha", "mid", "zeta"]
    data["group"] = pd.Categorical(data["group"], categories=["zeta", "mid", "alpha", "unused"])
    table = svo.compare(data, n_boot=100, rng=0)
    assert list(table.index) == ["zeta", "mid", "alpha", "unused"]
    assert isinstance(table.index, pd.CategoricalIndex)
    assert table.loc["unused", "n"] == 0 and np.isnan(table.loc["unused", "angle_mean"])
    numbers = random_survey(90, np.random.default_rng(14), groups=(10, 2, 33))
    assert list(svo.compare(numbers, n_boot=100, rng=0).index) == [2, 10, 33]


def test_several_grouping_columns_give_a_multiindex():
    rng = np.random.default_rng(15)
    data = random_survey(200, rng, groups=("a", "b"))
    data["wave"] = rng.choice([1, 2], 200)
    table = svo.compare(data, by=["group", "wave"], n_boot=100, rng=0)
    assert isinstance(table.index, pd.MultiIndex)
    assert table.index.names == ["group", "wave"]
    assert list(table.index) == [("a", 1), ("a", 2), ("b", 1), ("b", 2)]
    np.testing.assert_array_equal(table["n"], data.groupby(["group", "wave"]).size())


def test_empty_group_after_exclusion_has_nan_statistics():
    data = random_survey(40, np.random.default_rng(16), groups=("a", "b")).astype(
        {"item1": float}
    )
    data.loc[data["group"] == "b", "item1"] = np.nan
    table = svo.compare(data, n_boot=100, rng=0)
    assert table.loc["b", "n"] == 0 and table.loc["b", "n_excluded"] > 0
    assert table.loc["b", [c for c in table.columns if c not in ("n", "n_excluded")]].isna().all()


# -- the vectorised bootstrap against the slow reference --------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 30),
    b=st.integers(1, 20),
    k=st.integers(1, 7),
    seed=st.integers(0, 2**32 - 1),
)
def test_resample_means_matches_the_reference(n, b, k, seed):
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(n, k))
    index = rng.integers(0, n, size=(b, n))
    np.testing.assert_allclose(
        _resample_means(values, index), _resample_means_reference(values, index), atol=1e-12
    )


def test_replicates_are_the_resamples_of_one_index_matrix():
    values = np.random.default_rng(0).normal(size=(25, 3))
    fast = _replicate_means(values, 150, np.random.default_rng(42))
    index = np.random.default_rng(42).integers(0, 25, size=(150, 25))
    np.testing.assert_allclose(fast, _resample_means_reference(values, index))


def test_blocks_bound_memory(monkeypatch):
    import svo._compare as module

    monkeypatch.setattr(module, "_BLOCK_ELEMENTS", 100)
    values = np.random.default_rng(0).normal(size=(30, 2))
    out = module._replicate_means(values, 37, np.random.default_rng(1))
    assert out.shape == (37, 2) and np.isfinite(out).all()
    assert (out.min(axis=0) >= values.min(axis=0)).all()


# -- difference --------------------------------------------------------------------------------


def test_difference_covers_the_true_difference():
    rng = np.random.default_rng(17)
    a, b = [0.1, 0.6, 0.2, 0.1], [0.05, 0.35, 0.5, 0.1]
    data = pd.concat([survey(a, 500, rng, "a"), survey(b, 500, rng, "b")])
    table = difference(data, groups=("a", "b"), rng=0)
    assert list(table.columns) == ["a", "b", "difference", "low", "high"]
    assert list(table.index) == list(STATISTICS)
    true = float(np.dot(np.subtract(a, b), EXACT_ANGLES))
    assert table.loc["angle_mean", "low"] <= true <= table.loc["angle_mean", "high"]
    assert table.loc["share_prosocial", "low"] > 0  # 0.25 apart: clearly different
    reverse = difference(data, groups=("b", "a"), rng=0)
    np.testing.assert_allclose(reverse["difference"], -table["difference"], equal_nan=True)


def test_difference_defaults_to_the_two_groups_and_validates():
    data = random_survey(80, np.random.default_rng(18), groups=("x", "y"))
    assert list(difference(data, n_boot=100, rng=0).columns[:2]) == ["x", "y"]
    three = random_survey(90, np.random.default_rng(19))
    with pytest.raises(svo.SVOError, match="exactly two groups"):
        difference(three, n_boot=100)
    with pytest.raises(svo.SVOError, match=r"'nope'.*the groups are"):
        difference(three, groups=("a", "nope"), n_boot=100)
    with pytest.raises(svo.SVOError, match="must be a pair"):
        difference(three, groups="ab", n_boot=100)


# -- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [*(("n_boot", v, r"an int in \[100, 1000000\]") for v in [99, 10**7, 2.5, True, "1000", None]),
     *(("confidence", v, r"a float in \(0, 1\)")
       for v in [0, 1, 1.5, -0.1, float("nan"), "0.9", True])],
)
def test_bad_parameter(name, value, expected):
    data = random_survey(20, np.random.default_rng(0))
    message = rf"'{name}' parameter of compare must be {expected}\. Got"
    with pytest.raises(svo.SVOError, match=message):
        svo.compare(data, **{name: value})


def test_unknown_column_names_the_available_ones():
    data = random_survey(20, np.random.default_rng(0))
    with pytest.raises(svo.SVOError, match=r"Got 'grp'; the columns are \['item1'.*'group'\]"):
        svo.compare(data, by="grp")
    with pytest.raises(svo.SVOError, match="Got 'wave'"):
        svo.compare(data, by=["group", "wave"])
    with pytest.raises(svo.SVOError, match="at least one column"):
        svo.compare(data, by=[])


def test_data_must_be_a_frame_with_scores_or_items():
    with pytest.raises(svo.SVOError, match=r"must be a pandas DataFrame.*Got ndarray"):
        svo.compare(np.zeros((3, 6)))
    with pytest.raises(svo.SVOError, match=r"needs scored data.*Got columns \['group', 'x'\]"):
        svo.compare(pd.DataFrame({"group": ["a"], "x": [1]}))
    with pytest.raises(svo.SVOError, match=r"'angle' column must hold numbers.*row 1"):
        svo.compare(pd.DataFrame({"group": ["a", "a"], "angle": [3.0, "wide"]}))


def test_answers_off_the_form_raise_a_choice_error():
    data = random_survey(10, np.random.default_rng(0))
    data.loc[4, "item2"] = 9
    with pytest.raises(svo.ChoiceError, match="item2"):
        svo.compare(data)


def test_a_survey_is_compared_as_its_table():
    survey = svo.check_survey(random_survey(40, np.random.default_rng(3)).reset_index(
        names="respondent"))
    pd.testing.assert_frame_equal(svo.compare(survey, n_boot=100, rng=0),
                                  svo.compare(survey.data, n_boot=100, rng=0))
