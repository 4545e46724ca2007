"""A rater from people's own votes: low-rank completion of the agree/disagree matrix.

People's votes predict their other votes far better than text does: on the shipped Polis
conversations a rank-2 completion of the vote matrix beats the statements' majorities,
where the embedding and language-model raters fall below them (``benchmarks/RESULTS.md``).
:func:`complete_votes` fills the unseen cells by iterative SVD ("hard impute"); a
:class:`VoteRater` rates the voted statements from the completed matrix and a statement
nobody voted on from the completed columns of the voted statements nearest to it in a
sentence-embedding space (the side information). :func:`vote_utilities` turns a vote
matrix into the utility matrix a slate is built from, filling unseen cells this way.
numpy only.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from _common.validation import check_choice, check_float, check_int, check_vote_matrix

from .._errors import GenerativeError, VoteMatrixError
from ._slate import as_scale

__all__ = ["VoteRater", "agree_probabilities", "complete_votes", "vote_utilities"]


def complete_votes(
    votes: ArrayLike, rank: int = 2, *, max_iter: int = 200, tol: float = 1e-5
) -> NDArray[np.float64]:
    """Fill the unseen cells of a vote matrix with a rank-``rank`` iterative SVD completion.

    Unseen cells (NaN) start at their statement's mean vote (0 for a statement nobody
    voted on). Each iteration takes the column-centred matrix's best rank-``rank``
    approximation (truncated SVD), adds the column means back and puts it into the unseen
    cells only, until the filled matrix changes by less than ``tol`` (relative Frobenius
    norm) or after ``max_iter`` iterations. Seen cells keep their votes; filled cells are
    clipped to ``[-1, 1]`` (an expected vote; above 0 leans agree).

    Parameters
    ----------
    votes : array_like of shape (n, m)
        +1 agree, -1 disagree, 0 pass, NaN unseen.
    rank : int >= 1
        Rank of the approximation (at most ``min(n, m)`` is used).
    max_iter : int >= 1
    tol : float > 0

    Returns
    -------
    ndarray of shape (n, m)
        The votes with every unseen cell filled.

    Raises
    ------
    VoteMatrixError
        ``votes`` is not a vote matrix.
    GenerativeError
        ``votes`` is empty, or ``rank``, ``max_iter`` or ``tol`` is out of range.

    References
    ----------
    .. [1] R. Mazumder, T. Hastie and R. Tibshirani, 'Spectral regularization algorithms
       for learning large incomplete matrices', JMLR 11 (2010), 2287-2322 (iterative SVD
       imputation; the rank-constrained "hard impute" variant, §8).
    .. [2] O. Troyanskaya et al., 'Missing value estimation methods for DNA microarrays',
       Bioinformatics 17(6), 2001 (SVDimpute).

    Examples
    --------
    Two camps; agent 3 agreed with camp A on statement 0, so it is filled as camp A:

    >>> nan = float("nan")
    >>> V = [[1, 1, -1, -1], [1, 1, -1, -1], [-1, -1, 1, 1], [1, nan, nan, -1]]
    >>> complete_votes(V, rank=1)[3].round(2).tolist()
    [1.0, 1.0, -1.0, -1.0]
    """
    func = "complete_votes"
    V = check_vote_matrix(votes, "votes", func, error=VoteMatrixError)
    n, m = V.shape
    if n == 0 or m == 0:
        raise GenerativeError(
            f"The 'votes' parameter of {func} must have at least one participant and one "
            f"statement. Got shape {V.shape} instead."
        )
    rank = min(check_int(rank, "rank", func, 1, error=GenerativeError), n, m)
    max_iter = check_int(max_iter, "max_iter", func, 1, error=GenerativeError)
    tol = check_float(tol, "tol", func, 0.0, low_open=True, error=GenerativeError)
    seen = ~np.isnan(V)
    counts = seen.sum(axis=0)
    start = np.where(seen, V, 0.0).sum(axis=0) / np.maximum(counts, 1)
    X = np.where(seen, V, start)
    for _ in range(max_iter):
        mu = X.mean(axis=0)
        low = _truncate(X - mu, rank) + mu
        filled = np.where(seen, V, np.clip(low, -1.0, 1.0))
        change = np.linalg.norm(filled - X) / max(float(np.linalg.norm(X)), 1e-12)
        X = filled
        if change < tol:
            break
    return X


def _truncate(X: NDArray[np.float64], rank: int) -> NDArray[np.float64]:
    """The best rank-``rank`` approximation of ``X`` (Eckart-Young), via the smaller Gram matrix.

    Projecting onto the top eigenvectors of ``X^T X`` (or ``X X^T``) equals the truncated
    SVD and costs one small symmetric eigenproblem instead of a full SVD.
    """
    if X.shape[1] <= X.shape[0]:
        _, vectors = np.linalg.eigh(X.T @ X)
        top = vectors[:, -rank:]
        return (X @ top) @ top.T
    _, vectors = np.linalg.eigh(X @ X.T)
    top = vectors[:, -rank:]
    return top @ (top.T @ X)


def _fit_logistic(x: NDArray[np.float64], y: NDArray[np.bool_]) -> tuple[float, float]:
    """``(a, b)`` of ``P(y) = sigmoid(a x + b)`` by Newton's method (tiny ridge: finite)."""
    X = np.column_stack([x, np.ones_like(x)])
    w = np.zeros(2)
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(X @ w)))
        gradient = X.T @ (p - y) + 1e-3 * w
        hessian = (X * (p * (1 - p))[:, None]).T @ X + 1e-3 * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    return float(w[0]), float(w[1])


