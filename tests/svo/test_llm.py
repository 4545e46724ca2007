"""svo.llm: the slider items answered by chat models.

The simulated respondents (no model) check the bookkeeping exactly: ideal types recover the
published angles under any option order, chance and pure position bias look as they should.
The local SmolLM2 and the HTTP back-end (real servers on localhost) check the plumbing with a
handful of prompts.
"""

from __future__ import annotations

import copy
import json

import numpy as np
import pandas as pd
import pytest
from fastapi import FastAPI, Request
from hypothesis import given, settings
from hypothesis import strategies as st

import svo
from svo.llm import (
    LETTERS,
    PERSONAS,
    SimulatedRespondent,
    evaluate,
    evaluate_each,
    evaluate_personas,
    item_prompt,
    persona_table,
    resolve_personas,
)
from svo.llm._aggregate import _pooled_angle

COLUMNS = ["sample", "item", "order", "position", "option", "self", "other", "probability", "valid"]


# -- simulated respondents -----------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(
    kind=st.sampled_from(svo.CATEGORIES),
    seed=st.integers(0, 2**32 - 1),
    samples=st.integers(1, 6),
    decision=st.sampled_from(["argmax", "sample"]),
)
def test_ideal_types_recover_the_published_angles_under_any_order(kind, seed, samples, decision):
    result = evaluate(
        SimulatedRespondent(kind), samples=samples, items="all", decision=decision, rng=seed
    )
    assert result.angle == pytest.approx(svo.IDEAL_ANGLES[kind], abs=0.005)
    assert result.angle_low == pytest.approx(result.angle) == result.angle_high
    assert result.category == kind and result.category_shares[kind] == 1.0
    ideal = np.array(svo.IDEAL_CHOICES[kind], dtype=float)
    options = result.choices["option"].to_numpy().reshape(samples, 15)
    assert (options[:, :6] == ideal).all()
    assert (result.choices["probability"] == 1.0).all()
    assert result.scored["transitive"].all() and result.n_invalid == 0


def test_choices_follow_the_displayed_order():
    result = evaluate(SimulatedRespondent("random"), samples=30, items="all", rng=5)
    c = result.choices
    assert c.columns.tolist() == COLUMNS and len(c) == 30 * 15
    assert sorted(c["order"].iloc[0]) == list("012345678")
    shown = [int(order[int(p)]) for order, p in zip(c["order"], c["position"], strict=True)]
    assert shown == c["option"].astype(int).tolist()
    payoffs = svo.ITEMS[c["item"] - 1, c["option"].astype(int)]
    assert (payoffs == c[["self", "other"]].to_numpy()).all()
    assert len({*c["order"]}) > 400  # fresh orders per sample and item
    np.testing.assert_allclose(c["probability"], 1 / 9)


def test_random_answers_match_the_published_chance_facts():
    # uniformly random answers: ~41.9% transitive, ~51% prosocial / ~49% individualistic
    result = evaluate(SimulatedRespondent("random"), samples=2000, rng=11)
    assert result.scored["transitive"].mean() == pytest.approx(0.419, abs=0.03)
    shares = result.category_shares
    assert shares["prosocial"] == pytest.approx(0.51, abs=0.04)
    assert shares["prosocial"] + shares["individualistic"] > 0.99
    assert result.order_bias_pvalue > 1e-3  # content-driven choices: positions uniform
    assert result.top_position_share < 0.13
    assert result.angle_low < result.angle < result.angle_high


def test_pure_position_bias_is_detected():
    result = evaluate(SimulatedRespondent("first"), samples=10, rng=0)
    assert result.position_counts.tolist() == [60, 0, 0, 0, 0, 0, 0, 0, 0]
    assert result.top_position_share == 1.0 and result.order_bias_pvalue < 1e-30
    assert "most chosen A (100% of valid answers" in result.summary()


def test_trembling_hand_and_sampled_decisions():
    noisy = SimulatedRespondent("altruistic", noise=1.0)
    scores = noisy.option_scores(item_prompt(3), list(LETTERS))
    np.testing.assert_allclose(np.exp(scores), 1 / 9)
    half = SimulatedRespondent("altruistic", noise=0.5)
    p = np.exp(half.option_scores_batch([item_prompt(3)], list(LETTERS))[0])
    assert p[0] == pytest.approx(0.5 + 0.5 / 9) and p.sum() == pytest.approx(1.0)
    result = evaluate(half, samples=400, decision="sample", rng=3)
    ideal = np.tile(svo.IDEAL_CHOICES["altruistic"], 400)
    hit = (result.choices["option"].to_numpy() == ideal).mean()
    assert hit == pytest.approx(0.5 + 0.5 / 9, abs=0.03)
    assert svo.IDEAL_ANGLES["prosocial"] < result.angle < svo.IDEAL_ANGLES["altruistic"]


