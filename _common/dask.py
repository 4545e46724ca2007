"""What every out-of-core module (``rlchf.dask``, ``socialchoice.dask``, ``svo.dask``) shares.

One convention for running the in-memory code over a Parquet data set on Dask:

- :func:`parquet_files` lists the input (a file, a folder of ``*.parquet`` in name order, or a
  list of files) and :func:`row_group_origins` reads the footers (every file must be Parquet
  with the first file's columns) before any cluster starts;
- :func:`read_keyed` reads one partition per row group and adds the global row key
  :data:`ROW` (``partition << SHIFT | row in partition``), so that after a shuffle by group
  (prompt, respondent) a message about a partition's row can name the user's file and row
  (:func:`name_rows`) and results can be put back in input order;
- :func:`dask_client` is a client of ``scheduler`` or ``$DASK_SCHEDULER_ADDRESS``, else of a
  ``LocalCluster`` of worker processes with a memory limit, started for the call;
- :func:`new_folder` and :func:`staging` write the output to a hidden temporary folder beside
  it, renamed into place only when complete: a failed run leaves no output;
  :func:`read_sorted` reads a pass's unsorted parts back sorted into input order.

Every function takes the calling function's name and its package's exception class, so the
messages read as the caller's.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "FIRST",
    "MIN_MEMORY",
    "POS",
    "ROW",
    "SCHEDULER_ENV",
    "SHIFT",
    "Origins",
    "check_address",
    "concat_in_order",
    "count_rows",
    "dask_client",
    "file_row",
    "memory_bytes",
    "name_rows",
    "new_folder",
    "parquet_files",
    "part_name",
    "placeholder",
    "read_keyed",
    "read_sorted",
    "require_dask",
    "row_group_origins",
    "run_partition",
    "staging",
    "worker_settings",
    "write_in_order",
]

#: The environment variable naming an existing Dask scheduler (``tcp://host:8786``).
SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
#: The global row key column and its layout: ``partition << SHIFT | row in partition``.
ROW = "_row"
SHIFT = 40
#: (file, first row in the file) of each input partition, in order.
Origins = list[tuple[str, int]]
#: Result columns that put a result back in input order: its group's first row key, and the
#: row's position in its partition's result (see :func:`run_partition`, :func:`read_sorted`).
FIRST, POS = "_first", "_pos"
_ROWS = re.compile(r"\b([Rr]ow) (\d+)( of [^:]*:)?")
_INSTALL = "pip install 'collective-alignment[dask]'"


def require_dask(func: str, error: type[Exception]) -> None:
    """``error`` with the install command when dask[dataframe] or distributed is missing."""
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        raise error(f"{func} needs dask[dataframe] and distributed ({exc}); install them "
                    f"with {_INSTALL}.") from None


def parquet_files(source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
                  func: str, error: type[Exception]) -> list[Path]:
    """The Parquet files of a file, a folder (its ``*.parquet``, by name) or a list of files.

    >>> parquet_files([], "score_dask", ValueError)
    Traceback (most recent call last):
    ...
    ValueError: score_dask needs at least one Parquet file.
    """
    items = [source] if isinstance(source, str | os.PathLike) else list(source)
    files: list[Path] = []
    for item in map(Path, items):
        if item.is_dir():
            found = sorted(item.glob("*.parquet"))
            if not found:
                raise error(f"{item}: the folder holds no .parquet files.")
            files += found
        elif item.is_file():
            files.append(item)
        else:
            raise error(f"{item}: no such file or folder.")
    if not files:
        raise error(f"{func} needs at least one Parquet file.")
    return files


def row_group_origins(files: list[Path], error: type[Exception]) -> Origins:
    """(file, first row) of each row group, in order: the input partitions of
    :func:`read_keyed`. Every file must be a readable Parquet file with the first file's
    columns (only the footers are read)."""
    import pyarrow.parquet as pq

    columns = None
    origins: Origins = []
    for f in files:
        try:
            meta = pq.read_metadata(f)
            names = meta.schema.to_arrow_schema().names
        except (OSError, ValueError) as exc:  # pyarrow.ArrowInvalid is a ValueError
            raise error(f"{f}: not a readable Parquet file ({exc}).") from None
        if columns is None:
            columns = names
        elif set(names) != set(columns):
            missing = [c for c in columns if c not in names]
            extra = [c for c in names if c not in columns]
            raise error(
                f"{f}: its columns differ from those of {files[0]} (missing: "
                f"{', '.join(missing) or 'none'}; extra: {', '.join(extra) or 'none'}); "
                "every file of a data set needs the same columns.")
        starts = np.cumsum([0] + [meta.row_group(i).num_rows for i in
                                  range(meta.num_row_groups)])[:-1]
        origins += [(str(f), int(start)) for start in starts]
    return origins


def _keyed(part: Any, partition_info: dict | None = None) -> Any:
    """The partition with its global row key (input partition, row in partition)."""
    number = partition_info["number"] if partition_info else 0
    return part.assign(**{ROW: (np.int64(number) << SHIFT) + np.arange(len(part))})


def read_keyed(files: list[Path], origins: Origins) -> tuple[Any, Origins]:
    """The lazy Dask frame of ``files`` (one partition per row group) with the :data:`ROW`
    key, and the origins of its partitions (whole files when the row groups cannot be
    split, e.g. a file without row groups).

    Every column is read: with a column selection Dask may merge small row groups into one
    partition, and the keys would then name the wrong rows.
    """
    import dask.dataframe as dd

    paths = [str(f) for f in files]
    ddf = dd.read_parquet(paths, split_row_groups=True)
    if ddf.npartitions != len(origins):
        origins = [(str(f), 0) for f in files]
        ddf = dd.read_parquet(paths, split_row_groups=False)
    keyed = ddf.map_partitions(_keyed, meta=ddf._meta.assign(**{ROW: np.int64(0)}))
    return keyed, origins


def file_row(key: int, origins: Origins) -> tuple[str, int]:
    """The (file, 0-based row in the file) of a :data:`ROW` key.

    >>> file_row((1 << SHIFT) + 5, [("a.parquet", 0), ("a.parquet", 100)])
    ('a.parquet', 105)
    """
    file, start = origins[int(key) >> SHIFT]
    return file, start + (int(key) & ((1 << SHIFT) - 1))


def name_rows(message: str, keys: np.ndarray, origins: Origins, placeholder: str,
              part: int) -> str:
    """``message`` about a shuffled partition, each ``Row N`` it names (N counting the
    partition's rows in ``keys`` order) replaced by the file and row it came from, and the
    partition's ``placeholder`` name by its files.

    >>> name_rows("Row 1 of <p>: bad.", np.array([3, 7]), [("x.parquet", 10)], "<p>", 0)
    'Row 17 of x.parquet: bad. (shuffled partition 0)'
    """
    def swap(match: re.Match[str]) -> str:
        if int(match.group(2)) >= len(keys):
            return match.group(0)
        file, row = file_row(int(keys[int(match.group(2))]), origins)
        return f"{match.group(1)} {row} of {file}{':' if match.group(3) else ''}"

    named = _ROWS.sub(swap, message)
    used = list(dict.fromkeys(origins[i][0] for i in np.unique(keys >> SHIFT)))
    some = ", ".join(used[:3]) + (f" and {len(used) - 3} more" if len(used) > 3 else "")
    named = named.replace(placeholder, f"the rows of {some}")
    return f"{named} (shuffled partition {part})"


def placeholder(part: int) -> str:
    """The name a shuffled partition's data gets in messages (replaced by its files)."""
    return f"<shuffled partition {part}>"


def run_partition(df: Any, task: Callable[..., Any], group: str, origins: Origins,
                  meta: Any, error: type[Exception], partition_info: dict | None = None
                  ) -> Any:
    """``task(frame, name=name)`` on one shuffled partition, for ``map_partitions``.

    The partition holds every row of its groups (``group`` is the shuffle column); they are
    put back in input order (by :data:`ROW`) and handed to ``task`` without the key, named
    :func:`placeholder`. An ``error`` it raises comes back with the rows it names turned
    into files and rows (:func:`name_rows`). The result gets :data:`FIRST`, each group's
    first row key, and :data:`POS`, each row's position, so :func:`read_sorted` (or a sort
    by both) restores the in-memory order; it is cast to ``meta``'s dtypes.
    """
    import pandas as pd

    part = partition_info["number"] if partition_info else 0
    if not len(df):
        return meta
    df = df.sort_values(ROW, kind="stable")
    keys = df[ROW].to_numpy()
    frame = df.drop(columns=[ROW]).reset_index(drop=True)
    name = placeholder(part)
    try:
        out = task(frame, name=name)
    except error as exc:
        raise type(exc)(name_rows(str(exc), keys, origins, name, part)) from None
    first = pd.Series(keys).groupby(frame[group].to_numpy(), sort=False).min()
    out[FIRST] = first.reindex(out[group].to_numpy()).to_numpy(dtype=np.int64)
    out[POS] = np.arange(len(out), dtype=np.int64)
    return out.astype(meta.dtypes.to_dict())


@contextmanager
def dask_client(scheduler: str | None, memory_limit: str | int, n_workers: int,
                func: str, error: type[Exception]) -> Iterator[Any]:
    """A client of ``scheduler`` (or $DASK_SCHEDULER_ADDRESS), else of a LocalCluster of
    ``n_workers`` processes (one thread each, a nanny restarting a dead worker) with
    ``memory_limit`` each (checked by :func:`memory_bytes` first). Within it, text read from
    Parquet keeps pandas' string dtype, as in memory."""
    import dask
    from distributed import Client, LocalCluster

    limit = memory_bytes(memory_limit, func, error)
    address = scheduler or os.environ.get(SCHEDULER_ENV) or None
    if address is not None:
        check_address(address, error)
        try:
            client = Client(address, set_as_default=False)
        except OSError as exc:  # a refused or timed-out connection
            raise error(f"Cannot reach the Dask scheduler at {address} ({exc}); start it, "
                        f"or leave out the address (and ${SCHEDULER_ENV}) to run on a "
                        "local cluster.") from None
        with client, _killed_workers(func, error), dask.config.set(_SAME_STRINGS):
            yield client
        return
    # an HTTP server starts whatever dashboard_address says; a free localhost port keeps
    # it private and avoids the "port 8787 is already in use" warning of a second cluster.
    # The workers' own logs stay quiet: a failed task comes back as the caller's error
    # (naming file and row), which a worker's "Compute Failed" traceback would only bury.
    with dask.config.set({**worker_settings(limit), **_SAME_STRINGS}), \
            LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                         memory_limit=limit, dashboard_address="127.0.0.1:0",
                         silence_logs=logging.CRITICAL) as cluster, \
            Client(cluster, set_as_default=False) as client, _killed_workers(func, error):
        yield client


