"""The Meaning Alignment Institute's moral-graph export format, read and written.

Their export (``meaningalignment/values-tools``, ``src/services/moral-graph.ts``, the
``MoralGraph`` type ``summarizeGraph`` returns) is::

    {"values": [{"id", "title", "instructionsShort", "instructionsDetailed",
                 "evaluationCriteria": [str, ...]}, ...],
     "edges": [{"sourceValueId", "wiserValueId", "contexts": [str, ...],
                "counts": {"markedWiser", "markedNotWiser", "markedLessWise",
                           "markedUnsure", "impressions"},
                "summary": {"wiserLikelihood", "entropy"}}, ...]}

It holds vote COUNTS per ordered pair, not votes. :func:`read_mai_json` therefore
synthesises votes that reproduce the counts exactly: an edge (A -> B) with ``markedWiser``
w, ``markedNotWiser`` n and ``markedUnsure`` u becomes w + n + u votes on (A -> B) by the
distinct pseudo-participants ``"mai:A>B:0"``, ``"mai:A>B:1"``, ... in the edge's first
context. ``markedLessWise`` and ``impressions`` are not votes of their own: by
``summarizeGraph``'s step 1, ``markedLessWise(A, B) = markedWiser(B, A)`` and
``impressions(A, B) = impressions(B, A) = votes(A, B) + votes(B, A)``. Both are checked
when the reverse edge is in the file; when it is not (an export of the kept edges only),
the reverse votes are implied: ``markedLessWise`` "wiser" votes on (B -> A) and the rest of
the impressions as "unsure" votes on (B -> A) (the file cannot say how that rest splits
between "not wiser" and "unsure"; the file's own edges do not depend on it). The summary
is checked against the counts (``wiserLikelihood`` null where the counts give 0/0, as
JavaScript's ``JSON.stringify(NaN)``). So ``mai_edge_summary`` of the read graph's votes
gives, for every edge of the file, its counts, ``wiserLikelihood`` and ``entropy``.

Values map ``id`` -> ``str(id)``, ``title`` -> title, ``instructionsDetailed`` ->
description, ``evaluationCriteria`` -> policies; ``instructionsShort`` is not kept. Unknown
keys are ignored (their database rows carry more). :func:`to_mai_json` writes every pair
that has votes (their ``allEdges``), ``instructionsShort`` = the description, and ids that
are decimal integers as JSON numbers (their ids are integers).

References
----------
O. Klingefjord, R. Lowe and J. Edelman, "What are human values, and how do we align AI
to them?", arXiv:2404.10636 (2024). Meaning Alignment Institute,
``meaningalignment/values-tools``, ``src/services/moral-graph.ts`` (``summarizeGraph``,
``calculateEntropy``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from _common.sources import Source, read_text
from _common.validation import show

from ._errors import MoralGraphError
from ._model import ValueCard, WiserVote

if TYPE_CHECKING:
    from ._graph import MoralGraph

__all__ = ["read_mai_json", "to_mai_json"]

_COUNT_KEYS = ("markedWiser", "markedNotWiser", "markedLessWise", "markedUnsure", "impressions")
_COUNT_COLUMNS = (
    "marked_wiser", "marked_not_wiser", "marked_less_wise", "marked_unsure", "impressions"
)
_VERDICT_KEYS = (("markedWiser", "wiser"), ("markedNotWiser", "not_wiser"),
                 ("markedUnsure", "unsure"))
Pair = tuple[str, str]


class _Reader:
    """Errors of one file: ``fail(path, problem)`` names the file and the JSON path."""

    def __init__(self, label: str) -> None:
        self.label = label

    def fail(self, path: str, problem: str) -> MoralGraphError:
        return MoralGraphError(f"{self.label}: {path} {problem}")

    def get(self, item: Any, key: str, path: str) -> Any:
        if not isinstance(item, Mapping):
            raise self.fail(path, f"is {show(item)}; expected a JSON object.")
        if key not in item:
            raise self.fail(f"{path}.{key}", "is missing.")
        return item[key]

    def count(self, counts: Any, key: str, path: str) -> int:
        value = self.get(counts, key, path)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.fail(f"{path}.{key}", f"is {show(value)}; expected an integer >= 0.")
        return value

    def texts(self, value: Any, path: str) -> list[str]:
        if not isinstance(value, list):
            raise self.fail(path, f"is {show(value)}; expected a list of strings.")
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"{path}[{i}]", f"is {show(item)}; expected a non-empty string.")
        return value


def _document(source: Source) -> tuple[Any, _Reader]:
    """The parsed JSON of ``source`` and a reader naming it."""
    if isinstance(source, str) and source.lstrip().startswith(("{", "[")):
        text, label = source, "<text>"
    else:
        text, label = read_text(source, error=MoralGraphError)
    reader = _Reader(label)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MoralGraphError(
            f"{label}: the MAI moral-graph JSON is malformed at line {exc.lineno}, column "
            f"{exc.colno}: {exc.msg}."
        ) from None
    for key in ("values", "edges"):
        if not isinstance(reader.get(document, key, "the document"), list):
            raise reader.fail(key, f"is {show(document[key])}; expected a list.")
    return document, reader


def _value_id(value: Any, path: str, reader: _Reader) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str) or str(value) == "":
        raise reader.fail(path, f"is {show(value)}; expected an integer or a string id.")
    return str(value)


def _cards(items: list, reader: _Reader) -> list[ValueCard]:
    cards: dict[str, ValueCard] = {}
    for i, item in enumerate(items):
        path = f"values[{i}]"
        vid = _value_id(reader.get(item, "id", path), f"{path}.id", reader)
        if vid in cards:
            raise reader.fail(f"{path}.id", f"{vid!r} repeats an earlier value's id.")
        title = reader.get(item, "title", path)
        detailed = reader.get(item, "instructionsDetailed", path)
        criteria = reader.texts(reader.get(item, "evaluationCriteria", path),
                                f"{path}.evaluationCriteria")
        try:
            cards[vid] = ValueCard(vid, title, detailed, criteria)
        except MoralGraphError as exc:
            raise reader.fail(path, f"is not a valid value card: {exc}") from None
    return list(cards.values())


def _entropy(counts: tuple[int, ...]) -> float:
    """Their ``calculateEntropy`` over the five counts (impressions included), in bits."""
    from ._mai import _entropy_bits  # the scorer's own entropy (it loads pandas, so lazily)

    return float(_entropy_bits(np.array([counts], dtype=np.float64))[0])


def _check_summary(edge: Any, counts: tuple[int, ...], path: str, reader: _Reader) -> None:
    summary = reader.get(edge, "summary", path)
    w, n, lw, u, _ = counts
    judged = w + n + u + lw
    expected = {
        "wiserLikelihood": (w - lw) / judged if judged else math.nan,
        "entropy": _entropy(counts) if sum(counts) else math.nan,
    }
    for key, want in expected.items():
        got = reader.get(summary, key, f"{path}.summary")
        where = f"{path}.summary.{key}"
        if got is None and math.isnan(want):
            continue
        if isinstance(got, bool) or not isinstance(got, int | float) or not (
            math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12)
        ):
            raise reader.fail(
                where, f"is {show(got)}; the counts give {show(want)} (null for 0/0)."
            )


def _edges(items: list, ids: set[str], reader: _Reader) -> dict[Pair, tuple]:
    """Each edge's pair -> (counts, contexts, path), checked one by one."""
    out: dict[Pair, tuple] = {}
    for i, edge in enumerate(items):
        path = f"edges[{i}]"
        pair = tuple(
            _value_id(reader.get(edge, key, path), f"{path}.{key}", reader)
            for key in ("sourceValueId", "wiserValueId")
        )
        for key, vid in zip(("sourceValueId", "wiserValueId"), pair, strict=True):
            if vid not in ids:
                raise reader.fail(f"{path}.{key}", f"names an unknown value {vid!r}.")
        if pair[0] == pair[1]:
            raise reader.fail(path, f"joins value {pair[0]!r} to itself.")
        if pair in out:
            raise reader.fail(
                path, f"repeats the pair {pair[0]!r} -> {pair[1]!r} of {out[pair][2]}."
            )
        contexts = reader.texts(reader.get(edge, "contexts", path), f"{path}.contexts")
        counts_item = reader.get(edge, "counts", path)
        counts = tuple(reader.count(counts_item, k, f"{path}.counts") for k in _COUNT_KEYS)
        _check_summary(edge, counts, path, reader)
        if counts[0] + counts[1] + counts[3] and not contexts:
            raise reader.fail(f"{path}.contexts", "is empty; votes need a context.")
        out[pair] = (counts, contexts, path)
    return out


