"""The exception tree of :mod:`rlchf`, documented in one place.

::

    ValueError
    └── RLCHFError                 base of every error this package raises on bad input
        ├── PreferenceDataError    preference data is malformed: a missing or NaN column, a
        │                          label outside {0, 0.5, 1}, a rank gap, a prompt with one
        │                          response, a feature that varies within one annotator, ...
        │                          (the message names the file, the row and the column)
        └── ModelError             a reward model was used wrongly or a checkpoint is bad: a
                                   folder without its config, an embedder of another
                                   dimension, ``predict`` before ``fit``

Every message says what was wrong, where (file / row / column) and what was expected.

>>> issubclass(PreferenceDataError, ValueError)
True
"""

from __future__ import annotations

__all__ = ["ModelError", "PreferenceDataError", "RLCHFError"]


class RLCHFError(ValueError):
    """Base class of every input error raised by :mod:`rlchf`."""


class PreferenceDataError(RLCHFError):
    """Preference data is malformed; the message names the row and the column."""


class ModelError(RLCHFError):
    """A reward model was misused (e.g. predict before fit) or a checkpoint is unusable."""
