"""The admin token: researchers' pages and actions need ``COLLECTIVE_ADMIN_TOKEN``."""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping

from ._errors import AccessError

__all__ = ["ADMIN_ENV", "admin_configured", "check_admin"]

#: The environment variable holding the admin token.
ADMIN_ENV = "COLLECTIVE_ADMIN_TOKEN"
#: Shortest admin token accepted (characters), so a guessable one is never configured.
MIN_LENGTH = 16


def admin_configured(environ: Mapping[str, str] | None = None) -> bool:
    """True when an admin token of at least 16 characters is set.

    >>> admin_configured({})
    False
    >>> admin_configured({"COLLECTIVE_ADMIN_TOKEN": "correct-horse-battery-staple"})
    True
    """
    token = (os.environ if environ is None else environ).get(ADMIN_ENV, "")
    return len(token) >= MIN_LENGTH


def check_admin(given: object, environ: Mapping[str, str] | None = None) -> None:
    """Raise AccessError unless ``given`` equals the admin token (compared in constant time).

    >>> env = {"COLLECTIVE_ADMIN_TOKEN": "correct-horse-battery-staple"}
    >>> check_admin("correct-horse-battery-staple", env)
    >>> check_admin("guess", env)
    Traceback (most recent call last):
    ...
    deliberation._errors.AccessError: The admin token is not correct.
    """
    if not admin_configured(environ):
        raise AccessError(
            f"No admin token is set: start the app with {ADMIN_ENV} set to a secret of at "
            f"least {MIN_LENGTH} characters."
        )
    expected = (os.environ if environ is None else environ)[ADMIN_ENV]
    if not isinstance(given, str) or not hmac.compare_digest(
        given.encode("utf-8"), expected.encode("utf-8")
    ):
        raise AccessError("The admin token is not correct.")
