"""The exception tree of :mod:`rlchf`, documented in one place.

::

    ValueError
    └── RLCHFError                 base of every error this package raises on bad input
        ├── PreferenceDataError    preference data is malformed: a missing or NaN column, a
        │                          label outside {0, 0.5, 1}, a rank gap, a prompt with one
        │                          response, a feature that varies within one annotator, ...
        │                          (the message names the file, the row and the column)
        ├── ModelError             a reward model was used wrongly or a checkpoint is bad: a
        │                          folder without its config, an embedder of another
        │                          dimension, ``predict`` before ``fit``
        └── AggregationError       a voting rule cannot aggregate the data (unknown rule, a
                                   ballot rule given pairwise data, ballots the rule is not
                                   defined on); also a ``socialchoice.SocialChoiceError``

Every message says what was wrong, where (file / row / column) and what was expected.

:class:`AggregationError` derives from both trees, so code catching either sees it. It is
created on first use (PEP 562 ``__getattr__`` below): its second base lives in
``socialchoice``, whose import loads numpy and every voting rule (about 0.4 s), and
``import rlchf`` (and ``from rlchf import RLCHFError``) must stay light. The class is made
once and cached in this module, so it is the same object on every access and pickles by
name.

>>> issubclass(PreferenceDataError, ValueError)
True
>>> import socialchoice
>>> from rlchf._errors import AggregationError
>>> issubclass(AggregationError, RLCHFError), issubclass(AggregationError,
...                                                     socialchoice.SocialChoiceError)
(True, True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["AggregationError", "ModelError", "PreferenceDataError", "RLCHFError"]


class RLCHFError(ValueError):
    """Base class of every input error raised by :mod:`rlchf`."""


class PreferenceDataError(RLCHFError):
    """Preference data is malformed; the message names the row and the column."""


class ModelError(RLCHFError):
    """A reward model was misused (e.g. predict before fit) or a checkpoint is unusable."""


_AGGREGATION_DOC = """A rule cannot aggregate this data (unknown rule, a rule that needs
rankings given pairwise data, ballots the rule is not defined on). Also a
:class:`socialchoice.SocialChoiceError`, so code catching either tree sees it; the message is
socialchoice's, with the prompt (and annotator) it concerns."""

if TYPE_CHECKING:  # pragma: no cover
    from socialchoice._errors import SocialChoiceError

    class AggregationError(RLCHFError, SocialChoiceError):
        """A rule cannot aggregate this data (see the module docstring)."""


def _aggregation_error() -> type[RLCHFError]:
    """Create :class:`AggregationError` (importing socialchoice for its second base)."""
    from socialchoice._errors import SocialChoiceError

    cls = type("AggregationError", (RLCHFError, SocialChoiceError),
               {"__doc__": _AGGREGATION_DOC, "__module__": __name__})
    return cls


def __getattr__(name: str) -> Any:
    """Create :class:`AggregationError` on first access (PEP 562); see the module docstring."""
    if name == "AggregationError":
        cls = globals()["AggregationError"] = _aggregation_error()
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
