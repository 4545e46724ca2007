"""The one check of a ``context``/``contexts`` argument naming contexts of a moral graph.

Used by :meth:`MoralGraph.scores`, ``edge_summary``, ``wisest``, ``support_level``,
``legitimacy``, ``subgraph`` (and, through the two thin wrappers kept in
:mod:`moralgraph._scoring` and :mod:`moralgraph._views`, by the export and target
functions), so every method refuses a bad context with the same message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from _common.validation import parameter_error, show

from ._errors import MoralGraphError

if TYPE_CHECKING:  # pragma: no cover
    from ._graph import MoralGraph

__all__ = ["context_ids"]


def context_ids(
    graph: MoralGraph, context: Any, func: str, *, name: str = "context",
    allow_none: bool = True,
) -> list[str] | None:
    """``context`` as a list of known context ids (duplicates dropped, order kept), or None.

    Parameters
    ----------
    graph : MoralGraph
    context : None, str or sequence of str
        One context id or a non-empty list or tuple of ids; None (if ``allow_none``) means
        every context and is returned as None.
    func : str
        The public function checking its argument (named in the message).
    name : str, default "context"
        The parameter's name (named in the message).
    allow_none : bool, default True
        Whether None is accepted.

    Raises
    ------
    MoralGraphError
        ``context`` is not an id or a non-empty list or tuple of string ids, or names a
        context the graph does not have.

    Examples
    --------
    >>> from moralgraph import MoralGraph
    >>> g = MoralGraph([], [], ["distress", "grief"])
    >>> context_ids(g, ("grief", "grief"), "scores"), context_ids(g, None, "scores")
    (['grief'], None)
    >>> context_ids(g, "joy", "scores")
    Traceback (most recent call last):
    ...
    moralgraph._errors.MoralGraphError: The 'context' parameter of scores must name contexts \
of the graph ('distress', 'grief'). Got the unknown context 'joy' instead.
    """
    if context is None and allow_none:
        return None
    ids = list(context) if isinstance(context, list | tuple) else [context]
    if not ids or not all(isinstance(c, str) for c in ids):
        expected = "a context id or a non-empty list of context ids"
        if allow_none:
            expected = "None, " + expected
        raise parameter_error(name, func, expected, context, MoralGraphError)
    known = [c.id for c in graph.contexts]
    known_set = set(known)
    unknown = [c for c in ids if c not in known_set]
    if unknown:
        listed = ", ".join(map(repr, known[:10])) + (", ..." if len(known) > 10 else "")
        raise MoralGraphError(
            f"The {name!r} parameter of {func} must name contexts of the graph "
            f"({listed or 'it has none'}). Got the unknown context {show(unknown[0])} instead."
        )
    return list(dict.fromkeys(ids))
