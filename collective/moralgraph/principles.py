"""``collective moralgraph principles GRAPH.json PROMPT``: principles for a prompt.

The command renders :func:`moralgraph.principles_report`: the contexts of PROMPT (the
``--top`` ones whose texts are most similar to it, by the sentence embedder
:func:`lm.load_embedder`, those below ``--min-similarity`` left out; or those of
``--context``), each context's wisest values and the constitution-style principle
:meth:`moralgraph.MoralGraph.principles` builds from their attentional policies. The
principles together are a system prompt.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from .._console import fail, format_option, fraction_progress, simple_table, stdout
from .._output import OutputFormat, records, to_json
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
    import pandas as pd

__all__ = ["principles_command"]


def _embedder(quiet: bool) -> Any:
    """The sentence embedder (loaded behind a status line); exit 1, saying how to install it
    or to pass --context, if it cannot be loaded."""
    import lm

    try:
        with fraction_progress("loading the sentence embedder", disable=quiet,
                               percent=False):
            return lm.load_embedder()
    except lm.LMError as exc:
        fail(
            f"matching PROMPT to the graph's contexts needs the sentence embedder, which "
            f"could not be loaded: {exc} Or name the contexts with --context CONTEXT."
        )


def principles_command(
    graph_path: Annotated[Path, graph_argument()],
    prompt: Annotated[
        str,
        typer.Argument(
            metavar="PROMPT",
            help="The prompt (a user's message) the principles are for.",
            show_default=False,
        ),
    ],
    context: Annotated[
        list[str] | None,
        context_option(
            "Use this context (repeatable) instead of matching PROMPT to the graph's "
            "contexts with the sentence embedder."
        ),
    ] = None,
    k: Annotated[
        int, typer.Option("-k", "--k", min=1, help="Wisest values per context.")
    ] = 3,
    top: Annotated[
        int, typer.Option("--top", min=1, help="At most this many contexts matched to PROMPT.")
    ] = 3,
    min_similarity: Annotated[
        float | None,
        typer.Option(
            "--min-similarity", min=-1.0, max=1.0, metavar="COSINE",
            help="Leave out contexts whose cosine similarity to PROMPT is below this "
            "(with MiniLM, prompts unrelated to a context score near 0).",
            show_default=False),
    ] = None,
    method: Annotated[Method, method_option()] = Method.flow,
    propagation: Annotated[float, propagation_option()] = 0.85,
    fmt: Annotated[OutputFormat, format_option()] = OutputFormat.table,
) -> None:
    """Constitution-style principles for PROMPT from the wisest values of its contexts."""
    import moralgraph as mg

    check_propagation(method, propagation)
    graph = read(graph_path)
    contexts = check_contexts(graph, context)
    if contexts and min_similarity is not None:
        fail("--min-similarity matches PROMPT to the contexts; it cannot be used with "
             "--context.", code=2)
    embedder = None if contexts else _embedder(quiet=fmt is OutputFormat.json)
    try:
        table = mg.principles_report(
            graph, prompt, contexts, k=k, embedder=embedder, method=method.value,
            propagation=propagation, top=top, min_similarity=min_similarity,
        )
    except mg.MoralGraphError as exc:
        fail(f"{graph_path.name}: {exc}")
    principles = [p for p in table["principle"] if p is not None]
    if fmt is OutputFormat.json:
        document = {
            "prompt": prompt,
            "matched": contexts is None,
            "method": method.value,
            "k": k,
            "top": top,
            "min_similarity": min_similarity,
            "contexts": records(table),
            "principles": principles,
        }
        typer.echo(to_json(document))
        return
    _print_principles(prompt, table, principles, matched=contexts is None,
                      min_similarity=min_similarity)


def _print_principles(
    prompt: str, table: pd.DataFrame, principles: list[str], *, matched: bool,
    min_similarity: float | None,
) -> None:
    con = stdout()
    con.print(Text.assemble(("Prompt: ", "bold"), prompt))
    if table.empty:
        con.print(Text(f"No context is at least {min_similarity} similar to the prompt: no "
                       "principles. Lower --min-similarity or name contexts with --context."))
        return
    how = "most similar to the prompt first" if matched else "as given by --context"
    t = simple_table(f"Contexts ({how})")
    t.add_column("context", no_wrap=True)
    if matched:
        t.add_column("similarity", justify="right")
    t.add_column("votes", justify="right")
    t.add_column("wisest values", ratio=1)
    for row in table.itertuples(index=False):
        name = row.text if row.text == row.context else f"{row.text} [{row.context}]"
        wisest = ", ".join(row.titles) if row.principle is not None else "no votes: no principle"
        cells = [f"{row.similarity:.2f}"] if matched else []
        t.add_row(Text(name), *cells, str(row.votes), Text(wisest))
    con.print(t)
    con.print(Text("Principles (a system prompt):", style="bold"))
    if not principles:
        con.print(Text("none: the selected contexts have no votes."))
    for line in principles:
        con.print(Text(line))
