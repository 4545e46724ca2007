"""Reading and validating SVO slider surveys: CSV, Excel and Parquet files, wide or long.

Formats
-------
**wide** — one row per respondent:

- an id column: ``respondent``, ``respondent_id`` or ``id`` (case-insensitive; or name it with
  ``id_column=``); ids must be non-empty and unique;
- any other columns (demographics such as ``group`` or ``age_band``), kept as they are;
- item columns ``item1`` … ``item6`` (the primary items, required) and optionally all nine of
  ``item7`` … ``item15`` (secondary): the chosen option index of each item, 0–8 from left to
  right as printed (1–9 with ``option_base=1``); a blank cell is a missing answer. Names are
  matched case-insensitively, ``item_1`` and ``Item 1`` also work.
- instead of option indices, the chosen allocations may be given as payoffs in columns
  ``item1_self``, ``item1_other``, … (as from a continuous slider); they are kept as payoff
  columns, checked to lie on each item's line, and :func:`svo.score` scores them as they are.

**long** — one row per answer: columns ``respondent`` (or another id column as above),
``item`` (1–15, or ``item1`` … ``item15``) and ``choice`` (the option index, blank = missing),
plus optional demographic columns that must be constant within a respondent (blank cells
are allowed and filled from the respondent's other rows). Each (respondent, item) pair may
appear once. The table is pivoted to the wide format, respondents in order of first
appearance.

``format='auto'`` reads a table as long if it has both an ``item`` and a ``choice`` column,
as wide otherwise. File types go by suffix: ``.csv``, ``.tsv`` and ``.txt`` (UTF-8 text; the
delimiter — comma, tab, semicolon or bar — is sniffed from the header line), ``.xlsx`` and
``.xls`` (one sheet, the header in the first row) and ``.parquet``.

Validation
----------
Every problem is named by file, row, column and what was expected. Rows are counted the way a
person looking at the source would count them: in a text file, the line number with the header
as line 1 (blank lines count, a record is assumed to fill one line); in a spreadsheet, the
sheet's row number (header in row 1); in a Parquet file or a DataFrame, the 0-based position
of the row. :attr:`svo.Problem.row` is always the 0-based position of the data row.

Answer cells that are not on the form (not a number, not a whole number, outside the range)
raise :class:`~svo.ChoiceError`; malformed tables (missing columns, empty or duplicate ids,
unknown item numbers, a demographic that varies within a respondent in the long format)
raise :class:`~svo.SurveyError`. With ``errors='coerce'`` every respondent with such a problem
is dropped instead and listed in the report. Unreadable files, unknown suffixes and missing
columns always raise, as do item columns in both layouts (options and payoffs) and
columns named like the scores (``angle``, ``category``, …). Missing answers are not errors:
a respondent without all six primary answers stays in the table (with NaN) and is listed as
incomplete, since :func:`svo.score` cannot give them an angle.
"""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ._errors import SurveyError
from ._items import N_ITEMS, N_PRIMARY
from ._readers import ID_COLUMNS, _find_id, _key, _read_file, _Where
from ._score import Problem
from ._validate_survey import _check_table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SurveyReport", "check_survey", "read_survey"]


