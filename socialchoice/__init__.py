"""Social choice for collective alignment: profiles, margins and voting rules.

The public surface is re-exported here; the modules behind it are private except
:mod:`socialchoice.generate`, :mod:`socialchoice.rules` and :mod:`socialchoice.io`.

Examples
--------
>>> import socialchoice as sc
>>> p = sc.Profile([["a", "b", "c"], ["b", "c", "a"]], counts=[3, 2])
>>> sc.winners(p, "copeland")
['a']
"""

from . import bridging, committee, generate, rules  # noqa: F401  (rules fills RULES)
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
from .bridging import read_polis
from .io import read_preflib, read_profile, write_preflib
from .profile import Profile
from .rules.optimal import maximal_lottery

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
    "write_preflib",
]
