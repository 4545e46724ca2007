"""BJR: the exact-oracle guarantee, the fast audit against the brute force, known violations.

Oracles: ``_bjr_violations_reference`` (the definition, in loops) and hand-made instances
whose violations are worked out by hand.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from socialchoice import GenerativeError
from socialchoice.generative import (
    BJRViolation,
    bjr_violations,
    top_mean_slate,
)
from socialchoice.generative._bjr import _bjr_violations_reference

from .helpers import pool_slate


def _slate_utilities(U: np.ndarray, k: int) -> np.ndarray:
    return pool_slate(U, k)[1].utilities


def test_exact_oracle_never_violates_bjr_on_thousands_of_pools() -> None:
    rng = np.random.default_rng(20230904)
    checked = 0
    for trial in range(2000):
        n, C = int(rng.integers(1, 41)), int(rng.integers(1, 16))
        if trial % 2:
            U = rng.integers(0, 7, size=(n, C)).astype(float)  # 0-6 integers, many ties
        else:
            U = rng.uniform(0, 6, size=(n, C))
        k = int(rng.integers(1, n + 1))
        own = _slate_utilities(U, k)
        assert bjr_violations(U, own, k) == [], (trial, n, C, k)
        checked += 1
    assert checked == 2000


@settings(max_examples=200, deadline=None)
@given(
    U=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=12),
        elements=st.integers(0, 6).map(float) | st.floats(0, 6, allow_subnormal=False),
    ),
    data=st.data(),
)
def test_exact_oracle_satisfies_bjr_hypothesis(U: np.ndarray, data: st.DataObject) -> None:
    k = data.draw(st.integers(1, U.shape[0]), label="k")
    own = _slate_utilities(U, k)
    assert _bjr_violations_reference(U, own, k) == []
    assert bjr_violations(U, own, k) == []


def test_fast_audit_equals_reference_on_random_slates() -> None:
    rng = np.random.default_rng(5)
    found = 0
    for trial in range(1500):
        n, C = int(rng.integers(1, 25)), int(rng.integers(1, 8))
        levels = int(rng.integers(2, 8))
        U = rng.integers(0, levels, size=(n, C)).astype(float)
        if trial % 3 == 0:
            U = U + rng.uniform(-0.4, 0.4, size=(n, C)).round(1)  # some fractional values
        own = rng.integers(0, levels, size=n).astype(float)  # an arbitrary (bad) slate
        if trial % 5 == 0:
            own = U[np.arange(n), rng.integers(0, C, size=n)]  # own values taken from the pool
        k = int(rng.integers(1, n + 1))
        fast = bjr_violations(U, own, k)
        assert fast == _bjr_violations_reference(U, own, k), trial
        found += len(fast)
    assert found > 1000  # the comparison covered many violations, not just empty lists


def test_slate_ignoring_a_cohesive_third() -> None:
    # 9 agents, k = 3. Agents 0-5 love statements 0 and 1; agents 6-8 (a third) love only
    # statement 2; statement 3 is lukewarm for everyone and wins on mean over statement 2.
    U = np.zeros((9, 4))
    U[:6, 0] = U[:6, 1] = 6
    U[6:, 2] = 6
    U[:, 3] = 2.5
    top = top_mean_slate(["s0", "s1", "s2", "s3"], U, 3)
    assert top.statements == ("s0", "s1", "s3")
    assert bjr_violations(U, top.utilities, 3) == [
        BJRViolation(statement=2, threshold=6.0, coalition=(6, 7, 8))
    ]
    assert bjr_violations(U, _slate_utilities(U, 3), 3) == []


def test_known_violations_with_several_thresholds() -> None:
    # 4 agents, k = 2 (coalitions of >= 2). Statement 0: [5, 3, 3, 0]; everyone's own
    # slot is worth 1, except agent 0 (worth 6).
    U = np.array([[5.0], [3.0], [3.0], [0.0]])
    own = np.array([6.0, 1.0, 1.0, 1.0])
    got = bjr_violations(U, own, 2)
    assert got == [BJRViolation(0, 3.0, (1, 2))]  # t = 5: only agent 0, who is happy
    assert [v.size for v in got] == [2]
    # lower the bar to k = 4: coalitions of >= 1 count, each threshold separately
    assert bjr_violations(U, own, 4) == [BJRViolation(0, 3.0, (1, 2))]
    own2 = np.array([4.0, 1.0, 1.0, 1.0])
    assert bjr_violations(U, own2, 4) == [
        BJRViolation(0, 3.0, (1, 2)),
        BJRViolation(0, 5.0, (0,)),
    ]


def test_real_division_for_the_coalition_size() -> None:
    # n = 5, k = 2: n/k = 2.5, so a coalition of 2 is not enough but 3 is.
    U = np.array([[6.0], [6.0], [6.0], [0.0], [0.0]])
    assert bjr_violations(U, [0, 0, 6, 6, 6], 2) == []
    assert bjr_violations(U, [0, 0, 0, 6, 6], 2) == [BJRViolation(0, 6.0, (0, 1, 2))]


def test_sorted_by_statement_then_threshold() -> None:
    rng = np.random.default_rng(3)
    U = rng.integers(0, 7, size=(30, 6)).astype(float)
    got = bjr_violations(U, np.zeros(30), 30)
    keys = [(v.statement, v.threshold) for v in got]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert all(isinstance(v.statement, int) and isinstance(v.threshold, float) for v in got)


@pytest.mark.parametrize(
    ("U", "own", "k", "match"),
    [
        ([[1.0, np.nan]], [1.0], 1, r"pool_utilities must hold numbers, not NaN; row 0"),
        ([1.0, 2.0], [1.0], 1, r"pool_utilities must be a 2-dimensional"),
        ([[1.0], [2.0]], [1.0], 1, r"one utility per agent .* shape \(2,\). Got shape \(1,\)"),
        ([[1.0], [2.0]], [1.0, np.nan], 1, r"slate_utilities must be finite numbers; agent 1"),
        ([[1.0], [2.0]], [1.0, 1.0], 0, r"'k' parameter of bjr_violations .* \[1, 2\]. Got 0"),
        ([[1.0], [2.0]], [1.0, 1.0], 3, r"'k' parameter of bjr_violations .* Got 3 instead"),
    ],
)
def test_bad_input(U, own, k, match) -> None:
    with pytest.raises(GenerativeError, match=match):
        bjr_violations(U, own, k)


def test_large_audit_agrees_with_counting() -> None:
    # 2,000 agents x 300 statements: the vectorised table needs no loop over either axis.
    rng = np.random.default_rng(0)
    U = rng.integers(0, 7, size=(2000, 300)).astype(float)
    own = np.full(2000, 5.0)
    own[:450] = 2.0  # 450 agents >= n/k = 400 are badly served
    got = bjr_violations(U, own, 5)
    for v in got[:20]:
        col = U[:, v.statement]
        assert v.coalition == tuple(np.flatnonzero((col >= v.threshold) & (own < v.threshold)))
    # statement c, threshold t violates iff #{i < 450 : U[i, c] >= t} (t <= 5) or
    # #{i : U[i, c] >= 6} (t = 6) reaches 400
    expected = set()
    for c in range(300):
        for t in np.unique(U[:, c]):
            size = np.sum(U[:450, c] >= t) if t <= 5 else np.sum(U[:, c] >= t)
            if t > 2 and size >= 400:
                expected.add((c, t))
    assert {(v.statement, v.threshold) for v in got} == expected
