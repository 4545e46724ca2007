"""RLCHF variant 1 out of core: :func:`aggregate_pairs_dask` over a Parquet data set on Dask.

The data set (a Parquet file or a folder of them, e.g.
:func:`rlchf.synthetic.write_parquet`) is read with :func:`dask.dataframe.read_parquet`, one
partition per row group. A prompt's rows may sit in several files, so the rows are always
**shuffled by** ``prompt_id`` (a hash shuffle; no cheap test tells that a data set is
already partitioned by prompt, and a wrong guess would be a silently wrong answer). Each
shuffled partition then holds every row of its prompts, in their original order, and runs
the in-memory code: :class:`PreferenceData` validation and :func:`rlchf.aggregate_pairs`
(vectorised numpy). The pairs are finally sorted by each prompt's first appearance in the
data set (files in name order), which is the order of the in-memory path, so both give the
same rows, row for row.

Output goes to a hidden temporary folder beside ``out`` that is renamed into place only when
everything is written: a failed run leaves no ``out``. On a remote cluster the input and
``out`` must be paths every worker can read and write (a shared file system).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import socialchoice as sc
from _common import dask as _dask
from _common.dask import FIRST, POS, SCHEDULER_ENV, Origins
from _common.progress import report
from _common.validation import check_int

from ._aggregate import COLUMNS, aggregate_pairs
from ._data import PreferenceData
from ._errors import PreferenceDataError, RLCHFError
from ._validate import _check_columns, check_kind_features

__all__ = ["SCHEDULER_ENV", "PairsFolder", "aggregate_pairs_dask", "parquet_files"]

_FUNC = "aggregate_pairs_dask"
#: The input files and the (file, first row) of each input partition.
_Data = tuple[list[Path], Origins]


@dataclass(frozen=True)
class PairsFolder:
    """What :func:`aggregate_pairs_dask` wrote: the folder, its files and their counts."""

    path: Path
    files: tuple[Path, ...]
    pairs: int
    prompts: int


def parquet_files(source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]
                  ) -> list[Path]:
    """The Parquet files of a file, a folder (its ``*.parquet``, by name) or a list of files.

    >>> parquet_files([])
    Traceback (most recent call last):
    ...
    rlchf._errors.PreferenceDataError: aggregate_pairs_dask needs at least one Parquet file.
    """
    return _dask.parquet_files(source, _FUNC, PreferenceDataError)


def _aggregate_frame(frame: pd.DataFrame, name: str, kind: str, features: tuple[str, ...],
                     options: dict) -> pd.DataFrame:
    """The pairs of one partition's rows (every row of its prompts, in input order)."""
    data = PreferenceData.from_pandas(frame, kind=kind, features=features, name=name)
    return aggregate_pairs(data, **options)


def _meta(meta_in: pd.DataFrame, kind: str) -> pd.DataFrame:
    text = meta_in["response" if kind == "ranking" else "response_a"].dtype
    return pd.DataFrame({
        "prompt_id": pd.Series(dtype=meta_in["prompt_id"].dtype),
        "prompt": pd.Series(dtype=meta_in["prompt"].dtype),
        "chosen": pd.Series(dtype=text), "rejected": pd.Series(dtype=text),
        "margin": pd.Series(dtype=np.float64),
        FIRST: pd.Series(dtype=np.int64), POS: pd.Series(dtype=np.int64)})


def _pairs_graph(source: _Data, kind: str,
                 feats: tuple[str, ...], options: dict) -> tuple[Any, Any]:
    """The lazy (unsorted pairs, per-partition prompt counts) of ``(files, origins)``."""
    files, origins = source
    keyed, origins = _dask.read_keyed(files, origins)
    shuffled = keyed.shuffle(on="prompt_id", npartitions=keyed.npartitions)
    meta = _meta(keyed._meta, kind)
    task = partial(_aggregate_frame, kind=kind, features=feats, options=options)
    pairs = shuffled.map_partitions(_dask.run_partition, task, "prompt_id", origins, meta,
                                    PreferenceDataError, meta=meta, enforce_metadata=False)
    counts = shuffled.map_partitions(lambda d: pd.Series([d["prompt_id"].nunique()]),
                                     meta=pd.Series(dtype=np.int64))
    return pairs, counts


