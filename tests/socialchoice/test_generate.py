"""socialchoice.generate against exact distributions and prefsampling.

Every statistical test uses fixed seeds, so it passes or fails deterministically; the
thresholds (p > 1e-4, 5 standard errors) are generous, and the ``*_power`` tests show that
they still reject a slightly wrong distribution.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter

import numpy as np
import pytest
from prefsampling import ordinal as ps
from prefsampling.combinatorics import all_single_peaked_rankings
from prefsampling.ordinal.mallows import theoretical_distribution as mallows_exact
from prefsampling.ordinal.singlepeaked import (
    conitzer_theoretical_distribution,
    walsh_theoretical_distribution,
)
from scipy import stats

import socialchoice as sc
from socialchoice import generate as g
from socialchoice.generate import (
    _conitzer_ranks,
    _conitzer_ranks_reference,
    _mallows_positions,
    _mallows_positions_reference,
    _urn_sources,
    _urn_sources_reference,
    _walsh_ranks,
    _walsh_ranks_reference,
)

P_MIN = 1e-4


# ---------------------------------------------------------------------------- helpers
def _codes(ranks: np.ndarray) -> np.ndarray:
    """Each ballot's order (best first) as a base-m integer."""
    m = ranks.shape[-1]
    orders = np.argsort(ranks, axis=-1)
    return orders @ (m ** np.arange(m - 1, -1, -1))


def _code(order) -> int:
    m = len(order)
    return int(sum(c * m ** (m - 1 - k) for k, c in enumerate(order)))


def _frequencies(ranks: np.ndarray, orders: list[tuple[int, ...]]) -> np.ndarray:
    codes = _codes(ranks).ravel()
    index = {_code(o): i for i, o in enumerate(orders)}
    assert set(np.unique(codes).tolist()) <= set(index), "a ballot outside the support"
    return np.bincount([index[c] for c in codes.tolist()], minlength=len(orders))


def _chi2_p(observed: np.ndarray, probs: np.ndarray) -> float:
    """Goodness of fit; cells with expected count < 5 are pooled."""
    expected = probs / probs.sum() * observed.sum()
    small = expected < 5
    obs = np.append(observed[~small], observed[small].sum())
    exp = np.append(expected[~small], expected[small].sum())
    keep = exp > 0
    return float(stats.chisquare(obs[keep], exp[keep]).pvalue)


def _two_sample_p(a: list, b: list) -> float:
    """Chi-square test that two samples of hashable outcomes share one distribution."""
    ca, cb = Counter(a), Counter(b)
    keys = sorted(set(ca) | set(cb))
    table = np.array([[ca[k] for k in keys], [cb[k] for k in keys]])
    return float(stats.chi2_contingency(table).pvalue)


def _ours(ranks: np.ndarray) -> list[tuple[int, ...]]:
    return [tuple(o) for o in np.argsort(ranks.reshape(-1, ranks.shape[-1]), axis=-1).tolist()]


def _is_single_peaked(ranks: np.ndarray, axis) -> np.ndarray:
    """Ranks read along the axis fall to the peak, then rise: the rises form a suffix."""
    along = ranks[..., np.asarray(axis)]
    rises = np.diff(along, axis=-1) > 0
    return np.all(np.diff(rises.astype(int), axis=-1) >= 0, axis=-1)


# ---------------------------------------------------------------------------- fast == reference
def test_fast_cores_equal_references() -> None:
    rng = np.random.default_rng(0)
    for phi in (0.0, 0.3, 0.8, 1.0):
        u = rng.random((300, 6))
        fast = _mallows_positions(u, phi)
        assert fast.tolist() == [_mallows_positions_reference(row, phi) for row in u.tolist()]
    left = rng.random((300, 7)) < 0.5
    assert _walsh_ranks(left).tolist() == [_walsh_ranks_reference(r) for r in left.tolist()]
    peak = rng.integers(0, 7, size=300)
    coin = rng.random((300, 7)) < 0.5
    assert _conitzer_ranks(peak, coin).tolist() == [
        _conitzer_ranks_reference(p, c) for p, c in zip(peak.tolist(), coin.tolist(), strict=True)
    ]
    for alpha in (0.0, 0.1, 2.0):
        uf, uc = rng.random((50, 40)), rng.random((50, 40))
        pairs = zip(uf.tolist(), uc.tolist(), strict=True)
        assert _urn_sources(uf, uc, alpha).tolist() == [
            _urn_sources_reference(a, b, alpha) for a, b in pairs
        ]


