"""The exception tree of :mod:`socialchoice`, documented in one place.

::

    ValueError
    └── SocialChoiceError          base of every error this package raises on bad input
        ├── ProfileError           a ballot, a candidate, a count or a rank array is malformed
        ├── MarginError            a margin matrix is not square, finite and antisymmetric
        ├── UnknownRuleError       a rule name is not in the registry (the message lists them)
        ├── RuleInputError         a rule was given data it cannot use (e.g. margins for a
        │                          profile-based rule, ties for a rule defined on linear orders)
        └── PrefLibError           a PrefLib file is malformed (the message names the line)

Every message says what was wrong, where (ballot / line / field) and what was expected.
"""

from __future__ import annotations

__all__ = [
    "MarginError",
    "PrefLibError",
    "ProfileError",
    "RuleInputError",
    "SocialChoiceError",
    "UnknownRuleError",
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
