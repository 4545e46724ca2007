"""Ranked voting rules against pref_voting: batches of small profiles, one huge profile,
exact Kemeny–Young."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from _timing import Timeout, best_time, with_timeout
from pref_voting import c1_methods as c1
from pref_voting import margin_based_methods as mb
from pref_voting import other_methods as om
from pref_voting import scoring_methods as sm
from pref_voting.profiles import Profile as PVProfile

import socialchoice as sc

PV_RULES: dict[str, Callable] = {
    "copeland": c1.copeland,
    "minimax": mb.minimax,
    "schulze": mb.beat_path,
    "ranked_pairs": mb.ranked_pairs,
    "split_cycle": mb.split_cycle,
    "borda": sm.borda,
}


def rlhf_batch(num_profiles: int, pv_sample: int, rng: np.random.Generator) -> list[str]:
    """10,000 profiles of 4 candidates x 5 voters (the shape of per-prompt RLHF data)."""
    n, m = 5, 4
    ranks = np.argsort(np.argsort(rng.random((num_profiles, n, m)), axis=-1), axis=-1)
    orders = np.argsort(ranks, axis=-1)
    rows = [
        f"### {num_profiles:,} profiles of {m} candidates × {n} voters",
        "",
        "Ours: `margins` + `winner_mask` over the whole batch. pref_voting: build a `Profile` "
        f"and call the rule, looped over {pv_sample:,} of the profiles (the per-profile time is "
        "what a loop over all of them costs). Winners compared on those profiles.",
        "",
        "| rule | ours, whole batch (s) | ours per profile (µs) | pref_voting per profile (µs) "
        "| speed-up | same winners |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for rule, pv_rule in PV_RULES.items():
        if rule not in sc.RULES:
            continue
        if sc.RULES[rule].needs == "margins":
            ours = best_time(lambda r=rule: sc.winner_mask(sc.margins(ranks), r))
            mask = sc.winner_mask(sc.margins(ranks), rule)
        else:
            ours = best_time(lambda r=rule: sc.winner_mask(ranks=ranks, rule=r))
            mask = sc.winner_mask(ranks=ranks, rule=rule)
        sample = range(pv_sample)

        def run_pv(f=pv_rule, sample=sample):
            return [f(PVProfile(orders[i].tolist())) for i in sample]

        run_pv(sample=range(20))  # warm-up: pref_voting compiles numba kernels on first use

        t0 = time.perf_counter()
        pv_winners = run_pv()
        pv_time = time.perf_counter() - t0
        same = all(
            np.flatnonzero(mask[i]).tolist() == sorted(w)
            for i, w in zip(sample, pv_winners, strict=True)
        )
        ours_per = ours / num_profiles * 1e6
        pv_per = pv_time / pv_sample * 1e6
        rows.append(
            f"| {rule} | {ours:.4f} | {ours_per:.2f} | {pv_per:,.0f} | {pv_per / ours_per:,.0f}× "
            f"| {'yes' if same else 'NO'} |"
        )
    return rows


def one_big_profile(n: int, m: int, rng: np.random.Generator) -> list[str]:
    """One profile of n voters x m candidates: margins + Copeland, minimax, Schulze."""
    ranks = np.argsort(np.argsort(rng.random((n, m)), axis=1), axis=1).astype(np.int8)
    orders = np.argsort(ranks, axis=1)
    t_margins = best_time(lambda: sc.margins(ranks), repeat=3)
    M = sc.margins(ranks)
    t0 = time.perf_counter()
    pv_prof = PVProfile(orders.tolist())
    t_pv_build = time.perf_counter() - t0
    same_margins = bool((np.asarray(pv_prof.margin_matrix) == M).all())
    rows = [
        f"### One profile: {n:,} voters × {m} candidates",
        "",
        "| step | ours (s) | pref_voting (s) | speed-up | same result |",
        "|---|---:|---:|---:|---|",
        "| margins (pref_voting: `Profile(...)` construction) "
        f"| {t_margins:.3f} | {t_pv_build:.3f} "
        f"| {t_pv_build / t_margins:,.1f}× | {'yes' if same_margins else 'NO'} |",
    ]
    for rule in ("copeland", "minimax", "schulze"):
        if rule not in sc.RULES:
            continue
        ours = best_time(lambda r=rule: sc.winners(M, r), repeat=5)
        t0 = time.perf_counter()
        pv = sorted(PV_RULES[rule](pv_prof))
        pv_t = time.perf_counter() - t0
        same = sc.winners(M, rule) == pv
        rows.append(
            f"| {rule} (from margins) | {ours:.6f} | {pv_t:.6f} | {pv_t / ours:,.0f}× "
            f"| {'yes' if same else 'NO'} |"
        )
    return rows


def kemeny_scaling(rng: np.random.Generator, pv_limit: float, max_m: int, reps: int) -> list[str]:
    """Kemeny: time against m, pref_voting until impractical, ours to m = 50."""
    if "kemeny" not in sc.RULES:
        return []
    rows = [
        "### Kemeny–Young winners (exact), 51 voters",
        "",
        f"Ours: exact winner set by integer programming; median and worst of {reps} profiles "
        "per culture. pref_voting enumerates all m! rankings (on the first impartial-culture "
        f"profile; stopped after {pv_limit:.0f} s). Mallows with φ = 0.8 is a profile with a "
        "clear consensus; impartial culture (IC) is the hard case for the integer program.",
        "",
        "| m | ours, Mallows φ=0.8 (s) | ours, IC median (s) | ours, IC worst (s) "
        "| pref_voting, IC (s) | same winners |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    pv_gave_up = False
    for m in [4, 5, 6, 7, 8, 9, 10, 15, 20, 30, 40, 50]:
        if m > max_m:
            break
        times: dict[str, list[float]] = {"mallows": [], "ic": []}
        first_ic = None
        for rep in range(reps):
            for culture in times:
                if culture == "mallows":
                    ranks = sc.generate.mallows(51, m, 0.8, size=(), rng=rng)
                else:
                    ranks = sc.generate.impartial_culture(51, m, size=(), rng=rng)
                M = sc.margins(ranks)
                t0 = time.perf_counter()
                won = sc.winners(M, "kemeny", time_limit=None)
                times[culture].append(time.perf_counter() - t0)
                if culture == "ic" and rep == 0:
                    first_ic = (ranks, won)
        pv_cell, same = "—", "—"
        if not pv_gave_up and first_ic is not None:
            ranks, won = first_ic
            prof = PVProfile(np.argsort(ranks, axis=1).tolist())
            try:
                pv, t_pv = with_timeout(lambda prof=prof: sorted(om.kemeny_young(prof)), pv_limit)
                pv_cell = f"{t_pv:.3f}"
                same = "yes" if pv == won else "NO"
            except Timeout:
                pv_cell = f"> {pv_limit:.0f} (stopped)"
                pv_gave_up = True
        ic = np.array(times["ic"])
        rows.append(
            f"| {m} | {np.median(times['mallows']):.3f} | {np.median(ic):.3f} | {ic.max():.3f} "
            f"| {pv_cell} | {same} |"
        )
    return rows
