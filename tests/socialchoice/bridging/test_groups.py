"""Opinion map and opinion groups: red-dwarf, Polis's own groups, references, bad input.

Adjusted Rand index against Polis's ``group-id`` on the participants both put in a group,
moderated-out statements zeroed (as Polis does), rng=0, on the four shipped conversations:

===================  =========  ================  ========================  ==========
conversation         Polis's k  ours (k)          former default (k)        red-dwarf
===================  =========  ================  ========================  ==========
15-per-hour-seattle  2          0.750 (2)         0.884 (2)                 0.459 (2)
brexit-consensus     2          0.917 (2)         0.876 (2)                 0.636 (3)
bg2050-volunteers    2          1.000 (2)         0.194 (2)                 –
scoop-hivemind.ubi   4          -0.007 (2)        0.095 (2)                 –
median                          0.833             0.535
===================  =========  ================  ========================  ==========

"ours" is the default: groups from Polis's own k-means start, k by Polis's k smoother fed
4 re-clusterings (``init="polis"``, ``k_buffer=4``); "former default" is the best of 10
k-means++ runs with the silhouette's k (``init="k-means++"``, ``k_buffer=1``), which reaches a
lower within-group sum of squares than Polis and on bg2050 splits off one outlier instead of
Polis's 8 far-out participants. Over seeds 0–9 the default scores 0.52–0.86 (Seattle, median
0.75), 0.90–0.94 (Brexit, always 2 groups, where the silhouette alone picks 3 on seed 2),
1.0 (bg2050) and -0.01 (scoop). Polis's scoop groups (2017) hold 60 participants with
fewer than 7 votes, which no in-conversation rule of today's Polis admits, so its groups
cannot be reproduced from the votes (any k scores about 0 there).

Why red-dwarf differs: it clusters participants directly with one k-means run started at
the first k distinct points in sorted order, which on Seattle stops in a poorer optimum
(higher within-group sum of squares than ours, checked below) and on Brexit prefers 3 groups;
Polis clusters 100 base clusters, starts every k-means from the previous update's clusters
and only changes k after the same k won 4 updates in a row, so its groups carry the
conversation's history. Polis also kept in its groups 8 Brexit participants with fewer than
7 votes (its in-conversation set only grows), which we leave out.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score

from socialchoice import VoteMatrixError
from socialchoice.bridging import OpinionMap, opinion_groups, opinion_map, read_polis
from socialchoice.bridging._groups import OpinionGroups, _project
from socialchoice.bridging._input import as_columns
from socialchoice.bridging._kmeans import (
    _kmeans_reference,
    _kmeanspp,
    _lloyd,
    _silhouette,
    _silhouette_reference,
)
from socialchoice.bridging._polis import shipped_conversations

NAMES = ["15-per-hour-seattle", "brexit-consensus"]


@pytest.fixture(scope="module", params=NAMES)
def conv(request):
    return read_polis(shipped_conversations()[request.param])


def _mod_out(conv) -> list[int]:
    return [j for j, s in enumerate(conv.statements) if s.moderated == -1]


_REDDWARF: dict[tuple[str, bool], object] = {}


def _reddwarf(conv, moderate: bool):
    """red-dwarf's run_pipeline on the conversation (cached per module run)."""
    key = (conv.name, moderate)
    if key not in _REDDWARF:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pydantic warns on import
            from reddwarf.implementations.polis import run_pipeline
        V = conv.votes
        rows, cols = np.nonzero(~np.isnan(V))
        sids = conv.statement_ids
        votes = [
            {
                "participant_id": int(conv.participant_ids[i]),
                "statement_id": int(sids[j]),
                "vote": float(V[i, j]),
                "modified": 0,
            }
            for i, j in zip(rows, cols, strict=True)
        ]
        mod = [int(sids[j]) for j in _mod_out(conv)] if moderate else []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _REDDWARF[key] = run_pipeline(votes=votes, mod_out_statement_ids=mod, random_state=0)
    return _REDDWARF[key]


