"""Raters validated against real people: predict hidden Polis votes from the other votes.

A random part of each participant's agree/disagree votes is hidden (:func:`hide_votes`); a
rater (:class:`EmbeddingRater` or :class:`LLMRater`) sees only the participant's remaining
votes (and the statements they wrote) and rates the statements whose votes were hidden.
:func:`validate_rater` turns the ratings into ``P(agree) = (rating - lo) / (hi - lo)`` and
scores them against the hidden votes (:func:`binary_metrics`), next to two baselines that use
the same training votes: each statement's majority, and the overall agree share. Passes are
never targets. The pieces live in modules of their own: hiding (``_hiding``), participants'
representations (``_representations``), metrics (``_rater_metrics``), baselines
(``_rater_baselines``) and calibrations (``_calibration``); this module is the driver.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from _common.progress import Progress, report
from _common.validation import check_choice, check_int, check_rng

from .._errors import GenerativeError
from ._calibration import AuthoredCalibration, fit_authored_calibration, fit_calibration
from ._cf_rater import VoteRater
from ._hiding import hide_votes
from ._protocols import check_progress
from ._rater_baselines import majority_baseline, overall_baseline
from ._rater_metrics import BinaryMetrics, ReliabilityBin, binary_metrics, reliability_table
from ._raters import EmbeddingRater, LLMRater
from ._representations import authored_matrix, opinion_texts, opinion_vectors

__all__ = [
    "AuthoredCalibration",
    "BinaryMetrics",
    "RaterValidation",
    "ReliabilityBin",
    "authored_matrix",
    "binary_metrics",
    "fit_authored_calibration",
    "hide_votes",
    "majority_baseline",
    "opinion_texts",
    "opinion_vectors",
    "reliability_table",
    "validate_rater",
]

RATERS = ("embedding", "llm", "cf")


@dataclass(frozen=True)
class RaterValidation:
    """A rater's predictions of hidden Polis votes, scored, next to the baselines.

    Attributes
    ----------
    conversation, rater : str
        The conversation's name; ``"embedding"`` or ``"llm"``.
    n_hidden : int
        Hidden agree/disagree votes scored (a subsample when ``max_hidden`` was given).
    n_hidden_total : int
        All hidden votes.
    n_votes, n_passes : int
        Agree/disagree votes and passes in the conversation (passes are never targets).
    n_participants : int
        Participants with hidden votes.
    agree_share : float
        Share of agreements among the scored votes.
    accuracy, balanced_accuracy, brier, log_loss, ece, auc : float
        The rater's scores (see :class:`BinaryMetrics`).
    reliability : tuple of ReliabilityBin
        Its reliability diagram (10 bins).
    baselines : dict of str to BinaryMetrics
        ``"majority"`` (each statement's training majority) and ``"overall"`` (the global
        training agree share), on the same votes.
    calibration : (float, float) or None
        The embedding rater's ``(a, b)``, fitted on training votes only.
    prediction_range : (float, float)
        Smallest and largest predicted ``P(agree)`` (how far the rater commits).
    seconds : float
        Wall-clock time of the validation.

    Examples
    --------
    >>> m = BinaryMetrics(1, 1.0, 1.0, 0.0, 0.0, 0.0, float("nan"))
    >>> r = RaterValidation("c", "embedding", 1, 1, 10, 2, 1, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0,
    ...                     float("nan"), (), {"majority": m})
    >>> [row["rater"] for row in r.rows()]
    ['embedding', 'majority']
    """

    conversation: str
    rater: str
    n_hidden: int
    n_hidden_total: int
    n_votes: int
    n_passes: int
    n_participants: int
    agree_share: float
    accuracy: float
    balanced_accuracy: float
    brier: float
    log_loss: float
    ece: float
    auc: float
    reliability: tuple[ReliabilityBin, ...]
    baselines: dict[str, BinaryMetrics] = field(default_factory=dict)
    calibration: tuple[float, float] | None = None
    prediction_range: tuple[float, float] = (float("nan"), float("nan"))
    seconds: float = 0.0

    @property
    def metrics(self) -> BinaryMetrics:
        """The rater's scores as :class:`BinaryMetrics`."""
        return BinaryMetrics(
            self.n_hidden,
            self.accuracy,
            self.balanced_accuracy,
            self.brier,
            self.log_loss,
            self.ece,
            self.auc,
        )

    def rows(self) -> list[dict[str, Any]]:
        """One record per predictor (the rater, then the baselines) for a table."""
        named = [(self.rater, self.metrics), *self.baselines.items()]
        return [{"conversation": self.conversation, "rater": name, **vars(m)} for name, m in named]


@dataclass(frozen=True)
class _Split:
    """The hidden votes of one conversation: the cells scored and what the rater may see."""

    V: NDArray[np.float64]
    V_train: NDArray[np.float64]
    hidden: NDArray[np.bool_]
    rows: NDArray[np.intp]
    cols: NDArray[np.intp]
    total: int
    authored: NDArray[np.bool_]


