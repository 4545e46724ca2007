"""Shared pieces of the ``collective svo`` commands: the option enums."""

from __future__ import annotations

import enum

from .._output import OutputFormat

__all__ = ["Decision", "Errors", "ItemSet", "LLMFormat", "TableFormat"]


class TableFormat(enum.StrEnum):
    """How ``svo score`` and ``svo items`` print their answer."""

    table = "table"
    csv = "csv"
    json = "json"


LLMFormat = OutputFormat
"""How ``svo llm`` prints its answer: the table-or-JSON choice of the other commands."""


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
