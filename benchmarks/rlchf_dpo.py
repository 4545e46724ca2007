"""RLCHF policy step: DPO on SmolLM2-135M under a collective reward, held-out reward before/after.

Runs ``examples/dpo_smollm2.py``'s experiment (best-vs-worst pairs of 4 samples on each of
24 training prompts, then one LoRA DPO run per learning rate / step count, greedy answers on 24
held-out prompts scored before and after) and replaces its section of benchmarks/RESULTS.md.

Opt-in: it takes several minutes (longer than the two-minute budget of a section in
``benchmarks/run.py``'s default run), so it is not one of run.py's sections. Run it on its own:
``HF_HUB_OFFLINE=1 python benchmarks/rlchf_dpo.py``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))

import dpo_smollm2 as experiment
import torch

TITLE = "### RLCHF policy step: DPO on SmolLM2-135M (rlchf.dpo)"
CAVEAT = (
    "The proxy measures how close a reply's wording is to the principles, not whether its "
    "advice is better; a reward model trained on real collective judgments "
    "(`rlchf.RewardModel`) plugs into the same `reward_fn` slot. Opt-in section (minutes "
    "of CPU): `python benchmarks/rlchf_dpo.py`, not part of `benchmarks/run.py`."
)


def _fmt(x: float) -> str:
    return f"{x:+.4f}"


def rlchf_dpo() -> list[str]:
    """The section's Markdown lines."""
    started = time.perf_counter()
    pairs, before, outcomes = experiment.run_experiment()
    total = time.perf_counter() - started
    table = experiment.summary(before, outcomes)
    groups = ", ".join(f"*{k}*" for k in experiment.PRINCIPLES)
    lines = [
        TITLE,
        "",
        f"`examples/dpo_smollm2.py` (seed 0): {len(pairs)} DPO pairs = the best and the worst "
        "by collective reward of 4 sampled replies (temperature 0.8, at most 40 new tokens) to "
        f"each of {len(experiment.TRAIN_PROMPTS)} training prompts; LoRA r=8 on every linear "
        "layer, "
        "batch 2, 128 tokens, β = 0.1, float32 on the CPU "
        f"({torch.get_num_threads()} torch thread(s)); greedy answers to "
        f"{len(experiment.HELDOUT_PROMPTS)} held-out prompts scored with the same collective "
        "reward before and after. The collective reward is a proxy built from toolkit pieces, "
        f"not a trained reward model: three simulated groups ({groups}) each hold a one-line "
        "principle; a group's utility is the cosine similarity of the reply's all-MiniLM-L6-v2 "
        "embedding to its principle, and the collective reward is the egalitarian welfare "
        "(minimum over groups). Change = mean over held-out prompts of (after − before), ± its "
        f"paired standard error. Whole run: {total:.0f} s on a machine shared with other jobs "
        f"({os.cpu_count()} cores).",
        "",
        "| learning rate | steps | final DPO loss | train time (s) | held-out reward before | "
        "after | change ± SE | greedy answers changed | prompts improved |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in table.itertuples():
        lines.append(
            f"| {row.learning_rate:g} | {row.steps} | {row.final_loss:.3f} | "
            f"{row.train_seconds:.0f} | {row.reward_before:.4f} | {row.reward_after:.4f} | "
            f"{_fmt(row.change)} ± {row.change_se:.4f} | {row.answers_changed}/{row.prompts} | "
            f"{row.prompts_improved}/{row.prompts} |"
        )
    lines += ["", _reading(table) + " " + CAVEAT]
    return lines


def _reading(table: object) -> str:
    """One paragraph saying what moved, from the measured rows (no hard-coded verdict)."""
    parts = []
    for row in table.itertuples():
        moved = abs(row.change) > 2 * row.change_se and row.answers_changed > 0
        verdict = (
            "moves the held-out collective reward by more than two standard errors"
            if moved
            else "does not measurably move the held-out collective reward"
        )
        parts.append(
            f"lr {row.learning_rate:g} × {row.steps} steps changes {row.answers_changed} of "
            f"{row.prompts} greedy answers and {verdict} ({_fmt(row.change)} ± "
            f"{row.change_se:.4f})"
        )
    return "**What this shows.** " + "; ".join(parts) + "."


def main() -> None:
    from _results import write_section

    write_section(rlchf_dpo())


if __name__ == "__main__":
    main()