def _check_request(
    rater_name: str, embedder: Any, chat_model: Any, max_hidden: int | None, progress: Progress
) -> Any:
    """The model the rater needs, after checking the options of :func:`validate_rater`."""
    func = "validate_rater"
    check_choice(rater_name, "rater_name", func, RATERS, error=GenerativeError)
    model = embedder if rater_name == "embedding" else chat_model
    needed = "embedder" if rater_name == "embedding" else "chat_model"
    if model is None and rater_name != "cf":
        raise GenerativeError(
            f"{func} with rater_name={rater_name!r} needs the '{needed}' parameter (for "
            f"example lm.load_{needed}())."
        )
    if max_hidden is not None:
        check_int(max_hidden, "max_hidden", func, 1, error=GenerativeError)
    check_progress(progress, func)
    return model


def _split(
    conv: Any,
    fraction: float,
    min_votes: int,
    max_hidden: int | None,
    r_hide: np.random.Generator,
    r_sub: np.random.Generator,
) -> _Split:
    """Hide votes of ``conv`` and pick the cells to score (a subsample of ``max_hidden``)."""
    V = np.asarray(conv.votes, dtype=np.float64)
    V_train, hidden = hide_votes(V, fraction, r_hide, min_votes=min_votes)
    rows, cols = np.nonzero(hidden)
    total = int(rows.size)
    if total == 0:
        raise GenerativeError(
            f"No vote of conversation {conv.name!r} could be hidden: no participant has more "
            f"than min_votes={min_votes} agree/disagree votes."
        )
    if max_hidden is not None and total > max_hidden:
        keep = np.sort(r_sub.choice(total, size=max_hidden, replace=False))
        rows, cols = rows[keep], cols[keep]
    authored = authored_matrix(conv) & ~hidden  # never read a hidden vote back
    return _Split(V, V_train, hidden, rows, cols, total, authored)


def _predict_embedding(
    embedder: Any,
    texts: list[str],
    split: _Split,
    fraction: float,
    min_votes: int,
    rng: np.random.Generator,
    progress: Progress,
) -> tuple[NDArray[np.float64], tuple[float, float]]:
    """``P(agree)`` of the scored cells from opinion vectors, and the calibration fitted on a
    second split of the training votes only."""
    E = np.asarray(embedder.encode(texts), dtype=np.float64)
    V_fit, held = hide_votes(split.V_train, fraction, rng, min_votes=min_votes)
    U_fit = opinion_vectors(V_fit, E, authored=split.authored & ~held)
    ci, cj = np.nonzero(held)
    calibration = fit_calibration(
        np.einsum("kd,kd->k", U_fit[ci], E[cj]), split.V_train[ci, cj] == 1.0
    )
    U = opinion_vectors(split.V_train, E, authored=split.authored)
    rater = EmbeddingRater.from_vectors(embedder, U, calibration=calibration)
    P = rater.agreement(list(range(U.shape[0])), texts)
    report(progress, split.rows.size, split.rows.size)
    return P[split.rows, split.cols], calibration


def _predict_cf(embedder: Any, texts: list[str], split: _Split, progress: Progress) -> NDArray:
    """Collaborative filtering: a rank-2 completion of the training votes (authored = agreed)."""
    V_cf = np.where(split.authored & np.isnan(split.V_train), 1.0, split.V_train)
    p = VoteRater(V_cf, texts, embedder=embedder).probabilities[split.rows, split.cols]
    report(progress, split.rows.size, split.rows.size)
    return p


def _predict_llm(
    chat_model: Any,
    conv: Any,
    split: _Split,
    n_each: int,
    rng: np.random.Generator,
    progress: Progress,
) -> NDArray[np.float64]:
    """``P(agree)`` of the scored cells from an :class:`LLMRater`, one participant at a time."""
    texts = list(conv.texts)
    rows, cols = split.rows, split.cols
    people = np.unique(rows)
    opinions = opinion_texts(
        split.V_train,
        texts,
        authored=split.authored,
        n_each=n_each,
        rng=rng,
        rows=people.tolist(),
    )
    rater = LLMRater(chat_model, opinions, question=conv.topic)
    lo, hi = rater.scale
    p = np.empty(rows.size)
    done = 0
    report(progress, 0, rows.size)
    for i in people:
        at = np.flatnonzero(rows == i)
        p[at] = (rater.rate([int(i)], [texts[j] for j in cols[at]])[0] - lo) / (hi - lo)
        done += at.size
        report(progress, done, rows.size)
    return p


