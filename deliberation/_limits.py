"""Limits that keep a public link safe: text lengths, write rates, duplicate statements.

Every text a participant or an admin types passes :func:`clean_text` (stripped, bounded,
never empty unless allowed). Nothing here renders text: pages show participant text as plain
text only (see ``deliberation/pages/_ui.py``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from ._errors import AnswerError, RateLimitError

__all__ = ["LIMITS", "Limits", "check_rate", "clean_text", "fingerprint"]


@dataclass(frozen=True)
class Limits:
    """Length and rate limits (characters, writes, seconds); one instance per Store."""

    title: int = 120
    description: int = 1000
    policy: int = 200
    policies: int = 8
    statement: int = 280
    reason: int = 500
    message: int = 2000
    survey_answer: int = 1000
    chat_turns: int = 12
    chat_characters: int = 12_000
    writes_per_window: int = 120
    window_seconds: float = 60.0


LIMITS = Limits()


def clean_text(value: Any, field: str, limit: int, *, allow_empty: bool = False) -> str:
    """``value`` stripped of surrounding white space and control characters, checked.

    >>> clean_text("  Care for the person  ", "title", 120)
    'Care for the person'
    >>> clean_text("", "title", 120)  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    deliberation._errors.AnswerError: The 'title' field must be a non-empty text of at most
    120 characters. Got '' instead.
    """
    expected = f"a {'' if allow_empty else 'non-empty '}text of at most {limit} characters"
    if not isinstance(value, str):
        raise AnswerError(f"The {field!r} field must be {expected}. Got {type(value).__name__}.")
    text = "".join(
        ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc"
    ).strip()
    if (not text and not allow_empty) or len(text) > limit:
        shown = repr(text) if len(text) <= 40 else f"{len(text)} characters"
        raise AnswerError(f"The {field!r} field must be {expected}. Got {shown} instead.")
    return text


def fingerprint(text: str) -> str:
    """A key equal for statements that differ only in case, spacing and punctuation.

    >>> fingerprint("Be kind!") == fingerprint("  be   KIND ")
    True
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    words = re.findall(r"\w+", folded)
    return sha256(" ".join(words).encode()).hexdigest()


def check_rate(participant: Any, now: float, limits: Limits = LIMITS) -> None:
    """Count one write of ``participant`` in its fixed window, or raise RateLimitError.

    The window lives on the participant's row, so the limit holds across app instances.
    """
    if now - participant.window_start >= limits.window_seconds:
        participant.window_start = now
        participant.window_writes = 0
    if participant.window_writes >= limits.writes_per_window:
        wait = limits.window_seconds - (now - participant.window_start)
        raise RateLimitError(
            f"Too many answers in a short time: please wait {wait:.0f} s and try again.",
            retry_after=wait,
        )
    participant.window_writes += 1