def agree_probabilities(
    votes: ArrayLike, rank: int = 2, *, calibrate: bool = True
) -> tuple[NDArray[np.float64], tuple[float, float] | None]:
    """``P(agree)`` of every cell from a rank-``rank`` completion, and the calibration used.

    A seen vote is its own probability (agree 1, pass 0.5, disagree 0). An unseen cell gets
    ``sigmoid(a x + b)`` of its completed vote ``x``, where ``(a, b)`` is fitted by logistic
    regression on 10% of the agree/disagree votes hidden from a second completion (a fixed
    seed: the result is deterministic), so that a completed vote reads as a calibrated
    probability; with fewer than 20 such votes or one class only (or ``calibrate=False``)
    ``P = (x + 1) / 2`` and the calibration is ``None``.

    Parameters
    ----------
    votes : array_like of shape (n, m)
        +1 agree, -1 disagree, 0 pass, NaN unseen.
    rank : int >= 1
    calibrate : bool

    Returns
    -------
    probabilities : ndarray of shape (n, m)
    calibration : (float, float) or None

    References
    ----------
    .. [1] J. Platt, 'Probabilistic outputs for support vector machines and comparisons to
       regularized likelihood methods', in Advances in Large Margin Classifiers, 1999.

    Examples
    --------
    >>> nan = float("nan")
    >>> P, cal = agree_probabilities([[1, 1, -1], [1, 1, -1], [-1, -1, 1], [1, nan, nan]], 1)
    >>> P[3].round(2).tolist(), cal
    ([1.0, 1.0, 0.0], None)
    """
    V = check_vote_matrix(votes, "votes", "agree_probabilities", error=VoteMatrixError)
    X = complete_votes(V, rank)
    seen = ~np.isnan(V)
    calibration = None
    cells = np.argwhere(np.abs(V) == 1.0)
    held = int(0.1 * len(cells))
    if calibrate and held >= 20:
        pick = cells[np.random.default_rng(0).choice(len(cells), held, replace=False)]
        train = V.copy()
        train[pick[:, 0], pick[:, 1]] = np.nan
        x = complete_votes(train, rank)[pick[:, 0], pick[:, 1]]
        y = V[pick[:, 0], pick[:, 1]] == 1.0
        if 0 < y.sum() < y.size:
            calibration = _fit_logistic(x, y)
    if calibration is None:
        unseen = (X + 1.0) / 2.0
    else:
        a, b = calibration
        unseen = 1.0 / (1.0 + np.exp(-(a * X + b)))
    return np.where(seen, (np.nan_to_num(V) + 1.0) / 2.0, unseen), calibration


def _unit(M: NDArray[np.float64]) -> NDArray[np.float64]:
    norms = np.linalg.norm(M, axis=-1, keepdims=True)
    return M / np.where(norms > 0, norms, 1.0)