def _scored(
    conv: Any,
    rater_name: str,
    split: _Split,
    p: NDArray[np.float64],
    calibration: tuple[float, float] | None,
    seconds: float,
) -> RaterValidation:
    """The :class:`RaterValidation` of predictions ``p`` of the scored cells."""
    V, rows, cols = split.V, split.rows, split.cols
    y = V[rows, cols] == 1.0
    p = np.clip(p, 0.0, 1.0)
    metrics = binary_metrics(y, p)
    p_major, label_major = majority_baseline(split.V_train)
    baselines = {
        "majority": binary_metrics(y, p_major[cols], label_major[cols]),
        "overall": binary_metrics(y, *overall_baseline(split.V_train, rows.size)),
    }
    return RaterValidation(
        conversation=conv.name,
        rater=rater_name,
        n_hidden=int(rows.size),
        n_hidden_total=split.total,
        n_votes=int((np.abs(V) == 1.0).sum()),
        n_passes=int((V == 0.0).sum()),
        n_participants=int(np.unique(rows).size),
        agree_share=float(y.mean()),
        accuracy=metrics.accuracy,
        balanced_accuracy=metrics.balanced_accuracy,
        brier=metrics.brier,
        log_loss=metrics.log_loss,
        ece=metrics.ece,
        auc=metrics.auc,
        reliability=reliability_table(y, p),
        baselines=baselines,
        calibration=calibration,
        prediction_range=(float(p.min()), float(p.max())),
        seconds=seconds,
    )


def validate_rater(
    conversation: Any,
    rater_name: str,
    *,
    fraction: float = 0.1,
    rng: np.random.Generator | int | None = None,
    max_hidden: int | None = None,
    embedder: Any = None,
    chat_model: Any = None,
    progress: Progress = None,
    min_votes: int = 5,
    n_each: int = 4,
    accepted_only: bool = True,
) -> RaterValidation:
    """Hide votes of a Polis conversation, predict them with a rater, score the predictions.

    1. :func:`hide_votes` hides ``fraction`` of each participant's agree/disagree votes
       (the same cells for every rater given the same ``rng``).
    2. Each participant is represented by the visible votes and the statements they wrote:
       ``"embedding"`` — :func:`opinion_vectors` in an :meth:`EmbeddingRater.from_vectors`,
       whose calibration ``(a, b)`` is fitted (:func:`fit_calibration`) on a second split
       of the *training* votes only (vectors from the rest, the same ``fraction`` held out),
       so the calibration sees similarities like those at test time; ``"llm"`` —
       :func:`opinion_texts` (``n_each`` agreed and disagreed statements) in an
       :class:`LLMRater` asked about the conversation's topic, both scale orders.
    3. ``P(agree) = (rating - lo) / (hi - lo)``, label ``P >= 0.5``, scored with
       :func:`binary_metrics` next to :func:`majority_baseline` and the overall agree share.

    Parameters
    ----------
    conversation : Conversation
        From :func:`socialchoice.read_polis`; moderated-out statements are dropped when
        ``accepted_only`` (as Polis does).
    rater_name : {"embedding", "llm", "cf"}
        ``"cf"``: :class:`VoteRater`, a rank-2 completion of the training votes (authored
        statements count as agreed); no model needed.
    fraction : float in (0, 1)
    rng : numpy.random.Generator, int or None
    max_hidden : int, optional
        Score a random subsample of this many hidden votes (an LLM rating costs two forward
        passes); the baselines use the same subsample.
    embedder, chat_model : objects from :mod:`lm`
        ``embedder`` for ``"embedding"``, ``chat_model`` for ``"llm"``.
    progress : callable(done, total), optional
        Called as votes are rated.
    min_votes, n_each : int
        See :func:`hide_votes` and :func:`opinion_texts`.
    accepted_only : bool

    Returns
    -------
    RaterValidation

    Raises
    ------
    GenerativeError
        Unknown rater, missing model, bad parameters, or no vote to hide.

    References
    ----------
    .. [1] S. Fish et al., 'Generative Social Choice', arXiv:2309.01291 (2023), §5 (raters
       checked against participants' own answers).
    .. [2] C. Small et al., 'Polis', Recerca 26(2), 2021 (the conversations and votes).

    Examples
    --------
    >>> from socialchoice.bridging import read_polis, shipped_conversations
    >>> conv = read_polis(shipped_conversations()["brexit-consensus"])
    >>> res = validate_rater(conv, "embedding", rng=0, embedder=embedder)  # doctest: +SKIP
    >>> res.accuracy, res.baselines["majority"].accuracy                  # doctest: +SKIP
    (0.71, 0.73)
    """
    model = _check_request(rater_name, embedder, chat_model, max_hidden, progress)
    started = time.perf_counter()
    conv = conversation.accepted() if accepted_only else conversation
    r_hide, r_cal, r_sub, r_text = check_rng(rng, "validate_rater", error=GenerativeError).spawn(4)
    split = _split(conv, fraction, min_votes, max_hidden, r_hide, r_sub)
    calibration = None
    if rater_name == "cf":
        p = _predict_cf(embedder, list(conv.texts), split, progress)
    elif rater_name == "embedding":
        p, calibration = _predict_embedding(
            model, list(conv.texts), split, fraction, min_votes, r_cal, progress
        )
    else:
        p = _predict_llm(model, conv, split, n_each, r_text, progress)
    return _scored(conv, rater_name, split, p, calibration, time.perf_counter() - started)
