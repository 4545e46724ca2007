"""Shared output helpers of the ``collective`` commands (rich consoles, error exits)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

from _common.validation import seed_from

__all__ = ["fail", "fraction_progress", "seed_option", "stderr", "stdout", "valid_seed"]


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
