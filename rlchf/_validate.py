"""Validation of long-form preference data, vectorised over rows.

Every check works on whole columns; a Python loop runs only to *describe* the first bad row
once an error is certain. Rows are named by their 0-based position among the data rows
(the header of a file is not counted): ``Row 17 of preferences.csv: ...``.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from _common.validation import check_choice, check_labels, show

from ._errors import PreferenceDataError

__all__ = ["ID_COLUMNS", "KINDS", "REQUIRED", "TEXT_COLUMNS", "check_kind_features", "validate"]

KINDS = ("pairwise", "ranking")

#: The columns each kind needs (ranking needs ``rank`` or ``rating`` besides these).
REQUIRED: dict[str, tuple[str, ...]] = {
    "pairwise": ("prompt_id", "prompt", "response_a", "response_b", "label", "annotator_id"),
    "ranking": ("prompt_id", "prompt", "response_id", "response", "annotator_id", "rank"),
}
#: Columns that belong to the other kind only (their presence means mixed shapes).
_OTHER = {
    "pairwise": ("response_id", "response", "rank", "rating"),
    "ranking": ("response_a", "response_b", "label"),
}
ID_COLUMNS = ("prompt_id", "annotator_id", "response_id")
TEXT_COLUMNS = ("prompt", "response", "response_a", "response_b")
_LABELS = (0.0, 0.5, 1.0)


def _fail(name: str, row: int, message: str) -> PreferenceDataError:
    return PreferenceDataError(f"Row {row} of {name}: {message}")


def check_kind_features(kind: Any, features: Any, func: str) -> tuple[str, tuple[str, ...]]:
    """``kind`` checked against :data:`KINDS` and ``features`` as a tuple of distinct names."""
    kind = check_choice(kind, "kind", func, KINDS, error=PreferenceDataError)
    if isinstance(features, str):
        features = [features]
    names = check_labels(features, "features", func, error=PreferenceDataError)
    bad = [f for f in names if not isinstance(f, str) or not f]
    reserved = [f for f in names if f in (*REQUIRED[kind], "rating")]
    if bad or reserved:
        expected = ("a list of column names (non-empty strings)" if bad else
                    f"columns other than the {kind} data's own; {show(reserved[0])} is one")
        raise PreferenceDataError(
            f"The 'features' parameter of {func} must be {expected}. Got {show(names)} instead.")
    return kind, tuple(names)


def _check_columns(df: pd.DataFrame, kind: str, features: tuple[str, ...], name: str) -> None:
    """Required columns present, no columns of the other kind, declared features present."""
    columns = [str(c) for c in df.columns]
    required = [c for c in REQUIRED[kind] if not (kind == "ranking" and c == "rank")]
    missing = [c for c in required if c not in columns]
    if kind == "ranking" and "rank" not in columns and "rating" not in columns:
        missing.append("rank' or 'rating")
    other = [c for c in _OTHER[kind] if c in columns]
    if kind == "ranking" and "rank" in columns:
        other = [c for c in other if c != "rating"]  # a rating next to a rank is kept as data
    if missing:
        hint = ""
        if other:
            guess = "ranking" if kind == "pairwise" else "pairwise"
            hint = (f" It has {guess} columns ({', '.join(map(repr, other))}): "
                    f"is it kind={guess!r}?")
        raise PreferenceDataError(
            f"{name}: {kind} data needs the column(s) {', '.join(repr(m) for m in missing)}; "
            f"it has {', '.join(map(repr, columns)) or 'no columns'}.{hint}")
    if other:
        raise PreferenceDataError(
            f"{name}: mixed shapes: kind={kind!r} data has column(s) "
            f"{', '.join(map(repr, other))} of the other kind. Drop or rename them, or pass "
            "the kind the data has.")
    absent = [f for f in features if f not in columns]
    if absent:
        raise PreferenceDataError(
            f"{name}: the declared feature column(s) {', '.join(map(repr, absent))} are "
            f"missing; the columns are {', '.join(map(repr, columns))}.")


def _check_present(df: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    """No NaN/None in ``columns``; no empty or blank id."""
    for col in columns:
        s = df[col]
        bad = s.isna().to_numpy()
        if col in ID_COLUMNS and not bad.any() and not pd.api.types.is_numeric_dtype(s):
            text = s.astype(str)
            bad = (text.str.strip() == "").to_numpy()
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            what = "judgment needs its annotator" if col == "annotator_id" else "row needs one"
            raise _fail(name, row, f"the {col!r} column is empty ({show(s.iloc[row])}); "
                        f"every {what}.")


def _check_hashable(df: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    """Id and feature columns hold scalars (strings or numbers), not lists or dicts."""
    for col in columns:
        s = df[col]
        if s.dtype != object:
            continue
        try:
            pd.factorize(s)
        except TypeError:
            bad = ~s.map(lambda v: isinstance(v, Hashable)).to_numpy(dtype=bool)
            row = int(np.flatnonzero(bad)[0]) if bad.any() else 0
            raise _fail(name, row, f"the {col!r} column must hold strings or numbers. "
                        f"Got {show(s.iloc[row])} instead.") from None


def _check_text(df: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    """Text columns hold strings."""
    for col in columns:
        s = df[col]
        if pd.api.types.infer_dtype(s, skipna=False) == "string":
            continue
        bad = ~s.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
        row = int(np.flatnonzero(bad)[0])
        raise _fail(name, row, f"the {col!r} column must hold text. "
                    f"Got {show(s.iloc[row])} instead.")


def _numeric(df: pd.DataFrame, col: str, name: str, expected: str) -> np.ndarray:
    """``df[col]`` as float64; a value that is not a number is an error naming its row."""
    s = df[col]
    if s.dtype == bool:
        values = pd.Series(np.full(len(s), np.nan))
    else:
        values = pd.to_numeric(s, errors="coerce")
    x = values.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(x)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise _fail(name, row, f"the {col!r} column must be {expected}. "
                    f"Got {show(s.iloc[row])} instead.")
    return x


def _check_unique_per_key(
    df: pd.DataFrame, keys: list[str], col: str, name: str, what: str
) -> None:
    """``col`` is constant within each group of ``keys`` (e.g. one prompt text per prompt_id)."""
    n = df.groupby(keys, sort=False, dropna=False)[col].transform("nunique").to_numpy()
    bad = n > 1
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        mask = (df[keys] == df[keys].iloc[row]).all(axis=1).to_numpy()
        first = int(np.flatnonzero(mask & (df[col] != df[col].iloc[row]).to_numpy())[0])
        where = ", ".join(f"{k} {show(df[k].iloc[row])}" for k in keys)
        raise _fail(name, max(row, first), f"{what} for {where}: {show(df[col].iloc[row])} "
                    f"in row {min(row, first)} and {show(df[col].iloc[first])} in row "
                    f"{max(row, first)}.")


def _validate_pairwise(df: pd.DataFrame, name: str) -> pd.DataFrame:
    label = _numeric(df, "label", name, "1, 0 or 0.5")
    bad = ~np.isin(label, _LABELS)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise _fail(name, row, "the 'label' column must be 1, 0 or 0.5. "
                    f"Got {show(df['label'].iloc[row])} instead.")
    same = (df["response_a"] == df["response_b"]).to_numpy(dtype=bool)
    if same.any():
        row = int(np.flatnonzero(same)[0])
        raise _fail(name, row, "'response_a' and 'response_b' are the same response "
                    f"({show(df['response_a'].iloc[row])}); a judgment compares two.")
    df["label"] = label
    return df


def _ranks(df: pd.DataFrame, name: str, strict: bool) -> np.ndarray:
    """Dense ranks (0 = best) within each (prompt_id, annotator_id), checked."""
    keys = ["prompt_id", "annotator_id"]
    if "rank" in df.columns:
        r = _numeric(df, "rank", name, "a whole number >= 0 (0 = best)")
        bad = (r < 0) | (r != np.floor(r))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise _fail(name, row, "the 'rank' column must be a whole number >= 0 (0 = best). "
                        f"Got {show(df['rank'].iloc[row])} instead.")
        given = pd.Series(r, index=df.index)
    else:
        rating = _numeric(df, "rating", name, "a finite number (higher = better)")
        given = pd.Series(-rating, index=df.index)
        df["rating"] = rating
    dense = given.groupby([df[k] for k in keys], sort=False).rank(method="dense") - 1
    dense = dense.to_numpy(dtype=np.int64)
    if strict:
        _check_strict(df, given.to_numpy(), dense, name)
    return dense


def _check_strict(df: pd.DataFrame, given: np.ndarray, dense: np.ndarray, name: str) -> None:
    """Each annotator's ranks of a prompt are exactly 0, 1, ..., k-1 (no ties, no gaps)."""
    keys = ["prompt_id", "annotator_id"]
    tied = pd.DataFrame({"p": df["prompt_id"], "a": df["annotator_id"], "r": dense}
                        ).duplicated().to_numpy()
    size = df.groupby(keys, sort=False)["prompt_id"].transform("size").to_numpy()
    gap = given != dense if "rank" in df.columns else np.zeros_like(tied)
    bad = tied | gap
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        p, a = df["prompt_id"].iloc[row], df["annotator_id"].iloc[row]
        mask = ((df["prompt_id"] == p) & (df["annotator_id"] == a)).to_numpy()
        col = "rank" if "rank" in df.columns else "rating"
        got = sorted(df[col].to_numpy()[mask].tolist())
        problem = "a tie" if tied[row] else "a gap"
        raise _fail(name, row, f"annotator {show(a)}'s ranks of prompt {show(p)} have {problem}; "
                    f"with strict_ranks=True they must be 0, 1, ..., {int(size[row]) - 1} "
                    f"(each once). Got {col}s {show(got)} instead.")


