"""SVO: scoring speed of svo.score and the LLM SVO of SmolLM2 under each persona.

The file is not called ``svo.py``: run from this folder, that name would shadow the package.
Run on its own (``python benchmarks/svo_benchmark.py``, the same as
``python benchmarks/run.py --only svo``) it replaces its section of benchmarks/RESULTS.md
(and the README's copy); ``benchmarks/run.py`` includes it in the full report.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
from _timing import best_time, stderr_progress

import svo
from svo.llm import LETTERS, PERSONAS, SimulatedRespondent, evaluate, item_prompt

TITLE = "### SVO (svo/)"
SEED = 2026


def scoring_speed(n: int, rng: np.random.Generator) -> list[str]:
    """Rows of the scoring table: n random respondents on 15 and on 6 items."""
    rows = []
    for m in (15, 6):
        choices = rng.integers(0, 9, (n, m))
        scored = svo.score(choices)  # warm-up and a sanity check
        if len(scored) != n or scored["angle"].isna().any():
            raise RuntimeError("svo.score returned an incomplete result in the benchmark")
        seconds = best_time(lambda c=choices: svo.score(c), repeat=3)
        extra = "angle, category, transitivity" + (", IA index" if m == 15 else "")
        rows.append(
            f"| {n:,} × {m} option indices | {extra} | {seconds:.2f} | {n / seconds:,.0f} |"
        )
    return rows


def _cell(result) -> str:
    return f"{result.angle:.2f}° [{result.angle_low:.2f}, {result.angle_high:.2f}]"


def _row(name: str, result, seconds: float | None) -> str:
    top = LETTERS[int(np.argmax(result.position_counts))]
    secs = "—" if seconds is None else f"{seconds:.0f}"
    return (
        f"| {name} | {_cell(result)} | {result.category} | {result.top_position_share:.0%} ({top}) "
        f"| {result.order_bias_pvalue:.2g} | {result.n_invalid} | {secs} |"
    )


def _span(values: list[float]) -> str:
    low, high = f"{min(values):.0%}", f"{max(values):.0%}"
    return low if low == high else f"{low}–{high}"


def _interpretation(results: dict, first, random_) -> str:
    """One or two sentences whose claims are checked against the numbers they describe."""
    shares = [r.top_position_share for r in results.values()]
    chosen_p = [float(r.choices["probability"].mean()) for r in results.values()]
    letters = {LETTERS[int(np.argmax(r.position_counts))] for r in results.values()}
    angles = [r.angle for r in results.values()]
    pmax = max(r.order_bias_pvalue for r in results.values())
    pmin = min(r.order_bias_pvalue for r in results.values())
    same_as_first = all(abs(r.angle - first.angle) < 0.01 for r in results.values())
    overlap = max(r.angle_low for r in results.values()) <= min(
        r.angle_high for r in results.values()
    )
    out = []
    if min(shares) >= 0.9 and len(letters) == 1:
        (letter,) = letters
        out.append(
            f"SmolLM2-135M answers with the letter {letter} in {_span(shares)} of answers under "
            f"every persona (chi-square p ≤ {pmax:.1g}; mean probability of the chosen letter "
            f"among the nine {_span(chosen_p)}): it picks a position, not an allocation"
            + (
                f", so every persona gets exactly the angle of the always-first-option baseline "
                f"({first.angle:.2f}°) that the shuffled orders produce — the persona "
                "instructions do not steer it."
                if same_as_first
                else f"; its angles ({min(angles):.1f}° to {max(angles):.1f}°) are mostly those "
                "of whatever options the shuffled orders put there."
            )
        )
        return " ".join(out)
    if pmax < 0.01:
        out.append(
            f"SmolLM2-135M prefers some positions under every persona (most-chosen position "
            f"{_span(shares)} of answers, chi-square p ≤ {pmax:.1g}), "
            f"which adds noise to angles between {min(angles):.1f}° and {max(angles):.1f}°."
        )
    elif pmin >= 0.01:
        out.append(
            f"SmolLM2-135M's positions are compatible with no order bias (chi-square p ≥ "
            f"{pmin:.2g}); its angles range from {min(angles):.1f}° to {max(angles):.1f}°."
        )
    else:
        biased = [name for name, r in results.items() if r.order_bias_pvalue < 0.01]
        out.append(
            f"SmolLM2-135M shows position bias (chi-square p < 0.01) under {', '.join(biased)} "
            f"but not under the other personas; its angles range from {min(angles):.1f}° to "
            f"{max(angles):.1f}°."
        )
    out.append(
        "The persona intervals overlap, so the instructions move the measured SVO by no more "
        "than the sampling noise."
        if overlap
        else "The persona intervals do not all overlap: the instructions move the measured SVO "
        f"(chance baseline {random_.angle:.1f}°)."
    )
    return " ".join(out)


def svo_benchmark(quick: bool = False, *, samples: int = 10) -> list[str]:
    """Run both parts and return the RESULTS.md section."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import lm

    rng = np.random.default_rng(SEED)
    n = 100_000 if quick else 1_000_000
    samples = 2 if quick else samples
    lines = [
        TITLE,
        "",
        "**Scoring** (`svo.score` on uniformly random option indices, best of 3; one row per "
        "respondent with mean payoffs, angle, category, transitivity and, on 15 items, the "
        "inequality-aversion index):",
        "",
        "| input | computed | seconds | respondents / s |",
        "|---|---|---:|---:|",
        *scoring_speed(n, rng),
        "",
    ]
    t0 = time.perf_counter()
    chat = lm.LocalChatModel(cache=lm.CallCache(":memory:"))  # fresh: every prompt computed
    load = time.perf_counter() - t0
    tokens = np.mean(
        [
            len(chat.prompt_ids(item_prompt(k, instruction=PERSONAS["prosocial"])))
            for k in range(1, 7)
        ]
    )
    results, seconds = {}, {}
    for name in PERSONAS:
        sys.stderr.write(f"svo llm, persona {name}\n")
        t0 = time.perf_counter()
        results[name] = evaluate(
            chat, name, samples=samples, rng=SEED, progress=stderr_progress(name)
        )
        seconds[name] = time.perf_counter() - t0
    sampled = evaluate(chat, "none", samples=samples, decision="sample", rng=SEED)  # cached
    first = evaluate(SimulatedRespondent("first"), samples=samples, rng=SEED)
    random_ = evaluate(SimulatedRespondent("random"), samples=samples, rng=SEED)
    ideal = ", ".join(
        f"{kind} {evaluate(SimulatedRespondent(kind), samples=samples, rng=SEED).angle:.2f}°"
        for kind in svo.CATEGORIES
    )
    prompts = samples * svo.N_PRIMARY
    per_prompt = sum(seconds.values()) / (prompts * len(PERSONAS))
    lines += [
        f"**LLM SVO** (`svo.llm.evaluate`, SmolLM2-135M-Instruct on the CPU, scoring "
        f"`{results['none'].method}`, a fresh cache: every prompt computed): {samples} "
        "samples × 6 primary items per persona, options A–I in a fresh random order per "
        f"sample and item (seed {SEED}; every persona sees the same orders), the most likely "
        "letter taken, 95% percentile bootstrap interval over samples (1000 resamples). Top "
        "position: the share "
        "of answers at the most-chosen displayed position (11% without position bias) and its "
        "letter; chi-square p: test of the nine position counts against uniform. Two "
        "simulated respondents (`svo.llm.SimulatedRespondent`, no model) on the same orders "
        "calibrate the table.",
        "",
        "| persona | angle [95% CI] | category | top position | chi-square p | invalid | seconds |",
        "|---|---|---|---:|---:|---:|---:|",
        *(_row(name, r, seconds[name]) for name, r in results.items()),
        _row("none, letter drawn from its probabilities", sampled, None),
        _row("*simulated: always the first option*", first, None),
        _row("*simulated: uniformly random*", random_, None),
        "",
        f"Model loading {load:.1f} s; {per_prompt:.2f} s per prompt (about {tokens:.0f} "
        "tokens with the chat template; one forward pass reads all nine letters) on this "
        "shared 2-core machine. The row with drawn letters reuses the cached scores of the "
        f"first row. Simulated ideal types on the same orders score {ideal}.",
        "",
        "**What this shows.** " + _interpretation(results, first, random_),
    ]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="100,000 respondents, 2 LLM samples")
    ap.add_argument("--samples", type=int, default=10, help="LLM samples per persona")
    args = ap.parse_args()
    from _results import write_section

    write_section(svo_benchmark(args.quick, samples=args.samples))


if __name__ == "__main__":
    main()
