"""``collective rules``: list the voting rules (``--committee``: the committee rules)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated, Any

import typer
from rich.text import Text

import socialchoice as sc

from ._console import fail, format_option, simple_table, stdout
from ._output import OutputFormat, to_json

__all__ = ["rules"]


#: The attributes ``--format json`` lists of each voting rule and each committee rule.
_RULE_FIELDS = ("name", "family", "needs", "batched", "linear_only", "options", "summary",
                "reference")
_COMMITTEE_FIELDS = ("name", "family", "approval_only", "exact", "summary", "reference")


def _echo_rows(selected: Iterable[Any], fields: Sequence[str]) -> None:
    """Print the ``fields`` of each rule in ``selected`` as a JSON list of objects."""
    typer.echo(to_json([{f: getattr(r, f) for f in fields} for r in selected]))


def _committee_rules(fmt: OutputFormat) -> None:
    from socialchoice import committee  # its solvers load only for this listing

    selected = [committee.COMMITTEE_RULES[n] for n in committee.rule_names()]
    if fmt is OutputFormat.json:
        _echo_rows(selected, _COMMITTEE_FIELDS)
        return
    table = simple_table("Committee rules")
    table.add_column("name", style="bold", no_wrap=True)
    table.add_column("family", no_wrap=True)
    table.add_column("input")
    table.add_column("reference", min_width=20, ratio=1, overflow="fold")
    for r in selected:
        kind = "approvals" if r.approval_only else "approvals or utilities"
        table.add_row(Text(r.name), Text(r.family), kind, Text(r.reference))
    stdout().print(table)


def rules(
    family: Annotated[
        str | None,
        typer.Option(
            "--family", "-f", help="Only rules of this family (e.g. condorcet, positional)."
        ),
    ] = None,
    fmt: Annotated[OutputFormat, format_option("a rich table")] = OutputFormat.table,
    committees: Annotated[
        bool,
        typer.Option("--committee", help="List the committee (multiwinner) rules instead."),
    ] = False,
) -> None:
    """List the registered voting rules: name, family, input, batching and reference."""
    if committees:
        _committee_rules(fmt)
        return
    families = sorted({r.family for r in sc.RULES.values()})
    if family is not None and family not in families:
        fail(f"unknown family {family!r}; expected one of: {', '.join(families)}.", code=2)
    selected = [sc.RULES[n] for n in sc.rule_names() if family in (None, sc.RULES[n].family)]
    if fmt is OutputFormat.json:
        _echo_rows(selected, _RULE_FIELDS)
        return
    title = "Voting rules" if family is None else f"Voting rules ({family})"
    table = simple_table(title)
    table.add_column("name", style="bold", no_wrap=True)
    table.add_column("family", no_wrap=True)
    table.add_column("needs", no_wrap=True)
    table.add_column("batched", no_wrap=True)
    table.add_column("reference", min_width=20, ratio=1, overflow="fold")
    for r in selected:
        needs = r.needs + (", strict" if r.linear_only else "")
        batched = "yes" if r.batched else "no"
        name = r.name + ("*" if "time_limit" in r.options else "")
        table.add_row(Text(name), Text(r.family), Text(needs), batched, Text(r.reference))
    captions = []
    if any(r.linear_only for r in selected):
        captions.append("strict: defined on strict, complete rankings only")
    if any("time_limit" in r.options for r in selected):
        captions.append(
            f"*: can take exponential time; vote reports it n/a after --time-limit "
            f"(default {sc.DEFAULT_TIME_LIMIT:g} s)"
        )
    if captions:
        table.caption = "; ".join(captions)
    stdout().print(table)