def _reddwarf_frame(conv, moderate: bool):
    result = _reddwarf(conv, moderate)
    df = result.participants_df.reindex(conv.participant_ids)
    labels = df["cluster_id"].astype("float64").fillna(-1).to_numpy().astype(np.int64)
    return result, df, labels


def _ari_on_common(a, b) -> float:
    both = (a >= 0) & (b >= 0)
    return adjusted_rand_score(a[both], b[both])


# ----------------------------------------------------------------------- opinion map


@pytest.mark.parametrize("moderate", [True, False])
def test_map_equals_reddwarf(conv, moderate):
    result, df, _ = _reddwarf_frame(conv, moderate)
    assert not np.isnan(conv.votes).all(axis=0).any()  # red-dwarf has a column per statement
    om = opinion_map(conv.votes, moderated_out=_mod_out(conv) if moderate else None)
    assert isinstance(om, OpinionMap)
    np.testing.assert_array_equal(om.in_analysis, df["to_cluster"].to_numpy(dtype=bool))
    coords = df[["x", "y"]].to_numpy()
    # same sign convention as scikit-learn's svd_flip, so no per-axis sign is needed
    np.testing.assert_allclose(om.coordinates[om.in_analysis], coords[om.in_analysis], atol=1e-8)
    assert np.isnan(om.coordinates[~om.in_analysis]).all()
    np.testing.assert_allclose(om.components, result.reducer.components_, atol=1e-8)
    np.testing.assert_allclose(
        om.explained_variance_ratio, result.reducer.explained_variance_ratio_, atol=1e-10
    )
    np.testing.assert_allclose(om.center, result.reducer.mean_, atol=1e-12)
    # every participant, also those outside the analysis, through the private projection
    mask = as_columns(_mod_out(conv) if moderate else None, conv.n_statements, "m", "f")
    for dense in (True, False):
        for exact in (True, False):
            full = _project(
                conv.votes.copy(), mask, 2, np.random.default_rng(0), dense=dense, exact=exact
            )[0]
            np.testing.assert_allclose(full, coords, atol=1e-8)


def test_map_threshold_and_moderation_rules():
    nan = np.nan
    V = np.array([[1, -1, 0, nan], [1, nan, nan, nan], [-1, 1, nan, 1], [nan, nan, nan, nan]])
    om = opinion_map(V, min_votes=2)
    assert om.in_analysis.tolist() == [True, False, True, False]
    assert om.n_votes.tolist() == [3, 1, 3, 0]
    # min(min_votes, statements with a vote): 7 > 4 statements, so 4 votes are enough
    assert opinion_map(V).in_analysis.tolist() == [False, False, False, False]
    W = np.array([[1, -1, 0, 1], [1, 1, nan, nan], [-1, 1, 1, 1]])
    assert opinion_map(W).in_analysis.tolist() == [True, False, True]
    # a moderated-out statement is 0 for everybody: centre 0, component 0
    om = opinion_map(V, min_votes=2, moderated_out=[1])
    assert om.center[1] == 0 and np.all(om.components[:, 1] == 0)
    om_mask = opinion_map(V, min_votes=2, moderated_out=np.array([False, True, False, False]))
    np.testing.assert_array_equal(om.coordinates, om_mask.coordinates)
    # a statement nobody voted on changes nothing
    wide = np.column_stack([V, np.full(4, nan)])
    np.testing.assert_allclose(
        opinion_map(wide, min_votes=2).coordinates,
        opinion_map(V, min_votes=2).coordinates,
        atol=1e-12,
    )


