"""Baselines: the balanced assignment against brute force, and the four kinds of baseline slate."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from socialchoice import GenerativeError, UnknownRuleError, committee
from socialchoice.generative import (
    BASELINE_RULES,
    Slate,
    balanced_assignment,
    baseline_slates,
    committee_slate,
    kmeans_slate,
    top_mean_slate,
)
from socialchoice.generative._matching import _matching_welfare_reference


def _is_balanced(assignment: np.ndarray, s: int) -> bool:
    sizes = np.bincount(assignment, minlength=s)
    n = len(assignment)
    return sizes.min() >= n // s and sizes.max() <= -(-n // s) and sizes.sum() == n


def test_balanced_assignment_equals_brute_force() -> None:
    rng = np.random.default_rng(1)
    for trial in range(250):
        n, s = int(rng.integers(1, 8)), int(rng.integers(1, 4))
        if trial % 2:
            U = rng.integers(0, 7, size=(n, s)).astype(float)
        else:
            U = rng.uniform(-3, 6, size=(n, s))
        a = balanced_assignment(U)
        assert a.shape == (n,) and _is_balanced(a, s)
        assert U[np.arange(n), a].sum() == pytest.approx(_matching_welfare_reference(U), abs=1e-9)


def test_balanced_assignment_large_and_more_slots_than_agents() -> None:
    rng = np.random.default_rng(2)
    U = rng.uniform(0, 6, size=(503, 7))
    assert _is_balanced(balanced_assignment(U), 7)
    a = balanced_assignment([[1.0, 5.0, 2.0]])  # one agent, three slots: 0 or 1 each
    assert a.tolist() == [1]


def test_balanced_assignment_bad_input() -> None:
    with pytest.raises(GenerativeError, match="utilities must hold numbers, not NaN; row 0"):
        balanced_assignment([[np.nan, 1.0]])
    with pytest.raises(GenerativeError, match="utilities must be a 2-dimensional"):
        balanced_assignment([1.0, 2.0])


def _pool(rng: np.random.Generator, n: int = 30, C: int = 10) -> tuple[list[str], np.ndarray]:
    return [f"statement {c}" for c in range(C)], rng.integers(0, 7, size=(n, C)).astype(float)


def _check_baseline(slate: Slate, statements: list[str], U: np.ndarray, k: int, method: str):
    n = U.shape[0]
    assert slate.method == method and slate.rounds == ()
    assert slate.k == k and len(set(slate.statements)) == k
    assert set(slate.statements) <= set(statements)
    assert slate.agents == tuple(range(n))
    cols = np.array([statements.index(s) for s in slate.statements])
    assert _is_balanced(slate.assignment, k)
    np.testing.assert_array_equal(slate.utilities, U[np.arange(n), cols[slate.assignment]])
    best = balanced_assignment(U[:, cols])
    assert slate.utilities.sum() == pytest.approx(U[np.arange(n), cols[best]].sum())


def test_top_mean_slate() -> None:
    rng = np.random.default_rng(3)
    statements, U = _pool(rng)
    for k in (1, 3, 10):
        slate = top_mean_slate(statements, U, k)
        _check_baseline(slate, statements, U, k, "top_mean")
        means = U.mean(axis=0)
        chosen = [statements.index(s) for s in slate.statements]
        assert sorted(means[chosen], reverse=True) == list(means[chosen])  # best first
        assert means[chosen].min() >= np.delete(means, chosen).max(initial=-np.inf)
    tied = top_mean_slate(["a", "b", "c"], [[1, 1, 1], [2, 2, 2]], 2)
    assert tied.statements == ("a", "b")  # ties: lower pool index


@pytest.mark.parametrize("rule", BASELINE_RULES)
def test_committee_slate_is_the_committee_on_approvals(rule: str) -> None:
    rng = np.random.default_rng(4)
    statements, U = _pool(rng, n=24, C=8)
    for k in (2, 4):
        slate = committee_slate(statements, U, k, rule=rule, approval_threshold=4.0)
        _check_baseline(slate, statements, U, k, rule)
        expected = committee.select(U >= 4.0, k, rule)
        assert slate.statements == tuple(statements[c] for c in expected)


def test_committee_slate_threshold_and_errors(caplog: pytest.LogCaptureFixture) -> None:
    statements, U = ["a", "b", "c"], np.array([[6.0, 5.0, 0.0], [6.0, 5.0, 0.0], [0, 1, 6]])
    assert committee_slate(statements, U, 2, approval_threshold=6.0).statements == ("a", "c")
    with caplog.at_level("WARNING"):
        slate = committee_slate(statements, U, 2, approval_threshold=6.5)
    assert (
        slate.statements == ("a", "b")
        and "rates any candidate statement 6.5 or more" in caplog.text
    )
    with pytest.raises(GenerativeError, match=r"'approval_threshold' parameter .* Got nan"):
        committee_slate(statements, U, 2, approval_threshold=float("nan"))
    with pytest.raises(GenerativeError, match=r"'approval_threshold' parameter .* Got '4'"):
        committee_slate(statements, U, 2, approval_threshold="4")
    with pytest.raises(UnknownRuleError, match="Unknown committee rule 'borda'"):
        committee_slate(statements, U, 2, rule="borda")


def test_kmeans_slate_picks_one_statement_per_cluster() -> None:
    rng = np.random.default_rng(5)
    # three opinion clusters of sizes 12, 8, 4; cluster g loves statement 2g, others are noise
    sizes = [12, 8, 4]
    labels = np.repeat(np.arange(3), sizes)
    E = np.eye(3)[labels] * 10 + rng.normal(0, 0.1, size=(24, 3))
    U = rng.integers(0, 3, size=(24, 7)).astype(float)
    for g in range(3):
        U[labels == g, 2 * g] = 6
    statements = [f"s{c}" for c in range(7)]
    slate = kmeans_slate(statements, U, E, 3, rng=0)
    _check_baseline(slate, statements, U, 3, "kmeans")
    assert slate.statements == ("s0", "s2", "s4")  # largest cluster first
    again = kmeans_slate(statements, U, E, 3, rng=np.random.default_rng(0))
    assert again.statements == slate.statements


def test_kmeans_slate_distinct_statements_even_when_clusters_agree() -> None:
    rng = np.random.default_rng(6)
    E = rng.normal(size=(20, 4))
    U = np.zeros((20, 5))
    U[:, 3] = 6  # everyone prefers statement 3: each cluster still gets its own
    slate = kmeans_slate([f"s{c}" for c in range(5)], U, E, 4, rng=1)
    assert len(set(slate.statements)) == 4 and slate.statements[0] == "s3"


def test_kmeans_slate_with_fewer_distinct_points_than_k() -> None:
    E = np.zeros((5, 2))  # all agents identical: k-means finds one cluster
    U = np.tile([1.0, 4.0, 2.0], (5, 1))
    slate = kmeans_slate(["a", "b", "c"], U, E, 3, rng=0)
    assert sorted(slate.statements) == ["a", "b", "c"] and slate.statements[0] == "b"


def test_kmeans_slate_bad_embeddings() -> None:
    U = np.ones((3, 2))
    with pytest.raises(GenerativeError, match=r"one row per agent \(3\). Got an array of shape"):
        kmeans_slate(["a", "b"], U, np.ones((2, 4)), 2)
    with pytest.raises(GenerativeError, match=r"finite numbers; entry \[1, 0\] is nan"):
        kmeans_slate(["a", "b"], U, [[0.0], [np.nan], [1.0]], 2)
    with pytest.raises(GenerativeError, match=r"'opinion_embeddings' parameter of kmeans_slate"):
        kmeans_slate(["a", "b"], U, np.ones((3, 0)), 2)


def test_baselines_and_calibration_run_without_scikit_learn() -> None:
    """scikit-learn is a test dependency only: the library must not need it at run time."""
    code = (
        "import sys; sys.modules['sklearn'] = None\n"  # any import of sklearn now fails
        "import numpy as np\n"
        "from socialchoice.generative import baseline_slates, fit_calibration\n"
        "E = np.repeat(np.eye(2), 3, axis=0)\n"
        "U = np.repeat([[6.0, 0.0, 1.0], [0.0, 6.0, 1.0]], 3, axis=0)\n"
        "s = baseline_slates(['a', 'b', 'c'], U, 2, opinion_embeddings=E, rng=0)\n"
        "print(sorted(s['kmeans'].statements))\n"
        "print(fit_calibration([0.1, 0.9, 0.2, 0.8, 0.5], [0, 1, 1, 1, 0]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    clusters, calibration = out.stdout.splitlines()
    assert clusters == "['a', 'b']"  # one statement per opinion cluster
    assert float(calibration.strip("()").split(",")[0]) > 0  # agreement rises with similarity


def test_baseline_slates_all_names_and_k() -> None:
    rng = np.random.default_rng(7)
    statements, U = _pool(rng, n=20, C=6)
    E = rng.normal(size=(20, 3))
    slates = baseline_slates(statements, U, 3, opinion_embeddings=E, rng=0)
    assert list(slates) == ["top_mean", *BASELINE_RULES, "kmeans"]
    for name, slate in slates.items():
        _check_baseline(slate, statements, U, 3, name)
    assert list(baseline_slates(statements, U, 3, rules="pav")) == ["top_mean", "pav"]
    assert list(baseline_slates(statements, U, 3, rules=())) == ["top_mean"]


@pytest.mark.parametrize("k", [0, 7, 2.0])
def test_baseline_bad_k(k) -> None:
    statements, U = [f"s{c}" for c in range(6)], np.ones((10, 6))
    with pytest.raises(GenerativeError, match=r"'k' parameter of top_mean_slate .* \[1, 6\]"):
        top_mean_slate(statements, U, k)


def test_baseline_bad_pool() -> None:
    with pytest.raises(GenerativeError, match="pool_utilities must hold numbers, not NaN"):
        top_mean_slate(["a"], [[np.nan]], 1)
    with pytest.raises(GenerativeError, match="one statement per utility column"):
        committee_slate(["a"], [[1.0, 2.0]], 1)


def test_baseline_slates_reports_progress_after_each_baseline():
    calls = []
    U = [[6, 5, 0], [6, 5, 0], [0, 1, 6], [0, 1, 6]]
    slates = baseline_slates(
        ["a", "b", "c"],
        U,
        2,
        opinion_embeddings=np.eye(4)[:, :2],
        rules=("pav",),
        rng=0,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert list(slates) == ["top_mean", "pav", "kmeans"]
