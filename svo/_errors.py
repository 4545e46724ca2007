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

Every message says what was wrong, where (row / column) and what was expected. When a message
suggests a setting (``errors='coerce'``, ``option_base=1``), the error lists it in
:attr:`SVOError.settings`, so a front end can name its own control instead
(:meth:`SVOError.worded`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["ChoiceError", "SVOError", "SurveyError"]


class SVOError(ValueError):
    """Base class of every input error raised by :mod:`svo`.

    Attributes
    ----------
    settings : tuple of (str, object)
        The parameter settings the message suggests, e.g. ``(("errors", "coerce"),)``; the
        message writes each as ``name=value`` (``errors='coerce'``).

    Examples
    --------
    >>> err = SVOError("Bad answer. To drop it, set errors='coerce'.",
    ...                settings=[("errors", "coerce")])
    >>> err.worded({"errors='coerce'": "--errors coerce"})
    'Bad answer. To drop it, set --errors coerce.'
    """

    def __init__(self, message: str = "", *, settings: Any = ()) -> None:
        super().__init__(message)
        self.settings: tuple[tuple[str, Any], ...] = tuple(
            (str(name), value) for name, value in settings
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), str(self), self.settings))

    def worded(self, controls: Mapping[str, str]) -> str:
        """The message with each suggested setting named as a front end's control.

        ``controls`` maps a setting as the message writes it (``"errors='coerce'"``,
        ``"option_base=1"``) to the words for the front end's control; settings it does not
        name keep their API words.
        """
        text = str(self)
        for name, value in self.settings:
            phrase = f"{name}={value!r}"
            if phrase in controls:
                text = text.replace(phrase, controls[phrase])
        return text


def _rebuild(cls: type[SVOError], message: str, settings: Any) -> SVOError:
    return cls(message, settings=settings)


class ChoiceError(SVOError):
    """An answer is not an allocation the slider form offers."""


class SurveyError(SVOError):
    """A survey file or table is malformed."""
