"""Polis CSV exports read into a :class:`Conversation` (numpy and the ``csv`` module only).

A Polis export is a folder (or a ``.zip`` of one) written by Polis's exporter
(``math/src/polismath/darwin/export.clj`` in compdemocracy/polis, and the newer exporter of
its server); the format is documented in ``data/polis/README.md``. Every column is found by
its header name, never by position; columns the reader does not know are ignored (and listed
in :attr:`Conversation.notes` for participants-votes.csv). Both published layouts are read:

* ``comments.csv`` (required): ``timestamp, comment-id, author-id, agrees, disagrees,
  moderated, comment-body``; older exports add ``datetime``, newer ones drop it and add
  ``is-meta``, ``is-seed`` (``true``/``false``) and ``group-informed-consensus`` (Polis's own
  score, kept in :attr:`Statement.group_informed_consensus`). Bodies may hold quoted newlines.
* ``participants-votes.csv`` (required): ``participant, group-id, n-comments, n-votes,
  n-agree, n-disagree`` (newer exports add ``xid``, the owner's external id, kept in
  :attr:`Conversation.participant_xids`), then one column per comment-id holding the latest
  vote. Polis writes a column only for comments with at least one vote, so a comment (often
  one moderated out before anyone saw it) may have no column: it is read as unseen by
  everyone (NaN) and named in :attr:`Conversation.notes`.
* ``votes.csv`` (optional): the vote history ``timestamp, datetime, comment-id, voter-id,
  vote``. When present, the vote matrix is built from it (per (voter, comment) the largest
  timestamp wins; on equal timestamps the later row) and checked against
  ``participants-votes.csv``.
* ``summary.csv`` (optional): ``key,value`` rows without a header. ``stats-history.csv`` is
  ignored.

Votes follow the export's sign: +1 agree, -1 disagree, 0 pass, NaN not voted (the raw Polis
database and API use the opposite sign). Errors are :class:`~socialchoice.PolisError` naming
the file, the physical line (1-based, header = line 1) and the column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from _common.validation import check_vote_matrix

from .._errors import PolisError, VoteMatrixError
from ._polis_csv import (
    _COMMENT_COLS,
    _PV_META,
    _VOTE_COLS,
    _check_agree,
    _Participants,
    _read_comments,
    _read_participants,
    _read_summary,
    _read_votes,
    _Table,
)
from ._polis_source import REQUIRED, Export, open_export

__all__ = ["HISTORY_COLUMNS", "Conversation", "Statement", "read_polis", "shipped_conversations"]

#: The columns of :attr:`Conversation.history`.
HISTORY_COLUMNS = ("timestamp", "participant", "statement", "vote")


def shipped_conversations() -> dict[str, Path]:
    """The Polis conversations shipped in ``<repo>/data/polis``, name → folder (sorted).

    Empty when the data folder is absent (e.g. an installed wheel without the repository).

    References
    ----------
    .. [1] The Computational Democracy Project, Polis open data,
       https://github.com/compdemocracy/openData (CC BY 4.0).

    Examples
    --------
    >>> sorted(shipped_conversations())
    ['15-per-hour-seattle', 'bg2050-volunteers', 'brexit-consensus', 'scoop-hivemind.ubi']
    """
    root = Path(__file__).resolve().parents[2] / "data" / "polis"
    if not root.is_dir():
        return {}
    return {p.name: p for p in sorted(root.iterdir()) if (p / "comments.csv").is_file()}


@dataclass(frozen=True)
class Statement:
    """One Polis comment: ``id`` (comment-id), ``text`` (the body without surrounding
    whitespace), ``author_id`` (participant id),
    ``moderated`` (-1 rejected, 0 unmoderated, 1 accepted), ``timestamp`` (epoch ms) and the
    export's ``agrees``/``disagrees`` counts (over the full vote history, re-votes included).
    Newer exports also give ``is_meta``, ``is_seed`` and Polis's own
    ``group_informed_consensus`` (None when the export has no such column; not in the repr).

    References
    ----------
    .. [1] C. Small, M. Bjorkegren, T. Erkkilä, L. Shaw, C. Megill, "Polis: Scaling
       deliberation by mapping high dimensional opinion spaces", Recerca 26(2), 2021, §2-3.

    Examples
    --------
    >>> Statement(0, "Raise it.", author_id=3, moderated=1, timestamp=0, agrees=2, disagrees=1)
    Statement(id=0, text='Raise it.', author_id=3, moderated=1, timestamp=0, agrees=2, disagrees=1)
    """

    id: int
    text: str
    author_id: int
    moderated: int
    timestamp: int
    agrees: int
    disagrees: int
    is_meta: bool | None = field(default=None, repr=False)
    is_seed: bool | None = field(default=None, repr=False)
    group_informed_consensus: float | None = field(default=None, repr=False)


def _readonly(a: NDArray) -> NDArray:
    a = np.array(a, copy=True)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class Conversation:
    """A Polis conversation: statements (columns), participants (rows) and their votes.

    Attributes
    ----------
    name : str
        The folder name.
    statements : tuple of Statement
        Ordered by comment-id; statement ``j`` is column ``j`` of ``votes``.
    participant_ids : ndarray of int64, shape (n,)
        Polis participant ids, ascending; participant ``i`` is row ``i``.
    votes : ndarray of float64, shape (n, m)
        Latest vote: +1 agree, -1 disagree, 0 pass, NaN not voted (read-only).
    polis_groups : ndarray of int64, shape (n,)
        Polis's own opinion group (``group-id``), -1 for none.
    summary : dict of str to str
        ``summary.csv`` (``topic``, ``url``, ``views``, ...); empty without that file.
    history : ndarray of int64, shape (e, 4), or None
        Every vote event as rows ``(timestamp, participant row, statement column, vote)``
        (:data:`HISTORY_COLUMNS`), sorted by timestamp (file order among equal timestamps);
        None when the export had no ``votes.csv``.
    participant_xids : tuple of str, or None
        The ``xid`` column of newer exports (the conversation owner's id of each participant,
        ``""`` for none), per row; None when the export has no such column.
    notes : tuple of str
        What the reader noticed and accepted: comments without a column in
        participants-votes.csv (read as unseen), columns it ignored.

    References
    ----------
    .. [1] C. Small, M. Bjorkegren, T. Erkkilä, L. Shaw, C. Megill, "Polis: Scaling
       deliberation by mapping high dimensional opinion spaces", Recerca 26(2), 2021, §2-3.

    Examples
    --------
    >>> conv = read_polis(shipped_conversations()["brexit-consensus"])
    >>> conv
    Conversation('brexit-consensus': 204 participants x 50 statements, 5303 votes, 5312 events)
    >>> conv.topic, conv.votes.shape, conv.statements[0].moderated
    ('Can there be consensus on Brexit?', (204, 50), 1)
    >>> int((conv.polis_groups == 0).sum()), int((conv.polis_groups == -1).sum())
    (106, 7)
    """

    name: str
    statements: tuple[Statement, ...]
    participant_ids: NDArray[np.int64]
    votes: NDArray[np.float64]
    polis_groups: NDArray[np.int64]
    summary: dict[str, str] = field(default_factory=dict)
    history: NDArray[np.int64] | None = None
    participant_xids: tuple[str, ...] | None = None
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        statements = tuple(self.statements)
        pids = np.asarray(self.participant_ids, dtype=np.int64).reshape(-1)
        votes = check_vote_matrix(self.votes, "votes", "Conversation", error=VoteMatrixError)
        groups = np.asarray(self.polis_groups, dtype=np.int64).reshape(-1)
        n, m = len(pids), len(statements)
        if votes.shape != (n, m):
            raise VoteMatrixError(f"Conversation {self.name!r}: votes must have shape ({n}, {m}) "
                                  f"(participants, statements); got {votes.shape}.")
        if groups.shape != (n,):
            raise VoteMatrixError(f"Conversation {self.name!r}: polis_groups must have shape "
                                  f"({n},); got {groups.shape}.")
        hist = self.history
        if hist is not None:
            hist = np.asarray(hist, dtype=np.int64)
            if hist.ndim != 2 or hist.shape[1] != 4:
                raise VoteMatrixError(f"Conversation {self.name!r}: history must have shape "
                                      f"(e, 4) {HISTORY_COLUMNS}; got {hist.shape}.")
            hist = _readonly(hist)
        object.__setattr__(self, "statements", statements)
        object.__setattr__(self, "participant_ids", _readonly(pids))
        object.__setattr__(self, "votes", _readonly(votes))
        object.__setattr__(self, "polis_groups", _readonly(groups))
        object.__setattr__(self, "summary", dict(self.summary))
        object.__setattr__(self, "history", hist)
        xids = self.participant_xids
        if xids is not None:
            xids = tuple(str(x) for x in xids)
            if len(xids) != n:
                raise VoteMatrixError(f"Conversation {self.name!r}: participant_xids must have "
                                      f"{n} entries (one per participant); got {len(xids)}.")
        object.__setattr__(self, "participant_xids", xids)
        object.__setattr__(self, "notes", tuple(self.notes))

    @property
    def statement_ids(self) -> NDArray[np.int64]:
        """Comment-ids of the columns, ``(m,)``."""
        return np.array([s.id for s in self.statements], dtype=np.int64)

    @property
    def texts(self) -> tuple[str, ...]:
        """Statement texts in column order."""
        return tuple(s.text for s in self.statements)

    @property
    def n_participants(self) -> int:
        """Number of participants (rows)."""
        return int(self.votes.shape[0])

    @property
    def n_statements(self) -> int:
        """Number of statements (columns)."""
        return int(self.votes.shape[1])

    @property
    def topic(self) -> str:
        """The ``topic`` of ``summary.csv``, else the folder name."""
        return self.summary.get("topic", self.name)

    def __repr__(self) -> str:
        events = "no history" if self.history is None else f"{len(self.history)} events"
        return (f"Conversation({self.name!r}: {self.n_participants} participants x "
                f"{self.n_statements} statements, {int((~np.isnan(self.votes)).sum())} votes, "
                f"{events})")

    def accepted(self, include_unmoderated: bool = True) -> Conversation:
        """The conversation without moderated-out statements (Polis leaves them out of its math).

        Parameters
        ----------
        include_unmoderated : bool, default True
            Keep statements with ``moderated == 0`` too; False keeps only accepted ones (1).

        Returns
        -------
        Conversation
            Same participants and groups; the kept columns and their history events.

        References
        ----------
        .. [1] The Computational Democracy Project, "Moderation",
           https://compdemocracy.org/moderation/

        Examples
        --------
        >>> conv = read_polis(shipped_conversations()["15-per-hour-seattle"])
        >>> conv.n_statements, conv.accepted().n_statements, conv.accepted(False).n_statements
        (54, 31, 30)
        """
        lo = 0 if include_unmoderated else 1
        keep = np.array([s.moderated >= lo for s in self.statements], dtype=bool)
        hist = self.history
        if hist is not None:
            hist = hist[keep[hist[:, 2]]].copy()
            hist[:, 2] = (np.cumsum(keep) - 1)[hist[:, 2]]
        kept = tuple(s for s, k in zip(self.statements, keep, strict=True) if k)
        return replace(self, statements=kept, votes=self.votes[:, keep], history=hist)

    def votes_at(self, timestamp: int) -> NDArray[np.float64]:
        """The vote matrix as it stood at ``timestamp`` (epoch ms; votes cast at or before it).

        Replays :attr:`history`: per cell the latest vote with time ``<= timestamp``; NaN if
        none. ``votes_at(history[-1, 0])`` equals :attr:`votes`.

        Raises
        ------
        PolisError
            The conversation has no history (its export had no ``votes.csv``).

        References
        ----------
        .. [1] C. Small, M. Bjorkegren, T. Erkkilä, L. Shaw, C. Megill, "Polis: Scaling
           deliberation by mapping high dimensional opinion spaces", Recerca 26(2), 2021,
           §2-3.

        Examples
        --------
        >>> conv = read_polis(shipped_conversations()["brexit-consensus"])
        >>> day1 = conv.votes_at(conv.history[0, 0] + 24 * 3600 * 1000)
        >>> int((~np.isnan(day1)).sum()) < 5303
        True
        >>> np.array_equal(conv.votes_at(conv.history[-1, 0]), conv.votes, equal_nan=True)
        True
        """
        if self.history is None:
            raise PolisError(f"Conversation {self.name!r} has no vote history (its export had "
                             "no votes.csv); votes_at needs one.")
        stop = np.searchsorted(self.history[:, 0], timestamp, side="right")
        return _latest_matrix(self.history[:stop], self.n_participants, self.n_statements)[0]


def _latest_matrix(hist: NDArray[np.int64], n: int, m: int
                   ) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
    """Latest vote per cell of time-sorted events; also the index of each cell's event."""
    key = hist[:, 1] * m + hist[:, 2]
    _, first_rev = np.unique(key[::-1], return_index=True)
    last = len(key) - 1 - first_rev
    out = np.full((n, m), np.nan)
    out[hist[last, 1], hist[last, 2]] = hist[last, 3]
    return out, last


