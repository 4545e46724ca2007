"""svo.score against the slow reference scorer, the published facts, input forms and bad input."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import svo
from svo import ChoiceError, Problem

from . import reference as ref

NAN = float("nan")
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------- helpers


def to_payoffs(options: np.ndarray) -> np.ndarray:
    """Option indices (n, m) -> printed payoffs (n, m, 2)."""
    m = options.shape[1]
    return svo.ITEMS[np.arange(m), options].astype(float)


def columns(scored: pd.DataFrame) -> dict[str, list]:
    """The scored columns as lists of Python objects (None for a missing category or
    transitivity), one entry per respondent."""
    out = {name: scored[name].to_numpy(dtype=float).tolist()
           for name in ("mean_self", "mean_other", "angle", "ia_index")}
    out["category"] = [None if pd.isna(c) else c for c in scored["category"].astype(object)]
    out["transitive"] = [None if t is pd.NA else bool(t) for t in scored["transitive"]]
    return out


def assert_matches_reference(scored: pd.DataFrame, rows, *, exact_ia: bool = True) -> None:
    """Every row of ``scored`` equals the reference scorer on the same answers."""
    assert len(scored) == len(rows)
    got = columns(scored)
    for i, answers in enumerate(rows):
        want = ref.score_one(answers)
        for column in ("mean_self", "mean_other", "angle"):
            if math.isnan(want[column]):
                assert math.isnan(got[column][i])
            else:
                assert got[column][i] == pytest.approx(want[column], abs=1e-9), column
        assert got["category"][i] == want["category"], answers
        assert got["transitive"][i] is want["transitive"], answers
        if math.isnan(want["ia_index"]):
            assert math.isnan(got["ia_index"][i]), answers
        elif exact_ia:
            assert got["ia_index"][i] == want["ia_index"], answers
        else:
            assert got["ia_index"][i] == pytest.approx(want["ia_index"], abs=1e-9)


@pytest.fixture(scope="module")
def all_patterns() -> np.ndarray:
    """Every answer pattern of the six primary items, (9**6, 6)."""
    return np.indices((9,) * 6).reshape(6, -1).T


@pytest.fixture(scope="module")
def all_scored(all_patterns) -> pd.DataFrame:
    return svo.score(all_patterns)


# ------------------------------------------------------------- (a) against the reference


def test_reference_on_sampled_primary_patterns(all_patterns, all_scored):
    rng = np.random.default_rng(7)
    rows = rng.choice(len(all_patterns), size=20_000, replace=False)
    got = columns(all_scored.iloc[rows])
    for i, row in enumerate(rows):
        want = ref.score_one(all_patterns[row].tolist())
        assert abs(got["angle"][i] - want["angle"]) <= 1e-9
        assert got["category"][i] == want["category"]
        assert got["transitive"][i] is want["transitive"]


def assert_same_scores(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Frame equality for large frames (pandas' assert_frame_equal is slow on these)."""
    assert got.index.equals(want.index)
    assert got.dtypes.equals(want.dtypes)
    for name in ("mean_self", "mean_other", "angle", "ia_index"):
        np.testing.assert_array_equal(got[name].to_numpy(), want[name].to_numpy())
    np.testing.assert_array_equal(got["category"].cat.codes, want["category"].cat.codes)
    np.testing.assert_array_equal(got["transitive"].isna(), want["transitive"].isna())
    np.testing.assert_array_equal(got["transitive"].fillna(False), want["transitive"].fillna(False))


def test_every_pattern_scores_the_same_from_payoffs(all_patterns, all_scored):
    assert_same_scores(svo.score(to_payoffs(all_patterns)), all_scored)


def test_reference_on_random_fifteen_item_answers():
    options = np.random.default_rng(11).integers(0, 9, size=(3_000, 15))
    scored = svo.score(options)
    assert 0.2 < scored["ia_index"].notna().mean() < 0.35  # the index is often defined
    assert_matches_reference(scored, options.tolist())
    pd.testing.assert_frame_equal(svo.score(to_payoffs(options)), scored)


# ----------------------------------------------------------------- (b) Hypothesis


