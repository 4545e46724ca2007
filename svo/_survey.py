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

import re
from collections.abc import Callable
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ._errors import ChoiceError, SurveyError
from ._items import ITEM_COLUMNS, N_ITEMS, N_OPTIONS, N_PRIMARY
from ._score import SCORE_COLUMNS, Problem

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SurveyReport", "check_survey", "read_survey"]

ID_COLUMNS = ("respondent", "respondent_id", "id")
SUFFIXES = {".csv": "text", ".tsv": "text", ".txt": "text", ".xlsx": "excel", ".xls": "excel",
            ".parquet": "parquet"}
_MAX_LISTED = 5
_ITEM_NAME = re.compile(r"^item[\s_]*(\d+)(?:[\s_]*(self|other))?$")


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


def _py(value: Any) -> Any:
    """A numpy scalar as the Python scalar (for readable messages)."""
    return value.item() if isinstance(value, np.generic) else value


def _others(rows: Any, i: int, where: _Where) -> str:
    """The locations of the rows in ``rows`` other than ``i``, at most three named."""
    others = [j for j in rows[:4] if j != i][:3]
    more = len(rows) - 1 - len(others)
    return ", ".join(where(j) for j in others) + (f" and {more} more rows" if more else "")


def _listing(values: Any, limit: int) -> str:
    values = list(values)
    shown = ", ".join(str(v) for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def _describe(problem: Problem) -> str:
    who = "" if problem.respondent is None else f"respondent {problem.respondent!r}, "
    return f"{who}column {problem.column!r}: {problem.message}"


@dataclass(frozen=True)
class _Where:
    """Names the rows of a table the way its source counts them."""

    source: str
    kind: Literal["line", "sheet", "position"]
    positions: np.ndarray  # for each table row, its 0-based data-row number in the source
    sheet: Any = None

    def __call__(self, i: int) -> str:
        p = int(self.positions[i])
        return f"line {p + 2}" if self.kind == "line" else f"row {p + (self.kind == 'sheet') * 2}"

    @property
    def convention(self) -> str:
        if self.kind == "line":
            return "line numbers count the header as line 1"
        if self.kind == "sheet":
            return f"sheet {self.sheet!r}, rows numbered as in the sheet with the header in row 1"
        return "rows are 0-based positions"


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
    source = str(path)
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise SurveyError(
            f"Cannot read survey file {source!r}: unsupported suffix {path.suffix!r}. Expected "
            f"one of {', '.join(SUFFIXES)}."
        )
    if not path.is_file():
        raise SurveyError(f"Cannot read survey file {source!r}: no such file.")
    reader = {"text": _read_text, "excel": _read_excel, "parquet": _read_parquet}
    raw, where = reader[SUFFIXES[suffix]](path, source, id_column, sheet)
    if len(raw) == 0:
        raise SurveyError(f"The survey file {source!r} has no data rows (only a header).")
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


# -- reading files ------------------------------------------------------------------------


_NA_STRINGS = [  # pandas' default missing-value markers (read_csv's na_values)
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
]


def _read_text(path: Path, source: str, id_column: str | None, sheet: Any):
    import pandas as pd

    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            header = f.readline()
        if not header.strip():
            raise SurveyError(f"The survey file {source!r} is empty: expected a header line.")
        sep = "\t" if path.suffix.lower() == ".tsv" else max(",\t;|", key=header.count)
        options = {"sep": sep, "encoding": "utf-8-sig"}
        columns = pd.read_csv(path, nrows=0, **options).columns
        id_name = _find_id(columns, id_column)
        # an id such as "NA" or "None" is an id; in every other column pandas' defaults hold
        na_values = {c: _NA_STRINGS if c != id_name else [""] for c in columns}
        raw = pd.read_csv(path, dtype={id_name: str} if id_name is not None else None,
                          skip_blank_lines=False, keep_default_na=False, na_values=na_values,
                          **options)
        if not isinstance(raw.index, pd.RangeIndex):  # pandas took extra fields as an index
            raise SurveyError(
                f"Cannot read survey file {source!r}: its first data line has "
                f"{raw.index.nlevels} more field(s) than the header's {len(columns)}. Expected "
                "the same number of fields on every line."
            )
    except UnicodeDecodeError as err:
        raise SurveyError(
            f"Cannot read survey file {source!r}: it is not UTF-8 text ({err.reason} at byte "
            f"{err.start}). Save it as UTF-8 CSV."
        ) from err
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise SurveyError(f"Cannot read survey file {source!r} as delimited text: {err}") from err
    return _without_blank_rows(raw, source, "line")


def _read_excel(path: Path, source: str, id_column: str | None, sheet: int | str):
    import pandas as pd

    try:
        with pd.ExcelFile(path) as book:
            names = book.sheet_names
            if (sheet not in names) and not (isinstance(sheet, int) and 0 <= sheet < len(names)):
                raise SurveyError(
                    f"The survey file {source!r} has no sheet {sheet!r}. Expected a sheet name "
                    f"({', '.join(map(repr, names))}) or a position 0–{len(names) - 1}."
                )
            name = sheet if isinstance(sheet, str) else names[sheet]
            header = pd.read_excel(book, sheet_name=name, nrows=0).columns
            id_name = _find_id(header, id_column)
            raw = pd.read_excel(book, sheet_name=name,
                                dtype={id_name: str} if id_name is not None else None)
    except ImportError as err:
        raise SurveyError(
            f"Cannot read survey file {source!r}: {err}. Save the sheet as .xlsx or CSV."
        ) from err
    except SurveyError:
        raise
    except Exception as err:  # openpyxl/xlrd raise many types for corrupt files
        raise SurveyError(f"Cannot read survey file {source!r} as Excel: {err}") from err
    return _without_blank_rows(raw, source, "sheet", name)


def _read_parquet(path: Path, source: str, id_column: str | None, sheet: Any):
    import pandas as pd

    try:
        raw = pd.read_parquet(path)
    except ImportError as err:
        raise SurveyError(f"Cannot read survey file {source!r}: {err}") from err
    except Exception as err:  # pyarrow raises its own error types for corrupt files
        raise SurveyError(f"Cannot read survey file {source!r} as Parquet: {err}") from err
    named = raw.index.names != [None] or not isinstance(raw.index, pd.RangeIndex)
    raw = raw.reset_index(drop=not named)  # an index written with the table (ids) is a column
    return _without_blank_rows(raw, source, "position")


def _without_blank_rows(raw, source: str, kind: str, sheet: Any = None):
    blank = raw.isna().to_numpy().all(axis=1) if raw.shape[1] else np.ones(len(raw), bool)
    positions = np.flatnonzero(~blank)
    raw = raw.iloc[positions].reset_index(drop=True) if blank.any() else raw
    return raw, _Where(source, kind, positions, sheet)


# -- checking tables ------------------------------------------------------------------------


def _key(column: Any) -> str:
    return str(column).strip().lower()


def _find_id(columns: Any, id_column: str | None) -> Any:
    keys = {_key(c): c for c in columns}
    if id_column is not None:
        return id_column if id_column in columns else keys.get(_key(id_column))
    return next((keys[name] for name in ID_COLUMNS if name in keys), None)


def _check(raw, where: _Where, format: str, id_column: str | None, option_base: int,
           errors: str):
    clash = [str(c) for c in raw.columns if c in SCORE_COLUMNS]
    if clash:
        raise SurveyError(
            f"The survey {where.source!r} has the column(s) {', '.join(map(repr, clash))}, "
            f"named like the scores svo.score adds ({', '.join(SCORE_COLUMNS)}); joined to the "
            "scores, they would clash or be taken for them. Rename them."
        )
    keys = {_key(c) for c in raw.columns}
    long = format == "long" or (format == "auto" and {"item", "choice"} <= keys)
    id_name = _find_id(raw.columns, id_column)
    required = ["item", "choice"] if long else []
    if id_name is None:
        expected = repr(id_column) if id_column is not None else " or ".join(map(repr, ID_COLUMNS))
        required.insert(0, expected)
    missing = [c for c in required if c not in keys]
    if missing:
        layout = ("long format: respondent, item (1–15), choice (option index)" if long else
                  "wide format: an id column and item1 … item6 (optionally … item15)")
        raise SurveyError(
            f"The survey {where.source!r} lacks the required column(s) {', '.join(missing)} "
            f"({layout}). Got columns {[str(c) for c in raw.columns][:25]}."
        )
    if long:
        return _check_long(raw, where, id_name, option_base, errors)
    return _check_wide(raw, where, id_name, option_base, errors)


class _Issues:
    """Problems found while checking a table, kept as arrays of table rows.

    Each chunk holds the rows of one kind of problem in one column, the cells as given and a
    function that words the problem of its k-th row; messages are only made for the
    problems shown, so a million bad cells cost little until they are listed.
    """

    def __init__(self) -> None:
        self.chunks: list[tuple[np.ndarray, str, np.ndarray, Callable[[int], str], bool]] = []

    def add(self, rows: Any, column: Any, values: Any, what: Callable[[int], str],
            structural: bool) -> None:
        rows = np.asarray(rows, dtype=np.intp)
        if len(rows):
            self.chunks.append((rows, str(column), np.asarray(values, dtype=object), what,
                                structural))

    def rows(self) -> np.ndarray:
        """Every table row with a problem (with repeats)."""
        return np.concatenate([c[0] for c in self.chunks] or [np.zeros(0, np.intp)])

    def resolve(self, where: _Where, ids: Any, empty: np.ndarray,
                errors: str) -> tuple[Problem, ...]:
        """Raise (``errors='raise'``) or return one :class:`Problem` per problem, by row."""
        if not self.chunks:
            return ()
        rows = self.rows()
        chunk = np.repeat(np.arange(len(self.chunks)), [len(c[0]) for c in self.chunks])
        within = np.concatenate([np.arange(len(c[0])) for c in self.chunks])
        order = np.argsort(rows, kind="stable")
        labels = ids.to_numpy(dtype=object)

        def respondent(i: int) -> Any:
            return None if empty[i] else _py(labels[i])

        def entry(j: int) -> tuple[int, str, Any, str]:
            _, column, values, what, _ = self.chunks[chunk[j]]
            return int(rows[j]), column, _py(values[within[j]]), what(int(within[j]))

        if errors == "raise":
            listed = []
            for i, column, _, what in map(entry, order[:_MAX_LISTED]):
                who = "" if empty[i] else f", respondent {respondent(i)!r}"
                listed.append(f"{where(i)}{who}, column {column!r}: {what}")
            n = len(rows)
            more = f"; and {n - _MAX_LISTED} more" if n > _MAX_LISTED else ""
            kind = SurveyError if any(c[4] for c in self.chunks) else ChoiceError
            raise kind(
                f"{n} problem{'s' if n > 1 else ''} in {where.source} ({where.convention}): "
                f"{'; '.join(listed)}{more}. Pass errors='coerce' to drop these respondents "
                "and list them in the report."
            )
        # many problems (say, a whole file numbered 1–9): plain lists are much faster here
        rows, chunk, within = rows[order], chunk[order].tolist(), within[order].tolist()
        positions = where.positions[rows].tolist()
        located = where.kind != "position"
        who = [None if e else _py(label) for e, label in zip(empty[rows].tolist(),
                                                               labels[rows].tolist(),
                                                               strict=True)]
        values = [c[2].tolist() for c in self.chunks]
        problems = []
        for i, c, k, position in zip(rows.tolist(), chunk, within, positions, strict=True):
            what = self.chunks[c][3](k)
            problems.append(Problem(position, who[len(problems)], self.chunks[c][1],
                                    values[c][k], f"{where(i)}: {what}" if located else what))
        return tuple(problems)


def _ids(raw, id_name: Any, issues: _Issues) -> tuple[Any, np.ndarray]:
    """The ids (strings stripped) and the mask of empty ids, which are added to ``issues``."""
    import pandas as pd

    ids = raw[id_name]
    if not pd.api.types.is_numeric_dtype(ids):
        ids = ids.astype("str").str.strip().where(ids.notna())
    empty = (ids.isna() | (ids == "")).to_numpy()
    rows = np.flatnonzero(empty)
    issues.add(rows, id_name, raw[id_name].iloc[rows],
               lambda k: "the respondent id is empty; expected a non-empty id", True)
    return ids, empty


def _grouped(rows: np.ndarray, keys: Any) -> Callable[[int], np.ndarray]:
    """For the k-th of ``rows``, all of ``rows`` that share its key (computed when asked)."""
    import pandas as pd

    codes = pd.factorize(np.asarray(keys))[0]
    cache: dict[str, Any] = {}

    def group(k: int) -> np.ndarray:
        if "groups" not in cache:
            cache["groups"] = pd.Series(np.arange(len(rows))).groupby(codes).indices
        return rows[cache["groups"][codes[k]]]

    return group


def _numeric(column) -> tuple[np.ndarray, np.ndarray]:
    """Values as floats (NaN where missing or not a number) and the mask of non-numbers."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(column):
        return np.full(len(column), np.nan), column.notna().to_numpy()
    if pd.api.types.is_numeric_dtype(column):
        return column.to_numpy(dtype=float, na_value=np.nan), np.zeros(len(column), bool)
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    suspect = np.flatnonzero(np.isnan(values) & column.notna().to_numpy())
    bad = np.zeros(len(column), bool)
    bad[suspect] = column.iloc[suspect].astype("str").str.strip().to_numpy() != ""
    return values, bad


def _options(column, name: str, option_base: int, issues: _Issues) -> np.ndarray:
    """Option indices 0–8 of a column (NaN if missing or invalid); invalid cells to ``issues``."""
    values, not_number = _numeric(column)
    shifted = values - option_base
    with np.errstate(invalid="ignore"):
        outside = (shifted < 0) | (shifted > N_OPTIONS - 1)
        fraction = ~np.isnan(shifted) & ~outside & (shifted != np.floor(shifted))
    bad = not_number | outside | fraction
    rows = np.flatnonzero(bad)
    given = column.iloc[rows].to_numpy(dtype=object)
    kinds = np.where(not_number[rows], 0, np.where(outside[rows], 1, 2)).tolist()
    number = values[rows].tolist()
    expected = (f"expected an integer option index {option_base}–{option_base + N_OPTIONS - 1}"
                " or a blank")
    hint = " (numbered 1–9? pass option_base=1)" if option_base == 0 else ""
    words: dict[tuple[int, float], str] = {}  # few distinct messages: word each once

    def what(k: int) -> str:
        if kinds[k] == 0:
            return f"{_py(given[k])!r} is not a number; {expected}"
        key = (kinds[k], number[k])
        if key not in words:
            words[key] = (f"option {number[k]:g} is out of range; {expected}"
                          + (hint if number[k] == N_OPTIONS else "") if kinds[k] == 1 else
                          f"option {number[k]:g} is not a whole number; {expected}")
        return words[key]

    issues.add(rows, name, given, what, False)
    shifted[bad] = np.nan
    return shifted


def _item_columns(columns: Any, source: str) -> dict[tuple[int, str], Any]:
    """``(item number, '' | 'self' | 'other') -> column`` for every item-like column."""
    found: dict[tuple[int, str], Any] = {}
    for column in columns:
        match = _ITEM_NAME.match(_key(column))
        if match is None:
            continue
        number, part = int(match[1]), match[2] or ""
        if not 1 <= number <= N_ITEMS:
            raise SurveyError(
                f"The survey {source!r} has a column {str(column)!r}, but the slider form has "
                f"items 1–{N_ITEMS}. Expected item columns item1 … item{N_ITEMS}; rename it."
            )
        if (number, part) in found:
            raise SurveyError(
                f"The survey {source!r} has two columns for the same item: "
                f"{str(found[number, part])!r} and {str(column)!r}. Expected one."
            )
        found[number, part] = column
    return found


def _wide_layout(raw, id_name: Any, source: str, option_base: int) -> tuple[dict, bool, int]:
    """The item columns, whether they hold payoffs, and the number of items (6 or 15)."""
    found = _item_columns([c for c in raw.columns if c != id_name], source)
    has = {part: [k for k in range(1, N_ITEMS + 1) if (k, part) in found]
           for part in ("", "self", "other")}
    index_ok = has[""][:N_PRIMARY] == list(range(1, N_PRIMARY + 1))
    pairs = sorted(set(has["self"]) & set(has["other"]))
    allocation = pairs[:N_PRIMARY] == list(range(1, N_PRIMARY + 1))
    if index_ok and allocation:
        raise SurveyError(
            f"The survey {source!r} has both option columns (item1 …) and payoff columns "
            "(item1_self, item1_other …). Expected one of the two; drop the other."
        )
    if not (index_ok or allocation):
        lacking = [ITEM_COLUMNS[k - 1] for k in range(1, N_PRIMARY + 1) if k not in has[""]]
        raise SurveyError(
            f"The survey {source!r} lacks the primary item column(s) {', '.join(lacking)}: "
            "expected item1 … item6 (optionally item7 … item15) of option indices "
            f"{option_base}–{option_base + N_OPTIONS - 1}, or item1_self, item1_other, … of "
            f"payoffs. Got columns {[str(c) for c in raw.columns][:25]}."
        )
    parts = ("self", "other") if allocation else ("",)
    stray = [str(c) for (k, part), c in found.items()
             if part not in parts or (allocation and k not in pairs)]
    if stray:
        layout = ("payoff columns (item1_self, item1_other …)" if allocation else
                  "option columns (item1 …)")
        raise SurveyError(
            f"The survey {source!r} has {layout} for the primary items, and also the column(s) "
            f"{', '.join(map(repr, stray))}, which do not fit that layout and would be ignored. "
            "Expected every item in one layout: option indices or self/other payoff pairs."
        )
    secondary = [k for k in (pairs if allocation else has[""]) if k > N_PRIMARY]
    if secondary and len(secondary) != N_ITEMS - N_PRIMARY:
        lacking = [ITEM_COLUMNS[k - 1] for k in range(N_PRIMARY + 1, N_ITEMS + 1)
                   if k not in secondary]
        raise SurveyError(
            f"The survey {source!r} has some secondary item columns but lacks "
            f"{', '.join(lacking)}. Expected all nine of item7 … item15, or none."
        )
    return found, allocation, N_ITEMS if secondary else N_PRIMARY


def _check_wide(raw, where: _Where, id_name: Any, option_base: int, errors: str):
    import pandas as pd

    found, allocation, n_items = _wide_layout(raw, id_name, where.source, option_base)
    issues = _Issues()
    ids, empty = _ids(raw, id_name, issues)
    rows = np.flatnonzero(ids.duplicated(keep=False).to_numpy() & ~empty)
    group, labels = _grouped(rows, ids.iloc[rows]), ids.iloc[rows].to_numpy(dtype=object)
    issues.add(rows, id_name, labels,
               lambda k: (f"respondent id {_py(labels[k])!r} is also on "
                          f"{_others(group(k), rows[k], where)}; expected unique ids"), True)
    parts = ("self", "other") if allocation else ("",)
    items = {}
    for k in range(1, n_items + 1):
        for part in parts:
            name, column = f"item{k}_{part}" if part else f"item{k}", raw[found[k, part]]
            if not allocation:
                items[name] = _options(column, name, option_base, issues)
                continue
            items[name], bad = _numeric(column)
            bad_rows = np.flatnonzero(bad)
            given = column.iloc[bad_rows].to_numpy(dtype=object)
            issues.add(bad_rows, name, given,
                       lambda j, given=given: f"{_py(given[j])!r} is not a number; expected a "
                                              "payoff", False)
    if allocation:
        _allocation_issues(pd.DataFrame(items), issues)
    used = {found[k, part] for k in range(1, n_items + 1) for part in parts}
    other = [c for c in raw.columns if c != id_name and c not in used]
    table = pd.concat([raw[other], pd.DataFrame(items)], axis=1)
    table.index = pd.Index(ids, name="respondent")
    drop = np.zeros(len(raw), bool)
    drop[issues.rows()] = True
    problems = issues.resolve(where, ids, empty, errors)
    return _finish(table[~drop], where, len(raw), problems, list(items), "wide")


def _allocation_issues(payoffs, issues: _Issues) -> None:
    """Payoff pairs that are not on their item's line, found by :func:`svo.score`."""
    from ._score import score

    for p in score(payoffs, errors="coerce").attrs["dropped"]:
        issues.add([p.row], p.column, [p.value],
                   lambda k, p=p: f"{p.message}; expected a point on the line", False)


def _item_numbers(item) -> np.ndarray:
    """Item numbers of a long table's ``item`` column (1–15, ``item1`` …); NaN if unreadable."""
    import pandas as pd

    if pd.api.types.is_numeric_dtype(item) and not pd.api.types.is_bool_dtype(item):
        return item.to_numpy(dtype=float, na_value=np.nan)
    codes, uniques = pd.factorize(item)  # parse each distinct value once
    text = pd.Series(uniques, dtype=object).astype("str").str.strip().str.lower()
    digits = text.str.extract(r"^(?:item[\s_]*)?(\d+)(?:\.0*)?$", expand=False)
    parsed = pd.to_numeric(digits, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.append(parsed, np.nan)[codes]  # code -1 (missing) -> NaN


def _check_long(raw, where: _Where, id_name: Any, option_base: int, errors: str):
    import pandas as pd

    columns = {_key(c): c for c in raw.columns}
    item_col, choice_col = columns["item"], columns["choice"]
    issues = _Issues()
    ids, empty = _ids(raw, id_name, issues)
    number = _item_numbers(raw[item_col])
    with np.errstate(invalid="ignore"):
        unknown = ~((number >= 1) & (number <= N_ITEMS) & (number == np.floor(number)))
    rows = np.flatnonzero(unknown)
    given = raw[item_col].iloc[rows].to_numpy(dtype=object)
    issues.add(rows, item_col, given,
               lambda k: (f"{_py(given[k])!r} is not an item of the form; expected an item "
                          f"number 1–{N_ITEMS} (or item1 … item{N_ITEMS})"), True)
    choice = _options(raw[choice_col], str(choice_col), option_base, issues)
    valid = ~empty & ~unknown
    code, labels = pd.factorize(ids.where(~empty))  # code -1 for empty ids
    number = np.where(valid, number, 0).astype(np.intp)
    pair = code * (N_ITEMS + 1) + number
    dup = np.flatnonzero(pd.Series(pair).duplicated(keep=False).to_numpy() & valid)
    group = _grouped(dup, pair[dup])
    issues.add(dup, item_col, number[dup],
               lambda k: (f"respondent {_py(labels[code[dup[k]]])!r} answers item "
                          f"{number[dup[k]]} more than once (also on "
                          f"{_others(group(k), dup[k], where)}); expected one row per "
                          "respondent and item"), True)
    other = [c for c in raw.columns if c not in (id_name, item_col, choice_col)]
    keyed = raw[other].assign(_code=code)[~empty]
    for column in other:
        _varying(keyed, column, labels, where, issues)
    n_items = N_ITEMS if (valid & (number > N_PRIMARY)).any() else N_PRIMARY
    answers = np.full((len(labels), N_ITEMS + 1), np.nan)
    keep = valid & ~np.isnan(choice)
    answers[code[keep], number[keep]] = choice[keep]
    demographics = keyed.groupby("_code", sort=True).first().reindex(range(len(labels)))
    table = pd.concat([demographics.reset_index(drop=True),
                       pd.DataFrame(answers[:, 1:n_items + 1], columns=ITEM_COLUMNS[:n_items])],
                      axis=1)
    table.index = pd.Index(labels, name="respondent")
    drop = np.zeros(len(labels), bool)
    bad_codes = code[issues.rows()]
    drop[bad_codes[bad_codes >= 0]] = True
    problems = issues.resolve(where, ids, empty, errors)
    item_columns = list(ITEM_COLUMNS[:n_items])
    return _finish(table[~drop], where, len(raw), problems, item_columns, "long")


def _varying(keyed, column: Any, labels: Any, where: _Where, issues: _Issues) -> None:
    """Long format: the rows where a respondent's demographic differs from its first value."""
    import pandas as pd

    values = keyed[["_code", column]].dropna().drop_duplicates()  # index: table rows
    again = values["_code"].duplicated().to_numpy()
    firsts = values[~again]
    first_row = pd.Series(firsts.index.to_numpy(), index=firsts["_code"].to_numpy())
    rows, codes = values.index[again].to_numpy(), values["_code"].to_numpy()[again]
    first = first_row.loc[codes].to_numpy()
    given = values[column].to_numpy(dtype=object)[again]
    before = keyed[column].loc[first].to_numpy(dtype=object)
    issues.add(rows, column, given,
               lambda k: (f"{str(column)!r} of respondent {_py(labels[codes[k]])!r} is "
                          f"{_py(given[k])!r} here but {_py(before[k])!r} on "
                          f"{where(first[k])}; expected the same value on every row of a "
                          "respondent in the long format (blanks are filled)"), True)


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