def _validate_ranking(df: pd.DataFrame, name: str, strict: bool) -> pd.DataFrame:
    dup = df.duplicated(["prompt_id", "annotator_id", "response_id"]).to_numpy()
    if dup.any():
        row = int(np.flatnonzero(dup)[0])
        raise _fail(name, row, f"annotator {show(df['annotator_id'].iloc[row])} ranks response "
                    f"{show(df['response_id'].iloc[row])} of prompt "
                    f"{show(df['prompt_id'].iloc[row])} twice.")
    _check_unique_per_key(df, ["prompt_id", "response_id"], "response", name,
                          "two response texts")
    _check_unique_per_key(df, ["prompt_id", "response"], "response_id", name,
                          "two response ids with one text")
    n_resp = df.groupby("prompt_id", sort=False)["response_id"].transform("nunique").to_numpy()
    one = n_resp < 2
    if one.any():
        row = int(np.flatnonzero(one)[0])
        raise _fail(name, row, f"prompt {show(df['prompt_id'].iloc[row])} has one response "
                    f"({show(df['response_id'].iloc[row])}); a ranking compares two or more.")
    size = df.groupby(["prompt_id", "annotator_id"], sort=False)["prompt_id"].transform("size")
    alone = size.to_numpy() < 2
    if alone.any():
        row = int(np.flatnonzero(alone)[0])
        raise _fail(name, row, f"annotator {show(df['annotator_id'].iloc[row])} ranks only one "
                    f"response of prompt {show(df['prompt_id'].iloc[row])} "
                    f"({show(df['response_id'].iloc[row])}); a judgment compares two or more, "
                    "so this row would carry no preference.")
    df["rank"] = _ranks(df, name, strict)
    return df


