"""Parsing and validation of the CSV files of a Polis export, for :func:`._polis.read_polis`.

:class:`_Table` reads one CSV file (header, rows and the physical line where each row
starts) and checks its columns and cells (found by name, never by position);
``_read_comments``, ``_read_participants``, ``_read_votes`` and ``_read_summary`` parse the
four files into statement fields, numpy arrays (ids, groups, votes, events) and the summary
dict; :func:`_check_agree` compares the two vote files. Every error is a
:class:`~socialchoice.PolisError` naming the file, the physical line (1-based,
header = line 1) and the column, what was found and what was expected.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter

import numpy as np
from numpy.typing import NDArray

from _common.validation import show

from .._errors import PolisError

_COMMENT_COLS = ("timestamp", "comment-id", "author-id", "agrees", "disagrees", "moderated",
                 "comment-body")
_VOTE_COLS = ("timestamp", "comment-id", "voter-id", "vote")
#: The participant columns Polis's exporters write (``xid`` only in newer exports); any other
#: header that is not a comment-id is ignored by name and listed in the conversation's notes.
_PV_META = ("participant", "xid", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree")
_PV_REQUIRED = ("participant", "group-id")
#: Optional comments.csv columns of newer exports, read by name: flags and Polis's own score.
_COMMENT_FLAGS = ("is-meta", "is-seed")
_BOOL = {"true": True, "false": False, "": None}
_CELL = {"": np.nan, "1": 1.0, "-1": -1.0, "0": 0.0}
_VOTES = "1 (agree), -1 (disagree), 0 (pass)"


class _Table:
    """A CSV file: header, data rows and the physical line where each row starts."""

    def __init__(self, label: str, text: str, expected: Sequence[str] | None) -> None:
        self.label = label
        if not text.strip():
            raise PolisError(f"{label}, line 1: the file is empty; expected " + (
                f"a header row {','.join(expected)} and data rows." if expected is not None
                else "key,value rows."))
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        rows: list[list[str]] = []
        self.lines: list[int] = []
        end = 0
        try:
            for cells in reader:
                start, end = end + 1, reader.line_num
                if cells:
                    rows.append(cells)
                    self.lines.append(start)
        except csv.Error as exc:
            raise PolisError(f"{label}, line {end + 1}: {exc} in the record starting here; "
                             "expected valid CSV (quotes closed, doubled inside quoted fields)."
                             ) from None
        # header names are matched without surrounding spaces (hand-edited files)
        self.header: list[str] = ([h.strip() for h in rows.pop(0)] if expected is not None
                                  else [])
        if expected is not None:
            self.lines.pop(0)
        self.rows = rows
        self.index: dict[str, int] = {}
        for j, name in enumerate(self.header):
            if name in self.index:
                raise self.fail_header(j, f"column {show(name)} appears twice (also column "
                                       f"{self.index[name] + 1}); expected distinct names.")
            self.index[name] = j

    def fail_header(self, j: int, msg: str) -> PolisError:
        return PolisError(f"{self.label}, line 1, column {j + 1} ({show(self.header[j])}): {msg}")

    def fail(self, k: int, j: int, msg: str) -> PolisError:
        name = f" ({show(self.header[j])})" if j < len(self.header) else ""
        return PolisError(f"{self.label}, line {self.lines[k]}, column {j + 1}{name}: {msg}")

    def require(self, columns: Sequence[str]) -> None:
        missing = [c for c in columns if c not in self.index]
        if missing:
            raise PolisError(f"{self.label}, line 1: missing column(s) "
                             f"{', '.join(map(repr, missing))}; the header has {self.header}; "
                             f"expected the columns {list(columns)}.")
        width = len(self.header)
        widths = np.fromiter(map(len, self.rows), dtype=np.int64, count=len(self.rows))
        if (widths != width).any():
            k = int(np.flatnonzero(widths != width)[0])
            n = int(widths[k])
            if n < width:
                raise self.fail(k, n, f"the row has {n} cells and ends before this column; "
                                f"expected {width} cells, one per header column.")
            raise self.fail(k, width, f"the row has {n} cells; expected {width}, one per header "
                            f"column (last: {show(self.header[-1])}).")

    def ints(self, name: str, *, lo: int | None = None, allowed: Sequence[int] = (),
             what: str = "an integer") -> NDArray[np.int64]:
        j = self.index[name]
        cells = list(map(itemgetter(j), self.rows))
        try:
            out = np.fromiter(map(int, cells), dtype=np.int64, count=len(cells))
        except (ValueError, OverflowError):
            k = next(k for k, c in enumerate(cells) if not _is_int(c))
            raise self.fail(k, j, f"found {show(cells[k])}; expected {what}.") from None
        bad = (out < lo) if lo is not None else np.zeros(len(out), bool)
        if allowed:
            bad |= ~np.isin(out, allowed)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise self.fail(k, j, f"found {show(cells[k])}; expected {what}.")
        return out


def _is_int(cell: str) -> bool:
    try:
        np.int64(int(cell))
    except (ValueError, OverflowError):
        return False
    return True


def _optional_flags(t: _Table) -> dict[str, list[bool | None]]:
    """The ``is-meta``/``is-seed`` columns of newer exports (``true``/``false``), if present."""
    out: dict[str, list[bool | None]] = {}
    for name in _COMMENT_FLAGS:
        if name not in t.index:
            continue
        j = t.index[name]
        values = []
        for k, cells in enumerate(t.rows):
            cell = cells[j].strip().lower()
            if cell not in _BOOL:
                raise t.fail(k, j, f"found {show(cells[j])}; expected true, false or an "
                             "empty cell.")
            values.append(_BOOL[cell])
        out[name] = values
    return out


def _optional_consensus(t: _Table) -> list[float | None] | None:
    """Polis's ``group-informed-consensus`` column of newer exports, if present."""
    if "group-informed-consensus" not in t.index:
        return None
    j = t.index["group-informed-consensus"]
    values: list[float | None] = []
    for k, cells in enumerate(t.rows):
        cell = cells[j].strip()
        try:
            x = float(cell) if cell else None
        except ValueError:
            x = -1.0
        if x is not None and not 0.0 <= x <= 1.0:
            raise t.fail(k, j, f"found {show(cells[j])}; expected a number in [0, 1] or an empty "
                         "cell.")
        values.append(x)
    return values


