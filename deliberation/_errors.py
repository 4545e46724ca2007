"""The exception tree of :mod:`deliberation`.

``DeliberationError`` is the root. Callers catch:

- :class:`AccessError` (also a ``PermissionError``): an unknown token, a token of another
  deliberation, an item of another deliberation, an admin action without the admin token.
  Nothing is read or written.
- :class:`AnswerError` (also a ``ValueError``): an answer that is not valid — a text too long
  or empty, a verdict or vote outside its set, an unknown statement, a ranking that is not a
  permutation of the prompt's answers. It names the field and what was expected.
- :class:`ClosedError`: the deliberation is closed; nothing is written.
- :class:`RateLimitError`: the participant wrote too often; retry after ``retry_after`` s.
- :class:`ImportDataError` (also a ``ValueError``): an import file that is rejected whole,
  with the table, row and column at fault; nothing is written.
"""

from __future__ import annotations

__all__ = [
    "AccessError",
    "AnswerError",
    "ClosedError",
    "DeliberationError",
    "ImportDataError",
    "RateLimitError",
]


class DeliberationError(Exception):
    """Root of the errors raised by the deliberation service layer."""


class AccessError(DeliberationError, PermissionError):
    """A token or an id that does not grant access to what was asked."""


class AnswerError(DeliberationError, ValueError):
    """A participant's or an admin's answer that is not valid."""


class ClosedError(DeliberationError):
    """The deliberation is closed to new answers."""


class RateLimitError(DeliberationError):
    """Too many writes by one participant in a short time."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ImportDataError(DeliberationError, ValueError):
    """An import that is rejected whole."""