def aggregate_pairs_dask(
    source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    kind: str,
    rule: str = "copeland",
    features: Sequence[str] = (),
    pairs: str = "all",
    tie_break: str = "none",
    time_limit: float | None = sc.DEFAULT_TIME_LIMIT,
    out: str | os.PathLike[str] | None = None,
    scheduler: str | None = None,
    memory_limit: str | int = "1GiB",
    n_workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame | PairsFolder:
    """:func:`rlchf.aggregate_pairs` over a Parquet data set on a Dask cluster.

    Parameters
    ----------
    source : path, or a list of paths
        A Parquet file, a folder of Parquet files (read in name order) or a list of files.
        Each row group of each file is one input partition (write files with row groups
        of at most a few hundred MB, e.g. :func:`rlchf.synthetic.write_parquet`).
    kind, features
        As in :class:`rlchf.PreferenceData`.
    rule, pairs, tie_break, time_limit
        As in :func:`rlchf.aggregate_pairs`.
    out : path, optional
        A new folder receiving ``part-00000.parquet``, ...; written to a temporary folder
        beside it and renamed into place at the end. Without it the pairs are returned as one
        pandas DataFrame (for data whose pairs fit in memory).
    scheduler : str, optional
        An existing cluster's scheduler address (``tcp://host:8786``); default
        ``$DASK_SCHEDULER_ADDRESS``, else a ``LocalCluster`` of ``n_workers`` worker processes
        (one thread each, with a nanny that restarts a dead worker) started for this call.
    memory_limit : str or int, default "1GiB"
        Each local worker's memory limit (Dask spills to disk above it, and restarts a worker
        that exceeds it; its tasks are retried).
    n_workers : int, default 2
        Local worker processes.
    progress : callable, optional
        ``progress(steps_done, 2)``: after the aggregation pass, and after the sort pass.

    Returns
    -------
    pandas.DataFrame or PairsFolder
        The pairs (columns of :func:`rlchf.aggregate_pairs`, rows in its order: prompts by
        first appearance, then best response first); with ``out``, a :class:`PairsFolder`
        with the written files and the numbers of pairs and prompts.

    Raises
    ------
    PreferenceDataError
        A missing or empty input; a malformed row (named by its file and 0-based row in the
        file, with the shuffled partition).
    AggregationError, RLCHFError, socialchoice.TimeLimitError
        As :func:`rlchf.aggregate_pairs`; ``out`` exists already.

    Examples
    --------
    >>> import tempfile
    >>> from rlchf import aggregate_pairs, read_preferences, synthetic
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = synthetic.write_parquet(tmp, 30, partitions=3, rng=0, kind="ranking")
    ...     pairs = aggregate_pairs_dask(tmp, kind="ranking", n_workers=1)
    ...     same = aggregate_pairs(read_preferences(tmp, kind="ranking"))
    >>> len(pairs), pairs.equals(same)
    (180, True)
    """
    _dask.require_dask(_FUNC, RLCHFError)
    kind, feats = check_kind_features(kind, features, _FUNC)
    check_int(n_workers, "n_workers", _FUNC, 1, error=RLCHFError)
    files = parquet_files(source)
    # unreadable files and different columns fail here, before the cluster starts
    data = (files, _dask.row_group_origins(files, PreferenceDataError))
    _check_columns(_empty(files[0]), kind, feats, str(files[0]))
    target = None if out is None else _dask.new_folder(out, _FUNC, RLCHFError)
    options = {"rule": rule, "pairs": pairs, "tie_break": tie_break, "time_limit": time_limit}
    # the options are checked here, on a tiny valid data set, before any cluster starts
    _check_options(kind, options)
    with _dask.dask_client(scheduler, memory_limit, n_workers, _FUNC, RLCHFError) as client:
        if target is None:
            return _to_frame(client, data, kind, feats, options, progress)
        return _to_folder(client, data, kind, feats, options, target, progress)


def _empty(file: Path) -> pd.DataFrame:
    """The columns of a Parquet file (every file has them), as an empty frame."""
    import pyarrow.parquet as pq

    return pq.read_schema(file).empty_table().to_pandas()


def _check_options(kind: str, options: dict) -> None:
    """Run ``options`` on one tiny prompt so a bad option fails before the cluster starts."""
    if kind == "ranking":
        df = pd.DataFrame({"prompt_id": 0, "prompt": "p", "response_id": [0, 1],
                           "response": ["a", "b"], "annotator_id": "x", "rank": [0, 1]})
    else:
        df = pd.DataFrame({"prompt_id": [0], "prompt": "p", "response_a": "a",
                           "response_b": "b", "label": [1.0], "annotator_id": "x"})
    aggregate_pairs(PreferenceData.from_pandas(df, kind=kind), **options)


def _to_frame(client: Any, data: _Data, kind: str, feats: tuple[str, ...],
              options: dict, progress: Callable[[int, int], None] | None) -> pd.DataFrame:
    report(progress, 0, 2)
    pairs, _ = _pairs_graph(data, kind, feats, options)
    parts = client.compute(pairs.to_delayed(), sync=True)
    report(progress, 1, 2)
    frame = _dask.concat_in_order(parts)
    report(progress, 2, 2)
    return frame[COLUMNS]


def _to_folder(client: Any, data: _Data, kind: str, feats: tuple[str, ...],
               options: dict, target: Path, progress: Callable[[int, int], None] | None
               ) -> PairsFolder:
    """The pairs, written in input order (:func:`_common.dask.write_in_order`)."""
    pairs, counts = _pairs_graph(data, kind, feats, options)
    written, n, (per_part,) = _dask.write_in_order(client, pairs, [counts], target, progress)
    return PairsFolder(target, written, n, int(per_part.sum()))

