"""Polis opinion map (sparsity-aware PCA) and opinion groups (two-level k-means).

The pipeline of Polis (``compdemocracy/polis``, ``math/src/polismath/math/pca.clj``,
``clusters.clj``, ``conversation.clj``) as re-implemented by red-dwarf 0.4.0
(``reddwarf.implementations.polis.run_pipeline``), vectorised with numpy and scipy:

1. a participant enters the analysis after voting (agree, disagree or pass) on
   ``min(min_votes, number of statements with a vote)`` statements;
2. PCA of the participant × statement matrix, unseen cells imputed by the statement's mean
   vote over the participants who saw it; moderated-out statements are set to 0 (pass) for
   everybody, as Polis and red-dwarf do; every participant with a vote is in the PCA fit;
3. each participant's projection is multiplied by ``sqrt(m / n_votes)`` (m statements with a
   vote, ``n_votes`` the participant's cells that are not NaN, moderated-out ones included),
   so that people who voted little are not all piled up at the centre;
4. k-means on the projections: ``base_clusters`` (100) base clusters, then the base-cluster
   centres (weighted by their sizes) are clustered into k groups from Polis's k-means
   start, k in 2…5 chosen by the silhouette of the base-cluster centres through Polis's
   k smoother (:mod:`._polis_kmeans`).

red-dwarf skips step 4's base clusters (it clusters participants directly, from the first k
distinct points in sorted order, one run). ``base_clusters=None`` does the same with
k-means++ restarts; the default follows Polis, which reproduces Polis's own group ids better
(see :func:`opinion_groups`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from _common.validation import check_choice, check_int, check_rng

from .._errors import VoteMatrixError
from ._input import as_columns, as_vote_matrix
from ._kmeans import _kmeans, _silhouette
from ._polis_kmeans import polis_group_kmeans, polis_order, smoothed_k

__all__ = ["OpinionGroups", "OpinionMap", "opinion_groups", "opinion_map"]

_DENSE_ABOVE = 0.25  # share of seen cells above which the centred matrix is built densely
_EIGH_UP_TO = 2000  # statements up to which the Gram matrix may be diagonalised in full
_GRAM_WORK = 5e7  # multiply-adds up to which the Gram matrix X.T @ X is formed


@dataclass(frozen=True, eq=False)
class OpinionMap:
    """The Polis opinion map of a conversation (the result of :func:`opinion_map`).

    Attributes
    ----------
    coordinates : ndarray of float, shape (n, n_components)
        Scaled PCA projection of each participant; NaN rows for participants not in the
        analysis.
    in_analysis : ndarray of bool, shape (n,)
        Participants with at least ``min(min_votes, statements with a vote)`` votes.
    components : ndarray of float, shape (n_components, m)
        Principal axes over the statements (unit rows; the entry of largest magnitude of
        each row is positive, scikit-learn's ``svd_flip`` convention); 0 for statements
        nobody voted on and for moderated-out statements.
    explained_variance_ratio : ndarray of float, shape (n_components,)
        Share of the imputed matrix's variance along each axis.
    center : ndarray of float, shape (m,)
        Mean vote of each statement over the participants who saw it (the imputed value);
        0 for statements nobody voted on and for moderated-out statements.
    n_votes : ndarray of int, shape (n,)
        Votes (agree, disagree or pass) cast by each participant.
    """

    coordinates: NDArray[np.float64]
    in_analysis: NDArray[np.bool_]
    components: NDArray[np.float64]
    explained_variance_ratio: NDArray[np.float64]
    center: NDArray[np.float64]
    n_votes: NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class OpinionGroups:
    """Opinion groups and what they came from (``opinion_groups(..., return_details=True)``).

    Attributes
    ----------
    groups : ndarray of int, shape (n,)
        Group of each participant (0 = largest group), -1 = not in the analysis.
    k : int
        Number of groups.
    silhouette : dict of int to float
        Silhouette score of the clustering for every k tried (only the given k if ``k`` was
        given).
    map : OpinionMap
        The opinion map that was clustered.
    base_labels : ndarray of int, shape (n,)
        Base cluster of each participant, -1 = not in the analysis.
    base_centers : ndarray of float, shape (n_base, n_components)
        Centres of the base clusters.
    """

    groups: NDArray[np.int64]
    k: int
    silhouette: dict[int, float]
    map: OpinionMap
    base_labels: NDArray[np.int64]
    base_centers: NDArray[np.float64]


def _centred(V, moderated: NDArray[np.bool_], dense: bool | None, owned: bool):
    """Return (X, center, n_votes, n_scale, m_eff): X is the centred, imputed matrix.

    X is a dense matrix (``V`` itself, overwritten in place, when ``owned``; else a copy) or
    a CSR matrix of the seen cells (``V`` only read); unseen cells of X are 0 either way.
    """
    import scipy.sparse  # imported here: ``import socialchoice`` stays light

    n, m = V.shape
    seen = ~np.isnan(V)
    n_votes = seen.sum(axis=1)
    col_seen = seen.sum(axis=0)
    voted = col_seen > 0
    moderated = moderated & voted  # red-dwarf zeroes a moderated column only if it has votes
    m_eff = int(voted.sum())
    n_scale = n_votes + int(moderated.sum())
    if moderated.any():
        n_scale = n_scale - seen[:, moderated].sum(axis=1)
    if dense is None:
        dense = n_votes.sum() > _DENSE_ABOVE * n * m
    if dense:
        V = V if owned else V.copy()
        V[~seen] = 0.0
        center = V.sum(axis=0) / np.maximum(col_seen, 1)
        center[moderated] = 0.0
        V -= center
        V[~seen] = 0.0
        V[:, moderated] = 0.0
        X: NDArray[np.float64] | scipy.sparse.csr_matrix = V
    else:
        rows, cols = np.nonzero(seen)
        vals = V[rows, cols]
        center = np.bincount(cols, weights=vals, minlength=m) / np.maximum(col_seen, 1)
        center[moderated] = 0.0
        vals -= center[cols]
        vals[moderated[cols]] = 0.0
        indptr = np.concatenate(([0], np.cumsum(n_votes)))
        X = scipy.sparse.csr_matrix((vals, cols, indptr), shape=(n, m))
    return X, center, n_votes, n_scale, m_eff


def _top_eigen(X, d: int, rng: np.random.Generator, exact: bool | None = None):
    """Top-``d`` eigenpairs of ``X.T @ X`` (descending) and its trace.

    Small problems diagonalise the Gram matrix exactly; large ones (forming the Gram matrix
    would cost more than ``_GRAM_WORK`` multiply-adds) use Lanczos (ARPACK) on the
    operator ``v -> X.T @ (X @ v)``, converged to machine precision.
    """
    import scipy.linalg
    import scipy.sparse
    import scipy.sparse.linalg

    n, m = X.shape
    if scipy.sparse.issparse(X):
        trace = float(X.data @ X.data)
        work = float(np.sum(np.diff(X.indptr).astype(np.float64) ** 2))
    else:
        trace = float(np.einsum("ij,ij->", X, X))
        work = n * m * m / 10.0  # dense BLAS is ~10x faster per multiply-add
    if exact is None:
        exact = work <= _GRAM_WORK and m <= _EIGH_UP_TO
    if exact or d >= m:
        G = X.T @ X
        G = G.toarray() if scipy.sparse.issparse(G) else G
        vals, vecs = scipy.linalg.eigh(G, subset_by_index=[m - d, m - 1])
    else:
        op = scipy.sparse.linalg.LinearOperator(
            (m, m), matvec=lambda v: X.T @ (X @ v), dtype=np.float64
        )
        vals, vecs = scipy.sparse.linalg.eigsh(op, k=d, which="LA", v0=rng.random(m) + 0.5)
    order = np.argsort(-vals, kind="stable")
    return np.clip(vals[order], 0.0, None), vecs[:, order].T, trace


def _project(V, moderated, n_components: int, rng, *, dense=None, exact=None, owned=False):
    """Coordinates of every participant (also those not in the analysis) and the PCA.

    ``owned=True`` lets the dense route overwrite ``V``.
    """
    X, center, n_votes, n_scale, m_eff = _centred(V, moderated, dense, owned)
    if m_eff < n_components or int((n_votes > 0).sum()) < n_components:
        raise VoteMatrixError(
            f"a {n_components}-component opinion map needs at least {n_components} statements "
            f"with votes and {n_components} participants with votes; got {m_eff} statements "
            f"and {int((n_votes > 0).sum())} participants."
        )
    vals, comps, trace = _top_eigen(X, n_components, rng, exact)
    signs = np.sign(comps[np.arange(n_components), np.argmax(np.abs(comps), axis=1)])
    comps *= np.where(signs == 0, 1.0, signs)[:, None]  # scikit-learn's svd_flip on rows
    coords = np.asarray(X @ comps.T)
    coords *= np.sqrt(m_eff / np.maximum(n_scale, 1))[:, None]
    ratio = vals / trace if trace > 0 else np.zeros(n_components)
    return coords, comps, ratio, center, n_votes, m_eff


def opinion_map(
    V: ArrayLike,
    *,
    min_votes: int = 7,
    n_components: int = 2,
    moderated_out: ArrayLike | None = None,
    rng: np.random.Generator | int | None = None,
) -> OpinionMap:
    """Polis's opinion map: sparsity-aware PCA of the vote matrix.

    Every participant with a vote enters the PCA fit; unseen cells are imputed by the
    statement's mean vote; the projection of participant i is scaled by
    ``sqrt(m / n_votes_i)``. Identical (to rounding) to red-dwarf's
    ``run_pipeline(...).participants_df[["x", "y"]]`` and ``reducer.components_``.

    Parameters
    ----------
    V : array_like, shape (n, m)
        Votes: +1 agree, -1 disagree, 0 pass, NaN unseen.
    min_votes : int
        A participant is in the analysis with at least ``min(min_votes, m)`` votes, m the
        number of statements with a vote (Polis's rule; red-dwarf uses ``min_votes``).
    n_components : int
        Number of principal axes (Polis: 2).
    moderated_out : array_like of int or bool, optional
        Statements moderated out (indices or a mask): set to 0 (pass) for every participant,
        as Polis and red-dwarf do (they still count as votes in the scaling). To drop them
        instead, pass the accepted columns only (``Conversation.accepted()``).
    rng : numpy.random.Generator, int or None
        Start vector of the Lanczos solver used above 2,000 statements; smaller problems are
        solved exactly and do not use it.

    Returns
    -------
    OpinionMap

    Raises
    ------
    VoteMatrixError
        Malformed votes, fewer than ``n_components`` statements or participants with votes.

    References
    ----------
    .. [1] C. Small et al., 'Polis: Scaling deliberation by mapping high dimensional opinion
       spaces', Recerca 26(2) (2021), §3; polismath ``pca.clj``
       (``sparsity-aware-project-ptpt``); red-dwarf 0.4.0 ``SparsityAwareScaler``.

    Examples
    --------
    >>> import numpy as np
    >>> nan = np.nan
    >>> V = np.array([[1, 1, -1, -1], [1, 1, -1, nan], [-1, -1, 1, 1], [-1, nan, 1, 1],
    ...               [1, nan, nan, nan]])
    >>> om = opinion_map(V, min_votes=3)
    >>> om.in_analysis.tolist()
    [True, True, True, True, False]
    >>> np.round(om.coordinates, 2)
    array([[ 1.85, -0.47],
           [ 1.51,  0.54],
           [-2.09, -0.47],
           [-1.79,  0.54],
           [  nan,   nan]])
    >>> np.round(om.explained_variance_ratio, 3)
    array([0.858, 0.063])
    """
    V_in = V
    V = as_vote_matrix(V, "opinion_map")
    owned = not (isinstance(V_in, np.ndarray) and np.shares_memory(V, V_in))
    min_votes = check_int(min_votes, "min_votes", "opinion_map", 1, error=VoteMatrixError)
    n_components = check_int(n_components, "n_components", "opinion_map", 1,
                             error=VoteMatrixError)
    moderated = as_columns(moderated_out, V.shape[1], "moderated_out", "opinion_map")
    gen = check_rng(rng, "opinion_map", error=VoteMatrixError)
    coords, comps, ratio, center, n_votes, m_eff = _project(
        V, moderated, n_components, gen, owned=owned
    )
    in_analysis = n_votes >= min(min_votes, m_eff)
    coords[~in_analysis] = np.nan
    return OpinionMap(coords, in_analysis, comps, ratio, center, n_votes.astype(np.int64))


# ---------------------------------------------------------------- opinion groups


def _base_clusters(X, base_clusters: int | None, rng: np.random.Generator):
    """Base clusters of the projected participants: (labels, centres, sizes)."""
    if base_clusters is None:
        return np.arange(len(X)), X, np.ones(len(X))
    uniq, inverse, counts = np.unique(X, axis=0, return_inverse=True, return_counts=True)
    if len(uniq) <= base_clusters:  # Polis: every distinct position is its own base cluster
        return inverse.reshape(-1), uniq, counts.astype(np.float64)
    labels, C, _ = _kmeans(X, np.ones(len(X)), base_clusters, rng, n_init=1)
    used, labels = np.unique(labels, return_inverse=True)
    return labels.reshape(-1), C[used], np.bincount(labels.reshape(-1)).astype(np.float64)


@overload
def opinion_groups(
    V: ArrayLike,
    k: int | None = ...,
    *,
    min_votes: int = ...,
    rng: np.random.Generator | int | None = ...,
    base_clusters: int | None = ...,
    max_k: int = ...,
    n_init: int = ...,
    init: Literal["polis", "k-means++"] = ...,
    k_buffer: int = ...,
    moderated_out: ArrayLike | None = ...,
    return_details: Literal[False] = ...,
) -> NDArray[np.int64]: ...


@overload
def opinion_groups(
    V: ArrayLike,
    k: int | None = ...,
    *,
    min_votes: int = ...,
    rng: np.random.Generator | int | None = ...,
    base_clusters: int | None = ...,
    max_k: int = ...,
    n_init: int = ...,
    init: Literal["polis", "k-means++"] = ...,
    k_buffer: int = ...,
    moderated_out: ArrayLike | None = ...,
    return_details: Literal[True],
) -> OpinionGroups: ...


def opinion_groups(
    V: ArrayLike,
    k: int | None = None,
    *,
    min_votes: int = 7,
    rng: np.random.Generator | int | None = None,
    base_clusters: int | None = 100,
    max_k: int = 5,
    n_init: int = 10,
    init: Literal["polis", "k-means++"] = "polis",
    k_buffer: int = 4,
    moderated_out: ArrayLike | None = None,
    return_details: bool = False,
) -> NDArray[np.int64] | OpinionGroups:
    """Polis opinion groups: k-means on the opinion map, k chosen by silhouette.

    The participants in the analysis (see :func:`opinion_map`) are first grouped into
    ``base_clusters`` base clusters by k-means (a single k-means++ run; when there are no
    more distinct positions than that, each distinct position is a base cluster, as in
    Polis). The base-cluster centres, weighted by their sizes, are then clustered into k
    groups for every k from 2 to ``min(max_k, 2 + n_base // 12)`` (Polis's ``max-k-fn``),
    and the silhouette of the base-cluster centres picks k.

    ``init="polis"`` (default) follows Polis's group step (``clusters.clj``, see
    :mod:`socialchoice.bridging._polis_kmeans`): base clusters numbered in the order of
    their first participant; the groups come from Polis's k-means start (the first k
    distinct centres, stopped when no centre moves by 0.01 or after 20 steps, emptied
    clusters dropped). k follows Polis's ``group-k-smoother``, which keeps the current k
    until another k has had the best silhouette ``group-k-buffer`` = 4 updates in a row and
    starts every conversation at k = 2 (with fewer than 12 base clusters only 2 is
    allowed). A snapshot has no update history, so the smoother is fed the best k of
    ``k_buffer`` independent re-clusterings (fresh base clusters from ``rng``) and starts
    from 2: another k is adopted only if it wins all of them. Polis scores k on clusterings
    refined update after update; a cold start is a poor stand-in (on clear camps it can
    miss one), so each k is scored on the best of ``n_init`` weighted k-means++ runs. The
    returned groups are those of the re-clustering whose Polis-start clustering at that k
    has the highest silhouette. ``init="k-means++"`` takes the k-means++ clusterings as the
    groups too (a lower within-group sum of squares than Polis's start, which is not what
    Polis shows).

    ``base_clusters=None`` clusters the participants directly with the silhouette over
    participants, as red-dwarf's ``run_pipeline`` does (red-dwarf runs one k-means from the
    first k distinct points in sorted order instead of k-means++ restarts); its silhouette
    costs O(n²) time, and k is the silhouette's choice.

    Adjusted Rand index against Polis's own ``group-id`` on the four shipped conversations
    (rng=0, moderated-out statements zeroed as Polis does, participants both put in a
    group): 15-per-hour-seattle 0.75, brexit-consensus 0.92, bg2050-volunteers 1.00,
    scoop-hivemind.ubi -0.01 (Polis: 4 groups that include 60 participants with fewer than
    7 votes, from an older in-conversation rule; ours: 2), median 0.83; k equals Polis's on
    the first three. With ``init="k-means++"`` and ``k_buffer=1`` (the former default):
    0.88, 0.88, 0.19 (it splits off one outlier instead of Polis's 8 far-out
    participants), 0.09, median 0.54. See the tests for the figures over seeds.

    Parameters
    ----------
    V : array_like, shape (n, m)
        Votes: +1 agree, -1 disagree, 0 pass, NaN unseen.
    k : int, optional
        Number of groups, in ``[2, number of base clusters]``; default: chosen by silhouette.
    min_votes : int
        Votes needed to enter the analysis (see :func:`opinion_map`).
    rng : numpy.random.Generator, int or None
        Seeds the base clusters and k-means++ runs; a fixed seed gives the same groups.
    base_clusters : int or None
        Number of base clusters (Polis: 100); None clusters participants directly.
    max_k : int
        Largest number of groups tried when ``k`` is None (Polis: 5).
    n_init : int
        k-means++ restarts for each k of the group step.
    init : {"polis", "k-means++"}
        How the base-cluster centres are clustered (see above).
    k_buffer : int
        Re-clusterings whose best k must agree before a k other than 2 is adopted (Polis's
        ``group-k-buffer``, 4); 1 takes the silhouette's choice. Used when ``k`` is None and
        base clusters are formed.

    The ``silhouette`` of the details is the one that chose k (k-means++ clusterings).
    moderated_out : array_like of int or bool, optional
        Moderated-out statements, zeroed as in :func:`opinion_map`.
    return_details : bool
        Return an :class:`OpinionGroups` (groups, k, silhouette by k, the map, base
        clusters) instead of the group array.

    Returns
    -------
    ndarray of int, shape (n,) or OpinionGroups
        Group of each participant: 0 is the largest group, then by size (ties: the group of
        the lower participant index); -1 = not enough votes.

    Raises
    ------
    VoteMatrixError
        Malformed votes or parameters; ``k`` outside ``[2, base clusters]``; fewer than two
        distinct positions among the participants in the analysis.

    References
    ----------
    .. [1] C. Small et al., 'Polis: Scaling deliberation by mapping high dimensional opinion
       spaces', Recerca 26(2) (2021), §3; polismath ``clusters.clj`` and ``conversation.clj``
       (base clusters, ``max-k-fn``, silhouette).
    .. [2] S. Lloyd, 'Least squares quantization in PCM', IEEE Trans. Inf. Theory 28 (1982);
       D. Arthur, S. Vassilvitskii, 'k-means++', SODA 2007; P. J. Rousseeuw, 'Silhouettes',
       J. Comput. Appl. Math. 20 (1987).

    Examples
    --------
    >>> import numpy as np
    >>> nan = np.nan
    >>> V = np.array([[1, 1, -1, -1], [1, 1, -1, nan], [1, 1, nan, -1], [-1, -1, 1, 1],
    ...               [-1, nan, 1, 1], [nan, -1, 1, 1], [1, nan, nan, nan]])
    >>> opinion_groups(V, min_votes=3, rng=0)
    array([ 0,  0,  0,  1,  1,  1, -1])
    >>> details = opinion_groups(V, min_votes=3, rng=0, return_details=True)
    >>> details.k, sorted(details.silhouette)
    (2, [2])
    """
    func = "opinion_groups"
    min_votes = check_int(min_votes, "min_votes", func, 1, error=VoteMatrixError)
    max_k = check_int(max_k, "max_k", func, 2, error=VoteMatrixError)
    n_init = check_int(n_init, "n_init", func, 1, error=VoteMatrixError)
    k_buffer = check_int(k_buffer, "k_buffer", func, 1, error=VoteMatrixError)
    init = check_choice(init, "init", func, ("polis", "k-means++"), error=VoteMatrixError)
    if base_clusters is not None:
        base_clusters = check_int(base_clusters, "base_clusters", func, 2, error=VoteMatrixError)
    if k is not None:
        k = check_int(k, "k", func, 2, error=VoteMatrixError)
    gen = check_rng(rng, func, error=VoteMatrixError)
    om = opinion_map(V, min_votes=min_votes, moderated_out=moderated_out, rng=gen)
    inside = np.flatnonzero(om.in_analysis)
    X = om.coordinates[inside]
    n_distinct = len(np.unique(X, axis=0))
    if n_distinct < 2:
        raise VoteMatrixError(
            f"opinion groups need at least two participants with different positions among "
            f"those with at least {min_votes} votes; got {inside.size} participants with "
            f"{n_distinct} distinct position(s)."
        )
    runs = 1 if k is not None or base_clusters is None else k_buffer
    steps = [_group_step(X, k, base_clusters=base_clusters, max_k=max_k, n_init=n_init,
                         init=init, rng=gen, scores=return_details) for _ in range(runs)]
    if k is not None or len(steps[0].clusterings) == 1:
        best = next(iter(steps[0].clusterings))
    else:
        best = smoothed_k([_best_k(step.k_scores) for step in steps], buffer=runs)
        if best not in steps[0].clusterings:
            best = _best_k(steps[0].k_scores)
    # of the runs, the one whose clustering at that k separates best (highest silhouette)
    step = steps[max(range(runs), key=lambda r: (steps[r].silhouettes.get(best, -np.inf), -r))]
    groups = _ranked_groups(step.clusterings[best][step.base_labels], inside,
                            len(om.in_analysis))
    if not return_details:
        return groups
    full_base = np.full(len(om.in_analysis), -1, dtype=np.int64)
    full_base[inside] = step.base_labels
    return OpinionGroups(groups, int(groups.max()) + 1, step.k_scores, om, full_base,
                         step.centres)


def _best_k(scores: dict[int, float]) -> int:
    """The k of the highest silhouette (ties: the smaller k)."""
    return max(sorted(scores), key=lambda kk: (scores[kk], -kk))


@dataclass(frozen=True, eq=False)
class _Step:
    """One clustering of the participants: base clusters and their groups for every k."""

    base_labels: NDArray[np.int64]
    centres: NDArray[np.float64]
    clusterings: dict[int, NDArray[np.int64]]  # k -> group of each base cluster
    silhouettes: dict[int, float]  # k -> silhouette of that clustering
    k_scores: dict[int, float]  # k -> silhouette that chooses k


def _group_step(X, k: int | None, *, base_clusters: int | None, max_k: int, n_init: int,
                init: str, rng: np.random.Generator, scores: bool) -> _Step:
    """Base clusters of X and their clustering for every candidate k, with silhouettes.

    Silhouettes are computed when several k compete or ``scores`` asks for them. With
    Polis's start, k is scored on the best of ``n_init`` k-means++ clusterings (standing in
    for Polis's clusterings, refined update after update), the groups come from Polis's start.
    """
    n_distinct = len(np.unique(X, axis=0))
    base_labels, C, weights = _base_clusters(X, base_clusters, rng)
    polis = base_clusters is not None and init == "polis"
    if polis:  # Polis's base-cluster ids
        order = polis_order(base_labels, len(C))
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        base_labels, C, weights = rank[base_labels], C[order], weights[order]
    n_base = min(len(C), n_distinct)
    if k is not None and k > n_base:
        raise VoteMatrixError(
            f"The 'k' parameter of opinion_groups must be an int in [2, {n_base}] (the number "
            f"of base clusters, i.e. of distinct participant positions with enough votes). "
            f"Got {k} instead."
        )
    candidates = [k] if k is not None else list(range(2, min(max_k, 2 + n_base // 12, n_base) + 1))
    best = {kk: _kmeans(C, weights, kk, rng, n_init)[0] for kk in candidates}
    clusterings = {kk: polis_group_kmeans(C, weights, kk) for kk in candidates} if polis else best
    silhouettes: dict[int, float] = {}
    k_scores: dict[int, float] = {}
    if len(candidates) > 1 or scores:
        silhouettes = {kk: _silhouette(C, labels) for kk, labels in clusterings.items()}
        k_scores = ({kk: _silhouette(C, labels) for kk, labels in best.items()} if polis
                    else silhouettes)
    return _Step(base_labels, C, clusterings, silhouettes, k_scores)


def _ranked_groups(member_group: NDArray, inside: NDArray, n: int) -> NDArray[np.int64]:
    """Group ids by size (0 = largest; ties: the group of the lower participant index)."""
    member_group = np.unique(member_group, return_inverse=True)[1].reshape(-1)
    sizes = np.bincount(member_group)
    first = np.full(len(sizes), len(member_group))
    np.minimum.at(first, member_group, np.arange(len(member_group)))
    rank = np.empty(len(sizes), dtype=np.int64)
    rank[np.lexsort((first, -sizes))] = np.arange(len(sizes))
    groups = np.full(n, -1, dtype=np.int64)
    groups[inside] = rank[member_group]
    return groups