def test_map_does_not_modify_input():
    rng = np.random.default_rng(1)
    V = rng.choice([-1.0, 0.0, 1.0, np.nan], size=(30, 8))
    before = V.copy()
    opinion_map(V, min_votes=1)
    opinion_groups(V, min_votes=1, rng=0)
    np.testing.assert_array_equal(V, before)
    V.setflags(write=False)  # read-only input (Conversation.votes) is fine on both routes
    for dense in (True, False):
        _project(V, np.zeros(8, dtype=bool), 2, np.random.default_rng(0), dense=dense)
    # a nested list is converted, not shared: same map
    np.testing.assert_array_equal(
        opinion_map(V.tolist(), min_votes=1).coordinates, opinion_map(V, min_votes=1).coordinates
    )


def test_map_lanczos_path_matches_exact():
    rng = np.random.default_rng(2)
    n, m = 3000, 120
    camp = rng.random(n) < 0.3
    lean = rng.choice([-1.0, 1.0], size=m)
    V = np.where(camp[:, None], lean, -lean) * np.where(rng.random((n, m)) < 0.2, -1, 1)
    V[rng.random((n, m)) < 0.8] = np.nan
    mask = np.zeros(m, dtype=bool)
    exact = _project(V.copy(), mask, 2, np.random.default_rng(0), exact=True)
    lanczos = _project(V.copy(), mask, 2, np.random.default_rng(0), dense=False, exact=False)
    np.testing.assert_allclose(lanczos[0], exact[0], atol=1e-8)
    np.testing.assert_allclose(lanczos[2], exact[2], atol=1e-12)


# ----------------------------------------------------------------------- opinion groups


def test_groups_against_polis_and_reddwarf(conv):
    mod = _mod_out(conv)
    details = opinion_groups(conv.votes, rng=0, moderated_out=mod, return_details=True)
    assert isinstance(details, OpinionGroups)
    ours = details.groups
    _, _, red = _reddwarf_frame(conv, True)
    polis = conv.polis_groups
    np.testing.assert_array_equal(ours >= 0, red >= 0)  # same participants in the analysis
    assert details.k == 2 == polis.max() + 1  # Polis found 2 groups in both
    ari_ours = _ari_on_common(ours, polis)
    ari_red = _ari_on_common(red, polis)
    assert ari_ours >= 0.7  # measured 0.750 (Seattle), 0.917 (Brexit)
    assert ari_ours > ari_red + 0.2  # red-dwarf: 0.459, 0.636


# ARI floors per shipped conversation at rng=0 (measured values in the module docstring)
FLOORS = {"15-per-hour-seattle": (0.70, 2), "brexit-consensus": (0.85, 2),
          "bg2050-volunteers": (0.95, 2), "scoop-hivemind.ubi": (-0.05, 2)}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_groups_against_polis_on_all_shipped(name):
    conv = read_polis(shipped_conversations()[name])
    floor, k = FLOORS[name]
    details = opinion_groups(conv.votes, rng=0, moderated_out=_mod_out(conv),
                             return_details=True)
    assert details.k == k
    assert _ari_on_common(details.groups, conv.polis_groups) >= floor


def test_polis_start_reproduces_bg2050_where_kmeanspp_does_not():
    """bg2050: Polis's 8 far-out participants vs k-means++'s one outlier (a lower WSS)."""
    conv = read_polis(shipped_conversations()["bg2050-volunteers"])
    mod = _mod_out(conv)
    polis = _ari_on_common(opinion_groups(conv.votes, rng=0, moderated_out=mod),
                           conv.polis_groups)
    former = opinion_groups(conv.votes, rng=0, moderated_out=mod, init="k-means++",
                            k_buffer=1)
    assert polis == pytest.approx(1.0)
    assert _ari_on_common(former, conv.polis_groups) < 0.3  # measured 0.194
    assert np.bincount(former[former >= 0]).min() == 1


def test_groups_against_polis_over_seeds(conv):
    mod = _mod_out(conv)
    runs = [opinion_groups(conv.votes, rng=seed, moderated_out=mod, return_details=True)
            for seed in range(6)]
    aris = [_ari_on_common(r.groups, conv.polis_groups) for r in runs]
    assert np.median(aris) >= 0.74  # measured median 0.75 (Seattle) / 0.91 (Brexit), seeds 0-5
    assert min(aris) >= 0.7  # Seattle 0.725
    assert all(r.k == 2 for r in runs)


