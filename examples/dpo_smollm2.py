"""DPO on the local SmolLM2-135M-Instruct under a collective reward, end to end on the CPU.

1. A *collective reward* scores replies (see :class:`CollectiveReward`: a documented proxy).
2. :func:`rlchf.best_of_n` samples ``n`` replies to each training prompt from SmolLM2; the
   best and the worst reply by collective reward become one DPO pair (chosen, rejected).
   (Every ordered pair of the four replies, 144 pairs, was tried too: at lr 5e-4 x 24 steps
   it lowered the held-out reward, 0.0393 -> 0.0357; the small-gap pairs are mostly noise.)
3. :func:`rlchf.dpo` trains a LoRA adapter on those pairs (TRL's DPOTrainer, CPU, float32).
4. The policy's greedy answers to HELD-OUT prompts (never seen in training) are scored with the
   same collective reward before and after, for each learning rate / step count tried.

Measured (benchmarks/RESULTS.md, seed 0, 24 held-out prompts): held-out collective reward
0.039 before; lr 5e-6 x 4 steps changes no greedy answer; lr 5e-4 x 48 steps gives 0.107
(+0.068 ± 0.018, 19 of 24 prompts improved) and lr 1e-3 x 24 steps 0.090 (+0.050 ± 0.014).
Read by eye, the tuned answers stay fluent and on topic and lean towards step-by-step
practical advice ("Here's a step-by-step guide ...").

Run: ``HF_HUB_OFFLINE=1 python examples/dpo_smollm2.py`` (a few minutes on two idle cores;
``--quick`` for a smoke run). ``benchmarks/rlchf_dpo.py`` runs the same experiment and writes
its numbers to benchmarks/RESULTS.md. Nothing is downloaded.

The collective reward is a *proxy* built from toolkit pieces, not a trained reward model: three
simulated groups of a population each hold one principle (below); a group's utility for a reply
is the cosine similarity of the reply's all-MiniLM-L6-v2 embedding (``lm.load_embedder``) to
its principle, and the collective reward is the egalitarian welfare, the minimum over the
groups (a reply scores well only if no group finds it far from its principle). A reward model
trained on real judgments (``rlchf.RewardModel``) plugs into the same ``reward_fn`` slot.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import lm
import rlchf

PRINCIPLES = {
    "care": "Be warm, kind and supportive: acknowledge the person's feelings and encourage them.",
    "safety": "Be responsible: mention the risks, stay safe, and suggest asking an expert or a "
    "professional for help.",
    "autonomy": "Respect people's freedom to decide for themselves and give them practical, "
    "concrete steps they can take.",
}

TRAIN_PROMPTS = [
    "How can I save money on groceries?",
    "My friend is upset with me. What should I do?",
    "How do I start running if I have never exercised?",
    "I feel nervous before exams. Any advice?",
    "Should I quit my job to start a business?",
    "How can I sleep better?",
    "My neighbour plays loud music at night. What can I do?",
    "How do I learn to cook simple meals?",
    "I want to adopt a dog. What should I think about?",
    "How can I make new friends in a new city?",
    "What should I do if I lose my wallet?",
    "How do I ask my boss for a raise?",
    "My child does not want to do homework. Any tips?",
    "How can I stop procrastinating?",
    "Is it a good idea to lend money to a family member?",
    "How do I prepare for a long hike?",
    "I argued with my partner. How can we make up?",
    "How can I eat more healthily on a budget?",
    "What should I do when I feel lonely?",
    "How do I start learning a new language?",
    "My car makes a strange noise. What should I do?",
    "How can I be more confident when speaking in public?",
    "Should I tell a friend that their partner is cheating?",
    "How do I deal with a rude coworker?",
]

HELDOUT_PROMPTS = [
    "How can I keep my plants alive?",
    "I feel stressed at work. What can I do?",
    "How do I plan a trip abroad on a small budget?",
    "My teenager spends all day on the phone. What should I do?",
    "How can I get better at managing my time?",
    "What should I do if I think I have the flu?",
    "How do I choose a good used bicycle?",
    "My friend never pays me back. How should I handle it?",
    "How can I help an elderly neighbour?",
    "I want to change careers at forty. Where do I start?",
    "How do I make my small apartment feel bigger?",
    "What should I do after a bad breakup?",
    "How can I stay motivated to study?",
    "My roommate never cleans up. What should I say?",
    "How do I start saving for retirement?",
    "I have trouble saying no to people. Any advice?",
    "How can I reduce my screen time?",
    "What should I do if my landlord will not fix the heating?",
    "How do I support a friend who lost their job?",
    "How can I prepare for a job interview?",
    "I feel anxious about flying. What can I do?",
    "How do I teach my kid to ride a bike?",
    "What should I bring to a friend's dinner party?",
    "How can I become a better listener?",
]

#: (learning rate, steps) tried; lr 5e-6 x 4 steps is the issue's starting point.
SETTINGS = [(5e-6, 4), (5e-4, 24), (5e-4, 48), (1e-3, 24)]


class CollectiveReward:
    """Egalitarian welfare over groups: min over groups of cos(reply, group principle).

    ``reward(prompts, responses)`` follows rlchf's reward-function protocol; the prompt is not
    used (the principles are about how to answer, whatever the question). An empty reply
    scores -1, the lowest cosine.
    """

    def __init__(self, principles: dict[str, str], embedder: object | None = None) -> None:
        self.embedder = embedder if embedder is not None else lm.load_embedder()
        self.groups = list(principles)
        self.targets = np.asarray(self.embedder.encode(list(principles.values())))

    def utilities(self, responses: list[str]) -> np.ndarray:
        """``(len(responses), groups)`` cosine similarities (the embeddings are unit-norm)."""
        vectors = np.asarray(self.embedder.encode([r or " " for r in responses]))
        sims = vectors @ self.targets.T
        sims[[not r.strip() for r in responses]] = -1.0
        return sims

    def reward(self, prompts: list[str], responses: list[str]) -> np.ndarray:
        return self.utilities(responses).min(axis=1)


def preference_pairs(best: pd.DataFrame) -> pd.DataFrame:
    """One pair per prompt from its sampled replies: chosen = the reply with the highest
    collective reward, rejected = the lowest, margin = the reward gap (empty replies and
    prompts whose replies all score the same give no pair)."""
    rows = []
    for _, row in best.iterrows():
        scored = [(float(v), t) for t, v in zip(row["candidates"], row["rewards"], strict=True)
                  if t.strip()]
        if len(scored) < 2:
            continue
        (high, chosen), (low, rejected) = max(scored), min(scored)
        if high > low:
            rows.append({"prompt": row["prompt"], "chosen": chosen, "rejected": rejected,
                         "margin": high - low})
    return pd.DataFrame(rows)


@dataclass
class Outcome:
    """The held-out collective reward of one policy."""

    learning_rate: float | None
    steps: int
    rewards: np.ndarray
    answers: list[str]
    train_seconds: float = 0.0
    final_loss: float = float("nan")


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def greedy(chat: lm.ChatModel, max_new_tokens: int) -> list[str]:
    return chat.generate_batch(HELDOUT_PROMPTS, max_new_tokens=max_new_tokens, temperature=0.0)


def run_experiment(
    settings: list[tuple[float, int]] = SETTINGS,
    *,
    n: int = 4,
    max_new_tokens: int = 40,
    seed: int = 0,
) -> tuple[pd.DataFrame, Outcome, list[Outcome]]:
    """Pairs from best-of-n, then one DPO run per (learning rate, steps) setting.

    Returns the training pairs, the base policy's held-out outcome and one per setting.
    """
    reward = CollectiveReward(PRINCIPLES)
    base = lm.LocalChatModel()
    started = time.perf_counter()
    best = rlchf.best_of_n(base, reward.reward, TRAIN_PROMPTS, n, rng=seed,
                           max_new_tokens=max_new_tokens)
    pairs = preference_pairs(best)
    _say(f"{len(pairs)} pairs from best-of-{n} in {time.perf_counter() - started:.0f} s")
    answers = greedy(base, max_new_tokens)
    before = Outcome(None, 0, reward.reward(HELDOUT_PROMPTS, answers), answers)
    _say(f"before: held-out collective reward {before.rewards.mean():.4f}")
    del base
    outcomes = []
    for lr, steps in settings:
        result = rlchf.dpo(pairs, learning_rate=lr, steps=steps, rng=seed, max_length=128)
        with tempfile.TemporaryDirectory(prefix="dpo-policy-") as folder:
            result.save(folder)
            del result.model
            policy = lm.LocalChatModel(folder, cache=False)
            answers = greedy(policy, max_new_tokens)
        outcome = Outcome(lr, steps, reward.reward(HELDOUT_PROMPTS, answers), answers,
                          result.seconds, float(result.losses[-1]))
        outcomes.append(outcome)
        _say(f"lr {lr:g} x {steps} steps: reward {outcome.rewards.mean():.4f} "
             f"(loss {outcome.final_loss:.3f}, {result.seconds:.0f} s)")
        del policy, result
        gc.collect()
    return pairs, before, outcomes


def summary(before: Outcome, outcomes: list[Outcome]) -> pd.DataFrame:
    """One row per setting: mean held-out reward, its change ± paired standard error, changed
    answers, and how many held-out prompts improved."""
    rows = []
    for o in outcomes:
        diff = o.rewards - before.rewards
        rows.append({
            "learning_rate": o.learning_rate,
            "steps": o.steps,
            "final_loss": o.final_loss,
            "train_seconds": o.train_seconds,
            "reward_before": before.rewards.mean(),
            "reward_after": o.rewards.mean(),
            "change": diff.mean(),
            "change_se": diff.std(ddof=1) / np.sqrt(len(diff)),
            "answers_changed": sum(a != b for a, b in zip(o.answers, before.answers, strict=True)),
            "prompts_improved": int((diff > 0).sum()),
            "prompts": len(diff),
        })
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one short setting (smoke run)")
    args = parser.parse_args()
    settings = [(5e-4, 4)] if args.quick else SETTINGS
    _, before, outcomes = run_experiment(settings, max_new_tokens=24 if args.quick else 40)
    table = summary(before, outcomes)
    sys.stdout.write(table.to_string(index=False, float_format=lambda x: f"{x:.4g}") + "\n")


if __name__ == "__main__":
    main()