# ---------------------------------------------------------------------------- impartial culture
def test_impartial_culture_uniform_and_matches_prefsampling() -> None:
    perms = list(itertools.permutations(range(4)))
    ranks = g.impartial_culture(48_000, 4, size=(), rng=11)
    assert _chi2_p(_frequencies(ranks, perms), np.ones(len(perms))) > P_MIN
    theirs = [tuple(int(c) for c in v) for v in ps.impartial(12_000, 4, seed=5)]
    assert _two_sample_p(_ours(ranks[:12_000]), theirs) > P_MIN


def test_impartial_anonymous_culture_uniform_over_multisets() -> None:
    n, m = 3, 3
    multisets = list(itertools.combinations_with_replacement(range(math.factorial(m)), n))
    perms = list(itertools.permutations(range(m)))
    index = {_code(o): i for i, o in enumerate(perms)}
    r = g.impartial_anonymous_culture(n, m, size=40_000, rng=3)
    codes = np.vectorize(index.get)(_codes(r))
    seen = Counter(tuple(sorted(row)) for row in codes.tolist())
    observed = np.array([seen[ms] for ms in multisets])
    assert observed.sum() == 40_000
    assert _chi2_p(observed, np.ones(len(multisets))) > P_MIN
    # many candidates: alpha = 1/m! underflows to 0, still valid rankings
    big = g.impartial_anonymous_culture(5, 200, size=(), rng=0)
    assert np.array_equal(np.sort(big, axis=-1), np.broadcast_to(np.arange(200), (5, 200)))


# ---------------------------------------------------------------------------- Mallows
@pytest.mark.parametrize("phi", [0.2, 0.5, 0.9, 1.0])
def test_mallows_exact_distribution(phi: float) -> None:
    perms = list(itertools.permutations(range(4)))
    exact = mallows_exact(4, phi)
    ranks = g.mallows(40_000, 4, phi, size=(), rng=21)
    assert _chi2_p(_frequencies(ranks, perms), np.array([exact[p] for p in perms])) > P_MIN


def test_mallows_exact_distribution_power() -> None:
    perms = list(itertools.permutations(range(4)))
    wrong = mallows_exact(4, 0.56)
    ranks = g.mallows(40_000, 4, 0.5, size=(), rng=21)
    assert _chi2_p(_frequencies(ranks, perms), np.array([wrong[p] for p in perms])) < P_MIN


def test_mallows_reference_ranking_matches_prefsampling() -> None:
    ref = [2, 0, 3, 1]
    ours = g.mallows(10_000, 4, 0.6, reference=ref, size=(), rng=8)
    theirs = [tuple(int(c) for c in v)
              for v in ps.mallows(10_000, 4, 0.6, central_vote=np.array(ref), seed=9)]
    assert _two_sample_p(_ours(ours), theirs) > P_MIN
    assert Counter(_ours(ours)).most_common(1)[0][0] == tuple(ref)
    assert g.mallows(7, 4, 0.0, reference=ref, rng=1).ballots == [tuple(ref)]


@pytest.mark.parametrize("phi", [0.3, 0.7, 0.95])
def test_mallows_expected_kendall_tau(phi: float) -> None:
    m, n = 8, 20_000
    ranks = g.mallows(n, m, phi, size=(), rng=4)          # reference 0, 1, ..., m-1
    discordant = (ranks[:, :, None] > ranks[:, None, :]) & np.triu(np.ones((m, m), bool), 1)
    dist = discordant.sum(axis=(1, 2))
    exact = m * phi / (1 - phi) - sum(j * phi**j / (1 - phi**j) for j in range(1, m + 1))
    assert abs(dist.mean() - exact) < 5 * dist.std() / math.sqrt(n)


