"""Shared output helpers of the ``collective`` commands (rich consoles, error exits)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn
from rich.table import Table

from _common.validation import seed_from

__all__ = [
    "fail",
    "file_argument",
    "format_option",
    "fraction_progress",
    "path_option",
    "seed_option",
    "simple_table",
    "stderr",
    "stdout",
    "time_limit_option",
    "valid_seed",
]


def stdout() -> Console:
    """A console on the current ``sys.stdout`` (created per call so test runners capture it)."""
    return Console(highlight=False, soft_wrap=False)


def stderr() -> Console:
    """A console on the current ``sys.stderr``."""
    return Console(stderr=True, highlight=False)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``Error: message`` on stderr (no markup, no traceback) and exit with ``code``."""
    stderr().print(f"Error: {message}", markup=False, soft_wrap=True)
    raise typer.Exit(code)


def valid_seed(seed: int) -> int:
    """A seed numpy accepts, from any integer: negative ones mapped to distinct valid seeds.

    Call it only where a command itself makes a :class:`numpy.random.Generator` (or hands
    the seed to code that does not map it); library functions taking ``rng`` map a negative
    seed themselves (:func:`_common.validation.check_rng`), and outputs echo the seed typed.
    :func:`_common.validation.seed_from` maps negative seeds and leaves the others unchanged.

    >>> valid_seed(7), valid_seed(-1) >= 0, valid_seed(-1) != valid_seed(-2)
    (7, True, True)
    """
    return seed_from(seed)


def seed_option(help: str) -> Any:
    """The ``--seed`` option of every command: ``Annotated[int, seed_option("Seed of ...")]``.

    It accepts any integer (negative ones included) and hands the command the seed as typed,
    so outputs echo it; pass it on as ``rng=seed`` (the library maps a negative seed where it
    makes the Generator), or map it with :func:`valid_seed` where the command makes one.
    """
    return typer.Option("--seed", help=f"{help} Any integer.")


def format_option(tables: str = "rich tables") -> Any:
    """The ``--format`` option: ``Annotated[OutputFormat, format_option()] = OutputFormat.table``.

    ``tables`` names what the table format prints (``"a rich table"`` for one).
    """
    return typer.Option("--format", help=f"Output as {tables} or as JSON.")


def file_argument(metavar: str, help: str) -> Any:
    """The input-file argument of a command: an existing, readable file (not a folder)."""
    return typer.Argument(exists=True, dir_okay=False, readable=True, metavar=metavar, help=help)


def path_option(flag: str, metavar: str, help: str) -> Any:
    """An option naming a file the command writes (``--out``, ``--plot``, ...), no default shown."""
    return typer.Option(flag, dir_okay=False, metavar=metavar, help=help, show_default=False)


def time_limit_option(help: str) -> Any:
    """The ``--time-limit SECONDS`` option: ``help`` says what it bounds; 0 means no limit."""
    return typer.Option(
        "--time-limit", metavar="SECONDS", min=0.0, help=f"{help}; 0 means no limit."
    )


def simple_table(title: str, **options: Any) -> Table:
    """A rich table in the commands' one style (a rule under the header, no edge padding).

    >>> simple_table("Slate").title
    'Slate'
    """
    return Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, **options)


@contextmanager
def fraction_progress(
    first: str, *, disable: bool = False, percent: bool = True
) -> Iterator[Callable[[float, str], None]]:
    """A transient progress bar on stderr, driven by ``progress(fraction_done, what)``.

    The library's long-running functions report progress through such a callback; the bar
    shows ``what`` as its description (starting with ``first``) and, with ``percent``, the
    percentage done. ``disable`` hides it (for machine-readable output).
    """
    columns = [TextColumn("{task.description}"), BarColumn()]
    if percent:
        columns.append(TaskProgressColumn())
    with Progress(*columns, console=stderr(), transient=True, disable=disable) as bar:
        task = bar.add_task(first, total=1.0)

        def progress(done: float, what: str) -> None:
            bar.update(task, completed=done, description=what)

        yield progress
