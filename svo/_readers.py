"""Reading survey files into raw tables: delimited text, Excel and Parquet.

Private helpers of :func:`svo.read_survey` (see :mod:`svo._survey` for the formats). A source
is a path, a file-like object or bytes (:mod:`_common.sources`); each reader takes its bytes
and returns the table as read, without blank rows, and a :class:`_Where` that names its rows
the way the source counts them (text lines, sheet rows or 0-based positions). Messages name
the file as the user named it, never a temporary copy.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Literal

import numpy as np

from _common.sources import read_bytes, source_name

from ._errors import SurveyError

ID_COLUMNS = ("respondent", "respondent_id", "id")
SUFFIXES = {".csv": "text", ".tsv": "text", ".txt": "text", ".xlsx": "excel", ".xls": "excel",
            ".parquet": "parquet"}
_SIGNATURES = {b"PAR1": "parquet", b"PK\x03\x04": "excel", b"\xd0\xcf\x11\xe0": "excel"}
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


def _kind(label: str, data: bytes, suffixed: bool) -> str:
    """The reader for a source: by its name's suffix, else by the bytes' signature.

    A path (``suffixed``) must have a known suffix; bytes and streams without one are
    recognised as Parquet (``PAR1``), xlsx (a zip) or xls (an OLE file), else read as text.
    """
    suffix = PurePath(label).suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    if suffixed:
        raise SurveyError(
            f"Cannot read survey file {label!r}: unsupported suffix {PurePath(label).suffix!r}. "
            f"Expected one of {', '.join(SUFFIXES)}."
        )
    for signature, kind in _SIGNATURES.items():
        if data.startswith(signature):
            return kind
    return "text"


def _read_source(source: Any, name: str | None, id_column: str | None, sheet: int | str):
    """The raw table of a survey source (path, file-like object or bytes) and its
    :class:`_Where`; unreadable sources raise, naming the file as the user knows it."""
    label = source_name(source, name)
    suffixed = name is None and isinstance(source, str | os.PathLike)
    if suffixed:
        _kind(label, b"", suffixed)  # an unsupported suffix is refused before reading
    try:
        data, label = read_bytes(source, name=name, error=SurveyError)
    except SurveyError as err:
        raise SurveyError(f"Cannot read survey file {label!r}: {_reason(err, label)}") from None
    except OSError as err:
        raise SurveyError(f"Cannot read survey file {label!r}: {err.strerror or err}.") from err
    kind = _kind(label, data, suffixed)
    reader = {"text": _read_text, "excel": _read_excel, "parquet": _read_parquet}
    raw, where = reader[kind](data, label, id_column, sheet)
    if len(raw) == 0:
        raise SurveyError(f"The survey file {label!r} has no data rows (only a header).")
    return raw, where


def _reason(err: Exception, label: str) -> str:
    """The reason of a :func:`read_bytes` error without its ``'<file>: '`` prefix."""
    text = str(err)
    return text[len(label) + 2:] if text.startswith(f"{label}: ") else text


def _duplicates(header: list[Any], label: str) -> None:
    """Refuse a header that names a column twice (pandas would rename one and read it as
    another column, e.g. ``item3.1``)."""
    seen: dict[str, int] = {}
    for position, column in enumerate(header):
        key = str(column).strip()
        if key in seen:
            raise SurveyError(
                f"The survey file {label!r} has the column {key!r} twice (columns "
                f"{seen[key] + 1} and {position + 1} of the header). Expected each column "
                "once; rename or remove one of them."
            )
        seen[key] = position


def _read_text(data: bytes, label: str, id_column: str | None, sheet: Any):
    import pandas as pd

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise SurveyError(
            f"Cannot read survey file {label!r}: it is not UTF-8 text ({err.reason} at byte "
            f"{err.start}). Save it as UTF-8 CSV."
        ) from err
    header = text.split("\n", 1)[0]
    if not header.strip():
        raise SurveyError(f"The survey file {label!r} is empty: expected a header line.")
    tab = PurePath(label).suffix.lower() == ".tsv"
    sep = "\t" if tab else max(",\t;|", key=header.count)
    try:
        _duplicates(next(csv.reader(io.StringIO(text), delimiter=sep)), label)
        columns = pd.read_csv(io.StringIO(text), sep=sep, nrows=0).columns
        id_name = _find_id(columns, id_column)
        # an id such as "NA" or "None" is an id; in every other column pandas' defaults hold
        na_values = {c: _NA_STRINGS if c != id_name else [""] for c in columns}
        raw = pd.read_csv(io.StringIO(text), sep=sep,
                          dtype={id_name: str} if id_name is not None else None,
                          skip_blank_lines=False, keep_default_na=False, na_values=na_values)
    except (csv.Error, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise SurveyError(f"Cannot read survey file {label!r} as delimited text: {err}") from err
    if not isinstance(raw.index, pd.RangeIndex):  # pandas took extra fields as an index
        raise SurveyError(
            f"Cannot read survey file {label!r}: its first data line has "
            f"{raw.index.nlevels} more field(s) than the header's {len(columns)}. Expected "
            "the same number of fields on every line."
        )
    return _without_blank_rows(raw, label, "line")


def _read_excel(data: bytes, label: str, id_column: str | None, sheet: int | str):
    import pandas as pd

    try:
        with pd.ExcelFile(io.BytesIO(data)) as book:
            name = _sheet(book.sheet_names, sheet, label)
            header = pd.read_excel(book, sheet_name=name, header=None, nrows=1)
            _duplicates([c for c in header.iloc[0].tolist() if not pd.isna(c)]
                        if len(header) else [], label)
            columns = pd.read_excel(book, sheet_name=name, nrows=0).columns
            id_name = _find_id(columns, id_column)
            raw = pd.read_excel(book, sheet_name=name,
                                dtype={id_name: str} if id_name is not None else None)
    except ImportError as err:
        raise SurveyError(
            f"Cannot read survey file {label!r}: {err}. Save the sheet as .xlsx or CSV."
        ) from err
    except SurveyError:
        raise
    except Exception as err:  # openpyxl/xlrd raise many types for corrupt files
        raise SurveyError(f"Cannot read survey file {label!r} as Excel: {err}") from err
    return _without_blank_rows(raw, label, "sheet", name)


def _sheet(names: list[Any], sheet: int | str, label: str) -> Any:
    """The name of the sheet asked for by name or position."""
    if (sheet not in names) and not (isinstance(sheet, int) and 0 <= sheet < len(names)):
        raise SurveyError(
            f"The survey file {label!r} has no sheet {sheet!r}. Expected a sheet name "
            f"({', '.join(map(repr, names))}) or a position 0–{len(names) - 1}."
        )
    return sheet if isinstance(sheet, str) else names[sheet]


def _read_parquet(data: bytes, label: str, id_column: str | None, sheet: Any):
    import pandas as pd

    try:
        raw = pd.read_parquet(io.BytesIO(data))
    except ImportError as err:
        raise SurveyError(f"Cannot read survey file {label!r}: {err}") from err
    except Exception as err:  # pyarrow raises its own error types for corrupt files
        raise SurveyError(f"Cannot read survey file {label!r} as Parquet: {err}") from err
    _duplicates(list(raw.columns), label)
    named = raw.index.names != [None] or not isinstance(raw.index, pd.RangeIndex)
    raw = raw.reset_index(drop=not named)  # an index written with the table (ids) is a column
    return _without_blank_rows(raw, label, "position")


def _without_blank_rows(raw, source: str, kind: str, sheet: Any = None):
    blank = raw.isna().to_numpy().all(axis=1) if raw.shape[1] else np.ones(len(raw), bool)
    positions = np.flatnonzero(~blank)
    raw = raw.iloc[positions].reset_index(drop=True) if blank.any() else raw
    return raw, _Where(source, kind, positions, sheet)

