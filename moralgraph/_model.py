"""The records of a moral graph: value cards, contexts and "wiser than" votes.

All three are frozen dataclasses: immutable, hashable, compared field by field, and checked
on construction (a bad field raises :class:`~moralgraph.MoralGraphError` naming it). Each has
``to_dict`` / ``from_dict`` for the JSON schema of :meth:`moralgraph.MoralGraph.to_json`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import MISSING, dataclass, fields
from typing import Any

from _common.validation import check_choice, parameter_error, show

from ._errors import MoralGraphError

__all__ = ["VERDICTS", "Context", "ValueCard", "WiserVote"]

VERDICTS: tuple[str, ...] = ("wiser", "not_wiser", "unsure")
"""The answers to "is moving from value A to value B a gain in wisdom in this context?"."""


def _text(value: Any, name: str, owner: str, *, empty: bool = False) -> str:
    """``value`` if it is a string (non-blank unless ``empty``), else a MoralGraphError."""
    if not isinstance(value, str) or (not empty and not value.strip()):
        expected = "a string" if empty else "a non-empty string"
        raise parameter_error(name, owner, expected, value, MoralGraphError)
    return value


def _texts(value: Any, name: str, owner: str) -> tuple[str, ...]:
    """``value`` (a list or tuple of non-empty strings, not one string) as a tuple."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise parameter_error(
            name, owner, "a list or tuple of non-empty strings", value, MoralGraphError
        )
    items = tuple(value)
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            expected = f"a list or tuple of non-empty strings; item {i} (0-based) is {show(item)}"
            raise parameter_error(name, owner, expected, items, MoralGraphError)
    return items


def _from_dict(cls: type, data: Any) -> Any:
    """``cls(**data)`` after checking that ``data`` is a mapping with exactly the right keys."""
    if not isinstance(data, Mapping):
        raise MoralGraphError(
            f"A {cls.__name__} must be given as a JSON object (a dict). Got {show(data)} instead."
        )
    names = [f.name for f in fields(cls)]
    required = [f.name for f in fields(cls) if f.default is MISSING]
    missing = [n for n in required if n not in data]
    unknown = [k for k in data if k not in names]
    if missing or unknown:
        problem = f"lacks the field {missing[0]!r}" if missing else ""
        if unknown:
            problem += (" and " if missing else "") + f"has the unknown field {unknown[0]!r}"
        raise MoralGraphError(
            f"A {cls.__name__} object {problem}; the expected fields are "
            f"{', '.join(map(repr, names))}."
        )
    return cls(**data)



@dataclass(frozen=True)
class Context:
    """A situation in which values are judged, e.g. ``"When the user is in distress"``.

    Parameters
    ----------
    id : str
        A short non-empty identifier; votes and cards refer to the context by it.
    text : str
        The context as shown to participants (and embedded to match prompts); defaults to
        the id.

    Examples
    --------
    >>> Context("distress")
    Context(id='distress', text='distress')
    >>> Context.from_dict(Context("distress", "When the user is in distress").to_dict())
    Context(id='distress', text='When the user is in distress')
    """

    id: str
    text: str | None = None

    def __post_init__(self) -> None:
        _text(self.id, "id", "Context")
        object.__setattr__(self, "text", self.id if self.text is None else self.text)
        _text(self.text, "text", "Context")

    def to_dict(self) -> dict[str, Any]:
        """The context as a JSON-ready dict ``{"id", "text"}``."""
        return {"id": self.id, "text": self.text}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Context:
        """The context from :meth:`to_dict`'s output (unknown or missing keys are errors)."""
        return _from_dict(cls, data)


@dataclass(frozen=True)
class ValueCard:
    """A value as a participant articulated it.

    Parameters
    ----------
    id : str
        A non-empty identifier, unique within a graph; votes refer to the card by it.
    title : str
        A short non-empty title.
    description : str
        A sentence or two saying what the value is (may be empty).
    policies : list or tuple of str
        The attentional policies: short phrases naming what a person with this value attends
        to when choosing. Stored as a tuple, so a card is hashable.
    authors : list or tuple of str, default ()
        The participants who wrote or adopted the card.
    context : str or None, default None
        The id of the context the card was articulated in, if any.

    Examples
    --------
    >>> card = ValueCard("v1", "Informed autonomy", "Help the person choose for themselves.",
    ...                  ["the options the person has", "what the person already knows"])
    >>> card.policies
    ('the options the person has', 'what the person already knows')
    >>> ValueCard.from_dict(card.to_dict()) == card, hash(card) == hash(card)
    (True, True)
    """

    id: str
    title: str
    description: str
    policies: tuple[str, ...]
    authors: tuple[str, ...] = ()
    context: str | None = None

    def __post_init__(self) -> None:
        _text(self.id, "id", "ValueCard")
        _text(self.title, "title", "ValueCard")
        _text(self.description, "description", "ValueCard", empty=True)
        object.__setattr__(self, "policies", _texts(self.policies, "policies", "ValueCard"))
        object.__setattr__(self, "authors", _texts(self.authors, "authors", "ValueCard"))
        if self.context is not None:
            _text(self.context, "context", "ValueCard")

    def to_dict(self) -> dict[str, Any]:
        """The card as a JSON-ready dict (tuples become lists)."""
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "policies": list(self.policies),
            "authors": list(self.authors),
            "context": self.context,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ValueCard:
        """The card from :meth:`to_dict`'s output (unknown or missing keys are errors)."""
        return _from_dict(cls, data)


@dataclass(frozen=True)
class WiserVote:
    """One participant's judgement of the move from one value to another in a context.

    Parameters
    ----------
    participant : str
        Who voted (a non-empty id).
    from_value, to_value : str
        The ids of the value moved from and the value moved to; they must differ.
    context : str
        The id of the context the move was judged in.
    verdict : {"wiser", "not_wiser", "unsure"}
        Whether moving from ``from_value`` to ``to_value`` is a gain in wisdom.
    reason : str or None, default None
        The participant's optional explanation.

    Examples
    --------
    >>> WiserVote("ann", "v1", "v2", "distress", "wiser").verdict
    'wiser'
    >>> WiserVote("ann", "v1", "v1", "distress", "wiser")
    Traceback (most recent call last):
    ...
    moralgraph._errors.MoralGraphError: The 'to_value' parameter of WiserVote must be ...
    """

    participant: str
    from_value: str
    to_value: str
    context: str
    verdict: str
    reason: str | None = None

    def __post_init__(self) -> None:
        for name in ("participant", "from_value", "to_value", "context"):
            _text(getattr(self, name), name, "WiserVote")
        if self.to_value == self.from_value:
            raise parameter_error(
                "to_value", "WiserVote", f"different from from_value ({self.from_value!r}): "
                "a vote cannot compare a value with itself", self.to_value, MoralGraphError,
            )
        check_choice(self.verdict, "verdict", "WiserVote", VERDICTS, error=MoralGraphError)
        if self.reason is not None:
            _text(self.reason, "reason", "WiserVote", empty=True)

    def to_dict(self) -> dict[str, Any]:
        """The vote as a JSON-ready dict."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WiserVote:
        """The vote from :meth:`to_dict`'s output (unknown or missing keys are errors)."""
        return _from_dict(cls, data)
