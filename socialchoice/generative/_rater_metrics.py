"""Scores of agree probabilities against real votes: accuracy, Brier, log loss, ECE, AUC."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import rankdata

from _common.validation import check_int

from .._errors import GenerativeError

__all__ = ["BinaryMetrics", "ReliabilityBin", "binary_metrics", "reliability_table"]


@dataclass(frozen=True)
class BinaryMetrics:
    """Scores of agree probabilities against real agree (1) / disagree (0) votes.

    Attributes
    ----------
    n : int
        Votes scored.
    accuracy, balanced_accuracy : float
        Of the predicted labels (mean recall over the classes present).
    brier, log_loss : float
        Of ``P(agree)``; log loss clips to ``[eps, 1 - eps]`` as scikit-learn does.
    ece : float
        Expected calibration error over equal-width bins of ``P(agree)``.
    auc : float
        Area under the ROC curve of ``P(agree)`` (NaN with one class only).

    Examples
    --------
    >>> BinaryMetrics(2, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0).accuracy
    1.0
    """

    n: int
    accuracy: float
    balanced_accuracy: float
    brier: float
    log_loss: float
    ece: float
    auc: float


@dataclass(frozen=True)
class ReliabilityBin:
    """One bin of a reliability diagram: predicted ``(lo, hi]`` (the first bin includes 0).

    Examples
    --------
    >>> ReliabilityBin(0.6, 0.7, 0.65, 0.7, 20).count
    20
    """

    lo: float
    hi: float
    mean_predicted: float
    observed: float
    count: int


def _as_binary(y: ArrayLike, p: ArrayLike, func: str) -> tuple[NDArray, NDArray]:
    y = np.asarray(y)
    p = np.asarray(p, dtype=np.float64)
    if y.ndim != 1 or p.shape != y.shape or y.size == 0:
        raise GenerativeError(
            f"{func} needs two 1-d arrays of equal non-zero length (votes, P(agree)). "
            f"Got shapes {y.shape} and {p.shape}."
        )
    if not np.isin(y, (0, 1)).all():
        raise GenerativeError(f"The votes given to {func} must be 0/1 or bool.")
    if not (np.isfinite(p) & (p >= 0) & (p <= 1)).all():
        raise GenerativeError(f"The probabilities given to {func} must lie in [0, 1].")
    return y.astype(bool), p


def reliability_table(y: ArrayLike, p: ArrayLike, bins: int = 10) -> tuple[ReliabilityBin, ...]:
    """The reliability diagram of ``P(agree)``: ``bins`` equal-width bins (empty ones too).

    Bin edges follow :func:`sklearn.calibration.calibration_curve` (``strategy='uniform'``).

    References
    ----------
    .. [1] M. P. Naeini, G. F. Cooper, M. Hauskrecht, 'Obtaining well calibrated
       probabilities using Bayesian binning', AAAI 2015, §2 (ECE).

    Examples
    --------
    >>> t = reliability_table([1, 0, 1, 1], [0.9, 0.2, 0.8, 0.7], bins=2)
    >>> [(b.count, round(b.mean_predicted, 2), b.observed) for b in t]
    [(1, 0.2, 0.0), (3, 0.8, 1.0)]
    """
    y, p = _as_binary(y, p, "reliability_table")
    bins = check_int(bins, "bins", "reliability_table", 1, error=GenerativeError)
    edges = np.linspace(0.0, 1.0, bins + 1)
    ids = np.searchsorted(edges[1:-1], p)
    count = np.bincount(ids, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_p = np.bincount(ids, weights=p, minlength=bins) / count
        observed = np.bincount(ids, weights=y, minlength=bins) / count
    return tuple(
        ReliabilityBin(
            round(float(edges[b]), 12),
            round(float(edges[b + 1]), 12),
            float(mean_p[b]),
            float(observed[b]),
            int(count[b]),
        )
        for b in range(bins)
    )


def binary_metrics(
    y: ArrayLike, p: ArrayLike, predicted: ArrayLike | None = None, *, bins: int = 10
) -> BinaryMetrics:
    """Accuracy, balanced accuracy, Brier score, log loss, ECE and AUC of ``P(agree)``.

    Parameters
    ----------
    y : array_like of bool or 0/1
        The real votes (1 = agree).
    p : array_like of float in [0, 1]
        Predicted probability of agreement.
    predicted : array_like of bool, optional
        Predicted labels; default ``p >= 0.5``.
    bins : int
        Bins of the expected calibration error.

    References
    ----------
    .. [1] G. W. Brier, 'Verification of forecasts expressed in terms of probability',
       Monthly Weather Review 78(1), 1950.
    .. [2] M. P. Naeini, G. F. Cooper, M. Hauskrecht, AAAI 2015, §2 (ECE).

    Examples
    --------
    >>> m = binary_metrics([1, 0, 1, 1], [0.9, 0.2, 0.8, 0.4])
    >>> m.accuracy, round(m.balanced_accuracy, 4), round(m.brier, 4), m.auc
    (0.75, 0.8333, 0.1125, 1.0)
    """
    y, p = _as_binary(y, p, "binary_metrics")
    pred = p >= 0.5 if predicted is None else np.asarray(predicted, dtype=bool)
    if pred.shape != y.shape:
        raise GenerativeError(
            f"predicted must have the votes' shape {y.shape}. Got {pred.shape} instead."
        )
    recalls = [float(np.mean(pred[y == c] == c)) for c in (False, True) if (y == c).any()]
    eps = np.finfo(np.float64).eps
    q = np.clip(p, eps, 1 - eps)
    table = reliability_table(y, p, bins)
    ece = sum(b.count * abs(b.mean_predicted - b.observed) for b in table if b.count) / y.size
    n1 = int(y.sum())
    n0 = y.size - n1
    auc = (
        float((rankdata(p)[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)) if n1 and n0 else float("nan")
    )
    return BinaryMetrics(
        n=int(y.size),
        accuracy=float(np.mean(pred == y)),
        balanced_accuracy=float(np.mean(recalls)),
        brier=float(np.mean((p - y) ** 2)),
        log_loss=float(-np.mean(np.where(y, np.log(q), np.log1p(-q)))),
        ece=float(ece),
        auc=auc,
    )
