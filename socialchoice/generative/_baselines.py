"""Baseline slates over a statement pool, and the balanced assignment they are audited with.

Every baseline chooses ``k`` distinct pool statements in its own way and then assigns the
agents to them with :func:`balanced_assignment` (each slot ``floor(n/k)`` or ``ceil(n/k)``
agents, total utility maximal), so that its BJR audit and its representation distribution
are measured on the same footing as the generative slate's balanced assignment.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import linear_sum_assignment

from _common.progress import Progress, report
from _common.validation import check_float, check_matrix, check_rng, parameter_error

from .. import committee
from .._errors import GenerativeError
from ..bridging._groups import _kmeans
from ._pool import as_statements, as_utility_matrix
from ._slate import Slate, as_slate_size

__all__ = [
    "BASELINE_RULES",
    "balanced_assignment",
    "baseline_slates",
    "committee_slate",
    "kmeans_slate",
    "top_mean_slate",
]

logger = logging.getLogger(__name__)

#: The committee rules :func:`baseline_slates` runs by default.
BASELINE_RULES = ("pav", "seq_phragmen", "equal_shares", "chamberlin_courant")

_FISH = (
    "S. Fish, P. Gölz, D. C. Parkes, A. D. Procaccia, G. Rusak, I. Shapira and M. Wüthrich, "
    "'Generative Social Choice', arXiv:2309.01291 (2023)"
)


def balanced_assignment(utilities: ArrayLike) -> NDArray[np.intp]:
    """Assign ``n`` agents to ``s`` slots, ``floor(n/s)`` or ``ceil(n/s)`` each, maximising utility.

    Solved exactly as one linear assignment problem
    (:func:`scipy.optimize.linear_sum_assignment`) over slot copies: every slot has
    ``floor(n/s)`` mandatory copies, whose utilities carry a bonus larger than any utility
    difference (so all of them are filled), plus one optional copy when ``n mod s > 0`` (so
    exactly ``n mod s`` slots receive an extra agent). Among several optimal assignments
    one is returned, deterministically.

    Parameters
    ----------
    utilities : array_like of shape (n, s)
        ``utilities[i, j]``: agent ``i``'s utility for slot ``j``.

    Returns
    -------
    ndarray of int, shape (n,)
        The slot of each agent.

    Raises
    ------
    GenerativeError
        ``utilities`` is not a non-empty 2-D matrix of finite numbers.

    References
    ----------
    .. [1] S. Fish et al., 'Generative Social Choice', arXiv:2309.01291 (2023): balanced
       assignments of agents to slate statements.
    .. [2] R. Jonker and A. Volgenant, 'A shortest augmenting path algorithm for dense and
       sparse linear assignment problems', Computing 38 (1987) (the solver behind scipy).

    Examples
    --------
    >>> balanced_assignment([[5, 0], [4, 0], [3, 1]]).tolist()
    [0, 0, 1]
    >>> balanced_assignment([[5, 0], [4, 0], [3, 1], [2, 0]]).tolist()
    [0, 0, 1, 1]
    """
    U = as_utility_matrix(utilities, name="utilities")
    n, s = U.shape
    q, rem = divmod(n, s)
    bonus = float(U.max() - U.min()) + 1.0
    copies = [np.repeat(np.arange(s), q)] + ([np.arange(s)] if rem else [])
    slot_of_column = np.concatenate(copies)
    gain = np.hstack([U[:, slot_of_column[: q * s]] + bonus] + ([U] if rem else []))
    rows, cols = linear_sum_assignment(gain, maximize=True)
    out = np.empty(n, dtype=np.intp)
    out[rows] = slot_of_column[cols]
    return out


def _pool_inputs(
    statements: Sequence[str], pool_utilities: ArrayLike, k: object, func: str
) -> tuple[tuple[str, ...], NDArray[np.float64], int]:
    U = as_utility_matrix(pool_utilities, name="pool_utilities")
    stm = as_statements(statements, U.shape[1])
    n, C = U.shape
    return stm, U, as_slate_size(k, min(n, C), func=func)


def _slate(
    method: str, statements: tuple[str, ...], U: NDArray[np.float64], chosen: Sequence[int]
) -> Slate:
    cols = np.asarray(chosen, dtype=np.intp)
    assignment = balanced_assignment(U[:, cols])
    n = U.shape[0]
    return Slate(
        agents=tuple(range(n)),
        statements=tuple(statements[c] for c in cols),
        assignment=assignment,
        utilities=U[np.arange(n), cols[assignment]],
        rounds=(),
        method=method,
    )


def top_mean_slate(statements: Sequence[str], pool_utilities: ArrayLike, k: int) -> Slate:
    """The ``k`` pool statements of highest mean utility (ties: lower pool index), best first.

    The majoritarian baseline: it ignores proportionality, so a minority that likes none of
    the popular statements is left out.

    Parameters
    ----------
    statements : sequence of str
        The pool, one per column of ``pool_utilities``.
    pool_utilities : array_like of shape (n, C)
        Utilities of the agents (rows) for the pool statements.
    k : int
        Slate size, in ``[1, min(n, C)]``.

    Returns
    -------
    Slate
        ``method="top_mean"``, agents ``0..n-1`` assigned by :func:`balanced_assignment`.

    References
    ----------
    .. [1] S. Fish et al., 'Generative Social Choice', arXiv:2309.01291 (2023) (the
       representation question the baselines are compared on).

    Examples
    --------
    >>> top_mean_slate(["a", "b", "c"], [[6, 5, 0], [6, 5, 0], [0, 1, 6]], 2).statements
    ('a', 'b')
    """
    stm, U, k = _pool_inputs(statements, pool_utilities, k, "top_mean_slate")
    mean = U.mean(axis=0)
    order = np.lexsort((np.arange(U.shape[1]), -mean))
    return _slate("top_mean", stm, U, order[:k])


def committee_slate(
    statements: Sequence[str],
    pool_utilities: ArrayLike,
    k: int,
    rule: str = "pav",
    approval_threshold: float = 4.0,
) -> Slate:
    """A slate chosen by an approval-based committee rule over thresholded utilities.

    Agent ``i`` approves statement ``c`` when ``u_i(c) >= approval_threshold``; the committee
    rule (:func:`socialchoice.committee.select`, resolute) chooses ``k`` statements from these
    approvals. Approvals are used for every rule, although PAV, equal shares and
    Chamberlin--Courant also accept cardinal utilities, because sequential Phragmén is
    defined for approvals only and the baselines should see the same input. The default
    threshold 4.0 on the 0--6 scale means "rates it at least 4 of 6" (about "mostly
    represented" or better in :func:`representation_levels`); it is our choice, not the
    paper's. If nobody approves anything, the rules fall back to their tie-break (the
    lowest pool indices) and a warning is logged.

    Parameters
    ----------
    statements, pool_utilities, k : as in :func:`top_mean_slate`.
    rule : str
        A committee rule of :func:`socialchoice.committee.rule_names`, e.g. ``"pav"``,
        ``"seq_phragmen"``, ``"equal_shares"``, ``"chamberlin_courant"``.
    approval_threshold : float
        Utility at or above which a statement counts as approved.

    Returns
    -------
    Slate
        ``method=rule``; statements in pool order; agents assigned by
        :func:`balanced_assignment`.

    Raises
    ------
    GenerativeError
        Malformed pool, ``k`` or threshold.
    UnknownRuleError
        ``rule`` is not a committee rule.

    References
    ----------
    .. [1] M. Lackner and P. Skowron, *Multi-Winner Voting with Approval Preferences*,
       Springer (2023), ch. 2 (the rules).

    Examples
    --------
    >>> U = [[6, 5, 0], [6, 5, 0], [0, 1, 6], [0, 1, 6]]
    >>> committee_slate(["a", "b", "c"], U, 2, rule="pav").statements
    ('a', 'c')
    """
    stm, U, k = _pool_inputs(statements, pool_utilities, k, "committee_slate")
    approval_threshold = check_float(
        approval_threshold, "approval_threshold", "committee_slate", error=GenerativeError
    )
    A = U >= approval_threshold
    if not A.any():
        logger.warning(
            "Baseline %s: no participant rates any candidate statement %g or more (the "
            "approval threshold), so the rule's tie-break chose its statements.",
            rule,
            approval_threshold,
        )
    chosen = committee.select(A, k, rule)
    return _slate(str(rule), stm, U, list(chosen))


def kmeans_slate(
    statements: Sequence[str],
    pool_utilities: ArrayLike,
    opinion_embeddings: ArrayLike,
    k: int,
    rng: np.random.Generator | int | None = None,
) -> Slate:
    """One representative statement per k-means cluster of the agents' opinion embeddings.

    The agents are clustered by k-means (k-means++ seeding and Lloyd's iterations, the best
    of 10 runs, seeded from ``rng``: the k-means of :mod:`socialchoice.bridging`). Clusters
    are visited from the largest to the smallest (ties: lower cluster label); each takes the
    not yet chosen pool statement of highest mean utility among its members (ties: lower
    pool index), so the ``k``
    statements are distinct. An empty cluster (possible when fewer than ``k`` embeddings
    are distinct) uses the mean over all agents. The clusters only choose the statements:
    the agents are then assigned by :func:`balanced_assignment`, as for every baseline.

    Parameters
    ----------
    statements, pool_utilities : as in :func:`top_mean_slate`.
    opinion_embeddings : array_like of shape (n, d)
        One embedding per agent (e.g. of its free-text opinion).
    k : int
        Slate size and number of clusters, in ``[1, min(n, C)]``.
    rng : numpy.random.Generator, int or None
        Seeds k-means.

    Returns
    -------
    Slate
        ``method="kmeans"``, statements in cluster order (largest cluster first).

    Raises
    ------
    GenerativeError
        Malformed pool, embeddings (wrong number of rows, NaN) or ``k``.

    References
    ----------
    .. [1] S. Lloyd, 'Least squares quantization in PCM', IEEE Trans. Inf. Theory 28(2)
       (1982) (k-means). The clustering baseline of S. Fish et al., 'Generative Social
       Choice', arXiv:2309.01291 (2023).

    Examples
    --------
    >>> E = [[0.0, 1.0], [0.1, 1.0], [0.0, 0.9], [1.0, 0.0]]
    >>> U = [[6, 5, 0], [6, 5, 0], [5, 6, 0], [0, 1, 6]]
    >>> kmeans_slate(["a", "b", "c"], U, E, 2, rng=0).statements
    ('a', 'c')
    """
    stm, U, k = _pool_inputs(statements, pool_utilities, k, "kmeans_slate")
    n, C = U.shape
    E = check_matrix(
        opinion_embeddings, "opinion_embeddings", "kmeans_slate", min_cols=1, error=GenerativeError
    )
    if E.shape[0] != n:
        raise parameter_error(
            "opinion_embeddings",
            "kmeans_slate",
            f"a matrix with one row per agent ({n})",
            E,
            GenerativeError,
        )
    rng = check_rng(rng, "kmeans_slate", error=GenerativeError)
    labels = _kmeans(E, np.ones(n), k, rng, n_init=10)[0]
    sizes = np.bincount(labels, minlength=k)
    onehot = labels[:, None] == np.arange(k)[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        means = (onehot.T.astype(np.float64) @ U) / sizes[:, None]
    means[sizes == 0] = U.mean(axis=0)
    taken = np.zeros(C, dtype=bool)
    chosen: list[int] = []
    for cluster in np.lexsort((np.arange(k), -sizes)):
        c = int(np.argmax(np.where(taken, -np.inf, means[cluster])))
        taken[c] = True
        chosen.append(c)
    return _slate("kmeans", stm, U, chosen)


def baseline_slates(
    statements: Sequence[str],
    pool_utilities: ArrayLike,
    k: int,
    *,
    opinion_embeddings: ArrayLike | None = None,
    rules: Sequence[str] = BASELINE_RULES,
    approval_threshold: float = 4.0,
    rng: np.random.Generator | int | None = None,
    progress: Progress = None,
) -> dict[str, Slate]:
    """Every baseline slate on one pool: top-k by mean, committee rules, and k-means.

    Parameters
    ----------
    statements, pool_utilities, k : as in :func:`top_mean_slate`.
    opinion_embeddings : array_like of shape (n, d), optional
        When given, the ``"kmeans"`` baseline is included.
    rules : sequence of str
        Committee rules to run (:func:`committee_slate`).
    approval_threshold : float
        Approval threshold for the committee rules.
    rng : numpy.random.Generator, int or None
        Seeds k-means.
    progress : callable, optional
        Called as ``progress(done, total)``: ``(0, total)`` first, then after each baseline
        (the committee rules can take a while on large pools); the baselines are computed
        in the order of the returned dict.

    Returns
    -------
    dict of str to Slate
        ``"top_mean"``, then one entry per rule (keyed by the rule name), then ``"kmeans"``.

    References
    ----------
    .. [1] S. Fish et al., 'Generative Social Choice', arXiv:2309.01291 (2023).
    .. [2] M. Lackner and P. Skowron, *Multi-Winner Voting with Approval Preferences*,
       Springer (2023), ch. 2.

    Examples
    --------
    >>> U = [[6, 5, 0], [6, 5, 0], [0, 1, 6], [0, 1, 6]]
    >>> slates = baseline_slates(["a", "b", "c"], U, 2, rules=("pav",))
    >>> {name: s.statements for name, s in slates.items()}
    {'top_mean': ('a', 'b'), 'pav': ('a', 'c')}
    """
    if isinstance(rules, str):
        rules = (rules,)
    names = ["top_mean", *rules] + (["kmeans"] if opinion_embeddings is not None else [])
    out = {}
    report(progress, 0, len(names))
    for done, name in enumerate(names, start=1):
        if name == "top_mean":
            out[name] = top_mean_slate(statements, pool_utilities, k)
        elif name == "kmeans":
            out[name] = kmeans_slate(statements, pool_utilities, opinion_embeddings, k, rng)
        else:
            out[name] = committee_slate(statements, pool_utilities, k, name, approval_threshold)
        report(progress, done, len(names))
    return out