def _comment_ids(t: _Table) -> NDArray[np.int64]:
    ids = t.ints("comment-id", lo=0, what="a comment-id (integer >= 0)")
    seen: dict[int, int] = {}
    for k, cid in enumerate(ids.tolist()):
        if cid in seen:
            raise t.fail(k, t.index["comment-id"], f"comment-id {cid} appears twice (also line "
                         f"{t.lines[seen[cid]]}); expected each comment once.")
        seen[cid] = k
    return ids


def _read_comments(t: _Table) -> list[dict[str, int | str | bool | float | None]]:
    """The fields of a :class:`~._polis.Statement` per comment, ordered by comment-id.

    Columns are found by name: the required :data:`_COMMENT_COLS`, the optional ``is-meta``,
    ``is-seed`` and ``group-informed-consensus``; any other column (``datetime``, ...) is
    ignored.
    """
    t.require(_COMMENT_COLS)
    if not t.rows:
        raise PolisError(f"{t.label}, line 2: no rows after the header; expected one row per "
                         "comment.")
    ids = _comment_ids(t)
    cols = {c: t.ints(c, lo=0, what=f"{c} (integer >= 0)")
            for c in ("author-id", "agrees", "disagrees")}
    moderated = t.ints("moderated", allowed=(-1, 0, 1),
                       what="-1 (rejected), 0 (unmoderated) or 1 (accepted)")
    stamps = t.ints("timestamp", what="a timestamp (integer epoch milliseconds)")
    flags = _optional_flags(t)
    consensus = _optional_consensus(t)
    body = t.index["comment-body"]
    return [dict(id=int(ids[k]), text=t.rows[k][body].strip(),
                 author_id=int(cols["author-id"][k]), moderated=int(moderated[k]),
                 timestamp=int(stamps[k]), agrees=int(cols["agrees"][k]),
                 disagrees=int(cols["disagrees"][k]),
                 is_meta=flags["is-meta"][k] if "is-meta" in flags else None,
                 is_seed=flags["is-seed"][k] if "is-seed" in flags else None,
                 group_informed_consensus=None if consensus is None else consensus[k])
            for k in np.argsort(ids, kind="stable").tolist()]