@dataclass(frozen=True)
class SurveyReport:
    """What :func:`read_survey` or :func:`check_survey` found in a survey.

    Attributes
    ----------
    source : str
        The file (or ``'<DataFrame>'``).
    n_rows : int
        Data rows in the source (blank lines not counted; in the long format, answer rows).
    n_scorable : int
        Respondents kept with all six primary answers (those :func:`svo.score` gives an angle).
    n_complete : int
        Respondents kept who answered all 15 items (0 when the survey has only the primary
        items).
    incomplete : tuple
        Ids of the respondents kept without all six primary answers.
    dropped : tuple of Problem
        Under ``errors='coerce'``, one :class:`svo.Problem` per problem of a dropped respondent
        (``row`` is the 0-based data row in the source; the message names the file's line).
    n_respondents : int
        Respondents in the returned table.
    n_items : int
        Items in the table: 6 (primary only) or 15.
    format : str
        ``'wide'`` or ``'long'``, as read.

    Examples
    --------
    >>> import pandas as pd, svo
    >>> frame = svo.check_survey(pd.DataFrame({
    ...     "respondent": ["a", "b"], "item1": [0, 8], "item2": [8, 8], "item3": [8, 8],
    ...     "item4": [3, 8], "item5": [4, None], "item6": [8, 0]}))
    >>> report = frame.attrs["report"]
    >>> (report.n_scorable, report.incomplete)
    (1, ('b',))
    """

    source: str
    n_rows: int
    n_scorable: int
    n_complete: int
    incomplete: tuple = ()
    dropped: tuple[Problem, ...] = ()
    n_respondents: int = 0
    n_items: int = N_ITEMS
    format: str = "wide"

    def __deepcopy__(self, memo: dict) -> SurveyReport:
        # immutable; pandas deep-copies ``attrs`` on every operation, so copying would make
        # each column access of a large survey pay for its report
        return self

    @property
    def n_dropped(self) -> int:
        """Number of respondents dropped (rows without an id count one each)."""
        return len({p.row if p.respondent is None else ("id", p.respondent) for p in self.dropped})

    def summary(self) -> str:
        """A few lines for people: counts, the incomplete ids and the dropped respondents.

        Examples
        --------
        >>> from svo import SurveyReport
        >>> print(SurveyReport("s.csv", 3, 2, 1, ("r3",), n_respondents=3).summary())
        s.csv (wide, 3 rows): 3 respondents: 2 scorable, 1 answered all 15 items
        1 incomplete (a primary answer missing; kept, not scored): r3
        0 dropped
        """
        items = (f"{self.n_complete} answered all 15 items" if self.n_items == N_ITEMS
                 else "primary items only")
        lines = [
            f"{self.source} ({self.format}, {self.n_rows} rows): {self.n_respondents} "
            f"respondents: {self.n_scorable} scorable, {items}",
            f"{len(self.incomplete)} incomplete (a primary answer missing; kept, not scored)"
            + (f": {_listing(self.incomplete, 10)}" if self.incomplete else ""),
            f"{self.n_dropped} dropped" + (" (errors='coerce'):" if self.dropped else ""),
        ]
        lines += [f"  {_describe(p)}" for p in self.dropped[:10]]
        if len(self.dropped) > 10:
            lines.append(f"  … and {len(self.dropped) - 10} more problems (report.to_frame())")
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """The dropped problems as a DataFrame: row, respondent, column, value, message.

        Examples
        --------
        >>> from svo import SurveyReport
        >>> list(SurveyReport("s.csv", 0, 0, 0).to_frame().columns)
        ['row', 'respondent', 'column', 'value', 'message']
        """
        import pandas as pd

        columns = ["row", "respondent", "column", "value", "message"]
        return pd.DataFrame([[getattr(p, c) for c in columns] for p in self.dropped],
                            columns=columns)


