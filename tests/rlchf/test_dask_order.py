"""``aggregate_pairs_dask(out=...)`` writes the in-memory order whatever the partition count.

Found by ``benchmarks/rlchf_dask.py``: 62,500 prompts in 2 files gave the right pairs in the
wrong order (each part sorted, the parts interleaved). Dask's ``sort_values`` skips the
shuffle when each partition's min and max of the sort column say the data is already sorted;
but reading that one column of the pairs' Parquet, Dask fuses up to six files into one
partition, sees a single (trivially sorted) partition, and sorts only within each partition.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("distributed")


import rlchf
from rlchf import synthetic
from rlchf.dask import aggregate_pairs_dask


@pytest.mark.parametrize("files", [2, 5, 8])
def test_folder_rows_are_the_in_memory_rows(dask_cluster: str, tmp_path: Path, files: int
                                            ) -> None:
    source = tmp_path / "in"
    synthetic.write_parquet(source, 400, partitions=files, rng=files, kind="pairwise")
    expected = rlchf.aggregate_pairs(rlchf.read_preferences(source, kind="pairwise"))
    written = aggregate_pairs_dask(source, kind="pairwise", out=tmp_path / "pairs",
                                   scheduler=dask_cluster)
    assert len(written.files) == files
    got = pd.read_parquet(tmp_path / "pairs")
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, check_exact=True)
