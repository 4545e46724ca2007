"""The exception tree of :mod:`socialchoice`, documented in one place.

::

    ValueError
    └── SocialChoiceError          base of every error this package raises on bad input
        ├── ProfileError           a ballot, a candidate, a count or a rank array is malformed
        ├── MarginError            a margin matrix is not square, finite and antisymmetric
        ├── UnknownRuleError       a rule name is not in the registry (the message lists them)
        ├── RuleInputError         a rule was given data it cannot use (e.g. margins for a
        │                          profile-based rule, ties for a rule defined on linear orders)
        ├── TimeLimitError         a search that can take exponential time (Kemeny, Slater,
        │                          ranked pairs with tied margins, stable voting) did not finish
        │                          within its ``time_limit`` (the message says how to raise it)
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

from collections.abc import Callable, Sequence
from typing import Any

__all__ = [
    "ApprovalError",
    "GenerativeError",
    "MarginError",
    "PolisError",
    "PrefLibError",
    "ProfileError",
    "RuleInputError",
    "SocialChoiceError",
    "TimeLimitError",
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
    """A rule was given data it cannot use.

    Rules see candidates as indices; an error about particular ballots or candidates may
    carry ``relabel``, a function from the candidate labels to the message with names, which
    :func:`socialchoice.winners` applies when it was given a :class:`~socialchoice.Profile`.
    """

    def __init__(self, message: str, relabel: Callable[[Sequence[Any]], str] | None = None):
        super().__init__(message)
        self.relabel = relabel

    def with_labels(self, labels: Sequence[Any]) -> RuleInputError:
        """The same error with candidates named by ``labels`` (itself if nothing to rename)."""
        if self.relabel is None:
            return self
        return type(self)(self.relabel(labels))

    def __reduce__(self) -> tuple:  # ``relabel`` may be a closure: pickle the message only
        return type(self), (str(self),)


class TimeLimitError(SocialChoiceError):
    """A search did not finish within its ``time_limit`` (seconds).

    Attributes
    ----------
    rule : str
        The rule or function that ran out of time.
    time_limit : float
        The limit it had, in seconds.
    """

    def __init__(self, message: str, rule: str = "", time_limit: float = 0.0):
        super().__init__(message)
        self.rule = rule
        self.time_limit = time_limit

    def __reduce__(self) -> tuple:
        return type(self), (str(self), self.rule, self.time_limit)


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