def test_smoother_keeps_k_where_the_silhouette_alone_flips():
    """Brexit: silhouettes of k = 2 and 3 are close; one re-clustering (k_buffer=1) picks 3
    on seed 2, the smoother over 4 keeps Polis's 2."""
    conv = read_polis(shipped_conversations()["brexit-consensus"])
    mod = _mod_out(conv)
    alone = opinion_groups(conv.votes, rng=2, moderated_out=mod, k_buffer=1,
                           return_details=True)
    smoothed = opinion_groups(conv.votes, rng=2, moderated_out=mod, return_details=True)
    assert alone.k == 3 and smoothed.k == 2


def test_direct_clustering_is_at_least_as_good_as_reddwarf(conv):
    """base_clusters=None is red-dwarf's algorithm; our k-means++ restarts reach a lower
    within-group sum of squares than red-dwarf's single run at red-dwarf's k."""
    result, df, red = _reddwarf_frame(conv, True)
    k = int(result.clusterer.n_clusters)
    ours = opinion_groups(conv.votes, k, rng=0, base_clusters=None, moderated_out=_mod_out(conv))
    inside = red >= 0
    X = df[["x", "y"]].to_numpy()[inside]

    def wss(labels):
        return sum(((X[labels == c] - X[labels == c].mean(0)) ** 2).sum() for c in range(k))

    assert wss(ours[inside]) <= wss(red[inside]) + 1e-9
    assert wss(red[inside]) == pytest.approx(result.clusterer.inertia_)
    if conv.name == "brexit-consensus":  # red-dwarf's run reaches (nearly) the same optimum
        assert adjusted_rand_score(ours[inside], red[inside]) >= 0.9  # measured 0.964


def test_direct_silhouettes_equal_sklearn(conv):
    details = opinion_groups(
        conv.votes, rng=0, base_clusters=None, moderated_out=_mod_out(conv), return_details=True
    )
    X = details.map.coordinates[details.map.in_analysis]
    labels = details.groups[details.map.in_analysis]
    assert details.silhouette[details.k] == pytest.approx(silhouette_score(X, labels), abs=1e-12)
    assert details.k == max(details.silhouette, key=details.silhouette.get)


def test_groups_deterministic_and_canonical():
    V = _two_camps(np.random.default_rng(5), n=400, m=30, share=0.3, missing=0.7)[0]
    a = opinion_groups(V, rng=11)
    b = opinion_groups(V, rng=np.random.default_rng(11))
    np.testing.assert_array_equal(a, b)
    sizes = np.bincount(a[a >= 0])
    assert np.all(np.diff(sizes) <= 0)  # group 0 is the largest
    details = opinion_groups(V, rng=11, return_details=True)
    np.testing.assert_array_equal(details.groups, a)
    assert sorted(details.silhouette) == list(range(2, 6))
    inside = details.map.in_analysis
    assert np.all(details.base_labels[inside] >= 0) and np.all(details.base_labels[~inside] == -1)
    assert details.base_centers.shape[1] == 2
    # given k: one clustering; its silhouette is only computed for the details
    assert np.bincount(opinion_groups(V, 3, rng=0)[inside]).size == 3
    assert list(opinion_groups(V, 3, rng=0, return_details=True).silhouette) == [3]


# ----------------------------------------------------------------------- planted camps


def _two_camps(rng, *, n, m, share, missing, flip=0.15):
    camp = rng.random(n) < share
    lean = rng.choice([-1.0, 1.0], size=m)
    V = np.where(camp[:, None], lean, -lean)
    noise = rng.random((n, m))
    V = np.where(noise < flip, -V, V)
    V[(noise >= flip) & (noise < flip + 0.1)] = 0.0
    V[rng.random((n, m)) < missing] = np.nan
    return V, camp


