"""Long ballot tables: validation and coding (private; see :mod:`socialchoice._elections`).

A ballot table has one row per (election, voter, candidate) with the candidate's position
on the voter's ballot (0 = best, ties share a position). :func:`code_table` checks it and
codes it once with :func:`pandas.factorize`: elections in order of first appearance, each
election's candidates and voters in order of first appearance within it, and each row's
dense tier position (0, 1, ... on the voter's ballot, as :meth:`Profile.from_ranks`
makes them). Every error names the row (0-based position in the table) and the column.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from _common.validation import parameter_error, show

from ._errors import ProfileError

__all__ = ["Coded", "Columns", "code_table", "columns_of"]


@dataclass(frozen=True)
class Columns:
    """The names of a ballot table's columns (``weight`` optional)."""

    election: str
    voter: str
    candidate: str
    rank: str
    weight: str | None = None

    def needed(self) -> list[str]:
        names = [self.election, self.voter, self.candidate, self.rank]
        return names + ([self.weight] if self.weight is not None else [])


@dataclass
class Coded:
    """A coded ballot table.

    Per row: ``election``, ``cand`` (global candidate code), ``voter`` (global voter code),
    ``tier`` (dense position on the voter's ballot). Per election (E): ``m``, ``n``,
    ``cand_start``, ``voter_start``, ``first_row``. Per candidate (C, numbered by election,
    then first appearance within it): ``cand_election``, ``cand_row`` (its first row). Per
    voter (numbered the same way): ``voter_row``, ``voter_weight`` (or ``None``).
    """

    election: NDArray
    cand: NDArray
    voter: NDArray
    tier: NDArray
    m: NDArray
    n: NDArray
    cand_start: NDArray
    voter_start: NDArray
    first_row: NDArray
    cand_election: NDArray
    cand_row: NDArray
    voter_row: NDArray
    voter_weight: NDArray | None


def columns_of(func: str, election: str, voter: str, candidate: str, rank: str,
               weight: str | None) -> Columns:
    """The column options of ``func``, checked to be names (strings)."""
    given = {"election": election, "voter": voter, "candidate": candidate, "rank": rank}
    if weight is not None:
        given["weight"] = weight
    for option, value in given.items():
        if not isinstance(value, str) or not value:
            raise parameter_error(option, func, "a column name (a non-empty str)", value,
                                  ProfileError)
    names = list(given.values())
    if len(set(names)) != len(names):
        raise ProfileError(f"The column options of {func} must name different columns; got "
                           f"{', '.join(f'{k}={v!r}' for k, v in given.items())}.")
    return Columns(election, voter, candidate, rank, weight)


def _row_error(row: int, name: str, message: str) -> ProfileError:
    return ProfileError(f"Row {row} of {name}: {message}")


def _check_present(frame: pd.DataFrame, cols: Columns, name: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ProfileError(f"A ballot table must be a pandas DataFrame; got "
                           f"{type(frame).__name__}.")
    missing = [c for c in cols.needed() if c not in frame.columns]
    if missing:
        have = ", ".join(map(repr, map(str, frame.columns))) or "none"
        raise ProfileError(f"{name}: the ballot table has no column {missing[0]!r} (its "
                           f"columns: {have}); expected one row per (election, voter, "
                           "candidate) with the candidate's rank.")
    for c in (cols.election, cols.voter, cols.candidate):
        empty = frame[c].isna().to_numpy()
        if empty.any():
            row = int(np.flatnonzero(empty)[0])
            raise _row_error(row, name, f"the {c!r} column has no value; expected an id.")


def _numbers(frame: pd.DataFrame, column: str, name: str, integral: bool) -> NDArray:
    """The column as float64, every value checked: a finite non-negative (integer) number."""
    values = frame[column]
    expected = "a non-negative integer" if integral else "a finite non-negative number"
    if pd.api.types.is_bool_dtype(values.dtype):
        raise _row_error(0, name, f"the {column!r} column holds True/False; expected "
                         f"{expected}.")
    x = pd.to_numeric(values, errors="coerce")
    try:
        x = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):  # e.g. complex numbers
        x = np.full(len(values), np.nan)
    bad = ~np.isfinite(x) | (x < 0)
    if integral:
        bad |= np.isfinite(x) & (x != np.round(x))
    bad |= values.map(lambda v: isinstance(v, bool | np.bool_)).to_numpy(dtype=bool) \
        if values.dtype == object else False
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        value = values.iloc[row]
        what = "no value" if pd.isna(value) else show(value)
        raise _row_error(row, name, f"the {column!r} column holds {what}; expected "
                         f"{expected}.")
    return x


def _factorize(values: pd.Series | NDArray) -> tuple[NDArray, int]:
    try:
        codes, uniques = pd.factorize(values, sort=False)
    except TypeError:  # unhashable ids, e.g. lists
        codes, uniques = pd.factorize(pd.Series(values).map(repr), sort=False)
    return codes.astype(np.int64, copy=False), len(uniques)