def _vote_columns(t: _Table, sids: NDArray[np.int64]) -> tuple[list[int], list[int], list[str]]:
    """(header positions of the comment columns, their comment-ids, ignored header names).

    A header is a comment column when it is an integer; the known participant columns
    (:data:`_PV_META`) are read by name; any other name is ignored.
    """
    positions, col_ids, ignored = [], [], []
    known = set(sids.tolist())
    for j, h in enumerate(t.header):
        if h in _PV_META:
            continue
        if not _is_int(h):
            ignored.append(h)
            continue
        if int(h) < 0:
            raise t.fail_header(j, f"found {show(h)}; expected a comment-id (integer >= 0).")
        if int(h) not in known:
            raise t.fail_header(j, f"comment-id {int(h)} is not in comments.csv; expected one "
                                f"of the {len(sids)} comment-ids there.")
        if int(h) in col_ids:
            earlier = positions[col_ids.index(int(h))]
            raise t.fail_header(j, f"a second column for comment-id {int(h)} (also column "
                                f"{earlier + 1}); expected one column per comment.")
        positions.append(j)
        col_ids.append(int(h))
    return positions, col_ids, ignored


def _participant_ids(t: _Table) -> NDArray[np.int64]:
    pids = t.ints("participant", lo=0, what="a participant id (integer >= 0)")
    uniq, first = np.unique(pids, return_index=True)
    if len(uniq) < len(pids):
        repeat = np.ones(len(pids), dtype=bool)
        repeat[first] = False
        k = int(np.flatnonzero(repeat)[0])
        earlier = int(first[np.searchsorted(uniq, pids[k])])
        raise t.fail(k, t.index["participant"], f"participant {pids[k]} appears twice (also "
                     f"line {t.lines[earlier]}); expected one row per participant.")
    return pids


def _group_ids(t: _Table) -> NDArray[np.int64]:
    g = t.index["group-id"]
    groups = np.full(len(t.rows), -1, dtype=np.int64)
    for k, cells in enumerate(t.rows):
        if cells[g]:
            if not _is_int(cells[g]) or int(cells[g]) < 0:
                raise t.fail(k, g, f"found {show(cells[g])}; expected a group id (integer >= 0) or "
                             "an empty cell (no group).")
            groups[k] = int(cells[g])
    return groups


def _vote_cells(t: _Table, vote_cols: list[int]) -> NDArray[np.float64]:
    cells = np.array(list(map(itemgetter(*vote_cols), t.rows)) if vote_cols and t.rows
                     else [], dtype=str).reshape(len(t.rows), len(vote_cols))
    votes = np.full(cells.shape, np.nan)
    for text, value in _CELL.items():
        votes[cells == text] = value
    bad = ~np.isin(cells, list(_CELL))
    if bad.any():
        k, c = (int(i) for i in np.argwhere(bad)[0])
        raise t.fail(k, vote_cols[c], f"found {show(cells[k, c])}; expected {_VOTES} or an empty "
                     "cell (not voted).")
    return votes


@dataclass(frozen=True)
class _Participants:
    """What participants-votes.csv holds, in file order."""

    pids: NDArray[np.int64]
    groups: NDArray[np.int64]
    xids: tuple[str, ...] | None
    positions: list[int]          # header position of each comment column
    cols: NDArray[np.intp]        # statement column of each comment column
    votes: NDArray[np.float64]    # (participants, comment columns)
    ignored: list[str]            # header names read by no one


