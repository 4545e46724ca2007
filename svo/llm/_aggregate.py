"""From letter scores to an evaluation: decisions, pooled angle, bootstrap, order-bias test."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .._items import CATEGORIES, ITEM_COLUMNS, ITEMS, N_ITEMS, N_OPTIONS, N_PRIMARY
from .._score import categorize, score
from ._result import LLMEvaluation


@dataclass(frozen=True)
class _Settings:
    """The checked parameters of one run, shared by every persona in it."""

    samples: int
    items: str
    decision: str
    n_boot: int
    confidence: float

    @property
    def m(self) -> int:
        """Items per questionnaire."""
        return N_PRIMARY if self.items == "primary" else N_ITEMS


def _decide(scores: NDArray, decision: str, rng: np.random.Generator):
    """Chosen positions (-1 if invalid) and the probability of each among the nine letters."""
    scores = np.where(np.isnan(scores), -np.inf, scores)
    finite = np.isfinite(scores)
    valid = finite.any(axis=1)
    safe = np.where(finite, scores, -np.inf)
    top = np.where(valid, safe.max(axis=1, initial=-np.inf), 0.0)[:, None]
    weights = np.where(finite, np.exp(safe - top), 0.0)
    probs = weights / np.where(valid, weights.sum(axis=1), 1.0)[:, None]
    if decision == "argmax":  # ties broken at random, never toward a position
        tie = rng.random(scores.shape)
        position = np.argmax(np.where(finite & (safe == top), tie, -1.0), axis=1)
    else:
        noisy = np.where(finite, safe + rng.gumbel(size=scores.shape), -np.inf)
        position = np.argmax(noisy, axis=1)
    position = np.where(valid, position, -1)
    chosen_p = np.where(valid, probs[np.arange(len(position)), np.maximum(position, 0)], np.nan)
    return position, chosen_p


def _pooled_angle(payoffs: NDArray, weights: NDArray) -> NDArray:
    """Angles of the pooled means; ``payoffs`` (S, 6, 2) NaN = invalid, ``weights`` (B, S)."""
    valid = ~np.isnan(payoffs[..., 0])
    sums = np.einsum("bs,sik->bik", weights, np.nan_to_num(payoffs))
    counts = weights @ valid.astype(float)  # (B, 6)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = (sums / counts[..., None]).mean(axis=1)  # NaN if an item has no valid answer
    return np.degrees(np.arctan2(means[:, 1] - 50.0, means[:, 0] - 50.0))


def _evaluation(
    scores: NDArray,
    orders: NDArray,
    settings: _Settings,
    rng: np.random.Generator,
    name: str,
    instruction: str | None,
    model_id: str,
    method: str,
) -> LLMEvaluation:
    import pandas as pd
    from scipy.stats import chisquare

    samples, m = settings.samples, settings.m
    position, probability = _decide(scores, settings.decision, rng)
    valid = position >= 0
    rows = np.arange(len(position))
    option = np.where(valid, orders[rows, np.maximum(position, 0)], -1)
    item_index = np.tile(np.arange(m), samples)
    payoff = ITEMS[item_index, np.maximum(option, 0)].astype(float)
    payoff[~valid] = np.nan
    nan_if = lambda a: np.where(valid, a, np.nan)  # noqa: E731
    choices = pd.DataFrame(
        {
            "sample": np.repeat(np.arange(samples), m),
            "item": item_index + 1,
            "order": ["".join(map(str, o)) for o in orders],
            "position": nan_if(position),
            "option": nan_if(option),
            "self": payoff[:, 0],
            "other": payoff[:, 1],
            "probability": probability,
            "valid": valid,
        }
    )
    wide = pd.DataFrame(
        choices["option"].to_numpy().reshape(samples, m),
        columns=list(ITEM_COLUMNS[:m]),
        index=pd.RangeIndex(samples, name="sample"),
    )
    scored = score(wide)
    primary = payoff.reshape(samples, m, 2)[:, :N_PRIMARY]
    angle = float(_pooled_angle(primary, np.ones((1, samples)))[0])
    weights = rng.multinomial(samples, np.full(samples, 1.0 / samples), settings.n_boot)
    boot = _pooled_angle(primary, weights)
    alpha = (1.0 - settings.confidence) / 2
    if np.isnan(angle) or np.isnan(boot).all():
        low = high = float("nan")
    else:
        low, high = (float(x) for x in np.nanquantile(boot, [alpha, 1.0 - alpha]))
    categories = scored["category"].dropna()
    shares = {
        c: float((categories == c).mean()) if len(categories) else float("nan") for c in CATEGORIES
    }
    counts = np.bincount(position[valid], minlength=N_OPTIONS).astype(np.int64)
    total = int(counts.sum())
    pvalue = float(chisquare(counts).pvalue) if total else float("nan")
    return LLMEvaluation(
        persona=name,
        instruction=instruction,
        model_id=model_id,
        method=method,
        samples=samples,
        items=settings.items,
        decision=settings.decision,
        choices=choices,
        scored=scored,
        angle=angle,
        angle_low=low,
        angle_high=high,
        confidence=settings.confidence,
        category=None if np.isnan(angle) else str(categorize(angle)),
        category_shares=shares,
        position_counts=counts,
        top_position_share=float(counts.max() / total) if total else float("nan"),
        order_bias_pvalue=pvalue,
        n_invalid=int((~valid).sum()),
    )
