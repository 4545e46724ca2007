"""k-means (weighted k-means++ seeding, Lloyd with Hamerly's bounds) and the silhouette,
for :mod:`._groups`; slow loop-by-loop references of both for the tests.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def _two_nearest(X: NDArray[np.float64], C: NDArray[np.float64]):
    """Nearest centre of every row of X, its distance and the distance to the second nearest."""
    if len(X) * len(C) > 1 << 16:  # many points: a k-d tree on the centres
        from scipy.spatial import cKDTree  # imported here: ``import socialchoice`` stays light

        dist, idx = cKDTree(C).query(X, k=2, workers=-1)
        return idx[:, 0].astype(np.intp), dist[:, 0], dist[:, 1]
    D = np.sqrt(((X[:, None, :] - C[None, :, :]) ** 2).sum(axis=2))
    rows = np.arange(len(X))
    labels = D.argmin(axis=1)
    first = D[rows, labels]
    D[rows, labels] = np.inf
    return labels, first, D.min(axis=1)


def _kmeanspp(X, w, k: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """Weighted k-means++ seeding (D² · w sampling); fewer than k rows if X has fewer points."""
    cum = np.cumsum(w)
    chosen = [int(np.searchsorted(cum, rng.random() * cum[-1], side="right"))]
    d2 = np.einsum("ij,ij->i", X - X[chosen[0]], X - X[chosen[0]])
    for _ in range(1, k):  # loop over centres, vectorised over points
        cum = np.cumsum(w * d2)
        if cum[-1] <= 0:
            break
        i = int(np.searchsorted(cum, rng.random() * cum[-1], side="right"))
        chosen.append(min(i, len(X) - 1))
        diff = X - X[chosen[-1]]
        np.minimum(d2, np.einsum("ij,ij->i", diff, diff), out=d2)
    return X[chosen].copy()


def _lloyd(X, w, C, *, max_iter: int = 300, tol: float = 1e-4):
    """Weighted Lloyd iterations from centres C; returns (labels, centres, inertia).

    Stops when the labels repeat or the centres move by at most ``tol`` times the mean
    variance of X in total (scikit-learn's rule). An emptied cluster moves to the point
    farthest from its centre. Hamerly's bounds (an upper bound on the distance to the own
    centre, a lower bound on the distance to any other) skip the points whose centre
    cannot have changed, so late iterations touch few points; the labels are Lloyd's.
    """
    d = X.shape[1]
    k = len(C)
    tol_abs = tol * float(np.mean(np.var(X, axis=0)))
    labels, upper, lower = _two_nearest(X, C)
    for _ in range(max_iter):
        W = np.bincount(labels, weights=w, minlength=k)
        sums = np.stack([np.bincount(labels, weights=w * X[:, j], minlength=k) for j in range(d)])
        new = C.copy()
        full = W > 0
        new[full] = sums.T[full] / W[full, None]
        if not full.all():
            own = np.einsum("ij,ij->i", X - C[labels], X - C[labels])
            far = np.argsort(-(w * own), kind="stable")
            new[~full] = X[far[: int((~full).sum())]]
        move = np.sqrt(np.einsum("ij,ij->i", new - C, new - C))
        C = new
        upper += move[labels]
        lower -= move.max()
        check = np.flatnonzero(upper >= lower)
        diff = X[check] - C[labels[check]]
        upper[check] = np.sqrt(np.einsum("ij,ij->i", diff, diff))
        check = check[upper[check] >= lower[check]]
        relabel, upper[check], lower[check] = _two_nearest(X[check], C)
        changed = bool(np.any(relabel != labels[check]))
        labels[check] = relabel
        if not changed or float(move @ move) <= tol_abs:
            break
    own = np.einsum("ij,ij->i", X - C[labels], X - C[labels])
    return labels, C, float(w @ own)


def _kmeans(X, w, k: int, rng: np.random.Generator, n_init: int):
    """Best (least weighted inertia) of ``n_init`` k-means++ / Lloyd runs."""
    best = None
    for _ in range(n_init):
        run = _lloyd(X, w, _kmeanspp(X, w, k, rng))
        if best is None or run[2] < best[2]:
            best = run
    return best


def _kmeans_reference(X, w, C, *, max_iter: int = 300, tol: float = 1e-4):
    """Slow, loop-by-loop Lloyd with the same rules as :func:`_lloyd` (for tests)."""
    X = [list(map(float, x)) for x in np.asarray(X)]
    C = [list(map(float, c)) for c in np.asarray(C)]
    w = [float(v) for v in w]
    N, k, d = len(X), len(C), len(X[0])
    mean_var = sum(sum((x[j] - sum(y[j] for y in X) / N) ** 2 for x in X) / N for j in range(d)) / d

    def assign(C):
        dist = [[sum((x[j] - c[j]) ** 2 for j in range(d)) for c in C] for x in X]
        labels = [min(range(k), key=lambda c, row=row: row[c]) for row in dist]
        return labels, [dist[i][labels[i]] for i in range(N)]

    labels, own = assign(C)
    for _ in range(max_iter):
        new = []
        for c in range(k):
            members = [i for i in range(N) if labels[i] == c]
            total = sum(w[i] for i in members)
            new.append(
                [sum(w[i] * X[i][j] for i in members) / total for j in range(d)]
                if total > 0
                else None
            )
        far = sorted(range(N), key=lambda i: -w[i] * own[i])
        empties = [c for c in range(k) if new[c] is None]
        for rank, c in enumerate(empties):
            new[c] = list(X[far[rank]])
        shift = sum((new[c][j] - C[c][j]) ** 2 for c in range(k) for j in range(d))
        C = new
        relabel, own = assign(C)
        done = relabel == labels or shift <= tol * mean_var
        labels = relabel
        if done:
            break
    inertia = sum(w[i] * own[i] for i in range(N))
    return np.array(labels), np.array(C), inertia


def _silhouette(X: NDArray[np.float64], labels: NDArray[np.int64]) -> float:
    """Mean silhouette (Rousseeuw 1987; members of singleton clusters score 0).

    Distances are formed in row blocks of at most ~4M entries, so memory stays linear in N.
    """
    from scipy.spatial.distance import cdist

    N = len(X)
    labels = np.unique(labels, return_inverse=True)[1].reshape(-1)
    k = int(labels.max()) + 1
    if k < 2:
        return 0.0
    onehot = np.zeros((N, k))
    onehot[np.arange(N), labels] = 1.0
    sizes = onehot.sum(axis=0)
    sums = np.empty((N, k))
    step = max(1, (1 << 22) // N)
    for start in range(0, N, step):  # blocks of rows, not single participants
        sums[start : start + step] = cdist(X[start : start + step], X) @ onehot
    rows = np.arange(N)
    own = sizes[labels]
    a = sums[rows, labels] / np.maximum(own - 1, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        other = sums / sizes
    other[rows, labels] = np.inf
    b = other.min(axis=1)
    top = np.maximum(a, b)
    s = np.where((own > 1) & (top > 0), (b - a) / np.where(top > 0, top, 1.0), 0.0)
    return float(s.mean())


def _silhouette_reference(X, labels) -> float:
    """Slow, pair-by-pair silhouette (for tests)."""
    X = np.asarray(X, dtype=float)
    labels = [int(v) for v in labels]
    N = len(X)
    scores = []
    for i in range(N):
        dist: dict[int, list[float]] = {}
        for j in range(N):
            if j != i:
                dist.setdefault(labels[j], []).append(float(np.sqrt(np.sum((X[i] - X[j]) ** 2))))
        if labels[i] not in dist:  # singleton cluster
            scores.append(0.0)
            continue
        a = sum(dist[labels[i]]) / len(dist[labels[i]])
        b = min(sum(v) / len(v) for c, v in dist.items() if c != labels[i])
        scores.append(0.0 if max(a, b) == 0 else (b - a) / max(a, b))
    return sum(scores) / N