answer = st.one_of(st.integers(0, 8), st.integers(0, 8), st.integers(0, 8), st.just(NAN))
respondents = st.lists(st.lists(answer, min_size=15, max_size=15), min_size=1, max_size=12)


@SETTINGS
@given(respondents)
def test_hypothesis_fifteen_item_answers(rows):
    result = svo.score_report(np.array(rows, dtype=float))
    assert_matches_reference(result.scores, rows)
    incomplete = [i for i, row in enumerate(rows) if any(math.isnan(a) for a in row[:6])]
    assert list(result.incomplete) == incomplete and result.dropped == ()


@SETTINGS
@given(st.lists(st.lists(answer, min_size=6, max_size=6), min_size=1, max_size=12))
def test_hypothesis_primary_answers(rows):
    assert_matches_reference(svo.score(rows), rows)


@st.composite
def allocation(draw, item: int):
    """One answer to ``item`` as payoffs: a printed option, an exact point of the segment at
    a dyadic position, a point near the segment (within the tolerance), or missing. Dyadic
    coordinates keep the float arithmetic exact, so ties compare exactly on both sides."""
    (s0, o0), (s1, o1) = ref.ENDPOINTS[item]
    kind = draw(st.sampled_from(["printed", "segment", "near", "missing"]))
    if kind == "missing":
        return (NAN, NAN)
    if kind == "printed":
        return tuple(float(v) for v in ref.ITEMS[item][draw(st.integers(0, 8))])
    t = draw(st.integers(0, 4096)) / 4096
    point = (s0 + t * (s1 - s0), o0 + t * (o1 - o0))
    if kind == "near":
        ds, do = (draw(st.integers(-32, 32)) / 64 for _ in range(2))  # at most 0.71 away
        point = (point[0] + ds, point[1] + do)
    return point


@st.composite
def allocation_rows(draw, m: int):
    return [draw(allocation(k)) for k in range(m)]


@SETTINGS
@given(st.sampled_from([6, 15]).flatmap(lambda m: st.lists(allocation_rows(m), min_size=1,
                                                            max_size=8)))
def test_hypothesis_allocations_on_the_lines(rows):
    scored = svo.score(np.array(rows, dtype=float))
    # exact on the primary side; the slider position of a continuous answer is a float
    # division on the vectorised side, so compare the index unless a tie is near
    assert_matches_reference(scored.assign(ia_index=NAN), [answers[:6] for answers in rows])
    for got, answers in zip(scored["ia_index"], rows, strict=True):
        want = ref.score_one(answers)["ia_index"]
        if math.isnan(want) != math.isnan(got):
            assert _ia_near_tie(answers), answers
        elif not math.isnan(want):
            assert got == pytest.approx(want, abs=1e-9)


def _ia_near_tie(answers) -> bool:
    """Whether the reference's 'IA and JG strictly nearest' decision is within 1e-9."""
    positions = [ref.point_and_position(k, a)[1] for k, a in enumerate(answers)][6:]
    distance = {
        name: sum(abs(p - i) / 8 for p, i in zip(positions, ideals, strict=True)
                  if i is not None) / sum(i is not None for i in ideals)
        for name, ideals in ref.SECONDARY_IDEALS.items()
    }
    gap = min(distance["individualistic"], distance["altruistic"]) - max(
        distance["inequality_aversion"], distance["joint_gain"])
    return abs(gap) < 1e-9


@SETTINGS
@given(st.lists(st.floats(0, 1), min_size=6, max_size=6))
def test_hypothesis_continuous_positions(ts):
    """Arbitrary float positions on the segments: the angle matches, and so does
    transitivity wherever no answer is within rounding of an item's exact middle."""
    rows = [[(s0 + t * (s1 - s0), o0 + t * (o1 - o0))
             for t, ((s0, o0), (s1, o1)) in zip(ts, ref.ENDPOINTS[:6], strict=True)]]
    got = columns(svo.score(rows[0]))
    want = ref.score_one(rows[0])
    assert got["angle"][0] == pytest.approx(want["angle"], abs=1e-9)
    if all(abs(t - 0.5) > 1e-9 or t == 0.5 for t in ts):
        assert got["transitive"][0] is want["transitive"]


