"""Which layout a CSV ballot file has, and whether its first row is a header (private).

The rules are documented in :mod:`socialchoice.io`. A layout is only guessed when the file
admits one reading; otherwise the reader stops and names the ``layout=`` or ``header=``
argument that settles it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ._csv_rows import Row
from ._errors import ProfileError

__all__ = ["LAYOUTS", "Layout", "detect", "is_rank", "split_preferences", "tier_names"]

#: The two CSV ballot layouts.
LAYOUTS = ("ranked", "matrix")

_ORDINAL = (r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh"
            r"|twelfth|last|top|next)")
_WORD = r"(?:rank|ranking|choice|pref|preference|position|place|vote|pick)s?"
_RANK_COL = re.compile(
    rf"{_WORD}(?:[\s_#.:-]*(?:no\.?\s*)?(?:[0-9]+|{_ORDINAL}))?"
    rf"|(?:[0-9]+\s*(?:st|nd|rd|th)|{_ORDINAL})(?:[\s_-]*{_WORD})?"
    rf"|[0-9]+[\s_-]*{_WORD}",
    re.I,
)
_META = {"count": "count", "voter": "voter", "voter_id": "voter", "voter id": "voter"}
_RANK_CELL = re.compile(r"\+?[0-9]+(?:\.0*)?")


@dataclass(frozen=True)
class Layout:
    """How to read the rows: the layout, whether row 1 is a header, its count/voter columns."""

    kind: str
    header: bool
    meta: dict[int, str] = field(default_factory=dict)
    detected: bool = True


def is_rank(cell: str) -> bool:
    """Whether a cell reads as a rank: an integer, ``1.0``-style floats included."""
    return (cell.isascii() and cell.isdigit()) or bool(_RANK_CELL.fullmatch(cell))


def split_preferences(cell: str) -> list[str]:
    """A ranked cell's tiers in ``>`` notation, best first: ``'a>b=c'`` -> ``['a', 'b=c']``.

    A cell that also holds ``<`` is one name (markup such as ``<b>x</b>`` is not split).

    >>> split_preferences("a > b=c"), split_preferences("<b>x</b>")
    (['a ', ' b=c'], ['<b>x</b>'])
    """
    return cell.split(">") if ">" in cell and "<" not in cell else [cell]


def tier_names(cell: str) -> list[str]:
    """The candidate names of a ranked cell: ``'a>b=c'`` -> ``['a', 'b', 'c']``."""
    return [name.strip() for part in split_preferences(cell) for name in part.split("=")]


def detect(rows: list[Row], layout: str | None, header: bool | None, source: str) -> Layout:
    """The layout of ``rows``, given the caller's ``layout`` and ``header`` (``None`` = detect)."""
    head = [c.lower() for c in rows[0][1]]
    meta = {j: _META[c] for j, c in enumerate(head) if c in _META}
    if layout == "matrix":
        if header is False:
            raise ProfileError(f"{source}: layout='matrix' needs a header row of candidate "
                               "names; expected header=None or header=True.")
        return Layout("matrix", True, meta, detected=False)
    rank_header = _is_rank_header(head)
    uses_gt = any(">" in c and "<" not in c for _, r in rows for c in r)
    if layout == "ranked" or rank_header or uses_gt:
        first_is_header = header if header is not None else (
            rank_header or head[0] in _META or _ambiguous_first_row(rows, source))
        return Layout("ranked", first_is_header, meta if first_is_header else {},
                      detected=layout is None)
    return _detect_by_cells(rows, head, meta, header, source)


def _detect_by_cells(
    rows: list[Row], head: list[str], meta: dict[int, str], header: bool | None, source: str
) -> Layout:
    """Matrix when row 1 names candidates and most later cells are ranks; else ranked."""
    cells = [c for _, r in rows[1:] for j, c in enumerate(r) if c and j not in meta]
    ranks = sum(map(is_rank, cells))
    starts_meta = head[0] in _META
    names = starts_meta or _looks_like_names(rows[0][1])
    if header is not False and names and (ranks > len(cells) / 2 or (starts_meta and ranks)):
        return Layout("matrix", True, meta)
    if header is not None:
        return Layout("ranked", header, meta if header else {})
    if starts_meta:
        return Layout("ranked", True, meta)
    return Layout("ranked", _ambiguous_first_row(rows, source), {})


def _is_rank_header(head: list[str]) -> bool:
    filled = [c for c in head if c]
    return bool(filled) and all(c in _META or _RANK_COL.fullmatch(c) for c in filled) and any(
        c not in _META for c in filled)


def _looks_like_names(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return (any(not is_rank(c) for c in filled) and not any("=" in c for c in filled)
            and len(set(filled)) == len(filled))


def _ambiguous_first_row(rows: list[Row], source: str) -> bool:
    """``False`` (row 1 is a ballot), or an error when row 1 looks like an unknown header.

    Row 1 looks like a header when it has two or more cells, none of its names appears in
    any later row, and the later rows share candidates among themselves.
    """
    filled = [c for c in rows[0][1] if c]
    if len(filled) < 2:
        return False
    first = {n for c in filled for n in tier_names(c)}
    seen: set[str] = set()
    shared = False
    for _, cells in rows[1:]:
        names = {n for c in cells if c for n in tier_names(c)}
        if names & first:
            return False
        shared = shared or bool(names & seen)
        seen |= names
    if shared:
        shown = ", ".join(repr(c) for c in filled[:4]) + (", ..." if len(filled) > 4 else "")
        raise ProfileError(
            f"{source}, row {rows[0][0]}: none of this row's cells ({shown}) appears in the "
            "ballots below it, so it may be a header; expected header=True (skip it) or "
            "header=False (read it as a ballot)."
        )
    return False
