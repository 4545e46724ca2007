"""An annotator table joined onto long-form judgments (``annotators=`` of ``from_pandas``).

Feature columns often live in a table of their own, one row per annotator. Joining it is
where "an annotator with no judgments" has a meaning: a row of the table whose annotator
has no row in the data is an error, as is a judgment whose annotator is not in the table.
Rows of the table are named by their 0-based position.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from _common.validation import show

from ._errors import PreferenceDataError

__all__ = ["join_annotators", "table_features"]

TABLE = "the annotator table"


def table_features(table: Any, features: tuple[str, ...], columns: list[str]) -> list[str]:
    """The declared features the table provides (checked: the table is a DataFrame with an
    ``annotator_id`` column, and no feature is in both the table and the data)."""
    if not isinstance(table, pd.DataFrame) or "annotator_id" not in table.columns:
        raise PreferenceDataError(
            "The 'annotators' parameter of PreferenceData must be a DataFrame "
            "with an 'annotator_id' column and feature columns. Got "
            f"{show(table) if not isinstance(table, pd.DataFrame) else list(table.columns)} "
            "instead.")
    provided = [f for f in features if f in table.columns]
    both = [f for f in provided if f in columns]
    if both:
        raise PreferenceDataError(
            f"The declared feature {both[0]!r} is a column of both the data and {TABLE}; "
            "keep it in one of them.")
    return provided


def _check_table(table: pd.DataFrame, provided: list[str]) -> None:
    ids = table["annotator_id"]
    empty = ids.isna().to_numpy()
    if not empty.any() and not pd.api.types.is_numeric_dtype(ids):
        empty = (ids.astype(str).str.strip() == "").to_numpy()
    if empty.any():
        row = int(np.flatnonzero(empty)[0])
        raise PreferenceDataError(f"Row {row} of {TABLE}: the 'annotator_id' column is empty "
                                  f"({show(ids.iloc[row])}).")
    dup = ids.duplicated().to_numpy()
    if dup.any():
        row = int(np.flatnonzero(dup)[0])
        first = int(np.flatnonzero((ids == ids.iloc[row]).to_numpy())[0])
        raise PreferenceDataError(f"Row {row} of {TABLE}: annotator {show(ids.iloc[row])} "
                                  f"appears twice (rows {first} and {row}).")
    for f in provided:
        missing = table[f].isna().to_numpy()
        if missing.any():
            row = int(np.flatnonzero(missing)[0])
            raise PreferenceDataError(f"Row {row} of {TABLE}: the feature {f!r} is empty "
                                      f"({show(table[f].iloc[row])}).")


def join_annotators(
    df: pd.DataFrame, table: pd.DataFrame, provided: list[str], name: str
) -> pd.DataFrame:
    """``df`` with the ``provided`` feature columns of ``table`` joined on ``annotator_id``.

    Raises
    ------
    PreferenceDataError
        An empty or repeated id or an empty feature in the table; a judgment whose annotator
        is not in the table; an annotator of the table without judgments.
    """
    table = table.reset_index(drop=True)
    _check_table(table, provided)
    where = pd.Index(table["annotator_id"]).get_indexer(df["annotator_id"])
    unknown = where < 0
    if unknown.any():
        row = int(np.flatnonzero(unknown)[0])
        raise PreferenceDataError(
            f"Row {row} of {name}: annotator {show(df['annotator_id'].iloc[row])} is not in "
            f"{TABLE} (its ids are e.g. {show(table['annotator_id'].head(3).tolist())}).")
    idle = np.bincount(where, minlength=len(table)) == 0
    if idle.any():
        row = int(np.flatnonzero(idle)[0])
        raise PreferenceDataError(
            f"Row {row} of {TABLE}: annotator {show(table['annotator_id'].iloc[row])} has no "
            f"judgments in {name}; an annotator without judgments cannot be weighed. Drop "
            "the row or add the judgments.")
    for f in provided:
        df[f] = table[f].take(where).to_numpy()
    return df
