"""CSV ballot files (private; the layouts and public API are documented in
:mod:`socialchoice.io`).
"""

from __future__ import annotations

import csv
import io as _io
import re
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from ._errors import ProfileError
from ._preflib import _is_path
from .profile import Profile

__all__ = ["parse_ballots_csv", "read_ballots_csv"]

# ---------------------------------------------------------------------------- CSV
_RANK_COL = re.compile(
    r"(?:rank|choice|pref|preference|position)[\s_#-]*[0-9]+"
    r"|[0-9]+\s*(?:st|nd|rd|th)(?:[\s_-]*(?:choice|place|rank|preference))?",
    re.I,
)
_META = {"count": "count", "voter": "voter", "voter_id": "voter", "voter id": "voter"}
_INT = re.compile(r"[+-]?[0-9]+")


def read_ballots_csv(path_or_buffer: str | PathLike[str] | Any) -> Profile:
    """Read ballots from a CSV file or text buffer (layouts in the module docstring).

    Parameters
    ----------
    path_or_buffer : path-like or file-like
        A path, or an object with ``read()`` returning ``str`` or UTF-8 ``bytes``.

    Returns
    -------
    Profile

    Raises
    ------
    ProfileError
        A malformed cell; the message names the row and column.

    References
    ----------
    .. [1] F. Brandt et al. (eds.), *Handbook of Computational Social Choice*, CUP 2016,
       §2.1 (profiles of weak orders).

    Examples
    --------
    >>> import io
    >>> from socialchoice.io import read_ballots_csv
    >>> read_ballots_csv(io.StringIO("count,rank1,rank2\\n3,a,b=c\\n2,c\\n")).ballots
    [('a', ('b', 'c')), ('c',)]
    """
    if hasattr(path_or_buffer, "read"):
        text = path_or_buffer.read()
        if isinstance(text, bytes):
            text = text.decode("utf-8-sig")
        name = getattr(path_or_buffer, "name", None)
        return parse_ballots_csv(text, source=str(name) if isinstance(name, str) else "<buffer>")
    return parse_ballots_csv(Path(path_or_buffer).read_text(encoding="utf-8-sig"),
                             source=str(path_or_buffer))


