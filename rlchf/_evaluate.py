"""Evaluate a reward model on held-out judgments: per group, worst group, calibration, rules.

``evaluate(model, data, by=[...])`` returns one tidy table (columns ``metric, feature, group,
rule, value, n``) with these rows:

``accuracy``
    Share of the strict judgments (label 1 or 0; ties are left out) whose preferred response
    the model gives ``P > ½``; ``P = ½`` exactly counts as half right. ``n`` = judgments.
    Once pooled (``feature`` empty) and once per group of every ``by`` feature.
``worst_group_accuracy``
    Per ``by`` feature, the lowest group accuracy (``group`` names that group).
``ece``
    Expected calibration error over the strict judgments: confidence ``max(P, 1 − P)`` in
    ``bins`` equal-width bins on [½, 1], ``Σ_b (n_b / n) |accuracy_b − confidence_b|``
    (Guo et al. 2017).
``kendall_tau``
    Per rule, the mean over prompts of Kendall's τ-b between two collective scorings of the
    prompt's responses: the *data's* (the rule applied to the judgments' margins,
    ``M[a, b]`` = judgments preferring a minus those preferring b, every judgment weight 1)
    and the *model's* (:func:`~rlchf.collective_scores` with the same rule over
    ``population``; by default the data's annotators, one member per distinct feature row
    weighted by its number of annotators). Prompts where either scoring is all tied are
    left out; ``n`` = prompts counted. Rules must be computable from pairwise margins:
    Borda (sum of margins) and the margin-based rules of :data:`socialchoice.RULES`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ._collective import (
    WELFARE,
    check_population,
    check_rule,
    member_rewards,
    scores_from_margins,
    scores_from_rewards,
)
from ._errors import RLCHFError

__all__ = ["DEFAULT_RULES", "evaluate", "kendall_tau_b"]

#: The rules ``evaluate`` compares with by default.
DEFAULT_RULES = ("borda", "copeland", "minimax", "maximal_lottery")
_COLUMNS = ["metric", "feature", "group", "rule", "value", "n"]


def kendall_tau_b(x: NDArray, y: NDArray) -> NDArray[np.float64]:
    """Kendall's τ-b between the rows of ``x`` and ``y`` (shape ``(P, m)``), vectorised.

    ``τ_b = Σ_{a<b} s_x s_y / sqrt(Σ s_x² · Σ s_y²)`` with ``s = sign(v_a − v_b)``; NaN where
    either row is constant.

    >>> kendall_tau_b(np.array([[1, 2, 3], [1, 2, 3]]), np.array([[1, 2, 3], [3, 2, 1]]))
    array([ 1., -1.])
    """
    iu = np.triu_indices(x.shape[-1], 1)
    sx = np.sign(x[..., :, None] - x[..., None, :])[..., iu[0], iu[1]]
    sy = np.sign(y[..., :, None] - y[..., None, :])[..., iu[0], iu[1]]
    den = np.sqrt((sx**2).sum(-1) * (sy**2).sum(-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (sx * sy).sum(-1) / np.where(den > 0, den, 1), np.nan)


def _pairwise(data: Any) -> tuple[pd.DataFrame, tuple[str, ...]]:
    if not all(hasattr(data, a) for a in ("kind", "frame", "to_pairwise")):
        raise RLCHFError(f"evaluate takes PreferenceData. Got a {type(data).__name__} instead.")
    pairs = data if data.kind == "pairwise" else data.to_pairwise()
    return pairs.frame, tuple(data.features)


def _check_by(by: Any, frame: pd.DataFrame) -> list[str]:
    by = [by] if isinstance(by, str) else list(by)
    missing = [b for b in by if b not in frame.columns]
    if missing:
        raise RLCHFError(
            f"The 'by' parameter of evaluate names column(s) {missing} that the data does not "
            f"have (columns: {list(frame.columns)})."
        )
    return by


def _check_rules(rules: Any) -> list[str]:
    import socialchoice as sc

    rules = [rules] if isinstance(rules, str) else list(rules)
    for rule in rules:
        check_rule(rule, "evaluate")
        if rule in WELFARE or (rule != "borda" and sc.RULES[rule].needs != "margins"):
            raise RLCHFError(
                f"evaluate compares with rules computable from pairwise judgments (Borda and "
                f"margin-based rules such as copeland, minimax, maximal_lottery); {rule!r} "
                "needs whole ballots or is a welfare function."
            )
    return rules


def _accuracy_rows(
    frame: pd.DataFrame, p: NDArray, by: list[str], bins: int
) -> list[dict[str, Any]]:
    y = frame["label"].to_numpy(dtype=np.float64)
    strict = y != 0.5
    correct = np.where(p == 0.5, 0.5, ((p > 0.5) == (y == 1.0)).astype(np.float64))[strict]
    rows: list[dict[str, Any]] = []
    n = int(strict.sum())
    rows.append({"metric": "accuracy", "value": correct.mean() if n else np.nan, "n": n})
    for feat in by:
        groups = pd.Series(correct).groupby(frame[feat].to_numpy()[strict], sort=True)
        acc = groups.mean()
        sizes = groups.size()
        for g in acc.index:
            rows.append({"metric": "accuracy", "feature": feat, "group": g,
                         "value": float(acc[g]), "n": int(sizes[g])})
        if len(acc):
            worst = acc.idxmin()
            rows.append({"metric": "worst_group_accuracy", "feature": feat, "group": worst,
                         "value": float(acc[worst]), "n": int(sizes[worst])})
    conf = np.maximum(p, 1 - p)[strict]
    b = np.minimum(((conf - 0.5) * 2 * bins).astype(np.int64), bins - 1)
    gap = np.abs(np.bincount(b, correct, bins) - np.bincount(b, conf, bins))
    rows.append({"metric": "ece", "value": gap.sum() / n if n else np.nan, "n": n})
    return rows


def _prompt_tables(frame: pd.DataFrame) -> tuple[pd.DataFrame, NDArray, NDArray]:
    """Each prompt's responses (``prompt_id, prompt, response, slot, m``) and the slots of
    every judgment's a and b."""
    both = pd.concat([
        frame[["prompt_id", "prompt", "response_a"]].set_axis(["prompt_id", "prompt", "response"],
                                                              axis=1),
        frame[["prompt_id", "prompt", "response_b"]].set_axis(["prompt_id", "prompt", "response"],
                                                              axis=1),
    ])
    table = both.drop_duplicates(["prompt_id", "response"]).reset_index(drop=True)
    table["slot"] = table.groupby("prompt_id", sort=False).cumcount()
    table["m"] = table.groupby("prompt_id", sort=False)["slot"].transform("size")
    key = pd.MultiIndex.from_frame(table[["prompt_id", "response"]])
    a = key.get_indexer(pd.MultiIndex.from_arrays([frame["prompt_id"], frame["response_a"]]))
    b = key.get_indexer(pd.MultiIndex.from_arrays([frame["prompt_id"], frame["response_b"]]))
    return table, table["slot"].to_numpy()[a], table["slot"].to_numpy()[b]