def test_a_prompt_without_options_is_an_invalid_answer():
    scores = SimulatedRespondent("prosocial").option_scores("What is 2 + 2?", ["A", "B"])
    assert np.isneginf(scores).all()


def _pooled_angle_reference(payoffs: np.ndarray, indices: list[list[int]]) -> list[float]:
    """Resample the samples by explicit index lists, pool per item, average, take the angle."""
    angles = []
    for draw in indices:
        item_means = []
        for item in range(payoffs.shape[1]):
            valid = [payoffs[s, item] for s in draw if not np.isnan(payoffs[s, item, 0])]
            item_means.append(np.mean(valid, axis=0) if valid else np.array([np.nan, np.nan]))
        mean_self, mean_other = np.mean(item_means, axis=0)
        angles.append(np.degrees(np.arctan2(mean_other - 50, mean_self - 50)))
    return angles


def test_vectorised_bootstrap_matches_the_reference():
    rng = np.random.default_rng(0)
    options = rng.integers(0, 9, (7, 6))
    payoffs = svo.ITEMS[np.arange(6), options].astype(float)
    payoffs[2, 4] = np.nan  # an invalid answer
    payoffs[[0, 3], 1] = np.nan
    draws = [rng.integers(0, 7, 7).tolist() for _ in range(50)] + [[2, 2, 2, 2, 2, 2, 2]]
    weights = np.array([np.bincount(d, minlength=7) for d in draws], dtype=float)
    fast = _pooled_angle(payoffs, weights)
    np.testing.assert_allclose(fast, _pooled_angle_reference(payoffs, draws), equal_nan=True)
    assert np.isnan(fast[-1])  # item 5 has no valid answer in that resample


def test_personas_share_the_orders_and_agree_with_evaluate():
    model = SimulatedRespondent("random")
    calls = []
    table = evaluate_personas(model, samples=4, rng=9, progress=lambda d, t: calls.append((d, t)))
    assert table["persona"].tolist() == list(PERSONAS) and calls[-1] == (5 * 24, 5 * 24)
    assert table.columns.tolist() == [
        "persona", "instruction", "angle", "angle_low", "angle_high", "category",
        *(f"share_{c}" for c in svo.CATEGORIES),
        "top_position_share", "order_bias_pvalue", "order_biased", "n_invalid", "warnings",
    ]  # fmt: skip
    single = evaluate(model, "competitive", samples=4, rng=9)
    row = table.set_index("persona").loc["competitive"]
    assert row["angle"] == single.angle and row["angle_low"] == single.angle_low
    assert row["warnings"] == single.warnings() and row["order_biased"] == single.order_biased
    assert row["instruction"] == PERSONAS["competitive"]
    custom = evaluate_personas(model, {"mine": "Be kind."}, samples=4, rng=9)
    assert custom["instruction"].tolist() == ["Be kind."]
    mine = evaluate(model, "mine", instruction="Be kind.", samples=4, rng=9)
    assert mine.persona == "mine" and mine.angle == custom["angle"].iloc[0]


def test_evaluate_each_is_evaluate_per_persona_in_one_batch():
    class Counting(SimulatedRespondent):
        def option_scores_batch(self, prompts, options, *, progress=None):
            batches.append(len(prompts))
            return super().option_scores_batch(prompts, options, progress=progress)

    batches: list[int] = []
    calls: list[tuple[int, int]] = []
    personas = dict(resolve_personas(["competitive", "Be kind."]))
    results = evaluate_each(Counting("random"), personas, samples=3, items="all", rng=4,
                            progress=lambda d, t: calls.append((d, t)))
    assert batches == [2 * 3 * 15] and calls[-1] == (90, 90)
    single = evaluate(SimulatedRespondent("random"), "competitive", samples=3, items="all", rng=4)
    mine = evaluate(SimulatedRespondent("random"), "Be kind.", instruction="Be kind.",
                    samples=3, items="all", rng=4)
    for got, want in zip(results, [single, mine], strict=True):
        assert got.to_dict() == want.to_dict()
    with pytest.raises(svo.SVOError, match="'personas' parameter of evaluate_each"):
        evaluate_each(SimulatedRespondent("random"), ["nobody"])


def test_resolve_personas_reads_names_and_texts():
    assert resolve_personas(None) == [("none", None)]
    assert resolve_personas([], all_personas=True) == list(PERSONAS.items())
    named = resolve_personas([" Prosocial ", "Be kind.", "PROSOCIAL", "Be kind."], True)
    assert [n for n, _ in named] == [*PERSONAS, "Be kind."]
    assert dict(named)["prosocial"] == PERSONAS["prosocial"]
    assert dict(named)["Be kind."] == "Be kind."
    with pytest.raises(svo.SVOError, match=r"Each persona must be a persona name \(none, "):
        resolve_personas(["prosocial", "  "])


