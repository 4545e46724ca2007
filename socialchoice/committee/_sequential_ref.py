"""Exact-rational references for the sequential rules (slow; for tests on tiny inputs).

Direct transcriptions of the definitions with :class:`fractions.Fraction` and Python loops
over voters, following every tie without merging states (abcvoting's "parallel universes").
Utilities are converted to fractions exactly, so integer inputs are computed exactly.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike

from ._prep import Committee

__all__ = ["_equal_shares_reference", "_seq_pav_reference", "_seq_phragmen_reference"]


def _fractions(U: ArrayLike, w: ArrayLike | None) -> tuple[list[list[Fraction]], list[Fraction]]:
    U = np.asarray(U, dtype=np.float64)
    rows = [[Fraction(float(x)) for x in row] for row in U]
    wf = [Fraction(1)] * len(rows) if w is None else [Fraction(float(x)) for x in w]
    return rows, wf


def _branch(committee: tuple, tied: list[int], step) -> set[Committee]:
    out: set[Committee] = set()
    for c in tied:
        out |= step((*committee, c))
    return out


def _seq_pav_reference(U: ArrayLike, w: ArrayLike | None, k: int) -> list[Committee]:
    """All seq-PAV (OWA-PAV for utilities) committees over every tie-breaking order."""
    rows, wf = _fractions(U, w)
    m = len(rows[0])

    def owa(row, W):
        ordered = sorted((row[c] for c in W), reverse=True)
        return sum((u / (j + 1) for j, u in enumerate(ordered)), Fraction(0))

    def step(W):
        if len(W) == k:
            return {tuple(sorted(W))}
        gain = {
            c: sum(wf[i] * (owa(r, (*W, c)) - owa(r, W)) for i, r in enumerate(rows))
            for c in range(m)
            if c not in W
        }
        best = max(gain.values())
        return _branch(W, [c for c, g in gain.items() if g == best], step)

    return sorted(step(()))


def _phragmen_steps(rows, wf, k, W, loads) -> set[Committee]:
    m = len(rows[0])
    if len(W) == k:
        return {tuple(sorted(W))}
    new = {}
    for c in range(m):
        if c in W:
            continue
        approvers = [i for i, r in enumerate(rows) if r[c] > 0]
        support = sum((wf[i] for i in approvers), Fraction(0))
        if support > 0:
            new[c] = (1 + sum(wf[i] * loads[i] for i in approvers)) / support
    if not new:  # only unapproved candidates left: all tie
        tied = [c for c in range(m) if c not in W]
        return _branch(tuple(W), tied, lambda V: _phragmen_steps(rows, wf, k, V, loads))
    best = min(new.values())
    out: set[Committee] = set()
    for c in (c for c, x in new.items() if x == best):
        nl = [best if rows[i][c] > 0 else loads[i] for i in range(len(rows))]
        out |= _phragmen_steps(rows, wf, k, (*W, c), nl)
    return out


def _seq_phragmen_reference(A: ArrayLike, w: ArrayLike | None, k: int) -> list[Committee]:
    """All seq-Phragmén committees over every tie-breaking order (approvals)."""
    rows, wf = _fractions(A, w)
    return sorted(_phragmen_steps(rows, wf, k, (), [Fraction(0)] * len(rows)))


def _mes_rho(rows, wf, budget, c):
    """abcvoting's rich/poor iteration for the smallest rho, or None if unaffordable."""
    rich = {i for i, r in enumerate(rows) if r[c] > 0}
    poor: set[int] = set()
    while rich:
        rho = (1 - sum((budget[i] for i in poor), Fraction(0))) / sum(
            wf[i] * rows[i][c] for i in rich
        )
        new_poor = {i for i in rich if budget[i] < rho * wf[i] * rows[i][c]}
        if not new_poor:
            return rho
        rich -= new_poor
        poor |= new_poor
    return None


def _equal_shares_reference(U: ArrayLike, w: ArrayLike | None, k: int) -> list[Committee]:
    """All MES committees (seq-Phragmén completion) over every tie-breaking order."""
    rows, wf = _fractions(U, w)
    m = len(rows[0])
    total = sum(wf, Fraction(0))

    def step(W, budget):
        if len(W) == k:
            return {tuple(sorted(W))}
        rho = {c: _mes_rho(rows, wf, budget, c) for c in range(m) if c not in W}
        rho = {c: x for c, x in rho.items() if x is not None}
        if not rho:
            loads = [-budget[i] / wf[i] for i in range(len(rows))]
            return _phragmen_steps(rows, wf, k, W, loads)
        best = min(rho.values())
        out: set[Committee] = set()
        for c in (c for c, x in rho.items() if x == best):
            nb = [b - min(b, best * wf[i] * rows[i][c]) for i, b in enumerate(budget)]
            out |= step((*W, c), nb)
        return out

    return sorted(step((), [wi * k / total for wi in wf]))
