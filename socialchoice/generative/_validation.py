"""Raters validated against real people: predict hidden Polis votes from the other votes.

A random part of each participant's agree/disagree votes is hidden (:func:`hide_votes`); a
rater (:class:`EmbeddingRater` or :class:`LLMRater`) sees only the participant's remaining
votes (and the statements they wrote) and rates the statements whose votes were hidden.
:func:`validate_rater` turns the ratings into ``P(agree) = (rating - lo) / (hi - lo)`` and
scores them against the hidden votes (accuracy, balanced accuracy, Brier score, log loss,
expected calibration error, AUC), next to two baselines that use the same training votes:
each statement's majority, and the overall agree share. Passes are never targets.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import rankdata

from .._errors import GenerativeError, VoteMatrixError
from ._cf_rater import VoteRater
from ._raters import EmbeddingRater, LLMRater, fit_calibration

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
_REF_POLIS = (
    "C. Small, M. Bjorkegren, T. Erkkilä, L. Shaw, C. Megill, 'Polis: Scaling deliberation by "
    "mapping high dimensional opinion spaces', Recerca 26(2), 2021"
)


# ------------------------------------------------------------------------------ inputs
def _as_votes(V: ArrayLike, func: str) -> NDArray[np.float64]:
    try:
        V = np.array(V, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise VoteMatrixError(
            f"The 'V' parameter of {func} must be an (n, m) vote matrix of numbers; {exc}"
        ) from None
    if V.ndim != 2:
        raise VoteMatrixError(
            f"The 'V' parameter of {func} must be a 2-dimensional (participants, statements) "
            f"vote matrix. Got an array of shape {V.shape} instead."
        )
    bad = ~(np.isnan(V) | np.isin(V, (-1.0, 0.0, 1.0)))
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        raise VoteMatrixError(
            f"The 'V' parameter of {func} must hold +1 (agree), -1 (disagree), 0 (pass) or NaN "
            f"(unseen); row {row}, column {col} is {V[row, col]:g}."
        )
    return V


def _as_authored(authored: ArrayLike | None, shape: tuple[int, int], func: str) -> NDArray:
    if authored is None:
        return np.zeros(shape, dtype=bool)
    A = np.asarray(authored, dtype=bool)
    if A.shape != shape:
        raise VoteMatrixError(
            f"The 'authored' parameter of {func} must be a boolean matrix of the vote matrix's "
            f"shape {shape}. Got shape {A.shape} instead."
        )
    return A


def _check_fraction(fraction: object, func: str) -> float:
    if (
        isinstance(fraction, bool)
        or not isinstance(fraction, (int, float))
        or not (0.0 < float(fraction) < 1.0)
    ):
        raise GenerativeError(
            f"The 'fraction' parameter of {func} must be a float in (0, 1). "
            f"Got {fraction!r} instead."
        )
    return float(fraction)


def _check_count(value: object, name: str, func: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise GenerativeError(
            f"The '{name}' parameter of {func} must be an int >= {low}. Got {value!r} instead."
        )
    return int(value)


# ------------------------------------------------------------------------------ hiding
def hide_votes(
    V: ArrayLike,
    fraction: float = 0.1,
    rng: np.random.Generator | int | None = None,
    *,
    min_votes: int = 5,
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Hide a random part of each participant's agree/disagree votes.

    A participant with ``c`` agree/disagree votes and ``c > min_votes`` hides
    ``floor(fraction * c)`` of them plus one more with probability equal to the fractional
    part (so ``fraction`` of the votes in expectation), but never so many that fewer than
    ``min_votes`` stay visible. Others hide nothing. Passes (0) and unseen cells are never
    hidden.

    Parameters
    ----------
    V : array_like, shape (n, m)
        +1 agree, -1 disagree, 0 pass, NaN unseen.
    fraction : float in (0, 1)
    rng : numpy.random.Generator, int or None
    min_votes : int >= 0
        Agree/disagree votes every participant keeps visible (participants with at most this
        many hide none).

    Returns
    -------
    V_train : ndarray, shape (n, m)
        ``V`` with the hidden cells set to NaN.
    hidden : ndarray of bool, shape (n, m)
        The hidden cells.

    References
    ----------
    .. [1] The usual held-out evaluation of collaborative filtering: J. L. Herlocker,
       J. A. Konstan, L. G. Terveen, J. T. Riedl, 'Evaluating collaborative filtering
       recommender systems', ACM TOIS 22(1), 2004, §3.

    Examples
    --------
    >>> V = np.array([[1, -1, 1, 1, -1, 1, 0, np.nan], [1, 1, np.nan, 0, 0, 0, 0, 0]])
    >>> V_train, hidden = hide_votes(V, 0.5, rng=0, min_votes=2)
    >>> hidden.sum(axis=1).tolist()          # row 1 has only two agree/disagree votes
    [3, 0]
    >>> bool(np.isin(V[hidden], (-1, 1)).all() and np.isnan(V_train[hidden]).all())
    True
    """
    V = _as_votes(V, "hide_votes")
    fraction = _check_fraction(fraction, "hide_votes")
    min_votes = _check_count(min_votes, "min_votes", "hide_votes", 0)
    rng = np.random.default_rng(rng)
    n, m = V.shape
    votes = np.abs(V) == 1.0  # NaN compares False
    count = votes.sum(axis=1)
    quota = np.floor(fraction * count)
    quota += rng.random(n) < fraction * count - quota
    quota = np.where(count > min_votes, np.minimum(quota, count - min_votes), 0).astype(np.int64)
    keys = np.where(votes, rng.random((n, m)), np.inf)  # random order of each row's votes
    rank = np.empty((n, m), dtype=np.int64)
    rank[np.arange(n)[:, None], np.argsort(keys, axis=1, kind="stable")] = np.arange(m)
    hidden = votes & (rank < quota[:, None])
    V_train = V.copy()
    V_train[hidden] = np.nan
    return V_train, hidden


