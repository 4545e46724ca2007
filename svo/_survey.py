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
``.xls`` (one sheet, the header in the first row) and ``.parquet``. A source may be a path, a
file-like object or bytes (an upload: nothing is written to disk); without a suffix to go by,
Parquet and Excel are recognised by their first bytes, anything else is read as text.

Results
-------
:func:`read_survey` and :func:`check_survey` return a :class:`~svo.Survey`: the table
(``data``) and its :class:`~svo.SurveyReport` (``report``), never side data in
``DataFrame.attrs``.

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
is dropped instead and listed in the report. Unreadable files, unknown suffixes, a column named
twice and missing columns always raise, as do item columns in both layouts (options and payoffs) and
columns named like the scores (``angle``, ``category``, …). Missing answers are not errors:
a respondent without all six primary answers stays in the table (with NaN) and is listed as
incomplete, since :func:`svo.score` cannot give them an angle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from _common.sources import Source
from _common.validation import check_choice, parameter_error

from ._errors import SurveyError
from ._items import N_ITEMS, N_PRIMARY
from ._readers import ID_COLUMNS, _find_id, _key, _read_source, _Where
from ._results import Problem, Survey, SurveyReport
from ._validate_survey import _check_table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Survey", "SurveyReport", "check_survey", "read_survey"]


def read_survey(
    source: Source,
    *,
    name: str | None = None,
    format: Literal["auto", "wide", "long"] = "auto",
    id_column: str | None = None,
    option_base: Literal[0, 1] = 0,
    errors: Literal["raise", "coerce"] = "raise",
    sheet: int | str = 0,
) -> Survey:
    """Read and validate an SVO slider survey file (CSV/TSV, Excel or Parquet; wide or long).

    Parameters
    ----------
    source : path, file-like object or bytes
        A ``.csv``, ``.tsv`` or ``.txt`` file (UTF-8; delimiter sniffed from the header line),
        ``.xlsx`` / ``.xls`` or ``.parquet``; or its contents as bytes or a binary stream
        (an upload), whose type goes by ``name``'s suffix, else by its first bytes (Parquet,
        Excel, else text).
    name : str, optional
        The file name messages use (e.g. the name of an uploaded file); by default the path
        as given, a stream's ``name``, or ``'<bytes>'``.
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
    Survey
        ``data``: indexed by respondent id (index name ``'respondent'``), the other columns
        as read, then the item columns as floats (option indices 0–8, NaN = missing; or
        payoffs); ``report``: a :class:`SurveyReport`. :func:`svo.score` scores it.

    Raises
    ------
    SurveyError
        The file cannot be read, has an unsupported suffix, no data rows, a column named
        twice, lacks required columns, or (``errors='raise'``) has empty or duplicate ids,
        unknown item numbers or varying demographics in the long format.
    ChoiceError
        (``errors='raise'``) an answer is not a number, not a whole number or out of range.
        The error's :attr:`~svo.SVOError.settings` name the settings its message suggests.

    References
    ----------
    Murphy, R. O., Ackermann, K. A., & Handgraaf, M. J. J. (2011). Measuring social value
    orientation. *Judgment and Decision Making*, 6(8), 771–781, Appendix (the slider form).

    Examples
    --------
    >>> import svo
    >>> text = ("respondent,group,item1,item2,item3,item4,item5,item6\\n"
    ...         "r1,A,0,8,8,3,4,8\\n"
    ...         "r2,B,8,8,8,8,,0\\n")
    >>> survey = svo.read_survey(text.encode(), name="survey.csv")
    >>> survey.data[["group", "item1", "item5"]]
               group  item1  item5
    respondent
    r1             A    0.0    4.0
    r2             B    8.0    NaN
    >>> survey.report.incomplete
    ('r2',)
    >>> svo.read_survey(b"respondent,item1,item2,item3,item4,item5,item6\\nr1,0,8,8,3,9,8\\n",
    ...                 name="survey.csv")
    Traceback (most recent call last):
    ...
    svo._errors.ChoiceError: 1 problem in survey.csv (line numbers count the header as \
line 1): line 2, respondent 'r1', column 'item5': option 9 is out of range; expected an \
integer option index 0–8 or a blank (numbered 1–9? set option_base=1). To drop these \
respondents and list them in the report, set errors='coerce'.
    """
    _check_parameters("read_survey", format, option_base, errors)
    raw, where = _read_source(source, name, id_column, sheet)
    return _check(raw, where, format, id_column, option_base, errors)


