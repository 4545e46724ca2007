"""Participants represented by their own votes: as opinion vectors or as short texts.

What a rater sees of a participant when :func:`~socialchoice.generative.validate_rater`
predicts the participant's hidden votes: the visible votes (and the statements the
participant wrote), turned into an embedding-space vector or into a text for a language model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from _common.validation import check_int, check_rng

from .._errors import GenerativeError
from ._hiding import as_authored, as_votes

__all__ = ["authored_matrix", "opinion_texts", "opinion_vectors"]


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
    V = as_votes(V_train, "opinion_vectors")
    E = np.asarray(statement_vectors, dtype=np.float64)
    if E.ndim != 2 or E.shape[0] != V.shape[1]:
        raise GenerativeError(
            "The 'statement_vectors' parameter of opinion_vectors must have one row per "
            f"statement (column of V, {V.shape[1]}). Got shape {E.shape} instead."
        )
    agree, disagree = _agree_disagree(V, as_authored(authored, V.shape, "opinion_vectors"))
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
    V = as_votes(V_train, "opinion_texts")
    texts = list(statements)
    if len(texts) != V.shape[1]:
        raise GenerativeError(
            f"The 'statements' parameter of opinion_texts must have one text per column of V "
            f"({V.shape[1]}). Got {len(texts)} instead."
        )
    n_each = check_int(n_each, "n_each", "opinion_texts", 1, error=GenerativeError)
    agree, disagree = _agree_disagree(V, as_authored(authored, V.shape, "opinion_texts"))
    rng = check_rng(rng, "opinion_texts", error=GenerativeError)
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