#: Text read from Parquet keeps pandas' own string dtype (as ``pandas.read_parquet`` and the
#: in-memory paths give) instead of Dask's ``string[pyarrow]``, so results are ``.equals``.
_SAME_STRINGS = {"dataframe.convert-string": False}


@contextmanager
def _killed_workers(func: str, error: type[Exception]) -> Iterator[None]:
    """Dask's ``KilledWorker`` (a task's workers died too often) as ``error``, saying why."""
    from distributed.scheduler import KilledWorker

    try:
        yield
    except KilledWorker as exc:
        raise error(
            f"{func} stopped: the Dask workers running one task died more often than Dask "
            "retries a task, most likely for lack of memory. Give the "
            "workers a larger memory_limit (--memory-limit), or write the input with smaller "
            f"row groups. (Dask: {exc})") from None


#: The smallest worker memory limit accepted: a worker needs ~170 MiB to start and import.
MIN_MEMORY = 256 * 2**20


def memory_bytes(memory_limit: Any, func: str, error: type[Exception]) -> int:
    """A worker memory limit (``"1GiB"``, ``"500MB"`` or a number of bytes) in bytes, at least
    :data:`MIN_MEMORY`.

    >>> memory_bytes("1GiB", "f", ValueError)
    1073741824
    >>> memory_bytes("lots", "f", ValueError)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: The 'memory_limit' parameter of f must be a size of at least 256MiB, ...
    """
    from dask.utils import parse_bytes

    try:
        if isinstance(memory_limit, bool) or not isinstance(memory_limit, str | int):
            raise TypeError
        limit = parse_bytes(memory_limit) if isinstance(memory_limit, str) else memory_limit
    except (TypeError, ValueError):
        limit = None
    if limit is None or limit < MIN_MEMORY:
        raise error(f"The 'memory_limit' parameter of {func} must be a size of at least "
                    "256MiB, such as '1GiB' or a number of bytes. Got "
                    f"{memory_limit!r} instead.") from None
    return int(limit)


