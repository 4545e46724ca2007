"""Many elections in one long ballot table: :func:`winners_table` and :func:`margins_table`.

The table has one row per (election, voter, candidate): the candidate's position on the
voter's ballot, 0 = best, ties sharing a position; a candidate of the election that a voter
did not rank is below every candidate the voter ranked (as :func:`socialchoice.margins` and
:class:`socialchoice.Profile`). An election's candidates are the candidates named on any of
its rows.

The elections are grouped by shape (number of candidates ``m``, number of voters ``n``) and
each group is scattered into one ``(B, n, m)`` rank array, so a rule runs once per shape
(:func:`socialchoice.winner_mask`). For margin-based rules ``n`` is rounded up to a power of
two above 16 with padding ballots that rank no candidate (they add nothing to the margins),
so a few groups cover any mix of electorate sizes; profile-based rules get groups of one
exact ``n``. Only the loops over groups are in Python.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from _common.validation import show

from ._ballot_table import Coded, Columns, code_table, columns_of
from ._errors import ProfileError, RuleInputError
from ._margins import margins as _margins
from ._registry import DEFAULT_TIME_LIMIT, Rule, get_rule, winner_mask
from ._timelimit import check_time_limit

__all__ = ["elections_margins", "elections_winners", "margins_table", "reserved_columns",
           "winners_table"]

#: The name a table gets in messages (``Row 3 of the table: ...``).
TABLE = "the table"


@dataclass
class _Group:
    """Elections of one shape: their codes ``(B,)``, ranks ``(B, n, m)``, weights or None."""

    elections: NDArray
    ranks: NDArray
    weights: NDArray | None


def _padded(n: NDArray) -> NDArray:
    """Voter counts rounded up to a power of two above 16 (margin-based rules)."""
    out = n.copy()
    big = n > 16
    out[big] = 2 ** np.ceil(np.log2(n[big])).astype(np.int64)
    return out


def _split(keys: NDArray) -> list[NDArray]:
    """For each distinct key (ascending), the positions holding it (ascending)."""
    uniq, inverse = np.unique(keys, return_inverse=True)
    order = np.argsort(inverse.ravel(), kind="stable")
    return np.split(order, np.cumsum(np.bincount(inverse.ravel(), minlength=len(uniq)))[:-1])


def _groups(coded: Coded, exact_n: bool) -> Iterator[_Group]:
    """The elections in groups of one shape, as rank arrays (unranked = ``m``)."""
    if not len(coded.m):
        return
    n_group = coded.n if exact_n else _padded(coded.n)
    key = coded.m * (int(n_group.max()) + 1) + n_group
    election_groups = _split(key)
    row_groups = _split(key[coded.election]) if len(election_groups) > 1 else \
        [np.arange(len(coded.election))]
    local = np.empty(len(coded.m), dtype=np.int64)
    slot = coded.cand - coded.cand_start[coded.cand_election[coded.cand]]
    vslot = coded.voter - coded.voter_start[coded.election]
    for elections, rows in zip(election_groups, row_groups, strict=True):
        B, m, n = len(elections), int(coded.m[elections[0]]), int(n_group[elections[0]])
        local[elections] = np.arange(B)
        dtype = np.int16 if m < 2**14 and not exact_n else np.int32
        R = np.full((B, n, m), m, dtype=dtype)
        at = local[coded.election[rows]] * n + vslot[rows]
        R.reshape(-1, m)[at, slot[rows]] = coded.tier[rows]
        W = None
        if coded.voter_weight is not None:
            W = np.zeros((B, n), dtype=coded.voter_weight.dtype)
            W.reshape(-1)[at] = coded.voter_weight[coded.voter[rows]]
            # a voter of weight 0 counts for nothing (a Profile drops the ballot): a strict
            # ballot stands in for it, so no rule refuses it
            R[W == 0] = np.arange(m, dtype=dtype)
        yield _Group(elections, R, W)


def _check_linear(rule: Rule, group: _Group, coded: Coded, frame: pd.DataFrame,
                  cols: Columns, name: str) -> None:
    """A rule defined on strict, complete rankings: name the first ballot that is not."""
    R = group.ranks
    m = R.shape[-1]
    ok = (np.sort(np.minimum(R, m - 1), axis=-1) == np.arange(m)).all(axis=-1)
    if not ok.all():
        b, v = (int(i) for i in np.argwhere(~ok)[0])
        e = int(group.elections[b])
        row = int(coded.voter_row[coded.voter_start[e] + v])
        raise RuleInputError(
            f"Row {row} of {name}: {rule.name} is defined on strict, complete rankings, but "
            f"voter {show(frame[cols.voter].iloc[row])} of election "
            f"{show(frame[cols.election].iloc[row])} ranks candidates equal or leaves out more "
            "than one.")


def _mask(rule: Rule, ranks: NDArray, weights: NDArray | None,
          time_limit: float | None) -> NDArray:
    if rule.needs == "profile":
        return winner_mask(rule=rule, ranks=ranks, weights=weights, time_limit=time_limit)
    return winner_mask(_margins(ranks, weights), rule, time_limit=time_limit)


def _named_rule_error(rule: Rule, group: _Group, coded: Coded, frame: pd.DataFrame,
                      cols: Columns, time_limit: float | None, name: str) -> RuleInputError:
    """The rule's complaint about the group's first election it refuses, with the
    election's first row and its candidates named (its ballots numbered from 1 in order
    of first appearance)."""
    for b, e in enumerate(group.elections):
        weights = None if group.weights is None else group.weights[b]
        try:
            _mask(rule, group.ranks[b], weights, time_limit)
        except RuleInputError as exc:
            start, m = int(coded.cand_start[e]), int(coded.m[e])
            labels = [str(c) for c in
                      frame[cols.candidate].array.take(coded.cand_row[start:start + m])]
            row = int(coded.first_row[e])
            return RuleInputError(f"Row {row} of {name}: election "
                                  f"{show(frame[cols.election].iloc[row])}: "
                                  f"{exc.with_labels(labels)}")
    return RuleInputError(f"{name}: {rule.name} refuses these elections.")  # pragma: no cover


def _ids(frame: pd.DataFrame, column: str, rows: NDArray) -> pd.Series:
    """The values of ``column`` at ``rows``, in the column's dtype."""
    return pd.Series(frame[column].array.take(rows), name=column)


