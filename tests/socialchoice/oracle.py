"""pref_voting as the oracle: random test profiles and the pref_voting function of each rule.

Random profiles are drawn here with plain numpy (not with ``socialchoice.generate``) so the
cross-check does not trust the code under test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from pref_voting import c1_methods as c1
from pref_voting import combined_methods as comb
from pref_voting import iterative_methods as it
from pref_voting import margin_based_methods as mb
from pref_voting import other_methods as om
from pref_voting import scoring_methods as sm
from pref_voting.probabilistic_methods import maximal_lottery as pv_maximal_lottery
from pref_voting.profiles import Profile as PVProfile
from pref_voting.profiles_with_ties import ProfileWithTies

import socialchoice as sc


@dataclass(frozen=True)
class Oracle:
    """pref_voting functions: on linear profiles, and on profiles with ties/truncation.

    ``ties=None`` means the rule is defined on linear orders only; ours must then raise
    :class:`socialchoice.RuleInputError`. ``max_m`` bounds the profile size where the
    oracle enumerates (pref_voting's Kemeny/Slater try all m! orders).
    """

    linear: Callable
    ties: Callable | None
    max_m: int = 7
    budget: int = 1500   # number of random profiles in the default test run


def _essential_set(edata) -> list[int]:
    """Union of the supports of all maximal lotteries (the essential set).

    pref_voting's ``essential`` returns the support of one LP vertex, which depends on the
    solver and on candidate labels; the enumeration algorithm averages every extreme
    maximal lottery, whose support is the union we define the rule by.
    """
    ml = pv_maximal_lottery(edata, algorithm="enumeration")
    return sorted(c for c, p in ml.items() if p > 1e-7)


def _ranked_pairs(edata) -> list[int]:
    """Ranked pairs with every tie-breaking order, via pref_voting's stack algorithm.

    pref_voting's default ("basic") enumerates every ordering of equal-margin edges, which
    can need 10^22 orders on 6 candidates; "from_stacks" tests the m! candidate orders
    (Zavist & Tideman 1989) and returns the same winners.
    """
    return mb.ranked_pairs(edata, algorithm="from_stacks")


def _margin_graph(f: Callable) -> Callable:
    """Run a margin-based pref_voting rule on pref_voting's own margin graph."""
    return lambda prof: f(prof.margin_graph())


ORACLES: dict[str, Oracle] = {
    "plurality": Oracle(sm.plurality, sm.plurality),
    "borda": Oracle(sm.borda, None),
    "anti_plurality": Oracle(sm.anti_plurality, None),
    "copeland": Oracle(c1.copeland, _margin_graph(c1.copeland)),
    "llull": Oracle(c1.llull, _margin_graph(c1.llull)),
    "minimax": Oracle(mb.minimax, _margin_graph(mb.minimax)),
    "condorcet": Oracle(c1.condorcet, _margin_graph(c1.condorcet)),
    "smith": Oracle(c1.top_cycle, _margin_graph(c1.top_cycle)),
    "schwartz": Oracle(c1.gocha, _margin_graph(c1.gocha)),
    "uncovered": Oracle(c1.uc_gill, _margin_graph(c1.uc_gill)),
    "schulze": Oracle(mb.beat_path, _margin_graph(mb.beat_path)),
    "ranked_pairs": Oracle(_ranked_pairs, _margin_graph(_ranked_pairs), max_m=6, budget=800),
    "split_cycle": Oracle(mb.split_cycle, _margin_graph(mb.split_cycle)),
    "stable_voting": Oracle(mb.stable_voting, _margin_graph(mb.stable_voting), budget=800),
    "kemeny": Oracle(om.kemeny_young, _margin_graph(om.kemeny_young), max_m=6, budget=500),
    "slater": Oracle(c1.slater, _margin_graph(c1.slater), max_m=6, budget=500),
    "instant_runoff": Oracle(it.instant_runoff, it.instant_runoff),
    "coombs": Oracle(it.coombs, None),
    "baldwin": Oracle(it.baldwin, None),
    "strict_nanson": Oracle(it.strict_nanson, None),
    "bucklin": Oracle(om.bucklin, None),
    "black": Oracle(comb.blacks, None),
    "maximal_lottery": Oracle(_essential_set, _margin_graph(_essential_set), budget=300),
}


# ---------------------------------------------------------------------- random profiles
def _linear(rng: np.random.Generator, n: int, m: int, culture: str) -> np.ndarray:
    """(n, m) orders: row v lists candidate indices best first."""
    if culture == "ic":
        return np.argsort(rng.random((n, m)), axis=1)
    if culture == "mallows":  # a reference order perturbed by a few random adjacent swaps
        orders = np.tile(rng.permutation(m), (n, 1))
        for v in range(n):
            for _ in range(rng.integers(0, m + 1)):
                i = rng.integers(0, max(1, m - 1))
                if i + 1 < m:
                    orders[v, [i, i + 1]] = orders[v, [i + 1, i]]
        return orders
    if culture == "urn":  # few distinct ballots, many repeats
        pool = np.argsort(rng.random((rng.integers(1, 4), m)), axis=1)
        return pool[rng.integers(0, len(pool), n)]
    if culture == "single_peaked":  # Walsh's construction on axis 0..m-1 (relabelled)
        axis = rng.permutation(m)
        out = np.empty((n, m), dtype=int)
        for v in range(n):
            lo = hi = int(rng.integers(0, m))
            order = [lo]
            while len(order) < m:
                if lo > 0 and (hi == m - 1 or rng.random() < 0.5):
                    lo -= 1
                    order.append(lo)
                else:
                    hi += 1
                    order.append(hi)
            out[v] = axis[order]
        return out
    raise ValueError(culture)


def random_profiles(
    seed: int, count: int, *, max_m: int = 7, max_n: int = 25, ties: bool = False
) -> Iterator[sc.Profile]:
    """Yield ``count`` random profiles with m in 2..max_m and n in 1..max_n.

    With ``ties=True`` some ballots get tied tiers and some are truncated.
    """
    rng = np.random.default_rng(seed)
    cultures = ["ic", "mallows", "urn", "single_peaked"]
    for k in range(count):
        m = int(rng.integers(2, max_m + 1))
        n = int(rng.integers(1, max_n + 1))
        orders = _linear(rng, n, m, cultures[k % 4])
        if not ties:
            ballots = [list(map(int, o)) for o in orders]
        else:
            ballots = []
            for o in orders:
                cut = m if rng.random() < 0.6 else int(rng.integers(0, m + 1))
                tiers: list = []
                for c in o[:cut]:
                    if tiers and rng.random() < 0.3:
                        tiers[-1] = (*tiers[-1], int(c))
                    else:
                        tiers.append((int(c),))
                ballots.append([t[0] if len(t) == 1 else t for t in tiers])
        counts = rng.integers(1, 4, size=n) if rng.random() < 0.3 else None
        yield sc.Profile(ballots, counts=counts, candidates=range(m))


def to_pref_voting(p: sc.Profile) -> PVProfile | ProfileWithTies:
    """The same profile as a pref_voting object (candidates must be 0..m-1)."""
    counts = [int(c) for c in p.counts]
    if p.is_linear:
        orders = np.argsort(p.linear_ranks(), axis=1)
        return PVProfile([list(map(int, o)) for o in orders], rcounts=counts)
    m = p.num_candidates
    rankings = [
        {int(c): int(r) + 1 for c, r in enumerate(row) if r < m} for row in p.ranks
    ]
    prof = ProfileWithTies(rankings, rcounts=counts, candidates=list(range(m)))
    prof.use_extended_strict_preference()
    return prof


def oracle_winners(rule: str, p: sc.Profile) -> list[int] | None:
    """pref_voting's winners, or None where pref_voting has no version for these ballots."""
    o = ORACLES[rule]
    pv = to_pref_voting(p)
    f = o.linear if p.is_linear else o.ties
    if f is None:
        return None
    try:
        return sorted(int(c) for c in f(pv))
    except ValueError:  # pref_voting has no answer (e.g. plurality with a tied first place)
        return None
