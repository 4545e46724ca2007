"""One call from a Polis conversation to groups, statements and an audited bridging slate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from _common.validation import check_choice

from .._errors import VoteMatrixError
from ._groups import OpinionMap, opinion_groups, opinion_map
from ._polis import Conversation
from ._slate import CONSENSUS, BridgingSlate, bridging_slate
from ._stats import (
    ConsensusResult,
    RepresentativeStatement,
    consensus_statements,
    representative_statements,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ANALYSIS_STEPS", "ConversationReport", "analyse_conversation", "analysis_step"]

GROUP_SOURCES = ("polis", "ours")
#: The steps of :func:`analyse_conversation`: ``progress(done, total)`` is called before
#: step ``ANALYSIS_STEPS[done]`` and with ``done == total`` at the end.
ANALYSIS_STEPS = ("opinion map (PCA)", "opinion groups",
                  "representative and consensus statements", "bridging slate and audit")


def analysis_step(done: int) -> str:
    """What :func:`analyse_conversation` is doing when it reports ``progress(done, total)``.

    Examples
    --------
    >>> analysis_step(1), analysis_step(len(ANALYSIS_STEPS))
    ('opinion groups', 'done')
    """
    return ANALYSIS_STEPS[done] if 0 <= done < len(ANALYSIS_STEPS) else "done"


@dataclass(frozen=True, eq=False)
class ConversationReport:
    """Everything :func:`analyse_conversation` computed, with the conversation it came from.

    Attributes
    ----------
    conversation : Conversation
        The conversation analysed (moderated-out statements removed); statement indices
        below are columns of ``conversation.votes``.
    groups : ndarray of int, shape (n,)
        Opinion group of each participant (-1 = none).
    group_source : {"polis", "ours"}
        Polis's own group ids from the export, or recomputed by :func:`opinion_groups`.
    map : OpinionMap
        The PCA opinion map (for the scatter plot).
    representative : dict of int to list of RepresentativeStatement
        Per group, the statements that set it apart.
    consensus : ConsensusResult
        Statements most agreed (and disagreed) with overall.
    slate : BridgingSlate
        The bridging slate and its proportionality audit.
    """

    conversation: Conversation
    groups: NDArray[np.int64]
    group_source: str
    map: OpinionMap
    representative: dict[int, list[RepresentativeStatement]]
    consensus: ConsensusResult
    slate: BridgingSlate

    def text(self, column: int) -> str:
        """The text of the statement in ``column``."""
        return self.conversation.statements[column].text

    def group_sizes(self) -> dict[int, int]:
        """Number of participants in each group."""
        labels, counts = np.unique(self.groups[self.groups >= 0], return_counts=True)
        return {int(g): int(c) for g, c in zip(labels, counts, strict=True)}

    def map_frame(self) -> pd.DataFrame:
        """The opinion map as a table, one row per participant in the analysis.

        Returns
        -------
        pandas.DataFrame
            Columns ``participant`` (id), ``x`` and ``y`` (first two principal components;
            ``y`` is 0 when the map has one dimension) and ``group`` (the group id as text,
            ``"none"`` for ungrouped participants).

        Examples
        --------
        >>> from socialchoice.bridging import read_polis, shipped_conversations
        >>> conv = read_polis(shipped_conversations()["15-per-hour-seattle"])
        >>> frame = analyse_conversation(conv, k=3).map_frame()
        >>> list(frame.columns), sorted(set(frame["group"]))
        (['participant', 'x', 'y', 'group'], ['0', '1'])
        """
        import pandas as pd

        xy = self.map.coordinates
        keep = self.map.in_analysis
        groups = np.where(self.groups >= 0, self.groups.astype(str), "none")
        return pd.DataFrame(
            {
                "participant": self.conversation.participant_ids[keep],
                "x": xy[keep, 0],
                "y": xy[keep, 1] if xy.shape[1] > 1 else 0.0,
                "group": groups[keep],
            }
        )

    def slate_frame(self) -> pd.DataFrame:
        """The bridging slate as a table, one row per slate statement in slate order.

        Returns
        -------
        pandas.DataFrame
            Columns ``statement_id``, ``statement`` (text), ``consensus`` (the slate's
            group-aware consensus score) and ``agree_group_<g>`` for each group ``g`` of
            :meth:`group_sizes` (the share of the group agreeing; NaN when nobody in the
            group voted on it).

        Examples
        --------
        >>> from socialchoice.bridging import read_polis, shipped_conversations
        >>> conv = read_polis(shipped_conversations()["15-per-hour-seattle"])
        >>> frame = analyse_conversation(conv, k=3).slate_frame()
        >>> list(frame.columns), len(frame)
        (['statement_id', 'statement', 'consensus', 'agree_group_0', 'agree_group_1'], 3)
        """
        import pandas as pd

        slate = self.slate
        ids = self.conversation.statement_ids
        columns = ["statement_id", "statement", "consensus"]
        columns += [f"agree_group_{g}" for g in self.group_sizes()]
        rows = [
            [int(ids[c]), self.text(c), float(slate.consensus[i]),
             *(float(x) for x in slate.group_agreement[i])]
            for i, c in enumerate(slate.statements)
        ]
        return pd.DataFrame(rows, columns=columns)

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready data: ids and texts instead of column indices.

        The slate's ``"audit"`` holds one entry per axiom
        (:meth:`~socialchoice.committee.ProportionalityReport.axiom_rows`) and its
        ``"welfare"`` the welfare statistics
        (:meth:`~socialchoice.committee.ProportionalityReport.welfare`).

        Examples
        --------
        >>> from socialchoice.bridging import read_polis, shipped_conversations
        >>> conv = read_polis(shipped_conversations()["brexit-consensus"])
        >>> out = analyse_conversation(conv, k=3).to_dict()
        >>> sorted(out)
        ['consensus', 'conversation', 'groups', 'representative', 'slate']
        >>> sorted(out["slate"]["audit"]), out["slate"]["audit"]["JR"]["holds"]
        (['EJR', 'EJR+', 'JR', 'PJR'], True)
        """
        conv = self.conversation
        ids = conv.statement_ids

        def statement(c: int) -> dict[str, Any]:
            return {"id": int(ids[c]), "text": self.text(c)}

        slate = self.slate
        audit = slate.audit
        return {
            "conversation": {
                "name": conv.name,
                "topic": conv.topic,
                "participants": conv.n_participants,
                "statements": conv.n_statements,
                "votes": int(np.count_nonzero(~np.isnan(conv.votes))),
                "notes": list(conv.notes),
            },
            "groups": {
                "source": self.group_source,
                "sizes": self.group_sizes(),
                "ungrouped": int(np.count_nonzero(self.groups < 0)),
            },
            "representative": {
                g: [
                    {
                        **statement(r.statement),
                        "direction": r.direction,
                        "p": r.p,
                        "ratio": r.repness,
                    }
                    for r in reps
                ]
                for g, reps in self.representative.items()
            },
            "consensus": {
                direction: [
                    {**statement(c.statement), "p": c.p, "z": c.z}
                    for c in getattr(self.consensus, direction)
                ]
                for direction in ("agree", "disagree")
            },
            "slate": {
                "rule": slate.rule,
                "statements": [
                    {
                        **statement(c),
                        "consensus": float(slate.consensus[i]),
                        "agree_by_group": [
                            None if np.isnan(x) else float(x) for x in slate.group_agreement[i]
                        ],
                    }
                    for i, c in enumerate(slate.statements)
                ],
                "audit": {
                    row["axiom"]: {"holds": row["holds"], "witness": row["witness"]}
                    for row in audit.axiom_rows()
                },
                "welfare": audit.welfare(),
            },
        }


