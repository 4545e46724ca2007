"""Generative slates: time per slate, and BJR / representation against the baselines.

The quality section judges every slate under one balanced optimal (Monroe) matching and
shows the generative slate before and after ``improve_slate``, on the demo data and both
Polis conversations. ``python benchmarks/slates.py`` re-runs that section alone (no
language model) and splices it into RESULTS.md; ``benchmarks/run.py --only slates`` runs
the timing section too.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import numpy as np

import lm
import socialchoice as sc
from socialchoice import bridging
from socialchoice.generative import (
    EmbeddingRater,
    LLMGenerator,
    LLMRater,
    PoolGenerator,
    baseline_slates,
    compare_slates,
    generate_slate,
    improve_slate,
    vote_utilities,
)

DEMO = Path(__file__).resolve().parents[1] / "data" / "assistant_opinions"
LEVELS = ("perfectly", "mostly", "somewhat", "poorly", "not at all")


def _read(name: str, column: str) -> list[str]:
    with open(DEMO / name, newline="", encoding="utf-8") as f:
        return [row[column] for row in csv.DictReader(f)]


COLUMNS = (
    "| slate | BJR violations (own assignment) | BJR violations (matched) | largest violating "
    "coalition | mean (matched) | own-slot mean | min | q10 | " + " | ".join(LEVELS) + " |"
)


def _slot_means(slate) -> str:
    """``size at mean`` of each slot under the slate's own assignment, in slot order."""
    a, u = slate.assignment, slate.utilities
    parts = [(int((a == j).sum()), float(u[a == j].mean())) for j in range(slate.k)]
    return ", ".join(f"{size} at {mean:.2f}" for size, mean in parts)


def _comparison_rows(
    title: str, U: np.ndarray, statements: list[str], k: int, embeddings: np.ndarray, note: str
) -> tuple[list[str], dict[str, float]]:
    """One dataset: greedy and improved generative slates next to the baselines."""
    pool = PoolGenerator(statements, U)
    greedy = generate_slate(U.shape[0], k, rater=pool, generator=pool)
    t0 = time.perf_counter()
    improved = improve_slate(greedy, U, k, statements=statements)
    seconds = time.perf_counter() - t0
    slates = {"generative: greedy rounds": greedy, "generative: improved": improved}
    slates.update(baseline_slates(statements, U, k, opinion_embeddings=embeddings, rng=0))
    table = compare_slates(U, slates, k, statements=statements)
    rows = [f"#### {title}", "", note, "", COLUMNS, "|---|" + "---:|" * (7 + len(LEVELS))]
    for name, r in table.iterrows():
        shares = " | ".join(f"{100 * r[level]:.0f}%" for level in LEVELS)
        rows.append(
            f"| {name} | {int(r['bjr_violations'])} | {int(r['matched_bjr_violations'])} "
            f"| {int(r['largest_coalition'])} | {r['mean']:.2f} | {r['own_mean']:.2f} "
            f"| {r['min']:.2f} | {r['q10']:.2f} | {shares} |"
        )
    swapped = sum(a != b for a, b in zip(greedy.statements, improved.statements, strict=True))
    baselines = table.drop(index=["generative: greedy rounds", "generative: improved"])
    best = baselines["mean"].idxmax()
    rows += [
        "",
        f"Improvement: {swapped} of {k} statements swapped, {seconds:.2f} s. Slots (people × "
        f"mean rating, own assignment): greedy rounds {_slot_means(greedy)}; improved "
        f"{_slot_means(improved)}. Best baseline by matched mean: {best} "
        f"({baselines.loc[best, 'mean']:.2f}).",
        "",
    ]
    summary = {
        "greedy": float(table.loc["generative: greedy rounds", "mean"]),
        "greedy_own": float(table.loc["generative: greedy rounds", "own_mean"]),
        "improved": float(table.loc["generative: improved", "mean"]),
        "best": float(baselines["mean"].max()),
        "best_name": best,
        "baseline_bjr": int(baselines["bjr_violations"].sum()),
        "violators": {
            str(name): int(v) for name, v in baselines["bjr_violations"].items() if v > 0
        },
        "last_slot": float(greedy.utilities[greedy.assignment == k - 1].mean()),
        "last_size": int((greedy.assignment == k - 1).sum()),
        "best_own": float(baselines["own_mean"].max()),
        "greedy_bjr": int(table.loc["generative: greedy rounds", "bjr_violations"]),
        "improved_bjr": int(table.loc["generative: improved", "bjr_violations"]),
    }
    return rows, summary