def _latest_matrix_reference(hist: NDArray[np.int64], n: int, m: int) -> NDArray[np.float64]:
    """Slow reference of :func:`_latest_matrix`: a loop over the events in order."""
    out = np.full((n, m), np.nan)
    for _, row, col, vote in hist.tolist():
        out[row, col] = vote
    return out


# ---------------------------------------------------------------------------- the reader
def read_polis(source: Any, *, name: str | None = None, validate: bool = True) -> Conversation:
    """Read a Polis CSV export into a :class:`Conversation`.

    Parameters
    ----------
    source : str, path-like, bytes, file-like or mapping
        The export: a folder path, a ``.zip`` path, the bytes of a ``.zip`` or a binary
        file-like object holding one, or a mapping of file names to their contents (bytes or
        text, e.g. uploaded files). ``comments.csv`` and ``participants-votes.csv`` are
        required, ``votes.csv`` and ``summary.csv`` optional (see the module docstring).
    name : str, optional
        The name messages use for the source (e.g. an uploaded .zip's file name; the files
        of a mapping are named by their keys) and, for a mapping, the conversation's name;
        default: the path, ``'<bytes>'``, a file object's name, ``'upload'`` for a mapping.
        A zip's conversation is named after its folder, else after the zip's file name.
    validate : bool, default True
        Check that the latest votes of ``votes.csv`` equal the cells of
        ``participants-votes.csv`` one by one, and that every comment with a vote there has
        a column. Parsing errors are raised either way.

    Returns
    -------
    Conversation
        Participants are every id of ``participants-votes.csv`` plus voters found only in
        ``votes.csv`` (group -1). Votes come from ``votes.csv`` when present, else from
        ``participants-votes.csv``. Statements are all comments, moderated-out ones included
        (see :meth:`Conversation.accepted`); a comment without a column and without votes is
        unseen by everyone.

    Raises
    ------
    PolisError
        A missing folder or required file (the message lists what is present), a zip holding
        several exports (named), an empty file, a missing header column, a malformed cell
        (non-integer id or timestamp, a vote outside {-1, 0, 1}, a row with the wrong number
        of cells, a summary row that is not ``key,value``), a duplicate comment or
        participant id, a vote for an unknown comment-id, a negative or unknown comment-id
        as a column header, or (with ``validate``) a cell that disagrees between the two
        vote files. The message names the user's file, the physical line (header = line 1)
        and column, what was found and what was expected.

    References
    ----------
    .. [1] C. Small, M. Bjorkegren, T. Erkkilä, L. Shaw, C. Megill, "Polis: Scaling
       deliberation by mapping high dimensional opinion spaces", Recerca 26(2), 2021, §2-3.
    .. [2] Polis exporter, ``math/src/polismath/darwin/export.clj`` in
       https://github.com/compdemocracy/polis; format notes in ``data/polis/README.md``.

    Examples
    --------
    >>> conv = read_polis(shipped_conversations()["15-per-hour-seattle"])
    >>> conv.n_participants, conv.n_statements, len(conv.history)
    (339, 54, 2995)
    >>> s = conv.statements[0]
    >>> s.id, s.author_id, s.moderated, s.text[:27]
    (0, 0, 1, 'I imagine new businesses op')
    >>> conv.votes[:2, :3]
    array([[0., 0., 0.],
           [1., 1., 1.]])
    """
    export = open_export(source, name)
    missing = [f for f in REQUIRED if f not in export.present]
    if missing:
        raise PolisError(f"Polis export {export.where!r} lacks {', '.join(missing)}; it "
                         f"holds {export.present or 'no files'}; expected "
                         f"{' and '.join(REQUIRED)} (votes.csv and summary.csv optional).")
    statements = tuple(Statement(**f) for f in _read_comments(_table(export, "comments.csv")))
    sids = np.array([s.id for s in statements], dtype=np.int64)
    pv = _table(export, "participants-votes.csv")
    part = _read_participants(pv, sids)
    events = (_read_votes(_table(export, "votes.csv"), sids)
              if "votes.csv" in export.present else None)
    summary = (_read_summary(_table(export, "summary.csv"))
               if "summary.csv" in export.present else {})
    voters = np.empty(0, np.int64) if events is None else events[1][:, 1]
    pids = np.unique(np.concatenate([part.pids, voters]))
    rows = np.searchsorted(pids, part.pids)
    groups = np.full(len(pids), -1, dtype=np.int64)
    groups[rows] = part.groups
    xids = None
    if part.xids is not None:
        full = [""] * len(pids)
        for r, x in zip(rows.tolist(), part.xids, strict=True):
            full[r] = x
        xids = tuple(full)
    history, votes = _vote_matrix(export, pv, part, events, pids, rows, sids, validate)
    return Conversation(name=export.name, statements=statements, participant_ids=pids,
                        votes=votes, polis_groups=groups, summary=summary, history=history,
                        participant_xids=xids, notes=_notes(pv, part, statements))


