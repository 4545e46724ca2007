"""Many elections out of core: :func:`winners_table_dask` and :func:`margins_table_dask`.

The ballot table (a Parquet file, a folder of them or a list of files; one row per
(election, voter, candidate) as in :func:`socialchoice.winners_table`) is read with
:func:`dask.dataframe.read_parquet`, one partition per row group, with the shared
conventions of :mod:`_common.dask`. An election's rows may sit in several files, so the rows
are always **shuffled by** the election column (a hash shuffle); each shuffled partition then
holds every row of its elections, put back in input order, and runs the in-memory code
(:func:`socialchoice.winners_table` / :func:`socialchoice.margins_table`, batched by shape).
The results are finally sorted by each election's first appearance in the data set (files in
name order), the order of the in-memory function on the whole table, so both give the same
rows, row for row.

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

from _common import dask as _dask
from _common.dask import FIRST, POS, ROW, SCHEDULER_ENV, Origins
from _common.progress import report
from _common.validation import check_int

from ._ballot_table import Columns, columns_of
from ._elections import elections_margins, elections_winners, reserved_columns
from ._errors import ProfileError, SocialChoiceError
from ._registry import DEFAULT_TIME_LIMIT, Rule, get_rule
from ._timelimit import check_time_limit

__all__ = ["SCHEDULER_ENV", "TableFolder", "margins_table_dask", "winners_table_dask"]

Source = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]
Progress = Callable[[int, int], None] | None


@dataclass(frozen=True)
class TableFolder:
    """What :func:`winners_table_dask` or :func:`margins_table_dask` wrote: the folder, its
    Parquet parts, their number of rows, the number of elections and, for winners, the
    number of elections with tied winners (more than one; ``None`` for margins)."""

    path: Path
    files: tuple[Path, ...]
    rows: int
    elections: int
    tied: int | None = None


@dataclass(frozen=True)
class _Job:
    """One run: the function (``task(frame, name)``), the columns, the input and the name."""

    func: str
    task: Callable[..., pd.DataFrame]
    cols: Columns
    files: list[Path]
    origins: Origins


def _meta(job: _Job, meta_in: pd.DataFrame) -> pd.DataFrame:
    """The empty result of ``job`` on a partition of dtypes ``meta_in``, with the keys."""
    out = job.task(meta_in.drop(columns=[ROW]), name="meta")
    return out.assign(**{FIRST: np.zeros(0, np.int64), POS: np.zeros(0, np.int64)})


def _graph(job: _Job) -> tuple[Any, Any, Any]:
    """The lazy unsorted table of ``job``, its elections per partition and (for winners)
    its elections with tied winners per partition."""
    keyed, origins = _dask.read_keyed(job.files, job.origins)
    # only the needed columns travel through the shuffle; selected after the keys are set
    # (a selection inside read_parquet lets Dask fuse row groups, and the keys would lie)
    keyed = keyed[[*job.cols.needed(), ROW]]
    election = job.cols.election
    shuffled = keyed.shuffle(on=election, npartitions=keyed.npartitions)
    meta = _meta(job, keyed._meta)
    table = shuffled.map_partitions(_dask.run_partition, job.task, election, origins, meta,
                                    SocialChoiceError, meta=meta, enforce_metadata=False)
    counts = shuffled.map_partitions(lambda d: pd.Series([d[election].nunique()]),
                                     meta=pd.Series(dtype=np.int64))
    tied = None
    if "winner" in meta.columns:
        tied = table.map_partitions(_tied, election, meta=pd.Series(dtype=np.int64))
    return table, counts, tied


def _tied(table: pd.DataFrame, election: str) -> pd.Series:
    """The number of elections of a partition's winners with more than one winner."""
    return pd.Series([int((table.groupby(election, sort=False)["winner"].sum() > 1).sum())])


def _prepare(func: str, source: Source, cols: Columns, out: Any, n_workers: int
             ) -> tuple[list[Path], Origins, Path | None]:
    """Everything checked before a cluster starts: the files, their columns and ``out``."""
    import pyarrow.parquet as pq

    _dask.require_dask(func, SocialChoiceError)
    check_int(n_workers, "n_workers", func, 1, error=SocialChoiceError)
    files = _dask.parquet_files(source, func, ProfileError)
    origins = _dask.row_group_origins(files, ProfileError)
    names = pq.read_schema(files[0]).names
    missing = [c for c in cols.needed() if c not in names]
    if missing:
        raise ProfileError(f"{files[0]}: the ballot table has no column {missing[0]!r} (its "
                           f"columns: {', '.join(map(repr, names))}); expected one row per "
                           "(election, voter, candidate) with the candidate's rank.")
    target = None if out is None else _dask.new_folder(out, func, SocialChoiceError)
    return files, origins, target


def _run(job: _Job, target: Path | None, scheduler: str | None, memory_limit: str | int,
         n_workers: int, progress: Progress) -> pd.DataFrame | TableFolder:
    with _dask.dask_client(scheduler, memory_limit, n_workers, job.func,
                           SocialChoiceError) as client:
        if target is None:
            return _to_frame(client, job, progress)
        return _to_folder(client, job, target, progress)


def _to_frame(client: Any, job: _Job, progress: Progress) -> pd.DataFrame:
    report(progress, 0, 2)
    table, _, _ = _graph(job)
    parts = client.compute(table.to_delayed(), sync=True)
    report(progress, 1, 2)
    frame = _dask.concat_in_order(parts)
    report(progress, 2, 2)
    return frame


def _to_folder(client: Any, job: _Job, target: Path, progress: Progress) -> TableFolder:
    """The table, written in input order (:func:`_common.dask.write_in_order`)."""
    table, counts, tied = _graph(job)
    written, n, (per_part, tied_per_part) = _dask.write_in_order(
        client, table, [counts, counts if tied is None else tied], target, progress)
    return TableFolder(target, written, n, int(per_part.sum()),
                       None if tied is None else int(tied_per_part.sum()))


