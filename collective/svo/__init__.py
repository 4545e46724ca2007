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
:func:`svo.compare_report`, :meth:`svo.llm.LLMEvaluation.warnings`); :func:`resolve_personas`
reads the ``--persona`` options. Each command lives in its own module
(:mod:`collective.svo.score`, :mod:`collective.svo.llm`, :mod:`collective.svo.items`); this
package assembles them into the ``svo`` command group.
"""

from __future__ import annotations

import typer

from ._common import Decision as Decision
from ._common import Errors as Errors
from ._common import ItemSet as ItemSet
from ._common import LLMFormat as LLMFormat
from ._common import TableFormat as TableFormat
from .items import items_command
from .llm import llm_command, resolve_personas
from .score import CLI_CONTROLS, PICTURE_SUFFIXES, score_command

__all__ = [
    "CLI_CONTROLS",
    "PICTURE_SUFFIXES",
    "resolve_personas",
    "svo_app",
]

svo_app = typer.Typer(
    name="svo",
    help="Social Value Orientation (SVO slider measure): score surveys, evaluate language models.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

svo_app.command("score")(score_command)
svo_app.command("items")(items_command)
svo_app.command("llm")(llm_command)
