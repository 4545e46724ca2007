"""The exception tree of :mod:`moralgraph`, documented in one place.

::

    ValueError
    └── MoralGraphError        base of every error this package raises on bad input: a value
                               card, context or vote with a missing, empty or wrongly typed
                               field, a verdict outside ``VERDICTS``, a self-loop, a vote or
                               card naming an unknown value or context, a repeated value or
                               context id, a table with a missing column or a bad cell, a
                               malformed or unknown-version JSON document

Every message says what was wrong, where (vote position, table row and column, JSON line and
column or path) and what was expected.
"""

from __future__ import annotations

__all__ = ["MoralGraphError"]


class MoralGraphError(ValueError):
    """Base class of every input error raised by :mod:`moralgraph`."""