def worker_settings(limit: int) -> dict[str, int | bool]:
    """Dask configuration for local workers of ``limit`` bytes each, so a run ends.

    Dask's defaults suit workers with several GiB: 1 GiB of P2P shuffle send buffer and
    100 MiB of disk buffer per worker, and a worker pausing at 80 % of its limit until its
    memory falls. Under a limit of a few hundred MiB, memory held by the interpreter and
    Arrow (never handed back to the OS) keeps a worker above 80 %, paused workers stop
    draining each other's buffers, and the shuffle never finishes (seen: over 10 minutes
    at 400 MiB, 97 s with these settings). So the buffers are an eighth and a sixteenth
    of the limit, and workers do not pause: one that passes 95 % is restarted by its nanny
    and its tasks retried, and after Dask's allowed failures the run stops with an error.

    >>> worker_settings(512 * 2**20)["distributed.p2p.comm.buffer"] == 64 * 2**20
    True
    """
    floor = 8 * 2**20
    return {"distributed.p2p.comm.buffer": min(max(limit // 8, floor), 2**30),
            "distributed.p2p.storage.buffer": min(max(limit // 16, floor), 100 * 2**20),
            "distributed.worker.memory.pause": False}


def check_address(address: str, error: type[Exception]) -> None:
    """``error`` unless ``address`` reads as a Dask scheduler address (``tcp://host:port``);
    Dask itself would print a traceback and wait a minute on one without a port.

    >>> check_address("tcp://10.0.0.5:8786", ValueError)
    >>> check_address("10.0.0.5", ValueError)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: '10.0.0.5' is not a Dask scheduler address: expected tcp://host:port (...).
    """
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme in ("tcp", "tls"):
            parse_host_port(location)
    except (ValueError, TypeError) as exc:
        raise error(f"{address!r} is not a Dask scheduler address: expected tcp://host:port "
                    f"({exc}).") from None


def new_folder(out: str | os.PathLike[str], func: str, error: type[Exception]) -> Path:
    """``out`` as a Path, checked to be a new folder in an existing one."""
    path = Path(out)
    if path.exists():
        raise error(f"{path}: {func} writes a new folder; this one already exists.")
    if not path.parent.is_dir():
        raise error(f"{path}: the folder {path.parent} does not exist.")
    return path


@contextmanager
def staging(target: Path) -> Iterator[Path]:
    """A hidden temporary folder beside ``target``, removed at the end whatever happens;
    move the finished output into place with ``os.replace(tmp / ..., target)``."""
    tmp = target.parent / f".{target.name}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def part_name(i: int) -> str:
    """The name of output part ``i``: ``part-00000.parquet``, ..."""
    return f"part-{i:05d}.parquet"


def concat_in_order(parts: Sequence[Any]) -> Any:
    """The computed results of :func:`run_partition` as one frame in input order (sorted by
    :data:`FIRST` then :data:`POS`, the keys dropped)."""
    import pandas as pd

    frame = pd.concat([p for p in parts if len(p)] or list(parts[:1]), ignore_index=True)
    return _sorted_part(frame, [FIRST, POS]).reset_index(drop=True)


def _same(part: Any) -> Any:
    return part


def _sorted_part(part: Any, keys: list[str]) -> Any:
    return part.sort_values(keys, kind="stable").drop(columns=keys)


def read_sorted(folder: Path, by: str, then: Sequence[str] = ()) -> Any:
    """The Parquet parts of ``folder`` as a lazy Dask frame sorted by the int column ``by``
    (rows sharing ``by`` ordered by ``then``), those key columns dropped.

    The parts first go through an opaque step: to find its split points, ``sort_values``
    reads the sort column alone, and read alone Dask fuses several small files into one
    partition, takes the data for sorted already and sorts only within each part.
    """
    import dask.dataframe as dd

    unsorted = dd.read_parquet(str(folder), split_row_groups=False)
    unsorted = unsorted.map_partitions(_same, meta=unsorted._meta)
    keys = [by, *then]
    return unsorted.sort_values(by).map_partitions(
        _sorted_part, keys, meta=unsorted._meta.drop(columns=keys))


def write_in_order(client: Any, table: Any, extras: Sequence[Any], target: Path,
                   progress: Callable[[int, int], None] | None = None
                   ) -> tuple[tuple[Path, ...], int, list[Any]]:
    """Write the lazy results of :func:`run_partition` to the new folder ``target`` in input
    order; the written parts, their rows and the computed ``extras`` (lazy per-partition
    counts computed in the same pass).

    Pass 1 writes the unsorted parts (computing ``extras`` alongside), pass 2 reads them back
    sorted (:func:`read_sorted`); the result is renamed into place only when complete.
    ``progress(done, 2)`` follows the passes.
    """
    from .progress import report

    names = {"write_index": False, "name_function": part_name}
    with staging(target) as tmp:
        report(progress, 0, 2)
        write = table.to_parquet(tmp / "unsorted", compute=False, **names)
        _, *computed = client.compute([write, *extras], sync=True)
        report(progress, 1, 2)
        ordered = read_sorted(tmp / "unsorted", FIRST, [POS])
        client.compute(ordered.to_parquet(tmp / "sorted", compute=False, **names), sync=True)
        os.replace(tmp / "sorted", target)
        report(progress, 2, 2)
    written, n = count_rows(target)
    return written, n, computed


def count_rows(folder: Path) -> tuple[tuple[Path, ...], int]:
    """The Parquet parts of ``folder`` (by name) and their number of rows (footers only)."""
    import pyarrow.parquet as pq

    written = tuple(sorted(folder.glob("*.parquet")))
    return written, sum(pq.ParquetFile(f).metadata.num_rows for f in written)
