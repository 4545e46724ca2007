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
    "WRITERS",
    "Engine",
    "check_engine",
    "count_progress",
    "engine_option",
    "memory_limit_option",
    "scheduler_option",
    "table_writer",
]


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
    """``--memory-limit SIZE``: ``Annotated[str, memory_limit_option()] = "1GiB"``."""
    return typer.Option("--memory-limit", metavar="SIZE",
                        help="With --engine dask on a local cluster: each worker's memory "
                             "limit.")


def check_engine(engine: Engine, scheduler: str | None) -> None:
    """A usage error (exit 2) for ``--scheduler`` without ``--engine dask``."""
    if engine is not Engine.dask and scheduler is not None:
        fail("--scheduler needs --engine dask.", code=2)


#: Writers of a result table, by the suffix of ``--out``.
WRITERS: dict[str, Callable[[Any, Path], None]] = {
    ".parquet": lambda frame, path: frame.to_parquet(path, index=False),
    ".csv": lambda frame, path: frame.to_csv(path, index=False),
    ".jsonl": lambda frame, path: frame.to_json(path, orient="records", lines=True,
                                                force_ascii=False),
}


def table_writer(out: Path) -> Callable[[Any, Path], None]:
    """The writer for ``out``'s suffix; an unknown suffix is a usage error (exit 2)."""
    writer = WRITERS.get(out.suffix.lower())
    if writer is None:
        fail(f"--out {out}: the file name must end in {', '.join(WRITERS)}.", code=2)
    return writer


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
