"""Proportional committees: approval-based multiwinner rules and their audits.

Input is an ``(n, m)`` approval matrix (bool or 0/1: voter ``i`` approves candidate ``j``)
or a matrix of non-negative cardinal utilities, optional voter ``weights`` and a committee
size ``k``. A committee is a sorted tuple of candidate indices.

The rules live in one module per kind (:mod:`._thiele`, :mod:`._sequential`,
:mod:`._monroe`); importing them here registers them in :data:`COMMITTEE_RULES` (see
:func:`rule_names`). The registry itself never imports a rule module.

Examples
--------
>>> from socialchoice import committee
>>> A = [[1, 1, 0, 0], [1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1]]
>>> committee.select(A, 2, "pav")
(0, 1)
>>> bool(committee.is_jr(A, (0, 1)))
True
"""

from ._audits import (
    AuditResult,
    ProportionalityReport,
    is_ejr,
    is_ejr_plus,
    is_jr,
    is_pjr,
    proportionality_report,
)
from ._io import Approvals, read_approvals
from ._monroe import monroe
from ._registry import COMMITTEE_RULES, CommitteeRule, rule_names, select
from ._sequential import equal_shares, seq_pav, seq_phragmen
from ._thiele import approval_voting, chamberlin_courant, pav, satisfaction_approval

__all__ = [
    "COMMITTEE_RULES",
    "Approvals",
    "AuditResult",
    "CommitteeRule",
    "ProportionalityReport",
    "approval_voting",
    "chamberlin_courant",
    "equal_shares",
    "is_ejr",
    "is_ejr_plus",
    "is_jr",
    "is_pjr",
    "monroe",
    "pav",
    "proportionality_report",
    "read_approvals",
    "rule_names",
    "satisfaction_approval",
    "select",
    "seq_pav",
    "seq_phragmen",
]