def elections_winners(frame: pd.DataFrame, rule: str | Rule, cols: Columns,
                      time_limit: float | None, name: str) -> pd.DataFrame:
    """:func:`winners_table` with checked columns; ``name`` is the table's in messages."""
    r = get_rule(rule)
    check_time_limit(time_limit, "winners_table")
    coded = code_table(frame, cols, name)
    winner = np.zeros(len(coded.cand_row), dtype=bool)
    for group in _groups(coded, exact_n=r.needs == "profile"):
        if r.linear_only:
            _check_linear(r, group, coded, frame, cols, name)
        try:
            mask = _mask(r, group.ranks, group.weights, time_limit)
        except RuleInputError:
            raise _named_rule_error(r, group, coded, frame, cols, time_limit, name) from None
        m = mask.shape[-1]
        winner[coded.cand_start[group.elections][:, None] + np.arange(m)] = mask
    return pd.DataFrame({
        cols.election: _ids(frame, cols.election, coded.first_row[coded.cand_election]),
        cols.candidate: _ids(frame, cols.candidate, coded.cand_row),
        "winner": winner,
    })


def elections_margins(frame: pd.DataFrame, cols: Columns, name: str) -> pd.DataFrame:
    """:func:`margins_table` with checked columns; ``name`` is the table's in messages."""
    coded = code_table(frame, cols, name)
    pairs = coded.m * (coded.m - 1)
    start = np.cumsum(pairs) - pairs
    a = np.zeros(int(pairs.sum()), dtype=np.int64)
    b = np.zeros_like(a)
    weighted = coded.voter_weight is not None and coded.voter_weight.dtype.kind == "f"
    margin = np.zeros(len(a), dtype=np.float64 if weighted else np.int64)
    for group in _groups(coded, exact_n=False):
        M = _margins(group.ranks, group.weights)
        m = M.shape[-1]
        ia, ib = np.nonzero(~np.eye(m, dtype=bool))
        at = start[group.elections][:, None] + np.arange(m * (m - 1))
        first = coded.cand_start[group.elections][:, None]
        a[at], b[at] = first + ia, first + ib
        margin[at] = M[:, ia, ib]
    return pd.DataFrame({
        cols.election: _ids(frame, cols.election, coded.first_row[coded.cand_election[a]]),
        "a": _ids(frame, cols.candidate, coded.cand_row[a]).rename("a"),
        "b": _ids(frame, cols.candidate, coded.cand_row[b]).rename("b"),
        "margin": margin,
    })


def reserved_columns(cols: Columns, names: tuple[str, ...], func: str) -> None:
    """Refuse an election or candidate column named like a column ``func`` adds."""
    clash = [c for c in (cols.election, cols.candidate) if c in names]
    if clash:
        raise ProfileError(
            f"{func} writes the columns {', '.join(names)}; the {clash[0]!r} column of the "
            "table would be overwritten: rename it first.")