def _check_pair(edges: dict[Pair, tuple], pair: Pair, reader: _Reader) -> tuple[int, ...]:
    """The votes (wiser, not_wiser, unsure) on the reverse of ``pair`` the counts imply."""
    (w, n, lw, u, imp), contexts, path = edges[pair]
    reverse = (pair[1], pair[0])
    if reverse in edges:
        (rw, rn, _, ru, _), _, rpath = edges[reverse]
        if lw != rw:
            raise reader.fail(
                f"{path}.counts.markedLessWise",
                f"is {lw}; it must equal {rpath}.counts.markedWiser ({rw}), the reverse "
                "edge's 'wiser' votes.",
            )
        if imp != w + n + u + rw + rn + ru:
            raise reader.fail(
                f"{path}.counts.impressions",
                f"is {imp}; the votes on the pair and on its reverse edge {rpath} add up to "
                f"{w + n + u + rw + rn + ru}.",
            )
        return rw, rn, ru
    rest = imp - (w + n + u) - lw
    if rest < 0:
        raise reader.fail(
            f"{path}.counts.impressions",
            f"is {imp}; it must be at least markedWiser + markedNotWiser + markedUnsure + "
            f"markedLessWise = {imp - rest}.",
        )
    if lw + rest and not contexts:
        raise reader.fail(f"{path}.contexts", "is empty; the implied votes need a context.")
    return lw, 0, rest