def _default_population(model: Any, data: Any) -> pd.DataFrame | None:
    if callable(getattr(model, "population", None)):  # latent groups: the learned shares
        return model.population()
    features = list(getattr(model, "features", None) or [])
    if not features:
        return None
    annotators = data.annotators()
    missing = [f for f in features if f not in annotators.columns]
    if missing:
        raise RLCHFError(
            f"evaluate: the data's annotators have no column(s) {missing} that the model "
            "conditions on; declare them as features or pass population=."
        )
    return (annotators.groupby(features, sort=True, dropna=False).size()
            .rename("weight").reset_index())


def _tau_rows(
    model: Any, frame: pd.DataFrame, rules: list[str], population: pd.DataFrame | None,
) -> list[dict[str, Any]]:
    table, sa, sb = _prompt_tables(frame)
    pop, w = check_population(population, model, "evaluate")
    sign = np.sign(frame["label"].to_numpy(dtype=np.float64) - 0.5)
    table["pcode"] = pd.factorize(table["prompt_id"], sort=False)[0]
    table = table.sort_values(["pcode", "slot"], kind="stable")
    row_pcode = pd.Index(table["prompt_id"].drop_duplicates()).get_indexer(frame["prompt_id"])
    taus: dict[str, list[NDArray]] = {r: [] for r in rules}
    for m, sub in table.groupby("m", sort=True):
        codes = sub["pcode"].to_numpy()[::m]
        local = pd.Index(codes).get_indexer(row_pcode)
        rows = np.flatnonzero(local >= 0)
        D = np.zeros((len(codes), m, m))
        np.add.at(D, (local[rows], sa[rows], sb[rows]), sign[rows])
        np.add.at(D, (local[rows], sb[rows], sa[rows]), -sign[rows])
        texts = sub["response"].to_numpy(dtype=object).reshape(len(codes), m).tolist()
        prompts = sub["prompt"].to_numpy(dtype=object)[::m].tolist()
        R = member_rewards(model, prompts, texts, pop)
        for rule in rules:
            ours = scores_from_rewards(R, w, rule)
            theirs = scores_from_margins(D, rule, 0.0)
            taus[rule].append(kendall_tau_b(ours, theirs))
    out = []
    for rule in rules:
        t = np.concatenate(taus[rule]) if taus[rule] else np.array([])
        ok = ~np.isnan(t)
        out.append({"metric": "kendall_tau", "rule": rule,
                    "value": float(t[ok].mean()) if ok.any() else np.nan, "n": int(ok.sum())})
    return out


