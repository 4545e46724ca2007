"""``collective moralgraph export GRAPH.json --format graphml|json|mai|png``: write the graph.

The command renders what :class:`moralgraph.MoralGraph` writes:
:meth:`~moralgraph.MoralGraph.to_graphml` (values as nodes, less wise -> wiser edges with
weights and vote counts), :meth:`~moralgraph.MoralGraph.to_json` (our versioned schema),
:meth:`~moralgraph.MoralGraph.to_mai_json` (the Meaning Alignment Institute's export
format) or :meth:`~moralgraph.MoralGraph.plot` saved as PNG. ``--context`` restricts the
export to some contexts (:meth:`~moralgraph.MoralGraph.subgraph` for the JSON formats).
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from .._console import fail, path_option, stdout
from ._common import check_contexts, context_option, graph_argument, read

if TYPE_CHECKING:  # pragma: no cover
    import moralgraph as mg

__all__ = ["ExportFormat", "export_command"]


class ExportFormat(enum.StrEnum):
    """What ``export`` writes."""

    graphml = "graphml"
    json = "json"
    mai = "mai"
    png = "png"


#: The file suffix written by default for the formats that are not printed on stdout.
DEFAULT_SUFFIX = {ExportFormat.graphml: ".graphml", ExportFormat.png: ".png"}


def _context_arg(contexts: list[str] | None) -> Any:
    """``--context`` as the library's ``context`` argument: None, one id or a list of ids."""
    if not contexts:
        return None
    return contexts[0] if len(contexts) == 1 else contexts


def _out_path(graph_path: Path, out: Path | None, fmt: ExportFormat) -> Path | None:
    """Where to write: ``--out``, else GRAPH's name with the format's suffix (graphml, png)
    in the current folder, never over an existing file; else None (JSON on stdout)."""
    if out is not None:
        return out
    if fmt not in DEFAULT_SUFFIX:
        return None
    path = Path(graph_path.with_suffix(DEFAULT_SUFFIX[fmt]).name)
    if path.exists():
        fail(f"{path} exists already; choose the file to write with --out PATH.", code=2)
    return path


def _text(graph: mg.MoralGraph, fmt: ExportFormat, contexts: list[str] | None) -> str:
    part = graph.subgraph(contexts) if contexts else graph
    return part.to_json() if fmt is ExportFormat.json else part.to_mai_json()


def _png(graph: mg.MoralGraph, context: Any, path: Path) -> None:
    if not hasattr(graph, "plot"):
        fail("--format png needs MoralGraph.plot, which this version of moralgraph lacks.")
    import matplotlib.pyplot as plt

    figure = graph.plot(context)
    try:
        figure.savefig(path, format="png", bbox_inches="tight")
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}.")
    finally:
        plt.close(figure)


def export_command(
    graph_path: Annotated[Path, graph_argument()],
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            help="graphml: GraphML for Gephi/networkx; json: our schema; mai: the Meaning "
            "Alignment Institute's export format; png: a picture of the graph.",
        ),
    ],
    out: Annotated[
        Path | None,
        path_option(
            "--out",
            "PATH",
            "The file to write; default: JSON on stdout, GraphML and PNG in the current "
            "folder (GRAPH's name, suffix .graphml or .png; an existing file is never replaced).",
        ),
    ] = None,
    context: Annotated[
        list[str] | None,
        context_option("Export only this context (repeatable); default: every context."),
    ] = None,
) -> None:
    """Write the moral graph in GRAPH.json as GraphML, our JSON, MAI's JSON or a PNG picture."""
    import moralgraph as mg

    graph = read(graph_path)
    contexts = check_contexts(graph, context)
    path = _out_path(graph_path, out, fmt)
    try:
        if fmt in (ExportFormat.json, ExportFormat.mai):
            text = _text(graph, fmt, contexts)
            if path is None:
                typer.echo(text)
                return
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text + "\n", encoding="utf-8")
        elif fmt is ExportFormat.graphml:
            path.parent.mkdir(parents=True, exist_ok=True)
            graph.to_graphml(path, _context_arg(contexts))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            _png(graph, _context_arg(contexts), path)
    except mg.MoralGraphError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}.")
    stdout().print(Text(f"Wrote {path}"))