def validate(
    df: Any, kind: str, features: tuple[str, ...], *, strict_ranks: bool, name: str
) -> pd.DataFrame:
    """A validated copy of ``df``: required columns first, then features, then the rest.

    The index is reset to positions ``0..n-1`` (the row numbers of error messages).
    """
    if not isinstance(df, pd.DataFrame):
        raise PreferenceDataError(
            f"{name}: preference data must be a pandas DataFrame. Got "
            f"{type(df).__name__} instead.")
    if df.columns.duplicated().any():
        dup = df.columns[df.columns.duplicated()][0]
        raise PreferenceDataError(f"{name}: the column {dup!r} appears twice.")
    df = df.reset_index(drop=True).copy()
    df.columns = [str(c) for c in df.columns]
    _check_columns(df, kind, features, name)
    required = [c for c in REQUIRED[kind] if c in df.columns or c != "rank"]
    if kind == "ranking" and "rank" not in df.columns:
        required.append("rating")
    _check_present(df, [*required, *features], name)
    ids = [c for c in ID_COLUMNS if c in df.columns]
    _check_hashable(df, [*ids, *features], name)
    _check_text(df, [c for c in TEXT_COLUMNS if c in required], name)
    _check_unique_per_key(df, ["prompt_id"], "prompt", name, "two prompt texts")
    if features:
        for f in features:
            _check_unique_per_key(df, ["annotator_id"], f, name,
                                  f"the feature {f!r} varies within one annotator")
    if kind == "pairwise":
        df = _validate_pairwise(df, name)
    else:
        df = _validate_ranking(df, name, strict_ranks)
    head = [*REQUIRED[kind], *features]
    return df[[*head, *(c for c in df.columns if c not in head)]]