class VoteRater:
    """Rate statements by collaborative filtering on the agents' own agree/disagree votes.

    The vote matrix is completed by :func:`complete_votes` (rank ``rank``); an agent's
    probability of agreeing with a voted statement is ``(x + 1) / 2`` for the completed
    (expected) vote ``x`` — or, calibrated on held-out votes, ``sigmoid(a x + b)``
    (:func:`agree_probabilities`) — and its rating ``lo + (hi - lo) * P(agree)``. A statement with
    no votes — a new text, or a column nobody voted on — takes the weighted mean of the
    completed columns of the ``neighbours`` voted statements most similar to it by the
    cosine of their sentence embeddings (weights ``exp(cosine / temperature)``): the side
    information that lets the rater judge statements written after the vote, e.g. by a
    language model. Without an ``embedder`` such statements raise.

    Sentence embeddings measure topic more than stance ("Leave" and "Remain" statements are
    close), so the defaults (every voted statement, temperature 1) lean on the agent's
    overall agreement and only tilt it towards similar statements; on the shipped Polis
    conversations this matches each participant's own agree share and sharper settings
    (5 nearest, temperature 0.1) do worse (``benchmarks/RESULTS.md``).

    Parameters
    ----------
    votes : array_like of shape (n, m)
        +1 agree, -1 disagree, 0 pass, NaN unseen; rows are agents ``ids``.
    statements : sequence of str
        The text of each column (a repeated text rates as its first column).
    embedder : object with ``encode(texts)``, optional
        Sentence embeddings for statements without votes (e.g. ``lm.load_embedder()``).
    rank : int
        Rank of the completion.
    neighbours : int >= 1, optional
        Voted statements averaged for a statement without votes (default: all).
    temperature : float > 0
        Of the weights ``exp(cosine / temperature)``.
    calibrate : bool
        Read completed votes as probabilities with a logistic fit on held-out votes
        (:func:`agree_probabilities`); else ``(x + 1) / 2``.
    ids : sequence of hashable, optional
        Agent ids, one per row (default ``0..n-1``).
    scale : (float, float)
        The rating scale (0--6, as in Fish et al.'s pilot).

    Attributes
    ----------
    probabilities : ndarray of shape (n, m)
        ``P(agree)`` of every agent for every voted statement (seen votes: 1, 0.5 or 0).
    calibration : (float, float) or None
        ``(a, b)`` of ``P = sigmoid(a x + b)`` for a completed vote ``x``, if fitted.

    References
    ----------
    .. [1] R. Mazumder, T. Hastie and R. Tibshirani, 'Spectral regularization algorithms
       for learning large incomplete matrices', JMLR 11 (2010).
    .. [2] S. Fish et al., 'Generative Social Choice', arXiv:2309.01291 (2023), §2
       (the discriminative query this rater answers).

    Examples
    --------
    >>> nan = float("nan")
    >>> V = [[1, 1, -1], [1, 1, -1], [-1, -1, 1], [1, nan, nan]]
    >>> rater = VoteRater(V, ["tax less", "spend less", "spend more"], rank=1)
    >>> rater.rate([3], ["spend less", "spend more"]).round(1).tolist()
    [[6.0, 0.0]]
    >>> class Toy:  # "spend" texts close together, "tax" apart
    ...     def encode(self, texts):
    ...         return np.array([[t.count("spend") + 0.1, t.count("tax") + 0.1] for t in texts])
    >>> rater = VoteRater(V, ["tax less", "spend less", "spend more"], embedder=Toy(), rank=1,
    ...                   neighbours=1)
    >>> rater.rate([0, 2], ["tax cuts now"]).round(1).tolist()   # rated like "tax less"
    [[6.0], [0.0]]
    """

    def __init__(
        self,
        votes: ArrayLike,
        statements: Sequence[str],
        *,
        embedder: Any = None,
        rank: int = 2,
        neighbours: int | None = None,
        temperature: float = 1.0,
        calibrate: bool = True,
        ids: Sequence[Hashable] | None = None,
        scale: tuple[float, float] = (0.0, 6.0),
    ) -> None:
        func = "VoteRater"
        probabilities, self.calibration = agree_probabilities(votes, rank, calibrate=calibrate)
        n, m = probabilities.shape
        texts = list(statements) if not isinstance(statements, str) else [statements]
        if len(texts) != m or not all(isinstance(t, str) and t.strip() for t in texts):
            raise GenerativeError(
                f"The 'statements' parameter of {func} must hold one non-empty text per column "
                f"of votes ({m}). Got {len(texts)} entries instead."
            )
        agents = list(range(n)) if ids is None else list(ids)
        if len(agents) != n or len(set(agents)) != n:
            raise GenerativeError(
                f"The 'ids' parameter of {func} must hold {n} distinct agent ids, one per row "
                f"of votes. Got {len(agents)} ids ({len(set(agents))} distinct) instead."
            )
        self.scale = as_scale(scale)
        self.embedder = embedder
        self.neighbours = (
            None
            if neighbours is None
            else check_int(neighbours, "neighbours", func, 1, error=GenerativeError)
        )
        self.temperature = check_float(
            temperature, "temperature", func, 0.0, low_open=True, error=GenerativeError
        )
        self.probabilities = probabilities
        self.probabilities.flags.writeable = False
        self._row = {a: i for i, a in enumerate(agents)}
        voted = ~np.isnan(np.asarray(votes, dtype=np.float64)).all(axis=0)
        self._column = {}
        for j, t in enumerate(texts):
            if voted[j]:
                self._column.setdefault(t, j)
        self._texts = texts
        self._voted = np.flatnonzero(voted)
        self._vectors: NDArray[np.float64] | None = None

    def _rows(self, agent_ids: Sequence[Hashable]) -> NDArray[np.intp]:
        missing = [a for a in agent_ids if a not in self._row]
        if missing:
            raise GenerativeError(
                f"Unknown agent id {missing[0]!r}: the rater knows {len(self._row)} agents "
                f"(ids such as {list(self._row)[:3]!r})."
            )
        return np.array([self._row[a] for a in agent_ids], dtype=np.intp)

    def _side_information(self, texts: list[str]) -> NDArray[np.float64]:
        """``P(agree)`` columns ``(n, len(texts))`` for statements without votes."""
        if self.embedder is None or self._voted.size == 0:
            why = "no embedder was given" if self.embedder is None else "nobody voted at all"
            raise GenerativeError(
                f"VoteRater cannot rate {texts[0]!r}: nobody voted on it and {why}. Pass "
                "embedder= (e.g. lm.load_embedder()) to rate statements by their similarity "
                "to the voted ones."
            )
        if self._vectors is None:
            voted = [self._texts[j] for j in self._voted]
            self._vectors = _unit(np.asarray(self.embedder.encode(voted), dtype=np.float64))
        cos = _unit(np.asarray(self.embedder.encode(texts), dtype=np.float64)) @ self._vectors.T
        near = np.argsort(-cos, axis=1, kind="stable")[:, : self.neighbours]
        weights = np.exp(np.take_along_axis(cos, near, axis=1) / self.temperature)
        weights /= weights.sum(axis=1, keepdims=True)
        P = self.probabilities[:, self._voted]
        return np.clip(np.einsum("nqk,qk->nq", P[:, near], weights), 0.0, 1.0)

    def agreement(
        self, agent_ids: Sequence[Hashable], statements: Sequence[str]
    ) -> NDArray[np.float64]:
        """``P(agree)`` of shape ``(len(agent_ids), len(statements))``."""
        if isinstance(statements, str):
            raise GenerativeError("statements must be a list of texts, not a single str.")
        rows = self._rows(list(agent_ids))
        texts = list(statements)
        out = np.empty((rows.size, len(texts)))
        known = [j for j, t in enumerate(texts) if t in self._column]
        new = [j for j, t in enumerate(texts) if t not in self._column]
        out[:, known] = self.probabilities[rows[:, None], [self._column[texts[j]] for j in known]]
        if new:
            out[:, new] = self._side_information([texts[j] for j in new])[rows]
        return out

    def rate(self, agent_ids: Sequence[Hashable], statements: Sequence[str]) -> NDArray[np.float64]:
        """Ratings on ``scale``, shape ``(len(agent_ids), len(statements))``."""
        lo, hi = self.scale
        return lo + (hi - lo) * self.agreement(agent_ids, statements)

    def __repr__(self) -> str:
        n, m = self.probabilities.shape
        return f"VoteRater({n} agents, {m} statements, {self._voted.size} voted on)"


