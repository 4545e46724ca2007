"""Shared pieces of the ``collective svo`` commands: option enums and JSON helpers."""

from __future__ import annotations

import enum
import json
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Decision", "Errors", "ItemSet", "LLMFormat", "TableFormat"]


class TableFormat(enum.StrEnum):
    """How ``svo score`` and ``svo items`` print their answer."""

    table = "table"
    csv = "csv"
    json = "json"


class LLMFormat(enum.StrEnum):
    """How ``svo llm`` prints its answer."""

    table = "table"
    json = "json"


class Errors(enum.StrEnum):
    """What to do with an answer that is not on the form."""

    raise_ = "raise"
    coerce = "coerce"


class ItemSet(enum.StrEnum):
    """Which slider items the language model answers."""

    primary = "primary"
    all = "all"


class Decision(enum.StrEnum):
    """How the model's choice is read from its option log-probabilities."""

    argmax = "argmax"
    sample = "sample"


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records"))


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