# ------------------------------------------------------------- (c) published facts


def test_ideal_types_reproduce_the_published_angles():
    choices = [svo.IDEAL_CHOICES[c] for c in svo.CATEGORIES]
    scored = svo.score(choices)
    assert scored["angle"].round(2).tolist() == [svo.IDEAL_ANGLES[c] for c in svo.CATEGORIES]
    assert scored["angle"].round(2).tolist() == [61.39, 37.48, -7.82, -16.26]
    assert scored["category"].tolist() == list(svo.CATEGORIES)
    assert scored["transitive"].all()


def test_reachable_range_is_the_altruist_and_the_competitor(all_scored):
    angle = all_scored["angle"]
    ideal = svo.score([svo.IDEAL_CHOICES["altruistic"], svo.IDEAL_CHOICES["competitive"]])
    assert angle.max() == ideal["angle"].iloc[0]
    assert angle.min() == ideal["angle"].iloc[1]
    assert (round(angle.min(), 2), round(angle.max(), 2)) == (-16.26, 61.39)


def test_uniform_random_answers_transitivity_and_categories(all_scored):
    transitive = all_scored["transitive"]
    assert transitive.notna().all()
    assert round(transitive.mean(), 5) == 0.41857
    assert round(100 * transitive.mean(), 1) == 41.9
    shares = all_scored["category"].value_counts(normalize=True)
    assert shares["prosocial"] == pytest.approx(0.51, abs=0.005)
    assert shares["individualistic"] == pytest.approx(0.49, abs=0.005)
    assert shares["altruistic"] < 0.001 and shares["competitive"] < 0.001
    assert shares["altruistic"] > 0 and shares["competitive"] > 0


def test_no_pattern_lands_on_a_category_boundary(all_scored):
    bounds = [low for low, _ in svo.CATEGORY_BOUNDS.values() if np.isfinite(low)]
    assert sorted(bounds) == [-12.04, 22.45, 57.15]
    gaps = np.abs(all_scored["angle"].to_numpy()[:, None] - np.array(bounds))
    assert gaps.min() > 1e-4


def test_categorize_includes_the_lower_bound():
    got = svo.categorize([57.15, np.nextafter(57.15, 0), 22.45, np.nextafter(22.45, 0),
                          -12.04, np.nextafter(-12.04, -99), NAN])
    assert got.tolist() == ["altruistic", "prosocial", "prosocial", "individualistic",
                            "individualistic", "competitive", None]
    angles = np.linspace(-20, 65, 1001)
    assert svo.categorize(angles).tolist() == [ref.category(a) for a in angles]


# ------------------------------------------------------------------- (d) input forms


FIFTEEN = np.array([[0, 8, 8, 3, 4, 8, 5, 4, 3, 6, 4, 7, 4, 2, 1],
                    [8, 8, 8, 8, 0, 0, 0, 8, 0, 0, 8, 8, 8, 0, 8],
                    [1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4, 5, 6]])


@pytest.fixture
def expected() -> pd.DataFrame:
    return svo.score(FIFTEEN)


def test_result_columns_and_dtypes(expected):
    assert list(expected.columns) == ["mean_self", "mean_other", "angle", "category",
                                      "transitive", "ia_index"]
    assert expected["category"].cat.ordered
    assert list(expected["category"].cat.categories) == list(svo.CATEGORIES)
    assert expected["transitive"].dtype == "boolean"
    assert expected.attrs == {}  # nothing on the side: score_report returns the report
    assert expected["ia_index"].iloc[0] == 0.0  # the inequality-averse ideal


@pytest.mark.parametrize("style", ["item{}", "item_{}", "Item_{}", " ITEM{} "])
def test_dataframe_of_option_indices(style, expected):
    labels = pd.Index(["ann", "bob", "cy"], name="respondent")
    frame = pd.DataFrame(FIFTEEN, columns=[style.format(i) for i in range(1, 16)], index=labels)
    frame.insert(0, "group", ["a", "b", "a"])
    scored = svo.score(frame)
    pd.testing.assert_frame_equal(scored, expected.set_axis(labels))
    primary = svo.score(frame.iloc[:, :7])
    pd.testing.assert_frame_equal(primary.drop(columns="ia_index"),
                                  expected.set_axis(labels).drop(columns="ia_index"))
    assert primary["ia_index"].isna().all()


