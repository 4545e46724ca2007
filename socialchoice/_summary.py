"""One profile under every rule: the table the CLI's ``vote`` and the app's Voting page show.

:func:`summarize` runs each rule on its own: a rule that cannot handle the ballots, fails or
runs out of time gets a note ``"n/a — reason"`` and the others are still reported. Front
ends render the :class:`Summary` it returns; none of them computes anything itself.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from _common.progress import Progress, steps

from ._errors import SocialChoiceError, TimeLimitError
from ._registry import DEFAULT_TIME_LIMIT, RULES, get_rule, rule_names, winners
from ._timelimit import check_time_limit
from .profile import Profile

if TYPE_CHECKING:  # pandas is only needed by Summary.to_frame
    import pandas as pd

__all__ = ["RuleResult", "Summary", "summarize"]

Status = Literal["ok", "n/a", "time limit"]


@dataclass(frozen=True)
class RuleResult:
    """The outcome of one rule on one profile.

    Attributes
    ----------
    rule, family : str
        The rule's registry name and family.
    winners : tuple or None
        The winning candidates' labels, in candidate order; ``None`` if the rule gave no
        answer (see ``note``).
    note : str
        ``""``, ``"tie of k"`` or ``"n/a — reason"``.
    status : {"ok", "n/a", "time limit"}
        ``"n/a"``: the rule cannot handle these ballots or failed; ``"time limit"``: its
        search did not finish within the time limit.
    summary, reference : str
        What the rule does, and the paper or book section that defines it.
    """

    rule: str
    family: str
    winners: tuple | None
    note: str
    status: Status
    summary: str
    reference: str

    def to_dict(self) -> dict[str, Any]:
        """Plain data: ``rule, family, winners`` (a list or None), ``note, status``."""
        won = None if self.winners is None else list(self.winners)
        return {"rule": self.rule, "family": self.family, "winners": won, "note": self.note,
                "status": self.status}


@dataclass(frozen=True)
class Summary:
    """A profile, its majority margins and its winners under many rules.

    Attributes
    ----------
    candidates : tuple
        Candidate labels.
    num_voters : int or float
        Total weight of the ballots.
    num_ballots : int
        Number of distinct ballots.
    is_linear : bool
        Whether every ballot is a strict, complete ranking.
    margins : ndarray, shape (m, m)
        ``margins[a, b]``: voters ranking ``a`` above ``b`` minus those ranking ``b`` above
        ``a``.
    condorcet_winner : label or None
        The candidate beating every other by a strict majority, if any.
    smith_set : tuple or None
        The top cycle (``None`` when no ``smith`` rule is registered).
    results : tuple of RuleResult
        One per rule, in the order asked for.
    time_limit : float or None
        Seconds each rule's search was allowed.
    """

    candidates: tuple
    num_voters: int | float
    num_ballots: int
    is_linear: bool
    margins: NDArray
    condorcet_winner: Hashable | None
    smith_set: tuple | None
    results: tuple[RuleResult, ...]
    time_limit: float | None

    def to_dict(self) -> dict[str, Any]:
        """Plain (JSON-ready) data: ``profile``, ``condorcet_winner``, ``smith_set``,
        ``time_limit`` and ``results`` (one dict per rule, see :meth:`RuleResult.to_dict`);
        the margins are left out (they are :attr:`margins`)."""
        return {
            "profile": {
                "candidates": list(self.candidates),
                "num_voters": self.num_voters,
                "num_ballots": self.num_ballots,
                "is_linear": self.is_linear,
            },
            "condorcet_winner": self.condorcet_winner,
            "smith_set": None if self.smith_set is None else list(self.smith_set),
            "time_limit": self.time_limit,
            "results": [r.to_dict() for r in self.results],
        }

    def to_frame(self) -> pd.DataFrame:
        """The per-rule table as a :class:`pandas.DataFrame` (pandas must be installed).

        Columns ``rule, family, winners, note, status, summary, reference``; ``winners``
        holds the labels joined by ``", "`` (empty when the rule gave no answer).
        """
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - pandas ships with the app and test extras
            raise ImportError("Summary.to_frame needs pandas: pip install pandas.") from None
        rows = [
            {
                "rule": r.rule,
                "family": r.family,
                "winners": "" if r.winners is None else ", ".join(str(c) for c in r.winners),
                "note": r.note,
                "status": r.status,
                "summary": r.summary,
                "reference": r.reference,
            }
            for r in self.results
        ]
        columns = ["rule", "family", "winners", "note", "status", "summary", "reference"]
        return pd.DataFrame(rows, columns=columns)


def _run_rule(profile: Profile, name: str, time_limit: float | None) -> RuleResult:
    """One rule's :class:`RuleResult`; every exception the rule raises becomes a note."""
    rule = RULES[name]
    won: tuple | None = None
    status: Status = "ok"
    try:
        won = tuple(winners(profile, name, time_limit=time_limit))
    except TimeLimitError as exc:
        status, note = "time limit", f"n/a — did not finish within {exc.time_limit:g} s"
    except SocialChoiceError as exc:
        status, note = "n/a", f"n/a — {exc}"
    except Exception as exc:  # one failing rule must not hide the others
        status, note = "n/a", f"n/a — {name} failed: {type(exc).__name__}: {exc}"
    else:
        note = f"tie of {len(won)}" if len(won) > 1 else ""
    return RuleResult(name, rule.family, won, note, status, rule.summary, rule.reference)


