"""Shared pieces of the ``collective moralgraph`` commands: options, reading GRAPH.json."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from .._console import fail, file_argument

if TYPE_CHECKING:  # pragma: no cover
    import moralgraph as mg

__all__ = [
    "MAI_DAMPING",
    "Method",
    "check_contexts",
    "check_propagation",
    "context_option",
    "graph_argument",
    "method_option",
    "propagation_option",
    "read",
]


#: The damping of the published scoring (``moralgraph._mai.DAMPING``), the only
#: ``--propagation`` ``--method mai`` takes (kept here so ``--help`` needs no numpy).
MAI_DAMPING = 0.85


class Method(enum.StrEnum):
    """The aggregation Γ: our per-context flow or the published MAI scoring."""

    flow = "flow"
    mai = "mai"


def graph_argument() -> Any:
    """The GRAPH.json argument of every ``moralgraph`` command."""
    return file_argument(
        "GRAPH.json",
        "A moral graph: our JSON schema (MoralGraph.to_json) or the Meaning Alignment "
        "Institute's export (keys 'values' and 'edges'); detected from the keys.",
    )


def context_option(help: str) -> Any:
    """``--context CONTEXT`` (repeatable): ``Annotated[list[str] | None, context_option(...)]``."""
    return typer.Option("--context", "-c", metavar="CONTEXT", help=help, show_default=False)


def method_option() -> Any:
    """``--method flow|mai``."""
    return typer.Option(
        "--method",
        help="flow: our per-context flow with Bayesian edge weights; mai: the Meaning "
        "Alignment Institute's published scoring, exactly.",
    )


def _propagation(value: float) -> float:
    if not 0.0 <= value < 1.0:
        raise typer.BadParameter(
            f"must be in [0, 1) (the share of score that moves one step to wiser values). "
            f"Got {value:g} instead."
        )
    return value


def check_propagation(method: Method, propagation: float) -> None:
    """``--propagation`` other than the default with ``--method mai``: a usage error (exit 2)."""
    if method is Method.mai and propagation != MAI_DAMPING:
        fail(
            f"--propagation applies to --method flow; the published scoring (--method mai) "
            f"fixes its damping at {MAI_DAMPING}. Got --propagation {propagation:g}.",
            code=2,
        )


def propagation_option() -> Any:
    """``--propagation ALPHA`` in [0, 1) (a usage error, exit 2, outside it)."""
    return typer.Option(
        "--propagation",
        metavar="ALPHA",
        callback=_propagation,
        help="Share of score that moves one step along less-wise -> wiser edges, in [0, 1) "
        "(flow only; 0: no wisdom flows).",
    )


def read(path: Path) -> mg.MoralGraph:
    """The moral graph in ``path`` (either format); a file that cannot be read exits 1."""
    import moralgraph as mg

    try:
        return mg.read_graph(path)
    except mg.MoralGraphError as exc:
        fail(str(exc))


def check_contexts(graph: mg.MoralGraph, contexts: list[str] | None) -> list[str] | None:
    """``--context`` as a list of the graph's context ids (None if not given); exit 2 on an
    unknown one, listing the graph's contexts."""
    if not contexts:
        return None
    known = [c.id for c in graph.contexts]
    unknown = [c for c in contexts if c not in known]
    if unknown:
        listed = ", ".join(repr(c) for c in known[:20]) or "none"
        more = f" and {len(known) - 20} more" if len(known) > 20 else ""
        fail(f"--context {unknown[0]!r} is not a context of the graph; its contexts are: "
             f"{listed}{more}.", code=2)
    return list(dict.fromkeys(contexts))
