"""Reinforcement learning from collective human feedback (Conitzer et al. 2024).

Long-form judgments of many annotators (:class:`PreferenceData`, read with
:func:`read_preferences`) are either aggregated per prompt with a social-choice rule into
training pairs (variant 1) or used to train a reward model conditioned on annotator features
and aggregated over a population (variant 2); :mod:`rlchf.synthetic` simulates a population
with known ground truth. :func:`evaluate` scores a model per annotator group,
:func:`plot_evaluation` draws that, and :func:`load_model` reads back a saved model of any
class. The formulas are in docs/reference.md §6. Errors are
:class:`RLCHFError` (a ``ValueError``) and its subclasses. Importing the package loads
neither pandas, torch nor datasets: every name is imported on first use.

>>> import rlchf
>>> issubclass(rlchf.PreferenceDataError, rlchf.RLCHFError)
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from _common.lazy import lazy_exports

from ._errors import ModelError, PreferenceDataError, RLCHFError

if TYPE_CHECKING:  # pragma: no cover
    from . import synthetic
    from ._aggregate import aggregate_pairs
    from ._checkpoint import load_model
    from ._collective import collective_scores
    from ._conditioned import FeatureConditionedRewardModel
    from ._data import PreferenceData
    from ._errors import AggregationError
    from ._evaluate import evaluate
    from ._io import read_preferences
    from ._latent import LatentGroupRewardModel
    from ._plots import plot_evaluation
    from ._policy import DPOResult, best_of_n, dpo
    from ._reward import RewardModel
    from ._trl import to_trl

#: Names imported on first use: name -> (module, attribute or None for the module itself).
_LAZY: dict[str, tuple[str, str | None]] = {
    "PreferenceData": ("rlchf._data", "PreferenceData"),
    "AggregationError": ("rlchf._errors", "AggregationError"),  # made on first use
    "aggregate_pairs": ("rlchf._aggregate", "aggregate_pairs"),
    "read_preferences": ("rlchf._io", "read_preferences"),
    "synthetic": ("rlchf.synthetic", None),
    # reward models, collective scores, evaluation
    "RewardModel": ("rlchf._reward", "RewardModel"),
    "FeatureConditionedRewardModel": ("rlchf._conditioned", "FeatureConditionedRewardModel"),
    "LatentGroupRewardModel": ("rlchf._latent", "LatentGroupRewardModel"),
    "collective_scores": ("rlchf._collective", "collective_scores"),
    "evaluate": ("rlchf._evaluate", "evaluate"),
    # checkpoints of any class, plots of evaluations
    "load_model": ("rlchf._checkpoint", "load_model"),
    "plot_evaluation": ("rlchf._plots", "plot_evaluation"),
    # the policy step: TRL data, best-of-n, DPO
    "to_trl": ("rlchf._trl", "to_trl"),
    "best_of_n": ("rlchf._policy", "best_of_n"),
    "dpo": ("rlchf._policy", "dpo"),
    "DPOResult": ("rlchf._policy", "DPOResult"),
}

__all__ = [
    "AggregationError",
    "DPOResult",
    "FeatureConditionedRewardModel",
    "LatentGroupRewardModel",
    "ModelError",
    "PreferenceData",
    "PreferenceDataError",
    "RLCHFError",
    "RewardModel",
    "aggregate_pairs",
    "best_of_n",
    "collective_scores",
    "dpo",
    "evaluate",
    "load_model",
    "plot_evaluation",
    "read_preferences",
    "synthetic",
    "to_trl",
]

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