def vote_utilities(
    votes: ArrayLike,
    *,
    fill: str = "cf",
    rank: int = 2,
    scale: tuple[float, float] = (0.0, 6.0),
) -> NDArray[np.float64]:
    """The agents' utilities for the statements, from agree/disagree votes.

    A seen vote maps onto ``scale``: agree to ``hi``, disagree to ``lo``, pass to the
    middle. An unseen cell is the agent's predicted vote (``fill="cf"``, the default: the
    :class:`VoteRater`'s ``lo + (hi - lo) * P(agree)`` from a rank-``rank`` completion,
    calibrated by :func:`agree_probabilities`), or
    the middle of the scale (``fill="neutral"``, as if the agent had passed).

    Parameters
    ----------
    votes : array_like of shape (n, m)
        +1 agree, -1 disagree, 0 pass, NaN unseen.
    fill : {"cf", "neutral"}
    rank : int
    scale : (float, float)

    Returns
    -------
    ndarray of shape (n, m)

    Raises
    ------
    VoteMatrixError
        ``votes`` is not a vote matrix.
    GenerativeError
        ``fill``, ``rank`` or ``scale`` is invalid.

    Examples
    --------
    >>> nan = float("nan")
    >>> V = [[1, 1, -1], [1, 1, -1], [-1, -1, 1], [1, nan, nan]]
    >>> vote_utilities(V, rank=1).round(1).tolist()[3]
    [6.0, 6.0, 0.0]
    >>> vote_utilities(V, fill="neutral")[3].tolist()
    [6.0, 3.0, 3.0]
    """
    fill = check_choice(fill, "fill", "vote_utilities", ("cf", "neutral"), error=GenerativeError)
    lo, hi = as_scale(scale)
    V = check_vote_matrix(votes, "votes", "vote_utilities", error=VoteMatrixError)
    if fill == "cf":
        P = agree_probabilities(V, rank)[0]
    else:
        P = (np.nan_to_num(V, nan=0.0) + 1.0) / 2.0
    return lo + (hi - lo) * P
