"""CSV ballot files (private; the layouts and public API are documented in
:mod:`socialchoice.io`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from _common.sources import Source, read_text
from _common.validation import check_choice, parameter_error

from ._csv_layout import LAYOUTS, Layout, detect, is_rank, split_preferences
from ._csv_rows import Row, split_rows
from ._errors import ProfileError
from ._preflib import is_path
from .profile import MAX_VOTERS, Profile

__all__ = ["parse_ballots_csv", "parse_csv", "read_ballots_csv"]

_INT = re.compile(r"[+-]?[0-9]+")
Fail = Callable[[int, int, str], ProfileError]


def read_ballots_csv(
    source: Source, *, layout: str | None = None, header: bool | None = None,
    name: str | None = None,
) -> Profile:
    """Read ballots from a CSV file (layouts in :mod:`socialchoice.io`).

    Parameters
    ----------
    source : path-like, file-like or bytes
        A path, an object with ``read()`` returning ``str`` or UTF-8 ``bytes``, or the bytes.
    layout : {None, "ranked", "matrix"}, optional
        The layout; ``None`` detects it when the file admits only one reading and otherwise
        raises, naming this argument. ``profile.metadata["csv_layout"]`` says which was used.
    header : bool, optional
        Whether row 1 is a header; ``None`` detects it.
    name : str, optional
        The file's name in messages (default: the path as given, or a file object's name).

    Returns
    -------
    Profile

    Raises
    ------
    ProfileError
        A missing or empty file, an ambiguous layout, a malformed cell; the message names the
        file, row and column.

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
    >>> read_ballots_csv(b"alice>bob>carol\\ncarol>alice\\n").ballots
    [('alice', 'bob', 'carol'), ('carol', 'alice')]
    """
    text, label = read_text(source, name=name, error=ProfileError)
    return parse_csv(text, label, layout, header, "read_ballots_csv")[0]


def parse_ballots_csv(
    text: str, *, source: str = "<string>", layout: str | None = None,
    header: bool | None = None,
) -> Profile:
    """Parse CSV ballots in the ranked-list or the rank-matrix layout (see :mod:`socialchoice.io`).

    Parameters
    ----------
    text : str
        The CSV text.
    source : str, optional
        A name for error messages.
    layout : {None, "ranked", "matrix"}, optional
        The layout; ``None`` detects it when unambiguous.
    header : bool, optional
        Whether row 1 is a header; ``None`` detects it.

    Returns
    -------
    Profile
        ``metadata`` holds ``csv_layout`` (``"ranked"`` or ``"matrix"``, the layout used)
        and, for a file, ``source`` (its name).

    Raises
    ------
    ProfileError
        An ambiguous layout or a malformed cell; the message names the row and column.

    References
    ----------
    .. [1] F. Brandt et al. (eds.), *Handbook of Computational Social Choice*, CUP 2016,
       §2.1 (profiles of weak orders).

    Examples
    --------
    >>> from socialchoice.io import parse_ballots_csv
    >>> parse_ballots_csv("a,b=c,d\\nb,a\\n").ballots
    [('a', ('b', 'c'), 'd'), ('b', 'a')]
    >>> p = parse_ballots_csv("voter,x,y,z\\nann,1,2,\\nbob,2.0,1,1\\n")
    >>> p.metadata["csv_layout"], p.ballots
    ('matrix', [('x', 'y'), (('y', 'z'), 'x')])
    >>> parse_ballots_csv("a,b\\nb,,a\\n")
    Traceback (most recent call last):
    ...
    socialchoice._errors.ProfileError: <string>, row 2, column 2: blank cell before a filled ...
    """
    return parse_csv(text, source, layout, header, "parse_ballots_csv")[0]


def parse_csv(
    text: str, source: str, layout: str | None, header: bool | None, func: str
) -> tuple[Profile, Layout]:
    """The profile and the :class:`Layout` it was read with (the readers' shared core)."""
    check_choice(layout, "layout", func, (None, *LAYOUTS), error=ProfileError)
    if header is not None and not isinstance(header, bool):
        raise parameter_error("header", func, "None, True or False", header, ProfileError)
    rows = split_rows(text, source)
    how = detect(rows, layout, header, source)
    data = rows[1:] if how.header else rows
    if not data:
        raise ProfileError(f"{source}: only a header row; expected ballots after it.")

    def fail(row: int, col: int, msg: str) -> ProfileError:
        return ProfileError(f"{source}, row {row}, column {col}: {msg}")

    md: dict[str, Any] = {"csv_layout": how.kind}
    if is_path(source):
        md["source"] = Path(source).name
    counts = _counts(data, how, fail)
    if how.kind == "ranked":
        return _read_ranked(data, how, rows[0][1], counts, md, fail), how
    return _read_matrix(rows[0], data, how, counts, md, fail), how


# ---------------------------------------------------------------------------- counts
def _counts(data: list[Row], how: Layout, fail: Fail) -> list[int | float]:
    """Each row's count (1 without a ``count`` column), the running total kept <= 2^53."""
    j = next((j for j, kind in how.meta.items() if kind == "count"), None)
    if j is None:
        return [1] * len(data)
    out: list[int | float] = []
    total = 0.0
    for line, cells in data:
        value = _count(cells[j] if j < len(cells) else "", line, j, fail)
        total += value
        if total > MAX_VOTERS:
            raise fail(line, j + 1, f"the counts sum to more than 2^53 ({MAX_VOTERS}) by this "
                       "row; expected a total of at most 2^53 voters.")
        out.append(value)
    return out


def _count(cell: str, line: int, j: int, fail: Fail) -> int | float:
    try:
        value = float(cell)
    except ValueError:
        value = -1.0
    if not math.isfinite(value) or value < 0:
        raise fail(line, j + 1, f"count {cell!r}; expected a non-negative number.")
    if value > MAX_VOTERS:
        raise fail(line, j + 1, f"count {cell!r} is above 2^53 ({MAX_VOTERS}); expected at "
                   "most 2^53 voters per row.")
    return int(value) if value.is_integer() else value


# ---------------------------------------------------------------------------- ranked list
def _read_ranked(
    data: list[Row], how: Layout, head: list[str], counts: list, md: dict, fail: Fail
) -> Profile:
    width = len(head) if how.header else None
    ballots = [_ranked_ballot(line, cells, how, width, fail) for line, cells in data]
    conv = _label_converter({c for b in ballots for t in b for c in t})
    ballots = [[tuple(map(conv, t)) if len(t) > 1 else conv(t[0]) for t in b] for b in ballots]
    return Profile(ballots, counts, metadata=md)


def _ranked_ballot(
    line: int, cells: list[str], how: Layout, width: int | None, fail: Fail
) -> list[tuple[str, ...]]:
    """One row as tiers, best first: a cell is a candidate, ``b=c`` a tie, ``a>b`` two tiers."""
    if width is not None and any(cells[width:]):
        extra = width + 1 + next(i for i, c in enumerate(cells[width:]) if c)
        raise fail(line, extra, f"a cell beyond the header's {width} columns; expected at "
                   f"most {width}.")
    cols = [j for j in range(len(cells)) if j not in how.meta]
    last = max((j for j in cols if cells[j]), default=-1)
    tiers: list[tuple[str, ...]] = []
    seen: dict[str, int] = {}
    for j in (j for j in cols if j <= last):
        if not cells[j]:
            raise fail(line, j + 1, "blank cell before a filled one; expected blank cells only "
                       "at the end of a ranked ballot (truncation).")
        plain = "=" not in cells[j] and ">" not in cells[j]
        for part in [cells[j]] if plain else split_preferences(cells[j]):
            tier = (part,) if plain else tuple(name.strip() for name in part.split("="))
            _check_tier(tier, cells[j], line, j, seen, fail)
            tiers.append(tier)
    return tiers


def _check_tier(
    tier: tuple[str, ...], cell: str, line: int, j: int, seen: dict[str, int], fail: Fail
) -> None:
    for c in tier:
        if not c:
            raise fail(line, j + 1, f"{cell!r} has an empty name; expected candidates "
                       "separated by '>' (preferred to) or '=' (tied with).")
        if c in seen:
            raise fail(line, j + 1, f"candidate {c!r} already appears in column {seen[c]}; "
                       "expected each candidate once per ballot.")
        seen[c] = j + 1


# ---------------------------------------------------------------------------- rank matrix
def _read_matrix(
    first: Row, data: list[Row], how: Layout, counts: list, md: dict, fail: Fail
) -> Profile:
    head_line, head = first
    cand_cols = [j for j in range(len(head)) if j not in how.meta]
    for j in cand_cols:
        if not head[j]:
            raise fail(head_line, j + 1, "blank header cell; expected a candidate name.")
        if head.index(head[j]) != j:
            raise fail(head_line, j + 1, f"candidate {head[j]!r} is named twice (also column "
                       f"{head.index(head[j]) + 1}); expected distinct names.")
    ranks = np.full((len(data), len(cand_cols)), -1, dtype=np.int64)
    hint = (" If the cells are candidate names, read the file with layout='ranked'."
            if how.detected else "")
    for k, (line, cells) in enumerate(data):
        if any(cells[len(head):]):
            raise fail(line, len(head) + 1, f"a cell beyond the header's {len(head)} columns; "
                       f"expected at most {len(head)}.")
        for i, j in enumerate(cand_cols):
            cell = cells[j] if j < len(cells) else ""
            if cell:
                ranks[k, i] = _rank(cell, head[j], line, j, hint, fail)
    conv = _label_converter([head[j] for j in cand_cols])
    return Profile.from_ranks(ranks, candidates=[conv(head[j]) for j in cand_cols],
                              counts=counts, metadata=md)


def _rank(cell: str, candidate: str, line: int, j: int, hint: str, fail: Fail) -> int:
    value = int(cell.split(".")[0]) if is_rank(cell) else None
    if value is not None and value > MAX_VOTERS:
        raise fail(line, j + 1, f"({candidate!r}) rank {cell!r} is above 2^53; expected a "
                   "positive integer up to 2^53 (1 = best) or a blank cell (unranked).")
    if value is None or value < 1:
        raise fail(line, j + 1, f"({candidate!r}) {cell!r} is not a rank; expected a positive "
                   f"integer (1 = best) or a blank cell (unranked).{hint if value is None else ''}")
    return value


def _label_converter(labels: Any) -> Any:
    labels = list(labels)
    if labels and all(_INT.fullmatch(c) for c in labels) and len({int(c) for c in labels}) == len(
            set(labels)):
        return int
    return str
