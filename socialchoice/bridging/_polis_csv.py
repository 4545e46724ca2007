"""Parsing and validation of the CSV files of a Polis export, for :func:`._polis.read_polis`.

:class:`_Table` reads one CSV file (header, rows and the physical line where each row
starts) and checks its columns and cells; :func:`_opener` opens an export folder or ``.zip``;
``_read_comments``, ``_read_participants``, ``_read_votes`` and ``_read_summary`` parse the
four files into statement fields, numpy arrays (ids, groups, votes, events) and the summary
dict; :func:`_check_agree` compares the two vote files. Every error is a
:class:`~socialchoice.PolisError` naming the file, the physical line (1-based,
header = line 1) and the column, what was found and what was expected.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Sequence
from operator import itemgetter
from os import PathLike
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from .._errors import PolisError

_REQUIRED = ("comments.csv", "participants-votes.csv")
_FILES = (*_REQUIRED, "votes.csv", "summary.csv")
_COMMENT_COLS = ("timestamp", "comment-id", "author-id", "agrees", "disagrees", "moderated",
                 "comment-body")
_VOTE_COLS = ("timestamp", "comment-id", "voter-id", "vote")
_PV_META = ("participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree")
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
        self.header: list[str] = rows.pop(0) if expected is not None else []
        if expected is not None:
            self.lines.pop(0)
        self.rows = rows
        self.index: dict[str, int] = {}
        for j, name in enumerate(self.header):
            if name in self.index:
                raise self.fail_header(j, f"column {name!r} appears twice (also column "
                                       f"{self.index[name] + 1}); expected distinct names.")
            self.index[name] = j

    def fail_header(self, j: int, msg: str) -> PolisError:
        return PolisError(f"{self.label}, line 1, column {j + 1} ({self.header[j]!r}): {msg}")

    def fail(self, k: int, j: int, msg: str) -> PolisError:
        name = f" ({self.header[j]!r})" if j < len(self.header) else ""
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
                            f"column (last: {self.header[-1]!r}).")

    def ints(self, name: str, *, lo: int | None = None, allowed: Sequence[int] = (),
             what: str = "an integer") -> NDArray[np.int64]:
        j = self.index[name]
        cells = list(map(itemgetter(j), self.rows))
        try:
            out = np.fromiter(map(int, cells), dtype=np.int64, count=len(cells))
        except (ValueError, OverflowError):
            k = next(k for k, c in enumerate(cells) if not _is_int(c))
            raise self.fail(k, j, f"found {cells[k]!r}; expected {what}.") from None
        bad = (out < lo) if lo is not None else np.zeros(len(out), bool)
        if allowed:
            bad |= ~np.isin(out, allowed)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise self.fail(k, j, f"found {cells[k]!r}; expected {what}.")
        return out


def _is_int(cell: str) -> bool:
    try:
        np.int64(int(cell))
    except (ValueError, OverflowError):
        return False
    return True


def _opener(folder: str | PathLike[str]) -> tuple[str, list[str], Callable[[str], str],
                                                  Callable[[str], str]]:
    """(conversation name, present files, read(file) -> text, label(file)) of a folder/zip."""
    path = Path(folder)
    if path.is_dir():
        present = sorted(p.name for p in path.iterdir())

        def read(f: str) -> str:
            with open(path / f, encoding="utf-8-sig", newline="") as fh:
                return fh.read()
        return path.name, present, read, lambda f: str(path / f)
    if path.is_file() and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/")]
            dirs = {n.rpartition("/")[0] for n in names if n.rpartition("/")[2] in _REQUIRED}
            prefix = (dirs.pop() + "/") if len(dirs) == 1 and "" not in dirs else ""
            present = sorted(n[len(prefix):] for n in names if n.startswith(prefix))
            data = {f: zf.read(prefix + f) for f in _FILES if f in present}
        name = prefix.rstrip("/").rpartition("/")[2] or path.stem
        return (name, present, lambda f: data[f].decode("utf-8-sig"),
                lambda f: f"{path}:{prefix}{f}")
    what = "is not a folder or a .zip file" if path.exists() else "does not exist"
    raise PolisError(f"Polis export {str(path)!r} {what}; expected a folder holding "
                     f"{' and '.join(_REQUIRED)} (votes.csv and summary.csv optional).")


def _read_comments(t: _Table) -> list[dict[str, int | str]]:
    """The fields of a :class:`~._polis.Statement` per comment, ordered by comment-id."""
    t.require(_COMMENT_COLS)
    if not t.rows:
        raise PolisError(f"{t.label}, line 2: no rows after the header; expected one row per "
                         "comment.")
    ids = t.ints("comment-id", lo=0, what="a comment-id (integer >= 0)")
    cols = {c: t.ints(c, lo=0, what=f"{c} (integer >= 0)")
            for c in ("author-id", "agrees", "disagrees")}
    moderated = t.ints("moderated", allowed=(-1, 0, 1),
                       what="-1 (rejected), 0 (unmoderated) or 1 (accepted)")
    stamps = t.ints("timestamp", what="a timestamp (integer epoch milliseconds)")
    seen: dict[int, int] = {}
    for k, cid in enumerate(ids.tolist()):
        if cid in seen:
            raise t.fail(k, t.index["comment-id"], f"comment-id {cid} appears twice (also line "
                         f"{t.lines[seen[cid]]}); expected each comment once.")
        seen[cid] = k
    body = t.index["comment-body"]
    return [dict(id=int(ids[k]), text=t.rows[k][body].strip(),
                 author_id=int(cols["author-id"][k]), moderated=int(moderated[k]),
                 timestamp=int(stamps[k]), agrees=int(cols["agrees"][k]),
                 disagrees=int(cols["disagrees"][k]))
            for k in np.argsort(ids, kind="stable").tolist()]


def _read_participants(t: _Table, sids: NDArray[np.int64]):
    """participant ids, group ids, statement column of each vote column, (p, c) votes."""
    t.require(("participant", "group-id"))
    vote_cols = [j for j, h in enumerate(t.header) if h not in _PV_META]
    col_ids, known = [], set(sids.tolist())
    for j in vote_cols:
        h = t.header[j]
        if not _is_int(h) or int(h) < 0:
            raise t.fail_header(j, f"found {h!r}; expected a comment-id (integer >= 0) or one "
                                f"of {list(_PV_META)}.")
        if int(h) not in known:
            raise t.fail_header(j, f"comment-id {int(h)} is not in comments.csv; expected one "
                                f"of the {len(sids)} comment-ids there.")
        col_ids.append(int(h))
    pids = t.ints("participant", lo=0, what="a participant id (integer >= 0)")
    uniq, first = np.unique(pids, return_index=True)
    if len(uniq) < len(pids):
        repeat = np.ones(len(pids), dtype=bool)
        repeat[first] = False
        k = int(np.flatnonzero(repeat)[0])
        earlier = int(first[np.searchsorted(uniq, pids[k])])
        raise t.fail(k, t.index["participant"], f"participant {pids[k]} appears twice (also "
                     f"line {t.lines[earlier]}); expected one row per participant.")
    g = t.index["group-id"]
    groups = np.full(len(t.rows), -1, dtype=np.int64)
    for k, cells in enumerate(t.rows):
        if cells[g]:
            if not _is_int(cells[g]) or int(cells[g]) < 0:
                raise t.fail(k, g, f"found {cells[g]!r}; expected a group id (integer >= 0) or "
                             "an empty cell (no group).")
            groups[k] = int(cells[g])
    cells = np.array(list(map(itemgetter(*vote_cols), t.rows)) if vote_cols and t.rows
                     else [], dtype=str).reshape(len(t.rows), len(vote_cols))
    votes = np.full(cells.shape, np.nan)
    for text, value in _CELL.items():
        votes[cells == text] = value
    bad = ~np.isin(cells, list(_CELL))
    if bad.any():
        k, c = (int(i) for i in np.argwhere(bad)[0])
        raise t.fail(k, vote_cols[c], f"found {cells[k, c]!r}; expected {_VOTES} or an empty "
                     "cell (not voted).")
    return pids, groups, np.searchsorted(sids, col_ids), votes


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
            raise PolisError(f"{t.label}, line {t.lines[k]}, column 1: key {cells[0]!r} appears "
                             "twice; expected each key once.")
        out[cells[0]] = cells[1]
    return out


def _check_agree(pv: _Table, latest: NDArray, cells: NDArray, rows: NDArray, cols: NDArray,
                 votes_label: str, history: NDArray, lines: NDArray, last: NDArray) -> None:
    """Raise on the first participants-votes cell that differs from votes.csv's latest vote."""
    same = (latest == cells) | (np.isnan(latest) & np.isnan(cells))
    if same.all():
        return
    k, c = (int(i) for i in np.argwhere(~same)[0])
    j = [j for j, h in enumerate(pv.header) if h not in _PV_META][c]

    def show(v: float) -> str:
        return "an empty cell" if np.isnan(v) else str(int(v))
    if np.isnan(latest[k, c]):
        where = f"{votes_label} has no vote for this participant and comment"
    else:
        e = last[(history[last, 1] == rows[k]) & (history[last, 2] == cols[c])][0]
        where = f"the latest vote in {votes_label} is {show(latest[k, c])} (line {lines[e]})"
    raise pv.fail(k, j, f"participant {pv.rows[k][pv.index['participant']]} holds "
                  f"{show(cells[k, c])}, but {where}; expected the two files to agree "
                  "(participants-votes.csv holds each participant's latest vote).")