def analyse_conversation(
    conversation: Conversation,
    *,
    groups: str | NDArray[np.int64] = "polis",
    k: int = 5,
    rule: str = CONSENSUS,
    top: int = 5,
    rng: np.random.Generator | int | None = 0,
    progress: Callable[[int, int], None] | None = None,
) -> ConversationReport:
    """Opinion map, groups, representative and consensus statements and a bridging slate.

    As in Polis, moderated-out statements count as a pass by everyone in the opinion map
    and the groups, and are left out of the statement statistics and the slate.

    Parameters
    ----------
    conversation : Conversation
        From :func:`read_polis`.
    groups : {"polis", "ours"} or array of int
        ``"polis"``: the group ids in the export (falls back to ``"ours"`` when the export
        has none); ``"ours"``: recomputed with :func:`opinion_groups`; or explicit ids.
    k : int
        Size of the bridging slate.
    rule : str
        ``"consensus"`` or a committee rule for :func:`bridging_slate`.
    top : int
        Representative / consensus statements per list.
    rng : numpy.random.Generator, int or None
        For the k-means restarts when groups are recomputed.
    progress : callable, optional
        Called as ``progress(done, total)`` before each step (``total`` = 4; the step's
        name is ``ANALYSIS_STEPS[done]``) and once more with ``done == total``.

    Returns
    -------
    ConversationReport

    References
    ----------
    Small, C. et al. (2021). "Polis: Scaling deliberation by mapping high dimensional opinion
    spaces." *Recerca* 26(2).

    Examples
    --------
    >>> from socialchoice.bridging import read_polis, shipped_conversations
    >>> conv = read_polis(shipped_conversations()["15-per-hour-seattle"])
    >>> report = analyse_conversation(conv, k=3)
    >>> report.group_sizes()
    {0: 99, 1: 39}
    >>> len(report.slate), bool(report.slate.audit.jr)
    (3, True)
    """

    def step(done: int) -> None:
        if progress is not None:
            progress(done, len(ANALYSIS_STEPS))

    # Polis's map and groups see moderated-out statements as passes by everyone; the
    # statement statistics and the slate only use the accepted statements.
    full = conversation.votes
    moderated_out = np.array([s.moderated == -1 for s in conversation.statements])
    conv = conversation.accepted()
    V = conv.votes
    step(0)
    omap = opinion_map(full, moderated_out=moderated_out, rng=rng)
    step(1)
    if isinstance(groups, str):
        check_choice(groups, "groups", "analyse_conversation", GROUP_SOURCES,
                     error=VoteMatrixError)
        source = groups
        if groups == "polis" and (conv.polis_groups >= 0).any():
            g = conv.polis_groups
        else:
            source = "ours"
            g = opinion_groups(full, moderated_out=moderated_out, rng=rng)
    else:
        source = "given"
        g = np.asarray(groups)
    step(2)
    rep = representative_statements(V, g, top=top)
    cons = consensus_statements(V, top=top)
    step(3)
    slate = bridging_slate(V, k, g, rule=rule)
    step(4)
    return ConversationReport(
        conversation=conv,
        groups=slate.groups,
        group_source=source,
        map=omap,
        representative=rep,
        consensus=cons,
        slate=slate,
    )
