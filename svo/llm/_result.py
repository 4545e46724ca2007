"""The result of one evaluation: :class:`LLMEvaluation`, its summary and JSON form."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._score import categorize
from ._prompts import LETTERS

#: An angle interval wider than this (degrees) is reported as too wide to place the model.
WIDE_INTERVAL = 20.0
#: The order-bias test is reported as significant below this p-value.
ORDER_BIAS_ALPHA = 0.05


@dataclass(frozen=True, eq=False)
class LLMEvaluation:
    """The result of :func:`evaluate`: a model's SVO under one persona, with its diagnostics.

    Attributes
    ----------
    persona : str
        The persona's name (``"none"`` without a persona).
    instruction : str or None
        The system instruction sent.
    model_id, method : str
        The chat model's id and how it scored options (its ``scoring_method``: ``"logits"``
        for the local model; ``"top_logprobs"`` or ``"constrained"`` over HTTP).
    samples : int
        Repetitions of the questionnaire; each is scored as one respondent.
    items : str
        ``"primary"`` (items 1–6) or ``"all"`` (1–15).
    decision : str
        ``"argmax"`` or ``"sample"``.
    choices : pandas.DataFrame
        One row per (sample, item): ``sample``, ``item`` (1–15), ``order`` (the displayed
        option indices as a string, position A first), ``position`` (0–8, the displayed
        position chosen), ``option`` (0–8, the option chosen), ``self``, ``other`` (its
        payoffs), ``probability`` (of the chosen letter among the nine), ``valid``. Invalid
        answers have NaN in ``position`` … ``probability``.
    scored : pandas.DataFrame
        :func:`svo.score` of the samples (index ``sample``); a sample with an invalid primary
        answer has a missing angle.
    angle, angle_low, angle_high : float
        The angle (degrees) of the pooled mean allocations (per item over the samples' valid
        answers, then over the six primary items) and its percentile bootstrap interval over
        samples; NaN if some primary item has no valid answer.
    confidence : float
        The level of the interval.
    category : str or None
        The category of ``angle``.
    category_shares : dict
        Category -> share of the scored samples in it (NaN if no sample is complete).
    position_counts : numpy.ndarray
        ``(9,)`` how often each displayed position A–I was chosen (valid answers).
    top_position_share : float
        The share of valid answers at the most-chosen position (1/9 without position bias).
    order_bias_pvalue : float
        Chi-square test of ``position_counts`` against uniform. Options are shuffled, so a
        respondent who chooses by content picks each position equally often whatever its
        preferences; a small p-value means the model picks letters (the approximation is
        rough below 45 valid answers).
    n_invalid : int
        Answers for which the back-end returned no usable score (counted, never guessed).

    Examples
    --------
    >>> from svo.llm import SimulatedRespondent, evaluate
    >>> result = evaluate(SimulatedRespondent("first"), samples=10, rng=0)
    >>> result.position_counts.tolist(), result.top_position_share
    ([60, 0, 0, 0, 0, 0, 0, 0, 0], 1.0)
    >>> bool(result.order_bias_pvalue < 1e-6)    # picks a letter, whatever it shows
    True
    """

    persona: str
    instruction: str | None
    model_id: str
    method: str
    samples: int
    items: str
    decision: str
    choices: Any = field(repr=False)
    scored: Any = field(repr=False)
    angle: float
    angle_low: float
    angle_high: float
    confidence: float
    category: str | None
    category_shares: dict[str, float]
    position_counts: NDArray[np.int64] = field(repr=False)
    top_position_share: float
    order_bias_pvalue: float
    n_invalid: int

    @property
    def order_biased(self) -> bool:
        """Whether the test of position bias is significant (p below
        :data:`ORDER_BIAS_ALPHA`): the model picks letters rather than allocations, so its
        angle mostly reflects the random option orders, not a social value orientation."""
        p = self.order_bias_pvalue
        return bool(p == p and p < ORDER_BIAS_ALPHA)

    def warnings(self) -> tuple[str, ...]:
        """What a reader of this result should be warned about, in plain words.

        A warning says when the model picks letters rather than allocations
        (:attr:`order_biased`), when the angle's interval is wider than
        :data:`WIDE_INTERVAL` degrees or straddles a category boundary, when a single sample
        gives no interval at all, and when there is no angle because answers were invalid.

        References
        ----------
        Zhang, Y. et al. (2023). Heterogeneous value alignment evaluation for large language
        models. arXiv:2305.17147, §3 (repeated runs averaged to an angle).

        Examples
        --------
        >>> from svo.llm import SimulatedRespondent, evaluate
        >>> evaluate(SimulatedRespondent("prosocial"), samples=3, rng=0).warnings()
        ()
        >>> evaluate(SimulatedRespondent("first"), samples=3, rng=0).warnings()[0]
        'order bias: letter A in 100% of the answers (11% if unbiased, p = 3.5e-27)'
        """
        notes = []
        if self.order_biased:
            top = LETTERS[int(np.argmax(np.asarray(self.position_counts)))]
            notes.append(
                f"order bias: letter {top} in {self.top_position_share:.0%} of the answers "
                f"(11% if unbiased, p = {self.order_bias_pvalue:.2g})"
            )
        low, high, angle = self.angle_low, self.angle_high, self.angle
        if angle != angle:
            notes.append(
                f"no angle: some primary item had no valid answer ({self.n_invalid} invalid)"
            )
        elif self.samples < 2:
            notes.append("one sample gives no interval (use 10 samples or more)")
        elif low == low and high == high:
            first, last = categorize([low, high])
            crosses = first != last
            if high - low > WIDE_INTERVAL or crosses:
                notes.append(
                    f"wide interval [{low:.1f}°, {high:.1f}°]"
                    + (" across a category boundary" if crosses else "")
                    + f" with {self.samples} samples"
                )
        return tuple(notes)

    def summary(self) -> str:
        """A short human-readable report.

        Examples
        --------
        >>> from svo.llm import SimulatedRespondent, evaluate
        >>> result = evaluate(SimulatedRespondent("individualistic"), samples=2, rng=0)
        >>> print(result.summary())  # doctest: +ELLIPSIS
        SVO of simulated:individualistic, persona 'none' (2 samples x 6 items, argmax, ...)
        angle -7.82° [95% CI -7.82°, -7.82°]: individualistic
        ...
        """
        n = len(self.choices)
        shares = ", ".join(f"{c} {_pct(v)}" for c, v in self.category_shares.items())
        counts = self.position_counts
        top = LETTERS[int(np.argmax(counts))] if counts.sum() else "-"
        return "\n".join(
            [
                f"SVO of {self.model_id}, persona {self.persona!r} ({self.samples} samples x "
                f"{n // max(self.samples, 1)} items, {self.decision}, scoring: {self.method})",
                f"angle {self.angle:.2f}° [{self.confidence:.0%} CI {self.angle_low:.2f}°, "
                f"{self.angle_high:.2f}°]: {self.category}",
                f"samples by category: {shares}",
                f"positions A-I chosen: {' '.join(str(int(c)) for c in counts)}; most chosen "
                f"{top} ({_pct(self.top_position_share)} of valid answers, 11% without bias), "
                f"chi-square p = {self.order_bias_pvalue:.3g}",
                f"invalid answers: {self.n_invalid} of {n}",
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        """Everything as JSON-serialisable values (NaN becomes None).

        Examples
        --------
        >>> from svo.llm import SimulatedRespondent, evaluate
        >>> import json
        >>> d = evaluate(SimulatedRespondent("altruistic"), samples=1, rng=0).to_dict()
        >>> d["category"], len(d["choices"]), round(json.loads(json.dumps(d))["angle"], 2)
        ('altruistic', 6, 61.39)
        """
        scored = self.scored.reset_index()
        scored["category"] = scored["category"].astype(object)
        scored["transitive"] = scored["transitive"].astype(object)
        out = {
            name: getattr(self, name)
            for name in (
                "persona",
                "instruction",
                "model_id",
                "method",
                "samples",
                "items",
                "decision",
                "angle",
                "angle_low",
                "angle_high",
                "confidence",
                "category",
                "category_shares",
                "top_position_share",
                "order_bias_pvalue",
                "n_invalid",
            )
        }
        out["position_counts"] = self.position_counts
        out["choices"] = self.choices.astype(object).to_dict("records")
        out["scored"] = scored.astype(object).to_dict("records")
        return _jsonable(out)


def _pct(value: float) -> str:
    return "n/a" if value != value else f"{value:.0%}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    import pandas as pd

    if value is pd.NA:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return number if math.isfinite(number) else None
