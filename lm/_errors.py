"""The exception tree of :mod:`lm`, documented in one place.

::

    Exception
    └── LMError                    base of every error this package raises
        ├── LMInputError           (also a ValueError) bad messages, options, prompts or
        │                          parameters; the message names the field and what was expected
        ├── ModelNotInstalledError (also an ImportError) a model wheel or an optional
        │                          dependency is missing; the message gives the pip command
        ├── ModelLoadError         a model was found but could not be loaded or converted
        └── EndpointError          an OpenAI-compatible endpoint could not be reached, timed out
                                   or answered with an error or an unusable body

Every message says what was wrong, where, and what to do about it.
"""

from __future__ import annotations

__all__ = [
    "EndpointError",
    "LMError",
    "LMInputError",
    "ModelLoadError",
    "ModelNotInstalledError",
]


class LMError(Exception):
    """Base class of every error raised by :mod:`lm`."""


class LMInputError(LMError, ValueError):
    """Messages, options, prompts or generation parameters are malformed."""


class ModelNotInstalledError(LMError, ImportError):
    """A model wheel or an optional dependency is not installed (the message says how)."""


class ModelLoadError(LMError):
    """A model was found but could not be loaded or converted."""


class EndpointError(LMError):
    """An OpenAI-compatible HTTP endpoint failed: unreachable, timed out or a bad answer."""
