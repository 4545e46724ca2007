"""Calibrations of the embedding rater: logistic fits of agreement on cosine similarity.

:func:`fit_calibration` fits ``P(agree) = sigmoid(a * similarity + b)`` by (almost
unpenalised) logistic regression with Newton's method; :func:`fit_authored_calibration`
fits it on real Polis votes for the setting of a slate built from free-text opinions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit

from .._errors import GenerativeError
from ._rater_metrics import binary_metrics
from ._representations import authored_matrix

__all__ = ["AuthoredCalibration", "fit_authored_calibration", "fit_calibration"]

#: L2 penalty on the slope, ``1 / (2 C)`` with scikit-learn's ``C = 1e6``: it keeps the fit
#: finite when agreements and disagreements are perfectly separated.
_PENALTY = 0.5e-6


def _newton(z: NDArray[np.float64], y: NDArray[np.float64], penalty: float) -> NDArray:
    """``(slope, intercept)`` minimising the log loss of ``sigmoid(slope * z + intercept)``
    plus ``penalty * slope**2``; Newton steps, halved until the objective decreases."""
    X = np.column_stack([z, np.ones_like(z)])
    ridge = np.diag([2.0 * penalty, 0.0])

    def loss(theta: NDArray) -> float:
        t = X @ theta
        return float(np.sum(np.logaddexp(0.0, t) - y * t) + penalty * theta[0] ** 2)

    share = float(np.clip(y.mean(), 1e-6, 1 - 1e-6))
    theta = np.array([0.0, np.log(share / (1 - share))])
    current = loss(theta)
    for _ in range(100):
        p = expit(X @ theta)
        grad = X.T @ (p - y) + ridge @ theta
        hess = (X * (p * (1 - p))[:, None]).T @ X + ridge + 1e-12 * np.eye(2)
        step = np.linalg.solve(hess, grad)
        for _ in range(50):  # backtracking: never increase the objective
            trial = theta - step
            value = loss(trial)
            if value <= current:
                break
            step = step / 2
        else:
            break
        theta, previous, current = trial, current, value
        if previous - current <= 1e-12 * max(1.0, abs(current)):
            break
    return theta


def fit_calibration(similarities: ArrayLike, agreed: ArrayLike) -> tuple[float, float]:
    """Fit ``P(agree) = sigmoid(a * similarity + b)`` by logistic regression; return ``(a, b)``.

    The fit maximises the likelihood with a tiny L2 penalty on ``a`` (``1e-6 / 2 * a**2``,
    scikit-learn's ``LogisticRegression(C=1e6)``), by Newton's method on standardised
    similarities.

    Parameters
    ----------
    similarities : array of float
        Cosine similarities between agents' opinions and statements.
    agreed : array of bool
        Whether each agent agreed with the statement (a real vote, or a high rating).

    Returns
    -------
    (float, float)
        The slope ``a`` and intercept ``b``.

    Raises
    ------
    GenerativeError
        Lengths differ, fewer than two votes, or only one kind of vote.

    References
    ----------
    .. [1] D. R. Cox, 'The regression analysis of binary sequences', JRSS B 20(2), 1958.
    .. [2] J. Platt, 'Probabilistic outputs for support vector machines', 1999 (a logistic
       map from a score to a probability).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> cos = rng.uniform(-0.2, 0.8, 4000)
    >>> agree = rng.random(4000) < 1 / (1 + np.exp(-(6 * cos - 1.5)))
    >>> a, b = fit_calibration(cos, agree)
    >>> bool(abs(a - 6) < 1 and abs(b + 1.5) < 0.5)
    True
    """
    x = np.asarray(similarities, dtype=np.float64).reshape(-1)
    y = np.asarray(agreed, dtype=bool).reshape(-1)
    if x.shape[0] != y.shape[0] or x.shape[0] < 2 or np.unique(y).size < 2:
        raise GenerativeError(
            "fit_calibration needs as many similarities as votes, and both agreements and "
            f"disagreements. Got {x.shape[0]} similarities, {y.shape[0]} votes, "
            f"{int(y.sum())} agreements."
        )
    if not np.isfinite(x).all():
        raise GenerativeError("The similarities given to fit_calibration must be finite.")
    mu, sigma = float(x.mean()), float(x.std())
    if sigma < 1e-12:  # one similarity for every vote: no slope to fit
        share = float(y.mean())
        return 0.0, float(np.log(share / (1 - share)))
    slope, intercept = _newton((x - mu) / sigma, y.astype(np.float64), _PENALTY / sigma**2)
    a = slope / sigma
    return float(a), float(intercept - a * mu)


@dataclass(frozen=True)
class AuthoredCalibration:
    """The free-text calibration fitted by :func:`fit_authored_calibration`.

    Attributes
    ----------
    a, b : float
        ``P(agree) = sigmoid(a * cosine + b)``.
    n_pairs : int
        (written statement, voted statement) pairs it was fitted on.
    auc : float
        How well the cosine alone ranks agreements above disagreements (0.5 = not at all).

    Examples
    --------
    >>> AuthoredCalibration(2.0, -0.5, 100, 0.55).calibration
    (2.0, -0.5)
    """

    a: float
    b: float
    n_pairs: int
    auc: float

    @property
    def calibration(self) -> tuple[float, float]:
        """``(a, b)`` for :class:`EmbeddingRater`."""
        return (self.a, self.b)


def fit_authored_calibration(conversations: Sequence[Any], embedder: Any) -> AuthoredCalibration:
    """Fit the free-text calibration of :class:`EmbeddingRater` on real votes.

    Pairs (a statement a participant wrote, another statement that participant voted
    agree/disagree on), pooled over ``conversations`` (accepted statements only); the
    cosine of the two statements against whether the vote was an agreement, fitted with
    :func:`fit_calibration`. This is the setting of a slate built from free-text opinions,
    where an agent's opinion is one text they wrote.

    Parameters
    ----------
    conversations : sequence of Conversation
    embedder : object with ``encode(texts)``

    Returns
    -------
    AuthoredCalibration

    References
    ----------
    .. [1] S. Fish et al., 'Generative Social Choice', arXiv:2309.01291 (2023), §5.

    Examples
    --------
    >>> from socialchoice.bridging import read_polis, shipped_conversations
    >>> convs = [read_polis(f) for f in shipped_conversations().values()]
    >>> fit = fit_authored_calibration(convs, embedder)          # doctest: +SKIP
    >>> fit.calibration                                           # doctest: +SKIP
    """
    sims, agreed = [], []
    for conversation in conversations:
        conv = conversation.accepted()
        V = np.asarray(conv.votes, dtype=np.float64)
        A = authored_matrix(conv)
        E = np.asarray(embedder.encode(list(conv.texts)), dtype=np.float64)
        C = E @ E.T  # statement x statement cosines
        writer, written = np.nonzero(A)
        for i, w in zip(writer.tolist(), written.tolist(), strict=True):
            voted = np.flatnonzero((np.abs(V[i]) == 1.0) & ~A[i])
            sims.append(C[w, voted])
            agreed.append(V[i, voted] == 1.0)
    s = np.concatenate(sims) if sims else np.empty(0)
    g = np.concatenate(agreed) if agreed else np.empty(0, dtype=bool)
    a, b = fit_calibration(s, g)
    auc = binary_metrics(g, np.clip((s + 1) / 2, 0, 1)).auc
    return AuthoredCalibration(a, b, int(s.size), auc)