def slate_benchmarks(quick: bool = False) -> list[list[str]]:
    opinions = _read("opinions.csv", "opinion")[:100]
    pool = _read("pool.csv", "statement")
    question = (DEMO / "question.txt").read_text(encoding="utf-8").strip()
    n, k = len(opinions), 5
    emb = lm.Embedder(cache=False)
    t0 = time.perf_counter()
    rater = EmbeddingRater(emb, opinions)
    U = rater.rate(range(n), pool)
    table = PoolGenerator(pool, U)
    generate_slate(n, k, rater=table, generator=table)
    embed_pool = time.perf_counter() - t0
    exact_mean = generate_slate(n, k, rater=table, generator=table).utilities.mean()
    t0 = time.perf_counter()
    rater_own = EmbeddingRater(emb, opinions)
    U_own = rater_own.rate(range(n), opinions)
    own = PoolGenerator([f"{i}: {o}" for i, o in enumerate(opinions)], U_own)
    generate_slate(n, k, rater=own, generator=own)
    embed_own = time.perf_counter() - t0

    chat = lm.LocalChatModel(cache=False)
    llm_rater = LLMRater(chat, opinions, question=question)
    agents, statements = (10, 3) if quick else (20, 5)
    t0 = time.perf_counter()
    llm_rater.rate(range(agents), pool[:statements])
    per_rating = (time.perf_counter() - t0) / (agents * statements)
    t0 = time.perf_counter()
    generator = LLMGenerator(chat, opinions, rater, question=question, n_candidates=4)
    llm_slate = generate_slate(n, k, rater=rater, generator=generator, rng=0)
    gen_seconds = time.perf_counter() - t0
    speed = [
        "### Generative slates: time for n = 100 agents, k = 5",
        "",
        "Demo data (`data/assistant_opinions`, first 100 opinions). Times include embedding "
        "every text (cache off) and the whole slate; the LLM is SmolLM2-135M on the CPU.",
        "",
        "| rater / generator | pool | seconds |",
        "|---|---|---:|",
        f"| embedding / exact pool | 30 demo statements | {embed_pool:.2f} |",
        f"| embedding / exact pool | the 100 opinions themselves | {embed_own:.2f} |",
        f"| embedding / LLM (4 samples per round, 64 tokens) | written by the model | "
        f"{gen_seconds:.1f} |",
        "",
        f"- LLM rater: {per_rating:.2f} s per agent–statement rating (two prompts: the 0–6 "
        f"scale in both orientations), measured on {agents} × {statements} ratings. A slate "
        f"with the LLM as rater over the 30-statement pool needs n × 30 = {n * 30:,} ratings "
        f"for the pool alone: about {n * 30 * per_rating / 60:.0f} min on this CPU.",
        f"- The LLM-written slate: mean own-slot rating {llm_slate.utilities.mean():.2f} "
        f"(embedding rater) against {exact_mean:.2f} for the exact slate over the 30-statement "
        "pool; the small model's statements are rated below the hand-written pool's.",
        "",
    ]
    return [speed, slate_quality(emb)]


QUALITY = "### Generative slates vs baselines: BJR and representation"


def _why(summaries: dict[str, dict[str, float]]) -> str:
    """The closing paragraph; each claim is checked against the numbers it states."""
    gaps = {name: s["best"] - s["improved"] for name, s in summaries.items()}
    gains = {name: s["improved"] - s["greedy"] for name, s in summaries.items()}
    out = [
        "**What this shows.** Judged by the same balanced matching, the greedy rounds' slates "
        "gain "
        + ", ".join(f"{s['greedy'] - s['greedy_own']:+.2f} ({n})" for n, s in summaries.items())
        + " over their own assignment (the rounds fix each slot's people as they go, so the "
        "last slot serves whoever is left), and the improvement step adds "
        + ", ".join(f"{g:+.2f} ({n})" for n, g in gains.items())
        + " without a new BJR violation."
    ]
    behind = {n: g for n, g in gaps.items() if g > 0.005}
    if behind:
        out.append(
            "The improved slate still trails the best baseline on "
            + ", ".join(f"{n} by {g:.2f}" for n, g in behind.items())
            + ". Three reasons: (1) each round maximises the rating of the r-th most "
            "satisfied remaining agent — a threshold, not a total — so a statement that "
            "serves its group at 5 each beats one that serves most of it at 6 and a few at 2; "
            "(2) the local search swaps one statement at a time and stops at a local optimum, "
            "and it refuses every swap that would open a BJR violation, a constraint the "
            "welfare baselines never face (Chamberlin–Courant maximises the very total the "
            "matching measures, up to the balance of the slots); (3) BJR guarantees that no "
            "cohesive group of n/k agents is left behind, not that the average is highest"
            + (
                " — and on these pools every baseline happens to satisfy BJR as well, so the "
                "guarantee costs welfare without buying anything the baselines lack here."
                if all(s["baseline_bjr"] == 0 for s in summaries.values())
                else "; some baselines do leave such a group behind (BJR columns above), "
                "which is what the generative slate's lower mean buys."
            )
        )
    else:
        demo = summaries["demo"]
        out.append(
            "The improved slate matches or beats every baseline on the matched mean. On the "
            f"demo data the greedy slate's own assignment trailed ({demo['greedy_own']:.2f} "
            f"against {demo['best_own']:.2f} for the best baseline) for two reasons these "
            "rows separate: its assignment — the last round's slot serves the "
            f"{demo['last_size']} people nobody else took, at {demo['last_slot']:.2f} of 6, "
            "which re-matching repairs — and its objective: each round maximises the rating "
            "of the r-th most satisfied remaining agent, a threshold rather than a total, so a "
            "statement that serves its group at 5 each beats one that serves most of it at 6 "
            "and a few at 2; the swaps repair that, keeping BJR."
        )
    generative_clean = all(
        s["improved_bjr"] == 0 and s["greedy_bjr"] == 0 for s in summaries.values()
    )
    for name, s in summaries.items():
        if s["violators"] and generative_clean:
            out.append(
                f"On {name} the baselines "
                + ", ".join(f"{rule} ({v})" for rule, v in s["violators"].items())
                + " leave a cohesive group of at least n/k participants below a statement "
                "they all rate higher (violating statement/threshold pairs in brackets); "
                "both generative slates leave none, which is what BJR buys."
            )
    return " ".join(out)


