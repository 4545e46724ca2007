"""Validation of long-form preference data, vectorised over rows.

Every check works on whole columns; a Python loop runs only to *describe* the first bad row
once an error is certain. Rows are named by their 0-based position among the data rows
(the header of a file is not counted): ``Row 17 of preferences.csv: ...``.

Checks run on integer codes of the id columns (:class:`Codes`, built with
:mod:`rlchf._codes` without hashing every row) and on comparisons of a column with itself
shifted, which copy no text; they are exact for any row order. Only once a check has failed
does a slower pass find the first bad row for the message.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from _common.validation import check_choice, check_labels, show

from ._annotators import join_annotators, table_features
from ._codes import DENSE_EXTRA, Codes, arrow_strings, changes, equal_at, shifted_equal
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
    missing = [repr(c) for c in required if c not in columns]
    if kind == "ranking" and "rank" not in columns and "rating" not in columns:
        missing.append("'rank' or 'rating'")
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
            f"{name}: {kind} data needs the column(s) {', '.join(missing)}; "
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


def _blank(s: pd.Series) -> np.ndarray:
    """Whether each id is blank; text ids are looked at once per run of equal values (the
    first blank row starts a run)."""
    heads = np.flatnonzero(changes(s)) if arrow_strings(s, small=False) is not None else None
    if heads is None or 2 * len(heads) > len(s):
        return (s.astype(str).str.strip() == "").to_numpy()
    bad = np.zeros(len(s), dtype=bool)
    bad[heads] = (pd.Series(s.array.take(heads)).str.strip() == "").to_numpy()
    return bad


def _check_present(df: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    """No NaN/None in ``columns``; no empty or blank id."""
    for col in columns:
        s = df[col]
        bad = s.isna().to_numpy()
        if col in ID_COLUMNS and not bad.any() and not pd.api.types.is_numeric_dtype(s):
            bad = _blank(s)
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
    """Text columns hold strings (categorical text becomes plain text, in ``df``)."""
    for col in columns:
        s = df[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = df[col] = s.astype(object)
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


def first_rows(codes: np.ndarray) -> np.ndarray:
    """Whether each row is the first with its code (codes in order of first appearance)."""
    if codes.size == 0:
        return np.zeros(0, dtype=bool)
    running = np.maximum.accumulate(codes)
    return np.concatenate(([True], codes[1:] > running[:-1]))


def _all_equal_to_first(values: pd.Series, key: np.ndarray, first: np.ndarray) -> bool:
    """Whether every row's value equals the value at its key's first row (exact, fast).

    Rows are compared with the row one above and the row one "period" above (the distance
    between the first two rows of row 0's key) where those share their key, by whole-column
    comparisons that copy no text: by transitivity a row equal to an earlier row of its key
    equals the first row. Rows left over are compared with their first row directly.
    """
    n = len(key)
    pending = np.ones(n, dtype=bool)
    pending[first] = False
    shifts = [1]
    same0 = np.flatnonzero(key[:4096] == key[0])
    if len(same0) > 1 and int(same0[1]) > 1:
        shifts.append(int(same0[1]))
    for s in shifts:
        if s >= n:
            continue
        same = pending[s:] & (key[s:] == key[:-s])
        if not same.any():
            continue
        if not shifted_equal(values, s)[same].all():
            return False
        pending[s:] &= ~same
    rows = np.flatnonzero(pending)
    return bool(equal_at(values, rows, first[key[rows]]).all())


def _check_unique_per_key(
    df: pd.DataFrame, codes: Codes, keys: tuple[str, ...], col: str, name: str, what: str
) -> None:
    """``col`` is constant within each group of ``keys`` (e.g. one prompt text per prompt_id).

    Each row is compared with the first row of its group (no hashing of ``col``).
    """
    key, _ = codes(*keys)
    first = codes.first(*keys)  # first[k]: the first row of key k
    values = df[col]
    if _all_equal_to_first(values, key, first):
        return
    reference = values.array.take(first[key])
    bad = np.asarray(values.array != reference, dtype=bool)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        other = int(first[key[row]])
        where = ", ".join(f"{k} {show(df[k].iloc[row])}" for k in keys)
        raise _fail(name, row, f"{what} for {where}: {show(values.iloc[other])} in row "
                    f"{other} and {show(values.iloc[row])} in row {row}.")


def _texts_differ_fast(values: pd.Series, rows: np.ndarray, prompt: np.ndarray,
                       max_size: int = 16) -> bool:
    """Whether the texts at ``rows`` (one per response of each prompt) differ within each
    prompt, found by comparing each text with the next few of its prompt
    (:func:`rlchf._codes.equal_at`); ``False`` when unsure (a duplicate, or prompts of more
    than ``max_size`` responses)."""
    if len(rows) < 2:
        return True
    if not bool((prompt[1:] >= prompt[:-1]).all()):
        order = np.argsort(prompt, kind="stable")
        rows, prompt = rows[order], prompt[order]
    size = int(np.bincount(prompt).max())
    if size > max_size:
        return False
    for d in range(1, size):
        same = np.flatnonzero(prompt[d:] == prompt[:-d])
        if equal_at(values, rows[same], rows[same + d]).any():
            return False
    return True


def _check_distinct_texts(df: pd.DataFrame, codes: Codes, name: str) -> None:
    """Within a prompt, two response ids never share one text (checked on one row per
    (prompt_id, response_id), after :func:`_check_unique_per_key` made texts consistent)."""
    rows = codes.first("prompt_id", "response_id")
    if _texts_differ_fast(df["response"], rows, codes("prompt_id")[0][rows]):
        return
    rows = np.sort(rows)
    prompt = codes("prompt_id")[0][rows]
    text = pd.factorize(df["response"].take(rows))[0].astype(np.int64)
    dup = ~first_rows(pd.factorize(prompt * (int(text.max(initial=0)) + 1) + text)[0])
    if dup.any():
        row = int(rows[np.flatnonzero(dup)[0]])
        same = (df["prompt_id"] == df["prompt_id"].iloc[row]).to_numpy() & (
            df["response"] == df["response"].iloc[row]).to_numpy()
        first = int(np.flatnonzero(same)[0])
        raise _fail(name, row, f"two response ids with one text for prompt_id "
                    f"{show(df['prompt_id'].iloc[row])}: {show(df['response_id'].iloc[first])} "
                    f"in row {first} and {show(df['response_id'].iloc[row])} in row {row} are "
                    f"both {show(df['response'].iloc[row])}.")


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


def _dense_rank_table(key: np.ndarray, value: np.ndarray) -> np.ndarray | None:
    """:func:`dense_ranks` for small whole values >= 0 by a (key, value) table (no sort);
    ``None`` when the table would be large."""
    top = float(value.max()) + 1
    k = int(key.max()) + 1
    if value.min() < 0 or k * top > 4 * key.size + DENSE_EXTRA:
        return None
    v = value.astype(np.int64)
    if not bool((v == value).all()):
        return None
    present = np.zeros((k, int(top)), dtype=bool)
    present[key, v] = True
    small = np.int8 if top < 127 else np.int16 if top < 2**15 else np.int64
    below = np.cumsum(present, axis=1, dtype=small)
    return below[key, v].astype(np.int64) - 1


def dense_ranks(key: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Dense ranks (0 = smallest ``value``) within each group of ``key``, vectorised.

    >>> dense_ranks(np.array([0, 0, 1, 0, 1]), np.array([5.0, 2.0, 1.0, 5.0, 3.0])).tolist()
    [1, 0, 0, 1, 1]
    """
    if key.size == 0:
        return np.zeros(0, dtype=np.int64)
    table = _dense_rank_table(key, value)
    if table is not None:
        return table
    order = np.lexsort((value, key))
    k, v = key[order], value[order]
    new_group = np.concatenate(([True], k[1:] != k[:-1]))
    step = new_group | np.concatenate(([True], v[1:] != v[:-1]))
    level = np.cumsum(step)
    start = np.maximum.accumulate(np.where(new_group, level, 0))
    out = np.empty(key.size, dtype=np.int64)
    out[order] = level - start
    return out


def _ranks(df: pd.DataFrame, codes: Codes, name: str, strict: bool) -> np.ndarray:
    """Dense ranks (0 = best) within each (prompt_id, annotator_id), checked."""
    if "rank" in df.columns:
        given = _numeric(df, "rank", name, "a whole number >= 0 (0 = best)")
        bad = (given < 0) | (given != np.floor(given))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise _fail(name, row, "the 'rank' column must be a whole number >= 0 (0 = best). "
                        f"Got {show(df['rank'].iloc[row])} instead.")
    else:
        rating = _numeric(df, "rating", name, "a finite number (higher = better)")
        given = -rating
        df["rating"] = rating
    key, _ = codes("prompt_id", "annotator_id")
    dense = dense_ranks(key, given)
    if strict:
        _check_strict(df, key, given, dense, name)
    return dense


def _check_strict(
    df: pd.DataFrame, key: np.ndarray, given: np.ndarray, dense: np.ndarray, name: str
) -> None:
    """Each annotator's ranks of a prompt are exactly 0, 1, ..., k-1 (no ties, no gaps)."""
    size = np.bincount(key)[key]
    tied = ~first_rows(pd.factorize(key * (int(dense.max(initial=0)) + 1) + dense)[0])
    gap = given != dense if "rank" in df.columns else np.zeros_like(tied)
    bad = tied | gap
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        p, a = df["prompt_id"].iloc[row], df["annotator_id"].iloc[row]
        col = "rank" if "rank" in df.columns else "rating"
        got = sorted(df[col].to_numpy()[key == key[row]].tolist())
        problem = "a tie" if tied[row] else "a gap"
        raise _fail(name, row, f"annotator {show(a)}'s ranks of prompt {show(p)} have {problem}; "
                    f"with strict_ranks=True they must be 0, 1, ..., {int(size[row]) - 1} "
                    f"(each once). Got {col}s {show(got)} instead.")


def _validate_ranking(
    df: pd.DataFrame, codes: Codes, name: str, strict: bool
) -> pd.DataFrame:
    triple = ("prompt_id", "annotator_id", "response_id")
    if codes.repeated(*triple):
        dup = ~codes.first_mask(*triple)
        row = int(np.flatnonzero(dup)[0])
        raise _fail(name, row, f"annotator {show(df['annotator_id'].iloc[row])} ranks response "
                    f"{show(df['response_id'].iloc[row])} of prompt "
                    f"{show(df['prompt_id'].iloc[row])} twice.")
    _check_unique_per_key(df, codes, ("prompt_id", "response_id"), "response", name,
                          "two response texts")
    _check_distinct_texts(df, codes, name)
    prompt, n_prompts = codes("prompt_id")
    pair_cols = ("prompt_id", "response_id")
    n_resp = np.bincount(prompt[codes.first(*pair_cols)], minlength=n_prompts)[prompt]
    one = n_resp < 2
    if one.any():
        row = int(np.flatnonzero(one)[0])
        raise _fail(name, row, f"prompt {show(df['prompt_id'].iloc[row])} has one response "
                    f"({show(df['response_id'].iloc[row])}); a ranking compares two or more.")
    key, _ = codes("prompt_id", "annotator_id")
    alone = np.bincount(key)[key] < 2
    if alone.any():
        row = int(np.flatnonzero(alone)[0])
        raise _fail(name, row, f"annotator {show(df['annotator_id'].iloc[row])} ranks only one "
                    f"response of prompt {show(df['prompt_id'].iloc[row])} "
                    f"({show(df['response_id'].iloc[row])}); a judgment compares two or more, "
                    "so this row would carry no preference.")
    df["rank"] = _ranks(df, codes, name, strict)
    return df


def validate(
    df: Any,
    kind: str,
    features: tuple[str, ...],
    *,
    strict_ranks: bool,
    name: str,
    annotators: pd.DataFrame | None = None,
    known: dict[str, tuple[np.ndarray, int]] | None = None,
) -> pd.DataFrame:
    """A validated copy of ``df``: required columns first, then features, then the rest.

    The index is reset to positions ``0..n-1`` (the row numbers of error messages).
    Features found in the ``annotators`` table are joined on ``annotator_id``. If ``known``
    is given, the codes of the id columns computed along the way are put in it.
    """
    if not isinstance(df, pd.DataFrame):
        raise PreferenceDataError(
            f"{name}: preference data must be a pandas DataFrame. Got "
            f"{type(df).__name__} instead.")
    if df.columns.duplicated().any():
        dup = df.columns[df.columns.duplicated()][0]
        raise PreferenceDataError(f"{name}: the column {dup!r} appears twice.")
    df = df.reset_index(drop=True).copy(deep=False)
    df.columns = [str(c) for c in df.columns]
    joined: list[str] = []
    if annotators is not None:
        joined = table_features(annotators, features, list(df.columns))
    own = tuple(f for f in features if f not in joined)
    _check_columns(df, kind, own, name)
    if len(df) == 0:
        raise PreferenceDataError(f"{name}: there are no judgments (no rows under the header).")
    required = [c for c in REQUIRED[kind] if c in df.columns or c != "rank"]
    if kind == "ranking" and "rank" not in df.columns:
        required.append("rating")
    _check_present(df, [*required, *own], name)
    ids = [c for c in ID_COLUMNS if c in df.columns]
    _check_hashable(df, [*ids, *own], name)
    _check_text(df, [c for c in TEXT_COLUMNS if c in required], name)
    if annotators is not None:
        df = join_annotators(df, annotators, joined, name)
    codes = Codes(df)
    _check_unique_per_key(df, codes, ("prompt_id",), "prompt", name, "two prompt texts")
    for f in own:
        _check_unique_per_key(df, codes, ("annotator_id",), f, name,
                              f"the feature {f!r} varies within one annotator")
    if kind == "pairwise":
        df = _validate_pairwise(df, name)
    else:
        df = _validate_ranking(df, codes, name, strict_ranks)
    if known is not None:
        known.update(codes.computed("prompt_id", "annotator_id"))
    head = [*REQUIRED[kind], *features]
    return df[[*head, *(c for c in df.columns if c not in head)]]
