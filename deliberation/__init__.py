"""The deliberation app's back end: the database, its migrations and the service layer.

Pages (:mod:`deliberation.pages`, rendered by ``app.py``) call :class:`Store` and nothing
else: every read and write a participant or a researcher makes, one transaction each, on
SQLite (default, a file under ``data/``) or PostgreSQL (``DATABASE_URL``). The pages hold
no SQL and no domain maths: they show what the store and the domain packages
(:mod:`moralgraph`, :mod:`socialchoice`, :mod:`svo`, :mod:`rlchf`) return.

The exception tree is documented in :mod:`deliberation._errors`.
"""

from ._admin import ADMIN_ENV, admin_configured, check_admin
from ._errors import (
    AccessError,
    AnswerError,
    ClosedError,
    DeliberationError,
    ImportDataError,
    RateLimitError,
)
from ._limits import LIMITS, Limits
from ._records import STEPS, ContextInfo, DeliberationInfo, ParticipantInfo, Progress
from ._setup import demographic_features
from ._store import DEFAULT_URL, Store

__all__ = [
    "ADMIN_ENV",
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
    "ParticipantInfo",
    "Progress",
    "RateLimitError",
    "Store",
    "admin_configured",
    "check_admin",
    "demographic_features",
]