def test_persona_table_puts_the_survey_above_the_personas():
    model = evaluate_personas(SimulatedRespondent("altruistic"), ["none", "competitive"],
                              samples=2, rng=0)
    scored = svo.score([[8, 8, 8, 8, 0, 0], [0, 0, 0, 0, 0, 0], [np.nan] * 6])
    table = persona_table(model, scored)
    assert table.columns.tolist() == [
        "persona", "angle", "interval", "category", *svo.CATEGORIES, "first position", "p"
    ]
    assert table["persona"].tolist() == ["survey", "none", "competitive"]
    summary = svo.summarize(scored)
    assert table.loc[0, "angle"] == round(summary.angle_mean, 1) and table.loc[0, "interval"] == ""
    assert table.loc[0, "category"] == svo.categorize([summary.angle_mean])[0]
    assert np.isnan(table.loc[0, "p"]) and np.isnan(table.loc[0, "first position"])
    assert table.loc[1, "altruistic"] == 1.0
    assert table.loc[1, "angle"] == round(model["angle"][0], 1)
    assert table.loc[1, "p"] == model["order_bias_pvalue"][0]
    alone = persona_table(model)
    assert alone["persona"].tolist() == ["none", "competitive"]
    pd.testing.assert_frame_equal(alone, table.iloc[1:].reset_index(drop=True))


def test_item_prompt_lists_every_option_once():
    messages = item_prompt(7, [3, 1, 4, 0, 5, 8, 2, 6, 7], instruction=PERSONAS["prosocial"])
    assert [m["role"] for m in messages] == ["system", "user"]
    text = messages[1]["content"]
    assert "Option A: you receive 89, the other person receives 69" in text  # item 7, option 3
    assert all(f"Option {letter}:" in text for letter in LETTERS)
    assert [m["role"] for m in item_prompt(1)] == ["user"]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"samples": 0}, svo.SVOError, r"'samples' parameter of evaluate must be an int in \[1, "),
        ({"samples": 10_001}, svo.SVOError, "Got 10001 instead"),
        ({"samples": 2.0}, svo.SVOError, "'samples'"),
        ({"samples": True}, svo.SVOError, "'samples'"),
        ({"items": "some"}, svo.SVOError, "'items' parameter of evaluate must be one of 'primary'"),
        ({"decision": "max"}, svo.SVOError, "'decision'.*'argmax', 'sample'. Got 'max'"),
        ({"n_boot": 0}, svo.SVOError, "'n_boot'"),
        ({"confidence": 1.0}, svo.SVOError, r"'confidence'.*\(0, 1\)"),
        ({"persona": "saint"}, svo.SVOError, "Unknown persona 'saint'.*known: none, altruistic"),
        ({"instruction": " "}, svo.SVOError, "'instruction'"),
    ],
)
def test_bad_arguments_say_what_was_expected(kwargs, error, match):
    with pytest.raises(error, match=match):
        evaluate(SimulatedRespondent("prosocial"), **kwargs)


def test_bad_models_and_personas():
    with pytest.raises(TypeError, match="'chat_model' parameter of evaluate must have an option_"):
        evaluate("SmolLM2")
    with pytest.raises(svo.SVOError, match=r"'personas'.*instructions"):
        evaluate_personas(SimulatedRespondent("prosocial"), {"x": 3})
    with pytest.raises(svo.SVOError, match="Unknown persona 'saint'"):
        evaluate_personas(SimulatedRespondent("prosocial"), ["none", "saint"])
    with pytest.raises(svo.SVOError, match=r"'kind'.*'altruistic', 'prosocial'"):
        SimulatedRespondent("saint")
    with pytest.raises(svo.SVOError, match=r"'noise'.*\[0, 1\]"):
        SimulatedRespondent("prosocial", noise=1.5)
    with pytest.raises(svo.SVOError, match=r"'item'.*\[1, 15\]"):
        item_prompt(16)

    class ThreeOptions:  # a back-end that ignores the options it was given
        def option_scores_batch(self, prompts, options, progress=None):
            return np.zeros((len(prompts), 3))

    with pytest.raises(svo.SVOError, match=r"returned shape \(6, 3\).*expected \(6, 9\)"):
        evaluate(ThreeOptions(), samples=1)