def _votes(edges: dict[Pair, tuple], reader: _Reader) -> list[WiserVote]:
    """The synthetic votes that reproduce every edge's counts."""
    tallies: dict[Pair, tuple[tuple[int, int, int], str]] = {}
    for pair, (counts, contexts, _) in edges.items():
        reverse = (pair[1], pair[0])
        implied = _check_pair(edges, pair, reader)
        if (counts[0], counts[1], counts[3]) != (0, 0, 0):
            tallies[pair] = ((counts[0], counts[1], counts[3]), contexts[0])
        if reverse not in edges and sum(implied):
            tallies[reverse] = (implied, contexts[0])
    votes = []
    for (a, b), (numbers, context) in tallies.items():
        verdicts = [v for (_, v), k in zip(_VERDICT_KEYS, numbers, strict=True) for _ in range(k)]
        votes.extend(
            WiserVote(f"mai:{a}>{b}:{i}", a, b, context, verdict)
            for i, verdict in enumerate(verdicts)
        )
    return votes


def read_mai_json(source: Source) -> MoralGraph:
    """A moral graph from the Meaning Alignment Institute's export (see the module docstring).

    Parameters
    ----------
    source : path, str, bytes or file object
        The export: a path, the JSON text itself (a string starting with ``{``), bytes or
        a file-like object (see :mod:`_common.sources`).

    Returns
    -------
    MoralGraph
        The values, the contexts the edges name (first-seen order) and synthetic votes by
        pseudo-participants ``"mai:A>B:i"``, whose ``edge_summary(keep_all=True)``
        reproduces every edge's counts, ``wiserLikelihood`` and ``entropy``.

    Raises
    ------
    MoralGraphError
        Malformed JSON (the line and column), a missing or mistyped key (its JSON path,
        e.g. ``edges[3].counts.markedWiser``), an edge naming an unknown value, a repeated
        pair, or counts and summaries no set of votes can produce.

    References
    ----------
    Klingefjord, Lowe & Edelman (2024), arXiv:2404.10636; ``meaningalignment/values-tools``,
    ``src/services/moral-graph.ts`` (``summarizeGraph``).

    Examples
    --------
    >>> text = '''{"values": [
    ...   {"id": 1, "title": "Comfort", "instructionsShort": "", "instructionsDetailed": "",
    ...    "evaluationCriteria": ["how they feel"]},
    ...   {"id": 2, "title": "Agency", "instructionsShort": "", "instructionsDetailed": "",
    ...    "evaluationCriteria": ["what they can do next"]}],
    ...  "edges": [{"sourceValueId": 1, "wiserValueId": 2, "contexts": ["distress"],
    ...   "counts": {"markedWiser": 2, "markedNotWiser": 1, "markedLessWise": 0,
    ...              "markedUnsure": 0, "impressions": 3},
    ...   "summary": {"wiserLikelihood": 0.6666666666666666, "entropy": 1.4591479170272448}}]}'''
    >>> g = read_mai_json(text)
    >>> [v.participant for v in g.votes]
    ['mai:1>2:0', 'mai:1>2:1', 'mai:1>2:2']
    >>> g.edge_summary(keep_all=True)[["from_value", "to_value", "marked_wiser", "impressions"]]
      from_value to_value  marked_wiser  impressions
    0          1        2             2            3
    1          2        1             0            3
    """
    from ._graph import MoralGraph

    document, reader = _document(source)
    cards = _cards(document["values"], reader)
    edges = _edges(document["edges"], {c.id for c in cards}, reader)
    contexts = list(dict.fromkeys(c for _, ctx, _ in edges.values() for c in ctx))
    return MoralGraph(cards, _votes(edges, reader), contexts)


