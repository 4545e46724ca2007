"""The deliberation app's back end: the database, its migrations and the service layer.

Pages (:mod:`deliberation.pages`, rendered by ``app.py``) call :class:`Store` and nothing
else: every read and write a participant or a researcher makes, one transaction each, on
SQLite (default, a file under ``data/``) or PostgreSQL (``DATABASE_URL``). The pages hold
no SQL and no domain maths: they show what the store and the domain packages
(:mod:`moralgraph`, :mod:`socialchoice`, :mod:`svo`, :mod:`rlchf`) return.

The exception tree is documented in :mod:`deliberation._errors`.
"""

from ._admin import ADMIN_ENV, admin_configured, check_admin
from ._analysis import (
    COMPARED_RULES,
    PromptRankings,
    compare_rules,
    margin_frame,
    rule_ranking,
    top_values_graph,
    trl_pairs,
)
from ._demo import seed_demo
from ._editing import draft_answers, parse_contexts, parse_form, parse_lines, split_answers
from ._errors import (
    AccessError,
    AnswerError,
    ClosedError,
    DeliberationError,
    ImportDataError,
    RateLimitError,
)
from ._limits import LIMITS, Limits
from ._monitoring import Monitoring
from ._records import STEPS, ContextInfo, DeliberationInfo, ParticipantInfo, Progress
from ._setup import demographic_features
from ._store import DEFAULT_URL, Store

__all__ = [
    "ADMIN_ENV",
    "COMPARED_RULES",
    "DEFAULT_URL",
    "LIMITS",
    "STEPS",
    "AccessError",
    "AnswerError",
    "ClosedError",
    "ContextInfo",
    "DeliberationError",
    "DeliberationInfo",
    "ImportDataError",
    "Limits",
    "Monitoring",
    "ParticipantInfo",
    "Progress",
    "PromptRankings",
    "RateLimitError",
    "Store",
    "admin_configured",
    "check_admin",
    "compare_rules",
    "demographic_features",
    "draft_answers",
    "margin_frame",
    "parse_contexts",
    "parse_form",
    "parse_lines",
    "rule_ranking",
    "seed_demo",
    "split_answers",
    "top_values_graph",
    "trl_pairs",
]
