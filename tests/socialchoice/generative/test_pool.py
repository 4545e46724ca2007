"""PoolGenerator: the exact generative query, rating by lookup, and validation of the pool."""

from __future__ import annotations

import numpy as np
import pytest

from socialchoice import GenerativeError
from socialchoice.generative import Generator, PoolGenerator, Rater


def test_is_both_protocols() -> None:
    pool = PoolGenerator(["a"], [[1.0]])
    assert isinstance(pool, Rater)
    assert isinstance(pool, Generator)
    assert "1 statements, 1 agents" in repr(pool)


def test_generate_is_the_rth_highest_argmax_against_brute_force() -> None:
    rng = np.random.default_rng(11)
    for _ in range(300):
        n, C = int(rng.integers(1, 20)), int(rng.integers(1, 8))
        U = rng.integers(0, 7, size=(n, C)).astype(float)
        pool = PoolGenerator([f"s{c}" for c in range(C)], U)
        agents = sorted(rng.choice(n, size=int(rng.integers(1, n + 1)), replace=False).tolist())
        r = int(rng.integers(1, len(agents) + 1))
        rth = [sorted(U[agents, c], reverse=True)[r - 1] for c in range(C)]
        best = max(range(C), key=lambda c: (rth[c], -c))  # ties: lowest index
        assert pool.best(agents, r) == (best, rth[best])
        assert pool.generate(agents, r) == f"s{best}"


def test_rate_by_lookup_in_any_order() -> None:
    U = np.arange(12, dtype=float).reshape(4, 3) / 2
    pool = PoolGenerator(["x", "y", "z"], U)
    out = pool.rate([3, 0], ["z", "x", "z"])
    np.testing.assert_array_equal(out, U[np.ix_([3, 0], [2, 0, 2])])
    out[0, 0] = -1  # a copy: the table is untouched
    assert pool.utilities[3, 2] == 5.5
    assert pool.rate(np.array([1]), ("y",)).shape == (1, 1)
    with pytest.raises(ValueError):
        pool.utilities[0, 0] = 1.0


def test_statement_chosen_again_when_still_best() -> None:
    U = np.array([[6, 0], [6, 0], [6, 0], [6, 0], [0, 6], [0, 6]], dtype=float)
    pool = PoolGenerator(["majority", "minority"], U)
    assert pool.generate([2, 3, 4, 5], 2) == "majority"  # even though already used once


def test_custom_scale() -> None:
    pool = PoolGenerator(["a", "b"], [[0.2, 0.9]], scale=(0, 1))
    assert pool.scale == (0.0, 1.0)
    with pytest.raises(GenerativeError, match=r"rating scale \[0, 1\]; row 0 \(agent\), column 1"):
        PoolGenerator(["a", "b"], [[0.2, 1.5]], scale=(0, 1))
    with pytest.raises(GenerativeError, match="scale must be a pair"):
        PoolGenerator(["a"], [[1.0]], scale=(6, 0))
    with pytest.raises(GenerativeError, match="scale must be a pair"):
        PoolGenerator(["a"], [[1.0]], scale=3)


@pytest.mark.parametrize(
    ("statements", "utilities", "match"),
    [
        (["a"], [[np.nan]], r"not NaN; row 0 \(agent\), column 0 \(statement\) is NaN"),
        (["a", "b"], [[1.0, 2.0], [3.0, 7.0]], r"rating scale \[0, 6\]; row 1 \(agent\), column 1"),
        (["a"], [[-0.5]], r"rating scale \[0, 6\]; row 0"),
        (["a"], [[np.inf]], r"rating scale"),
        (["a"], [1.0, 2.0], r"2-dimensional .* shape \(2,\)"),
        (["a"], np.zeros((0, 1)), r"at least one agent \(row\) and one statement"),
        ([], np.zeros((2, 0)), r"at least one agent \(row\) and one statement"),
        (["a"], [["x"]], "could not be read as numbers"),
        (["a", "b"], [[1.0]], "one statement per utility column: 1 columns but 2 statements"),
        (["a", "a"], [[1.0, 2.0]], "unique; 'a' is statement 0 and statement 1"),
        (["a", " "], [[1.0, 2.0]], "non-empty strings; statement 1 is ' '"),
        (["a", 3], [[1.0, 2.0]], "non-empty strings; statement 1 is 3"),
        ("ab", [[1.0, 2.0]], "not a single string"),
    ],
)
def test_bad_pool(statements, utilities, match) -> None:
    with pytest.raises(GenerativeError, match=match):
        PoolGenerator(statements, utilities)


def test_bad_queries() -> None:
    pool = PoolGenerator(["a", "b"], [[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(GenerativeError, match="'c' is not in the pool of 2 statements"):
        pool.rate([0], ["c"])
    with pytest.raises(GenerativeError, match="not one string"):
        pool.rate([0], "a")
    with pytest.raises(GenerativeError, match=r"row indices 0..1 .* agent_ids\[1\] is 2"):
        pool.rate([0, 2], ["a"])
    with pytest.raises(GenerativeError, match=r"agent_ids\[0\] is 'x'"):
        pool.generate(["x"], 1)
    with pytest.raises(GenerativeError, match="agent_ids is empty"):
        pool.generate([], 1)
    with pytest.raises(
        GenerativeError, match=r"'r' parameter .* \[1, 2\] \(the number of agents\). Got 3 instead"
    ):
        pool.generate([0, 1], 3)
    with pytest.raises(GenerativeError, match=r"'r' parameter .* Got 0 instead"):
        pool.generate([0, 1], 0)
