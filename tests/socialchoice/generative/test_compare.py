"""compare_slates and representation_levels: columns, shares, level boundaries, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socialchoice import GenerativeError
from socialchoice.generative import (
    PILOT_REPRESENTATION,
    REPRESENTATION_LEVELS,
    PoolGenerator,
    Slate,
    balanced_assignment,
    baseline_slates,
    bjr_violations,
    compare_slates,
    generate_slate,
    representation_levels,
)

COLUMNS = [
    "n_statements",
    "matching",
    "bjr_violations",
    "largest_coalition",
    "matched_bjr_violations",
    "mean",
    "min",
    "q10",
    "q25",
    "median",
    *REPRESENTATION_LEVELS,
    "own_mean",
]


def test_level_boundaries_on_the_0_6_scale() -> None:
    cases = {
        6.0: "perfectly",
        5.5: "perfectly",
        5.49: "mostly",
        4.5: "mostly",
        4.49: "somewhat",
        2.5: "somewhat",
        2.49: "poorly",
        0.5: "poorly",
        0.49: "not at all",
        0.0: "not at all",
    }
    for value, level in cases.items():
        shares = representation_levels([value])
        assert list(shares.index) == list(REPRESENTATION_LEVELS)
        assert shares[level] == 1.0 and shares.sum() == 1.0, value


def test_levels_rescale_other_scales() -> None:
    # 1-7 Likert: 7 -> 6 perfectly, 6 -> 5 mostly, 4 -> 3 somewhat, 2 -> 1 poorly, 1 -> 0
    shares = representation_levels([7, 6, 4, 2, 1], scale=(1, 7))
    assert shares.tolist() == [0.2] * 5
    assert representation_levels([0.75], scale=(0, 1))["mostly"] == 1.0  # 0.75 * 6 = 4.5
    assert shares.name == "share" and shares.index.name == "level"


def test_pilot_distribution() -> None:
    assert list(PILOT_REPRESENTATION) == list(REPRESENTATION_LEVELS)
    assert sum(PILOT_REPRESENTATION.values()) == pytest.approx(1.0)
    assert PILOT_REPRESENTATION["perfectly"] + PILOT_REPRESENTATION["mostly"] == pytest.approx(0.93)


@pytest.mark.parametrize(
    ("utilities", "scale", "match"),
    [
        ([], (0, 6), "non-empty 1-dimensional"),
        ([[1.0]], (0, 6), "non-empty 1-dimensional"),
        ([1.0, np.nan], (0, 6), r"rating scale \[0, 6\]; agent 1 has nan"),
        ([7.0], (0, 6), r"rating scale \[0, 6\]; agent 0 has 7.0"),
        ([1.0], (2, 1), "scale must be a pair"),
    ],
)
def test_levels_bad_input(utilities, scale, match) -> None:
    with pytest.raises(GenerativeError, match=match):
        representation_levels(utilities, scale=scale)


def _instance(seed: int = 0) -> tuple[list[str], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n, C = 40, 12
    U = rng.integers(0, 7, size=(n, C)).astype(float)
    return [f"s{c}" for c in range(C)], U, rng.normal(size=(n, 5))


def test_compare_slates_table() -> None:
    statements, U, E = _instance()
    k = 4
    pool = PoolGenerator(statements, U)
    slates = {"generative": generate_slate(U.shape[0], k, pool, pool)}
    slates |= baseline_slates(statements, U, k, opinion_embeddings=E, rng=0)
    table = compare_slates(U, slates, k, statements=statements)
    assert isinstance(table, pd.DataFrame)
    assert list(table.columns) == COLUMNS
    assert list(table.index) == list(slates) and table.index.name == "slate"
    np.testing.assert_allclose(table[list(REPRESENTATION_LEVELS)].sum(axis=1), 1.0)
    assert table.loc["generative", "bjr_violations"] == 0
    assert table.loc["generative", "largest_coalition"] == 0
    assert (table["matching"] == "balanced optimal").all()
    for name, slate in slates.items():
        row = table.loc[name]
        violations = bjr_violations(U, slate.utilities, k)  # the slate's own assignment
        assert row["bjr_violations"] == len(violations)
        assert row["largest_coalition"] == max((v.size for v in violations), default=0)
        R = U[:, [statements.index(s) for s in slate.statements]]
        best = balanced_assignment(R)
        u = R[np.arange(U.shape[0]), best]  # the matched utilities
        assert row["matched_bjr_violations"] == len(bjr_violations(U, u, k))
        assert row["mean"] == pytest.approx(u.mean()) and row["min"] == u.min()
        assert row["median"] == pytest.approx(np.median(u))
        assert row["q10"] <= row["q25"] <= row["median"]
        assert row["n_statements"] == k
        assert row["own_mean"] == pytest.approx(slate.utilities.mean())
        assert row["mean"] >= row["own_mean"] - 1e-12  # no balanced assignment beats the optimum
        expected = representation_levels(u)
        np.testing.assert_allclose(row[list(REPRESENTATION_LEVELS)].to_numpy(float), expected)


def test_every_slate_is_judged_by_the_same_matching() -> None:
    # Greedy rounds give agent 2 the slot it likes less; the optimal matching swaps 1 and 2.
    U = np.array([[6.0, 0.0], [5.0, 4.0], [5.0, 0.0], [0.0, 6.0]])
    greedy = Slate((0, 1, 2, 3), ("a", "b"), [0, 0, 1, 1], [6.0, 5.0, 0.0, 6.0])
    matched = Slate((0, 1, 2, 3), ("a", "b"), [0, 1, 0, 1], [6.0, 4.0, 5.0, 6.0])
    table = compare_slates(U, {"greedy": greedy, "matched": matched}, 2, statements=["a", "b"])
    assert table.loc["greedy", "mean"] == table.loc["matched", "mean"] == 21 / 4
    assert table.loc["greedy", "own_mean"] == 17 / 4
    without = compare_slates(U, {"greedy": greedy}, 2)  # no pool texts: own assignment only
    assert without.loc["greedy", "matching"] == "own assignment"
    assert without.loc["greedy", "mean"] == without.loc["greedy", "own_mean"] == 17 / 4


def test_compare_accepts_a_generated_slate_outside_the_pool() -> None:
    statements, U, _ = _instance(1)
    n = U.shape[0]
    free = Slate(
        agents=tuple(range(n)),
        statements=("a new statement", "another new one"),
        assignment=np.arange(n) % 2,
        utilities=np.full(n, 6.0),  # e.g. ratings from a language-model rater
    )
    table = compare_slates(U, {"llm": free}, 2)
    assert table.loc["llm", "bjr_violations"] == 0 and table.loc["llm", "perfectly"] == 1.0
    ratings = np.column_stack([np.full(n, 6.0), np.full(n, 3.0)])
    table = compare_slates(U, {"llm": free}, 2, statements=statements, ratings={"llm": ratings})
    assert table.loc["llm", "matching"] == "balanced optimal"
    assert table.loc["llm", "mean"] == pytest.approx((n // 2 * 6 + n // 2 * 3) / n)
    with pytest.raises(GenerativeError, match=r"'a new statement', which is not in the pool"):
        compare_slates(U, {"llm": free}, 2, statements=statements)
    with pytest.raises(GenerativeError, match=r"entry for 'LLM', which is not one of the slates"):
        compare_slates(U, {"llm": free}, 2, ratings={"LLM": ratings})
    with pytest.raises(GenerativeError, match=r"finite \(40, 2\) matrix"):
        compare_slates(U, {"llm": free}, 2, ratings={"llm": ratings[:, :1]})


def test_compare_bad_input() -> None:
    statements, U, _ = _instance(2)
    pool = PoolGenerator(statements, U)
    good = generate_slate(U.shape[0], 3, pool, pool)
    with pytest.raises(GenerativeError, match="non-empty mapping"):
        compare_slates(U, {}, 3)
    with pytest.raises(GenerativeError, match=r"slates\['x'\] must be a Slate"):
        compare_slates(U, {"x": [1, 2]}, 3)
    with pytest.raises(GenerativeError, match=r"slates\['g'\] has 3 statements; expected k = 4"):
        compare_slates(U, {"g": good}, 4)
    with pytest.raises(GenerativeError, match=r"slates\['g'\] has 40 agents but .* 39 rows"):
        compare_slates(U[:-1], {"g": good}, 3)
    with pytest.raises(GenerativeError, match=r"pool_utilities must lie in the rating scale"):
        compare_slates(U + 1, {"g": good}, 3)
    with pytest.raises(GenerativeError, match=r"'k' parameter of compare_slates"):
        compare_slates(U, {"g": good}, 0)
