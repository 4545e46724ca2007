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
import re
import shutil
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import socialchoice as sc
from _common.progress import report
from _common.validation import check_int

from ._aggregate import COLUMNS, aggregate_pairs
from ._data import PreferenceData
from ._errors import PreferenceDataError, RLCHFError
from ._validate import check_kind_features

__all__ = ["SCHEDULER_ENV", "PairsFolder", "aggregate_pairs_dask", "parquet_files"]

_FUNC = "aggregate_pairs_dask"
#: The environment variable naming an existing Dask scheduler (``tcp://host:8786``).
SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
#: Input row key: ``partition << _SHIFT | row in partition`` (global row order, an int64);
#: partitions are the files' row groups, in order (see :func:`_origins`).
_SHIFT = 40
_ROW, _FIRST, _POS = "_row", "_first", "_pos"
#: The input files and the (file, first row) of each input partition.
_Data = tuple[list[Path], list[tuple[str, int]]]
_ROWS = re.compile(r"\b([Rr]ow) (\d+)( of [^:]*:)?")


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
    items = [source] if isinstance(source, str | os.PathLike) else list(source)
    files: list[Path] = []
    for item in map(Path, items):
        if item.is_dir():
            found = sorted(item.glob("*.parquet"))
            if not found:
                raise PreferenceDataError(f"{item}: the folder holds no .parquet files.")
            files += found
        elif item.is_file():
            files.append(item)
        else:
            raise PreferenceDataError(f"{item}: no such file or folder.")
    if not files:
        raise PreferenceDataError(f"{_FUNC} needs at least one Parquet file.")
    return files


def _file_rows(message: str, rows: np.ndarray, origins: Sequence[tuple[str, int]],
               part: int) -> str:
    """``message`` about shuffled partition ``part`` with each row it names replaced by the
    file and row it came from (and the partition's own name by its files)."""
    def swap(match: re.Match[str]) -> str:
        if int(match.group(2)) >= len(rows):
            return match.group(0)
        key = int(rows[int(match.group(2))])
        file, start = origins[key >> _SHIFT]
        row = start + (key & ((1 << _SHIFT) - 1))
        return f"{match.group(1)} {row} of {file}{':' if match.group(3) else ''}"

    named = _ROWS.sub(swap, message)
    used = list(dict.fromkeys(origins[i][0] for i in np.unique(rows >> _SHIFT)))
    some = ", ".join(used[:3]) + (f" and {len(used) - 3} more" if len(used) > 3 else "")
    named = named.replace(_partition(part), f"the rows of {some}")
    return f"{named} (shuffled partition {part})"


def _partition(part: int) -> str:
    """The name a shuffled partition's data gets in messages (replaced by its files)."""
    return f"<shuffled partition {part}>"


def _origins(files: list[Path]) -> list[tuple[str, int]]:
    """(file, first row) of each row group, in order: Dask's input partitions.

    Every file must be a readable Parquet file with the first file's columns (only the
    footers are read).
    """
    import pyarrow.parquet as pq

    columns = None
    origins = []
    for f in files:
        try:
            meta = pq.read_metadata(f)
            names = meta.schema.to_arrow_schema().names
        except (OSError, ValueError) as exc:  # pyarrow.ArrowInvalid is a ValueError
            raise PreferenceDataError(f"{f}: not a readable Parquet file ({exc}).") from None
        if columns is None:
            columns = names
        elif set(names) != set(columns):
            missing = [c for c in columns if c not in names]
            extra = [c for c in names if c not in columns]
            raise PreferenceDataError(
                f"{f}: its columns differ from those of {files[0]} (missing: "
                f"{', '.join(missing) or 'none'}; extra: {', '.join(extra) or 'none'}); "
                "every file of a data set needs the same columns.")
        starts = np.cumsum([0] + [meta.row_group(i).num_rows for i in
                                  range(meta.num_row_groups)])[:-1]
        origins += [(str(f), int(start)) for start in starts]
    return origins