def evaluate(
    model: Any,
    data: Any,
    by: Sequence[str] | str = (),
    *,
    rules: Sequence[str] = DEFAULT_RULES,
    population: pd.DataFrame | None = None,
    bins: int = 10,
) -> pd.DataFrame:
    """Accuracy (pooled, per group, worst group), calibration and agreement with rules.

    Parameters
    ----------
    model : RewardModel or FeatureConditionedRewardModel
        A fitted model.
    data : PreferenceData
        Held-out judgments (ranking data is expanded into pairs).
    by : str or sequence of str
        Columns of the data to group the accuracy by (usually annotator features).
    rules : sequence of str
        Rules for the Kendall τ rows (Borda or margin-based rules); ``()`` for none.
    population : pandas.DataFrame, optional
        The population of :func:`~rlchf.collective_scores` (feature rows and ``weight``);
        default the data's annotators grouped by the model's features (a model with a
        ``population()`` method, such as the latent-group model, gives its own).
    bins : int
        Calibration bins.

    Returns
    -------
    pandas.DataFrame
        Columns ``metric, feature, group, rule, value, n`` (definitions in the module
        docstring).

    Examples
    --------
    >>> class Longer:  # prefers the longer response, surely
    ...     def predict_proba(self, df):
    ...         return np.where(df["response_a"].str.len() > df["response_b"].str.len(), 1., 0.)
    ...     def reward(self, prompts, responses):
    ...         return np.array([len(r) for r in responses], float)
    >>> from rlchf import PreferenceData
    >>> df = pd.DataFrame({"prompt_id": 1, "prompt": "Hi?", "response_a": "Hello!",
    ...     "response_b": "Yo.", "label": [1.0, 1.0, 0.0], "annotator_id": ["a", "b", "c"],
    ...     "age": ["young", "young", "old"]})
    >>> table = evaluate(Longer(), PreferenceData.from_pandas(df, "pairwise", ["age"]),
    ...                  by="age", rules=["copeland"])
    >>> table[["metric", "feature", "group", "rule", "value", "n"]]
                     metric feature  group      rule     value  n
    0              accuracy    None   None      None  0.666667  3
    1              accuracy     age    old      None  0.000000  1
    2              accuracy     age  young      None  1.000000  2
    3  worst_group_accuracy     age    old      None  0.000000  1
    4                   ece    None   None      None  0.333333  3
    5           kendall_tau    None   None  copeland  1.000000  1
    """
    from _common.validation import check_int

    bins = check_int(bins, "bins", "evaluate", 1, error=RLCHFError)
    frame, _ = _pairwise(data)
    by = _check_by(by, frame)
    rules = _check_rules(rules)
    p = np.asarray(model.predict_proba(frame), dtype=np.float64)
    rows = _accuracy_rows(frame, p, by, bins)
    if rules:
        if population is None:
            population = _default_population(model, data)
        rows += _tau_rows(model, frame, rules, population)
    out = {c: pd.Series([r.get(c) for r in rows], dtype=object) for c in _COLUMNS[:4]}
    out["value"] = pd.Series([r["value"] for r in rows], dtype=float)
    out["n"] = pd.Series([r["n"] for r in rows], dtype=int)
    return pd.DataFrame(out)
