"""The HTTP chat back-end: any OpenAI-compatible ``/v1/chat/completions`` endpoint.

:class:`HTTPChatModel` sends one request per conversation (a few at a time, concurrently),
retries connection failures, time-outs, 429 and 5xx answers with exponential back-off, and
turns every failure into an :class:`~lm.EndpointError` that names the URL, what happened and
what to check. Option scores come from the server's token log-probabilities when it offers
them (``"top_logprobs"``) and otherwise from one greedy answer matched to an option
(``"constrained"``).
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx
import numpy as np
from numpy.typing import NDArray

from _common.validation import check_choice, check_float, check_int

from ._base import ChatModel
from ._cache import CallCache
from ._errors import EndpointError, LMInputError

__all__ = ["HTTPChatModel", "match_option"]

logger = logging.getLogger(__name__)

_SCORINGS = ("auto", "top_logprobs", "constrained")
_TOP_LOGPROBS = 20
_CONSTRAINED_TOKENS = 16
_WORD_LETTERS = frozenset({"a", "i"})  # option letters that are also English words
_LEADING_MARKS = "\"'`*([{<_ \t\n"
T = TypeVar("T")


def match_option(reply: str, options: Sequence[str]) -> int | None:
    """Return the index of the option that ``reply`` starts with, or None.

    The comparison ignores case and surrounding whitespace; the longest matching option wins
    (``"10"`` over ``"1"``) and a match must end at a word boundary (``"A)"`` and ``"A."``
    match option ``"A"``, ``"Absolutely"`` does not). If nothing matches, leading quotes,
    brackets and markdown marks (``"**B**"``, ``"(B)"``) are skipped and the match is tried
    again. The option letters "A" and "I" are English words: a reply that goes on with a
    word after them ("I would choose B", "A good answer is C") matches neither, so it is
    reported as unmatched rather than read as the wrong option.

    Parameters
    ----------
    reply : str
        A model's reply.
    options : sequence of str
        The options offered.

    Returns
    -------
    int or None
        The index in ``options`` of the matched option; None if the reply starts with none.

    Examples
    --------
    >>> match_option("B) apple, because ...", ["A", "B", "C"])
    1
    >>> match_option("10 out of 10", ["1", "5", "10"])
    2
    >>> match_option("**yes**", ["Yes", "No"])
    0
    >>> match_option("Absolutely", ["A", "B"]) is None
    True
    >>> match_option("I would choose B", list("ABCDEFGHI")) is None
    True
    >>> match_option("I) (85, 15)", list("ABCDEFGHI"))
    8
    """
    text = reply.strip().casefold()
    for candidate in (text, text.lstrip(_LEADING_MARKS)):
        best, best_len = None, 0
        for j, option in enumerate(options):
            key = option.strip().casefold()
            if not key or not candidate.startswith(key) or len(key) <= best_len:
                continue
            rest = candidate[len(key) :]
            if rest and key[-1].isalnum() and rest[0].isalnum():
                continue  # "A" must not match "Absolutely"
            if key in _WORD_LETTERS and re.match(r"\s+[^\W\d_]", rest):
                continue  # "I would choose B" is a sentence, not option I
            best, best_len = j, len(key)
        if best is not None:
            return best
    return None


def _token_safe(options: Sequence[str]) -> str | None:
    """Return why top-logprob scoring cannot score ``options``, or None if it can."""
    keys = [o.strip() for o in options]
    for option, key in zip(options, keys, strict=True):
        if not key or re.search(r"\s", key):
            return f"option {option!r} is empty or has inner whitespace (several tokens)"
    for i, a in enumerate(keys):
        for j, b in enumerate(keys):
            if i != j and b.startswith(a):
                return (
                    f"option {options[i]!r} is a prefix of option {options[j]!r}, so their "
                    "first tokens may coincide"
                )
    return None


def _logsumexp(values: list[float]) -> float:
    if not values:
        return -math.inf
    top = max(values)
    if top == -math.inf:
        return top
    return top + math.log(sum(math.exp(v - top) for v in values))


class HTTPChatModel(ChatModel):
    """A chat model behind an OpenAI-compatible HTTP endpoint.

    Works with any server that implements ``POST {base_url}/chat/completions`` (OpenAI,
    vLLM, llama.cpp's server, Ollama, or :func:`lm.create_app` serving our local model).

    Parameters
    ----------
    base_url : str
        The API root, including the version: ``"http://127.0.0.1:8000/v1"``.
    model : str
        The model name the server serves (``list_models()`` lists them).
    api_key : str, optional
        Sent as ``Authorization: Bearer <api_key>``.
    timeout : float
        Seconds to wait for connecting, for each read and each write.
    retries : int
        Extra attempts after a connection failure, a time-out, HTTP 429 or 5xx (never after
        another 4xx). Waits ``backoff``, ``2 * backoff``, ... seconds between attempts (or the
        server's ``Retry-After``, at most 60 s).
    scoring : {"auto", "top_logprobs", "constrained"}
        How :meth:`option_scores` works. ``"top_logprobs"``: one token is requested with
        ``logprobs=true, top_logprobs=20``; an option's score is the log-probability of the
        top candidates equal to it after stripping whitespace (summed with logsumexp when
        several are, e.g. ``"A"`` and ``" A"``), ``-inf`` when none is among the 20. It is
        exact for options that are single tokens (digits, letters, short words); options
        with inner whitespace or that are prefixes of each other fall back to
        ``"constrained"`` for that call, and so does a prompt whose top candidates hold a
        proper prefix of an absent option (the option is then several tokens).
        ``"constrained"``: a greedy reply of up to 16 tokens; the option it starts with
        (see :func:`match_option`) gets 0.0 and the others ``-inf``; a reply that starts
        with no option is an invalid answer and gets ``-inf`` everywhere. ``"auto"`` probes
        the server on the first option-scoring call and uses ``"top_logprobs"`` if it
        returns log-probabilities, ``"constrained"`` otherwise.
    cache : CallCache or bool
        The call cache (default: the per-user SQLite cache; False disables it).
    batch_size : int
        Requests sent concurrently (and conversations per cache write).
    backoff : float
        The first wait between attempts, in seconds.

    Attributes
    ----------
    scoring_method : str
        ``"top_logprobs"`` or ``"constrained"``; ``"auto"`` until the first option-scoring
        call has probed the server.

    Notes
    -----
    Replies are stripped of surrounding whitespace, like :class:`lm.LocalChatModel`'s.
    Cached option scores are keyed by the ``scoring`` setting as well; if a server gains or
    loses log-probability support, clear its entries with ``cache.clear(model.model_id)``.

    References
    ----------
    OpenAI API reference, "Create chat completion" (``logprobs``, ``top_logprobs``).

    Examples
    --------
    >>> chat = HTTPChatModel("http://127.0.0.1:8000/v1", "SmolLM2", cache=False)
    >>> chat.model_id
    'http:http://127.0.0.1:8000/v1#SmolLM2'
    >>> chat.generate("Say hi.", max_new_tokens=8)  # doctest: +SKIP
    'Hi! How can I help you today?'
    >>> chat.close()
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        *,
        timeout: float = 60.0,
        retries: int = 2,
        scoring: str = "auto",
        cache: CallCache | bool | None = True,
        batch_size: int = 8,
        backoff: float = 1.0,
    ) -> None:
        if not isinstance(base_url, str) or not re.match(r"^https?://[^/\s]+", base_url):
            raise LMInputError(
                "The 'base_url' parameter of HTTPChatModel must be an http(s) URL such as "
                f"'http://127.0.0.1:8000/v1'. Got {base_url!r} instead."
            )
        if not isinstance(model, str) or not model.strip():
            raise LMInputError(
                f"The 'model' parameter of HTTPChatModel must be a non-empty string. "
                f"Got {model!r} instead."
            )
        where = "HTTPChatModel"
        check_choice(scoring, "scoring", where, _SCORINGS, error=LMInputError)
        timeout = check_float(timeout, "timeout", where, 0.0, low_open=True, error=LMInputError)
        backoff = check_float(backoff, "backoff", where, 0.0, error=LMInputError)
        retries = check_int(retries, "retries", where, 0, error=LMInputError)
        batch_size = check_int(batch_size, "batch_size", where, 1, error=LMInputError)
        super().__init__(cache)
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.timeout = float(timeout)
        self.retries = retries
        self.backoff = float(backoff)
        self.batch_size = batch_size
        self.scoring = scoring
        self.scoring_method = scoring
        self.model_id = f"http:{self.base_url}#{model}"
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(headers=headers, timeout=httpx.Timeout(self.timeout))
        self._probe_lock = threading.Lock()

    # -- transport ----------------------------------------------------------------------------
    def _request(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        """Send one request with retries; return the decoded JSON body."""
        url = f"{self.base_url}{path}"
        delay = self.backoff
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            wait = delay
            try:
                response = self._client.request(method, url, json=payload)
            except httpx.TimeoutException:
                problem = f"timed out after {self.timeout:g}s"
                hint = (
                    "The server may be overloaded or the model slow: check the server, or "
                    "raise timeout="
                )
            except httpx.ConnectError as exc:
                problem = f"cannot connect ({exc})"
                hint = (
                    "Is the server running, and is LM_BASE_URL right (the API root ending in "
                    "/v1, e.g. http://127.0.0.1:8000/v1)?"
                )
            except httpx.TransportError as exc:
                problem = f"the connection failed ({type(exc).__name__}: {exc})"
                hint = "Is the server running and reachable from here?"
            else:
                status = response.status_code
                if status < 400:
                    return self._decode(response, url)
                problem = f"answered HTTP {status} {response.reason_phrase}: "
                problem += _server_message(response)
                hint = _status_hint(status)
                if status != 429 and status < 500:
                    error = EndpointError(f"{method} {url} {problem}. {hint}")
                    error.status_code = status  # type: ignore[attr-defined]
                    raise error
                wait = max(delay, _retry_after(response))
            if attempt < attempts:
                logger.info(
                    "%s %s %s (attempt %d of %d); retrying in %.2g s",
                    method,
                    url,
                    problem,
                    attempt,
                    attempts,
                    wait,
                )
                time.sleep(wait)
                delay *= 2
        raise EndpointError(f"{method} {url} {problem} ({attempts} attempts). {hint}")

    @staticmethod
    def _decode(response: httpx.Response, url: str) -> Any:
        try:
            return response.json()
        except ValueError:
            raise EndpointError(
                f"{url} answered HTTP {response.status_code} with a body that is not JSON: "
                f"{response.text[:200]!r}. Is base_url the API root of an OpenAI-compatible "
                "server (ending in /v1)?"
            ) from None

    def _complete(self, payload: dict[str, Any]) -> dict[str, Any]:
        body = self._request("POST", "/chat/completions", {"model": self.model, **payload})
        _field(body, f"{self.base_url}/chat/completions", "choices", 0, "message")
        return body

    def _map(self, function: Callable[[Any], T], items: Sequence[Any]) -> list[T]:
        if len(items) == 1:
            return [function(items[0])]
        with ThreadPoolExecutor(max_workers=min(self.batch_size, len(items))) as pool:
            return list(pool.map(function, items))

    def _reply(self, body: dict[str, Any]) -> str:
        content = _field(
            body, f"{self.base_url}/chat/completions", "choices", 0, "message", "content"
        )
        if not isinstance(content, str):
            raise EndpointError(
                f"{self.base_url}/chat/completions answered without a text reply: "
                f"'choices[0].message.content' is {content!r}, expected a string."
            )
        return content.strip()

    # -- ChatModel ----------------------------------------------------------------------------
    def _generate_batch(
        self,
        conversations: list[list[dict[str, str]]],
        max_new_tokens: int,
        temperature: float,
        seeds: list[int],
    ) -> list[str]:
        def one(item: tuple[list[dict[str, str]], int]) -> str:
            messages, seed = item
            body = self._complete(
                {
                    "messages": messages,
                    "max_tokens": max_new_tokens,
                    "temperature": temperature,
                    "seed": seed,
                }
            )
            return self._reply(body)

        return self._map(one, list(zip(conversations, seeds, strict=True)))

    def _cached(
        self,
        method: str,
        payloads: list[dict[str, Any]],
        compute: Callable[[list[int]], list[Any]],
        progress: Callable[[int, int], None] | None,
    ) -> list[Any]:
        # Constrained and log-prob scores of the same prompt differ: key them apart.
        if method == "option_scores":
            payloads = [{**p, "scoring": self.scoring} for p in payloads]
        return super()._cached(method, payloads, compute, progress)

    def _option_scores_batch(
        self, conversations: list[list[dict[str, str]]], options: list[str]
    ) -> NDArray[np.float64]:
        first: dict[str, Any] | None = None
        if self.scoring_method == "auto":
            with self._probe_lock:
                if self.scoring_method == "auto":
                    first = self._probe(conversations[0])
        method = self.scoring_method
        if method == "top_logprobs":
            reason = _token_safe(options)
            if reason is not None:
                logger.info("%s: scoring by constrained answers: %s", self.model_id, reason)
                method = "constrained"
        if method == "constrained":
            return np.stack(self._map(lambda c: self._constrained(c, options), conversations))

        def one(item: tuple[int, list[dict[str, str]]]) -> NDArray[np.float64]:
            row, conversation = item
            body = first if row == 0 and first is not None else self._top_request(conversation)
            return self._top_scores(body, conversation, options)

        return np.stack(self._map(one, list(enumerate(conversations))))

    # -- option scoring ----------------------------------------------------------------------
    def _top_request(self, conversation: list[dict[str, str]]) -> dict[str, Any]:
        return self._complete(
            {
                "messages": conversation,
                "max_tokens": 1,
                "temperature": 0.0,
                "seed": 0,
                "logprobs": True,
                "top_logprobs": _TOP_LOGPROBS,
            }
        )

    def _probe(self, conversation: list[dict[str, str]]) -> dict[str, Any] | None:
        """Find out whether the server returns log-probabilities; set ``scoring_method``."""
        try:
            body: dict[str, Any] | None = self._top_request(conversation)
        except EndpointError as exc:
            if getattr(exc, "status_code", None) not in (400, 422):
                raise
            body, why = None, f"it rejected logprobs=true ({exc})"
        else:
            choice = body["choices"][0]
            if isinstance(choice, dict) and choice.get("logprobs"):
                why = "it returned log-probabilities"
            else:
                body, why = None, "it answered logprobs: null"
        self.scoring_method = "constrained" if body is None else "top_logprobs"
        logger.info(
            "%s: option scoring uses %r because %s", self.model_id, self.scoring_method, why
        )
        return body

    def _top_scores(
        self, body: dict[str, Any], conversation: list[dict[str, str]], options: list[str]
    ) -> NDArray[np.float64]:
        url = f"{self.base_url}/chat/completions"
        content = _field(body, url, "choices", 0, "logprobs", "content")
        if not isinstance(content, list):
            raise EndpointError(
                f"{url} answered without log-probabilities: 'choices[0].logprobs.content' is "
                f"{content!r}, expected a list. Use scoring='constrained' for this server."
            )
        if not content:
            logger.warning("%s: an empty reply carried no log-probabilities", self.model_id)
            return np.full(len(options), -np.inf)
        top = _field(body, url, "choices", 0, "logprobs", "content", 0, "top_logprobs")
        if not isinstance(top, list):
            raise EndpointError(
                f"{url} answered 'choices[0].logprobs.content[0].top_logprobs' = {top!r}, "
                "expected a list of {token, logprob} objects."
            )
        candidates: list[tuple[str, float]] = []
        for k, entry in enumerate(top):
            where = f"choices[0].logprobs.content[0].top_logprobs[{k}]"
            token = _field(entry, url, "token", where=where)
            logprob = _field(entry, url, "logprob", where=where)
            candidates.append((str(token).strip(), float(logprob)))
        scores = np.full(len(options), -np.inf)
        for j, option in enumerate(options):
            key = option.strip()
            found = [lp for token, lp in candidates if token == key]
            if found:
                scores[j] = _logsumexp(found)
            elif any(token and key.startswith(token) for token, _ in candidates):
                logger.info(
                    "%s: option %r is several tokens for this server; scoring this prompt by "
                    "a constrained answer",
                    self.model_id,
                    option,
                )
                return self._constrained(conversation, options)
        return scores

    def _constrained(
        self, conversation: list[dict[str, str]], options: list[str]
    ) -> NDArray[np.float64]:
        body = self._complete(
            {
                "messages": conversation,
                "max_tokens": _CONSTRAINED_TOKENS,
                "temperature": 0.0,
                "seed": 0,
            }
        )
        reply = self._reply(body)
        scores = np.full(len(options), -np.inf)
        chosen = match_option(reply, options)
        if chosen is None:
            logger.info("%s: the reply %r starts with no option", self.model_id, reply[:80])
        else:
            scores[chosen] = 0.0
        return scores

    # -- other endpoints ---------------------------------------------------------------------
    def list_models(self) -> list[str]:
        """Return the ids of the models the server serves (``GET {base_url}/models``).

        Examples
        --------
        >>> HTTPChatModel("http://127.0.0.1:8000/v1", "m", cache=False).list_models()
        ... # doctest: +SKIP
        ['SmolLM2-135M-Instruct']
        """
        body = self._request("GET", "/models")
        data = _field(body, f"{self.base_url}/models", "data")
        return [
            str(_field(entry, f"{self.base_url}/models", "id", where=f"data[{i}]"))
            for i, entry in enumerate(data)
        ]

    def close(self) -> None:
        """Close the HTTP connections (the model can no longer be used)."""
        self._client.close()

    def __enter__(self) -> HTTPChatModel:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _field(body: Any, url: str, *path: str | int, where: str = "") -> Any:
    """Return ``body[path[0]][path[1]]...``; an EndpointError naming the missing field."""
    value = body
    name = where
    for step in path:
        name += f"[{step}]" if isinstance(step, int) else (f".{step}" if name else step)
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError):
            raise EndpointError(
                f"{url} answered a body without the field '{name}' expected of an "
                f"OpenAI-compatible server: {str(body)[:200]}"
            ) from None
    return value


def _server_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200].strip() or "(empty body)"
    if isinstance(body, dict):
        error = body.get("error", body.get("detail", body))
        if isinstance(error, dict) and "message" in error:
            return str(error["message"])[:500]
        return str(error)[:500]
    return str(body)[:500]


def _status_hint(status: int) -> str:
    if status in (401, 403):
        return "Check the API key (LM_API_KEY)."
    if status == 404:
        return (
            "Check LM_BASE_URL (the API root ending in /v1) and the model name (LM_MODEL; "
            "list_models() shows the served ones)."
        )
    if status == 429:
        return "The server is rate-limiting: wait, or lower batch_size."
    if status >= 500:
        return "The server failed; see its log."
    return "The server rejected the request."


def _retry_after(response: httpx.Response) -> float:
    try:
        return min(float(response.headers.get("retry-after", 0)), 60.0)
    except ValueError:
        return 0.0
