"""The one interface of every chat back-end: validation, batching and the call cache.

Subclasses implement two private methods over already-validated, uncached work:
``_generate_batch`` and ``_option_scores_batch``. Everything a user calls lives here, so the
local model and an HTTP endpoint validate, cache and batch in exactly the same way.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from _common.validation import check_float, check_int

from ._cache import CallCache, cached_calls, call_key, chosen_cache
from ._errors import LMInputError

__all__ = ["ChatModel", "Messages", "normalize_messages", "normalize_options"]

Messages = str | Sequence[Mapping[str, str]]
"""A prompt: a string (one user message) or a list of ``{"role", "content"}`` messages."""

_ROLES = ("system", "user", "assistant")
Progress = Callable[[int, int], None]


def normalize_messages(messages: Messages, *, where: str = "messages") -> list[dict[str, str]]:
    """Return ``messages`` as a list of ``{"role": ..., "content": ...}`` dicts.

    A string is one user message. Roles must be system, user or assistant and the last
    message must not be an assistant message (the model answers it).

    Examples
    --------
    >>> normalize_messages("Hello")
    [{'role': 'user', 'content': 'Hello'}]
    >>> normalize_messages([{"role": "boss", "content": "x"}])
    Traceback (most recent call last):
    ...
    lm._errors.LMInputError: messages[0]['role'] must be one of system, user,
    assistant. Got 'boss' instead.
    """
    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    if not isinstance(messages, Sequence) or len(messages) == 0:
        raise LMInputError(
            f"{where} must be a string or a non-empty list of {{'role', 'content'}} dicts. "
            f"Got {messages!r} instead."
        )
    clean: list[dict[str, str]] = []
    for i, message in enumerate(messages):
        if not isinstance(message, Mapping):
            raise LMInputError(
                f"{where}[{i}] must be a dict with 'role' and 'content'. Got {message!r} instead."
            )
        role, content = message.get("role"), message.get("content")
        if role not in _ROLES:
            raise LMInputError(
                f"{where}[{i}]['role'] must be one of {', '.join(_ROLES)}. Got {role!r} instead."
            )
        if not isinstance(content, str):
            raise LMInputError(
                f"{where}[{i}]['content'] must be a string. Got {type(content).__name__} instead."
            )
        clean.append({"role": role, "content": content})
    if clean[-1]["role"] == "assistant":
        raise LMInputError(
            f"{where} must end with a user (or system) message for the model to answer; "
            f"the last of its {len(clean)} messages is an assistant message."
        )
    return clean


def _normalize_batch(prompts: Any, name: str) -> list[list[dict[str, str]]]:
    """Each prompt of a batch through :func:`normalize_messages` (named ``name[i]``)."""
    if isinstance(prompts, str) or not isinstance(prompts, Sequence):
        raise LMInputError(
            f"{name} must be a list of prompts (strings or message lists). "
            f"Got {type(prompts).__name__} instead."
        )
    return [normalize_messages(p, where=f"{name}[{i}]") for i, p in enumerate(prompts)]


def normalize_options(options: Sequence[str]) -> list[str]:
    """Validate the options of :meth:`ChatModel.option_scores`: distinct, non-empty strings.

    Examples
    --------
    >>> normalize_options(["A", "B"])
    ['A', 'B']
    >>> normalize_options(["A", "A"])
    Traceback (most recent call last):
    ...
    lm._errors.LMInputError: options must be distinct; option 1 repeats option 0 ('A').
    """
    if isinstance(options, str) or not isinstance(options, Sequence) or len(options) == 0:
        raise LMInputError(f"options must be a non-empty list of strings. Got {options!r} instead.")
    seen: dict[str, int] = {}
    for i, option in enumerate(options):
        if not isinstance(option, str) or option == "":
            raise LMInputError(f"options[{i}] must be a non-empty string. Got {option!r} instead.")
        if option in seen:
            raise LMInputError(
                f"options must be distinct; option {i} repeats option {seen[option]} ({option!r})."
            )
        seen[option] = i
    return list(options)


class ChatModel(ABC):
    """A chat language model behind one interface: generation and option scoring.

    Subclasses: :class:`lm.LocalChatModel` (SmolLM2 on the CPU) and
    :class:`lm.HTTPChatModel` (any OpenAI-compatible server). Every public method validates
    its input, serves repeated calls from the on-disk :class:`~lm.CallCache` and runs the
    remaining work in batches of ``batch_size``, storing each finished batch at once (a
    failure mid-run keeps the batches already computed).

    Attributes
    ----------
    model_id : str
        Identifies the model in cache keys and reports.
    scoring_method : str
        How :meth:`option_scores` reads probabilities: ``"logits"`` (exact, local model),
        ``"logprobs"`` (exact, from the server's token log-probabilities),
        ``"top_logprobs"`` (first token of each option among the server's top candidates) or
        ``"constrained"`` (the server offers no log-probabilities: one greedy answer is
        matched to an option, which gets log-probability 0 and the others ``-inf``).
    """

    model_id: str = "unknown"
    scoring_method: str = "logits"
    batch_size: int = 8

    def __init__(self, cache: CallCache | bool | None = True) -> None:
        self.cache: CallCache | None = chosen_cache(cache)

    # -- subclasses ---------------------------------------------------------------------------
    @abstractmethod
    def _generate_batch(
        self,
        conversations: list[list[dict[str, str]]],
        max_new_tokens: int,
        temperature: float,
        seeds: list[int],
    ) -> list[str]:
        """Generate one reply per conversation (row ``i`` sampled with ``seeds[i]``)."""

    @abstractmethod
    def _option_scores_batch(
        self, conversations: list[list[dict[str, str]]], options: list[str]
    ) -> NDArray[np.float64]:
        """Return ``(len(conversations), len(options))`` log-probabilities."""

    # -- public -------------------------------------------------------------------------------
    def generate(
        self,
        messages: Messages,
        max_new_tokens: int = 128,
        temperature: float = 0.0,
        seed: int = 0,
    ) -> str:
        """Return the model's reply to ``messages``.

        Parameters
        ----------
        messages : str or list of dict
            A user message, or ``[{"role": "system" | "user" | "assistant", "content": ...}]``.
        max_new_tokens : int
            The most tokens the reply may have.
        temperature : float
            0 for greedy decoding (deterministic); > 0 samples with this temperature.
        seed : int
            The seed of the sampler: the same seed gives the same reply.
        """
        return self.generate_batch(
            [messages], max_new_tokens=max_new_tokens, temperature=temperature, seed=seed
        )[0]

    def generate_batch(
        self,
        conversations: Sequence[Messages],
        max_new_tokens: int = 128,
        temperature: float = 0.0,
        seed: int | Sequence[int] = 0,
        *,
        progress: Progress | None = None,
    ) -> list[str]:
        """Return one reply per conversation, running ``batch_size`` of them per forward pass.

        ``seed`` is one int (row ``i`` uses ``seed + i``, so the same prompt repeated gives
        different samples) or one seed per conversation. ``progress(done, total)`` is called
        after every batch.
        """
        clean = _normalize_batch(conversations, "conversations")
        where = "generate_batch"
        max_new_tokens = check_int(max_new_tokens, "max_new_tokens", where, 1, 8192,
                                   error=LMInputError)
        temperature = check_float(temperature, "temperature", where, 0.0, error=LMInputError)
        if isinstance(seed, Sequence):
            if len(seed) != len(clean):
                raise LMInputError(
                    f"seed must be one int or one int per conversation ({len(clean)}). "
                    f"Got {len(seed)} seeds instead."
                )
            seeds = [check_int(s, "seed", where, 0, error=LMInputError) for s in seed]
        else:
            first = check_int(seed, "seed", where, 0, error=LMInputError)
            seeds = [first + i for i in range(len(clean))]
        if temperature == 0.0:
            seeds = [0] * len(clean)  # greedy decoding does not depend on the seed
        payloads = [
            {"messages": c, "max_new_tokens": max_new_tokens, "temperature": temperature, "seed": s}
            for c, s in zip(clean, seeds, strict=True)
        ]
        return self._cached(
            "generate",
            payloads,
            lambda rows: self._generate_batch(
                [clean[i] for i in rows], max_new_tokens, temperature, [seeds[i] for i in rows]
            ),
            progress,
        )

    def stream(
        self,
        messages: Messages,
        max_new_tokens: int = 128,
        temperature: float = 0.0,
        seed: int = 0,
    ) -> Iterator[str]:
        """Yield the model's reply to ``messages`` in pieces, as it is written.

        The pieces joined (and stripped) are the reply :meth:`generate` gives for the same
        arguments at ``temperature=0``; a reply in the call cache comes back as one piece,
        and a streamed reply is stored there when it ends. Back-ends that cannot stream
        yield the whole reply at once. Arguments as :meth:`generate`; they are checked
        before the first piece is produced.

        Examples
        --------
        >>> from lm._base import ChatModel
        >>> class Echo(ChatModel):
        ...     def _generate_batch(self, conversations, max_new_tokens, temperature, seeds):
        ...         return [c[-1]["content"].upper() for c in conversations]
        ...     def _option_scores_batch(self, conversations, options):
        ...         raise NotImplementedError
        >>> list(Echo(cache=False).stream("hello"))
        ['HELLO']
        """
        where = "stream"
        clean = normalize_messages(messages)
        max_new_tokens = check_int(max_new_tokens, "max_new_tokens", where, 1, 8192,
                                   error=LMInputError)
        temperature = check_float(temperature, "temperature", where, 0.0, error=LMInputError)
        seed = 0 if temperature == 0.0 else check_int(seed, "seed", where, 0, error=LMInputError)
        return self._streamed(clean, max_new_tokens, temperature, seed)

    def _streamed(
        self, clean: list[dict[str, str]], max_new_tokens: int, temperature: float, seed: int
    ) -> Iterator[str]:
        payload = {"messages": clean, "max_new_tokens": max_new_tokens,
                   "temperature": temperature, "seed": seed}
        key = call_key(self.model_id, "generate", payload)
        stored = self.cache.get(key) if self.cache is not None else None
        if stored is not None:
            yield stored
            return
        pieces: list[str] = []
        for piece in self._stream(clean, max_new_tokens, temperature, seed):
            if piece:
                pieces.append(piece)
                yield piece
        if self.cache is not None:
            self.cache.put(key, self.model_id, "generate", "".join(pieces).strip())

    def _stream(
        self, conversation: list[dict[str, str]], max_new_tokens: int, temperature: float,
        seed: int,
    ) -> Iterator[str]:
        """The reply in pieces; by default the whole reply of :meth:`_generate_batch`."""
        yield self._generate_batch([conversation], max_new_tokens, temperature, [seed])[0]

    def option_scores(self, prompt: Messages, options: Sequence[str]) -> NDArray[np.float64]:
        """Return the log-probability of each option as the start of the model's reply.

        The prompt gets the chat template and the assistant turn; ``options[j]`` is scored as
        the continuation, ``sum(log p(token | prompt, earlier tokens))``. This reads a choice
        or a rating out of a model without parsing free text. Options that are single tokens
        (a digit, a letter) need one forward pass for all of them.

        Returns
        -------
        numpy.ndarray
            ``(len(options),)`` float64 log-probabilities (not renormalised over the options;
            use :func:`scipy.special.softmax` for a distribution over them).
        """
        return self.option_scores_batch([prompt], options)[0]

    def option_scores_batch(
        self,
        prompts: Sequence[Messages],
        options: Sequence[str],
        *,
        progress: Progress | None = None,
    ) -> NDArray[np.float64]:
        """Return ``(len(prompts), len(options))`` log-probabilities, batched.

        See :meth:`option_scores`; ``progress(done, total)`` is called after every batch.
        """
        clean = _normalize_batch(prompts, "prompts")
        opts = normalize_options(options)
        payloads = [{"messages": c, "options": opts} for c in clean]
        rows = self._cached(
            "option_scores",
            payloads,
            lambda todo: [
                [float(x) for x in row]
                for row in self._option_scores_batch([clean[i] for i in todo], opts)
            ],
            progress,
        )
        return np.asarray(rows, dtype=np.float64).reshape(len(clean), len(opts))

    def _cached(
        self,
        method: str,
        payloads: list[dict[str, Any]],
        compute: Callable[[list[int]], list[Any]],
        progress: Progress | None,
    ) -> list[Any]:
        return cached_calls(
            self.cache, self.model_id, method, payloads, compute, self.batch_size, progress
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model_id={self.model_id!r})"
