"""rlchf.plot_evaluation: per-group accuracy bars of one or several evaluated models."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import rlchf
from rlchf import PreferenceData, RLCHFError, plot_evaluation


class _Longer:
    """Prefers the longer response (a model without training)."""

    def predict_proba(self, df):
        return np.where(df["response_a"].str.len() > df["response_b"].str.len(), 1.0, 0.0)

    def reward(self, prompts, responses):
        return np.array([len(r) for r in responses], float)


def _table(flip: bool = False) -> pd.DataFrame:
    labels = [1.0, 1.0, 0.0, 1.0] if not flip else [0.0, 1.0, 1.0, 1.0]
    df = pd.DataFrame({"prompt_id": 1, "prompt": "Hi?", "response_a": "Hello!",
                       "response_b": "Yo.", "label": labels,
                       "annotator_id": ["a", "b", "c", "d"],
                       "region": ["north", "north", "south", "south"],
                       "age": ["young", "old", "young", "old"]})
    data = PreferenceData.from_pandas(df, "pairwise", ["region", "age"])
    return rlchf.evaluate(_Longer(), data, by=["region", "age"], rules=[])


def _bars(ax) -> dict[str, list[float]]:
    """Bar heights per legend label (one container per model)."""
    return {c.get_label(): [round(b.get_height(), 3) for b in c] for c in ax.containers}


def test_one_table_draws_pooled_then_groups_of_the_first_feature():
    fig = plot_evaluation(_table())
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["all", "north", "south"]
    assert _bars(ax) == {"model": [0.75, 1.0, 0.5]}
    assert ax.get_xlabel() == "region"


def test_worst_group_is_hatched():
    ax = plot_evaluation(_table()).axes[0]
    assert [b.get_hatch() for b in ax.containers[0]] == [None, None, "//"]


def test_two_models_side_by_side_on_a_chosen_feature():
    fig = plot_evaluation({"pooled": _table(), "conditioned": _table(flip=True)},
                          feature="age")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["all", "old", "young"]
    assert _bars(ax) == {"pooled": [0.75, 1.0, 0.5], "conditioned": [0.75, 1.0, 0.5]}
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["pooled", "conditioned"]


def test_draws_into_a_given_axes():
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    assert plot_evaluation(_table(), ax=ax) is fig
    assert len(ax.containers) == 1


def test_not_an_evaluate_table():
    with pytest.raises(RLCHFError, match=r"is not one rlchf\.evaluate returns"):
        plot_evaluation(pd.DataFrame({"x": [1]}))
    with pytest.raises(RLCHFError, match=r"takes a table returned by rlchf\.evaluate"):
        plot_evaluation([1, 2])
    with pytest.raises(RLCHFError, match="non-empty mapping"):
        plot_evaluation({})


def test_unknown_feature_or_no_groups():
    with pytest.raises(RLCHFError, match=r"'feature' parameter.*\['region', 'age'\].*'city'"):
        plot_evaluation(_table(), feature="city")
    pooled_only = _table()
    pooled_only = pooled_only[pooled_only["feature"].isna()]
    with pytest.raises(RLCHFError, match="call evaluate with by="):
        plot_evaluation(pooled_only)


def test_matplotlib_is_not_imported_with_rlchf():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", "import sys, rlchf; rlchf.plot_evaluation; "
                          "print('matplotlib' in sys.modules)"], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "False"