def test_dataframe_of_allocations(expected):
    payoffs = to_payoffs(FIFTEEN)
    columns = {}
    for k, item in enumerate(svo.ITEM_COLUMNS):
        columns[f"{item}_self"] = payoffs[:, k, 0]
        columns[f"{item}_other"] = payoffs[:, k, 1]
    frame = pd.DataFrame(columns, index=[10, 20, 30])
    pd.testing.assert_frame_equal(svo.score(frame), expected.set_axis([10, 20, 30]))
    # matching option columns beside the payoffs are accepted; column order does not matter
    both = pd.concat([frame[frame.columns[::-1]], pd.DataFrame(FIFTEEN, index=frame.index,
                                                               columns=svo.ITEM_COLUMNS)], axis=1)
    pd.testing.assert_frame_equal(svo.score(both), expected.set_axis([10, 20, 30]))


def test_arrays_lists_and_single_respondents(expected):
    pd.testing.assert_frame_equal(svo.score(FIFTEEN.tolist()), expected)
    pd.testing.assert_frame_equal(svo.score(FIFTEEN.astype(np.int8)), expected)
    pd.testing.assert_frame_equal(svo.score(to_payoffs(FIFTEEN)), expected)
    pd.testing.assert_frame_equal(svo.score(to_payoffs(FIFTEEN).tolist()), expected)
    six = svo.score(FIFTEEN[:, :6])
    pd.testing.assert_frame_equal(six, expected.assign(ia_index=NAN))
    pd.testing.assert_frame_equal(svo.score(to_payoffs(FIFTEEN[:, :6])), six)
    # one respondent: a flat list of 6 or 15 indices, or a (6, 2) / (15, 2) array of payoffs
    for row in range(3):
        one = expected.iloc[[row]].set_axis([0])
        pd.testing.assert_frame_equal(svo.score(FIFTEEN[row].tolist()), one)
        pd.testing.assert_frame_equal(svo.score(to_payoffs(FIFTEEN)[row]), one)
        pd.testing.assert_frame_equal(svo.score(FIFTEEN[row, :6]), six.iloc[[row]].set_axis([0]))
        pd.testing.assert_frame_equal(svo.score(pd.Series(FIFTEEN[row])), one)


def test_numeric_strings_and_nullable_integers(expected):
    frame = pd.DataFrame(FIFTEEN, columns=svo.ITEM_COLUMNS)
    pd.testing.assert_frame_equal(svo.score(frame.astype(str)), expected)
    pd.testing.assert_frame_equal(svo.score(frame.astype("Int64")), expected)
    pd.testing.assert_frame_equal(svo.score(frame.astype(float)), expected)


def test_missing_primary_answer_keeps_the_row():
    rows = FIFTEEN.astype(float)
    rows[1, 2] = NAN
    frame = pd.DataFrame(rows, columns=svo.ITEM_COLUMNS, index=["a", "b", "c"])
    frame.loc["c", "item4"] = None
    scored = svo.score(frame)
    assert list(scored.index) == ["a", "b", "c"]
    assert svo.score_report(frame).incomplete == ("b", "c")
    missing = scored.loc[["b", "c"]]
    assert missing[["mean_self", "mean_other", "angle", "ia_index"]].isna().all().all()
    assert missing["category"].isna().all() and missing["transitive"].isna().all()
    pd.testing.assert_frame_equal(scored.loc[["a"]], svo.score(frame.loc[["a"]]))
    # the same with (nan, nan) payoff pairs
    payoffs = to_payoffs(FIFTEEN)
    payoffs[1, 2] = NAN
    payoffs[2, 3] = NAN
    from_payoffs = svo.score(payoffs)
    pd.testing.assert_frame_equal(from_payoffs, scored.reset_index(drop=True))
    assert svo.score_report(payoffs).incomplete == (1, 2)


