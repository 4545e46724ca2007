"""Training pairs as the ``datasets.Dataset`` that TRL's ``DPOTrainer`` and ``RewardTrainer`` take.

TRL reads preference data from the columns ``prompt``, ``chosen`` and ``rejected`` (and, for
the reward trainer, an optional ``margin``). :func:`to_trl` checks a pairs table (the output of
``aggregate_pairs``, or any DataFrame with those columns) and converts it; ``datasets`` is
imported only when it is called.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from ._errors import PreferenceDataError

__all__ = ["to_trl"]

_TEXT = ("prompt", "chosen", "rejected")


def _text_column(frame: Any, column: str) -> list[str]:
    """The column's values as strings; a missing, non-string or blank value names its row."""
    values = frame[column].tolist()
    for label, value in zip(frame.index, values, strict=True):
        if not isinstance(value, str) or not value.strip():
            raise PreferenceDataError(
                f"to_trl: row {label!r}, column {column!r} must be a non-empty string. "
                f"Got {value!r} instead."
            )
    return values


def _margin_column(frame: Any) -> list[float]:
    """The margins as floats; a missing (NaN) or non-numeric margin names its row."""
    values = frame["margin"].tolist()
    for label, value in zip(frame.index, values, strict=True):
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if not ok or not math.isfinite(float(value)):
            raise PreferenceDataError(
                f"to_trl: row {label!r}, column 'margin' must be a finite number. "
                f"Got {value!r} instead."
            )
    return [float(v) for v in values]


def _pair_rows(pairs: Any) -> dict[str, list[Any]]:
    """The checked columns of ``pairs`` as lists (margin only when ``pairs`` has one)."""
    if not hasattr(pairs, "columns") or not hasattr(pairs, "index"):
        raise PreferenceDataError(
            "to_trl expects a pandas DataFrame with columns prompt, chosen, rejected "
            f"(and optionally margin). Got {type(pairs).__name__} instead."
        )
    missing = [c for c in _TEXT if c not in pairs.columns]
    if missing:
        raise PreferenceDataError(
            f"to_trl: the pairs have no {', '.join(repr(c) for c in missing)} column "
            f"(expected prompt, chosen, rejected; found {', '.join(map(str, pairs.columns))})."
        )
    if len(pairs) == 0:
        raise PreferenceDataError("to_trl: the pairs table has no rows.")
    columns = {c: _text_column(pairs, c) for c in _TEXT}
    for label, chosen, rejected in zip(
        pairs.index, columns["chosen"], columns["rejected"], strict=True
    ):
        if chosen == rejected:
            raise PreferenceDataError(
                f"to_trl: row {label!r} has the same text as chosen and rejected "
                f"({chosen[:60]!r}); a pair must compare two different responses."
            )
    if "margin" in pairs.columns:
        columns["margin"] = _margin_column(pairs)
    return columns


def to_trl(pairs: Any, *, conversational: bool = False) -> Any:
    """Convert training pairs into the ``datasets.Dataset`` TRL's preference trainers take.

    Parameters
    ----------
    pairs : pandas.DataFrame
        One row per training pair with the text columns ``prompt``, ``chosen`` and
        ``rejected`` (chosen is preferred) and optionally ``margin`` (e.g. the normalised
        collective margin of ``aggregate_pairs``). Other columns (``prompt_id``, ...) are
        left out of the dataset.
    conversational : bool
        False (default): the columns hold plain strings. True: ``prompt`` becomes a one-message
        user turn and ``chosen``/``rejected`` one-message assistant turns, so TRL applies the
        tokenizer's chat template (what an instruction-tuned model such as SmolLM2 expects).

    Returns
    -------
    datasets.Dataset
        Columns ``prompt``, ``chosen``, ``rejected`` (and ``margin`` when ``pairs`` has it), in
        the row order of ``pairs``.

    Raises
    ------
    PreferenceDataError
        ``pairs`` is not a DataFrame, lacks one of the text columns (named), is empty, or a row
        has a missing or blank text, a non-finite margin, or the same chosen and rejected
        text (the row and column are named).

    Examples
    --------
    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"prompt": ["Hi?"], "chosen": ["Hello!"], "rejected": ["Go away."],
    ...                       "margin": [0.6]})
    >>> ds = to_trl(pairs)
    >>> ds.column_names, ds[0]["chosen"], ds[0]["margin"]
    (['prompt', 'chosen', 'rejected', 'margin'], 'Hello!', 0.6)
    >>> to_trl(pairs, conversational=True)[0]["prompt"]
    [{'role': 'user', 'content': 'Hi?'}]
    >>> to_trl(pairs.drop(columns="rejected"))
    Traceback (most recent call last):
    ...
    rlchf._errors.PreferenceDataError: to_trl: the pairs have no 'rejected' column (expected
    prompt, chosen, rejected; found prompt, chosen, margin).
    """
    columns = _pair_rows(pairs)
    if conversational:
        columns["prompt"] = [[{"role": "user", "content": p}] for p in columns["prompt"]]
        for name in ("chosen", "rejected"):
            columns[name] = [[{"role": "assistant", "content": t}] for t in columns[name]]
    import datasets

    return datasets.Dataset.from_dict(columns)
