"""Committee rules against abcvoting, side by side on the same approval profiles."""

from __future__ import annotations

import warnings
from functools import partial

import numpy as np
from _timing import Timeout, best_time, with_timeout
from abcvoting import abcrules, scores
from abcvoting.preferences import Profile as ABCProfile

from socialchoice import committee

# our name -> (abcvoting id, abcvoting algorithms to try, in order)
RULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "approval_voting": ("av", ("standard",)),
    "satisfaction_approval": ("sav", ("standard",)),
    "seq_pav": ("seqpav", ("standard",)),
    "seq_phragmen": ("seqphragmen", ("float-fractions",)),
    "equal_shares": ("equal-shares", ("float-fractions",)),
    "pav": ("pav", ("gurobi", "pulp-highs")),
    "chamberlin_courant": ("cc", ("gurobi", "pulp-highs")),
    "monroe": ("monroe", ("gurobi", "pulp-highs")),
}
SCORES = {"pav": "pav", "chamberlin_courant": "cc", "seq_pav": "pav"}


def resampling_profile(n: int, m: int, rng: np.random.Generator, p: float = 0.1, phi: float = 0.5):
    """The resampling model (Szufa et al. 2022): a central ballot approving ``p·m`` candidates;
    each voter copies each cell with probability ``1 - phi`` and else redraws it (Bernoulli p)."""
    central = np.zeros(m, dtype=bool)
    central[rng.choice(m, size=max(1, round(p * m)), replace=False)] = True
    redraw = rng.random((n, m)) < phi
    return np.where(redraw, rng.random((n, m)) < p, central[None, :])


def _abc_profile(A: np.ndarray) -> ABCProfile:
    prof = ABCProfile(A.shape[1])
    prof.add_voters([np.flatnonzero(row).tolist() for row in A])
    return prof


def _quality(rule: str, prof: ABCProfile, W: tuple[int, ...]) -> float | None:
    if rule in SCORES:
        return float(scores.thiele_score(SCORES[rule], prof, W))
    if rule == "monroe":
        return float(scores.monroescore(prof, W))
    return None


def _run_abcvoting(
    abc_id: str, prof: ABCProfile, k: int, algorithms: tuple[str, ...], limit: float
) -> tuple[tuple[int, ...] | None, float | None, str]:
    """abcvoting's resolute committee, its time and the algorithm used (or why none)."""
    used = "gave up"
    for algorithm in algorithms:
        call = partial(abcrules.compute, abc_id, prof, k, resolute=True, algorithm=algorithm)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out, elapsed = with_timeout(call, limit)
            return tuple(sorted(out[0])), elapsed, algorithm
        except Timeout:
            used = f"{algorithm}: > {limit:.0f} s"
        except Exception as exc:  # gurobi's size-limited licence, a missing solver
            used = f"{algorithm}: {type(exc).__name__}"
    return None, None, used


def committee_rules(
    sizes: list[tuple[int, int, int]], rng: np.random.Generator, limit: float
) -> list[str]:
    rows = [
        "### Committee rules vs abcvoting",
        "",
        "Approval profiles from the resampling model (p = 0.1, φ = 0.5). Ours: "
        "`committee.select(A, k, rule)` (exact integer programs for PAV, CC and Monroe, "
        "HiGHS). abcvoting 2.19: the same rule, resolute, with gurobi (size-limited licence) "
        f'and else pulp-highs; stopped after {limit:.0f} s. "same" compares committees '
        "(sequential rules, same tie-breaking) or the optimal score (optimisation rules).",
        "",
        "| rule | n × m, k | ours (s) | abcvoting (s) | algorithm | speed-up | same |",
        "|---|---|---:|---:|---|---:|---|",
    ]
    for n, m, k in sizes:
        A = resampling_profile(n, m, rng)
        prof = _abc_profile(A)
        for rule, (abc_id, algorithms) in RULES.items():
            ours = committee.select(A, k, rule)
            t_ours = best_time(partial(committee.select, A, k, rule), repeat=2)
            theirs, t_theirs, used = _run_abcvoting(abc_id, prof, k, algorithms, limit)
            if theirs is None:
                same = "—"
                ratio = "—"
                cell = "—"
            else:
                q = _quality(rule, prof, ours)
                same = (
                    "yes"
                    if (
                        ours == theirs
                        if q is None
                        else abs(q - _quality(rule, prof, theirs)) < 1e-9
                    )
                    else "NO"
                )
                ratio = f"{t_theirs / t_ours:,.0f}×"
                cell = f"{t_theirs:.3f}"
            rows.append(
                f"| {rule} | {n:,} × {m}, {k} | {t_ours:.3f} | {cell} | {used} | {ratio} | {same} |"
            )
    return rows