def test_missing_secondary_answer_only_loses_the_index(expected):
    rows = FIFTEEN.astype(float)
    rows[0, 9] = NAN
    scored = svo.score(rows)
    assert math.isnan(scored["ia_index"].iloc[0])
    assert svo.score_report(rows).incomplete == ()
    pd.testing.assert_frame_equal(scored.drop(columns="ia_index"),
                                  expected.drop(columns="ia_index"))
    assert scored["ia_index"].iloc[1:].equals(expected["ia_index"].iloc[1:])


def test_empty_input():
    for empty in (np.zeros((0, 6)), pd.DataFrame(columns=svo.PRIMARY_COLUMNS)):
        scored = svo.score(empty)
        assert len(scored) == 0 and list(scored.columns)[:3] == ["mean_self", "mean_other",
                                                                 "angle"]


# --------------------------------------------------------------------- (e) bad input


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (9, "option 9 is not an option index; expected an integer in 0–8"),
        (-1, "option -1 is not an option index"),
        (2.5, "option 2.5 is not an option index"),
        (np.inf, "option inf is not an option index"),
        ("abc", "'abc' is not a number; expected an option index 0–8"),
        (True, "True is not a number"),
    ],
)
def test_bad_option_names_row_and_column(value, message):
    frame = pd.DataFrame(FIFTEEN, columns=svo.ITEM_COLUMNS, index=["a", "b", "c"]).astype(object)
    frame.loc["b", "item3"] = value
    with pytest.raises(ChoiceError, match="row 1 \\(respondent 'b'\\), column 'item3': ") as info:
        svo.score(frame)
    assert message in str(info.value)
    # also in an array (respondent = row number, not repeated); numpy itself reads a True
    # inside a list of ints as 1, so booleans are caught in object arrays and tables only
    rows = FIFTEEN.astype(object)
    rows[1, 2] = value
    with pytest.raises(ChoiceError, match="row 1, column 'item3': "):
        svo.score(rows if value is True else rows.tolist())
    report = svo.score_report(frame, errors="coerce")
    coerced = report.scores
    assert list(coerced.index) == ["a", "c"]
    assert pd.testing.assert_frame_equal(coerced, svo.score(frame, errors="coerce")) is None
    (problem,) = report.dropped
    assert isinstance(problem, Problem)
    assert (problem.row, problem.respondent, problem.column) == (1, "b", "item3")
    assert message in problem.message
    pd.testing.assert_frame_equal(coerced, svo.score(frame.drop(index="b")))


def test_allocation_errors_name_the_exact_column():
    payoffs = to_payoffs(FIFTEEN[:, :6])
    frame = pd.DataFrame(
        {f"{item}_{part}": payoffs[:, k, p] for k, item in enumerate(svo.PRIMARY_COLUMNS)
         for p, part in enumerate(("self", "other"))},
    ).astype(object)
    frame.loc[0, "item3_other"] = "abc"
    frame.loc[1, "item4_self"], frame.loc[1, "item4_other"] = 50.0, 10.0  # off the line
    frame.loc[2, "item5_other"] = NAN  # half a pair
    with pytest.raises(ChoiceError) as info:
        svo.score(frame)
    text = str(info.value)
    assert text.startswith("3 answer(s) are not on the SVO slider form")
    assert "row 0, column 'item3_other': 'abc' is not a number; expected a payoff" in text
    assert ("row 1, column 'item4_self/item4_other': the payoff pair (50, 10) is not on item 4's "
            "line from (50, 100) to (85, 15)") in text
    assert "row 2, column 'item5_self/item5_other': the payoff pair" in text
    assert "one payoff missing" in text
    coerced = svo.score_report(frame, errors="coerce")
    assert len(coerced.scores) == 0 and coerced.n_dropped == 3
    assert [(p.row, p.column) for p in coerced.dropped] == [
        (0, "item3_other"), (1, "item4_self/item4_other"), (2, "item5_self/item5_other")]