def _listing(values: Any, limit: int) -> str:
    values = list(values)
    shown = ", ".join(str(v) for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def _describe(problem: Problem) -> str:
    who = "" if problem.respondent is None else f"respondent {problem.respondent!r}, "
    return f"{who}column {problem.column!r}: {problem.message}"


def read_survey(
    path: str | PathLike,
    *,
    format: Literal["auto", "wide", "long"] = "auto",
    id_column: str | None = None,
    option_base: Literal[0, 1] = 0,
    errors: Literal["raise", "coerce"] = "raise",
    sheet: int | str = 0,
) -> pd.DataFrame:
    """Read and validate an SVO slider survey file (CSV/TSV, Excel or Parquet; wide or long).

    Parameters
    ----------
    path : str or path-like
        A ``.csv``, ``.tsv`` or ``.txt`` file (UTF-8; delimiter sniffed from the header line),
        ``.xlsx`` / ``.xls`` or ``.parquet``.
    format : {'auto', 'wide', 'long'}
        Wide: one row per respondent with an id column, optional demographic columns and item
        columns ``item1`` … ``item6`` (optionally ``item7`` … ``item15``) of option indices, or
        ``item1_self``, ``item1_other``, … of payoffs. Long: columns ``respondent``, ``item``
        (1–15) and ``choice`` plus demographics constant per respondent. ``'auto'`` reads a
        table with ``item`` and ``choice`` columns as long. See :mod:`svo._survey`.
    id_column : str, optional
        The respondent id column; by default the first of ``respondent``, ``respondent_id``,
        ``id``.
    option_base : {0, 1}
        Whether the file numbers the nine options 0–8 (default) or 1–9. The returned table
        always holds 0–8.
    errors : {'raise', 'coerce'}
        On a bad answer cell or id: raise an error naming the file, row and column, or drop
        the respondent (every row of a duplicated id) and list the problems in
        ``report.dropped``.
    sheet : int or str
        The Excel sheet (position or name).

    Returns
    -------
    pandas.DataFrame
        Indexed by respondent id (index name ``'respondent'``), the other columns as read,
        then the item columns as floats (option indices 0–8, NaN = missing; or payoffs).
        ``frame.attrs['report']`` is a :class:`SurveyReport`. :func:`svo.score` scores it.
        (``DataFrame.to_parquet`` stores ``attrs`` as JSON, which a report is not: call
        ``frame.attrs.clear()`` before writing the table to Parquet.)

    Raises
    ------
    SurveyError
        The file cannot be read, has an unsupported suffix, no data rows, lacks required
        columns, or (``errors='raise'``) has empty or duplicate ids, unknown item numbers or
        varying demographics in the long format.
    ChoiceError
        (``errors='raise'``) an answer is not a number, not a whole number or out of range.

    References
    ----------
    Murphy, R. O., Ackermann, K. A., & Handgraaf, M. J. J. (2011). Measuring social value
    orientation. *Judgment and Decision Making*, 6(8), 771–781, Appendix (the slider form).

    Examples
    --------
    >>> import pathlib, tempfile, svo
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "survey.csv"
    >>> _ = path.write_text("respondent,group,item1,item2,item3,item4,item5,item6\\n"
    ...                     "r1,A,0,8,8,3,4,8\\n"
    ...                     "r2,B,8,8,8,8,,0\\n")
    >>> frame = svo.read_survey(path)
    >>> frame[["group", "item1", "item5"]]
               group  item1  item5
    respondent
    r1             A    0.0    4.0
    r2             B    8.0    NaN
    >>> frame.attrs["report"].incomplete
    ('r2',)
    >>> _ = path.write_text("respondent,item1,item2,item3,item4,item5,item6\\n"
    ...                     "r1,0,8,8,3,9,8\\n")
    >>> svo.read_survey(path)
    Traceback (most recent call last):
    ...
    svo._errors.ChoiceError: 1 problem in .../survey.csv (line numbers count the header as \
line 1): line 2, respondent 'r1', column 'item5': option 9 is out of range; expected an \
integer option index 0–8 or a blank (numbered 1–9? pass option_base=1). Pass \
errors='coerce' to drop these respondents and list them in the report.
    """
    _check_parameters("read_survey", format, option_base, errors)
    raw, where = _read_file(Path(path), str(path), id_column, sheet)
    return _check(raw, where, format, id_column, option_base, errors)


def check_survey(
    frame: pd.DataFrame,
    *,
    id_column: str | None = None,
    option_base: Literal[0, 1] = 0,
    errors: Literal["raise", "coerce"] = "raise",
    source: str = "<DataFrame>",
    format: Literal["auto", "wide", "long"] = "auto",
) -> pd.DataFrame:
    """Validate an in-memory survey table, as :func:`read_survey` does for a file.

    Parameters
    ----------
    frame : pandas.DataFrame
        A wide or long survey table (see :func:`read_survey`). The id is the column
        ``id_column``, else a column named ``respondent``, ``respondent_id`` or ``id``, else
        the index if it has one of these names (so a checked table can be checked again).
    id_column, option_base, errors, format
        As in :func:`read_survey`.
    source : str
        How messages name the table. Rows are named by 0-based position.

    Returns
    -------
    pandas.DataFrame
        As :func:`read_survey`; ``frame.attrs['report']`` is a :class:`SurveyReport`.

    Raises
    ------
    SurveyError, ChoiceError
        As :func:`read_survey`.

    References
    ----------
    Murphy, R. O., Ackermann, K. A., & Handgraaf, M. J. J. (2011). Measuring social value
    orientation. *Judgment and Decision Making*, 6(8), 771–781, Appendix.

    Examples
    --------
    >>> import pandas as pd, svo
    >>> answers = pd.DataFrame({"respondent": ["a", "b"], "item1": [1, 9], "item2": [9, 9],
    ...                         "item3": [9, 9], "item4": [4, 9], "item5": [5, 1],
    ...                         "item6": [9, "x"]})
    >>> checked = svo.check_survey(answers, option_base=1, errors="coerce")
    >>> checked.index.tolist(), checked["item4"].tolist()
    (['a'], [3.0])
    >>> print(checked.attrs["report"].dropped[0])
    row 1 (respondent 'b'), column 'item6': 'x' is not a number; expected an integer option \
index 1–9 or a blank
    """
    import pandas as pd

    _check_parameters("check_survey", format, option_base, errors)
    if not isinstance(frame, pd.DataFrame):
        raise SurveyError(
            f"check_survey expects a pandas DataFrame. Got {type(frame).__name__} instead."
        )
    names = ID_COLUMNS if id_column is None else (_key(id_column),)
    if _find_id(frame.columns, id_column) is None and _key(frame.index.name) in names:
        frame = frame.reset_index()
    where = _Where(source, "position", np.arange(len(frame)))
    return _check(frame.reset_index(drop=True), where, format, id_column, option_base, errors)


def _check_parameters(caller: str, format: Any, option_base: Any, errors: Any) -> None:
    for name, value, allowed in (("format", format, ("auto", "wide", "long")),
                                 ("option_base", option_base, (0, 1)),
                                 ("errors", errors, ("raise", "coerce"))):
        if isinstance(value, bool) or value not in allowed:
            raise SurveyError(
                f"The {name!r} parameter of {caller} must be one of "
                f"{', '.join(map(repr, allowed))}. Got {value!r} instead."
            )


def _check(raw, where: _Where, format: str, id_column: str | None, option_base: int,
           errors: str) -> pd.DataFrame:
    """Check a raw table and attach its :class:`SurveyReport`."""
    table, problems, item_columns, layout = _check_table(raw, where, format, id_column,
                                                         option_base, errors)
    return _finish(table, where, len(raw), problems, item_columns, layout)


def _finish(table, where: _Where, n_rows: int, problems: tuple[Problem, ...],
            item_columns: list[str], format: str):
    answered = table[item_columns].notna().to_numpy()
    n_items = answered.shape[1]
    if item_columns[0].endswith("_self"):  # payoffs: an answer needs both self and other
        answered = answered[:, 0::2] & answered[:, 1::2]
        n_items //= 2
    scorable = answered[:, :N_PRIMARY].all(axis=1)
    complete = answered.all(axis=1) if n_items == N_ITEMS else np.zeros(len(table), bool)
    table.attrs["report"] = SurveyReport(
        source=where.source,
        n_rows=n_rows,
        n_scorable=int(scorable.sum()),
        n_complete=int(complete.sum()),
        incomplete=tuple(table.index[~scorable].tolist()),
        dropped=problems,
        n_respondents=len(table),
        n_items=n_items,
        format=format,
    )
    return table
