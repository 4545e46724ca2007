"""The exception tree of :mod:`socialchoice`, documented in one place.

::

    ValueError
    └── SocialChoiceError          base of every error this package raises on bad input
        ├── ProfileError           a ballot, a candidate, a count or a rank array is malformed
        ├── MarginError            a margin matrix is not square, finite and antisymmetric
        ├── UnknownRuleError       a rule name is not in the registry (the message lists them)
        ├── RuleInputError         a rule was given data it cannot use (e.g. margins for a
        │                          profile-based rule, ties for a rule defined on linear orders)
        ├── PrefLibError           a PrefLib file is malformed (the message names the line)
        ├── ApprovalError          an approval / utility matrix, voter weights, a committee or
        │                          the committee size k is malformed (names row, column, value)
        ├── VoteMatrixError        an agree/disagree vote matrix has values outside
        │                          {-1, 0, +1, NaN} or a group vector of the wrong length
        ├── PolisError             a Polis export folder is missing a file or a file is malformed
        │                          (the message names file, line and column)
        └── GenerativeError        a generative-social-choice input or oracle answer is malformed:
                                   agents, k, a utility outside the rating scale or NaN, an
                                   empty generated statement, ratings of the wrong shape

Every message says what was wrong, where (ballot / line / field) and what was expected.
"""

from __future__ import annotations

__all__ = [
    "ApprovalError",
    "GenerativeError",
    "MarginError",
    "PolisError",
    "PrefLibError",
    "ProfileError",
    "RuleInputError",
    "SocialChoiceError",
    "UnknownRuleError",
    "VoteMatrixError",
]


class SocialChoiceError(ValueError):
    """Base class of every input error raised by :mod:`socialchoice`."""


class ProfileError(SocialChoiceError):
    """A ballot, candidate, count or rank array is malformed."""


class MarginError(SocialChoiceError):
    """A margin matrix is not square, finite and antisymmetric."""


class UnknownRuleError(SocialChoiceError, KeyError):
    """A rule name is not in :data:`socialchoice.RULES`."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class RuleInputError(SocialChoiceError):
    """A rule was given data it cannot use."""


class PrefLibError(SocialChoiceError):
    """A PrefLib file is malformed; the message names the file and line."""


class ApprovalError(SocialChoiceError):
    """An approval or utility matrix, voter weights, a committee or ``k`` is malformed."""


class VoteMatrixError(SocialChoiceError):
    """An agree/disagree vote matrix or its group vector is malformed."""


class PolisError(SocialChoiceError):
    """A Polis export folder is incomplete or one of its files is malformed."""


class GenerativeError(SocialChoiceError):
    """A generative-social-choice input, rater rating or generated statement is malformed."""
