"""The options every command with a Dask engine shares, and its progress bar and writers.

``collective rlchf aggregate``, ``collective winners`` and ``collective svo score`` take
``--engine memory|dask``, ``--scheduler`` and ``--memory-limit`` alike; the library behind
each engine is :mod:`rlchf.dask`, :mod:`socialchoice.dask` or :mod:`svo.dask`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ._console import fail, stderr

__all__ = [
    "DEFAULT_MEMORY",
    "PARQUET",
    "WRITERS",
    "Engine",
    "check_dask_paths",
    "check_engine",
    "count_progress",
    "engine_option",
    "memory_limit_option",
    "out_option",
    "rule_errors",
    "scheduler_option",
    "table_writer",
]


#: A local Dask worker's memory limit when --memory-limit is not given.
DEFAULT_MEMORY = "1GiB"
#: The suffixes --engine dask reads as one Parquet file.
PARQUET = (".parquet", ".pq")


class Engine(enum.StrEnum):
    """Where a command runs: in this process, or on a Dask cluster."""

    memory = "memory"
    dask = "dask"


def engine_option(dask_does: str) -> Any:
    """``--engine``: ``Annotated[Engine, engine_option("...")] = Engine.memory``.

    ``dask_does`` says what the Dask engine does with a Parquet file or folder.
    """
    return typer.Option("--engine", help="memory: read everything into this process; dask: "
                        f"a Parquet file or folder, {dask_does}.")


def scheduler_option() -> Any:
    """``--scheduler ADDRESS``: ``Annotated[str | None, scheduler_option()] = None``."""
    return typer.Option(
        "--scheduler", metavar="ADDRESS", show_default=False,
        help="With --engine dask: an existing cluster's scheduler (tcp://host:8786); default "
             "$DASK_SCHEDULER_ADDRESS, else a local cluster of 2 worker processes.")


def memory_limit_option() -> Any:
    """``--memory-limit SIZE``: ``Annotated[str | None, memory_limit_option()] = None``."""
    return typer.Option("--memory-limit", metavar="SIZE", show_default=False,
                        help="With --engine dask on a local cluster: each worker's memory "
                             f"limit, at least 256MiB [default: {DEFAULT_MEMORY}].")


def out_option(metavar: str, help: str) -> Any:
    """``--out``: a file for the memory engine, a new folder for the Dask engine (so an
    existing folder reaches the command, which says what is wrong with it)."""
    return typer.Option("--out", metavar=metavar, help=help, show_default=False)


def check_engine(engine: Engine, scheduler: str | None, memory_limit: str | None) -> str:
    """Usage errors (exit 2): ``--scheduler`` or ``--memory-limit`` without ``--engine dask``,
    a scheduler that is not an address, a memory limit that is not a size of at least
    256MiB. The memory limit to use."""
    from _common.dask import check_address, memory_bytes

    if engine is not Engine.dask:
        for flag, value in (("--scheduler", scheduler), ("--memory-limit", memory_limit)):
            if value is not None:
                fail(f"{flag} needs --engine dask.", code=2)
        return DEFAULT_MEMORY
    if scheduler is not None:
        try:
            check_address(scheduler, ValueError)
        except ValueError as exc:
            fail(f"--scheduler {exc}", code=2)
    memory_limit = DEFAULT_MEMORY if memory_limit is None else memory_limit
    try:
        memory_bytes(memory_limit, "", ValueError)
    except ValueError:
        fail(f"--memory-limit {memory_limit}: expected a size of at least 256MiB, such as "
             "1GiB, 1500MB or a number of bytes.", code=2)
    return memory_limit


def check_dask_paths(source: Path, out: Path | None, what: str) -> Path:
    """Usage errors (exit 2) of ``--engine dask``'s input and ``--out``; the output folder.

    ``what`` names what is written (``"its pairs"``, ...).
    """
    if source.suffix.lower() not in PARQUET and not source.is_dir():
        fail(f"{source}: --engine dask reads a Parquet file or a folder of them.", code=2)
    if out is None:
        fail(f"--engine dask writes {what} to a folder; give --out FOLDER.", code=2)
    if out.exists():
        fail(f"--out {out} already exists: --engine dask writes a new folder; remove it or "
             "give another name.", code=2)
    if out.suffix:
        fail(f"--out {out}: --engine dask writes a folder of Parquet parts; give a name "
             "without a suffix.", code=2)
    return out


#: Writers of a result table, by the suffix of ``--out``.
WRITERS: dict[str, Callable[[Any, Path], None]] = {
    ".parquet": lambda frame, path: frame.to_parquet(path, index=False),
    ".csv": lambda frame, path: frame.to_csv(path, index=False),
    ".jsonl": lambda frame, path: frame.to_json(path, orient="records", lines=True,
                                                force_ascii=False),
}


def table_writer(out: Path) -> Callable[[Any, Path], None]:
    """The writer for ``out``'s suffix; a folder or an unknown suffix is a usage error."""
    if out.is_dir():
        fail(f"--out {out} is a directory; the in-memory engine writes one file ending in "
             f"{', '.join(WRITERS)}.", code=2)
    writer = WRITERS.get(out.suffix.lower())
    if writer is None:
        fail(f"--out {out}: the file name must end in {', '.join(WRITERS)}.", code=2)
    return writer


@contextmanager
def rule_errors(rule: str | None, errors: tuple[type[Exception], ...]) -> Iterator[None]:
    """Exit 1 with one line for a rule's time limit or one of the library's ``errors``."""
    import socialchoice as sc

    try:
        yield
    except sc.TimeLimitError as exc:
        fail(f"rule {rule} did not finish within --time-limit {exc.time_limit:g} s; raise "
             "--time-limit SECONDS (0 = no limit) to get the exact answer.")
    except errors as exc:
        fail(str(exc))


@contextmanager
def count_progress(what: str, *, disable: bool = False
                   ) -> Iterator[Callable[[int, int], None]]:
    """A transient rich bar on stderr driven by the library's ``progress(done, total)``."""
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn()]
    with Progress(*columns, console=stderr(), transient=True, disable=disable) as bar:
        task = bar.add_task(what, total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield progress