# -- the local model -----------------------------------------------------------------------------
def test_local_model_structure_determinism_and_cache(chat_model):
    calls: list[tuple[int, int]] = []
    table = evaluate_personas(
        chat_model, ["prosocial"], samples=1, rng=0, progress=lambda *a: calls.append(a)
    )
    assert calls[-1] == (6, 6) and table["n_invalid"].tolist() == [0]
    again: list[tuple[int, int]] = []
    result = evaluate(
        chat_model, "prosocial", samples=1, rng=0, progress=lambda *a: again.append(a)
    )
    assert again == [(6, 6)]  # every prompt answered from the cache, nothing recomputed
    assert result.angle == table["angle"].iloc[0]
    assert result.method == "logits" and result.model_id == chat_model.model_id
    c = result.choices
    assert c.columns.tolist() == COLUMNS and len(c) == 6 and c["valid"].all()
    assert ((c["probability"] > 0) & (c["probability"] <= 1)).all()
    assert result.position_counts.sum() == 6 and result.n_invalid == 0
    assert result.scored.index.tolist() == [0]
    assert result.angle_low == result.angle == result.angle_high  # one sample: no spread
    assert -16.27 < result.angle < 61.4 and result.category in svo.CATEGORIES
    assert json.loads(json.dumps(result.to_dict()))["samples"] == 1


# -- HTTP back-ends ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def served(chat_model):
    """The local model behind an OpenAI-compatible server with log-probabilities."""
    from lm import BackgroundServer, create_app

    uncached = copy.copy(chat_model)
    uncached.cache = None
    with BackgroundServer(create_app(uncached, model_name="smollm2")) as server:
        yield server.base_url


def test_http_endpoint_with_logprobs_chooses_like_the_local_model(served, chat_model):
    from lm import HTTPChatModel

    with HTTPChatModel(served, "smollm2", cache=False, retries=0) as chat:
        remote = evaluate(chat, "prosocial", samples=1, rng=0)
    assert remote.method == "top_logprobs" and remote.n_invalid == 0
    local = evaluate(chat_model, "prosocial", samples=1, rng=0)
    assert remote.choices["option"].tolist() == local.choices["option"].tolist()


def test_http_answers_that_match_no_option_are_recorded_as_invalid():
    from lm import BackgroundServer, HTTPChatModel

    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def completions(request: Request):  # no log-probabilities: constrained answers
        body = await request.json()
        user = body["messages"][-1]["content"]
        item_1 = "you receive 85, the other person receives 76" in user
        reply = "Sorry, I would rather not say." if item_1 else "C"
        message = {"role": "assistant", "content": reply}
        return {"choices": [{"index": 0, "message": message, "logprobs": None}]}

    with (
        BackgroundServer(app) as server,
        HTTPChatModel(server.base_url, "m", cache=False, retries=0) as chat,
    ):
        result = evaluate(chat, samples=2, rng=1)
    assert result.method == "constrained"
    c = result.choices
    assert result.n_invalid == 2 and c.loc[~c["valid"], "item"].tolist() == [1, 1]
    assert c.loc[~c["valid"], ["position", "option", "self", "probability"]].isna().all().all()
    assert result.position_counts.tolist() == [0, 0, 10, 0, 0, 0, 0, 0, 0]
    assert np.isnan(result.angle) and result.category is None  # never a guessed answer
    assert result.scored["angle"].isna().all()
    assert result.scored.index[result.scored["angle"].isna()].tolist() == [0, 1]
    assert "invalid answers: 2 of 12" in result.summary()
    exported = json.loads(json.dumps(result.to_dict()))
    assert exported["angle"] is None and exported["choices"][0]["option"] is None


def test_summary_and_dict_of_a_clean_run():
    result = evaluate(SimulatedRespondent("prosocial"), samples=3, items="all", rng=2)
    d = result.to_dict()
    assert d["persona"] == "none" and d["instruction"] is None and d["items"] == "all"
    assert d["position_counts"] == result.position_counts.tolist()
    assert pd.DataFrame(d["scored"])["ia_index"].tolist() == [0.0, 0.0, 0.0]
    assert "angle 37.48° [95% CI 37.48°, 37.48°]: prosocial" in result.summary()


def test_warnings_say_what_to_doubt():
    """LLMEvaluation.warnings() is the one wording of the notes the CLI and the app show."""
    assert evaluate(SimulatedRespondent("prosocial"), samples=3, rng=0).warnings() == ()
    first = evaluate(SimulatedRespondent("first"), samples=3, rng=0)
    assert first.order_biased
    assert first.warnings()[0].startswith("order bias: letter A in 100% of the answers")
    one = evaluate(SimulatedRespondent("prosocial"), samples=1, rng=0)
    assert one.warnings() == ("one sample gives no interval (use 10 samples or more)",)
    noisy = evaluate(SimulatedRespondent("random"), samples=10, rng=0)  # [19.6°, 29.9°]
    assert "wide interval [19.6°, 29.9°] across a category boundary" in noisy.warnings()[-1]
    assert not noisy.order_biased or noisy.warnings()[0].startswith("order bias")
