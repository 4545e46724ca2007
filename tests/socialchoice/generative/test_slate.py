"""generate_slate and Slate: round sizes, matching, the per-round log, oracles and bad input.

Oracle: ``_reference_slate``, a literal transcription of Fish et al.'s algorithm in plain
Python (sorted lists, no numpy tricks), run on random pools with many ties.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from socialchoice import GenerativeError, SocialChoiceError
from socialchoice.generative import (
    Generator,
    PoolGenerator,
    Rater,
    Slate,
    SlateRound,
    generate_slate,
    round_sizes,
)

from .helpers import numbered_pool, pool_slate


def _reference_slate(U: np.ndarray, k: int) -> tuple[list[int], list[int]]:
    """Statements (pool indices) and assignment, by the definition; ties as documented."""
    n, C = U.shape
    remaining = list(range(n))
    statements, assignment = [], [-1] * n
    for j in range(k):
        r = math.ceil(n / k) if j < n % k else n // k
        rth = [sorted((U[i, c] for i in remaining), reverse=True)[r - 1] for c in range(C)]
        best = max(range(C), key=lambda c: (rth[c], -c))
        matched = sorted(remaining, key=lambda i: (-U[i, best], i))[:r]
        for i in matched:
            assignment[i] = j
        remaining = [i for i in remaining if i not in matched]
        statements.append(best)
    return statements, assignment


def _random_utilities(rng: np.random.Generator) -> np.ndarray:
    n, C = int(rng.integers(1, 41)), int(rng.integers(1, 16))
    if rng.random() < 0.5:
        return rng.integers(0, 7, size=(n, C)).astype(float)  # many ties
    return rng.uniform(0, 6, size=(n, C))


def _random_slates(seed: int, runs: int):
    """``runs`` random pools with a random ``k``: yields ``(U, k, pool, slate)``."""
    rng = np.random.default_rng(seed)
    for _ in range(runs):
        U = _random_utilities(rng)
        k = int(rng.integers(1, U.shape[0] + 1))
        yield U, k, *pool_slate(U, k)


def test_round_sizes_are_ceil_then_floor() -> None:
    for n in range(1, 60):
        for k in range(1, n + 1):
            sizes = round_sizes(n, k)
            assert len(sizes) == k and sum(sizes) == n
            assert sizes == [math.ceil(n / k)] * (n % k) + [n // k] * (k - n % k)


def test_matches_reference_algorithm_on_random_pools() -> None:
    for U, k, pool, slate in _random_slates(2023, 300):
        statements, assignment = _reference_slate(U, k)
        assert [pool.index(s) for s in slate.statements] == statements
        assert slate.assignment.tolist() == assignment


def test_rounds_log_sizes_thresholds_and_matching() -> None:
    for U, k, pool, slate in _random_slates(7, 200):
        n = U.shape[0]
        assert slate.n == n and slate.k == k and slate.method == "generative"
        assert [r.r for r in slate.rounds] == round_sizes(n, k)
        sizes = np.bincount(slate.assignment, minlength=k)
        assert sizes.tolist() == round_sizes(n, k)  # balanced: ceil first, then floor
        seen: set[int] = set()
        for j, rd in enumerate(slate.rounds):
            assert rd.index == j and rd.statement == slate.statements[j]
            assert set(rd.remaining) == set(range(n)) - seen
            c = pool.index(rd.statement)
            u = U[list(rd.remaining), c]
            assert rd.threshold == np.sort(u)[::-1][rd.r - 1]
            # the matched agents are the r highest: none outside rates it above any inside
            inside = U[list(rd.matched), c]
            outside = U[sorted(set(rd.remaining) - set(rd.matched)), c]
            assert len(rd.matched) == rd.r
            assert inside.min() >= rd.threshold
            if outside.size:
                assert outside.max() <= inside.min()
            # the statement maximises the r-th highest utility among the remaining agents
            rth = np.sort(U[list(rd.remaining)], axis=0)[::-1][rd.r - 1]
            assert rd.threshold == rth.max()
            assert slate.members(j) == rd.matched
            seen |= set(rd.matched)
        np.testing.assert_array_equal(slate.utilities, U[np.arange(n), _cols(pool, slate)])


def _cols(pool: PoolGenerator, slate: Slate) -> np.ndarray:
    return np.array([pool.index(slate.statements[s]) for s in slate.assignment])


def test_ties_go_to_the_earlier_agent() -> None:
    U = np.full((4, 1), 3.0)
    slate = pool_slate(U, 2)[1]
    assert slate.rounds[0].matched == (0, 1)
    assert slate.rounds[1].matched == (2, 3)


def test_k_equals_one_and_k_equals_n() -> None:
    U = np.array([[1.0, 5.0], [6.0, 0.0], [2.0, 2.0]])
    pool = numbered_pool(U)
    one = generate_slate(3, 1, pool, pool)
    assert one.statements == ("s0",)  # 3rd highest: s0 = 1, s1 = 0
    assert one.assignment.tolist() == [0, 0, 0]
    every = generate_slate(3, 3, pool, pool)
    assert every.utilities.tolist() == [5.0, 6.0, 2.0]  # each agent gets a favourite


class _Opinions:
    """A toy rater and generator over string agent ids (rating = shared words, capped at 6)."""

    scale = (0, 6)

    def __init__(self, opinions: dict[str, str]) -> None:
        self.opinions = opinions
        self.calls: list[tuple[tuple, int]] = []

    def rate(self, agent_ids, statements):
        words = [set(self.opinions[a].split()) for a in agent_ids]
        return np.array([[min(6, len(w & set(s.split()))) for s in statements] for w in words])

    def generate(self, agent_ids, r, *, rng, exclude=()):
        self.calls.append((tuple(agent_ids), r))
        return self.opinions[agent_ids[0]]


def test_custom_oracles_with_string_ids_and_progress() -> None:
    oracle = _Opinions(
        {"ann": "cats are great", "bob": "dogs are great", "cy": "cats rule", "di": "dogs rule"}
    )
    assert isinstance(oracle, Rater) and isinstance(oracle, Generator)
    done: list[tuple[int, int]] = []
    slate = generate_slate(
        ["ann", "bob", "cy", "di"], 2, oracle, oracle, progress=lambda *a: done.append(a)
    )
    assert done == [(0, 2), (1, 2), (2, 2)]
    assert oracle.calls[0] == (("ann", "bob", "cy", "di"), 2)
    assert slate.agents == ("ann", "bob", "cy", "di")
    assert slate.statements == ("cats are great", "cats rule")
    assert slate.members(0) == ("ann", "bob")
    frame = slate.to_frame()
    assert list(frame.columns) == ["agent", "slot", "statement", "utility"]
    assert frame["agent"].tolist() == ["ann", "bob", "cy", "di"]
    assert frame["statement"].tolist()[2] == "cats rule"


class _SeededGenerator:
    def __init__(self) -> None:
        self.rngs: list[np.random.Generator] = []

    def generate(self, agent_ids, r, *, rng, exclude=()):
        self.rngs.append(rng)
        return f"statement {int(rng.integers(1000))}"

    def rate(self, agent_ids, statements):
        return np.full((len(agent_ids), len(statements)), 3.0)


def test_every_round_gets_a_fresh_rng_stream() -> None:
    a, b = _SeededGenerator(), _SeededGenerator()
    s1 = generate_slate(6, 3, a, a, rng=42)
    s2 = generate_slate(6, 3, b, b, rng=np.random.default_rng(42))
    assert all(isinstance(g, np.random.Generator) for g in a.rngs) and len(a.rngs) == 3
    assert s1.statements == s2.statements  # same seed, same statements
    assert len({id(g) for g in a.rngs}) == 3  # a fresh stream per round


def test_any_int_seeds_negative_ones_too() -> None:
    a, b, c = _SeededGenerator(), _SeededGenerator(), _SeededGenerator()
    s1 = generate_slate(6, 3, a, a, rng=-5)
    assert s1.statements == generate_slate(6, 3, b, b, rng=-5).statements
    assert s1.statements != generate_slate(6, 3, c, c, rng=5).statements
    with pytest.raises(GenerativeError, match=r"'rng' parameter of generate_slate"):
        generate_slate(6, 3, a, a, rng="seed")


def test_distinct_slates_never_repeat_a_statement() -> None:
    # all four agents love "A" most: without distinct, both rounds pick it
    U = np.array([[6.0, 4.0, 0.0], [6.0, 3.0, 1.0], [6.0, 1.0, 5.0], [6.0, 0.0, 4.0]])
    pool = numbered_pool(U)
    assert generate_slate(4, 2, pool, pool).statements == ("s0", "s0")
    slate = generate_slate(4, 2, pool, pool, distinct=True)
    assert slate.statements == ("s0", "s2")
    rng = np.random.default_rng(3)
    for _ in range(30):
        U = _random_utilities(rng)
        n, C = U.shape
        k = int(rng.integers(1, min(n, C) + 1))
        pool = numbered_pool(U)
        statements = generate_slate(n, k, pool, pool, distinct=True).statements
        assert len(set(statements)) == k


def test_distinct_refuses_a_generator_that_repeats() -> None:
    oracle = _Scripted(["same", "other", "same"])
    with pytest.raises(
        GenerativeError,
        match=r"returned 'same' in round 3 of 3 \(slot 2\), but it is already in slot 0",
    ):
        generate_slate(6, 3, oracle, oracle, distinct=True)
    seen = _Scripted(["a", "b"])
    seen.excluded = []
    generate_slate(4, 2, seen, seen, distinct=True)
    assert seen.excluded == [(), ("a",)]  # the generator is told what is on the slate


def test_a_pool_with_fewer_than_k_statements_cannot_be_distinct() -> None:
    pool = numbered_pool(np.array([[6.0], [5.0]]))
    with pytest.raises(GenerativeError, match="Every statement of the pool of 1 is already"):
        generate_slate(2, 2, pool, pool, distinct=True)


def test_slate_is_immutable_and_validated() -> None:
    U = np.array([[6.0, 0.0], [0.0, 6.0]])
    slate = pool_slate(U, 2)[1]
    with pytest.raises(ValueError):
        slate.assignment[0] = 1
    with pytest.raises(AttributeError):
        slate.method = "x"  # type: ignore[misc]
    assert isinstance(slate.rounds[0], SlateRound)
    with pytest.raises(GenerativeError, match=r"'slot' parameter of Slate.members .* \[0, 1\]"):
        slate.members(2)
    with pytest.raises(GenerativeError, match="one assignment and one utility per agent"):
        Slate((0, 1), ("a",), np.array([0]), np.array([1.0, 2.0]))
    with pytest.raises(GenerativeError, match="integer slot indices"):
        Slate((0, 1), ("a", "b"), np.array([0, 0.5]), np.array([1.0, 2.0]))
    with pytest.raises(GenerativeError, match="agent 1 \\(position 1\\) has 3"):
        Slate((0, 1), ("a", "b"), np.array([0, 3]), np.array([1.0, 2.0]))


# --- bad input --------------------------------------------------------------------------

U3 = np.array([[6.0, 0.0], [5.0, 1.0], [0.0, 6.0]])


@pytest.mark.parametrize(
    ("agents", "k", "match"),
    [
        ([], 1, "'agents' parameter of generate_slate is empty"),
        (0, 1, "'agents' parameter of generate_slate must be a non-empty"),
        ("abc", 1, "'agents' parameter of generate_slate must be a sequence"),
        ({0, 1}, 1, "must be a sequence of agent ids"),
        ([0, 1, 0], 1, "Agent ids must be unique; 0 appears at positions 0 and 2"),
        ([[0], [1]], 1, "Agent ids must be hashable"),
        (3, 0, r"The 'k' parameter of generate_slate must be an int in \[1, 3\]. Got 0 instead."),
        (3, 4, r"The 'k' parameter of generate_slate must be an int in \[1, 3\]. Got 4 instead."),
        (3, 1.0, r"'k' parameter .* Got 1.0 instead"),
        (3, True, r"'k' parameter .* Got True instead"),
    ],
)
def test_bad_agents_and_k(agents, k, match) -> None:
    pool = numbered_pool(U3)
    with pytest.raises(GenerativeError, match=match):
        generate_slate(agents, k, pool, pool)


def test_errors_are_value_errors() -> None:
    assert issubclass(GenerativeError, SocialChoiceError)
    assert issubclass(GenerativeError, ValueError)


class _Scripted:
    """A generator returning scripted statements and a rater returning scripted arrays."""

    scale = (0, 6)

    def __init__(self, statements, ratings=None) -> None:
        self.statements = list(statements)
        self.ratings = ratings

    def generate(self, agent_ids, r, *, rng, exclude=()):
        if hasattr(self, "excluded"):
            self.excluded.append(tuple(exclude))
        return self.statements.pop(0)

    def rate(self, agent_ids, statements):
        if self.ratings is not None:
            return self.ratings(agent_ids, statements)
        return np.full((len(agent_ids), len(statements)), 3.0)


@pytest.mark.parametrize("bad", ["", "   \n", None, 5])
def test_generator_returning_no_statement_in_round_two(bad) -> None:
    oracle = _Scripted(["fine", bad, "later"])
    with pytest.raises(GenerativeError, match=r"non-empty statement .* in round 2 of 3 \(slot 1\)"):
        generate_slate(6, 3, oracle, oracle)


def test_rater_wrong_shape() -> None:
    oracle = _Scripted(["a", "b"], ratings=lambda ids, st: np.zeros((len(ids), 2)))
    with pytest.raises(
        GenerativeError,
        match=r"= \(4, 1\) for statement 'a'. Got shape \(4, 2\)",
    ):
        generate_slate(4, 2, oracle, oracle)
    oracle = _Scripted(["a"], ratings=lambda ids, st: np.zeros(len(ids)))
    with pytest.raises(GenerativeError, match=r"Got shape \(4,\) instead"):
        generate_slate(4, 2, oracle, oracle)


def test_rater_nan_names_agent_and_statement() -> None:
    def ratings(ids, st):
        out = np.full((len(ids), 1), 2.0)
        out[-1] = np.nan
        return out

    oracle = _Scripted(["x", "y"], ratings=ratings)
    with pytest.raises(GenerativeError, match="NaN for agent 'd' and statement 'x'"):
        generate_slate(["a", "b", "c", "d"], 2, oracle, oracle)


def test_rater_outside_scale_names_agent_and_statement() -> None:
    oracle = _Scripted(["x", "y"], ratings=lambda ids, st: np.array([[3.0], [7.0], [1.0]]))
    with pytest.raises(
        GenerativeError, match=r"rated statement 'x' 7.0 for agent 1; .* scale \[0, 6\]"
    ):
        generate_slate(3, 1, oracle, oracle)


def test_rater_without_scale_accepts_any_finite_rating() -> None:
    class Free:
        def rate(self, ids, st):
            return np.full((len(ids), 1), 42.0)

        def generate(self, ids, r, *, rng, exclude=()):
            return "anything"

    assert generate_slate(2, 1, Free(), Free()).utilities.tolist() == [42.0, 42.0]

    class Inf(Free):
        def rate(self, ids, st):
            return np.full((len(ids), 1), np.inf)

    with pytest.raises(GenerativeError, match="must be finite"):
        generate_slate(2, 1, Inf(), Inf())


def test_oracles_without_methods_and_bad_progress() -> None:
    pool = numbered_pool(U3)
    with pytest.raises(
        GenerativeError, match=r"'rater' parameter .* rate\(agent_ids, statements\)"
    ):
        generate_slate(3, 1, object(), pool)
    with pytest.raises(
        GenerativeError,
        match=r"'generator' parameter .* generate\(agent_ids, r, \*, rng, exclude\)",
    ):
        generate_slate(3, 1, pool, object())
    with pytest.raises(
        GenerativeError, match="'progress' parameter of generate_slate must be a callable"
    ):
        generate_slate(3, 1, pool, pool, progress=3)

