"""build_slate's improvement step and its matched comparison, with toy models (no lm)."""

from __future__ import annotations

import numpy as np

from socialchoice.generative import bjr_violations, build_slate, read_opinions, read_pool

# Four "yes" people, four "no" people; the pool's popular middle statement wins round one.
OPINIONS = b"opinion\nyes\nyes yes\nyes\nyes yes yes\nno\nno no\nno\nno no no\n"
POOL = b"statement\nyes no\nyes yes yes\nno no no\nmaybe\n"


class Toy:
    """Embeds a text as its normalised ("yes", "no") counts."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts, *, progress=None):
        self.calls.append(list(texts))
        v = np.array([[t.count("yes") + 0.1, t.count("no") + 0.1] for t in texts])
        return v / np.linalg.norm(v, axis=1, keepdims=True)


class Writer:
    """A chat model that always writes "yes yes": not in the pool, the best for the yes camp."""

    def generate_batch(self, prompts, **kwargs):
        return ["yes yes"] * len(prompts)


def test_improvement_keeps_bjr_and_raises_the_matched_mean() -> None:
    ops, pool = read_opinions(OPINIONS), read_pool(POOL)
    plain = build_slate(ops, 2, embedder=Toy(), pool=pool, improve=False)
    better = build_slate(ops, 2, embedder=Toy(), pool=pool)
    assert "generative (greedy)" not in plain.comparison.index
    before = plain.comparison.loc["generative"]
    after = better.comparison.loc["generative"]
    assert after["mean"] >= before["mean"] and after["matching"] == "balanced optimal"
    assert better.violations == [] or len(better.violations) <= len(plain.violations)
    assert bjr_violations(better.pool_utilities, better.slate.utilities, 2) == better.violations
    if better.slate.statements != plain.slate.statements:  # the rounds' slate is kept
        greedy = better.comparison.loc["generative (greedy)"]
        assert greedy["mean"] == before["mean"] and greedy["own_mean"] == before["own_mean"]


def test_a_written_statement_is_rated_once_and_compared_under_the_matching() -> None:
    ops, pool = read_opinions(OPINIONS), read_pool(POOL)
    embedder = Toy()
    run = build_slate(ops, 2, embedder=embedder, pool=pool, generator="llm", chat_model=Writer())
    new = "yes yes"
    greedy = run.slate.rounds[0].statement
    assert greedy == new and new not in pool.statements
    assert (run.comparison["matching"] == "balanced optimal").all()
    # rated by its round, then once for every agent: the improvement step's ratings are
    # cached and reused by the comparison
    assert embedder.calls.count([new]) == 2
