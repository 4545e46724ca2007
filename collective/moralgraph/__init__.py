"""``collective moralgraph``: score a moral graph, export it, turn it into principles.

Three commands over :mod:`moralgraph` (value cards, "wiser than" votes per context and the
aggregation Γ; Klingefjord, Lowe & Edelman 2024), each reading GRAPH.json in our schema
(:meth:`moralgraph.MoralGraph.to_json`) or the Meaning Alignment Institute's export, told
apart by their keys (:func:`moralgraph.read_graph`):

- ``collective moralgraph score GRAPH.json``: per context, the top values with their titles,
  scores and the winner's support label (:func:`moralgraph.score_report`);
- ``collective moralgraph export GRAPH.json --format graphml|json|mai|png``: the graph (or
  some contexts of it) as GraphML, our JSON, MAI's JSON or a picture
  (:meth:`~moralgraph.MoralGraph.to_graphml`, :meth:`~moralgraph.MoralGraph.to_json`,
  :meth:`~moralgraph.MoralGraph.to_mai_json`, :meth:`~moralgraph.MoralGraph.plot`);
- ``collective moralgraph principles GRAPH.json PROMPT``: the contexts of a prompt (or
  those given), their wisest values and constitution-style principles
  (:func:`moralgraph.principles_report`).

Each command lives in its own module, imported only when that command runs or its own
``--help`` is asked for: ``collective moralgraph --help`` imports neither numpy nor the
library.
"""

from __future__ import annotations

from ..main import LazyCommand, lazy_app

__all__ = ["COMMANDS", "moralgraph_app"]

#: The ``moralgraph`` commands in the order ``collective moralgraph --help`` lists them (the
#: one-line help is the first line of each command's docstring; a test checks it).
COMMANDS: dict[str, LazyCommand] = {
    "score": LazyCommand(
        "collective.moralgraph.score",
        "score_command",
        "The wisest values of each context of the moral graph in GRAPH.json, with support.",
    ),
    "export": LazyCommand(
        "collective.moralgraph.export",
        "export_command",
        "Write the moral graph in GRAPH.json as GraphML, our JSON, MAI's JSON or a PNG picture.",
    ),
    "principles": LazyCommand(
        "collective.moralgraph.principles",
        "principles_command",
        "Constitution-style principles for PROMPT from the wisest values of its contexts.",
    ),
}

moralgraph_app = lazy_app(
    "moralgraph",
    "Moral graphs of values: score the wisest values, export, principles for a prompt.",
    COMMANDS,
)


@moralgraph_app.callback()
def moralgraph_group() -> None:
    """Moral graphs of values: score the wisest values, export, principles for a prompt."""