def winners_table_dask(
    source: Source,
    rule: str | Rule,
    *,
    out: str | os.PathLike[str] | None = None,
    scheduler: str | None = None,
    memory_limit: str | int = "1GiB",
    n_workers: int = 2,
    progress: Progress = None,
    election: str = "prompt_id",
    voter: str = "annotator_id",
    candidate: str = "response_id",
    rank: str = "rank",
    weight: str | None = None,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
) -> pd.DataFrame | TableFolder:
    """:func:`socialchoice.winners_table` over a Parquet ballot table on a Dask cluster.

    Parameters
    ----------
    source : path, or a list of paths
        A Parquet file, a folder of Parquet files (read in name order) or a list of files;
        each row group is one input partition.
    out : path, optional
        A new folder receiving ``part-00000.parquet``, ...; written to a temporary folder
        beside it and renamed into place at the end. Without it the table is returned as
        one pandas DataFrame (for results that fit in memory).
    scheduler : str, optional
        An existing cluster's scheduler address (``tcp://host:8786``); default
        ``$DASK_SCHEDULER_ADDRESS``, else a ``LocalCluster`` of ``n_workers`` worker
        processes (one thread each, with a nanny that restarts a dead worker).
    memory_limit : str or int, default "1GiB"
        Each local worker's memory limit.
    n_workers : int, default 2
        Local worker processes.
    progress : callable, optional
        ``progress(steps_done, 2)``: after the computing pass and after the sort pass.
    rule, election, voter, candidate, rank, weight, time_limit
        As in :func:`socialchoice.winners_table`.

    Returns
    -------
    pandas.DataFrame or TableFolder
        The rows of :func:`socialchoice.winners_table` on the whole table, in its order;
        with ``out``, a :class:`TableFolder` of the written parts.

    Raises
    ------
    ProfileError
        A missing or unreadable input, a missing column; a malformed row (named by its file
        and 0-based row in the file, with the shuffled partition).
    SocialChoiceError
        ``out`` exists already; no scheduler at ``scheduler``; the errors of
        :func:`socialchoice.winners_table`.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> import socialchoice as sc
    >>> from rlchf import synthetic
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = synthetic.write_parquet(tmp, 30, partitions=3, rng=0, kind="ranking")
    ...     got = winners_table_dask(tmp, "copeland", n_workers=1)
    ...     same = sc.winners_table(pd.read_parquet(tmp), "copeland")
    >>> len(got), got.equals(same)
    (120, True)
    """
    func = "winners_table_dask"
    cols = columns_of(func, election, voter, candidate, rank, weight)
    reserved_columns(cols, ("winner",), func)
    r = get_rule(rule)
    check_time_limit(time_limit, func)
    files, origins, target = _prepare(func, source, cols, out, n_workers)
    task = partial(elections_winners, rule=r.name, cols=cols, time_limit=time_limit)
    job = _Job(func, task, cols, files, origins)
    return _run(job, target, scheduler, memory_limit, n_workers, progress)


def margins_table_dask(
    source: Source,
    *,
    out: str | os.PathLike[str] | None = None,
    scheduler: str | None = None,
    memory_limit: str | int = "1GiB",
    n_workers: int = 2,
    progress: Progress = None,
    election: str = "prompt_id",
    voter: str = "annotator_id",
    candidate: str = "response_id",
    rank: str = "rank",
    weight: str | None = None,
) -> pd.DataFrame | TableFolder:
    """:func:`socialchoice.margins_table` over a Parquet ballot table on a Dask cluster.

    Parameters
    ----------
    source : path, or a list of paths
        A Parquet file, a folder of Parquet files (read in name order) or a list of files;
        each row group is one input partition.
    out : path, optional
        A new folder receiving ``part-00000.parquet``, ...; written to a temporary folder
        beside it and renamed into place at the end. Without it the table is returned as
        one pandas DataFrame (for results that fit in memory).
    scheduler : str, optional
        An existing cluster's scheduler address (``tcp://host:8786``); default
        ``$DASK_SCHEDULER_ADDRESS``, else a ``LocalCluster`` of ``n_workers`` worker
        processes (one thread each, with a nanny that restarts a dead worker).
    memory_limit : str or int, default "1GiB"
        Each local worker's memory limit.
    n_workers : int, default 2
        Local worker processes.
    progress : callable, optional
        ``progress(steps_done, 2)``: after the computing pass and after the sort pass.
    election, voter, candidate, rank, weight
        As in :func:`socialchoice.margins_table`.

    Returns
    -------
    pandas.DataFrame or TableFolder
        The rows of :func:`socialchoice.margins_table` on the whole table, in its order;
        with ``out``, a :class:`TableFolder` of the written parts.

    Raises
    ------
    ProfileError, SocialChoiceError
        As :func:`winners_table_dask`.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> import socialchoice as sc
    >>> from rlchf import synthetic
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = synthetic.write_parquet(tmp, 10, partitions=2, rng=0, kind="ranking")
    ...     got = margins_table_dask(tmp, n_workers=1)
    ...     same = sc.margins_table(pd.read_parquet(tmp))
    >>> len(got), got.equals(same)
    (120, True)
    """
    func = "margins_table_dask"
    cols = columns_of(func, election, voter, candidate, rank, weight)
    reserved_columns(cols, ("a", "b", "margin"), func)
    files, origins, target = _prepare(func, source, cols, out, n_workers)
    task = partial(elections_margins, cols=cols)
    job = _Job(func, task, cols, files, origins)
    return _run(job, target, scheduler, memory_limit, n_workers, progress)
