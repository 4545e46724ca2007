"""What the service layer returns: plain frozen records, never database rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["STEPS", "ContextInfo", "DeliberationInfo", "ParticipantInfo", "Progress"]

#: Every step a deliberation can enable, in the order participants take them.
STEPS = (
    "consent",
    "demographics",
    "chat",
    "value_card",
    "wiser",
    "statements",
    "rankings",
    "svo",
    "thanks",
)


@dataclass(frozen=True)
class ContextInfo:
    """A context of a deliberation: its key (shown and used as the moral-graph id) and text."""

    id: int
    key: str
    text: str


@dataclass(frozen=True)
class DeliberationInfo:
    """A deliberation as participants and pages see it."""

    id: int
    title: str
    question: str
    contexts: tuple[ContextInfo, ...]
    steps: tuple[str, ...]
    demographics: tuple[dict[str, Any], ...]
    consent_text: str
    consent_version: int
    is_open: bool
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ParticipantInfo:
    """A participant's own record (reached through their token only)."""

    id: int
    deliberation_id: int
    features: dict[str, Any]
    xid: str | None
    consent_version: int | None
    consented_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True)
class Progress:
    """Where a participant stands: the step to show next and the steps behind them."""

    step: str
    steps: tuple[str, ...]
    done: tuple[str, ...]

    @property
    def index(self) -> int:
        """Position of :attr:`step` in :attr:`steps` (0-based)."""
        return self.steps.index(self.step)

    @property
    def finished(self) -> bool:
        """True once every step before "thanks" is done."""
        return self.step == "thanks"
