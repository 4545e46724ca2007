"""The SVO slider measure answered by a language model (Zhang et al. 2023).

Every item is shown as a choice among its nine allocations, labelled A–I in a random order per
sample and item; the model's choice is read from the probabilities of the nine letters as the
first token of its reply (:meth:`lm.ChatModel.option_scores_batch`; no free text is parsed).
Each sample is scored like one respondent (:func:`svo.score`); the samples pool to an angle with
a bootstrap interval. Because the order is random, a model that prefers a letter rather than an
allocation shows up as *position* bias (:attr:`LLMEvaluation.order_bias_pvalue`) and only adds
noise to the angle.

:data:`PERSONAS` are system instructions that ask the model to adopt one of the four value
orientations; :func:`evaluate_personas` measures whether they steer it (:func:`evaluate_each`
keeps each persona's whole :class:`LLMEvaluation`). :func:`resolve_personas` reads persona names
or instruction texts as a front end receives them; :func:`persona_table` is the per-persona
table (below a survey's row) that front ends show.
:class:`SimulatedRespondent` answers the same prompts like an ideal type (or at random, or always
with the first option): a calibration baseline that needs no model.

The chat model is anything with ``option_scores_batch(prompts, options, *, progress=None)``
returning log-probabilities of shape ``(len(prompts), len(options))`` — :mod:`lm`'s local and
HTTP back-ends, or :class:`SimulatedRespondent`; this package does not import :mod:`lm`.

References
----------
.. [1] Y. Zhang et al., 'Heterogeneous Value Alignment Evaluation for Large Language Models',
   arXiv:2305.17147 (2023), §3 (the SVO slider items as options, value-orientation prompts,
   repeated runs averaged to an angle).
.. [2] R. O. Murphy, K. A. Ackermann, M. J. J. Handgraaf, 'Measuring social value orientation',
   Judgment and Decision Making 6(8), 771–781 (2011).
"""

from __future__ import annotations

from ._evaluate import evaluate, evaluate_each, evaluate_personas
from ._personas import persona_table, resolve_personas
from ._prompts import LETTERS, PERSONAS, item_prompt
from ._result import ORDER_BIAS_ALPHA, WIDE_INTERVAL, LLMEvaluation
from ._simulated import SimulatedRespondent

__all__ = [
    "LETTERS",
    "ORDER_BIAS_ALPHA",
    "PERSONAS",
    "WIDE_INTERVAL",
    "LLMEvaluation",
    "SimulatedRespondent",
    "evaluate",
    "evaluate_each",
    "evaluate_personas",
    "item_prompt",
    "persona_table",
    "resolve_personas",
]
