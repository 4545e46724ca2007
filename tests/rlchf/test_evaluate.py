"""evaluate: accuracy per group, worst group, ECE and Kendall τ, on hand-checked examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import kendalltau

from rlchf import PreferenceData, RLCHFError, evaluate
from rlchf._evaluate import kendall_tau_b


class Fixed:
    """A pooled stand-in: fixed rewards per response text, P = σ(r_a − r_b)."""

    def __init__(self, rewards: dict[str, float]) -> None:
        self.rewards = rewards

    def reward(self, prompts, responses):
        return np.array([self.rewards[r] for r in responses])

    def predict_proba(self, df):
        d = self.reward(None, df["response_a"]) - self.reward(None, df["response_b"])
        return 1 / (1 + np.exp(-d))


def _data() -> PreferenceData:
    # prompt 1: north prefers x > y > z, south the reverse; prompt 2: a tie and one judgment
    rows = [
        (1, "Q1", "x", "y", 1.0, "n1", "north"), (1, "Q1", "y", "z", 1.0, "n1", "north"),
        (1, "Q1", "x", "z", 1.0, "n2", "north"), (1, "Q1", "x", "y", 0.0, "s1", "south"),
        (1, "Q1", "z", "y", 1.0, "s1", "south"),
        (2, "Q2", "u", "v", 0.5, "n1", "north"), (2, "Q2", "u", "v", 1.0, "s1", "south"),
    ]
    df = pd.DataFrame(rows, columns=["prompt_id", "prompt", "response_a", "response_b", "label",
                                     "annotator_id", "region"])
    return PreferenceData.from_pandas(df, "pairwise", ["region"])


MODEL = Fixed({"x": 2.0, "y": 1.0, "z": 0.0, "u": 1.0, "v": 0.0})


def _row(table, metric, **where):
    sel = table["metric"] == metric
    for key, value in where.items():
        sel &= table[key].isna() if value is None else table[key] == value
    assert sel.sum() == 1
    return table[sel].iloc[0]


def test_accuracy_per_group_and_worst_group():
    table = evaluate(MODEL, _data(), by="region", rules=())
    assert list(table.columns) == ["metric", "feature", "group", "rule", "value", "n"]
    # 6 strict judgments (the tie is left out): north 3/3 right, south 1/3 (u ≻ v only)
    assert _row(table, "accuracy", feature=None)[["value", "n"]].tolist() == [4 / 6, 6]
    assert _row(table, "accuracy", group="north")["value"] == 1.0
    assert _row(table, "accuracy", group="south")["value"] == pytest.approx(1 / 3)
    worst = _row(table, "worst_group_accuracy", feature="region")
    assert worst["group"] == "south" and worst["value"] == pytest.approx(1 / 3)


def test_ece_by_hand():
    table = evaluate(MODEL, _data(), rules=(), bins=10)
    s1, s2 = 1 / (1 + np.exp(-1.0)), 1 / (1 + np.exp(-2.0))
    conf = np.array([s1, s1, s2, s1, s1, s1])   # x-y, y-z, x-z, x-y, z-y, u-v
    right = np.array([1, 1, 1, 0, 0, 1.0])
    # σ(1) = 0.731 and σ(2) = 0.881 fall in different bins
    ece = (abs(right[conf == s1].sum() - conf[conf == s1].sum())
           + abs(right[conf == s2].sum() - conf[conf == s2].sum())) / 6
    assert _row(table, "ece")["value"] == pytest.approx(ece)


def test_kendall_tau_against_each_rule():
    table = evaluate(MODEL, _data(), rules=["borda", "copeland"])
    # prompt 1 data margins: x-y 0, y-z 0, x-z +1: Borda x 1, y 0, z -1 (τ = 1 with the model)
    # Copeland x 1, y 0, z -1; prompt 2: u-v +1 (the tie counts 0) agrees too
    for rule in ("borda", "copeland"):
        row = _row(table, "kendall_tau", rule=rule)
        assert row["value"] == pytest.approx(1.0) and row["n"] == 2
    reverse = Fixed({"x": 0.0, "y": 1.0, "z": 2.0, "u": 0.0, "v": 1.0})
    assert _row(evaluate(reverse, _data(), rules=["borda"]), "kendall_tau")["value"] == -1.0


def test_ranking_data_is_accepted():
    df = pd.DataFrame({"prompt_id": 1, "prompt": "Q1", "response_id": [1, 2, 3] * 2,
                       "response": ["x", "y", "z"] * 2, "annotator_id": ["a"] * 3 + ["b"] * 3,
                       "rank": [0, 1, 2, 2, 1, 0], "region": ["n"] * 3 + ["s"] * 3})
    table = evaluate(MODEL, PreferenceData.from_pandas(df, "ranking", ["region"]), by="region")
    assert _row(table, "accuracy", group="n")["value"] == 1.0
    assert _row(table, "accuracy", group="s")["value"] == 0.0


def test_vectorised_tau_b_matches_scipy():
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 3, size=(50, 5)), rng.integers(0, 3, size=(50, 5))
    ours = kendall_tau_b(x, y)
    for i in range(50):
        ref = kendalltau(x[i], y[i]).statistic
        assert (np.isnan(ours[i]) and np.isnan(ref)) or ours[i] == pytest.approx(ref)


def test_bad_input():
    with pytest.raises(RLCHFError, match=r"names column\(s\) \['age'\]"):
        evaluate(MODEL, _data(), by="age")
    with pytest.raises(RLCHFError, match="'plurality' needs whole ballots"):
        evaluate(MODEL, _data(), rules=["plurality"])
    with pytest.raises(RLCHFError, match="'egalitarian' needs whole ballots or is a welfare"):
        evaluate(MODEL, _data(), rules=["egalitarian"])
    with pytest.raises(RLCHFError, match="evaluate takes PreferenceData"):
        evaluate(MODEL, _data().frame)
    with pytest.raises(RLCHFError, match="'bins' parameter of evaluate"):
        evaluate(MODEL, _data(), bins=0)


def test_integer_groups_stay_integers():
    df = _data().frame.assign(region=lambda f: (f["region"] == "south").astype(int))
    table = evaluate(MODEL, PreferenceData.from_pandas(df, "pairwise", ["region"]), by="region",
                     rules=())
    groups = table.loc[table["metric"] == "accuracy", "group"].tolist()
    assert groups == [None, 0, 1] and all(type(g) is int for g in groups[1:])


def test_conditioned_model_needs_its_features_in_the_data():
    class Conditioned(Fixed):
        features = ("age",)

    with pytest.raises(RLCHFError, match=r"no column\(s\) \['age'\] that the model"):
        evaluate(Conditioned(MODEL.rewards), _data(), rules=["borda"])
