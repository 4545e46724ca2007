"""The Polis pipeline (opinion map, groups, representative and consensus statements) against
red-dwarf, on the shipped conversations and on a large synthetic conversation."""

from __future__ import annotations

import time
import warnings

import numpy as np
from _timing import Timeout, with_timeout

import socialchoice as sc
from socialchoice import bridging

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # pydantic warnings on import
    from reddwarf.implementations.polis import run_pipeline


def _ours(V: np.ndarray, moderated_out: np.ndarray, rng: int = 0):
    details = bridging.opinion_groups(V, rng=rng, moderated_out=moderated_out, return_details=True)
    rep = bridging.representative_statements(V, details.groups, exclude=moderated_out)
    cons = bridging.consensus_statements(V, exclude=moderated_out)
    return details, rep, cons


def _reddwarf_votes(V: np.ndarray) -> list[dict]:
    rows, cols = np.nonzero(~np.isnan(V))
    values = V[rows, cols]
    return [
        {"participant_id": int(i), "statement_id": int(j), "vote": float(v), "modified": 0}
        for i, j, v in zip(rows.tolist(), cols.tolist(), values.tolist(), strict=True)
    ]


def _ari(a: np.ndarray, b: np.ndarray) -> float:
    from sklearn.metrics import adjusted_rand_score

    both = (a >= 0) & (b >= 0)
    return float(adjusted_rand_score(a[both], b[both]))


def synthetic(n: int, m: int, seen: float, rng: np.random.Generator) -> np.ndarray:
    """Three opinion camps (50/30/20 %) with camp-specific agreement rates, ``seen`` of
    the cells voted on; float32 to keep 100,000 × 1,000 at 400 MB."""
    camp = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
    agree = rng.uniform(0.1, 0.9, size=(3, m))
    V = np.full((n, m), np.nan, dtype=np.float32)
    mask = rng.random((n, m)) < seen
    rows, cols = np.nonzero(mask)
    u = rng.random(rows.size)
    p = agree[camp[rows], cols]
    V[rows, cols] = np.where(u < p, 1.0, np.where(u < p + (1 - p) * 0.7, -1.0, 0.0))
    return V


def polis_pipeline(big: tuple[int, int], rng: np.random.Generator, limit: float) -> list[str]:
    rows = [
        "### Polis pipeline vs red-dwarf",
        "",
        "Whole pipeline: opinion map (PCA with mean imputation), groups (k-means from "
        "Polis's start, k by silhouette with Polis's smoother over 4 re-clusterings), "
        "representative and consensus statements. Ours: "
        "`opinion_groups(return_details=True)` + `representative_statements` + "
        "`consensus_statements`; red-dwarf 0.4: `run_pipeline` (its input is a list of vote "
        "records; building it is not timed). Agreement of the groups: adjusted Rand index "
        f"(ARI) on participants both assign; red-dwarf stopped after {limit:.0f} s.",
        "",
        "| conversation | participants × statements | ours (s) | red-dwarf (s) | speed-up "
        "| groups ours / red-dwarf / Polis | ARI ours–Polis | ARI red-dwarf–Polis |",
        "|---|---|---:|---:|---:|---|---:|---:|",
    ]
    cases = []
    for name, folder in sorted(bridging.shipped_conversations().items()):
        conv = sc.read_polis(folder)
        mod = np.array([s.moderated == -1 for s in conv.statements])
        cases.append((name, conv.votes, mod, conv.polis_groups))
    n, m = big
    V = synthetic(n, m, 0.05, rng)
    cases.append(("synthetic, 5% seen, 3 camps", V, np.zeros(m, dtype=bool), None))
    for name, V, mod, polis in cases:
        t0 = time.perf_counter()
        details, _, _ = _ours(V, mod)
        t_ours = time.perf_counter() - t0
        votes = _reddwarf_votes(V)
        mod_ids = np.flatnonzero(mod).tolist()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result, t_red = with_timeout(
                    lambda v=votes, mi=mod_ids: run_pipeline(
                        votes=v, mod_out_statement_ids=mi, random_state=0
                    ),
                    limit,
                )
            frame = result.participants_df.reindex(np.arange(V.shape[0]))
            red = frame["cluster_id"].astype("float64").fillna(-1).to_numpy().astype(np.int64)
            red_cell, ratio = f"{t_red:.2f}", f"{t_red / t_ours:,.1f}×"
            k_red = str(len(np.unique(red[red >= 0])))
        except Timeout:
            red, red_cell, ratio, k_red = None, f"> {limit:.0f}", "—", "—"
        del votes
        k_polis = "—" if polis is None else str(len(np.unique(polis[polis >= 0])))
        ari_ours = "—" if polis is None else f"{_ari(details.groups, polis):.3f}"
        ari_red = "—" if polis is None or red is None else f"{_ari(red, polis):.3f}"
        rows.append(
            f"| {name} | {V.shape[0]:,} × {V.shape[1]:,} | {t_ours:.2f} | {red_cell} | {ratio} "
            f"| {details.k} / {k_red} / {k_polis} | {ari_ours} | {ari_red} |"
        )
    return rows
