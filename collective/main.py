"""The ``collective`` typer application: the top-level options and the command groups.

Run ``collective --help`` for the list of commands. Each command lives in its own module;
this module only wires them together.
"""

from __future__ import annotations

import typer

from . import __version__
from . import committee as _committee
from . import polis as _polis
from . import rules as _rules
from . import slate as _slate
from . import svo as _svo
from . import vote as _vote

__all__ = ["app"]

app = typer.Typer(
    name="collective",
    help="Collective Alignment Toolkit: aggregate many people's judgments.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"collective {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False,
        "--version",
        help="Show the version and exit.",
        callback=_print_version,
        is_eager=True,
    ),
) -> None:
    """Collective Alignment Toolkit: aggregate many people's judgments."""


app.command("vote")(_vote.vote)
app.command("rules")(_rules.rules)
app.command("committee")(_committee.committee_command)
app.command("polis")(_polis.polis_command)
app.command("slate")(_slate.slate_command)
app.add_typer(_svo.svo_app, name="svo")
