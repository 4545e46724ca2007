"""Parameters of :mod:`rlchf.synthetic`, checked, and the annotator pool.

Every check raises :class:`~rlchf.RLCHFError` naming the parameter, in the message form of
``_common.validation``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from _common.validation import check_choice, check_float, check_int, check_probability, show

from ._errors import RLCHFError
from ._simulate import Params, allocate
from ._validate import REQUIRED

__all__ = ["MODELS", "OPTIONS", "check_groups", "check_k", "check_params", "default_groups",
           "make_pool"]

MODELS = ("bradley_terry", "thurstone")


def default_groups() -> pd.DataFrame:
    """Three groups of one feature, ``group``, with shares 0.5, 0.3 and 0.2.

    >>> default_groups()
      group  share
    0     A    0.5
    1     B    0.3
    2     C    0.2
    """
    return pd.DataFrame({"group": ["A", "B", "C"], "share": [0.5, 0.3, 0.2]})


def check_groups(groups: Any) -> pd.DataFrame:
    """Groups as a frame of feature columns and normalised ``share``."""
    func = "population"
    if groups is None:
        return default_groups()
    if not isinstance(groups, pd.DataFrame) or "share" not in groups.columns:
        raise RLCHFError(
            f"The 'groups' parameter of {func} must be a DataFrame with a 'share' column and "
            f"one column per feature. Got {show(groups)} instead.")
    features = [c for c in groups.columns if c != "share"]
    reserved = {*REQUIRED["pairwise"], *REQUIRED["ranking"], "rating", "group_index",
                "response_a_id", "response_b_id"}
    bad = [c for c in features if not isinstance(c, str) or c in reserved]
    if not features or bad:
        raise RLCHFError(
            f"The 'groups' parameter of {func} must have at least one feature column besides "
            f"'share' (not a data column such as 'label'). Got columns {list(groups.columns)}.")
    share = pd.to_numeric(groups["share"], errors="coerce").to_numpy(dtype=float)
    if len(groups) == 0 or not (np.isfinite(share) & (share > 0)).all():
        raise RLCHFError(
            f"The 'groups' parameter of {func} must have positive finite shares. Got "
            f"{show(groups['share'].tolist())} instead.")
    if groups[features].isna().any().any() or groups[features].duplicated().any():
        raise RLCHFError(
            f"The 'groups' parameter of {func} must give each group distinct feature values "
            f"without NaN. Got {show(groups[features].to_dict('list'))} instead.")
    out = groups[features].reset_index(drop=True).copy()
    out["share"] = share / share.sum()
    return out


def check_params(
    n_responses: Any, annotators_per_prompt: Any, contested: Any, kind: Any, pairs: Any,
    model: Any, shared_scale: Any, group_scale: Any, noise: Any, n_groups: int,
) -> Params:
    f, e = "population", RLCHFError
    p = Params(
        n_responses=check_int(n_responses, "n_responses", f, 2, error=e),
        annotators_per_prompt=check_int(annotators_per_prompt, "annotators_per_prompt", f,
                                        1, error=e),
        contested=check_probability(contested, "contested", f, error=e),
        kind=check_choice(kind, "kind", f, ("pairwise", "ranking"), error=e),
        pairs=check_choice(pairs, "pairs", f, ("random", "all"), error=e),
        model=check_choice(model, "model", f, MODELS, error=e),
        shared_scale=check_float(shared_scale, "shared_scale", f, 0, error=e),
        group_scale=check_float(group_scale, "group_scale", f, 0, error=e),
        noise=check_float(noise, "noise", f, 0, error=e),
    )
    if p.contested > 0 and (n_groups < 2 or p.group_scale == 0):
        raise RLCHFError(
            f"population: contested prompts need at least two groups and group_scale > 0 "
            f"(groups: {n_groups}, group_scale: {p.group_scale:g}); pass contested=0.")
    return p


def make_pool(groups: pd.DataFrame, n_annotators: Any, rng: np.random.Generator) -> pd.DataFrame:
    """The annotator pool: group sizes in proportion to the shares, order shuffled."""
    n = check_int(n_annotators, "n_annotators", "population", 1, error=RLCHFError)
    counts = allocate(groups["share"].to_numpy(), n)
    if (counts == 0).any():
        raise RLCHFError(
            f"The 'n_annotators' parameter of population must give every group an annotator "
            f"(shares {show(groups['share'].round(3).tolist())}). Got {n} instead.")
    group = rng.permutation(np.repeat(np.arange(len(groups)), counts))
    pool = pd.DataFrame({"annotator_id": np.arange(n), "group_index": group})
    for col in groups.columns[:-1]:
        pool[col] = groups[col].to_numpy()[group]
    return pool


def check_k(p: Params, pool: int) -> None:
    if p.annotators_per_prompt > pool:
        raise RLCHFError(
            "The 'annotators_per_prompt' parameter of population must be an int in "
            f"[1, {pool}] (the pool size). Got {p.annotators_per_prompt} instead.")


#: The keyword options of :func:`rlchf.synthetic.population` and their defaults (also the
#: options of :func:`rlchf.synthetic.write_parquet`).
OPTIONS: dict[str, Any] = {
    "annotators_per_prompt": 5,
    "groups": None,
    "contested": 0.5,
    "kind": "pairwise",
    "pairs": "random",
    "model": "bradley_terry",
    "shared_scale": 1.0,
    "group_scale": 2.0,
    "noise": 1.0,
}
