"""Bridging: Polis-style opinion groups, representative and consensus statements.

A conversation is an ``(n, m)`` vote matrix ``V`` of participants × statements with +1
(agree), -1 (disagree), 0 (pass) and NaN (not seen), the sign convention of Polis's CSV
export. :func:`read_polis` reads such an export.
"""

from ._groups import OpinionGroups, OpinionMap, opinion_groups, opinion_map
from ._polis import Conversation, Statement, read_polis, shipped_conversations
from ._report import ANALYSIS_STEPS, ConversationReport, analyse_conversation, analysis_step
from ._slate import BridgingSlate, bridging_slate
from ._stats import (
    ConsensusResult,
    ConsensusStatement,
    RepresentativeStatement,
    consensus_statements,
    group_aware_consensus,
    representative_statements,
)

__all__ = [
    "ANALYSIS_STEPS",
    "BridgingSlate",
    "ConsensusResult",
    "ConsensusStatement",
    "Conversation",
    "ConversationReport",
    "OpinionGroups",
    "OpinionMap",
    "RepresentativeStatement",
    "Statement",
    "analyse_conversation",
    "analysis_step",
    "bridging_slate",
    "consensus_statements",
    "group_aware_consensus",
    "opinion_groups",
    "opinion_map",
    "read_polis",
    "representative_statements",
    "shipped_conversations",
]
