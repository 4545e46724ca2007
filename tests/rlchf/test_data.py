"""PreferenceData: construction, accessors, to_pairwise and every bad input (issue 15 §1, §7)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlchf import PreferenceData, PreferenceDataError, RLCHFError
from rlchf._validate import REQUIRED


def pairwise_frame(**overrides) -> pd.DataFrame:
    df = pd.DataFrame({
        "prompt_id": ["p1", "p1", "p2", "p2"],
        "prompt": ["Greet me.", "Greet me.", "Say bye.", "Say bye."],
        "response_a": ["Hi!", "Hi!", "Bye.", "Bye."],
        "response_b": ["Hello.", "Hello.", "Later!", "Later!"],
        "label": [1, 0, 0.5, 1],
        "annotator_id": ["ann", "bob", "ann", "bob"],
        "region": ["north", "south", "north", "south"],
    })
    for col, value in overrides.items():
        df[col] = value
    return df


def ranking_frame(**overrides) -> pd.DataFrame:
    df = pd.DataFrame({
        "prompt_id": ["p1"] * 6,
        "prompt": ["Greet me."] * 6,
        "response_id": ["r1", "r2", "r3"] * 2,
        "response": ["Hi!", "Hello.", "Hey."] * 2,
        "annotator_id": ["ann"] * 3 + ["bob"] * 3,
        "rank": [0, 1, 2, 2, 0, 1],
        "age": [30] * 3 + [60] * 3,
    })
    for col, value in overrides.items():
        df[col] = value
    return df


# ---------------------------------------------------------------- construction and accessors


def test_pairwise_accessors():
    data = PreferenceData.from_pandas(pairwise_frame(), kind="pairwise", features=["region"])
    assert data.kind == "pairwise"
    assert data.features == ("region",)
    assert len(data) == 4
    assert list(data.prompt_ids) == ["p1", "p2"]
    assert data.frame["label"].dtype == np.float64
    assert data.frame["label"].tolist() == [1.0, 0.0, 0.5, 1.0]
    ann = data.annotators()
    assert ann.to_dict("list") == {"annotator_id": ["ann", "bob"], "region": ["north", "south"]}


def test_columns_ordered_required_then_features_then_extras():
    df = pairwise_frame(note=["x"] * 4)
    df = df[["note", "region", *reversed(df.columns[:6])]]
    data = PreferenceData.from_pandas(df, kind="pairwise", features=("region",))
    assert list(data.frame.columns) == [
        "prompt_id", "prompt", "response_a", "response_b", "label", "annotator_id",
        "region", "note"]


def test_undeclared_columns_are_kept_but_not_features():
    data = PreferenceData.from_pandas(pairwise_frame(), kind="pairwise")
    assert data.features == ()
    assert "region" in data.frame.columns
    assert list(data.annotators().columns) == ["annotator_id"]


def test_frame_is_a_copy():
    data = PreferenceData.from_pandas(pairwise_frame(), kind="pairwise")
    f = data.frame
    f.loc[0, "label"] = 0.0
    assert data.frame.loc[0, "label"] == 1.0


def test_input_frame_untouched_and_index_reset():
    df = pairwise_frame()
    df.index = [10, 11, 12, 13]
    before = df.copy()
    data = PreferenceData.from_pandas(df, kind="pairwise")
    pd.testing.assert_frame_equal(df, before)
    assert list(data.frame.index) == [0, 1, 2, 3]


def test_features_as_single_string():
    data = PreferenceData.from_pandas(pairwise_frame(), kind="pairwise", features="region")
    assert data.features == ("region",)


def test_repr():
    data = PreferenceData.from_pandas(ranking_frame(), kind="ranking", features=["age"])
    assert repr(data) == ("PreferenceData(kind='ranking', 6 rows, 1 prompts, 2 annotators, "
                          "features=('age',))")


def test_ranking_ranks_become_dense_keeping_order():
    data = PreferenceData.from_pandas(ranking_frame(rank=[0, 5, 9, 3, 0, 3]), kind="ranking")
    assert data.frame["rank"].tolist() == [0, 1, 2, 1, 0, 1]
    assert data.frame["rank"].dtype == np.int64


def test_rating_becomes_dense_rank_of_minus_rating_and_is_kept():
    df = ranking_frame().drop(columns="rank")
    df["rating"] = [4.0, 2.0, 4.0, 1, 7, 3]
    data = PreferenceData.from_pandas(df, kind="ranking")
    assert data.frame["rank"].tolist() == [0, 1, 0, 2, 0, 1]
    assert data.frame["rating"].tolist() == [4.0, 2.0, 4.0, 1.0, 7.0, 3.0]


def test_rank_and_rating_both_present_rank_wins():
    data = PreferenceData.from_pandas(ranking_frame(rating=[1] * 6), kind="ranking")
    assert data.frame["rank"].tolist() == [0, 1, 2, 2, 0, 1]
    assert "rating" in data.frame.columns


def test_integer_ids_and_numeric_features():
    df = pairwise_frame(prompt_id=[1, 1, 2, 2], annotator_id=[7, 8, 7, 8], region=[0.5, 1, 0.5, 1])
    data = PreferenceData.from_pandas(df, kind="pairwise", features=["region"])
    assert list(data.prompt_ids) == [1, 2]
    assert data.annotators()["region"].tolist() == [0.5, 1.0]


def test_pairwise_repeat_judgments_are_data():
    df = pd.concat([pairwise_frame()] * 2, ignore_index=True)
    assert len(PreferenceData.from_pandas(df, kind="pairwise")) == 8


# ---------------------------------------------------------------- to_pairwise


def test_to_pairwise_of_pairwise_is_itself():
    data = PreferenceData.from_pandas(pairwise_frame(), kind="pairwise")
    assert data.to_pairwise() is data


def test_to_pairwise_expands_every_pair_with_features():
    data = PreferenceData.from_pandas(ranking_frame(), kind="ranking", features=["age"])
    pairs = data.to_pairwise()
    assert pairs.kind == "pairwise" and pairs.features == ("age",)
    f = pairs.frame
    assert f[["response_a", "response_b", "label", "annotator_id", "age"]].values.tolist() == [
        ["Hi!", "Hello.", 1.0, "ann", 30],
        ["Hi!", "Hey.", 1.0, "ann", 30],
        ["Hello.", "Hey.", 1.0, "ann", 30],
        ["Hi!", "Hello.", 0.0, "bob", 60],
        ["Hi!", "Hey.", 0.0, "bob", 60],
        ["Hello.", "Hey.", 1.0, "bob", 60],
    ]
    assert f["response_a_id"].tolist()[:2] == ["r1", "r1"]
    assert (f["prompt"] == "Greet me.").all()


def test_to_pairwise_output_is_valid_pairwise_data():
    data = PreferenceData.from_pandas(ranking_frame(), kind="ranking", features=["age"])
    f = data.to_pairwise().frame
    again = PreferenceData.from_pandas(f, kind="pairwise", features=["age"])
    pd.testing.assert_frame_equal(again.frame, f)


@st.composite
def rankings(draw):
    """Random ranking data: prompts of 2-5 responses, annotators ranking subsets, ties."""
    rows = []
    n_prompts = draw(st.integers(1, 4))
    for p in range(n_prompts):
        k = draw(st.integers(2, 5))
        for a in range(draw(st.integers(1, 4))):
            chosen = draw(st.lists(st.integers(0, k - 1), min_size=2, max_size=k, unique=True))
            for r in chosen:
                rows.append({"prompt_id": p, "prompt": f"q{p}", "response_id": r,
                             "response": f"p{p}r{r}", "annotator_id": f"a{a}",
                             "rank": draw(st.integers(0, 3)), "grp": a % 2})
    order = draw(st.permutations(range(len(rows))))
    return pd.DataFrame([rows[i] for i in order])


@settings(max_examples=40, deadline=None)
@given(rankings())
def test_to_pairwise_invariants(df):
    data = PreferenceData.from_pandas(df, kind="ranking", features=["grp"])
    f = data.frame
    pairs = data.to_pairwise().frame
    sizes = f.groupby(["prompt_id", "annotator_id"]).size()
    # one row per unordered pair of responses an annotator ranked
    assert len(pairs) == int((sizes * (sizes - 1) // 2).sum())
    # labels agree with the ranks
    keys = zip(f.prompt_id, f.annotator_id, f.response, strict=True)
    rank = dict(zip(keys, f["rank"], strict=True))
    for p, a, ra, rb, lab, g in pairs[["prompt_id", "annotator_id", "response_a",
                                       "response_b", "label", "grp"]].itertuples(index=False):
        x, y = rank[(p, a, ra)], rank[(p, a, rb)]
        assert lab == (1.0 if x < y else 0.0 if x > y else 0.5)
        assert g == int(a[1:]) % 2
    # no pair twice, never a response against itself
    key = pairs[["prompt_id", "annotator_id", "response_a_id", "response_b_id"]]
    assert not key.duplicated().any()
    assert (pairs.response_a != pairs.response_b).all()
    swapped = key.rename(columns={"response_a_id": "response_b_id",
                                  "response_b_id": "response_a_id"})
    assert pd.merge(key, swapped).empty
    # the labels of the pairs recover each annotator's ranking (Borda-like wins count)
    wins = pd.concat([
        pairs.assign(r=pairs.response_a, w=pairs.label),
        pairs.assign(r=pairs.response_b, w=1 - pairs.label),
    ]).groupby(["prompt_id", "annotator_id", "r"])["w"].sum()
    for (p, a, r), w in wins.items():
        better = sum(1 for (p2, a2, _), v in rank.items()
                     if (p2, a2) == (p, a) and v > rank[(p, a, r)])
        ties = sum(1 for (p2, a2, _), v in rank.items()
                   if (p2, a2) == (p, a) and v == rank[(p, a, r)]) - 1
        assert w == better + 0.5 * ties


# ---------------------------------------------------------------- bad input (issue §7)


def err(df, kind="pairwise", features=(), **kw) -> str:
    with pytest.raises(PreferenceDataError) as info:
        PreferenceData.from_pandas(df, kind=kind, features=features, **kw)
    assert isinstance(info.value, RLCHFError) and isinstance(info.value, ValueError)
    return str(info.value)


def test_label_outside_set_names_row_column_and_expected():
    msg = err(pairwise_frame(label=[1, 0, 2, 1]), name="preferences.csv")
    assert msg == ("Row 2 of preferences.csv: the 'label' column must be 1, 0 or 0.5. "
                   "Got 2 instead.")


def test_label_not_a_number():
    msg = err(pairwise_frame(label=["1", "0", "yes", "1"]))
    assert msg == "Row 2 of the data: the 'label' column must be 1, 0 or 0.5. Got 'yes' instead."


def test_label_boolean_refused():
    assert "Row 0 of the data: the 'label' column" in err(pairwise_frame(label=[True] * 4))


def test_missing_declared_feature():
    msg = err(pairwise_frame(), features=["region", "age"])
    assert "the declared feature column(s) 'age' are missing" in msg


def test_missing_required_column():
    msg = err(pairwise_frame().drop(columns="label"))
    assert msg.startswith("the data: pairwise data needs the column(s) 'label'")


def test_kind_not_matching_columns_says_which_kind():
    msg = err(ranking_frame(), kind="pairwise")
    assert "is it kind='ranking'?" in msg
    msg = err(pairwise_frame(), kind="ranking")
    assert "is it kind='pairwise'?" in msg


def test_mixed_shapes():
    msg = err(pairwise_frame(rank=0), kind="pairwise")
    assert "mixed shapes" in msg and "'rank'" in msg
    msg = err(ranking_frame(label=1), kind="ranking")
    assert "mixed shapes" in msg and "'label'" in msg


def test_kind_must_be_said():
    with pytest.raises(PreferenceDataError, match="'kind' parameter"):
        PreferenceData.from_pandas(pairwise_frame(), kind="auto")


@pytest.mark.parametrize("col", ["prompt_id", "prompt", "response_a", "response_b", "label",
                                 "annotator_id", "region"])
def test_nan_in_required_or_feature_column(col):
    df = pairwise_frame()
    df[col] = df[col].astype(object)
    df.loc[3, col] = np.nan
    msg = err(df, features=["region"])
    assert msg.startswith(f"Row 3 of the data: the {col!r} column")


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_annotator_without_identity_has_no_judgments(blank):
    msg = err(pairwise_frame(annotator_id=["ann", blank, "ann", "bob"]))
    assert msg.startswith("Row 1 of the data: the 'annotator_id' column is empty")
    assert "every judgment needs its annotator" in msg


def test_response_a_equals_response_b():
    msg = err(pairwise_frame(response_b=["Hello.", "Hi!", "Later!", "Later!"]))
    assert msg.startswith("Row 1 of the data: 'response_a' and 'response_b' are the same")


def test_two_prompt_texts_for_one_prompt_id():
    msg = err(pairwise_frame(prompt=["Greet me.", "Greet me!", "Say bye.", "Say bye."]))
    assert msg.startswith("Row 1 of the data: two prompt texts for prompt_id 'p1'")


def test_feature_varying_within_annotator():
    msg = err(pairwise_frame(region=["north", "south", "south", "south"]), features=["region"])
    assert "varies within one annotator" in msg and "'ann'" in msg


def test_text_column_not_text():
    msg = err(pairwise_frame(response_b=[1, 2, 3, 4]))
    assert msg == "Row 0 of the data: the 'response_b' column must hold text. Got 1 instead."


def test_unhashable_id():
    df = pairwise_frame()
    df["prompt_id"] = pd.Series([["p1"], ["p1"], ["p2"], ["p2"]], dtype=object)
    assert "the 'prompt_id' column must hold strings or numbers" in err(df)


def test_not_a_dataframe():
    assert "must be a pandas DataFrame. Got dict" in err({"a": [1]})


def test_features_overlapping_required_columns():
    with pytest.raises(PreferenceDataError, match="'label' is one"):
        PreferenceData.from_pandas(pairwise_frame(), "pairwise", features=["label"])


def test_prompt_with_one_response():
    df = ranking_frame()
    extra = pd.DataFrame({"prompt_id": ["p9"] * 2, "prompt": ["Alone?"] * 2,
                          "response_id": ["r1"] * 2, "response": ["Yes."] * 2,
                          "annotator_id": ["ann", "bob"], "rank": [0, 0], "age": [30, 60]})
    msg = err(pd.concat([df, extra], ignore_index=True), kind="ranking")
    assert msg.startswith("Row 6 of the data: prompt 'p9' has one response ('r1')")


def test_annotator_ranking_one_response():
    df = ranking_frame().iloc[[0, 1, 2, 3]]
    msg = err(df, kind="ranking")
    assert msg.startswith("Row 3 of the data: annotator 'bob' ranks only one response")


def test_same_response_ranked_twice_by_one_annotator():
    msg = err(ranking_frame(response_id=["r1", "r2", "r1", "r1", "r2", "r3"]), kind="ranking")
    assert "ranks response 'r1' of prompt 'p1' twice" in msg


def test_two_texts_for_one_response_id():
    df = ranking_frame(response=["Hi!", "Hello.", "Hey.", "Hi!", "Hello.", "HEY"])
    assert err(df, kind="ranking").startswith("Row 5 of the data: two response texts")


def test_one_text_under_two_response_ids():
    df = ranking_frame(response=["Hi!", "Hi!", "Hey."] * 2)
    assert "two response ids with one text" in err(df, kind="ranking")


@pytest.mark.parametrize("rank, what", [([0, 1, 3, 2, 0, 1], "a gap"),
                                        ([1, 2, 3, 2, 0, 1], "a gap"),
                                        ([0, 1, 2, 1, 0, 1], "a tie")])
def test_strict_ranks_refuse_gaps_and_ties(rank, what):
    msg = err(ranking_frame(rank=rank), kind="ranking", strict_ranks=True)
    assert what in msg and "strict_ranks=True" in msg
    # without strict_ranks the same data is accepted
    PreferenceData.from_pandas(ranking_frame(rank=rank), kind="ranking")


def test_strict_ranks_accepts_permutations():
    data = PreferenceData.from_pandas(ranking_frame(), kind="ranking", strict_ranks=True)
    assert data.frame["rank"].tolist() == [0, 1, 2, 2, 0, 1]


def test_strict_ranks_with_tied_ratings():
    df = ranking_frame().drop(columns="rank")
    df["rating"] = [3, 3, 1, 1, 2, 3]
    assert "a tie" in err(df, kind="ranking", strict_ranks=True)


@pytest.mark.parametrize("rank", [-1, 0.5, "first"])
def test_bad_rank_values(rank):
    ranks = [0, 1, rank, 2, 0, 1]
    msg = err(ranking_frame(rank=pd.Series(ranks, dtype=object)), kind="ranking")
    assert msg.startswith("Row 2 of the data: the 'rank' column must be a whole number >= 0")


def test_rating_not_finite():
    df = ranking_frame().drop(columns="rank")
    df["rating"] = [1, 2, np.inf, 1, 2, 3]
    assert err(df, kind="ranking").startswith("Row 2 of the data: the 'rating' column")


def test_strict_ranks_must_be_bool():
    with pytest.raises(PreferenceDataError, match="'strict_ranks' parameter"):
        PreferenceData.from_pandas(ranking_frame(), "ranking", strict_ranks="yes")


def test_duplicate_column_names():
    df = pairwise_frame()
    df.columns = [*df.columns[:-1], "label"]
    assert "the column 'label' appears twice" in err(df)


# ---------------------------------------------------------------- an annotator table


def table(**overrides) -> pd.DataFrame:
    t = pd.DataFrame({"annotator_id": ["ann", "bob"], "age": [31, 64], "note": ["x", "y"]})
    for col, value in overrides.items():
        t[col] = value
    return t


def test_annotator_table_features_are_joined():
    df = pairwise_frame().drop(columns="region")
    data = PreferenceData.from_pandas(df, kind="pairwise", features=["age"],
                                      annotators=table())
    assert data.frame["age"].tolist() == [31, 64, 31, 64]
    assert "note" not in data.frame.columns
    assert data.annotators().to_dict("list") == {"annotator_id": ["ann", "bob"], "age": [31, 64]}


def test_annotator_table_and_data_features_together():
    data = PreferenceData.from_pandas(pairwise_frame(), kind="pairwise",
                                      features=["region", "age"], annotators=table())
    assert list(data.frame.columns[6:8]) == ["region", "age"]


def test_annotator_in_table_without_judgments():
    t = pd.concat([table(), pd.DataFrame({"annotator_id": ["cy"], "age": [20], "note": ["z"]})],
                  ignore_index=True)
    msg = err(pairwise_frame(), features=["age"], annotators=t)
    assert msg.startswith("Row 2 of the annotator table: annotator 'cy' has no judgments")


def test_judgment_by_annotator_not_in_table():
    msg = err(pairwise_frame(annotator_id=["ann", "bob", "ann", "dee"]), features=["age"],
              annotators=table())
    assert msg.startswith("Row 3 of the data: annotator 'dee' is not in the annotator table")


@pytest.mark.parametrize("overrides, start", [
    ({"annotator_id": ["ann", "ann"]}, "Row 1 of the annotator table: annotator 'ann' appears"),
    ({"annotator_id": ["ann", " "]}, "Row 1 of the annotator table: the 'annotator_id' column"),
    ({"age": [31, np.nan]}, "Row 1 of the annotator table: the feature 'age' is empty"),
])
def test_bad_annotator_table(overrides, start):
    assert err(pairwise_frame(), features=["age"], annotators=table(**overrides)).startswith(start)


def test_feature_in_both_table_and_data():
    msg = err(pairwise_frame(age=1), features=["age"], annotators=table())
    assert "is a column of both the data and the annotator table" in msg


def test_annotator_table_must_be_a_frame_with_ids():
    assert "'annotators' parameter" in err(pairwise_frame(), annotators=[1, 2])
    assert "'annotators' parameter" in err(pairwise_frame(),
                                           annotators=table().drop(columns="annotator_id"))


def test_declared_feature_in_neither_table_nor_data():
    msg = err(pairwise_frame(), features=["height"], annotators=table())
    assert "the declared feature column(s) 'height' are missing" in msg


# ---------------------------------------------------------------- errors name the right row


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 30), data=st.data())
def test_first_bad_cell_is_the_row_named(n, data):
    df = pd.DataFrame({"prompt_id": [f"p{i % 3}" for i in range(n)],
                       "prompt": [f"q{i % 3}" for i in range(n)],
                       "response_a": ["x"] * n, "response_b": ["y"] * n,
                       "label": [1.0] * n, "annotator_id": [f"a{i}" for i in range(n)]})
    col, bad = data.draw(st.sampled_from([("label", 3.0), ("label", -0.5), ("label", np.nan),
                                          ("annotator_id", ""), ("response_b", "x"),
                                          ("prompt_id", None)]))
    rows = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3, unique=True))
    df[col] = df[col].astype(object)
    for r in rows:
        df.loc[r, col] = bad
    with pytest.raises(PreferenceDataError) as info:
        PreferenceData.from_pandas(df, kind="pairwise")
    assert str(info.value).startswith(f"Row {min(rows)} of the data: ")


def test_constructor_validates_like_from_pandas():
    data = PreferenceData(pairwise_frame(), "pairwise", ["region"])
    pd.testing.assert_frame_equal(
        data.frame, PreferenceData.from_pandas(pairwise_frame(), "pairwise", ["region"]).frame)
    with pytest.raises(PreferenceDataError, match=r"^Row 2 of the data: the 'label' column"):
        PreferenceData(pairwise_frame(label=[1, 0, 3, 1]), "pairwise")


def test_ranking_without_rank_or_rating():
    msg = err(ranking_frame().drop(columns="rank"), kind="ranking")
    assert msg.startswith("the data: ranking data needs the column(s) 'rank' or 'rating'; ")


@pytest.mark.parametrize("kind", ["pairwise", "ranking"])
def test_no_rows_is_an_error(kind):
    frame = pairwise_frame() if kind == "pairwise" else ranking_frame()
    msg = err(frame.iloc[:0], kind=kind)
    assert msg == "the data: there are no judgments (no rows under the header)."


def test_categorical_columns_are_accepted():
    df = pairwise_frame()
    for col in ("prompt_id", "prompt", "response_a", "response_b", "annotator_id", "region"):
        df[col] = df[col].astype("category")
    data = PreferenceData.from_pandas(df, kind="pairwise", features=["region"])
    assert data.frame["response_a"].tolist() == ["Hi!", "Hi!", "Bye.", "Bye."]
    bad = df.copy()
    bad["response_b"] = pd.Categorical(["Hello.", "Hi!", "Later!", "Later!"])
    assert err(bad).startswith("Row 1 of the data: 'response_a' and 'response_b' are the same")


CELLS = st.one_of(st.none(), st.just(np.nan), st.booleans(), st.integers(-3, 3),
                  st.sampled_from([0.0, 0.5, 1.0, 2.5, np.inf]), st.text(max_size=3),
                  st.lists(st.integers(), max_size=2))


@settings(max_examples=60, deadline=None)
@given(data=st.data(), kind=st.sampled_from(["pairwise", "ranking"]))
def test_any_frame_gives_data_or_a_typed_error(data, kind):
    """Whatever the cells hold, the result is PreferenceData or a PreferenceDataError."""
    names = [*REQUIRED[kind], "rating", "label", "response", "group"]
    cols = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=8, unique=True))
    n = data.draw(st.integers(0, 6))
    df = pd.DataFrame({c: pd.Series(data.draw(st.lists(CELLS, min_size=n, max_size=n)),
                                    dtype=object) for c in cols})
    features = data.draw(st.sampled_from([(), ("group",)]))
    try:
        PreferenceData.from_pandas(df, kind=kind, features=features,
                                   strict_ranks=data.draw(st.booleans()))
    except PreferenceDataError:
        pass


@settings(max_examples=60, deadline=None)
@given(data=st.data(), kind=st.sampled_from(["pairwise", "ranking"]))
def test_corrupted_valid_frame_gives_data_or_a_typed_error(data, kind):
    """A valid frame with a few cells replaced by anything: data or a PreferenceDataError."""
    df = (pairwise_frame() if kind == "pairwise" else ranking_frame()).astype(object)
    features = ["region"] if kind == "pairwise" else ["age"]
    for _ in range(data.draw(st.integers(1, 3))):
        row = data.draw(st.integers(0, len(df) - 1))
        col = data.draw(st.sampled_from(list(df.columns)))
        df.at[row, col] = data.draw(CELLS)
    try:
        PreferenceData.from_pandas(df, kind=kind, features=features,
                                   strict_ranks=data.draw(st.booleans()))
    except PreferenceDataError:
        pass


def test_check_data_for_other_modules():
    from rlchf._data import _check_data

    data = PreferenceData.from_pandas(pairwise_frame(), "pairwise")
    assert _check_data(data, "aggregate_pairs") is data
    with pytest.raises(PreferenceDataError,
                       match=r"'data' parameter of aggregate_pairs must be a PreferenceData"):
        _check_data(pairwise_frame(), "aggregate_pairs")