def winners_table(
    frame: pd.DataFrame,
    rule: str | Rule,
    *,
    election: str = "prompt_id",
    voter: str = "annotator_id",
    candidate: str = "response_id",
    rank: str = "rank",
    weight: str | None = None,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    name: str = TABLE,
) -> pd.DataFrame:
    """The winners of every election of a long ballot table under one rule.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per (election, voter, candidate) with the candidate's position on the
        voter's ballot (0 = best; only the order matters; ties share a position). A
        candidate of the election (named on any of its rows) that a voter has no row for is
        below every candidate the voter ranked. Other columns are ignored.
    rule : str or Rule
        Any rule of :data:`socialchoice.RULES`, margin- or profile-based.
    election, voter, candidate, rank : str
        The column names; the defaults are those of ranking data in :mod:`rlchf`
        (e.g. :func:`rlchf.synthetic.write_parquet` with ``kind="ranking"``).
    weight : str, optional
        A column of voter weights (finite, non-negative; the same on all rows of one voter
        of one election). Default: every voter counts once.
    time_limit : float or None, default 10
        As in :func:`socialchoice.winner_mask`: seconds for each distinct profile's search.
    name : str, default "the table"
        How messages name the table (e.g. its file: ``Row 3 of votes.csv: ...``).

    Returns
    -------
    pandas.DataFrame
        Columns ``election``, ``candidate`` (named as in the table) and ``winner`` (bool,
        all tied winners True): one row per candidate of each election, elections in order
        of first appearance, an election's candidates in order of first appearance in it.

    Raises
    ------
    ProfileError
        A missing column; an id with no value; a rank that is not a non-negative integer;
        a bad or inconsistent weight; two rows of one (election, voter, candidate). The
        message names the row (0-based position) and the column.
    RuleInputError, UnknownRuleError, TimeLimitError
        As :func:`socialchoice.winners`; a ballot a rule on strict rankings cannot take is
        named by its row.

    Examples
    --------
    >>> import pandas as pd
    >>> import socialchoice as sc
    >>> t = pd.DataFrame({"prompt_id": [1, 1, 1, 1, 2, 2],
    ...                   "annotator_id": ["x", "x", "y", "y", "x", "x"],
    ...                   "response_id": ["a", "b", "a", "b", "c", "d"],
    ...                   "rank": [0, 1, 1, 0, 1, 0]})
    >>> sc.winners_table(t, "copeland")
       prompt_id response_id  winner
    0          1           a    True
    1          1           b    True
    2          2           c   False
    3          2           d    True
    """
    cols = columns_of("winners_table", election, voter, candidate, rank, weight)
    reserved_columns(cols, ("winner",), "winners_table")
    return elections_winners(frame, rule, cols, time_limit, name)


def margins_table(
    frame: pd.DataFrame,
    *,
    election: str = "prompt_id",
    voter: str = "annotator_id",
    candidate: str = "response_id",
    rank: str = "rank",
    weight: str | None = None,
    name: str = TABLE,
) -> pd.DataFrame:
    """The pairwise majority margins of every election of a long ballot table.

    The table, the column options and ``name`` are as in :func:`winners_table`.

    Returns
    -------
    pandas.DataFrame
        Columns ``election`` (named as in the table), ``a``, ``b`` (candidate ids) and
        ``margin``: the weight of voters ranking ``a`` above ``b`` minus that of voters
        ranking ``b`` above ``a`` (:func:`socialchoice.margins`; integers without a weight
        column or with an integer one, floats with a float one). Every *ordered* pair
        ``a != b`` has a row, so ``margin(b, a) = -margin(a, b)`` is there too and each
        election's full matrix can be rebuilt with a pivot. Elections in order of first
        appearance; ``a`` then ``b`` in the election's candidate order (first appearance).
        An election of one candidate has no rows.

    Raises
    ------
    ProfileError
        As :func:`winners_table`.

    Examples
    --------
    >>> import pandas as pd
    >>> import socialchoice as sc
    >>> t = pd.DataFrame({"prompt_id": 1, "annotator_id": ["x", "x", "y", "y", "z"],
    ...                   "response_id": ["a", "b", "a", "b", "b"],
    ...                   "rank": [0, 1, 1, 0, 0]})
    >>> sc.margins_table(t)
       prompt_id  a  b  margin
    0          1  a  b      -1
    1          1  b  a       1
    """
    cols = columns_of("margins_table", election, voter, candidate, rank, weight)
    reserved_columns(cols, ("a", "b", "margin"), "margins_table")
    return elections_margins(frame, cols, name)