def _read_participants(t: _Table, sids: NDArray[np.int64]) -> _Participants:
    """Participant ids, groups, optional xids and the vote cells, columns found by name."""
    t.require(_PV_REQUIRED)
    positions, col_ids, ignored = _vote_columns(t, sids)
    xids = None
    if "xid" in t.index:
        xids = tuple(cells[t.index["xid"]] for cells in t.rows)
    return _Participants(_participant_ids(t), _group_ids(t), xids, positions,
                         np.searchsorted(sids, col_ids), _vote_cells(t, positions), ignored)


def _read_votes(t: _Table, sids: NDArray[np.int64]):
    """(line of each event, (e, 4) int64 events: timestamp, voter-id, comment-id, vote)."""
    t.require(_VOTE_COLS)
    stamps = t.ints("timestamp", what="a timestamp (integer epoch milliseconds)")
    cids = t.ints("comment-id", lo=0, what="a comment-id (integer >= 0)")
    voters = t.ints("voter-id", lo=0, what="a participant id (integer >= 0)")
    vote = t.ints("vote", allowed=(-1, 0, 1), what=_VOTES.replace(", 0", " or 0"))
    unknown = ~np.isin(cids, sids)
    if unknown.any():
        k = int(np.flatnonzero(unknown)[0])
        raise t.fail(k, t.index["comment-id"], f"a vote for comment-id {cids[k]}, which is not "
                     f"in comments.csv; expected one of its {len(sids)} comment-ids.")
    return np.array(t.lines, dtype=np.int64), np.stack([stamps, voters, cids, vote], axis=1)


def _read_summary(t: _Table) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, cells in enumerate(t.rows):
        if len(cells) != 2:
            raise PolisError(f"{t.label}, line {t.lines[k]}, column {min(len(cells), 3)}: the "
                             f"row has {len(cells)} cells {cells}; expected key,value.")
        if cells[0] in out:
            raise PolisError(f"{t.label}, line {t.lines[k]}, column 1: key {show(cells[0])} "
                             "appears twice; expected each key once.")
        out[cells[0]] = cells[1]
    return out


def _show_cell(v: float) -> str:
    return "an empty cell" if np.isnan(v) else str(int(v))


def _check_agree(pv: _Table, part: _Participants, votes: NDArray, rows: NDArray,
                 votes_label: str, history: NDArray, lines: NDArray, last: NDArray,
                 sids: NDArray) -> None:
    """Raise on the first participants-votes cell that differs from votes.csv's latest vote,
    or on a vote in votes.csv for a comment that has no column in participants-votes.csv.

    ``votes`` is the latest-vote matrix of votes.csv; ``last`` the history index of each
    cell's latest event and ``lines`` each event's physical line.
    """
    latest = votes[np.ix_(rows, part.cols)]
    same = (latest == part.votes) | (np.isnan(latest) & np.isnan(part.votes))
    if not same.all():
        k, c = (int(i) for i in np.argwhere(~same)[0])
        if np.isnan(latest[k, c]):
            where = f"{votes_label} has no vote for this participant and comment"
        else:
            e = last[(history[last, 1] == rows[k]) & (history[last, 2] == part.cols[c])][0]
            where = (f"the latest vote in {votes_label} is {_show_cell(latest[k, c])} "
                     f"(line {lines[e]})")
        raise pv.fail(k, part.positions[c], f"participant "
                      f"{pv.rows[k][pv.index['participant']]} holds "
                      f"{_show_cell(part.votes[k, c])}, but {where}; expected the two files to "
                      "agree (participants-votes.csv holds each participant's latest vote).")
    absent = np.ones(votes.shape[1], dtype=bool)
    absent[part.cols] = False
    voted = absent[history[:, 2]]
    if voted.any():
        e = int(np.flatnonzero(voted)[0])
        raise PolisError(f"{votes_label}, line {lines[e]}: a vote on comment-id "
                         f"{sids[history[e, 2]]}, which has no column in {pv.label}; expected "
                         "a column there for every comment with a vote (Polis leaves out only "
                         "comments nobody voted on).")
