"""Reading preference data: CSV, Parquet, JSON Lines and Hugging Face datasets.

:func:`read_preferences` takes a path, a file-like object or bytes (``_common.sources``) or a
folder of Parquet files, and names the user's file in every message. Rows in messages are
0-based data rows (the CSV header is not counted; in JSON Lines, row *i* is the *i*-th
record).
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from _common.parquet import read_parquet_data
from _common.sources import Source, read_bytes, source_name
from _common.validation import check_choice

from ._data import PreferenceData
from ._errors import PreferenceDataError
from ._validate import ID_COLUMNS, TEXT_COLUMNS

__all__ = ["FORMATS", "from_dataset", "read_preferences"]

#: Formats and the file suffixes that select them.
FORMATS: dict[str, tuple[str, ...]] = {
    "csv": (".csv",),
    "parquet": (".parquet", ".pq"),
    "jsonl": (".jsonl", ".ndjson"),
}
#: Values read as missing in CSV columns other than ids and texts (pandas' usual set).
_NA = ["", "NA", "N/A", "n/a", "NaN", "nan", "-NaN", "-nan", "null", "NULL", "None", "#N/A"]


def _format(source: Any, format: str | None, label: str) -> str:
    if format is not None:
        return check_choice(format, "format", "read_preferences", FORMATS,
                            error=PreferenceDataError)
    suffix = Path(label).suffix.lower() if label not in ("<bytes>", "<stream>") else ""
    for fmt, suffixes in FORMATS.items():
        if suffix in suffixes:
            return fmt
    raise PreferenceDataError(
        f"{label}: cannot tell the format from the name; pass format='csv', 'parquet' or "
        "'jsonl' (suffixes: .csv, .parquet/.pq, .jsonl/.ndjson).")


def _decode(data: bytes, label: str) -> str:
    """UTF-8 text (a byte-order mark dropped), or an error naming the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PreferenceDataError(
            f"{label}: byte {exc.start} is not UTF-8 text; save the file as UTF-8.") from None


def _read_csv(data: bytes, label: str) -> pd.DataFrame:
    """CSV with ids and texts read as strings (only an empty field is missing there)."""
    text = _decode(data, label)
    try:
        header = pd.read_csv(io.StringIO(text), nrows=0).columns
        strings = [c for c in header if c in (*ID_COLUMNS, *TEXT_COLUMNS)]
        na = {c: ([""] if c in strings else _NA) for c in header}
        return pd.read_csv(io.StringIO(text), dtype=dict.fromkeys(strings, str),
                           keep_default_na=False, na_values=na)
    except pd.errors.EmptyDataError:
        raise PreferenceDataError(f"{label}: the file is empty; expected a CSV header "
                                  "line and one judgment per line.") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise PreferenceDataError(f"{label}: not a valid CSV file ({exc}).") from None


def _read_jsonl(data: bytes, label: str) -> pd.DataFrame:
    """JSON Lines, one object per line; a bad line is named (1-based file line)."""
    text = _decode(data, label)
    try:
        return pd.read_json(io.StringIO(text), lines=True, dtype=False)
    except (ValueError, TypeError):
        pass
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            raise PreferenceDataError(f"Line {number} of {label}: an empty line; JSON Lines "
                                      "has one JSON object on every line.")
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise PreferenceDataError(
                f"Line {number} of {label}: not valid JSON ({exc.msg} at column {exc.colno})."
            ) from None
        if not isinstance(record, dict):
            raise PreferenceDataError(f"Line {number} of {label}: expected a JSON object "
                                      f"({{...}}). Got {type(record).__name__} instead.")
    raise PreferenceDataError(f"{label}: not a valid JSON Lines file.")


def _read_parquet(data: bytes | str | os.PathLike[str], label: str) -> pd.DataFrame:
    try:
        return pd.read_parquet(io.BytesIO(data) if isinstance(data, bytes) else data)
    except (OSError, ValueError) as exc:  # pyarrow.ArrowInvalid is a ValueError
        raise PreferenceDataError(f"{label}: not a readable Parquet file ({exc}).") from None