_EXPECTED_HEADER: dict[str, Sequence[str] | None] = {
    "comments.csv": _COMMENT_COLS,
    "participants-votes.csv": ("participant", "group-id", "n-comments", "n-votes", "n-agree",
                               "n-disagree", "<one column per comment-id>"),
    "votes.csv": _VOTE_COLS, "summary.csv": None}


def _table(export: Export, f: str) -> _Table:
    try:
        return _Table(export.label(f), export.read(f), _EXPECTED_HEADER[f])
    except UnicodeDecodeError as exc:
        raise PolisError(f"{export.label(f)}: not UTF-8 text ({exc}); expected a UTF-8 CSV "
                         "file.") from None


def _vote_matrix(export: Export, pv: _Table, part: _Participants, events, pids, rows, sids,
                 validate: bool) -> tuple[NDArray[np.int64] | None, NDArray[np.float64]]:
    """(history or None, latest-vote matrix), from votes.csv when present (cross-checked
    against participants-votes.csv with ``validate``), else from participants-votes.csv."""
    n, m = len(pids), len(sids)
    if events is None:
        votes = np.full((n, m), np.nan)
        votes[np.ix_(rows, part.cols)] = part.votes
        return None, votes
    lines, raw = events
    order = np.argsort(raw[:, 0], kind="stable")
    history = raw[order]
    history[:, 1] = np.searchsorted(pids, history[:, 1])
    history[:, 2] = np.searchsorted(sids, history[:, 2])
    votes, last = _latest_matrix(history, n, m)
    if validate:
        _check_agree(pv, part, votes, rows, export.label("votes.csv"), history, lines[order],
                     last, sids)
    return history, votes


def _notes(pv: _Table, part: _Participants, statements: Sequence[Statement]) -> tuple[str, ...]:
    notes = []
    absent = sorted(set(range(len(statements))) - set(part.cols.tolist()))
    if absent:
        listed = ", ".join(f"{statements[j].id} (moderated {statements[j].moderated})"
                           for j in absent[:10])
        notes.append(f"{pv.label} has no column for comment-id(s) {listed}"
                     f"{' ...' if len(absent) > 10 else ''}: Polis writes columns only for "
                     "comments with votes; read as unseen by everyone.")
    if part.ignored:
        notes.append(f"{pv.label}: ignored the column(s) {part.ignored} (neither a comment-id "
                     f"nor one of {list(_PV_META)}).")
    return tuple(notes)

