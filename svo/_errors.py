"""The exception tree of :mod:`svo`, documented in one place.

::

    ValueError
    └── SVOError               base of every error this package raises on bad input
        ├── ChoiceError        an answer is not on the form: an option index outside 0–8,
        │                      a (self, other) pair that is not on the item's line, a
        │                      non-numeric cell, the wrong number of items
        │                      (the message names the row and the item column)
        └── SurveyError        a survey file or table is malformed: unreadable file, missing
                               required columns, duplicate respondent ids, a long-format
                               row naming an unknown item (names file, row and column)

Every message says what was wrong, where (row / column) and what was expected.
"""

from __future__ import annotations

__all__ = ["ChoiceError", "SVOError", "SurveyError"]


class SVOError(ValueError):
    """Base class of every input error raised by :mod:`svo`."""


class ChoiceError(SVOError):
    """An answer is not an allocation the slider form offers."""


class SurveyError(SVOError):
    """A survey file or table is malformed."""