def read_preferences(
    source: Source,
    kind: str,
    features: Sequence[str] = (),
    format: str | None = None,
    *,
    strict_ranks: bool = False,
    annotators: pd.DataFrame | None = None,
    name: str | None = None,
) -> PreferenceData:
    """Read long-form preference data from a CSV, Parquet or JSON Lines file.

    Parameters
    ----------
    source : path, file-like object, bytes, or a folder of Parquet files
        The data; a folder is read as one Parquet data set (the files of
        :func:`rlchf.synthetic.write_parquet`, for instance).
    kind : {"pairwise", "ranking"}
        The shape of the data (see :meth:`PreferenceData.from_pandas`).
    features : sequence of str
        Declared annotator feature columns.
    format : {"csv", "parquet", "jsonl"}, optional
        Default: from the file name's suffix (needed for bytes and unnamed streams).
    strict_ranks : bool
        As in :meth:`PreferenceData.from_pandas`.
    annotators : pandas.DataFrame, optional
        An annotator table with feature columns, as in :meth:`PreferenceData.from_pandas`.
    name : str, optional
        The name messages use for the file (default: the path or the stream's name).

    Returns
    -------
    PreferenceData

    Raises
    ------
    PreferenceDataError
        An unreadable file (naming it, and the line for JSON Lines), or data that fails
        validation (naming the 0-based data row and the column).

    Notes
    -----
    CSV has no types: id and text columns (``prompt_id``, ``annotator_id``,
    ``response_id``, ``prompt``, ``response``, ``response_a``, ``response_b``) are read as
    strings, and only an empty field is missing there (a response ``"None"`` is text).
    Parquet and JSON Lines keep their types.

    Examples
    --------
    >>> csv = (b"prompt_id,prompt,response_a,response_b,label,annotator_id,region\\n"
    ...        b"1,Greet me.,Hi!,Hello.,1,ann,north\\n"
    ...        b"1,Greet me.,Hi!,Hello.,0,bob,south\\n")
    >>> data = read_preferences(csv, kind="pairwise", features=["region"], format="csv")
    >>> data.frame[["prompt_id", "label", "region"]]
      prompt_id  label region
    0         1    1.0  north
    1         1    0.0  south
    >>> read_preferences(csv.replace(b",0,bob", b",7,bob"), "pairwise", name="prefs.csv")
    Traceback (most recent call last):
    ...
    rlchf._errors.PreferenceDataError: Row 1 of prefs.csv: the 'label' column must be 1, 0 or
    0.5. Got 7 instead.
    """
    label = source_name(source, name)
    if isinstance(source, str | os.PathLike) and Path(source).is_dir():
        fmt = check_choice(format or "parquet", "format", "read_preferences", ["parquet"],
                           error=PreferenceDataError)
        df = read_parquet_data(source, PreferenceDataError, label)
    else:
        data, label = read_bytes(source, name=name, error=PreferenceDataError)
        fmt = _format(source, format, label)
        reader = {"csv": _read_csv, "parquet": _read_parquet, "jsonl": _read_jsonl}[fmt]
        df = reader(data, label)
    return PreferenceData.from_pandas(df, kind=kind, features=features,
                                      strict_ranks=strict_ranks, annotators=annotators,
                                      name=label)


def from_dataset(
    dataset: Any, kind: str, features: Sequence[str] = (), *, strict_ranks: bool = False
) -> PreferenceData:
    """:class:`PreferenceData` from a Hugging Face ``datasets.Dataset`` (one split).

    ``datasets`` is imported only here. A ``DatasetDict`` is refused with the names of its
    splits (pick one, e.g. ``ds["train"]``). Rows in messages are dataset indices.

    >>> import datasets
    >>> ds = datasets.Dataset.from_dict({"prompt_id": [0], "prompt": ["Q"],
    ...     "response_a": ["x"], "response_b": ["y"], "label": [0.5], "annotator_id": ["a"]})
    >>> from_dataset(ds, kind="pairwise").frame["label"].tolist()
    [0.5]
    """
    try:
        import datasets
    except ImportError:  # pragma: no cover - datasets is part of the rlchf extra
        raise PreferenceDataError(
            "PreferenceData.from_dataset needs the 'datasets' package "
            "(pip install 'collective-alignment[rlchf]').") from None
    if isinstance(dataset, datasets.DatasetDict):
        raise PreferenceDataError(
            "The 'dataset' parameter of PreferenceData.from_dataset must be one split (a "
            f"datasets.Dataset). Got a DatasetDict with splits {list(dataset)}; pass e.g. "
            f"dataset[{next(iter(dataset), 'train')!r}].")
    if not isinstance(dataset, datasets.Dataset):
        raise PreferenceDataError(
            "The 'dataset' parameter of PreferenceData.from_dataset must be a "
            f"datasets.Dataset. Got {type(dataset).__name__} instead.")
    return PreferenceData.from_pandas(dataset.to_pandas(), kind=kind, features=features,
                                      strict_ranks=strict_ranks, name="the dataset")