def parse_ballots_csv(text: str, *, source: str = "<string>") -> Profile:
    """Parse CSV ballots in the ranked-list or the rank-matrix layout (see the module docstring).

    Parameters
    ----------
    text : str
        The CSV text.
    source : str, optional
        A name for error messages.

    Returns
    -------
    Profile
        ``metadata`` holds ``csv_layout`` (``"ranked"`` or ``"matrix"``) and, for a file,
        ``source`` (its name).

    Raises
    ------
    ProfileError
        A malformed cell; the message names the row and column.

    References
    ----------
    .. [1] F. Brandt et al. (eds.), *Handbook of Computational Social Choice*, CUP 2016,
       §2.1 (profiles of weak orders).

    Examples
    --------
    >>> from socialchoice.io import parse_ballots_csv
    >>> parse_ballots_csv("a,b=c,d\\nb,a\\n").ballots
    [('a', ('b', 'c'), 'd'), ('b', 'a')]
    >>> p = parse_ballots_csv("voter,x,y,z\\nann,1,2,\\nbob,2,1,1\\n")
    >>> p.metadata["csv_layout"], p.ballots
    ('matrix', [('x', 'y'), (('y', 'z'), 'x')])
    >>> parse_ballots_csv("a,b\\nb,,a\\n")
    Traceback (most recent call last):
    ...
    socialchoice._errors.ProfileError: <string>, row 2, column 2: blank cell before a filled ...
    """
    text = text.lstrip("\ufeff")
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delim = next((d for d in (",", "\t", ";") if d in first), ",")
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(_io.StringIO(text), delimiter=delim)
    try:
        for cells in reader:
            cells = [c.strip() for c in cells]
            if any(cells):
                rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise ProfileError(f"{source}, row {reader.line_num}: {exc}; expected valid CSV.") from None
    if not rows:
        raise ProfileError(f"{source}: no ballots; expected at least one row.")

    def fail(row: int, col: int, msg: str) -> ProfileError:
        return ProfileError(f"{source}, row {row}, column {col}: {msg}")

    head = rows[0][1]
    low = [c.lower() for c in head]
    is_header = bool(low) and (low[0] in _META or all(
        not c or c in _META or _RANK_COL.fullmatch(c) for c in low))
    layout = "ranked"
    if is_header:
        if any(c and c not in _META and not _RANK_COL.fullmatch(c) for c in low):
            layout = "matrix"
    elif (len(rows) > 1 and any(c and not _INT.fullmatch(c) for c in head)
          and not any("=" in c for c in head) and len(set(filter(None, head))) == len(
              [c for c in head if c])
          and all(not c or _INT.fullmatch(c) for _, r in rows[1:] for c in r)):
        is_header, layout = True, "matrix"
    meta = {j: _META[c] for j, c in enumerate(low) if is_header and c in _META}
    data = rows[1:] if is_header else rows
    if not data:
        raise ProfileError(f"{source}: only a header row; expected ballots after it.")

    def count_of(line: int, cells: list[str]) -> int | float:
        j = next((j for j, kind in meta.items() if kind == "count"), None)
        if j is None:
            return 1
        cell = cells[j] if j < len(cells) else ""
        try:
            value = float(cell)
        except ValueError:
            value = -1.0
        if not np.isfinite(value) or value < 0:
            raise fail(line, j + 1, f"count {cell!r}; expected a non-negative number.")
        return int(value) if value == int(value) else value

    width = len(head) if is_header else None
    counts = []
    md: dict[str, Any] = {"csv_layout": layout}
    if _is_path(source):
        md["source"] = Path(source).name
    if layout == "ranked":
        ballots, labels = [], set()
        for line, cells in data:
            if width is not None and any(cells[width:]):
                raise fail(line, width + 1 + next(i for i, c in enumerate(cells[width:]) if c),
                           f"a cell beyond the header's {width} columns; expected at most {width}.")
            cols = [j for j in range(len(cells)) if j not in meta]
            last = max((j for j in cols if cells[j]), default=-1)
            ballot, seen = [], {}
            for j in cols:
                if j > last:
                    break
                if not cells[j]:
                    raise fail(line, j + 1, "blank cell before a filled one; expected blank cells "
                               "only at the end of a ranked ballot (truncation).")
                tier = [t.strip() for t in cells[j].split("=")]
                for c in tier:
                    if not c:
                        raise fail(line, j + 1, f"{cells[j]!r} has an empty name; expected "
                                   "candidates separated by '='.")
                    if c in seen:
                        raise fail(line, j + 1, f"candidate {c!r} already appears in column "
                                   f"{seen[c]}; expected each candidate once per ballot.")
                    seen[c] = j + 1
                labels.update(tier)
                ballot.append(tuple(tier) if len(tier) > 1 else tier[0])
            ballots.append(ballot)
            counts.append(count_of(line, cells))
        conv = _label_converter(labels)
        ballots = [[tuple(map(conv, t)) if isinstance(t, tuple) else conv(t) for t in b]
                   for b in ballots]
        return Profile(ballots, counts, metadata=md)

    cand_cols = [j for j in range(len(head)) if j not in meta]
    for j in cand_cols:
        if not head[j]:
            raise fail(rows[0][0], j + 1, "blank header cell; expected a candidate name.")
        if head.index(head[j]) != j:
            raise fail(rows[0][0], j + 1, f"candidate {head[j]!r} is named twice (also column "
                       f"{head.index(head[j]) + 1}); expected distinct names.")
    ranks = np.full((len(data), len(cand_cols)), -1, dtype=np.int64)
    for k, (line, cells) in enumerate(data):
        if any(cells[len(head):]):
            raise fail(line, len(head) + 1, f"a cell beyond the header's {len(head)} columns; "
                       f"expected at most {len(head)}.")
        for i, j in enumerate(cand_cols):
            cell = cells[j] if j < len(cells) else ""
            if not cell:
                continue
            if not _INT.fullmatch(cell) or int(cell) < 1:
                raise fail(line, j + 1, f"({head[j]!r}) {cell!r} is not a rank; expected a "
                           "positive integer (1 = best) or a blank cell (unranked).")
            ranks[k, i] = int(cell)
        counts.append(count_of(line, cells))
    conv = _label_converter([head[j] for j in cand_cols])
    return Profile.from_ranks(ranks, candidates=[conv(head[j]) for j in cand_cols],
                              counts=counts, metadata=md)


def _label_converter(labels: Any) -> Any:
    labels = list(labels)
    if labels and all(_INT.fullmatch(c) for c in labels) and len({int(c) for c in labels}) == len(
            set(labels)):
        return int
    return str
