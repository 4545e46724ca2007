"""The moral-graph benchmark sections run at a tiny size, so their code cannot rot."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def bench():
    """The benchmark modules (they import their siblings ``_timing`` and ``_results``)."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import moralgraph_science
        import moralgraph_speed

        yield moralgraph_speed, moralgraph_science
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_synthetic_votes_are_valid_and_never_repeat_a_participants_pair(bench):
    speed, _ = bench
    votes, values, contexts = speed.synthetic_votes(50, 3000, 4, np.random.default_rng(0))
    assert len(values) == 50 and contexts == ["c0", "c1", "c2", "c3"]
    assert not votes.duplicated(["participant", "from_value", "to_value"]).any()
    assert (votes["from_value"] != votes["to_value"]).all()
    assert set(votes["verdict"]) <= {"wiser", "not_wiser", "unsure"}
    assert set(votes["context"]) <= set(contexts)
    assert 2900 < len(votes) <= 3000  # only repeats of a participant's pair are dropped


def test_speed_section_agrees_with_networkx_at_a_tiny_size(bench):
    speed, _ = bench
    result = speed.measure(120, 1500, 3, np.random.default_rng(1), repeat=1)
    assert result.diff_each < 1e-8 and result.diff_pooled < 1e-8
    assert result.public_diff < 1e-12
    times = [result.ours_all, result.ours_each, result.nx_run, *result.graph.values()]
    assert all(t.wall > 0 and t.cpu >= 0 for t in times)
    lines = speed._lines(result)
    assert lines[0] == speed.TITLE
    assert any(line.startswith("| ours, all contexts at once") for line in lines)
    assert any("`g.scores()`" in line for line in lines)


def test_judge_ties_dropped_values_at_the_bottom_and_shares_a_tied_first_place(bench):
    _, science = bench
    wisdom = pd.Series([3.0, 2.0, 1.0, 0.0], index=["a", "b", "c", "d"])
    # MAI-like: only b and a scored; c and d dropped (tied below them).
    credit, rho, share = science.judge(pd.Series({"b": 0.2, "a": 0.1}), wisdom)
    assert credit == 0.0 and share == 0.5
    assert rho == pytest.approx(3.5 / np.sqrt(22.5))  # ranks (3, 4, 1.5, 1.5) vs (4, 3, 2, 1)
    credit, _, _ = science.judge(pd.Series({"a": 0.5, "b": 0.5, "c": 0.0, "d": 0.0}), wisdom)
    assert credit == 0.5
    credit, rho, share = science.judge(pd.Series(dtype=float), wisdom)  # nothing kept
    assert (credit, rho, share) == (0.25, 0.0, 0.0)


def test_science_section_runs_at_a_tiny_size(bench, tmp_path):
    _, science = bench
    results = science.run_science((10, 40), reps=2, n_values=5, contexts=2)
    assert len(results) == 2 * 2 * 2 * len(science.METHODS)
    assert results["top1"].between(0, 1).all() and results["rho"].between(-1, 1).all()
    base = results[results["method"].str.contains("propagation 0 ")]
    assert (base["top1"] == 0.2).all() and (base["rho"] == 0).all()  # uniform: chance
    flow = results[results["method"] == "flow, propagation 0.85"]
    assert (flow["scored"] == 1).all()
    summary = science.summarise(results)
    assert summary.shape[0] == 2 * len(science.METHODS)
    path = tmp_path / "science.png"
    science.plot(summary, path, n_values=5)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = science.findings(results, summary, (10, 40))
    assert text.startswith(("As we expected", "Unlike what", "We expected"))
    gap = science.paired_gap(results, "flow, propagation 0.85", "MAI (published)")
    assert list(gap.index) == [10, 40] and (gap["ci"] >= 0).all()
