"""Building and scoring large moral graphs stays vectorised (benchmarks/moralgraph_speed.py).

pandas ≥ 3 stores text columns as pyarrow strings; iterating such a column element by
element boxes every cell through pyarrow, which made ``MoralGraph.from_frames`` of a
million votes take over 40 s on a busy machine. The tests forbid that element-wise path.
"""

from __future__ import annotations

import pandas as pd
from pandas.core.arrays.arrow.array import ArrowExtensionArray

from moralgraph import MoralGraph


def _tables(n_votes: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = [f"v{i}" for i in range(10)]
    values = pd.DataFrame({"id": ids, "title": ids, "description": "", "policies": "p"})
    votes = pd.DataFrame(
        {
            "participant": [f"p{k}" for k in range(n_votes)],
            "from_value": [ids[k % 10] for k in range(n_votes)],
            "to_value": [ids[(k + 1) % 10] for k in range(n_votes)],
            "context": ["c"] * n_votes,
            "verdict": (["wiser", "not_wiser", "unsure"] * n_votes)[:n_votes],
            "reason": ["because"] + [None] * (n_votes - 1),
        }
    )
    return values, votes.astype("str")  # pandas >= 3's default text dtype (pyarrow, NaN)


def _refuse(self):
    raise AssertionError("a pyarrow-backed column was iterated element by element")


def test_from_frames_reads_arrow_string_columns_without_iterating_them(monkeypatch):
    values, votes = _tables(30)
    assert isinstance(votes["participant"].array, ArrowExtensionArray)
    monkeypatch.setattr(ArrowExtensionArray, "__iter__", _refuse)
    g = MoralGraph.from_frames(values, votes)
    assert len(g.votes) == 30
    assert g.votes[0].reason == "because" and g.votes[1].reason is None
    assert [v.verdict for v in g.votes[:3]] == ["wiser", "not_wiser", "unsure"]