def _json_id(value_id: str) -> int | str:
    """An id as MAI writes it: a JSON number if it is a decimal integer."""
    digits = value_id.lstrip("-")
    return int(value_id) if digits.isdigit() and str(int(value_id)) == value_id else value_id


def _finite(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def to_mai_json(graph: MoralGraph, indent: int | None = 2) -> str:
    """``graph`` in the Meaning Alignment Institute's export format.

    The edges are every ordered pair with votes (``mai_edge_summary(..., keep_all=True)``,
    their ``allEdges``), with their counts and summary (a 0/0 ``wiserLikelihood`` is null,
    as JavaScript writes NaN). Values: ``instructionsShort`` and ``instructionsDetailed``
    are the description, ``evaluationCriteria`` the policies; decimal-integer ids are
    written as numbers.

    Parameters
    ----------
    graph : MoralGraph
        The graph to write.
    indent : int or None, default 2
        As for :func:`json.dumps`.

    Returns
    -------
    str
        JSON text that :func:`read_mai_json` reads back to the same edge statistics.

    Examples
    --------
    >>> from moralgraph import MoralGraph, ValueCard, WiserVote
    >>> cards = [ValueCard("1", "Comfort", "", ["x"]), ValueCard("2", "Agency", "", ["y"])]
    >>> g = MoralGraph(cards, [WiserVote("ann", "1", "2", "distress", "wiser")])
    >>> doc = json.loads(to_mai_json(g))
    >>> doc["edges"][0]["sourceValueId"], doc["edges"][0]["counts"]["markedWiser"]
    (1, 1)
    >>> read_mai_json(to_mai_json(g)).edge_summary(keep_all=True).equals(
    ...     g.edge_summary(keep_all=True))
    True
    """
    from ._mai import mai_edge_summary

    table = mai_edge_summary(graph.votes_frame(), keep_all=True, error=MoralGraphError)
    values = [
        {
            "id": _json_id(card.id),
            "title": card.title,
            "instructionsShort": card.description,
            "instructionsDetailed": card.description,
            "evaluationCriteria": list(card.policies),
        }
        for card in graph.values
    ]
    edges = [
        {
            "sourceValueId": _json_id(row["from_value"]),
            "wiserValueId": _json_id(row["to_value"]),
            "contexts": list(row["contexts"]),
            "counts": {k: int(row[c]) for k, c in zip(_COUNT_KEYS, _COUNT_COLUMNS, strict=True)},
            "summary": {
                "wiserLikelihood": _finite(row["wiser_likelihood"]),
                "entropy": _finite(row["entropy"]),
            },
        }
        for row in table.to_dict("records")
    ]
    return json.dumps({"values": values, "edges": edges}, indent=indent, ensure_ascii=False)

