"""Shared output helpers of the ``collective`` commands (rich consoles, error exits)."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

__all__ = ["fail", "stderr", "stdout"]


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
