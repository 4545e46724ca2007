"""best_of_n with a fake chat model and reward; dpo for two real steps on the local SmolLM2."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lm import ChatModel
from rlchf._errors import ModelError, PreferenceDataError, RLCHFError
from rlchf._policy import DPOResult, best_of_n, dpo


class FakeChat(ChatModel):
    """Replies "<prompt> #k" with k = seed % 7, so sampled replies differ and are traceable."""

    model_id = "fake"

    def __init__(self):
        super().__init__(cache=False)
        self.calls = []

    def _generate_batch(self, conversations, max_new_tokens, temperature, seeds):
        self.calls.append((len(conversations), max_new_tokens, temperature, list(seeds)))
        return [f"{c[-1]['content']} #{s % 7}" for c, s in zip(conversations, seeds, strict=True)]

    def _option_scores_batch(self, conversations, options):  # pragma: no cover - unused
        raise NotImplementedError


def number(prompts, responses):
    """The fake reward: the k of "#k"."""
    return np.array([float(r.rsplit("#", 1)[1]) for r in responses])


def test_best_is_the_argmax_of_the_candidates():
    chat = FakeChat()
    best = best_of_n(chat, number, ["a", "b", "c"], 5, rng=1)
    assert list(best.columns) == ["prompt", "response", "reward", "score", "candidates", "rewards"]
    assert best["prompt"].tolist() == ["a", "b", "c"]
    for _, row in best.iterrows():
        assert len(row["candidates"]) == 5
        assert all(c.startswith(row["prompt"] + " #") for c in row["candidates"])
        np.testing.assert_array_equal(row["rewards"], number(None, row["candidates"]))
        assert row["reward"] == max(row["rewards"]) == row["score"]
        assert row["response"] == row["candidates"][int(np.argmax(row["rewards"]))]


def test_one_batched_generation_with_distinct_seeds():
    chat = FakeChat()
    best_of_n(chat, number, ["a", "b"], 4, rng=3, temperature=0.5, max_new_tokens=17)
    sizes = [c[0] for c in chat.calls]
    assert sum(sizes) == 8 and all(c[1:3] == (17, 0.5) for c in chat.calls)
    seeds = [s for c in chat.calls for s in c[3]]
    assert len(set(seeds)) == 8


def test_same_rng_same_replies_other_rng_other_replies():
    one = best_of_n(FakeChat(), number, ["a", "b"], 3, rng=7)
    two = best_of_n(FakeChat(), number, ["a", "b"], 3, rng=7)
    assert one["candidates"].tolist() == two["candidates"].tolist()
    others = [best_of_n(FakeChat(), number, ["a"], 3, rng=s)["candidates"][0] for s in range(4)]
    assert len({tuple(c) for c in others}) > 1


def test_safety_cost_trades_off_reward():
    chat = FakeChat()
    cost = lambda prompts, responses: (number(prompts, responses) >= 4).astype(float)  # noqa: E731
    plain = best_of_n(chat, number, ["a", "b", "c"], 6, rng=0)
    assert (plain["reward"] >= 4).all()
    safe = best_of_n(chat, number, ["a", "b", "c"], 6, rng=0, cost_fn=cost, cost_weight=10.0)
    assert (safe["cost"] == 0).all() and (safe["reward"] < 4).all()
    np.testing.assert_allclose(safe["score"], safe["reward"] - 10.0 * safe["cost"])
    assert "costs" in safe.columns
    free = best_of_n(chat, number, ["a", "b", "c"], 6, rng=0, cost_fn=cost, cost_weight=0.0)
    assert free["response"].tolist() == plain["response"].tolist()


def test_progress_reaches_the_total():
    seen = []
    best_of_n(FakeChat(), number, ["a", "b", "c"], 4, rng=0,
              progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (12, 12)
    assert all(t == 12 for _, t in seen)


def test_n_one_greedy_allowed():
    best = best_of_n(FakeChat(), number, ["a"], 1, temperature=0.0, rng=0)
    assert best["candidates"][0] == [best["response"][0]]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n": 0}, "'n' parameter of best_of_n must be an int in \\[1, 256\\]. Got 0"),
        ({"n": 3, "temperature": 0.0},
         "'temperature' parameter of best_of_n must be a float in \\(0"),
        ({"n": 2, "cost_weight": 1.0}, "cost_weight=1.0 needs a cost_fn"),
        ({"n": 2, "cost_weight": -1.0, "cost_fn": number}, "'cost_weight' parameter"),
        ({"n": 2, "rng": "seed"}, "'rng' parameter of best_of_n"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises(RLCHFError, match=match):
        best_of_n(FakeChat(), number, ["a"], **kwargs)


@pytest.mark.parametrize("prompts", ["one string", [], ["ok", ""], ["ok", 3]])
def test_bad_prompts(prompts):
    with pytest.raises(RLCHFError, match="'prompts' parameter of best_of_n"):
        best_of_n(FakeChat(), number, prompts, 2)


@pytest.mark.parametrize(
    ("reward", "match"),
    [
        (lambda p, r: np.zeros(len(r) + 1), r"shape \(4,\). Got shape \(5,\)"),
        (lambda p, r: [0.0, math.nan, 0.0, 0.0], "returned nan for response 1"),
        (lambda p, r: ["x"] * len(r), "did not return numbers"),
    ],
)
def test_bad_reward_function(reward, match):
    with pytest.raises(RLCHFError, match=match):
        best_of_n(FakeChat(), reward, ["a", "b"], 2)


def test_bad_cost_function_is_named():
    with pytest.raises(RLCHFError, match="cost_fn must return one score"):
        best_of_n(FakeChat(), number, ["a"], 2, cost_fn=lambda p, r: [1.0])


# -- dpo ----------------------------------------------------------------------------------------

PAIRS = pd.DataFrame({
    "prompt": ["Say hello.", "Greet a friend.", "Welcome a guest.", "Say hi."],
    "chosen": ["Hello! It is lovely to see you."] * 4,
    "rejected": ["Go away."] * 4,
    "margin": [1.0, 0.5, 0.5, 1.0],
})


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"learning_rate": 0.0}, "'learning_rate' parameter of dpo must be a float in \\(0, 1\\]"),
        ({"steps": 0}, "'steps' parameter of dpo"),
        ({"beta": -0.1}, "'beta' parameter of dpo"),
        ({"r": 0}, "'r' parameter of dpo"),
        ({"max_length": 2}, "'max_length' parameter of dpo"),
    ],
)
def test_dpo_bad_parameters_fail_before_loading(kwargs, match):
    with pytest.raises(RLCHFError, match=match):
        dpo(PAIRS, **kwargs)


def test_dpo_bad_pairs_and_folder(tmp_path):
    with pytest.raises(PreferenceDataError, match="no 'chosen' column"):
        dpo(PAIRS.drop(columns="chosen"))
    with pytest.raises(ModelError, match=r"has no config\.json"):
        dpo(PAIRS, model=tmp_path)


def test_dpo_two_real_steps_on_smollm2(tmp_path):
    """Two LoRA steps on the local SmolLM2: the loss starts at ln 2 and the chosen reply gains."""
    from safetensors.torch import load_file

    from lm._local import convert_gguf

    seen = []
    result = dpo(PAIRS, steps=2, batch_size=2, max_length=48, learning_rate=1e-3, rng=0,
                 output_dir=tmp_path / "policy", progress=lambda d, t: seen.append((d, t)))
    assert isinstance(result, DPOResult)
    assert seen == [(0, 2), (1, 2), (2, 2)]
    assert result.losses.shape == (2,) and result.margins.shape == (2,)
    assert result.losses[0] == pytest.approx(math.log(2), abs=1e-4)  # policy == reference
    assert result.losses[1] < result.losses[0] and result.margins[1] > 0
    assert not hasattr(result.model, "peft_config") or not result.model.peft_config
    assert result.path == tmp_path / "policy"
    assert (result.path / "config.json").is_file()
    assert (result.path / "tokenizer_config.json").is_file()
    before = load_file(convert_gguf() / "model.safetensors")
    after = load_file(result.path / "model.safetensors")
    assert set(after) == set(before)  # a plain model: the adapter is merged
    changed = [k for k in before if not np.array_equal(before[k].numpy(), after[k].numpy())]
    assert any("q_proj" in k for k in changed)


def test_dpo_prompt_longer_than_max_length_is_named_not_dropped():
    """TRL silently drops pairs whose prompt fills max_length; dpo names the row instead."""
    pairs = PAIRS.copy()
    pairs.loc[2, "prompt"] = "Please say hello to everyone in the room. " * 6
    with pytest.raises(PreferenceDataError, match=r"row 2: the prompt has \d+ tokens"):
        dpo(pairs, max_length=64, steps=1)


def test_dpo_full_fine_tuning_one_step():
    """lora=False trains every weight against a frozen copy of the starting model."""
    from safetensors.torch import load_file

    from lm._local import convert_gguf

    result = dpo(PAIRS, lora=False, steps=1, batch_size=2, max_length=48, learning_rate=1e-4,
                 rng=1)
    assert result.losses[0] == pytest.approx(math.log(2), abs=1e-4)
    assert result.settings["lora"] is False and not result.model.training
    before = load_file(convert_gguf() / "model.safetensors")
    weights = dict(result.model.named_parameters())
    name = "model.layers.0.mlp.down_proj.weight"
    assert not np.array_equal(before[name].numpy(), weights[name].detach().numpy())
