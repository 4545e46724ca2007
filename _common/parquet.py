"""One reader for a Parquet file or a folder of them (a data set), for the in-memory paths.

A folder is read as one data set only when every file has the same columns and types;
otherwise the message names the column and the files that disagree, instead of pyarrow's
"value truncated" or "cannot merge" about an anonymous fragment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["read_parquet_data"]


def _mismatch(files: list[Path]) -> str | None:
    """How the files' schemas differ (the first difference), or None when they agree."""
    import pyarrow.parquet as pq

    first = pq.read_schema(files[0])
    for f in files[1:]:
        schema = pq.read_schema(f)
        if schema.equals(first, check_metadata=False):
            continue
        if set(schema.names) != set(first.names):
            missing = [c for c in first.names if c not in schema.names]
            extra = [c for c in schema.names if c not in first.names]
            return (f"{f.name} has other columns than {files[0].name} (missing: "
                    f"{', '.join(missing) or 'none'}; extra: {', '.join(extra) or 'none'})")
        for name in first.names:
            a, b = first.field(name).type, schema.field(name).type
            if a != b:
                return (f"the column {name!r} is {a} in {files[0].name} but {b} in {f.name}")
    return None


def read_parquet_data(path: str | os.PathLike[str], error: type[Exception],
                      label: str | None = None) -> Any:
    """The pandas frame of a Parquet file or of a folder's ``*.parquet`` files (name order).

    Raises ``error`` naming ``label`` (default: the path) for a folder without Parquet
    files, files whose columns or types differ, or an unreadable file.

    >>> import tempfile, pandas as pd
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     pd.DataFrame({"rank": [0, 1]}).to_parquet(f"{tmp}/a.parquet")
    ...     pd.DataFrame({"rank": [0.0, 1.5]}).to_parquet(f"{tmp}/b.parquet")
    ...     read_parquet_data(tmp, ValueError, "ballots")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: ballots: the files of this folder disagree: the column 'rank' is int64 in ...
    """
    import pandas as pd

    path = Path(path)
    label = str(path) if label is None else label
    try:
        if path.is_dir():
            files = sorted(path.glob("*.parquet"))
            if not files:
                raise error(f"{label}: the folder holds no .parquet files.")
            differ = _mismatch(files)
            if differ is not None:
                raise error(f"{label}: the files of this folder disagree: {differ}; every "
                            "file of a data set needs the same columns and types.")
            return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
        return pd.read_parquet(path)
    except (OSError, ValueError) as exc:  # pyarrow.ArrowInvalid is a ValueError
        if isinstance(exc, error):
            raise
        raise error(f"{label}: not a readable Parquet file ({exc}).") from None
