"""Reading approval ballots and cardinal utilities from CSV files.

The layout is one row per voter and one column per candidate, under a header row that
names the candidates. Two optional columns are recognised by name (case-insensitive):
``voter`` (an id, kept as text) and ``weight`` (a positive number, the voter's weight or
count). Cells are ``0``/``1`` (also ``true``/``false``, ``yes``/``no``, ``x``/empty for
approvals) or non-negative numbers for cardinal utilities.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from .._errors import ApprovalError

__all__ = ["Approvals", "read_approvals"]

_TRUE = {"1", "true", "yes", "y", "x"}
_FALSE = {"0", "false", "no", "n", ""}
_VOTER = "voter"
_WEIGHT = "weight"


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
    if not np.isfinite(value) or value < 0:
        raise ApprovalError(f"{where}: expected a non-negative finite utility; got {text!r}.")
    return value


def read_approvals(source: str | Path | io.TextIOBase, *, name: str | None = None) -> Approvals:
    """Read an approval (or utility) matrix from a CSV file.

    Parameters
    ----------
    source : str, Path or text stream
        The CSV file (one row per voter, a header row naming the candidates).
    name : str, optional
        The name used in error messages (defaults to the file name).

    Returns
    -------
    Approvals

    Raises
    ------
    ApprovalError
        Naming the file, the line and the column of the first malformed cell.

    Examples
    --------
    >>> import io
    >>> text = "voter,weight,a,b,c\\nann,2,1,1,0\\nbob,1,0,0,1\\n"
    >>> ap = read_approvals(io.StringIO(text))
    >>> ap.candidates, ap.weights.tolist(), ap.matrix.tolist()
    (('a', 'b', 'c'), [2.0, 1.0], [[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    """
    if isinstance(source, io.TextIOBase):
        label = name or getattr(source, "name", "<stream>")
        text = source.read()
    else:
        path = Path(source)
        label = name or path.name
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ApprovalError(
                f"{label} is not UTF-8 text ({exc.reason} at byte {exc.start})."
            ) from None
        except OSError as exc:
            raise ApprovalError(f"cannot read {label}: {exc.strerror or exc}.") from None
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None or not any(h.strip() for h in header):
        raise ApprovalError(f"{label} is empty: expected a header row naming the candidates.")
    header = [h.strip() for h in header]
    lower = [h.lower() for h in header]
    voter_col = lower.index(_VOTER) if _VOTER in lower else None
    weight_col = lower.index(_WEIGHT) if _WEIGHT in lower else None
    cand_cols = [j for j in range(len(header)) if j not in (voter_col, weight_col)]
    if not cand_cols:
        raise ApprovalError(f"{label}, line 1: the header names no candidate column.")
    for j in cand_cols:
        if not header[j]:
            raise ApprovalError(f"{label}, line 1, column {j + 1}: a candidate column has no name.")
    names = [header[j] for j in cand_cols]
    dup = sorted({x for x in names if names.count(x) > 1})
    if dup:
        raise ApprovalError(f"{label}, line 1: candidate {dup[0]!r} appears twice in the header.")
    rows: list[list[float]] = []
    weights: list[float] = []
    voters: list[str] = []
    for fields in reader:
        line = reader.line_num
        if not fields or all(not f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            raise ApprovalError(
                f"{label}, line {line}: expected {len(header)} cells (one per header column); "
                f"got {len(fields)}."
            )
        rows.append(
            [_cell(fields[j], f"{label}, line {line}, column {header[j]!r}") for j in cand_cols]
        )
        if weight_col is not None:
            w = _cell(fields[weight_col], f"{label}, line {line}, column {header[weight_col]!r}")
            if w <= 0:
                raise ApprovalError(
                    f"{label}, line {line}, column {header[weight_col]!r}: a voter weight must "
                    f"be positive; got {fields[weight_col]!r}."
                )
            weights.append(w)
        voters.append(fields[voter_col].strip() if voter_col is not None else str(len(rows)))
    if not rows:
        raise ApprovalError(f"{label} has a header but no voter rows.")
    return Approvals(
        matrix=np.asarray(rows, dtype=np.float64),
        candidates=tuple(names),
        weights=np.asarray(weights) if weight_col is not None else np.ones(len(rows)),
        voters=tuple(voters),
    )
