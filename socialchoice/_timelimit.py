"""Time limits of the searches that can take exponential time (private).

Kemeny and Slater (an integer program), ranked pairs with tied margins (a search over
stacks) and stable voting (a recursion over sub-elections) take a ``time_limit`` in seconds,
by default :data:`DEFAULT_TIME_LIMIT`; ``None`` means no limit. A search that runs out of
time raises :class:`~socialchoice.TimeLimitError`, never a partial or guessed answer.

>>> clock = Clock(None, "kemeny")
>>> clock.left()
inf
>>> Clock(0, "kemeny").check()
Traceback (most recent call last):
...
socialchoice._errors.TimeLimitError: kemeny did not finish within its time limit of 0 s; ...
"""

from __future__ import annotations

import math
import time

from _common.validation import check_float

from ._errors import RuleInputError, TimeLimitError

__all__ = ["DEFAULT_TIME_LIMIT", "Clock", "check_time_limit"]

#: Seconds a search may run before it raises :class:`~socialchoice.TimeLimitError`.
DEFAULT_TIME_LIMIT = 10.0


def check_time_limit(time_limit: object, func: str) -> float | None:
    """``time_limit`` as a non-negative number of seconds, or ``None`` (no limit).

    >>> check_time_limit(2, "kemeny"), check_time_limit(None, "kemeny")
    (2.0, None)
    >>> check_time_limit(-1, "kemeny")
    Traceback (most recent call last):
    ...
    socialchoice._errors.RuleInputError: The 'time_limit' parameter of kemeny must be ...
    """
    if time_limit is None:
        return None
    return check_float(time_limit, "time_limit", func, 0.0, error=RuleInputError)


class Clock:
    """The remaining time of one search; :meth:`check` raises once it is spent.

    Parameters
    ----------
    limit : float or None
        Seconds allowed from now; ``None`` for no limit.
    rule : str
        The rule's name, for the error message.
    """

    def __init__(self, limit: float | None, rule: str) -> None:
        self.limit = check_time_limit(limit, rule)
        self.rule = rule
        self.end = None if self.limit is None else time.monotonic() + self.limit

    def left(self) -> float:
        """Seconds left (``inf`` without a limit); raises once the budget is spent."""
        if self.end is None:
            return math.inf
        left = self.end - time.monotonic()
        if left <= 0:
            self.fail()
        return left

    def check(self) -> None:
        """Raise :class:`~socialchoice.TimeLimitError` if the time is up."""
        if self.end is not None and time.monotonic() >= self.end:
            self.fail()

    def fail(self) -> None:
        """Raise the :class:`~socialchoice.TimeLimitError` of this search."""
        limit = 0.0 if self.limit is None else self.limit
        raise TimeLimitError(
            f"{self.rule} did not finish within its time limit of {limit:g} s; pass a larger "
            "time_limit (in seconds), or time_limit=None for no limit, to get the exact answer.",
            rule=self.rule,
            time_limit=limit,
        )
