"""Model-backed oracles: EmbeddingRater, LLMRater and LLMGenerator on the real local models."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit

from socialchoice import GenerativeError
from socialchoice.generative import (
    EmbeddingRater,
    LLMGenerator,
    LLMRater,
    PoolGenerator,
    fit_calibration,
    generate_slate,
)

from .helpers import ScriptedChat

OPINIONS = [
    "Adults can decide for themselves; the assistant should just answer.",
    "Just give me the information, I don't need a lecture.",
    "The assistant should refuse anything that could hurt someone.",
    "Safety first: decline risky requests and point to a doctor.",
    "Help, but mention the real risks once.",
    "Answer the question and add the key safety facts.",
]
POOL = [
    "The assistant should answer without lecturing.",
    "The assistant should decline risky requests and refer to professionals.",
    "The assistant should help and state the main risks once.",
]


def test_embedding_ratings_follow_similarity_and_stay_on_the_scale(embedder):
    rater = EmbeddingRater(embedder, OPINIONS)
    R = rater.rate(range(6), POOL)
    assert R.shape == (6, 3) and np.all((R >= 0) & (R <= 6))
    cos = rater.similarity(range(6), POOL)
    a, b = rater.calibration
    np.testing.assert_allclose(R, 6 * expit(a * cos + b))
    assert np.array_equal(np.argsort(R, axis=1), np.argsort(cos, axis=1))
    assert R[2, 1] > R[2, 0]  # the cautious agent prefers the cautious statement


def test_auto_calibration_standardises_opinion_similarities(embedder):
    rater = EmbeddingRater(embedder, OPINIONS)
    V = embedder.encode(OPINIONS).astype(float)
    sims = (V @ V.T)[~np.eye(6, dtype=bool)]
    a, b = rater.calibration
    assert a * sims.mean() + b == pytest.approx(0.0, abs=1e-9)
    assert a * sims.std() == pytest.approx(1.7)
    fixed = EmbeddingRater(embedder, OPINIONS, calibration=(5.0, -1.0))
    assert fixed.calibration == (5.0, -1.0)


def test_mapping_ids_and_vectors(embedder):
    by_name = EmbeddingRater(embedder, {"ann": OPINIONS[0], "bob": OPINIONS[2]})
    by_position = EmbeddingRater(
        embedder, [OPINIONS[0], OPINIONS[2]], calibration=by_name.calibration
    )
    np.testing.assert_allclose(by_name.rate(["bob", "ann"], POOL), by_position.rate([1, 0], POOL))
    V = embedder.encode([OPINIONS[0], OPINIONS[2]])
    from_vectors = EmbeddingRater.from_vectors(embedder, 3 * V, calibration=by_name.calibration)
    np.testing.assert_allclose(
        from_vectors.rate([0, 1], POOL), by_position.rate([0, 1], POOL), atol=1e-6
    )


def test_fit_calibration_recovers_a_logistic_model():
    rng = np.random.default_rng(1)
    cos = rng.uniform(-0.3, 0.9, 20000)
    agree = rng.random(cos.size) < expit(4.0 * cos - 1.0)
    a, b = fit_calibration(cos, agree)
    assert a == pytest.approx(4.0, abs=0.3) and b == pytest.approx(-1.0, abs=0.15)
    with pytest.raises(GenerativeError, match="both agreements and disagreements"):
        fit_calibration([0.1, 0.2], [True, True])


@pytest.mark.parametrize("n", [30, 400, 5000])
def test_fit_calibration_agrees_with_scikit_learn(n):
    """The numpy fit is the optimum scikit-learn finds (a test dependency only)."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(n)
    cos = rng.uniform(-0.3, 0.9, n)
    agree = rng.random(n) < expit(3.0 * cos - 0.5)
    model = LogisticRegression(C=1e6, max_iter=10_000, tol=1e-10).fit(cos[:, None], agree)
    a, b = fit_calibration(cos, agree)
    assert a == pytest.approx(model.coef_[0, 0], rel=1e-3, abs=1e-3)
    assert b == pytest.approx(model.intercept_[0], rel=1e-3, abs=1e-3)


def test_fit_calibration_separable_and_constant_inputs_stay_finite():
    a, b = fit_calibration([0.1, 0.2, 0.8, 0.9], [False, False, True, True])
    assert np.isfinite([a, b]).all() and a > 0 and -b / a == pytest.approx(0.5, abs=0.05)
    a, b = fit_calibration([0.3, 0.3, 0.3, 0.3], [False, True, True, True])
    assert a == 0.0 and expit(b) == pytest.approx(0.75)


class _Likes:
    """Everybody rates a statement by its length (longer is better), 0-6."""

    scale = (0.0, 6.0)

    def rate(self, agent_ids, statements):
        return np.array([[min(6.0, len(s) / 4) for s in statements] for _ in agent_ids])


