"""Social choice for collective alignment: profiles, margins and voting rules.

The public surface is re-exported here; the modules behind it are private except
:mod:`socialchoice.generate`, :mod:`socialchoice.rules` and :mod:`socialchoice.io`.
The subpackages :mod:`socialchoice.bridging` and :mod:`socialchoice.committee`, the module
:mod:`socialchoice.generate` and :func:`read_polis` are imported on first use (``sc.committee``
works as usual), so ``import socialchoice`` loads only the ranked rules, which fill
:data:`RULES`. :func:`winners_table` and :func:`margins_table` (which need pandas) are
imported on first use too.

Examples
--------
>>> import socialchoice as sc
>>> p = sc.Profile([["a", "b", "c"], ["b", "c", "a"]], counts=[3, 2])
>>> sc.winners(p, "copeland")
['a']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from _common.lazy import lazy_exports

from . import rules  # noqa: F401  (rules fills RULES)
from ._errors import (
    ApprovalError,
    GenerativeError,
    MarginError,
    PolisError,
    PrefLibError,
    ProfileError,
    RuleInputError,
    SocialChoiceError,
    TimeLimitError,
    UnknownRuleError,
    VoteMatrixError,
)
from ._margins import margins
from ._registry import (
    DEFAULT_TIME_LIMIT,
    FAMILIES,
    RULES,
    Rule,
    ranking,
    rule_names,
    winner_mask,
    winners,
    winners_by_rule,
)
from ._summary import RuleResult, Summary, summarize
from .io import read_preflib, read_profile, write_preflib
from .profile import Profile
from .rules.optimal import maximal_lottery

if TYPE_CHECKING:  # pragma: no cover
    from . import bridging, committee, generate  # noqa: F401
    from ._elections import margins_table, winners_table
    from .bridging import read_polis

#: Names imported on first use: name -> (module, attribute or None for the module itself).
_LAZY: dict[str, tuple[str, str | None]] = {
    "bridging": ("socialchoice.bridging", None),
    "committee": ("socialchoice.committee", None),
    "generate": ("socialchoice.generate", None),
    "read_polis": ("socialchoice.bridging", "read_polis"),
    "margins_table": ("socialchoice._elections", "margins_table"),
    "winners_table": ("socialchoice._elections", "winners_table"),
}

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())


__all__ = [
    "DEFAULT_TIME_LIMIT",
    "FAMILIES",
    "RULES",
    "ApprovalError",
    "GenerativeError",
    "MarginError",
    "PolisError",
    "PrefLibError",
    "Profile",
    "ProfileError",
    "Rule",
    "RuleInputError",
    "RuleResult",
    "SocialChoiceError",
    "Summary",
    "TimeLimitError",
    "UnknownRuleError",
    "VoteMatrixError",
    "bridging",
    "committee",
    "margins",
    "margins_table",
    "maximal_lottery",
    "ranking",
    "read_polis",
    "read_preflib",
    "read_profile",
    "rule_names",
    "summarize",
    "winner_mask",
    "winners",
    "winners_by_rule",
    "winners_table",
    "write_preflib",
]
