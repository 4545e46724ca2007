"""Social Value Orientation: the slider measure of Murphy, Ackermann & Handgraaf (2011).

The instrument (:data:`ITEMS`), vectorised scoring (:func:`score`), survey files
(:func:`read_survey`), group comparisons with bootstrap intervals (:func:`compare`), plots
that return matplotlib Figures, and the evaluation of language models on the same items
(:mod:`svo.llm`, imported on first use).

>>> import svo
>>> svo.ITEMS.shape
(15, 9, 2)
>>> svo.score([8, 8, 8, 8, 0, 0])[["angle", "category"]].round(2).values.tolist()
[[-7.82, 'individualistic']]

Readers return typed results (:class:`Survey`: the data with its :class:`SurveyReport`), never
side data in ``DataFrame.attrs``; :func:`score` and :func:`compare` return DataFrames, and
:func:`score_report` and :func:`compare_report` the same with what the caller should know
(:class:`ScoreReport`, :class:`ComparisonReport`). :func:`scored_table` and :func:`summarize`
are what the CLI and the app show.

Errors (all ``ValueError``): :class:`SVOError` > :class:`ChoiceError`, :class:`SurveyError`;
see :mod:`svo._errors`.
"""

from __future__ import annotations

from typing import Any

from ._errors import ChoiceError, SurveyError, SVOError
from ._items import (  # the form and its constants: the names of _items.__all__
    CATEGORIES,
    CATEGORY_BOUNDS,
    IDEAL_ANGLES,
    IDEAL_CHOICES,
    ITEM_COLUMNS,
    ITEMS,
    N_ITEMS,
    N_OPTIONS,
    N_PRIMARY,
    PRIMARY_COLUMNS,
    REFERENCE,
    SECONDARY_IDEALS,
    item_table,
)
from ._results import Problem, ScoreReport, Survey, SurveyReport
from ._score import categorize, score, score_report

# imported on first use (pandas file readers, matplotlib, lm):
_LAZY = {
    "check_survey": "svo._survey",
    "read_survey": "svo._survey",
    "ComparisonReport": "svo._compare",
    "compare": "svo._compare",
    "compare_report": "svo._compare",
    "difference": "svo._compare",
    "ScoreSummary": "svo._tables",
    "scored_table": "svo._tables",
    "summarize": "svo._tables",
    "plot_angles": "svo._plots",
    "plot_circle": "svo._plots",
    "plot_groups": "svo._plots",
}

__all__ = [
    "CATEGORIES",
    "CATEGORY_BOUNDS",
    "IDEAL_ANGLES",
    "IDEAL_CHOICES",
    "ITEMS",
    "ITEM_COLUMNS",
    "N_ITEMS",
    "N_OPTIONS",
    "N_PRIMARY",
    "PRIMARY_COLUMNS",
    "REFERENCE",
    "SECONDARY_IDEALS",
    "item_table",
    *_LAZY,
    "ChoiceError",
    "Problem",
    "SVOError",
    "ScoreReport",
    "Survey",
    "SurveyError",
    "SurveyReport",
    "categorize",
    "llm",  # the svo.llm submodule, imported on first use by __getattr__
    "score",
    "score_report",
]


def __getattr__(name: str) -> Any:
    import importlib

    if name == "llm":
        return importlib.import_module("svo.llm")
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'svo' has no attribute {name!r}")