def test_allocation_tolerance_is_one_payoff_unit():
    start = to_payoffs(np.zeros((1, 6), dtype=int))
    near, far = start.copy(), start.copy()
    near[0, 0, 1] -= 0.999  # item 1 starts at (85, 85) and runs down: (85, 84.001) is on it
    near[0, 1] += (0.7, -0.7)  # 0.99 away from item 2's first option
    far[0, 1, 0] -= 1.01  # beyond item 2's first endpoint by more than one unit
    assert svo.score(near).notna().all().drop("ia_index").all()
    with pytest.raises(ChoiceError, match="column 'item2_self/item2_other'"):
        svo.score(far)


@pytest.mark.parametrize(
    "choices",
    [
        np.zeros((3, 5)), np.zeros((3, 7)), np.zeros((3, 6, 3)), np.zeros((3, 14, 2)),
        np.zeros((2, 6, 2, 1)), [85, 85], 3, "abc", None, [], np.zeros((6, 3)),
    ],
)
def test_wrong_shapes(choices):
    with pytest.raises(ChoiceError, match="choices must have shape \\(n, 6\\) or \\(n, 15\\)"):
        svo.score(choices)


def test_ragged_and_mixed_input():
    with pytest.raises(ChoiceError, match="row 0 has 6 answers but row 1 has 3"):
        svo.score([[1, 2, 3, 4, 5, 6], [1, 2, 3]])
    with pytest.raises(ChoiceError, match="the cell at position \\(0,\\) is \\(85, 85\\)"):
        svo.score([(85, 85), None, 1, 2, 3, 4])


def test_missing_and_duplicate_columns():
    frame = pd.DataFrame(FIFTEEN, columns=svo.ITEM_COLUMNS)
    with pytest.raises(ChoiceError, match="lacks the primary item column\\(s\\) item4: "):
        svo.score(frame.drop(columns="item4"))
    with pytest.raises(ChoiceError, match="must be all nine \\(item7 … item15\\) or none; "
                                          "missing item9, item12"):
        svo.score(frame.drop(columns=["item9", "item12"]))
    with pytest.raises(ChoiceError, match="\\['item2', 'Item_2'\\] all name the same answer"):
        svo.score(frame.assign(Item_2=1))
    payoffs = pd.DataFrame({f"item{k}_{p}": [1.0] for k in range(1, 7) for p in ("self",
                                                                                  "other")})
    with pytest.raises(ChoiceError, match="lacks the primary item column\\(s\\) item2_other"):
        svo.score(payoffs.drop(columns="item2_other"))


def test_errors_parameter():
    message = ("The 'errors' parameter of score must be one of 'raise', 'coerce'. "
               "Got 'ignore' instead.")
    with pytest.raises(ChoiceError, match=re.escape(message)):
        svo.score(FIFTEEN, errors="ignore")


def test_long_error_lists_are_truncated():
    with pytest.raises(ChoiceError, match=r"^9 answer\(s\) .*\(and 4 more\)\.$"):
        svo.score(np.zeros((9, 6)) + np.eye(6)[[0, 1, 2, 3, 4, 5, 0, 1, 2]] * 9)


bad_value = st.one_of(
    st.integers(9, 10**6), st.integers(-10**6, -1),
    st.floats(0, 8).filter(lambda x: x != int(x)),
    st.sampled_from([np.inf, -np.inf, "abc", "", "3 4", "x1"]),
)


@SETTINGS
@given(st.lists(st.lists(st.integers(0, 8), min_size=15, max_size=15), min_size=1,
                max_size=6), st.data())
def test_never_a_silently_wrong_angle(rows, data):
    """A bad answer anywhere is an error, or under coerce removes exactly its respondent."""
    bad_row = data.draw(st.integers(0, len(rows) - 1))
    bad_item = data.draw(st.integers(0, 14))
    value = data.draw(bad_value)
    cells = [list(row) for row in rows]
    cells[bad_row][bad_item] = value
    with pytest.raises(ChoiceError, match=f"row {bad_row}, column 'item{bad_item + 1}'"):
        svo.score(cells)
    report = svo.score_report(cells, errors="coerce")
    coerced = report.scores
    assert bad_row not in coerced.index and len(coerced) == len(rows) - 1
    (problem,) = report.dropped
    assert (problem.row, problem.column) == (bad_row, f"item{bad_item + 1}")
    good = [row for i, row in enumerate(rows) if i != bad_row]
    if good:
        kept = svo.score(good).set_axis(coerced.index)
        pd.testing.assert_frame_equal(coerced, kept)


