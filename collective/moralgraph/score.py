"""``collective moralgraph score GRAPH.json``: the wisest values of each context.

The command renders :func:`moralgraph.score_report`: per context (every context, or those of
``--context``), the top values of :meth:`moralgraph.MoralGraph.scores` with their titles and
scores, and the winner's support label.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.text import Text

from .._console import fail, format_option, simple_table, stderr, stdout
from .._output import OutputFormat, to_json
from ._common import (
    Method,
    check_contexts,
    check_propagation,
    context_option,
    graph_argument,
    method_option,
    propagation_option,
    read,
)

if TYPE_CHECKING:  # pragma: no cover
    import moralgraph as mg

__all__ = ["score_command"]


def score_command(
    graph_path: Annotated[Path, graph_argument()],
    context: Annotated[
        list[str] | None,
        context_option("A context id to report (repeatable); default: every context."),
    ] = None,
    method: Annotated[Method, method_option()] = Method.flow,
    propagation: Annotated[float, propagation_option()] = 0.85,
    top: Annotated[int, typer.Option("--top", min=1, help="Values listed per context.")] = 5,
    fmt: Annotated[OutputFormat, format_option()] = OutputFormat.table,
) -> None:
    """The wisest values of each context of the moral graph in GRAPH.json, with support."""
    import moralgraph as mg

    check_propagation(method, propagation)
    graph = read(graph_path)
    contexts = check_contexts(graph, context)
    columns = (TextColumn("scoring the contexts"), BarColumn(), MofNCompleteColumn())
    try:
        with Progress(*columns, console=stderr(), transient=True,
                      disable=fmt is OutputFormat.json) as bar:
            task = bar.add_task("contexts", total=None)
            report = mg.score_report(
                graph, contexts, method=method.value, propagation=propagation, top=top,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except mg.MoralGraphError as exc:
        fail(f"{graph_path.name}: {exc}")
    if fmt is OutputFormat.json:
        document = {"graph": _sizes(graph), **report.to_dict()}
        typer.echo(to_json(document))
        return
    _print_report(graph, report)


def _sizes(graph: mg.MoralGraph) -> dict[str, int]:
    return {
        "values": len(graph.values),
        "votes": len(graph.votes),
        "contexts": len(graph.contexts),
    }


def _print_report(graph: mg.MoralGraph, report: mg.ScoreReport) -> None:
    con = stdout()
    sizes = _sizes(graph)
    how = (
        f"method flow, propagation {report.propagation:g}"
        if report.method == "flow" else "method mai (the published scoring)"
    )
    con.print(
        Text.assemble(
            ("Moral graph: ", "bold"),
            f"{sizes['values']} values, {sizes['votes']} votes, {sizes['contexts']} contexts; "
            f"{how}",
        )
    )
    for part in report.contexts:
        name = part.text if part.text == part.context else f"{part.text} [{part.context}]"
        con.print()
        con.print(Text.assemble((name, "bold"), f": {_verdict(part)}"))
        if part.table.empty:
            continue
        table = simple_table("")
        table.add_column("#", justify="right")
        table.add_column("value", no_wrap=True)
        table.add_column("title", ratio=1)
        table.add_column("score", justify="right")
        for row in part.table.itertuples(index=False):
            table.add_row(str(row.rank), Text(str(row.value)), Text(row.title),
                          f"{row.score:.4f}")
        con.print(table)


def _verdict(part: mg.ContextScores) -> str:
    """``"184 votes; the winner has some support"`` or why nothing was scored."""
    votes = f"{part.votes} vote" + ("" if part.votes == 1 else "s")
    if part.support is None:
        return f"{votes}; {part.note}"
    return f"{votes}; the winner: {part.support}"
