"""Running the questionnaire through a chat model: :func:`evaluate`, :func:`evaluate_each`,
:func:`evaluate_personas`."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np

from _common.validation import check_choice, check_float, check_int, check_rng

from .._errors import SVOError
from .._items import CATEGORIES, N_OPTIONS
from ._aggregate import _evaluation, _Settings
from ._prompts import LETTERS, PERSONAS, Progress, item_prompt
from ._result import LLMEvaluation

_ITEMS_CHOICES = ("primary", "all")
_DECISIONS = ("argmax", "sample")
_MAX_SAMPLES = 10_000


def _check_args(
    chat_model: Any,
    samples: Any,
    items: Any,
    decision: Any,
    n_boot: Any,
    confidence: Any,
    where: str,
) -> _Settings:
    """Check the arguments evaluate and evaluate_personas share; return them as settings."""
    if not callable(getattr(chat_model, "option_scores_batch", None)):
        raise TypeError(
            f"The 'chat_model' parameter of {where} must have an option_scores_batch(prompts, "
            f"options) method (an lm.ChatModel or svo.llm.SimulatedRespondent). Got "
            f"{type(chat_model).__name__} instead."
        )
    check_int(samples, "samples", where, 1, _MAX_SAMPLES, error=SVOError)
    check_int(n_boot, "n_boot", where, 1, 100_000, error=SVOError)
    check_choice(items, "items", where, _ITEMS_CHOICES, error=SVOError)
    check_choice(decision, "decision", where, _DECISIONS, error=SVOError)
    check_float(confidence, "confidence", where, 0.0, 1.0, low_open=True, high_open=True,
                error=SVOError)
    return _Settings(int(samples), items, decision, int(n_boot), float(confidence))


def _resolve_personas(personas: Any, where: str) -> dict[str, str | None]:
    if personas is None:
        return dict(PERSONAS)
    if isinstance(personas, Mapping):
        table = {}
        for name, text in personas.items():
            usable = text is None or (isinstance(text, str) and bool(text.strip()))
            if not isinstance(name, str) or not usable:
                raise SVOError(
                    f"The 'personas' parameter of {where} must map names (str) to instructions "
                    f"(a non-empty str or None). Got {name!r}: {text!r}."
                )
            table[name] = text
    else:
        if isinstance(personas, str):
            personas = [personas]
        table = {}
        for name in personas:
            if name is None:
                name = "none"
            if name not in PERSONAS:
                raise SVOError(
                    f"Unknown persona {name!r} in the 'personas' parameter of {where}; known: "
                    f"{', '.join(PERSONAS)} (pass a dict name -> instruction for your own)."
                )
            table[name] = PERSONAS[name]
    if not table:
        raise SVOError(f"The 'personas' parameter of {where} must name at least one persona.")
    return table


def _run(chat_model, personas, settings: _Settings, rng, progress) -> list[LLMEvaluation]:
    """Ask every persona the same shuffled questionnaire in one batch; one evaluation each."""
    generator = check_rng(rng, "evaluate", error=SVOError)
    block = settings.samples * settings.m
    orders = generator.permuted(np.tile(np.arange(N_OPTIONS), (block, 1)), axis=1)
    item_numbers = np.tile(np.arange(1, settings.m + 1), settings.samples)
    prompts = [
        item_prompt(int(k), order, instruction=instruction)
        for instruction in personas.values()
        for k, order in zip(item_numbers, orders, strict=True)
    ]
    scores = np.asarray(
        chat_model.option_scores_batch(prompts, list(LETTERS), progress=progress), dtype=float
    )
    if scores.shape != (len(prompts), N_OPTIONS):
        raise SVOError(
            f"The chat model's option_scores_batch returned shape {scores.shape} for "
            f"{len(prompts)} prompts and {N_OPTIONS} options; expected "
            f"({len(prompts)}, {N_OPTIONS})."
        )
    method = str(getattr(chat_model, "scoring_method", "unknown"))
    model_id = str(getattr(chat_model, "model_id", type(chat_model).__name__))
    # Common random numbers: every persona gets the same tie-breaks, draws and resamples.
    child = generator.spawn(1)[0]
    return [
        _evaluation(
            scores[i * block : (i + 1) * block],
            orders,
            settings,
            copy.deepcopy(child),
            name,
            instruction,
            model_id,
            method,
        )
        for i, (name, instruction) in enumerate(personas.items())
    ]


def evaluate(
    chat_model: Any,
    persona: str | None = None,
    *,
    instruction: str | None = None,
    samples: int = 10,
    items: Literal["primary", "all"] = "primary",
    decision: Literal["argmax", "sample"] = "argmax",
    n_boot: int = 1000,
    confidence: float = 0.95,
    rng: np.random.Generator | int | None = None,
    progress: Progress | None = None,
) -> LLMEvaluation:
    """Measure a chat model's social value orientation with the slider items.

    Each of ``samples`` repetitions presents every item as a choice among its nine allocations,
    labelled A–I in a fresh random order (:func:`item_prompt`), with the persona's instruction
    as the system message. The choice is read from the log-probabilities of the nine letters
    as the reply's first token — one forward pass per prompt, no text parsing — and all prompts
    of the run go to the model in one ``option_scores_batch`` call. Each repetition is scored
    as one respondent with :func:`svo.score`.

    Parameters
    ----------
    chat_model : object with ``option_scores_batch(prompts, options, *, progress=None)``
        :func:`lm.load_chat_model`, an :class:`lm.HTTPChatModel`, or a
        :class:`SimulatedRespondent`.
    persona : str, optional
        A name in :data:`PERSONAS` (None or ``"none"``: no system message); with
        ``instruction``, any label for it.
    instruction : str, optional
        Your own persona instruction (the system message).
    samples : int
        Repetitions, in [1, 10000]; Zhang et al. used 10.
    items : {"primary", "all"}
        The six primary items, or all fifteen (then ``scored`` has the ``ia_index``).
    decision : {"argmax", "sample"}
        Take the most likely letter (ties broken at random) or draw from the softmax over the
        nine letters.
    n_boot : int
        Bootstrap resamples of the samples for the interval of the angle.
    confidence : float
        The level of that interval.
    rng : numpy.random.Generator, int or None
        Option orders, tie-breaks, sampled decisions and the bootstrap. The same seed gives the
        same prompts (so a cached model answers a repeated run from its cache).
    progress : callable, optional
        ``progress(done, total)`` over the prompts, passed to the model.

    Returns
    -------
    LLMEvaluation
        Angle with interval, category, per-sample scores, every choice, order-bias test and
        the count of invalid answers (a prompt for which the model gave no finite score — e.g.
        an HTTP server's constrained reply that names no option; never replaced by a guess).

    Raises
    ------
    TypeError
        ``chat_model`` has no ``option_scores_batch`` method.
    SVOError
        An argument is out of range, the persona is unknown, or the model returned scores of
        the wrong shape.

    Notes
    -----
    "A" and "I" also start English sentences; since every letter shows a random option, such
    a preference moves the position counts, not the expected angle.

    References
    ----------
    .. [1] Y. Zhang et al., 'Heterogeneous Value Alignment Evaluation for Large Language
       Models', arXiv:2305.17147 (2023), §3.
    .. [2] R. O. Murphy, K. A. Ackermann, M. J. J. Handgraaf, 'Measuring social value
       orientation', Judgment and Decision Making 6(8), 771–781 (2011).

    Examples
    --------
    A simulated prosocial respondent scores the ideal prosocial angle whatever the orders:

    >>> from svo.llm import SimulatedRespondent
    >>> result = evaluate(SimulatedRespondent("prosocial"), samples=5, rng=0)
    >>> round(result.angle, 2), result.category, result.n_invalid
    (37.48, 'prosocial', 0)
    >>> result.choices.columns.tolist()
    ['sample', 'item', 'order', 'position', 'option', 'self', 'other', 'probability', 'valid']

    With a language model (slow; SmolLM2-135M is close to random here):

    >>> import lm                                                       # doctest: +SKIP
    >>> evaluate(lm.load_chat_model(), "prosocial", samples=10, rng=0).angle  # doctest: +SKIP
    """
    where = "evaluate"
    settings = _check_args(chat_model, samples, items, decision, n_boot, confidence, where)
    if instruction is not None:
        if not isinstance(instruction, str) or not instruction.strip():
            raise SVOError(
                f"The 'instruction' parameter of evaluate must be a non-empty str. "
                f"Got {instruction!r} instead."
            )
        label = "custom" if persona is None else str(persona)
        table = {label: instruction}
    else:
        table = _resolve_personas([persona], where)
    return _run(chat_model, table, settings, rng, progress)[0]


def evaluate_each(
    chat_model: Any,
    personas: Sequence[str] | Mapping[str, str | None] | None = None,
    *,
    samples: int = 10,
    items: Literal["primary", "all"] = "primary",
    decision: Literal["argmax", "sample"] = "argmax",
    n_boot: int = 1000,
    confidence: float = 0.95,
    rng: np.random.Generator | int | None = None,
    progress: Progress | None = None,
) -> list[LLMEvaluation]:
    """Evaluate the model under several personas; one :class:`LLMEvaluation` each.

    What :func:`evaluate_personas` tabulates, with every result whole (choices, scored
    samples, :meth:`LLMEvaluation.to_dict`). Every persona answers the same shuffled
    questionnaires in one batch, so ``progress(done, total)`` covers the prompts of all
    personas, the first persona's ``samples`` × items prompts first; the result of persona
    ``p`` equals ``evaluate(chat_model, p, rng=rng)`` for the same integer seed.

    Parameters
    ----------
    chat_model : object with ``option_scores_batch``
        See :func:`evaluate`.
    personas : list of names, dict name -> instruction, or None
        Names from :data:`PERSONAS` (default: all of them), or your own instructions, e.g.
        ``dict(resolve_personas(["prosocial", "Be kind."]))``.
    samples, items, decision, n_boot, confidence, rng, progress
        As in :func:`evaluate`.

    Returns
    -------
    list of LLMEvaluation
        In the order of ``personas``.

    Raises
    ------
    TypeError, SVOError
        As in :func:`evaluate`.

    Examples
    --------
    >>> from svo.llm import SimulatedRespondent
    >>> seen = []
    >>> results = evaluate_each(SimulatedRespondent("altruistic"), {"none": None, "me": "Be me."},
    ...                         samples=2, rng=0, progress=lambda done, total: seen.append(total))
    >>> [(r.persona, r.instruction, r.category) for r in results]
    [('none', None, 'altruistic'), ('me', 'Be me.', 'altruistic')]
    >>> set(seen)    # two personas x 2 samples x 6 items
    {24}
    """
    where = "evaluate_each"
    settings = _check_args(chat_model, samples, items, decision, n_boot, confidence, where)
    table = _resolve_personas(personas, where)
    return _run(chat_model, table, settings, rng, progress)


def evaluate_personas(
    chat_model: Any,
    personas: Sequence[str] | Mapping[str, str | None] | None = None,
    *,
    samples: int = 10,
    items: Literal["primary", "all"] = "primary",
    decision: Literal["argmax", "sample"] = "argmax",
    n_boot: int = 1000,
    confidence: float = 0.95,
    rng: np.random.Generator | int | None = None,
    progress: Progress | None = None,
):
    """Evaluate the model under several personas: does the instruction steer its SVO?

    Every persona answers the same shuffled questionnaires (the same option orders), so the
    differences between rows come from the instructions alone; all prompts go to the model in
    one batch, and ``progress`` covers them all. Tie-breaks, sampled decisions and bootstrap
    resamples are the same random numbers for every persona too, so the row of persona ``p``
    equals ``evaluate(chat_model, p, rng=rng)`` for the same integer seed.

    Parameters
    ----------
    chat_model : object with ``option_scores_batch``
        See :func:`evaluate`.
    personas : list of names, dict name -> instruction, or None
        Names from :data:`PERSONAS` (default: all of them), or your own instructions.
    samples, items, decision, n_boot, confidence, rng, progress
        As in :func:`evaluate`.

    Returns
    -------
    pandas.DataFrame
        One row per persona: ``persona``, ``instruction``, ``angle``, ``angle_low``,
        ``angle_high``, ``category``, ``share_<category>`` for each of
        :data:`svo.CATEGORIES` (shares of samples), ``top_position_share``,
        ``order_bias_pvalue``, ``order_biased`` (:attr:`LLMEvaluation.order_biased`),
        ``n_invalid`` and ``warnings`` (a tuple of :meth:`LLMEvaluation.warnings`).

    Raises
    ------
    TypeError, SVOError
        As in :func:`evaluate`.

    References
    ----------
    .. [1] Y. Zhang et al., 'Heterogeneous Value Alignment Evaluation for Large Language
       Models', arXiv:2305.17147 (2023), §3–4 (value-orientation prompts).

    Examples
    --------
    >>> from svo.llm import SimulatedRespondent
    >>> table = evaluate_personas(SimulatedRespondent("competitive"), ["none", "altruistic"],
    ...                           samples=2, rng=0)
    >>> table[["persona", "angle", "category"]].round(2).values.tolist()
    [['none', -16.26, 'competitive'], ['altruistic', -16.26, 'competitive']]
    """
    import pandas as pd

    where = "evaluate_personas"
    settings = _check_args(chat_model, samples, items, decision, n_boot, confidence, where)
    table = _resolve_personas(personas, where)
    results = _run(chat_model, table, settings, rng, progress)
    return pd.DataFrame([_row(r) for r in results])


def _row(result: LLMEvaluation) -> dict[str, Any]:
    """One row of :func:`evaluate_personas`'s table."""
    return {
        "persona": result.persona,
        "instruction": result.instruction,
        "angle": result.angle,
        "angle_low": result.angle_low,
        "angle_high": result.angle_high,
        "category": result.category,
        **{f"share_{c}": result.category_shares[c] for c in CATEGORIES},
        "top_position_share": result.top_position_share,
        "order_bias_pvalue": result.order_bias_pvalue,
        "order_biased": result.order_biased,
        "n_invalid": result.n_invalid,
        "warnings": result.warnings(),
    }