@pytest.mark.parametrize("base_clusters", [100, None])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_planted_two_camps_recovered(seed, base_clusters):
    rng = np.random.default_rng(seed)
    V, camp = _two_camps(rng, n=600, m=40, share=0.35, missing=0.7)
    details = opinion_groups(V, rng=seed, base_clusters=base_clusters, return_details=True)
    inside = details.groups >= 0
    assert inside.mean() > 0.9
    assert details.k == 2
    assert adjusted_rand_score(camp[inside], details.groups[inside]) >= 0.95


# ----------------------------------------------------------------------- references


def test_planted_three_camps_recovered():
    """Three clear camps give three groups: k is scored on well-converged clusterings, not on
    Polis's cold start alone, which on this conversation lands in a poor 3-clustering in 2
    of 4 re-clusterings (silhouette 0.23 instead of 0.60), so k = 4 wins those and the
    smoother stays at 2."""
    rng = np.random.default_rng(0)
    camp = rng.integers(0, 3, 30000)
    V = rng.choice([-1.0, 1.0], size=(3, 300))[camp]
    V = np.where(rng.random(V.shape) < 0.15, -V, V)
    V[rng.random(V.shape) < 0.9] = np.nan
    details = opinion_groups(V, rng=0, return_details=True)
    inside = details.groups >= 0
    assert details.k == 3
    assert adjusted_rand_score(camp[inside], details.groups[inside]) >= 0.95  # 0.985


def _blobs(rng, n, k, d=2):
    centres = rng.normal(scale=4.0, size=(k, d))
    return centres[rng.integers(k, size=n)] + rng.normal(size=(n, d))


@pytest.mark.parametrize("seed", range(6))
def test_lloyd_equals_reference(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 7))
    X = _blobs(rng, int(rng.integers(20, 80)), k, d=int(rng.integers(1, 4)))
    w = rng.integers(1, 5, size=len(X)).astype(float)
    C0 = _kmeanspp(X, w, k, rng)
    fast = _lloyd(X, w, C0.copy())
    slow = _kmeans_reference(X, w, C0.copy())
    np.testing.assert_array_equal(fast[0], slow[0])
    np.testing.assert_allclose(fast[1], slow[1], atol=1e-12)
    assert fast[2] == pytest.approx(slow[2], rel=1e-12)


def test_lloyd_empty_cluster_relocated_as_reference():
    X = np.array([[0.0, 0], [0.1, 0], [0.2, 0], [5.0, 0], [5.1, 0], [9.0, 0]])
    w = np.ones(len(X))
    C0 = np.array([[0.1, 0.0], [5.0, 0.0], [50.0, 0.0]])  # the third centre starts empty
    fast = _lloyd(X, w, C0.copy())
    slow = _kmeans_reference(X, w, C0.copy())
    np.testing.assert_array_equal(fast[0], slow[0])
    np.testing.assert_allclose(fast[1], slow[1])
    assert len(np.unique(fast[0])) == 3


@pytest.mark.parametrize("seed", range(3))
def test_lloyd_kd_tree_path_equals_sklearn(seed):
    """Above 65,536 point-centre pairs the nearest centre comes from a k-d tree."""
    rng = np.random.default_rng(seed)
    X = _blobs(rng, 4000, 30)
    w = rng.integers(1, 4, size=len(X)).astype(float)
    C0 = _kmeanspp(X, w, 30, rng)
    labels, C, inertia = _lloyd(X, w, C0.copy())
    km = KMeans(30, init=C0, n_init=1, tol=1e-4, algorithm="lloyd").fit(X, sample_weight=w)
    np.testing.assert_array_equal(labels, km.labels_)
    np.testing.assert_allclose(C, km.cluster_centers_, atol=1e-8)
    assert inertia == pytest.approx(km.inertia_, rel=1e-9)