def _aggregate_part(df: pd.DataFrame, kind: str, features: tuple[str, ...], options: dict,
                    origins: Sequence[tuple[str, int]], meta: pd.DataFrame,
                    partition_info: dict | None = None) -> pd.DataFrame:
    """The pairs of one shuffled partition (every row of its prompts), in input order."""
    part = partition_info["number"] if partition_info else 0
    if not len(df):
        return meta
    df = df.sort_values(_ROW, kind="stable")
    rows = df[_ROW].to_numpy()
    frame = df.drop(columns=[_ROW]).reset_index(drop=True)
    try:
        data = PreferenceData.from_pandas(frame, kind=kind, features=features,
                                          name=_partition(part))
        pairs = aggregate_pairs(data, **options)
    except PreferenceDataError as exc:
        raise PreferenceDataError(_file_rows(str(exc), rows, origins, part)) from None
    first = pd.Series(rows).groupby(frame["prompt_id"].to_numpy(), sort=False).min()
    pairs[_FIRST] = first.reindex(pairs["prompt_id"].to_numpy()).to_numpy(dtype=np.int64)
    pairs[_POS] = np.arange(len(pairs), dtype=np.int64)
    return pairs.astype(meta.dtypes.to_dict())


def _same(df: pd.DataFrame) -> pd.DataFrame:
    return df


def _sort_part(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values([_FIRST, _POS], kind="stable").drop(columns=[_FIRST, _POS])


def _meta(meta_in: pd.DataFrame, kind: str) -> pd.DataFrame:
    text = meta_in["response" if kind == "ranking" else "response_a"].dtype
    return pd.DataFrame({
        "prompt_id": pd.Series(dtype=meta_in["prompt_id"].dtype),
        "prompt": pd.Series(dtype=meta_in["prompt"].dtype),
        "chosen": pd.Series(dtype=text), "rejected": pd.Series(dtype=text),
        "margin": pd.Series(dtype=np.float64),
        _FIRST: pd.Series(dtype=np.int64), _POS: pd.Series(dtype=np.int64)})


def _keyed(part: pd.DataFrame, partition_info: dict | None = None) -> pd.DataFrame:
    """The partition with its global row key (file number, row in file)."""
    number = partition_info["number"] if partition_info else 0
    return part.assign(**{_ROW: (np.int64(number) << _SHIFT) + np.arange(len(part))})


@contextmanager
def _client(scheduler: str | None, memory_limit: str | int, n_workers: int
            ) -> Iterator[Any]:
    """A client of ``scheduler`` (or $DASK_SCHEDULER_ADDRESS), else of a LocalCluster."""
    from distributed import Client, LocalCluster

    address = scheduler or os.environ.get(SCHEDULER_ENV) or None
    if address is not None:
        try:
            client = Client(address, set_as_default=False)
        except OSError as exc:  # a refused or timed-out connection
            raise RLCHFError(f"Cannot reach the Dask scheduler at {address} ({exc}); start "
                             f"it, or leave out the address (and ${SCHEDULER_ENV}) to run "
                             "on a local cluster.") from None
        with client:
            yield client
        return
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                      memory_limit=memory_limit, dashboard_address=None) as cluster, \
            Client(cluster, set_as_default=False) as client:
        yield client


def _check_out(out: str | os.PathLike[str]) -> Path:
    path = Path(out)
    if path.exists():
        raise RLCHFError(f"{path}: {_FUNC} writes a new folder; this one already exists.")
    if not path.parent.is_dir():
        raise RLCHFError(f"{path}: the folder {path.parent} does not exist.")
    return path


