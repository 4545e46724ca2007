"""Bridging slates: k statements with broad cross-group support, audited for proportionality."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from _common.validation import check_int

from .. import committee
from .._errors import ApprovalError
from ._groups import opinion_groups
from ._input import as_groups, as_mask, as_vote_matrix
from ._stats import group_aware_consensus

__all__ = ["BridgingSlate", "bridging_slate"]

CONSENSUS = "consensus"


@dataclass(frozen=True, eq=False)
class BridgingSlate:
    """A slate of statements chosen from a conversation, with its audit.

    Attributes
    ----------
    statements : tuple of int
        Column indices of the chosen statements, best first for ``rule="consensus"`` and
        in index order for committee rules.
    rule : str
        ``"consensus"`` or the committee rule that chose the slate.
    groups : ndarray of int, shape (n,)
        The opinion group of every participant (-1 = not in the analysis).
    consensus : ndarray of float, shape (k,)
        Group-aware consensus of each chosen statement.
    group_agreement : ndarray of float, shape (k, G)
        Share of each group's participants who saw a chosen statement and agreed (NaN when
        nobody in the group saw it).
    audit : socialchoice.committee.ProportionalityReport
        JR/PJR/EJR/EJR+ and welfare of the slate, where a participant "approves" a
        statement they agreed with; only participants in a group count.
    """

    statements: tuple[int, ...]
    rule: str
    groups: NDArray[np.int64]
    consensus: NDArray[np.float64]
    group_agreement: NDArray[np.float64]
    audit: object

    def __len__(self) -> int:
        return len(self.statements)


def _agreement_by_group(V: NDArray[np.float64], groups: NDArray[np.int64]) -> NDArray[np.float64]:
    labels = np.unique(groups[groups >= 0])
    onehot = (groups[:, None] == labels[None, :]).astype(np.float64)  # (n, G)
    agree = onehot.T @ (V == 1).astype(np.float64)  # (G, m)
    seen = onehot.T @ (~np.isnan(V)).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(seen > 0, agree / seen, np.nan)
    return share.T  # (m, G)


def bridging_slate(
    V: ArrayLike,
    k: int,
    groups: ArrayLike | None = None,
    *,
    rule: str = CONSENSUS,
    eligible: ArrayLike | None = None,
    min_votes: int = 7,
    rng: np.random.Generator | int | None = None,
) -> BridgingSlate:
    """Choose ``k`` statements with broad support across opinion groups, and audit them.

    Two ways to choose:

    * ``rule="consensus"`` (default): the ``k`` statements of highest group-aware
      consensus :math:`\\prod_g p_a(g, c)` — each group's smoothed agreement multiplied, so a
      statement must be agreed with in *every* group, however small (ties: lower index).
    * any committee rule of :func:`socialchoice.committee.select` (``"pav"``,
      ``"equal_shares"``, ``"seq_phragmen"``, …) over "agree" approvals of the participants
      in a group: a proportional slate, where a cohesive fifth of the room gets about a fifth
      of the statements.

    Either way the slate is audited (:func:`socialchoice.committee.proportionality_report`)
    on the agree approvals, so the two can be compared. Unseen statements count as not
    approved, which favours statements shown to many participants; restrict ``eligible``
    to statements most participants saw when that matters.

    Parameters
    ----------
    V : array_like, shape (n, m)
        Votes: +1 agree, -1 disagree, 0 pass, NaN unseen.
    k : int
        Slate size, in ``[1, number of eligible statements]``.
    groups : array_like of int, shape (n,), optional
        Opinion groups (-1 = none). Default: :func:`opinion_groups` of ``V``.
    rule : str
        ``"consensus"`` or a committee rule name.
    eligible : array_like of bool, shape (m,), optional
        Statements that may be chosen (e.g. not moderated out). Default: all.
    min_votes : int
        Passed to :func:`opinion_groups` when ``groups`` is None.
    rng : numpy.random.Generator, int or None
        Passed to :func:`opinion_groups` when ``groups`` is None.

    Returns
    -------
    BridgingSlate

    References
    ----------
    Small, C. et al. (2021). "Polis: Scaling deliberation by mapping high dimensional opinion
    spaces." *Recerca* 26(2). Anthropic & Collective Intelligence Project (2023),
    "Collective Constitutional AI: Aligning a Language Model with Public Input", §2
    (group-aware consensus). Lackner, M. & Skowron, P. (2023). *Multi-Winner Voting with
    Approval Preferences*, Springer, §4 (proportionality axioms).

    Examples
    --------
    >>> import numpy as np
    >>> V = np.array([[1, 1, -1, 1], [1, 1, -1, 0], [1, -1, 1, 1], [1, -1, 1, np.nan]])
    >>> slate = bridging_slate(V, 2, groups=[0, 0, 1, 1])
    >>> slate.statements
    (0, 3)
    >>> bool(slate.audit.jr)
    True
    """
    V = as_vote_matrix(V, "bridging_slate")
    n, m = V.shape
    mask = as_mask(eligible, m, "eligible", "bridging_slate")
    columns = np.flatnonzero(mask)
    k = check_int(k, "k", "bridging_slate", 1, columns.size, error=ApprovalError)
    g = (opinion_groups(V, min_votes=min_votes, rng=rng) if groups is None
         else as_groups(groups, n, "bridging_slate"))
    gac = group_aware_consensus(V, g)
    members = g >= 0
    approvals = V[members][:, columns] == 1
    if rule == CONSENSUS:
        order = np.lexsort((columns, -gac[columns]))  # highest consensus, then lower index
        chosen = columns[order[:k]]
    else:
        local = committee.select(approvals, k, rule)
        chosen = columns[list(local)]
    chosen_local = np.searchsorted(columns, chosen)
    audit = committee.proportionality_report(approvals, tuple(sorted(chosen_local.tolist())), k=k)
    return BridgingSlate(
        statements=tuple(int(c) for c in chosen),
        rule=rule,
        groups=g,
        consensus=gac[chosen],
        group_agreement=_agreement_by_group(V, g)[chosen],
        audit=audit,
    )
