"""One reader for a moral-graph file in either JSON format, told apart by its keys.

:func:`read_graph` reads our versioned schema (:meth:`MoralGraph.to_json`, keys ``schema,
version, contexts, values, votes``) or the Meaning Alignment Institute's export
(:func:`moralgraph.read_mai_json`, keys ``values, edges``), so a command or an app takes
whichever file the user has.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from _common.sources import Source, read_text
from _common.validation import show

from ._errors import MoralGraphError
from ._graph import MoralGraph

__all__ = ["GRAPH_FORMATS", "graph_format", "read_graph"]

#: The formats :func:`read_graph` detects, with the keys that tell them apart.
GRAPH_FORMATS = {
    "moralgraph": ("schema", "version", "contexts", "values", "votes"),
    "mai": ("values", "edges"),
}


def _expected() -> str:
    return (
        "either our moral-graph schema (keys " + ", ".join(GRAPH_FORMATS["moralgraph"]) + ") "
        "or the Meaning Alignment Institute's export (keys " + ", ".join(GRAPH_FORMATS["mai"])
        + ")"
    )


def graph_format(document: Any, label: str = "<document>") -> str:
    """Which format a parsed JSON document is in: ``"moralgraph"`` or ``"mai"``.

    Ours has a ``schema`` or a ``votes`` key; MAI's has ``edges`` (and no ``votes``).

    Parameters
    ----------
    document : object
        The parsed JSON.
    label : str, default "<document>"
        The file's name, for the message.

    Raises
    ------
    MoralGraphError
        ``document`` is not a JSON object or has the keys of neither format (the message
        lists the keys each format needs and those found).

    Examples
    --------
    >>> graph_format({"values": [], "edges": []})
    'mai'
    >>> graph_format({"nodes": []}, "g.json")
    Traceback (most recent call last):
    ...
    moralgraph._errors.MoralGraphError: g.json: expected either our moral-graph schema ...
    """
    if not isinstance(document, Mapping):
        raise MoralGraphError(
            f"{label}: expected a JSON object, {_expected()}. Got {show(document)} instead."
        )
    if "schema" in document or "votes" in document:
        return "moralgraph"
    if "edges" in document:
        return "mai"
    found = ", ".join(map(str, list(document)[:10])) or "no keys"
    raise MoralGraphError(
        f"{label}: expected {_expected()}; this JSON object has: {found}."
    )


def read_graph(source: Source) -> MoralGraph:
    """A moral graph from a JSON file in our schema or in the Meaning Alignment Institute's.

    Parameters
    ----------
    source : path, bytes or file object
        The file (see :mod:`_common.sources`).

    Returns
    -------
    MoralGraph
        :meth:`MoralGraph.from_json` of the text, or :func:`moralgraph.read_mai_json`'s graph.

    Raises
    ------
    MoralGraphError
        The file is missing or not UTF-8, the JSON is malformed (line and column), is in
        neither format (the keys expected), or is not a valid graph of its format. Every
        message starts with the file's name.

    Examples
    --------
    >>> from moralgraph import MoralGraph, ValueCard, WiserVote
    >>> cards = [ValueCard("a", "A", "", ["x"]), ValueCard("b", "B", "", ["y"])]
    >>> g = MoralGraph(cards, [WiserVote("ann", "a", "b", "c1", "wiser")])
    >>> read_graph(g.to_json().encode()) == g
    True
    >>> read_graph(g.to_mai_json().encode()).edge_summary(keep_all=True).equals(
    ...     g.edge_summary(keep_all=True))
    True
    >>> read_graph(b'{"values": [],\\n "edges": [}')
    Traceback (most recent call last):
    ...
    moralgraph._errors.MoralGraphError: <bytes>: the JSON is malformed at line 2, column 12: ...
    """
    text, label = read_text(source, error=MoralGraphError)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MoralGraphError(
            f"{label}: the JSON is malformed at line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg}."
        ) from None
    if graph_format(document, label) == "mai":
        return _mai(text, label)
    try:
        return MoralGraph.from_json(text)
    except MoralGraphError as exc:
        raise MoralGraphError(f"{label}: {exc}") from None


def _mai(text: str, label: str) -> MoralGraph:
    """:func:`read_mai_json` of ``text``, its messages naming ``label`` (a path's base name)."""
    import io

    from ._mai_json import read_mai_json

    stream = io.BytesIO(text.encode("utf-8"))
    stream.name = label
    return read_mai_json(stream)