def test_llm_generator_never_returns_a_statement_on_the_slate():
    chat = ScriptedChat(["  the LONGEST statement of all  ", "short"])
    pool = ["the longest statement of all", "a middling one", "tiny"]
    seen = []
    generator = LLMGenerator(
        chat, ["x", "y", "z"], _Likes(), pool=pool, progress=lambda d, t: seen.append((d, t))
    )
    rng = np.random.default_rng(0)
    first = generator.generate([0, 1, 2], 1, rng=rng)
    assert first == "the LONGEST statement of all"  # the written copy: its spaces trimmed
    # the same statement in other case and spacing counts as already on the slate
    second = generator.generate([0, 1, 2], 1, rng=rng, exclude=[first])
    assert second == "a middling one"
    third = generator.generate([0, 1, 2], 1, rng=rng, exclude=[first, second])
    assert third == "short"
    assert seen[:5] == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]  # one report per statement
    assert chat.calls == 3 * 4
    with pytest.raises(GenerativeError, match="no new statement"):
        generator.generate([0], 1, rng=rng, exclude=[first, second, third, "tiny"])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda e: EmbeddingRater(e, []), "at least one opinion"),
        (lambda e: EmbeddingRater(e, ["fine", "  "]), "agent 1"),
        (lambda e: EmbeddingRater(e, "one text"), "not a single str"),
        (lambda e: EmbeddingRater(e, ["a", "b"], calibration="magic"), "'calibration'"),
        (lambda e: EmbeddingRater(e, ["a", "b"]).rate([5], ["x"]), "Unknown agent id 5"),
        (lambda e: EmbeddingRater(e, ["a", "b"]).rate([0], ["x", ""]), "statements[1]"),
        (
            lambda e: EmbeddingRater.from_vectors(e, [[1.0, np.nan]]),
            "'vectors' parameter of EmbeddingRater.from_vectors must be a matrix of finite",
        ),
        (
            lambda e: EmbeddingRater.from_vectors(e, [[1.0, 0.0]], ids=["a", "b"]),
            "'ids' parameter of EmbeddingRater.from_vectors must be one id per row",
        ),
    ],
)
def test_embedding_rater_bad_input(embedder, make, message):
    with pytest.raises(GenerativeError) as info:
        make(embedder)
    assert message in str(info.value)


def test_embedding_rater_drives_an_exact_pool_slate(embedder):
    rater = EmbeddingRater(embedder, OPINIONS)
    pool = PoolGenerator(POOL, rater.rate(range(6), POOL))
    slate = generate_slate(6, 3, rater=pool, generator=pool)
    assert slate.k == 3 and sorted(np.bincount(slate.assignment)) == [2, 2, 2]


def test_llm_rater_reads_digit_probabilities_in_both_orders(chat_model):
    rater = LLMRater(chat_model, OPINIONS[:2], question="What should assistants do?")
    dist = rater.rating_distribution([0, 1], POOL[:2])
    assert dist.shape == (2, 2, 7)
    np.testing.assert_allclose(dist.sum(axis=-1), 1.0)
    R = rater.rate([0, 1], POOL[:2])
    np.testing.assert_allclose(R, dist @ np.arange(7))
    one_way = LLMRater(chat_model, OPINIONS[:2], both_orders=False)
    assert one_way.rating_distribution([0], POOL[:1]).shape == (1, 1, 7)
    assert "0 = perfectly" in rater.prompt("x", "y", reverse=True)[1]["content"]


def test_llm_generator_writes_scores_and_records(chat_model, embedder):
    rater = EmbeddingRater(embedder, OPINIONS)
    generator = LLMGenerator(
        chat_model,
        OPINIONS,
        rater,
        pool=POOL[:1],
        n_candidates=2,
        max_opinions=4,
        max_new_tokens=16,
    )
    slate = generate_slate(6, 2, rater=rater, generator=generator, rng=0)
    assert slate.k == 2 and all(s.strip() for s in slate.statements)
    assert len(generator.history) == 2
    first = generator.history[0]
    assert first.r == 3 and len(first.candidates) == len(first.scores)
    assert slate.statements[0] == first.candidates[first.chosen]
    assert first.scores[first.chosen] == max(first.scores)


def test_llm_generator_bad_parameters(chat_model, embedder):
    rater = EmbeddingRater(embedder, OPINIONS)
    with pytest.raises(GenerativeError, match="'n_candidates'"):
        LLMGenerator(chat_model, OPINIONS, rater, n_candidates=-1)
    with pytest.raises(GenerativeError, match="n_candidates >= 1 or a non-empty pool"):
        LLMGenerator(chat_model, OPINIONS, rater, n_candidates=0)
    with pytest.raises(GenerativeError, match="'r' parameter"):
        LLMGenerator(chat_model, OPINIONS, rater, pool=POOL).generate([0, 1], 3)