# ------------------------------------------------------------------------------ representations
def authored_matrix(conversation: Any) -> NDArray[np.bool_]:
    """``(n, m)`` boolean matrix: participant ``i`` wrote statement ``j``.

    Parameters
    ----------
    conversation : Conversation
        From :func:`socialchoice.read_polis`.

    References
    ----------
    .. [1] C. Small et al., 'Polis: Scaling deliberation by mapping high dimensional opinion
       spaces', Recerca 26(2), 2021, §2 (participants write the statements).

    Examples
    --------
    >>> from socialchoice.bridging import read_polis, shipped_conversations
    >>> conv = read_polis(shipped_conversations()["15-per-hour-seattle"]).accepted()
    >>> A = authored_matrix(conv)
    >>> A.shape, int(A.sum())
    ((339, 31), 31)
    """
    pids = np.asarray(conversation.participant_ids)
    authors = np.array([s.author_id for s in conversation.statements], dtype=np.int64)
    return pids[:, None] == authors[None, :]


def _agree_disagree(V: NDArray, authored: NDArray) -> tuple[NDArray, NDArray]:
    """Agreed cells (visible +1, or authored and not voted on) and disagreed cells."""
    return (V == 1.0) | (authored & np.isnan(V)), V == -1.0


def opinion_vectors(
    V_train: ArrayLike,
    statement_vectors: ArrayLike,
    *,
    authored: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """Each participant's opinion as a unit vector: mean agreed minus mean disagreed statement.

    Statements a participant wrote count as agreed when the participant has no visible vote
    on them (a visible vote, e.g. a pass, wins; pass ``authored & ~hidden`` so that a hidden
    vote is not read back through authorship). Participants without agree/disagree
    information get the zero vector.

    Parameters
    ----------
    V_train : array_like, shape (n, m)
    statement_vectors : array_like, shape (m, d)
        Statement embeddings (unit norm).
    authored : array_like of bool, shape (n, m), optional

    Returns
    -------
    ndarray, shape (n, d)

    References
    ----------
    .. [1] J. J. Rocchio, 'Relevance feedback in information retrieval', in The SMART
       Retrieval System, 1971 (a profile as the centroid of liked minus disliked items).

    Examples
    --------
    >>> E = np.eye(3)
    >>> opinion_vectors([[1, -1, np.nan], [np.nan, np.nan, 0]], E).round(3).tolist()
    [[0.707, -0.707, 0.0], [0.0, 0.0, 0.0]]
    """
    V = _as_votes(V_train, "opinion_vectors")
    E = np.asarray(statement_vectors, dtype=np.float64)
    if E.ndim != 2 or E.shape[0] != V.shape[1]:
        raise GenerativeError(
            "The 'statement_vectors' parameter of opinion_vectors must have one row per "
            f"statement (column of V, {V.shape[1]}). Got shape {E.shape} instead."
        )
    agree, disagree = _agree_disagree(V, _as_authored(authored, V.shape, "opinion_vectors"))
    na = agree.sum(axis=1, keepdims=True)
    nd = disagree.sum(axis=1, keepdims=True)
    U = agree @ E / np.maximum(na, 1) - disagree @ E / np.maximum(nd, 1)
    norm = np.linalg.norm(U, axis=1, keepdims=True)
    return U / np.where(norm > 0, norm, 1.0)


def _opinion_vectors_reference(V: NDArray, E: NDArray, authored: NDArray) -> NDArray:
    """Slow reference of :func:`opinion_vectors`: one participant at a time."""
    out = np.zeros((V.shape[0], E.shape[1]))
    for i in range(V.shape[0]):
        liked = [
            E[j]
            for j in range(V.shape[1])
            if V[i, j] == 1 or (authored[i, j] and np.isnan(V[i, j]))
        ]
        disliked = [E[j] for j in range(V.shape[1]) if V[i, j] == -1]
        u = np.zeros(E.shape[1])
        if liked:
            u += np.mean(liked, axis=0)
        if disliked:
            u -= np.mean(disliked, axis=0)
        if np.linalg.norm(u) > 0:
            out[i] = u / np.linalg.norm(u)
    return out


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text[-1:] in ".!?" else text + "."


def opinion_texts(
    V_train: ArrayLike,
    statements: Sequence[str],
    *,
    authored: ArrayLike | None = None,
    n_each: int = 4,
    rng: np.random.Generator | int | None = None,
    rows: Sequence[int] | None = None,
) -> dict[int, str]:
    """Each participant's opinion as a short text built from their visible votes.

    Up to ``n_each`` agreed statements (authored ones count, as in :func:`opinion_vectors`)
    and ``n_each`` disagreed ones, drawn at random with ``rng``, in column order:
    ``"I agree: <statement> I disagree: <statement>"``. Participants without any
    agree/disagree information are left out.

    Parameters
    ----------
    V_train : array_like, shape (n, m)
    statements : sequence of str, length m
    authored : array_like of bool, shape (n, m), optional
    n_each : int >= 1
    rng : numpy.random.Generator, int or None
    rows : sequence of int, optional
        Only these participants (default: all).

    Returns
    -------
    dict
        Row index -> opinion text.

    References
    ----------
    .. [1] S. Fish et al., 'Generative Social Choice', arXiv:2309.01291 (2023), §5 (an
       agent is represented to the LLM by its own answers).

    Examples
    --------
    >>> V = [[1, -1, np.nan], [np.nan, np.nan, 0]]
    >>> opinion_texts(V, ["Raise it", "Keep it", "Ask again"], rng=0)
    {0: 'I agree: Raise it. I disagree: Keep it.'}
    """
    V = _as_votes(V_train, "opinion_texts")
    texts = list(statements)
    if len(texts) != V.shape[1]:
        raise GenerativeError(
            f"The 'statements' parameter of opinion_texts must have one text per column of V "
            f"({V.shape[1]}). Got {len(texts)} instead."
        )
    n_each = _check_count(n_each, "n_each", "opinion_texts", 1)
    agree, disagree = _agree_disagree(V, _as_authored(authored, V.shape, "opinion_texts"))
    rng = np.random.default_rng(rng)
    out: dict[int, str] = {}
    for i in range(V.shape[0]) if rows is None else rows:
        parts = []
        for mask, verb in ((agree[i], "I agree"), (disagree[i], "I disagree")):
            cols = np.flatnonzero(mask)
            picked = np.sort(rng.permutation(cols)[:n_each])
            parts += [f"{verb}: {_sentence(texts[j])}" for j in picked]
        if parts:
            out[int(i)] = " ".join(parts)
    return out


# ------------------------------------------------------------------------------ metrics
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
    bins = _check_count(bins, "bins", "reliability_table", 1)
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


# ------------------------------------------------------------------------------ baselines
def majority_baseline(V_train: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Each statement's majority among the training votes (the majority-vote baseline).

    ``P(agree) = (agrees + 1) / (agrees + disagrees + 2)`` of the statement (passes not
    counted); the predicted label is the statement's majority, ties broken by the majority
    of all training votes (ties there: agree).

    Parameters
    ----------
    V_train : array_like, shape (n, m)

    Returns
    -------
    p_agree : ndarray of float, shape (m,)
    predicted : ndarray of bool, shape (m,)

    References
    ----------
    .. [1] C. Small et al., 'Polis', Recerca 26(2), 2021, §3 (the same add-one smoothing of
       agree shares).

    Examples
    --------
    >>> V = [[1, -1, 1], [1, 1, -1], [-1, np.nan, 0]]
    >>> p, predicted = majority_baseline(V)
    >>> p.round(3).tolist(), predicted.tolist()
    ([0.6, 0.5, 0.5], [True, True, True])
    """
    V = _as_votes(V_train, "majority_baseline")
    agrees = (V == 1.0).sum(axis=0)
    disagrees = (V == -1.0).sum(axis=0)
    overall = agrees.sum() >= disagrees.sum()
    p = (agrees + 1.0) / (agrees + disagrees + 2.0)
    return p, np.where(agrees == disagrees, overall, agrees > disagrees)


def _overall_baseline(V: NDArray, size: int) -> tuple[NDArray, NDArray]:
    agrees, disagrees = (V == 1.0).sum(), (V == -1.0).sum()
    share = agrees / max(agrees + disagrees, 1)
    return np.full(size, share), np.full(size, agrees >= disagrees)


# ------------------------------------------------------------------------------ validation
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


def _rng_streams(rng: np.random.Generator | int | None, k: int) -> list[np.random.Generator]:
    return list(np.random.default_rng(rng).spawn(k))


def validate_rater(
    conversation: Any,
    rater_name: str,
    *,
    fraction: float = 0.1,
    rng: np.random.Generator | int | None = None,
    max_hidden: int | None = None,
    embedder: Any = None,
    chat_model: Any = None,
    progress: Callable[[int, int], None] | None = None,
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
    func = "validate_rater"
    if rater_name not in RATERS:
        raise GenerativeError(
            f"The 'rater_name' parameter of {func} must be one of {RATERS}. "
            f"Got {rater_name!r} instead."
        )
    model = embedder if rater_name == "embedding" else chat_model
    needed = "embedder" if rater_name == "embedding" else "chat_model"
    if model is None and rater_name != "cf":
        raise GenerativeError(
            f"{func} with rater_name={rater_name!r} needs the '{needed}' parameter (for "
            f"example lm.load_{needed}())."
        )
    if max_hidden is not None:
        max_hidden = _check_count(max_hidden, "max_hidden", func, 1)
    if progress is not None and not callable(progress):
        raise GenerativeError(f"progress must be callable or None. Got {progress!r} instead.")
    started = time.perf_counter()
    conv = conversation.accepted() if accepted_only else conversation
    V = np.asarray(conv.votes, dtype=np.float64)
    texts = list(conv.texts)
    r_hide, r_cal, r_sub, r_text = _rng_streams(rng, 4)
    V_train, hidden = hide_votes(V, fraction, r_hide, min_votes=min_votes)
    rows, cols = np.nonzero(hidden)
    total = rows.size
    if total == 0:
        raise GenerativeError(
            f"No vote of conversation {conv.name!r} could be hidden: no participant has more "
            f"than min_votes={min_votes} agree/disagree votes."
        )
    if max_hidden is not None and total > max_hidden:
        keep = np.sort(r_sub.choice(total, size=max_hidden, replace=False))
        rows, cols = rows[keep], cols[keep]
    authored = authored_matrix(conv) & ~hidden  # never read a hidden vote back
    y = V[rows, cols] == 1.0
    calibration = None
    if rater_name == "cf":  # collaborative filtering: the votes themselves, rank 2
        V_cf = np.where(authored & np.isnan(V_train), 1.0, V_train)
        p = VoteRater(V_cf, texts, embedder=embedder).probabilities[rows, cols]
        if progress is not None:
            progress(rows.size, rows.size)
    elif rater_name == "embedding":
        E = np.asarray(model.encode(texts), dtype=np.float64)
        V_fit, held = hide_votes(V_train, fraction, r_cal, min_votes=min_votes)
        U_fit = opinion_vectors(V_fit, E, authored=authored & ~held)
        ci, cj = np.nonzero(held)
        calibration = fit_calibration(
            np.einsum("kd,kd->k", U_fit[ci], E[cj]), V_train[ci, cj] == 1.0
        )
        U = opinion_vectors(V_train, E, authored=authored)
        rater = EmbeddingRater.from_vectors(model, U, calibration=calibration)
        P = rater.agreement(list(range(U.shape[0])), texts)
        p = P[rows, cols]
        if progress is not None:
            progress(rows.size, rows.size)
    else:
        people = np.unique(rows)
        opinions = opinion_texts(
            V_train, texts, authored=authored, n_each=n_each, rng=r_text, rows=people.tolist()
        )
        rater = LLMRater(model, opinions, question=conv.topic)
        lo, hi = rater.scale
        p = np.empty(rows.size)
        done = 0
        for i in people:
            at = np.flatnonzero(rows == i)
            p[at] = (rater.rate([int(i)], [texts[j] for j in cols[at]])[0] - lo) / (hi - lo)
            done += at.size
            if progress is not None:
                progress(done, rows.size)
    p = np.clip(p, 0.0, 1.0)
    metrics = binary_metrics(y, p)
    p_major, label_major = majority_baseline(V_train)
    baselines = {
        "majority": binary_metrics(y, p_major[cols], label_major[cols]),
        "overall": binary_metrics(y, *_overall_baseline(V_train, rows.size)),
    }
    return RaterValidation(
        conversation=conv.name,
        rater=rater_name,
        n_hidden=int(rows.size),
        n_hidden_total=int(total),
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
        seconds=time.perf_counter() - started,
    )


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
