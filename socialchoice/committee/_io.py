"""Reading approval ballots and cardinal utilities from CSV files.

The layout is one row per voter and one column per candidate, under a header row that
names the candidates. Two optional columns are recognised by name (case-insensitive):
``voter`` (an id, kept as text) and ``weight`` (a positive number, the voter's weight or
count). Cells are ``0``/``1`` (also ``true``/``false``, ``yes``/``no``, ``x``/empty for
approvals) or non-negative numbers for cardinal utilities. The source is a path, a file-like
object or bytes (:mod:`_common.sources`); messages name the user's file, its line and column.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from _common.sources import Source, read_text, source_name

from .._errors import ApprovalError

__all__ = ["Approvals", "read_approvals"]

_TRUE = {"1", "true", "yes", "y", "x"}
_FALSE = {"0", "false", "no", "n", ""}
_VOTER = "voter"
_WEIGHT = "weight"
_HEADER_HINT = (
    "the first row must name the columns, e.g. 'voter,weight,alice,bob,carol' (the 'voter' "
    "and 'weight' columns are optional)"
)


@dataclass(frozen=True, eq=False)
class Approvals:
    """Approval ballots (or utilities) read from a file.

    Attributes
    ----------
    matrix : ndarray of float, shape (n, m)
        ``matrix[i, j]`` is voter ``i``'s approval (0/1) or utility for candidate ``j``.
    candidates : tuple of str
        The candidate names, in column order.
    weights : ndarray of float, shape (n,)
        Voter weights (all ones when the file has no ``weight`` column).
    voters : tuple of str
        Voter ids (``"1"``, ``"2"``, … by data row when the file has no ``voter`` column).
    """

    matrix: NDArray[np.float64]
    candidates: tuple[str, ...]
    weights: NDArray[np.float64]
    voters: tuple[str, ...]

    @property
    def is_approval(self) -> bool:
        """Whether every cell is 0 or 1."""
        return bool(np.isin(self.matrix, (0.0, 1.0)).all())

    def names(self, committee: tuple[int, ...] | list[int]) -> list[str]:
        """The candidate names of a committee given as column indices."""
        return [self.candidates[j] for j in committee]


def _cell(text: str, where: str) -> float:
    """An approval (0/1 words) or a non-negative utility."""
    low = text.strip().lower()
    if low in _TRUE:
        return 1.0
    if low in _FALSE:
        return 0.0
    try:
        value = float(low)
    except ValueError:
        raise ApprovalError(
            f"{where}: expected 0/1 (or true/false, yes/no, x/empty) or a non-negative "
            f"utility; got {text!r}."
        ) from None
    if not math.isfinite(value) or value < 0:
        raise ApprovalError(f"{where}: expected a non-negative finite utility; got {text!r}.")
    return value


def _weight(text: str, where: str) -> float:
    """A voter weight: a positive, finite number (never an approval word)."""
    try:
        value = float(text.strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise ApprovalError(
            f"{where}: a voter weight must be a positive number (the voter's weight or "
            f"count); got {text!r}."
        )
    return value


def _looks_like_data(names: list[str]) -> bool:
    """Whether header cells are a row of approvals or utilities rather than candidate names.

    Numbers that cannot be names of distinct candidates -- repeated, all 0/1, or fractional
    -- are data; numbered candidates (``3,7,12``) and words are names.

    >>> _looks_like_data(["1", "0", "1"]), _looks_like_data(["0.5", "2"])
    (True, True)
    >>> _looks_like_data(["3", "7", "12"]), _looks_like_data(["x", "y"])
    (False, False)
    """
    try:
        values = [float(n) for n in names]
    except ValueError:
        return False
    return (
        len(set(values)) < len(values)
        or all(v in (0.0, 1.0) for v in values)
        or any(not v.is_integer() for v in values if math.isfinite(v))
    )


@dataclass(frozen=True)
class _Layout:
    """Which columns of the header hold the voter id, the weight and the candidates."""

    header: list[str]
    voter: int | None
    weight: int | None
    candidates: list[int]


def _special(lower: list[str], name: str, label: str) -> int | None:
    where = [j for j, h in enumerate(lower) if h == name]
    if len(where) > 1:
        raise ApprovalError(f"{label}, line 1: the header has two {name!r} columns.")
    return where[0] if where else None


def _layout(header: list[str] | None, label: str) -> _Layout:
    """Read the header row, refusing a missing header, nameless and repeated columns."""
    if header is None or not any(h.strip() for h in header):
        raise ApprovalError(f"{label} is empty: expected a header row naming the candidates.")
    header = [h.strip() for h in header]
    if len(header) == 1:
        for sep, what in ((";", "semicolons"), ("\t", "tabs")):
            if sep in header[0]:
                raise ApprovalError(
                    f"{label}, line 1: the cells are separated by {what}, not commas; save the "
                    "file as comma-separated CSV."
                )
    lower = [h.lower() for h in header]
    voter, weight = _special(lower, _VOTER, label), _special(lower, _WEIGHT, label)
    columns = [j for j in range(len(header)) if j not in (voter, weight)]
    if not columns:
        raise ApprovalError(f"{label}, line 1: the header names no candidate column.")
    names = [header[j] for j in columns]
    if _looks_like_data(names):
        raise ApprovalError(
            f"{label}, line 1: the header row is missing (this row holds the values "
            f"{', '.join(map(repr, names[:4]))}{', ...' if len(names) > 4 else ''}); "
            f"{_HEADER_HINT}."
        )
    for j in columns:
        if not header[j]:
            raise ApprovalError(f"{label}, line 1, column {j + 1}: a candidate column has no name.")
        if "\n" in header[j] or "\r" in header[j]:
            raise ApprovalError(
                f"{label}, line 1, column {j + 1}: the candidate name {header[j]!r} contains a "
                "line break (an unbalanced quote?)."
            )
    dup = sorted({x for x in names if names.count(x) > 1})
    if dup:
        raise ApprovalError(f"{label}, line 1: candidate {dup[0]!r} appears twice in the header.")
    return _Layout(header, voter, weight, columns)


def _rows(
    reader: Any, layout: _Layout, label: str
) -> tuple[list[list[float]], list[float], list[str]]:
    """The approval rows, weights and voter ids of the data rows (blank rows skipped).

    ``reader`` is a :func:`csv.reader` (its ``line_num`` names the line of an error).
    """
    header = layout.header
    rows: list[list[float]] = []
    weights: list[float] = []
    voters: list[str] = []
    end = reader.line_num
    for fields in reader:
        start, line = end + 1, reader.line_num
        end = line
        if line > start and any("\n" in f or "\r" in f for f in fields):
            raise ApprovalError(
                f"{label}, line {start}: a quoted cell runs on to line {line} (an unbalanced "
                "'\"'?)."
            )
        if not fields or all(not f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            raise ApprovalError(
                f"{label}, line {line}: expected {len(header)} cells (one per header column); "
                f"got {len(fields)}."
            )
        where = f"{label}, line {line}, column"
        rows.append([_cell(fields[j], f"{where} {header[j]!r}") for j in layout.candidates])
        if layout.weight is not None:
            j = layout.weight
            weights.append(_weight(fields[j], f"{where} {header[j]!r}"))
        voters.append(fields[layout.voter].strip() if layout.voter is not None else str(len(rows)))
    return rows, weights, voters


def read_approvals(source: Source, *, name: str | None = None) -> Approvals:
    """Read an approval (or utility) matrix from a CSV file.

    Parameters
    ----------
    source : str, os.PathLike, bytes or file-like object
        The CSV file (one row per voter, a header row naming the candidates): a path, an
        open text or binary file, or the file's bytes (e.g. an upload).
    name : str, optional
        The name used in error messages (default: the path as given, a file object's base
        name, or ``'<bytes>'``).

    Returns
    -------
    Approvals

    Raises
    ------
    ApprovalError
        Naming the file, the line and the column of the first malformed cell: an approval
        that is neither 0/1 nor a non-negative number, a weight that is not a positive
        number, a missing header row, a row with the wrong number of cells.

    References
    ----------
    .. [1] M. Lackner and P. Skowron, *Multi-Winner Voting with Approval Preferences*,
       Springer (2023), ch. 2 (approval profiles with voter weights).

    Examples
    --------
    >>> text = b"voter,weight,a,b,c\\nann,2,1,1,0\\nbob,1,0,0,1\\n"
    >>> ap = read_approvals(text, name="ballots.csv")
    >>> ap.candidates, ap.weights.tolist(), ap.matrix.tolist()
    (('a', 'b', 'c'), [2.0, 1.0], [[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    >>> read_approvals(b"voter,weight,a\\nann,yes,1\\n", name="ballots.csv")
    Traceback (most recent call last):
    ...
    socialchoice._errors.ApprovalError: ballots.csv, line 2, column 'weight': a voter weight \
must be a positive number (the voter's weight or count); got 'yes'.
    """
    try:
        text, label = read_text(source, name=name, error=ApprovalError)
    except OSError as exc:
        label = source_name(source, name)
        raise ApprovalError(f"cannot read {label}: {exc.strerror or exc}.") from None
    reader = csv.reader(io.StringIO(text))
    layout = _layout(next(reader, None), label)
    rows, weights, voters = _rows(reader, layout, label)
    if not rows:
        raise ApprovalError(f"{label} has a header but no voter rows.")
    return Approvals(
        matrix=np.asarray(rows, dtype=np.float64),
        candidates=tuple(layout.header[j] for j in layout.candidates),
        weights=np.asarray(weights) if layout.weight is not None else np.ones(len(rows)),
        voters=tuple(voters),
    )