def summarize(
    profile: Profile,
    rules: Sequence[str] | None = None,
    *,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    progress: Progress = None,
) -> Summary:
    """Winners of one profile under many rules, with notes, and a summary of the profile.

    Every rule runs on its own: one that cannot handle the ballots (e.g. a rule defined on
    strict rankings given ties), fails, or does not finish within ``time_limit`` gets
    ``winners=None`` and a note ``"n/a — reason"``; the others are still reported.

    Parameters
    ----------
    profile : Profile
        The ballots.
    rules : sequence of str, optional
        Rule names (duplicates dropped); default every registered rule, in
        :func:`~socialchoice.rule_names` order.
    time_limit : float or None, default 10
        Seconds each rule whose search can take exponential time may run (``None``: no
        limit).
    progress : callable, optional
        Called as ``progress(done, total)`` with the number of rules run so far.

    Returns
    -------
    Summary
        With ``.to_dict()`` (plain data) and ``.to_frame()`` (a pandas table).

    Raises
    ------
    UnknownRuleError
        A name in ``rules`` is not a registered rule.

    Examples
    --------
    >>> import socialchoice as sc
    >>> p = sc.Profile([["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"]])
    >>> s = sc.summarize(p, ["copeland", "borda", "plurality"])
    >>> s.condorcet_winner is None, s.smith_set
    (True, ('a', 'b', 'c'))
    >>> [(r.rule, r.winners, r.note) for r in s.results]
    [('copeland', ('a', 'b', 'c'), 'tie of 3'), ('borda', ('a', 'b', 'c'), 'tie of 3'),
     ('plurality', ('a', 'b', 'c'), 'tie of 3')]
    >>> tied = sc.Profile([[("a", "b"), "c"], ["c", "a", "b"]])
    >>> sc.summarize(tied, ["plurality"]).results[0].note
    'n/a — Plurality needs one first choice per ballot, but ballot 1 ties a and b first...'
    """
    if not isinstance(profile, Profile):
        raise SocialChoiceError(
            f"summarize takes a Profile; got {type(profile).__name__}. Read ballots with "
            "socialchoice.read_profile or build a socialchoice.Profile."
        )
    time_limit = check_time_limit(time_limit, "summarize")
    names = rule_names() if rules is None else [get_rule(r).name for r in rules]
    todo = list(dict.fromkeys(names))
    results = tuple(_run_rule(profile, todo[i], time_limit) for i, _ in steps(len(todo), progress))
    smith = tuple(winners(profile, "smith")) if "smith" in RULES else None
    return Summary(
        candidates=tuple(profile.candidates),
        num_voters=profile.num_voters,
        num_ballots=len(profile),
        is_linear=profile.is_linear,
        margins=np.array(profile.margin_matrix()),
        condorcet_winner=profile.condorcet_winner(),
        smith_set=smith,
        results=results,
        time_limit=time_limit,
    )