@pytest.mark.parametrize("seed", range(6))
def test_silhouette_equals_reference_and_sklearn(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 60))
    X = rng.normal(size=(n, 2))
    labels = rng.integers(0, int(rng.integers(2, 6)), size=n)
    labels[0] = labels.max() + 1  # a singleton cluster scores 0
    labels[1] = 0
    fast = _silhouette(X, labels)
    assert fast == pytest.approx(_silhouette_reference(X, labels), abs=1e-12)
    assert fast == pytest.approx(silhouette_score(X, labels), abs=1e-12)
    # labels need not be contiguous
    assert _silhouette(X, labels * 3 + 7) == pytest.approx(fast, abs=1e-15)


def test_silhouette_blocks_large_input():
    rng = np.random.default_rng(3)
    X = _blobs(rng, 3000, 3)  # 3000 x 3000 distances are formed in row blocks
    labels = KMeans(3, n_init=2, random_state=0).fit(X).labels_
    assert _silhouette(X, labels) == pytest.approx(silhouette_score(X, labels), abs=1e-10)


# ----------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("V", "kwargs", "match"),
    [
        ([[1, 2], [0, 1]], {}, r"entry \[0, 1\] is 2"),
        ([[1], [-1], [0]], {}, "at least 2 statements"),
        ([[1, -1]], {}, "2 participants with votes"),
        ([[np.nan, np.nan], [np.nan, np.nan]], {}, "at least 2 statements"),
        ([[1, -1], [-1, 1]], {"min_votes": 0},
         r"'min_votes' parameter of opinion_map must be an int in \[1, inf\)"),
        ([[1, -1], [-1, 1]], {"n_components": 0}, "n_components"),
        ([[1, -1], [-1, 1]], {"moderated_out": [5]}, "moderated_out"),
        ([[1, -1], [-1, 1]], {"moderated_out": [True]}, "moderated_out"),
    ],
)
def test_map_bad_input(V, kwargs, match):
    with pytest.raises(VoteMatrixError, match=match):
        opinion_map(V, **kwargs)


def test_groups_bad_input():
    V = _two_camps(np.random.default_rng(0), n=60, m=12, share=0.5, missing=0.3)[0]
    with pytest.raises(VoteMatrixError, match=r"'k' .* int in \[2, inf\)"):
        opinion_groups(V, 1)
    with pytest.raises(VoteMatrixError, match=r"'k' parameter .* Got 2.5 instead"):
        opinion_groups(V, 2.5)
    with pytest.raises(VoteMatrixError, match=r"'k' parameter of opinion_groups .* int in \[2, "):
        opinion_groups(V, 61)
    with pytest.raises(VoteMatrixError, match="base_clusters"):
        opinion_groups(V, base_clusters=1)
    with pytest.raises(VoteMatrixError, match="n_init"):
        opinion_groups(V, n_init=0)
    with pytest.raises(VoteMatrixError, match="max_k"):
        opinion_groups(V, max_k=1)
    # fewer participants in the analysis than k
    few = np.array([[1, 1, -1], [-1, -1, 1], [1, 0, -1], [np.nan, 1, np.nan]])
    with pytest.raises(VoteMatrixError, match=r"must be an int in \[2, 3\] .*Got 4 instead"):
        opinion_groups(few, 4)
    # everybody at the same position: no two groups
    same = np.ones((5, 3))
    with pytest.raises(VoteMatrixError, match="distinct position"):
        opinion_groups(same)
    with pytest.raises(VoteMatrixError, match=r"'V' parameter of opinion_map .* vote matrix"):
        opinion_groups([[1, 3], [1, 1]])
    with pytest.raises(VoteMatrixError, match=r"'init' parameter of opinion_groups must be one of"):
        opinion_groups(V, init="random")
    with pytest.raises(VoteMatrixError, match=r"'k_buffer' parameter .* \[1, inf\)"):
        opinion_groups(V, k_buffer=0)
    with pytest.raises(VoteMatrixError, match=r"'rng' parameter of opinion_groups"):
        opinion_groups(V, rng="seed")