# ---------------------------------------------------------------------------- urn
def _urn_exact_multisets(n: int, m: int, alpha: float) -> dict[tuple[int, ...], float]:
    """Pólya urn: P(sequence) = prod_i (1 + alpha m! c_i) / (m! (1 + i alpha))."""
    f = math.factorial(m)
    out: Counter = Counter()
    for seq in itertools.product(range(f), repeat=n):
        p = 1.0
        for i, r in enumerate(seq):
            p *= (1 + alpha * f * seq[:i].count(r)) / (f * (1 + i * alpha))
        out[tuple(sorted(seq))] += p
    return out


@pytest.mark.parametrize("alpha", [0.05, 1 / 6, 1.0, 4.0])
def test_urn_exact_distribution(alpha: float) -> None:
    n, m = 3, 3
    exact = _urn_exact_multisets(n, m, alpha)
    assert math.isclose(sum(exact.values()), 1.0)
    perms = list(itertools.permutations(range(m)))
    index = {_code(o): i for i, o in enumerate(perms)}
    r = g.urn(n, m, alpha, size=40_000, rng=17)
    codes = np.vectorize(index.get)(_codes(r))
    seen = Counter(tuple(sorted(row)) for row in codes.tolist())
    keys = sorted(exact)
    assert set(seen) <= set(keys)
    assert _chi2_p(np.array([seen[k] for k in keys]), np.array([exact[k] for k in keys])) > P_MIN


@pytest.mark.parametrize("alpha", [0.0, 0.5, 2.0])
def test_urn_identical_consecutive_ballots(alpha: float) -> None:
    m, trials = 4, 40_000
    f = math.factorial(m)
    r = g.urn(6, m, alpha, size=trials, rng=23)
    same = np.all(r[:, 1] == r[:, 0], axis=-1).sum()
    p = (1 + alpha * f) / (f * (1 + alpha))    # the second voter draws the first's ranking
    assert stats.binomtest(int(same), trials, p).pvalue > P_MIN
    # and the power: a 10% relative error is rejected
    assert alpha == 0.0 or stats.binomtest(int(same), trials, 1.1 * p).pvalue < P_MIN


def test_urn_matches_prefsampling_on_distinct_ballot_counts() -> None:
    n, m, alpha, runs = 10, 4, 0.3, 3000
    ours = g.urn(n, m, alpha, size=runs, rng=31)
    ours_k = [len({tuple(v) for v in prof}) for prof in ours.tolist()]
    theirs_k = [len({tuple(v) for v in ps.urn(n, m, alpha, seed=s)}) for s in range(runs)]
    assert _two_sample_p(ours_k, theirs_k) > P_MIN


# ---------------------------------------------------------------------------- single-peaked
AXIS = [3, 0, 4, 1, 2]


@pytest.mark.parametrize(
    ("method", "theory"),
    [("walsh", walsh_theoretical_distribution), ("conitzer", conitzer_theoretical_distribution)],
)
def test_single_peaked_distribution(method: str, theory) -> None:
    m = len(AXIS)
    ranks = g.single_peaked(32_000, m, axis=AXIS, method=method, size=(), rng=13)
    assert _is_single_peaked(ranks, AXIS).all()
    assert not _is_single_peaked(g.impartial_culture(200, m, size=(), rng=0), AXIS).all()
    exact = theory(m)                            # over orders on the axis 0..m-1
    orders = [tuple(AXIS[c] for c in o) for o in exact]
    probs = np.array(list(exact.values()))
    observed = _frequencies(ranks, orders)
    assert len(orders) == len(all_single_peaked_rankings(m)) == 2 ** (m - 1)
    assert (observed > 0).all()
    assert _chi2_p(observed, probs) > P_MIN
    sampler = ps.single_peaked_walsh if method == "walsh" else ps.single_peaked_conitzer
    theirs = [tuple(int(c) for c in v) for v in sampler(8000, m, axis=AXIS, seed=2)]
    assert _two_sample_p(_ours(ranks[:8000]), theirs) > P_MIN


def test_single_peaked_walsh_power() -> None:
    """Walsh (uniform) and Conitzer (uniform peak) differ; the test tells them apart."""
    m = 5
    ranks = g.single_peaked(32_000, m, method="walsh", size=(), rng=13)
    conitzer = conitzer_theoretical_distribution(m)
    observed = _frequencies(ranks, list(conitzer))
    assert _chi2_p(observed, np.array(list(conitzer.values()))) < P_MIN