def _within(group_key: NDArray, groups: NDArray, n_groups: int
            ) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """Number the distinct ``group_key`` (pairs of a group and an item) by group, then by
    first appearance. Returns each row's number, each number's group and first row, and the
    per-group counts."""
    first_code, k = _factorize(group_key)
    first_rows = np.full(k, -1, dtype=np.int64)
    rows = np.arange(len(first_code))
    first_rows[first_code[::-1]] = rows[::-1]
    owner = groups[first_rows]
    order = np.argsort(owner, kind="stable")  # by group, then first appearance
    renumber = np.empty(k, dtype=np.int64)
    renumber[order] = np.arange(k)
    return renumber[first_code], owner[order], first_rows[order], \
        np.bincount(owner, minlength=n_groups)


def _tiers(voter: NDArray, rank: NDArray) -> NDArray:
    """Dense positions on each voter's ballot: 0 for the voter's best rank, 1 for the next."""
    order = np.lexsort((rank, voter))
    v, r = voter[order], rank[order]
    new_voter = np.ones(len(v), dtype=bool)
    new_voter[1:] = v[1:] != v[:-1]
    step = np.zeros(len(v), dtype=np.int64)
    step[1:] = (~new_voter[1:]) & (r[1:] != r[:-1])
    climb = np.cumsum(step)
    base = np.maximum.accumulate(np.where(new_voter, climb, 0))
    tier = np.empty(len(v), dtype=np.int64)
    tier[order] = climb - base
    return tier


def _check_unique(cand: NDArray, voter: NDArray, n_cands: int, frame: pd.DataFrame,
                  cols: Columns, name: str) -> None:
    key = voter * n_cands + cand
    dup = pd.Index(key).duplicated().nonzero()[0] if len(key) else []
    if len(dup):
        row = int(dup[0])
        first = int(np.flatnonzero(key == key[row])[0])
        raise _row_error(row, name, (
            f"voter {show(frame[cols.voter].iloc[row])} ranks candidate "
            f"{show(frame[cols.candidate].iloc[row])} of election "
            f"{show(frame[cols.election].iloc[row])} a second time (first at row {first}); "
            "expected one row per (election, voter, candidate)."))


def _voter_weights(weight: NDArray, voter: NDArray, voter_row: NDArray, election: NDArray,
                   cols: Columns, frame: pd.DataFrame, name: str) -> NDArray:
    """Each voter's weight (one per voter of an election; not 0 for a whole election)."""
    per_voter = weight[voter_row]
    differ = weight != per_voter[voter]
    if differ.any():
        row = int(np.flatnonzero(differ)[0])
        first = int(voter_row[voter[row]])
        values = frame[cols.weight]
        raise _row_error(row, name, (
            f"the {cols.weight!r} column holds {show(values.iloc[row])} but "
            f"{show(values.iloc[first])} on row {first} of the same "
            "voter and election; expected one weight per voter of an election."))
    owner = election[voter_row]
    total = np.bincount(owner, weights=per_voter)
    if (total == 0).any():
        e = int(np.flatnonzero(total == 0)[0])
        row = int(voter_row[np.flatnonzero(owner == e)[0]])
        raise _row_error(row, name, (
            f"every voter of election {show(frame[cols.election].iloc[row])} has weight 0 in "
            f"the {cols.weight!r} column; expected at least one voter with a positive weight."))
    integral = pd.api.types.is_integer_dtype(frame[cols.weight].dtype)
    return per_voter.astype(np.int64) if integral else per_voter


def code_table(frame: pd.DataFrame, cols: Columns, name: str) -> Coded:
    """Check and code a ballot table (see the module notes).

    >>> t = pd.DataFrame({"e": [7, 7, 7], "v": ["x", "x", "y"], "c": ["b", "a", "a"],
    ...                   "r": [3, 3, 0]})
    >>> c = code_table(t, Columns("e", "v", "c", "r"), "t")
    >>> c.m.tolist(), c.cand.tolist(), c.tier.tolist()
    ([2], [0, 1, 1], [0, 0, 0])
    """
    _check_present(frame, cols, name)
    rank = _numbers(frame, cols.rank, name, integral=True)
    weight = None if cols.weight is None else _numbers(frame, cols.weight, name, False)
    election, n_elections = _factorize(frame[cols.election])
    first_row = np.full(n_elections, -1, dtype=np.int64)
    first_row[election[::-1]] = np.arange(len(election))[::-1]
    c_codes, n_c = _factorize(frame[cols.candidate])
    cand, cand_election, cand_row, m = _within(election * n_c + c_codes, election,
                                               n_elections)
    v_codes, n_v = _factorize(frame[cols.voter])
    voter, _, voter_row, n = _within(election * n_v + v_codes, election, n_elections)
    _check_unique(cand, voter, len(cand_row), frame, cols, name)
    voter_weight = None if weight is None else _voter_weights(weight, voter, voter_row,
                                                              election, cols, frame, name)
    return Coded(
        election=election, cand=cand, voter=voter, tier=_tiers(voter, rank), m=m, n=n,
        cand_start=np.cumsum(m) - m, voter_start=np.cumsum(n) - n, first_row=first_row,
        cand_election=cand_election, cand_row=cand_row, voter_row=voter_row,
        voter_weight=voter_weight)
