"""``collective svo``: score Social Value Orientation surveys and evaluate language models.

Three commands over :mod:`svo` (the slider measure of Murphy, Ackermann & Handgraaf 2011):

- ``collective svo score SURVEY``: read and validate a survey file (:func:`svo.read_survey`),
  print the validation report and the category shares, mean angle and transitive share
  (per group with ``--by``, with bootstrap intervals from :func:`svo.compare`), write the
  scored table (``--out``) and the angle histogram / circle plot (``--plot``, ``--circle``);
- ``collective svo llm``: put the slider items to the chat model (:func:`lm.load_chat_model`;
  ``LM_BASE_URL`` switches to an OpenAI-compatible endpoint), with or without personas, and
  report the angle, category and the order bias per persona (:mod:`svo.llm`);
- ``collective svo items``: the fifteen items and their nine (self, other) allocations.

The commands render what :mod:`svo` returns (:func:`svo.scored_table`, :func:`svo.summarize`,
:func:`svo.compare_report`, :func:`svo.llm.evaluate_each`,
:meth:`svo.llm.LLMEvaluation.warnings`; :func:`svo.llm.resolve_personas` reads the ``--persona``
options). Each command lives in its own module
(:mod:`collective.svo.score`, :mod:`collective.svo.llm`, :mod:`collective.svo.items`),
imported only when that command runs or its own ``--help`` is asked for (like the
top-level commands, :mod:`collective.main`): ``collective svo --help`` imports neither
:mod:`svo` nor numpy.
"""

from __future__ import annotations

import importlib
from typing import Any

from ..main import LazyCommand, lazy_app
from ._common import Decision as Decision
from ._common import Errors as Errors
from ._common import ItemSet as ItemSet
from ._common import LLMFormat as LLMFormat
from ._common import TableFormat as TableFormat

__all__ = [
    "CLI_CONTROLS",
    "COMMANDS",
    "PICTURE_SUFFIXES",
    "svo_app",
]

#: The ``svo`` commands in the order ``collective svo --help`` lists them (the one-line
#: help is the first line of each command's docstring; a test checks it).
COMMANDS: dict[str, LazyCommand] = {
    "score": LazyCommand(
        "collective.svo.score",
        "score_command",
        "Validate and score the SVO slider survey in SURVEY (Murphy et al. 2011).",
    ),
    "items": LazyCommand(
        "collective.svo.items",
        "items_command",
        "Print the 15 SVO slider items and their nine (self, other) allocations.",
    ),
    "llm": LazyCommand(
        "collective.svo.llm",
        "llm_command",
        "Measure the chat model's SVO with the slider items, per persona (Zhang et al. 2023).",
    ),
}

#: Names re-exported from the command modules, imported when first asked for.
_LAZY = {
    "CLI_CONTROLS": "collective.svo.score",
    "PICTURE_SUFFIXES": "collective.svo.score",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


svo_app = lazy_app(
    "svo",
    "Social Value Orientation (SVO slider measure): score surveys, evaluate language models.",
    COMMANDS,
)


@svo_app.callback()
def svo_group() -> None:
    """Social Value Orientation (SVO slider measure): score surveys, evaluate language models."""