# ---------------------------------------------------------------------------- API
GENERATORS = {
    "impartial_culture": lambda **kw: g.impartial_culture(30, 5, **kw),
    "impartial_anonymous_culture": lambda **kw: g.impartial_anonymous_culture(30, 5, **kw),
    "mallows": lambda **kw: g.mallows(30, 5, 0.6, reference=[4, 2, 0, 1, 3], **kw),
    "urn": lambda **kw: g.urn(30, 5, 0.4, **kw),
    "single_peaked": lambda **kw: g.single_peaked(30, 5, axis=[1, 3, 0, 2, 4], **kw),
    "single_peaked_conitzer": lambda **kw: g.single_peaked(30, 5, method="conitzer", **kw),
}


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_reproducible_shapes_and_profiles(name: str) -> None:
    gen = GENERATORS[name]
    a = gen(size=(2, 3), rng=123)
    assert a.shape == (2, 3, 30, 5) and a.dtype == np.int32
    assert np.array_equal(np.sort(a, axis=-1), np.broadcast_to(np.arange(5), a.shape))
    assert np.array_equal(a, gen(size=(2, 3), rng=123))
    assert np.array_equal(a, gen(size=(2, 3), rng=np.random.default_rng(123)))
    assert not np.array_equal(a, gen(size=(2, 3), rng=124))
    assert gen(size=4, rng=0).shape == (4, 30, 5) and gen(size=0, rng=0).shape == (0, 30, 5)
    one = gen(size=(), rng=5)
    p = gen(rng=5)
    assert isinstance(p, sc.Profile) and p.candidates == (0, 1, 2, 3, 4) and p.num_voters == 30
    assert p == sc.Profile.from_ranks(one)
    assert p.metadata["modification_type"] == "synthetic"
    assert sc.margins(a).shape == (2, 3, 5, 5)
    shared = np.random.default_rng(9)
    assert not np.array_equal(gen(size=(), rng=shared), gen(size=(), rng=shared))


def test_negative_seeds_are_valid() -> None:
    a = g.impartial_culture(20, 4, size=(), rng=-1)
    assert np.array_equal(a, g.impartial_culture(20, 4, size=(), rng=-1))
    assert not np.array_equal(a, g.impartial_culture(20, 4, size=(), rng=-2))
    assert np.array_equal(g.urn(9, 3, 0.5, size=(), rng=5), g.urn(9, 3, 0.5, size=(), rng=5))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: g.mallows(10, 3, 1.5),
         "The 'phi' parameter of mallows must be a float in [0, 1]. Got 1.5 instead."),
        (lambda: g.mallows(10, 3, "0.5"), "The 'phi' parameter of mallows must be a float"),
        (lambda: g.urn(10, 3, -1),
         "The 'alpha' parameter of urn must be a float in [0, inf). Got -1 instead."),
        (lambda: g.impartial_culture(0, 3),
         "The 'n' parameter of impartial_culture must be an int in [1, inf). Got 0 instead."),
        (lambda: g.impartial_culture(5, 2.0),
         "The 'm' parameter of impartial_culture must be an int"),
        (lambda: g.urn(True, 3, 0.1), "The 'n' parameter of urn must be an int"),
        (lambda: g.mallows(5, 3, 0.5, reference=[0, 1, 1]),
         "The 'reference' parameter of mallows must be a permutation of 0..2"),
        (lambda: g.single_peaked(5, 3, axis=[0, 1]),
         "The 'axis' parameter of single_peaked must be a permutation of 0..2"),
        (lambda: g.single_peaked(5, 3, method="black"),
         "The 'method' parameter of single_peaked must be one of 'walsh', 'conitzer'. "
         "Got 'black'"),
        (lambda: g.impartial_culture(5, 3, size=-1),
         "The 'size' parameter of impartial_culture must be None, a non-negative int"),
        (lambda: g.impartial_culture(5, 3, size=[2]), "The 'size' parameter"),
        (lambda: g.urn(5, 3, 0.1, rng="seed"),
         "The 'rng' parameter of urn must be a numpy.random.Generator, an int seed or None"),
    ],
)
def test_argument_errors(call, message: str) -> None:
    with pytest.raises(sc.ProfileError) as err:
        call()
    assert str(err.value).startswith(message), str(err.value)
    assert isinstance(err.value, ValueError)