def _pairs_graph(source: _Data, kind: str,
                 feats: tuple[str, ...], options: dict) -> tuple[Any, Any]:
    """The lazy (unsorted pairs, per-partition prompt counts) of ``(files, origins)``."""
    import dask.dataframe as dd

    files, origins = source
    ddf = dd.read_parquet([str(f) for f in files], split_row_groups=True)
    if ddf.npartitions != len(origins):  # e.g. a file without row groups: whole files
        origins = [(str(f), 0) for f in files]
        ddf = dd.read_parquet([str(f) for f in files], split_row_groups=False)
    keyed = ddf.map_partitions(_keyed, meta=ddf._meta.assign(**{_ROW: np.int64(0)}))
    shuffled = keyed.shuffle(on="prompt_id", npartitions=ddf.npartitions)
    meta = _meta(ddf._meta, kind)
    pairs = shuffled.map_partitions(_aggregate_part, kind, feats, options,
                                    origins, meta, meta=meta,
                                    enforce_metadata=False)
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
    >>> len(pairs), (pairs.to_numpy() == same.to_numpy()).all()
    (180, np.True_)
    """
    _require_dask()
    kind, feats = check_kind_features(kind, features, _FUNC)
    check_int(n_workers, "n_workers", _FUNC, 1, error=RLCHFError)
    files = parquet_files(source)
    # unreadable files and different columns fail here, before the cluster starts
    data = (files, _origins(files))
    target = None if out is None else _check_out(out)
    options = {"rule": rule, "pairs": pairs, "tie_break": tie_break, "time_limit": time_limit}
    # the options are checked here, on a tiny valid data set, before any cluster starts
    _check_options(kind, options)
    with _client(scheduler, memory_limit, n_workers) as client:
        if target is None:
            return _to_frame(client, data, kind, feats, options, progress)
        return _to_folder(client, data, kind, feats, options, target, progress)


def _require_dask() -> None:
    """An RLCHFError with the install command when dask or distributed is missing."""
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        raise RLCHFError(f"{_FUNC} needs dask[dataframe] and distributed ({exc}); install "
                         "them with pip install 'collective-alignment[dask]'.") from None


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
    frame = pd.concat([p for p in parts if len(p)] or [parts[0]], ignore_index=True)
    frame = frame.sort_values([_FIRST, _POS], kind="stable").drop(columns=[_FIRST, _POS])
    report(progress, 2, 2)
    return frame.reset_index(drop=True)[COLUMNS]


def _to_folder(client: Any, data: _Data, kind: str, feats: tuple[str, ...],
               options: dict, target: Path, progress: Callable[[int, int], None] | None
               ) -> PairsFolder:
    """Pass 1 writes unsorted pairs, pass 2 sorts them by first appearance; then rename."""
    import dask.dataframe as dd

    tmp = target.parent / f".{target.name}.tmp-{uuid.uuid4().hex[:8]}"
    names = {"write_index": False, "name_function": lambda i: f"part-{i:05d}.parquet"}
    try:
        report(progress, 0, 2)
        pairs, counts = _pairs_graph(data, kind, feats, options)
        write = pairs.to_parquet(tmp / "unsorted", compute=False, **names)
        _, per_part = client.compute([write, counts], sync=True)
        report(progress, 1, 2)
        unsorted = dd.read_parquet(str(tmp / "unsorted"), split_row_groups=False)
        # an opaque step first: read alone, the sort column's files get fused into fewer
        # partitions, which sort_values takes for presorted data (then sorts only within parts)
        unsorted = unsorted.map_partitions(_same, meta=unsorted._meta)
        ordered = unsorted.sort_values(_FIRST).map_partitions(
            _sort_part, meta=unsorted._meta.drop(columns=[_FIRST, _POS]))
        client.compute(ordered.to_parquet(tmp / "sorted", compute=False, **names),
                       sync=True)
        os.replace(tmp / "sorted", target)
        report(progress, 2, 2)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    written = tuple(sorted(target.glob("*.parquet")))
    import pyarrow.parquet as pq

    n = sum(pq.ParquetFile(f).metadata.num_rows for f in written)
    return PairsFolder(target, written, n, int(per_part.sum()))

