"""``aggregate_pairs_dask`` on a data set larger than the memory limit given to its workers.

170,000 prompts x 5 pairwise judgments (850,000 rows) with RLHF-sized texts (a 247-character
prompt and 431-character responses, about 1.2 kB a row): 1.0 GiB as the pandas frame
``read_preferences`` builds, 1.7x the 600 MiB ``memory_limit`` of each of the two local
workers; 57 MB of Parquet on disk (dictionary-encoded), in
4 files of row groups of 6,007 rows (~7 MiB in pandas), each one input partition. A worker
needs about 170 MiB just to start and import pandas, pyarrow and rlchf, so a row group must
stay small. At 400 MiB with 7,919-row groups the workers once sat at Dask's pause threshold
(80 %) and the shuffle stalled (killed after 10 minutes); since ``_common.dask`` keeps local
workers from pausing and sizes the shuffle buffers to the limit, that run takes 97 s.
More, smaller row groups cost time (the P2P shuffle's shards grow with partitions^2):
4,001-row groups took 126 s, 9,001-row groups 40 s but peaked at 81 % of the limit.

Measured on the shared 2-core machine (load average ~2), at a 500 MiB limit while workers
still paused at 80 %: the Dask run 61 s, each worker peaking at 330 MiB. Workers no longer
pause (see ``_common.dask.worker_settings``), so they may run up to the 95 % at which the
nanny restarts one (Dask then retries its tasks): in a CI run at 500 MiB they peaked at 474
and 497 MB, a hair below that 498 MB, so the limit is 600 MiB; a restart is tolerated here,
never a lost or changed row. The in-memory ``read_preferences`` + ``aggregate_pairs`` took
16 s, with this process peaking at 4.5 GB; the whole test 82-100 s (146 s at load average 4,
when the machine was shared by several test runs; halving the rows with twice the text was
no faster).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("distributed")

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from dask.utils import parse_bytes

import rlchf
from rlchf import synthetic
from rlchf.dask import aggregate_pairs_dask

psutil = pytest.importorskip("psutil")

LIMIT = "600MiB"
PROMPTS = 170_000
FILES = 4
#: Rows per row group (one input partition each); prime, so prompts straddle partitions.
ROW_GROUP = 6_007
PROMPT = " ".join(["How should a community weigh fairness against efficiency when"] * 4)
ANSWER = " ".join(["A careful answer weighs both sides, names the trade-offs and the people"]
                  * 6)


def _lengthen(table: pa.Table, column: str, filler: str) -> pa.Table:
    """``column`` with ``": " + filler`` appended to every value (RLHF-sized texts)."""
    text = pc.binary_join_element_wise(pc.cast(table[column], pa.string()), filler, ": ")
    return table.set_column(table.schema.get_field_index(column), column, text)


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    """``write_parquet``'s pairwise data with long texts, in small row groups, file by file."""
    root = tmp_path_factory.mktemp("big")
    raw, folder = root / "raw", root / "in"
    folder.mkdir()
    synthetic.write_parquet(raw, PROMPTS, 4, 200, partitions=FILES, rng=17, kind="pairwise")
    for f in sorted(raw.glob("*.parquet")):
        table = _lengthen(pq.read_table(f), "prompt", PROMPT)
        for column in ("response_a", "response_b"):
            table = _lengthen(table, column, ANSWER)
        pq.write_table(table, folder / f.name, row_group_size=ROW_GROUP)
        f.unlink()
    return folder


class WorkerWatch:
    """Sample the Dask worker processes this process starts from now on (pids and peak RSS)
    every 50 ms; workers already running (the session's shared cluster) are left out."""

    def __init__(self) -> None:
        self.peaks: dict[int, int] = {}
        self._before = {c.pid for c in psutil.Process().children(recursive=True)}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._done.is_set():
            for child in me.children(recursive=True):
                if child.pid in self._before:
                    continue
                try:
                    if "spawn_main" in " ".join(child.cmdline()):
                        rss = child.memory_info().rss
                        self.peaks[child.pid] = max(self.peaks.get(child.pid, 0), rss)
                except psutil.Error:
                    pass
            time.sleep(0.05)

    def __enter__(self) -> WorkerWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()


def test_more_data_than_the_worker_memory_limit_gives_the_in_memory_rows(
        big: Path, tmp_path: Path) -> None:
    assert pq.read_metadata(next(big.glob("*.parquet"))).num_row_groups > 5
    with WorkerWatch() as watch:
        written = aggregate_pairs_dask(big, kind="pairwise", rule="copeland",
                                       out=tmp_path / "pairs", memory_limit=LIMIT,
                                       n_workers=2)
    # two workers, at most a couple restarted by their nannies (Dask retried their tasks)
    assert 2 <= len(watch.peaks) <= 4, watch.peaks
    data = rlchf.read_preferences(big, kind="pairwise")
    assert data.frame.memory_usage(deep=True).sum() > 1.5 * parse_bytes(LIMIT)
    expected = rlchf.aggregate_pairs(data, "copeland")
    del data
    assert (written.pairs, written.prompts) == (len(expected), PROMPTS)
    start = 0
    for f in written.files:  # part by part, so this process holds one part at a time
        part = pd.read_parquet(f)
        pd.testing.assert_frame_equal(
            part, expected.iloc[start:start + len(part)].reset_index(drop=True),
            check_dtype=False, check_exact=True)
        start += len(part)
    assert start == len(expected)
