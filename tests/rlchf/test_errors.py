"""The rlchf exception tree: AggregationError is in both trees and made on first use only."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest

import rlchf
import socialchoice as sc
from rlchf import _errors


def _modules_after(code: str) -> str:
    probe = f"import sys; {code}; print(' '.join(sorted(sys.modules)))"
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True).stdout


def test_aggregation_error_is_in_both_trees():
    err = rlchf.AggregationError("x")
    assert isinstance(err, rlchf.RLCHFError) and isinstance(err, sc.SocialChoiceError)
    assert isinstance(err, ValueError)


def test_one_class_wherever_it_is_imported_from():
    from rlchf._aggregate import AggregationError as from_aggregate
    from rlchf._errors import AggregationError as from_errors

    assert from_aggregate is from_errors is rlchf.AggregationError


def test_aggregation_error_pickles_by_name():
    err = pickle.loads(pickle.dumps(rlchf.AggregationError("bad rule")))
    assert type(err) is rlchf.AggregationError and str(err) == "bad rule"


def test_aggregate_pairs_raises_it():
    import pandas as pd

    df = pd.DataFrame({"prompt_id": 1, "prompt": "Hi?", "response_a": "a", "response_b": "b",
                       "label": [1.0], "annotator_id": ["u"]})
    data = rlchf.PreferenceData.from_pandas(df, kind="pairwise")
    with pytest.raises(rlchf.AggregationError, match="Unknown rule 'nope'"):
        rlchf.aggregate_pairs(data, "nope")


def test_import_rlchf_does_not_import_socialchoice():
    assert "socialchoice" not in _modules_after("import rlchf").split()
    assert "socialchoice" not in _modules_after("from rlchf import RLCHFError").split()


def test_unknown_name_in_errors_module():
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _errors.Nope
