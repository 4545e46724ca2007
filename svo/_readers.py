"""Reading survey files into raw tables: delimited text, Excel and Parquet.

Private helpers of :func:`svo.read_survey` (see :mod:`svo._survey` for the formats). Each
reader returns the table as read, without blank rows, and a :class:`_Where` that names its
rows the way the source counts them (text lines, sheet rows or 0-based positions).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ._errors import SurveyError

ID_COLUMNS = ("respondent", "respondent_id", "id")
SUFFIXES = {".csv": "text", ".tsv": "text", ".txt": "text", ".xlsx": "excel", ".xls": "excel",
            ".parquet": "parquet"}
_NA_STRINGS = [  # pandas' default missing-value markers (read_csv's na_values)
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
]


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


def _key(column: Any) -> str:
    """A column name as matched: stripped, lower case."""
    return str(column).strip().lower()


def _find_id(columns: Any, id_column: str | None) -> Any:
    """The id column: ``id_column`` (else the first of :data:`ID_COLUMNS`), ignoring case.

    >>> _find_id(["group", " Respondent_ID", "id"], None)
    ' Respondent_ID'
    >>> _find_id(["PID", "item1"], "pid"), _find_id(["item1"], None)
    ('PID', None)
    """
    keys = {_key(c): c for c in columns}
    if id_column is not None:
        return id_column if id_column in columns else keys.get(_key(id_column))
    return next((keys[name] for name in ID_COLUMNS if name in keys), None)


def _read_file(path: Path, source: str, id_column: str | None, sheet: int | str):
    """The raw table of a survey file and its :class:`_Where`; unreadable files raise."""
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
    return raw, where


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