def slate_quality(emb=None) -> list[str]:
    """The RESULTS.md section comparing slates under one balanced optimal matching."""
    emb = emb if emb is not None else lm.Embedder(cache=False)
    opinions = _read("opinions.csv", "opinion")
    pool = _read("pool.csv", "statement")
    k = 5
    U = EmbeddingRater(emb, opinions).rate(range(len(opinions)), pool)
    quality = [
        QUALITY,
        "",
        "Every slate is judged under the same assignment: the balanced matching of agents to "
        "slots (each slot ⌊n/k⌋ or ⌈n/k⌉ agents) of maximal total rating, as Fish et al. "
        "validate their slates (Monroe's assignment; `compare_slates`). *own-slot mean* is "
        "the slate's own assignment (the greedy rounds' for the generative slate). BJR "
        "violations are counted against the whole pool, on the slate's own assignment (the "
        "witness its algorithm produced) and on the matching. *improved* = "
        "`improve_slate`: re-matching, then the single swap of a slate statement for a pool "
        "statement that raises the matched total most, repeated, never taking a swap that "
        "opens a BJR violation. Levels: each agent's matched rating (0–6) binned as in Fish "
        "et al.'s pilot question (≥ 5.5 perfectly, ≥ 4.5 mostly, ≥ 2.5 somewhat, ≥ 0.5 "
        "poorly; the pilot's 100 validation users with k = 5 reported 75 / 18 / 6 / 0 / 1 %). "
        "Baselines: top-k by mean rating, committee rules on approvals (rating ≥ 4) and "
        "k-means on the agents' embeddings.",
        "",
    ]
    summaries: dict[str, dict[str, float]] = {}
    rows, summaries["demo"] = _comparison_rows(
        "Demo data, embedding rater, 30-statement pool",
        U,
        pool,
        k,
        emb.encode(opinions),
        f"n = {len(opinions)}, k = {k}; ratings from `EmbeddingRater` (calibration 'auto').",
    )
    quality += rows
    for name, folder in sorted(bridging.shipped_conversations().items()):
        conv = sc.read_polis(folder).accepted()
        V = conv.votes[np.isin(conv.votes, (-1, 1)).sum(axis=1) >= 5]
        U_votes = vote_utilities(V)  # unseen votes predicted by a rank-2 completion
        rows, summaries[name] = _comparison_rows(
            f"Polis: {name}, real votes",
            U_votes,
            list(conv.texts),
            k,
            np.nan_to_num(V),
            f"n = {V.shape[0]} participants with ≥ 5 votes, {V.shape[1]} statements, k = {k}; "
            "utility 6 = agree, 0 = disagree, 3 = pass; an unseen vote is predicted by "
            "`VoteRater` (rank-2 completion of the votes, `vote_utilities`' default) instead "
            "of counting as a pass. k-means runs on the vote vectors.",
        )
        quality += rows
        texts = list(conv.texts)
        neutral = vote_utilities(V, fill="neutral")
        oracle = PoolGenerator(texts, neutral)
        greedy = generate_slate(V.shape[0], k, rater=oracle, generator=oracle)
        pav = baseline_slates(texts, neutral, k, rules=("pav",), rng=0)["pav"]
        slates = {
            "greedy": greedy,
            "improved": improve_slate(greedy, neutral, k, statements=texts),
            "pav": pav,
        }
        table = compare_slates(neutral, slates, k, statements=texts)
        quality += [
            f"With unseen votes counted as passes (3), the old reading: matched mean greedy "
            f"{table.loc['greedy', 'mean']:.2f} (own assignment "
            f"{table.loc['greedy', 'own_mean']:.2f}), improved "
            f"{table.loc['improved', 'mean']:.2f}, PAV {table.loc['pav', 'mean']:.2f}.",
            "",
        ]
    return [*quality, _why(summaries), ""]


def main() -> None:
    """Re-run the quality section alone (no language model) and splice it into RESULTS.md."""
    from run import write_section  # run.py imports this module: import at call time

    write_section(slate_quality())




if __name__ == "__main__":
    main()
