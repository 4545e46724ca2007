"""Collective reward: a simulated population's predicted judgments, aggregated (variant 2).

``collective_scores(model, prompt, responses, population, rule)`` asks the reward model for
every population member's reward ``r_i(y)`` of every response ``y`` (one batched forward pass;
a pooled :class:`~rlchf.RewardModel` gives every member the same rewards), then aggregates.

Voting rules (any name of :data:`socialchoice.RULES`)
    Member ``i`` with weight ``w_i`` casts the ballot that ranks the responses by ``r_i``
    (its predicted pairwise judgments: ``a ≻ b`` iff ``P_i(a ≻ b) > ½``; equal rewards tie).
    The weighted margins ``M[a, b] = Σ_i w_i sign(r_i(a) − r_i(b))`` give the scores
    (``vote="expected"``: ``M[a, b] = Σ_i w_i (2 σ(r_i(a) − r_i(b)) − 1)``, the expected
    margins of members who stand for many noisy individuals; margin-based rules and Borda):

    ================  =============================================================
    ``borda``         ``(Σ_b M[a, b] + W (m − 1)) / 2`` (``W = Σ w_i``): the weighted
                      Borda score, a tie worth half a point
    ``copeland``      wins minus losses in ``M``
    ``minimax``       minus the largest defeat margin (higher is better)
    ``maximal_lottery``  the maximal lottery's probabilities
    any other rule    1.0 for its winners (all ties), 0.0 otherwise
                      (:func:`socialchoice.winner_mask`, ballots for profile rules)
    ================  =============================================================

Welfare functions
    Reward models identify ``r_i`` only up to a constant per member, so levels are made
    comparable first. ``utilitarian``: the weighted mean of the centred reward
    ``r_i(y) − mean_y' r_i(y')`` (log-odds units). ``egalitarian`` and ``nash`` use the
    member's *win probability* ``u_i(y) = mean_{y' ≠ y} σ(r_i(y) − r_i(y'))`` in (0, 1) —
    the chance the member prefers ``y`` to another candidate drawn at random, positive and
    on one scale for every member: ``egalitarian`` is ``min_i u_i(y)`` over the members of
    positive weight (the worst-off member or group), ``nash`` is ``Σ_i w_i log u_i(y) / W``
    (the log of the weighted geometric mean, Nash's product of utilities).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.special import expit
from scipy.stats import rankdata

from _common.validation import check_choice

from ._errors import ModelError, RLCHFError

__all__ = [
    "WELFARE",
    "collective_scores",
    "member_rewards",
    "scores_from_margins",
    "scores_from_rewards",
]

#: The welfare functions ``collective_scores`` accepts besides voting rules.
WELFARE = ("utilitarian", "egalitarian", "nash")
_SCORED = ("borda", "copeland", "minimax", "maximal_lottery")


def check_rule(rule: Any, func: str) -> str:
    """``rule`` if it names a socialchoice rule or a welfare function."""
    import socialchoice as sc

    options = [*WELFARE, *sc.rule_names()]
    if not isinstance(rule, str) or rule not in options:
        raise RLCHFError(
            f"The 'rule' parameter of {func} must be a socialchoice rule name or one of "
            f"{', '.join(map(repr, WELFARE))}; rules: {', '.join(sc.rule_names())}. "
            f"Got {rule!r} instead."
        )
    return rule


def check_population(
    population: Any, model: Any, func: str
) -> tuple[pd.DataFrame, NDArray[np.float64]]:
    """The population frame and its weights (``weight`` column, finite, ≥ 0, positive sum).

    ``None`` is allowed for a model without features: one member of weight 1.
    """
    if population is None:
        if getattr(model, "features", None):
            raise ModelError(
                f"{func}: a feature-conditioned model needs a population: a DataFrame with "
                f"columns {list(model.features)} and 'weight'."
            )
        return pd.DataFrame({"weight": [1.0]}), np.ones(1)
    if not isinstance(population, pd.DataFrame):
        raise RLCHFError(
            f"The 'population' parameter of {func} must be a DataFrame of feature rows with "
            f"a 'weight' column. Got a {type(population).__name__} instead."
        )
    if "weight" not in population.columns or len(population) == 0:
        raise RLCHFError(
            f"The population of {func} needs at least one row and a 'weight' column "
            f"(e.g. census shares); it has columns {list(population.columns)}."
        )
    w = pd.to_numeric(population["weight"], errors="coerce").to_numpy(dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
    if len(bad):
        raise RLCHFError(
            f"Row {int(bad[0])} of the population, column 'weight': expected a finite "
            f"number ≥ 0. Got {population['weight'].iloc[bad[0]]!r} instead."
        )
    if w.sum() <= 0:
        raise RLCHFError("The population's weights sum to 0; give some member a weight > 0.")
    return population.reset_index(drop=True), w


def _margins(R: NDArray, w: NDArray, vote: str = "ballot") -> NDArray:
    """``M[p, a, b] = Σ_i w_i s_i(a, b)``, rounded to drop float noise: ``s`` is
    ``sign(r_i(a) − r_i(b))`` (``vote="ballot"``) or ``2 σ(r_i(a) − r_i(b)) − 1``
    (``vote="expected"``)."""
    D = R[..., :, None] - R[..., None, :]
    S = np.sign(D) if vote == "ballot" else 2 * expit(D) - 1
    return np.round(np.einsum("pnab,n->pab", S, w), 10)


def _welfare(R: NDArray, w: NDArray, rule: str) -> NDArray:
    m = R.shape[-1]
    if rule == "utilitarian":
        centred = R - R.mean(axis=-1, keepdims=True)
        return np.einsum("pnm,n->pm", centred, w) / w.sum()
    P = expit(R[..., :, None] - R[..., None, :])
    u = (P.sum(axis=-1) - 0.5) / (m - 1)  # drop the diagonal σ(0) = ½
    if rule == "egalitarian":
        return u[:, w > 0, :].min(axis=1)
    return np.einsum("pnm,n->pm", np.log(u), w) / w.sum()


def scores_from_rewards(
    R: NDArray, w: NDArray, rule: str, vote: str = "ballot"
) -> NDArray[np.float64]:
    """Collective scores ``(P, m)`` from member rewards ``R`` of shape ``(P, n, m)``.

    Examples
    --------
    Two members of weights 2 and 1 who rank three responses in opposite orders:

    >>> R = np.array([[[3.0, 2.0, 1.0], [1.0, 2.0, 3.0]]])
    >>> scores_from_rewards(R, np.array([2.0, 1.0]), "borda").tolist()
    [[4.0, 3.0, 2.0]]
    >>> scores_from_rewards(R, np.array([2.0, 1.0]), "egalitarian").round(2).tolist()
    [[0.19, 0.5, 0.19]]
    """
    if rule in WELFARE:
        return _welfare(R, w, rule)
    import socialchoice as sc

    M = _margins(R, w, vote)
    if rule in _SCORED or sc.RULES[rule].needs == "margins":
        return scores_from_margins(M, rule, float(w.sum()))
    if vote == "expected":
        raise RLCHFError(
            f"Rule {rule!r} needs ballots; vote='expected' gives only expected margins. Use "
            "vote='ballot' or a margin-based rule (borda, copeland, minimax, ...)."
        )
    ranks = rankdata(-R, method="dense", axis=-1).astype(np.int64) - 1
    W = np.broadcast_to(w, R.shape[:-1])
    return sc.winner_mask(ranks=ranks, weights=W, rule=rule).astype(np.float64)


def scores_from_margins(M: NDArray, rule: str, total: float) -> NDArray[np.float64]:
    """Scores ``(P, m)`` of a margin-based rule (or Borda) from margins ``(P, m, m)``.

    ``total`` is the total weight ``W`` of the voters behind ``M`` (Borda's offset).
    """
    import socialchoice as sc

    m = M.shape[-1]
    if rule == "borda":
        return (M.sum(axis=-1) + total * (m - 1)) / 2
    if rule == "copeland":
        from socialchoice.rules.condorcet import copeland_scores

        return copeland_scores(M).astype(np.float64)
    if rule == "minimax":
        from socialchoice.rules.condorcet import minimax_scores

        return -minimax_scores(M).astype(np.float64)
    if rule == "maximal_lottery":
        return sc.maximal_lottery(M)
    return sc.winner_mask(M, rule).astype(np.float64)


def _check_responses(prompt: Any, responses: Any, func: str) -> list[str]:
    if not isinstance(prompt, str):
        raise RLCHFError(
            f"The 'prompt' parameter of {func} must be a string. Got {type(prompt).__name__}."
        )
    if isinstance(responses, str) or not isinstance(responses, Sequence | pd.Series | np.ndarray):
        raise RLCHFError(
            f"The 'responses' parameter of {func} must be a list of strings. "
            f"Got {type(responses).__name__} instead."
        )
    out = list(responses)
    bad = [i for i, r in enumerate(out) if not isinstance(r, str)]
    if bad:
        raise RLCHFError(f"responses[{bad[0]}] of {func} is not a string: {out[bad[0]]!r}.")
    if len(out) < 2 or len(set(out)) != len(out):
        raise RLCHFError(
            f"The 'responses' parameter of {func} must be at least two distinct responses. "
            f"Got {len(out)} response(s), {len(set(out))} distinct."
        )
    return out


def member_rewards(
    model: Any, prompts: list[str], responses: list[list[str]], population: pd.DataFrame
) -> NDArray[np.float64]:
    """Rewards ``(prompts, members, responses)``; any object with ``reward(prompts,
    responses)`` counts as a pooled model (every member gets its rewards)."""
    if hasattr(model, "_member_rewards"):
        return model._member_rewards(prompts, responses, population)
    if not callable(getattr(model, "reward", None)):
        raise ModelError(
            f"The model must be a reward model with reward(prompts, responses). "
            f"Got a {type(model).__name__} instead."
        )
    m = len(responses[0])
    flat_p = [p for p, rs in zip(prompts, responses, strict=True) for _ in rs]
    r = np.asarray(model.reward(flat_p, [x for rs in responses for x in rs]), dtype=np.float64)
    if r.shape != (len(flat_p),):
        raise ModelError(
            f"The model's reward() returned shape {r.shape} for {len(flat_p)} pairs."
        )
    r = r.reshape(len(prompts), 1, m)
    return np.broadcast_to(r, (len(prompts), len(population), m)).copy()


def collective_scores(
    model: Any,
    prompt: str,
    responses: Sequence[str],
    population: pd.DataFrame | None,
    rule: str = "borda",
    *,
    vote: str = "ballot",
) -> pd.Series:
    """The collective reward of each response: a population's predicted judgments, aggregated.

    Parameters
    ----------
    model : RewardModel or FeatureConditionedRewardModel
        A fitted model.
    prompt : str
    responses : sequence of str
        At least two distinct candidate responses.
    population : pandas.DataFrame or None
        One row per member (an individual or a group): the model's feature columns and a
        ``weight`` column (e.g. census shares). ``None`` only for a model without features.
    rule : str, default "borda"
        A :data:`socialchoice.RULES` name or a welfare function ``"utilitarian"``,
        ``"egalitarian"``, ``"nash"`` (definitions in the module docstring).
    vote : {"ballot", "expected"}
        How a member's predicted judgments enter the margins: ``"ballot"`` (default) its
        ranking, ``sign(r_i(a) − r_i(b))`` — a member is a voter, or a group voting as a
        block; ``"expected"`` its predicted probabilities, ``2 σ(r_i(a) − r_i(b)) − 1`` — a
        member stands for many individuals whose judgments are noisy (the expected share
        preferring a minus the share preferring b). Only margin-based rules and Borda take
        ``"expected"``; welfare functions ignore it.

    Returns
    -------
    pandas.Series
        One score per response (indexed by the response text), higher is better.

    Examples
    --------
    A stand-in model whose members prefer short (member "terse") or long ("verbose") answers:

    >>> class Lengths:
    ...     features = ["style"]
    ...     def _member_rewards(self, prompts, responses, population):
    ...         sign = np.where(population["style"] == "terse", -1.0, 1.0)
    ...         lengths = np.array([[len(r) for r in rs] for rs in responses], float)
    ...         return sign[None, :, None] * lengths[:, None, :]
    >>> people = pd.DataFrame({"style": ["terse", "verbose"], "weight": [0.6, 0.4]})
    >>> collective_scores(Lengths(), "Hi?", ["Yo.", "Hello!", "Good day to you."], people,
    ...                   "copeland")
    Yo.                 2.0
    Hello!              0.0
    Good day to you.   -2.0
    Name: copeland, dtype: float64
    """
    func = "collective_scores"
    rule = check_rule(rule, func)
    vote = check_choice(vote, "vote", func, ("ballot", "expected"), error=RLCHFError)
    responses = _check_responses(prompt, responses, func)
    population, w = check_population(population, model, func)
    R = member_rewards(model, [prompt], [responses], population)
    return pd.Series(scores_from_rewards(R, w, rule, vote)[0], index=responses, name=rule)