def check_survey(
    frame: pd.DataFrame,
    *,
    id_column: str | None = None,
    option_base: Literal[0, 1] = 0,
    errors: Literal["raise", "coerce"] = "raise",
    source: str = "<DataFrame>",
    format: Literal["auto", "wide", "long"] = "auto",
) -> Survey:
    """Validate an in-memory survey table, as :func:`read_survey` does for a file.

    Parameters
    ----------
    frame : pandas.DataFrame or Survey
        A wide or long survey table (see :func:`read_survey`). The id is the column
        ``id_column``, else a column named ``respondent``, ``respondent_id`` or ``id``, else
        the index if it has one of these names (so a checked table can be checked again).
    id_column, option_base, errors, format
        As in :func:`read_survey`.
    source : str
        How messages name the table. Rows are named by 0-based position.

    Returns
    -------
    Survey
        As :func:`read_survey`.

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
    >>> checked.data.index.tolist(), checked.data["item4"].tolist()
    (['a'], [3.0])
    >>> print(checked.report.dropped[0])
    row 1 (respondent 'b'), column 'item6': 'x' is not a number; expected an integer option \
index 1–9 or a blank
    """
    import pandas as pd

    _check_parameters("check_survey", format, option_base, errors)
    if isinstance(frame, Survey):
        frame = frame.data
    if not isinstance(frame, pd.DataFrame):
        raise SurveyError(
            f"check_survey expects a pandas DataFrame. Got {type(frame).__name__} instead."
        )
    repeated = frame.columns[frame.columns.duplicated()]
    if len(repeated):
        raise SurveyError(
            f"The survey {source!r} has the column {str(repeated[0])!r} more than once. "
            "Expected each column once; rename or remove one of them."
        )
    names = ID_COLUMNS if id_column is None else (_key(id_column),)
    if _find_id(frame.columns, id_column) is None and _key(frame.index.name) in names:
        frame = frame.reset_index()
    where = _Where(source, "position", np.arange(len(frame)))
    return _check(frame.reset_index(drop=True), where, format, id_column, option_base, errors)


def _check_parameters(caller: str, format: Any, option_base: Any, errors: Any) -> None:
    check_choice(format, "format", caller, ("auto", "wide", "long"), error=SurveyError)
    if isinstance(option_base, bool):
        raise parameter_error("option_base", caller, "one of 0, 1", option_base, SurveyError)
    check_choice(option_base, "option_base", caller, (0, 1), error=SurveyError)
    check_choice(errors, "errors", caller, ("raise", "coerce"), error=SurveyError)


def _check(raw, where: _Where, format: str, id_column: str | None, option_base: int,
           errors: str) -> Survey:
    """Check a raw table; the wide table of the respondents kept with its report."""
    table, problems, item_columns, layout = _check_table(raw, where, format, id_column,
                                                         option_base, errors)
    return Survey(table, _report(table, where, len(raw), problems, item_columns, layout))


def _report(table, where: _Where, n_rows: int, problems: tuple[Problem, ...],
            item_columns: list[str], format: str) -> SurveyReport:
    answered = table[item_columns].notna().to_numpy()
    n_items = answered.shape[1]
    if item_columns[0].endswith("_self"):  # payoffs: an answer needs both self and other
        answered = answered[:, 0::2] & answered[:, 1::2]
        n_items //= 2
    scorable = answered[:, :N_PRIMARY].all(axis=1)
    complete = answered.all(axis=1) if n_items == N_ITEMS else np.zeros(len(table), bool)
    return SurveyReport(
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
