"""``collective svo items``: the fifteen slider items and their nine (self, other) allocations."""

from __future__ import annotations

from typing import Annotated

import typer

import svo

from .._console import simple_table, stdout
from .._output import to_json
from ._common import TableFormat

__all__ = ["items_command"]


def items_command(
    fmt: Annotated[
        TableFormat,
        typer.Option(
            "--format", help="A rich table, a long CSV (item, kind, option, self, other) or JSON."
        ),
    ] = TableFormat.table,
    option_base: Annotated[
        int,
        typer.Option(
            "--option-base", min=0, max=1, help="Number the options from 0 (0-8) or 1 (1-9)."
        ),
    ] = 0,
) -> None:
    """Print the 15 SVO slider items and their nine (self, other) allocations."""
    if fmt is TableFormat.csv:  # the long table is a pandas DataFrame: only CSV needs it
        long = svo.item_table()
        long["option"] = long["option"] + option_base
        typer.echo(long.to_csv(index=False), nl=False)
        return
    if fmt is TableFormat.json:
        items = [
            {
                "item": i + 1,
                "column": svo.ITEM_COLUMNS[i],
                "kind": "primary" if i < svo.N_PRIMARY else "secondary",
                "options": svo.ITEMS[i].tolist(),
            }
            for i in range(svo.N_ITEMS)
        ]
        document = {"option_base": option_base, "reference": svo.REFERENCE, "items": items}
        typer.echo(to_json(document))
        return
    t = simple_table(
        "SVO slider items: (self, other) payoff of each option",
        padding=(0, 0),
        show_edge=False,
        caption=svo.REFERENCE,
    )
    t.add_column("item", justify="right", no_wrap=True)
    t.add_column("kind", no_wrap=True)
    for j in range(svo.N_OPTIONS):
        t.add_column(str(j + option_base), justify="center", no_wrap=True)
    for i in range(svo.N_ITEMS):
        kind = "primary" if i < svo.N_PRIMARY else "secondary"
        t.add_row(str(i + 1), kind, *(f"{s},{o}" for s, o in svo.ITEMS[i].tolist()))
    stdout().print(t)
