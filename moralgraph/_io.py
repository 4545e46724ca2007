"""Moral graphs from and to tables (pandas) and JSON text.

JSON schema, version 1 (what :meth:`MoralGraph.to_json` writes and ``from_json`` reads)::

    {
      "schema": "collective-alignment/moral-graph",
      "version": 1,
      "contexts": [{"id": str, "text": str}, ...],
      "values": [{"id": str, "title": str, "description": str, "policies": [str, ...],
                  "authors": [str, ...], "context": str | null}, ...],
      "votes": [{"participant": str, "from_value": str, "to_value": str, "context": str,
                 "verdict": "wiser" | "not_wiser" | "unsure", "reason": str | null}, ...]
    }

``to_json`` writes every key; ``from_json`` lets a card's ``authors`` (default ``[]``) and
``context``, a vote's ``reason`` (default null) and a context's ``text`` (default: its id)
be omitted. Other missing keys, unknown keys and other versions are errors. Errors in JSON
items name them by JSON path with 0-based indices (``votes[3]``); malformed JSON names the
line and column (1-based).

Tables: rows are numbered as in a spreadsheet whose header is row 1, so the first data row is
row 2 (a CSV file's line number). Fields are named by their column.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from _common.validation import show

from ._errors import MoralGraphError
from ._model import Context, ValueCard, WiserVote

if TYPE_CHECKING:

    from ._graph import MoralGraph

__all__ = ["SCHEMA", "VERSION", "from_frames", "from_json", "split_policies", "to_json"]

SCHEMA = "collective-alignment/moral-graph"
VERSION = 1
VALUE_COLUMNS = ("id", "title", "description", "policies")
VOTE_COLUMNS = ("participant", "from_value", "to_value", "context", "verdict")


def _is_missing(cell: Any) -> bool:
    """None, NaN, pandas.NA or NaT: an empty cell whatever the column's dtype."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return True
    return type(cell).__name__ in ("NAType", "NaTType")


def split_policies(cell: Any) -> Any:
    """A table cell of policies (or authors) as a tuple of strings.

    A list, tuple or array is taken item by item; a string holds one policy per line or, if
    it has no line break, policies separated by ``";"``; parts are stripped and empty parts
    dropped; an empty cell is no policies. Anything else is returned unchanged (and refused
    by :class:`ValueCard`).

    >>> split_policies("options they have; what they already know")
    ('options they have', 'what they already know')
    >>> split_policies("first; still the first\\nsecond")
    ('first; still the first', 'second')
    """
    if _is_missing(cell):
        return ()
    if isinstance(cell, str):
        parts = cell.splitlines() if "\n" in cell or "\r" in cell else cell.split(";")
        return tuple(p.strip() for p in parts if p.strip())
    if hasattr(cell, "tolist") and not isinstance(cell, str):
        cell = cell.tolist()
    return tuple(cell) if isinstance(cell, list | tuple) else cell


def _rows(frame: Any, table: str, required: tuple[str, ...], optional: tuple[str, ...]) -> list:
    """The rows of ``frame`` as dicts of the known columns (missing columns: an error)."""
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise MoralGraphError(
            f"The {table!r} parameter of MoralGraph.from_frames must be a pandas DataFrame. "
            f"Got {show(frame)} instead."
        )
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise MoralGraphError(
            f"The {table} table lacks the column {missing[0]!r}; it needs the columns "
            f"{', '.join(required)} (optional: {', '.join(optional)}). "
            f"It has: {', '.join(map(str, frame.columns)) or 'no columns'}."
        )
    columns = [c for c in (*required, *optional) if c in frame.columns]
    # Whole columns as object arrays, not itertuples: iterating a pyarrow-backed text column
    # (pandas >= 3's default) boxes every cell through pyarrow, 5x slower at a million rows.
    cells = [frame[c].to_numpy(dtype=object) for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*cells, strict=True)]


def _row_at(table: str) -> Callable[[int], str]:
    return lambda i: f"The {table} table, row {i + 2} (header = row 1)"


def _value_record(row: dict[str, Any]) -> dict[str, Any]:
    row["policies"] = split_policies(row["policies"])
    if "authors" in row:
        row["authors"] = split_policies(row["authors"])
    if _is_missing(row["description"]):
        row["description"] = ""
    if _is_missing(row.get("context")):
        row.pop("context", None)
    return row