@SETTINGS
@given(st.data())
def test_off_line_pairs_are_errors(data):
    item = data.draw(st.integers(0, 14))
    (s0, o0), (s1, o1) = ref.ENDPOINTS[item]
    t = data.draw(st.floats(-0.5, 1.5))
    length = math.hypot(s1 - s0, o1 - o0)
    normal = (-(o1 - o0) / length, (s1 - s0) / length)
    offset = data.draw(st.floats(1.05, 200)) * data.draw(st.sampled_from([-1, 1]))
    point = (s0 + t * (s1 - s0) + offset * normal[0], o0 + t * (o1 - o0) + offset * normal[1])
    payoffs = to_payoffs(np.zeros((1, 15), dtype=int))
    payoffs[0, item] = point
    with pytest.raises(ChoiceError, match=f"column 'item{item + 1}_self/item{item + 1}_other': "
                                          "the payoff pair"):
        svo.score(payoffs)


def test_mixed_option_and_payoff_columns_are_refused():
    frame = pd.DataFrame({f"item{i}": [0] for i in range(1, 7)})
    frame["item7_self"], frame["item7_other"] = [100], [50]
    with pytest.raises(ChoiceError, match=r"item7_self.*do not fit"):
        svo.score(frame)


def test_message_shows_the_value_as_given():
    dropped = svo.score_report([[3.0000001, 0, 0, 0, 0, 0]], errors="coerce").dropped
    assert "3.0000001" in dropped[0].message


def test_duplicate_layouts_must_agree():
    options = [[0, 8, 0, 0, 8, 8]]
    frame = pd.DataFrame(options, columns=svo.PRIMARY_COLUMNS)
    for k, item in enumerate(svo.PRIMARY_COLUMNS):
        frame[f"{item}_self"] = svo.ITEMS[k, options[0][k], 0]
        frame[f"{item}_other"] = svo.ITEMS[k, options[0][k], 1]
    assert svo.score(frame)["angle"].round(2).tolist() == [61.39]
    frame.loc[0, "item3"] = 4
    with pytest.raises(ChoiceError, match=r"column 'item3' says option 4 but the payoff"):
        svo.score(frame)


def test_ia_index_tie_for_second_place_is_reported_as_the_authors_scorer_does():
    """SVO_Slider.m sorts the distances stably in the order IA, JG, individualist, altruist:
    here JG ties the individualist for second place (both 11/24), and the index is reported."""
    answers = [6, 5, 4, 5, 8, 2, 7, 6, 0, 3, 7, 4, 0, 6, 6]
    scored = svo.score([answers])
    assert scored["ia_index"].iloc[0] == pytest.approx(29 / 62, abs=1e-15)
    assert ref.score_one(answers)["ia_index"] == pytest.approx(29 / 62, abs=1e-15)


def test_ia_index_ties_change_about_two_percent_of_random_patterns():
    """Following the authors' tie rule defines the index on ~1.8% more random patterns than
    requiring IA and JG to be strictly nearest (the old rule)."""
    options = np.random.default_rng(0).integers(0, 9, size=(20_000, 15))
    defined = svo.score(options)["ia_index"].notna().to_numpy()
    positions = options[:, 6:].astype(float)
    names = ("inequality_aversion", "joint_gain", "individualistic", "altruistic")
    distance = np.column_stack([
        np.nanmean(np.abs(positions - np.asarray(svo.SECONDARY_IDEALS[name])) / 8, axis=1)
        for name in names])
    strict = distance[:, :2].max(axis=1) < distance[:, 2:].min(axis=1) - 1e-12
    assert not (strict & ~defined).any()
    assert 0.015 < (defined & ~strict).mean() < 0.02
