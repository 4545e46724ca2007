"""The ``collective`` typer application: the top-level options and the command groups.

Run ``collective --help`` for the list of commands. Each command lives in its own module;
this module only wires them together, and imports a command's module only when that command
runs (or its own ``--help`` is asked for): the modules import numpy, pandas, scipy and the
library, which take about two seconds, while ``collective --help`` and ``--version`` need
only typer and rich. The one-line help of each command is written here for that reason;
a test checks that it is the first line of the command's docstring.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from difflib import get_close_matches
from typing import TYPE_CHECKING, Any, ClassVar

import typer
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command, get_command_from_info
from typer.models import CommandInfo

from . import __version__

if TYPE_CHECKING:  # pragma: no cover
    from typer._click import Command, Context, HelpFormatter

__all__ = ["COMMANDS", "LazyCommand", "LazyGroup", "app", "lazy_app", "lazy_group"]


@dataclass(frozen=True)
class LazyCommand:
    """Where a command lives (``module:attribute``) and its one-line help.

    ``attribute`` is a typer command function or a :class:`typer.Typer` of subcommands.
    """

    module: str
    attribute: str
    help: str

    def load(self, name: str, typer_app: typer.Typer) -> Command:
        """Import the command's module and build its click command, named ``name``."""
        target = getattr(importlib.import_module(self.module), self.attribute)
        if isinstance(target, typer.Typer):
            command = get_command(target)
            command.name = name
            return command
        return get_command_from_info(
            CommandInfo(name=name, callback=target),
            pretty_exceptions_short=typer_app.pretty_exceptions_short,
            rich_markup_mode=typer_app.rich_markup_mode,
        )


#: The commands in the order ``collective --help`` lists them.
COMMANDS: dict[str, LazyCommand] = {
    "vote": LazyCommand(
        "collective.vote",
        "vote",
        "Winners of the ballots in FILE under each voting rule, with a profile summary.",
    ),
    "rules": LazyCommand(
        "collective.rules",
        "rules",
        "List the registered voting rules: name, family, input, batching and reference.",
    ),
    "winners": LazyCommand(
        "collective.winners",
        "winners_command",
        "Winners (or margins) of every election of a long ballot table, in memory or on Dask.",
    ),
    "committee": LazyCommand(
        "collective.committee",
        "committee_command",
        "Choose a committee of K candidates from the approval ballots in FILE.",
    ),
    "polis": LazyCommand(
        "collective.polis",
        "polis_command",
        "Opinion groups, representative and consensus statements and an audited bridging slate.",
    ),
    "slate": LazyCommand(
        "collective.slate",
        "slate_command",
        "Build a proportional slate of K statements from the free-text opinions in OPINIONS.csv.",
    ),
    "svo": LazyCommand(
        "collective.svo",
        "svo_app",
        "Social Value Orientation (SVO slider measure): score surveys, evaluate language models.",
    ),
    "moralgraph": LazyCommand(
        "collective.moralgraph",
        "moralgraph_app",
        "Moral graphs of values: score the wisest values, export, principles for a prompt.",
    ),
    "rlchf": LazyCommand(
        "collective.rlchf",
        "rlchf_app",
        "RLCHF: aggregate judgments into pairs, train and evaluate reward models, simulate.",
    ),
}


class LazyGroup(TyperGroup):
    """A typer group whose commands (:attr:`lazy_commands`) are imported when first resolved.

    Listing the commands for ``--help`` uses their one-line help and imports nothing.
    :func:`lazy_group` makes the class of one group (``collective``, ``collective svo`` and
    ``collective moralgraph``).
    """

    #: The group's commands, in the order ``--help`` lists them.
    lazy_commands: ClassVar[Mapping[str, LazyCommand]] = {}
    #: Returns the :class:`typer.Typer` the group is built from.
    typer_app: ClassVar[Callable[[], typer.Typer]]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._listing = False

    def list_commands(self, ctx: Context) -> list[str]:
        lazy = self.lazy_commands
        return [*super().list_commands(ctx), *(n for n in lazy if n not in self.commands)]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name in self.commands or cmd_name not in self.lazy_commands:
            return super().get_command(ctx, cmd_name)
        lazy = self.lazy_commands[cmd_name]
        if self._listing:
            return TyperCommand(cmd_name, help=lazy.help, short_help=lazy.help)
        self.commands[cmd_name] = lazy.load(cmd_name, self.typer_app())
        return self.commands[cmd_name]

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def resolve_command(
        self, ctx: Context, args: list[str]
    ) -> tuple[str | None, Command | None, list[str]]:
        name = args[0] if args else ""
        known = name in self.commands or name in self.lazy_commands
        if name and not known and not name.startswith("-") and not ctx.resilient_parsing:
            matches = get_close_matches(name, self.list_commands(ctx))
            hint = f" Did you mean {', '.join(repr(m) for m in matches)}?" if matches else ""
            ctx.fail(f"No such command {name!r}.{hint}")
        return super().resolve_command(ctx, args)


def lazy_group(
    commands: Mapping[str, LazyCommand], typer_app: Callable[[], typer.Typer]
) -> type[LazyGroup]:
    """The :class:`LazyGroup` class of a typer application: ``typer.Typer(cls=lazy_group(...))``.

    ``typer_app`` returns that application (called when a command is loaded, so it may name
    the module variable the application is assigned to).
    """
    return type(
        "LazyGroup", (LazyGroup,), {"lazy_commands": commands, "typer_app": staticmethod(typer_app)}
    )


def lazy_app(name: str, help: str, commands: Mapping[str, LazyCommand]) -> typer.Typer:
    """A typer application whose ``commands`` are imported when run (``collective``, ``svo``).

    Without arguments it prints its help; shell completion and typer's pretty tracebacks
    are off.
    """
    typer_app = typer.Typer(
        name=name,
        help=help,
        cls=lazy_group(commands, lambda: typer_app),
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    return typer_app


app = lazy_app("collective", "Collective Alignment Toolkit: aggregate many people's judgments.",
               COMMANDS)


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


if __name__ == "__main__":  # python -m collective.main
    app()