def from_frames(cls: type[MoralGraph], values: Any, votes: Any, contexts: Any) -> MoralGraph:
    """A moral graph from a table of value cards and a table of votes.

    Parameters
    ----------
    cls : type
        :class:`MoralGraph` (or a subclass).
    values : pandas.DataFrame
        Columns ``id, title, description, policies`` and optionally ``authors, context``.
        ``policies`` (and ``authors``) cells are lists/tuples or strings with one item per
        line or separated by ``";"`` (see :func:`split_policies`). An empty description is
        ``""``; an empty context is None.
    votes : pandas.DataFrame
        Columns ``participant, from_value, to_value, context, verdict`` and optionally
        ``reason`` (an empty reason is None). Rows are in voting order (later rows replace
        earlier ones by the same participant on the same ordered pair).
    contexts : pandas.DataFrame, sequence or None
        A table with column ``id`` (and optionally ``text``), or what :class:`MoralGraph`
        accepts.

    Raises
    ------
    MoralGraphError
        A missing column, or a bad cell: the message names the table, the row (spreadsheet
        numbering, header = row 1, first data row = row 2) and the column.
    """
    import pandas as pd

    value_rows = [
        _value_record(r) for r in _rows(values, "values", VALUE_COLUMNS, ("authors", "context"))
    ]
    vote_rows = _rows(votes, "votes", VOTE_COLUMNS, ("reason",))
    for row in vote_rows:
        if _is_missing(row.get("reason")):
            row.pop("reason", None)
    if isinstance(contexts, pd.DataFrame):
        rows = _rows(contexts, "contexts", ("id",), ("text",))
        contexts = [{k: v for k, v in r.items() if not _is_missing(v)} for r in rows]
    graph = cls.__new__(cls)
    graph._build(value_rows, vote_rows, contexts, _row_at("values"), _row_at("votes"))
    return graph


def to_json(graph: MoralGraph, indent: int | None = 2) -> str:
    """``graph`` as JSON text in the schema of this module."""
    document = {
        "schema": SCHEMA,
        "version": VERSION,
        "contexts": [c.to_dict() for c in graph.contexts],
        "values": [v.to_dict() for v in graph.values],
        "votes": [v.to_dict() for v in graph.votes],
    }
    return json.dumps(document, indent=indent, ensure_ascii=False)


def _parse(text: Any) -> Any:
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MoralGraphError(
                f"The moral-graph JSON is not UTF-8 text (byte {exc.start}: {exc.reason})."
            ) from None
    if not isinstance(text, str):
        raise MoralGraphError(
            f"MoralGraph.from_json takes JSON text (str or bytes). Got {show(text)} instead."
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MoralGraphError(
            f"The moral-graph JSON is malformed at line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg}."
        ) from None


def _check_document(document: Any) -> None:
    keys = ("schema", "version", "contexts", "values", "votes")
    if not isinstance(document, Mapping):
        raise MoralGraphError(
            f"The moral-graph JSON must be an object with the keys {', '.join(keys)}. "
            f"Got {show(document)} instead."
        )
    missing = [k for k in keys if k not in document]
    unknown = [k for k in document if k not in keys]
    if missing or unknown:
        problem = f"lacks the key {missing[0]!r}" if missing else ""
        if unknown:
            problem += (" and " if missing else "") + f"has the unknown key {unknown[0]!r}"
        raise MoralGraphError(
            f"The moral-graph JSON {problem}; the expected keys are {', '.join(keys)}."
        )
    if document["schema"] != SCHEMA:
        raise MoralGraphError(
            f"The moral-graph JSON's 'schema' must be {SCHEMA!r}. Got {show(document['schema'])}."
        )
    if document["version"] != VERSION or isinstance(document["version"], bool):
        raise MoralGraphError(
            f"The moral-graph JSON has version {show(document['version'])}; this version of "
            f"moralgraph reads version {VERSION}."
        )
    for key in ("contexts", "values", "votes"):
        if not isinstance(document[key], list):
            raise MoralGraphError(
                f"The moral-graph JSON's {key!r} must be a list. Got {show(document[key])}."
            )


def _items(items: list, cls: type, key: str) -> list:
    out = []
    for i, item in enumerate(items):
        try:
            out.append(cls.from_dict(item))
        except MoralGraphError as exc:
            raise MoralGraphError(f"In the moral-graph JSON, {key}[{i}]: {exc}") from None
    return out


def from_json(cls: type[MoralGraph], text: str | bytes) -> MoralGraph:
    """A moral graph from JSON text in the schema of this module (see the module docstring)."""
    document = _parse(text)
    _check_document(document)
    contexts = _items(document["contexts"], Context, "contexts")
    values = _items(document["values"], ValueCard, "values")
    votes = _items(document["votes"], WiserVote, "votes")
    graph = cls.__new__(cls)
    graph._build(
        values,
        votes,
        contexts,
        lambda i: f"In the moral-graph JSON, values[{i}]",
        lambda i: f"In the moral-graph JSON, votes[{i}]",
    )
    return graph
