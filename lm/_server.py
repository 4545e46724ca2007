"""A small OpenAI-compatible server for any of our chat models.

One model process can serve several clients (notebooks, the app, the command line) through
:class:`lm.HTTPChatModel`, and the tests of the HTTP back-end talk to a real server.
Endpoints: ``GET /v1/models``, ``POST /v1/chat/completions`` (non-streaming, one choice,
log-probabilities of the first reply token) and ``GET /health``.
"""

from __future__ import annotations

import logging
import math
import secrets
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
from fastapi import Body, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from numpy.typing import NDArray
from starlette.exceptions import HTTPException as StarletteHTTPException

from ._base import ChatModel, normalize_messages
from ._errors import LMError, LMInputError

__all__ = ["BackgroundServer", "create_app", "serve"]

logger = logging.getLogger(__name__)

_MAX_TOP_LOGPROBS = 20
_FLOOR = -9999.0  # what OpenAI reports for a log-probability that is -inf


class _APIError(Exception):
    """An error answered in OpenAI's format."""

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        status: int = 400,
        kind: str = "invalid_request_error",
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message, self.param, self.status, self.kind, self.code = (
            message,
            param,
            status,
            kind,
            code,
        )


def _error_response(
    status: int,
    message: str,
    param: str | None = None,
    kind: str = "invalid_request_error",
    code: str | None = None,
) -> JSONResponse:
    body = {"error": {"message": message, "type": kind, "param": param, "code": code}}
    return JSONResponse(body, status_code=status)


def _get(body: Mapping[str, Any], name: str, kinds: tuple[type, ...], what: str) -> Any:
    """Return ``body[name]`` (None if absent or null) after checking its JSON type."""
    value = body.get(name)
    if value is None:
        return None
    if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
        raise _APIError(f"'{name}' must be {what}. Got {value!r} instead.", param=name)
    return value


def _messages(raw: Any) -> list[dict[str, str]]:
    if not isinstance(raw, list) or not raw:
        raise _APIError(
            f"'messages' must be a non-empty array of {{role, content}} objects. "
            f"Got {raw!r} instead.",
            param="messages",
        )
    messages: list[Any] = []
    for i, message in enumerate(raw):
        if isinstance(message, dict):
            message = dict(message)
            if message.get("role") == "developer":
                message["role"] = "system"
            content = message.get("content")
            if isinstance(content, list):  # [{"type": "text", "text": ...}, ...]
                parts = []
                for k, part in enumerate(content):
                    if not isinstance(part, dict) or part.get("type") != "text":
                        raise _APIError(
                            f"messages[{i}].content[{k}] must be a text part "
                            f"{{'type': 'text', 'text': ...}}; this server reads text only. "
                            f"Got {part!r} instead.",
                            param=f"messages[{i}].content",
                        )
                    parts.append(str(part.get("text", "")))
                message["content"] = "".join(parts)
        messages.append(message)
    try:
        return normalize_messages(messages)
    except LMInputError as exc:
        raise _APIError(str(exc), param="messages") from None


def _token_text(tokenizer: Any, token_id: int) -> str:
    return str(tokenizer.decode([int(token_id)]))


def _logprob_entry(tokenizer: Any, token_id: int, logprob: float) -> dict[str, Any]:
    text = _token_text(tokenizer, token_id)
    value = float(logprob) if math.isfinite(logprob) else _FLOOR
    return {"token": text, "logprob": value, "bytes": list(text.encode("utf-8"))}


@dataclass(frozen=True)
class _Request:
    messages: list[dict[str, str]]
    limit: int
    temperature: float
    seed: int
    stop: list[str]
    logprobs: bool
    top_logprobs: int


def _read_request(
    body: Mapping[str, Any], name: str, can_logprobs: bool, default_max_tokens: int
) -> _Request:
    """Validate a chat-completions request body; raise ``_APIError`` on the first problem."""
    messages = _messages(body.get("messages"))
    model = _get(body, "model", (str,), "a string")
    if model is not None and model != name:
        raise _APIError(
            f"The model '{model}' does not exist on this server; it serves '{name}'.",
            param="model",
            status=404,
            code="model_not_found",
        )
    if _get(body, "stream", (bool,), "a boolean"):
        raise _APIError("'stream': true is not supported by this server.", param="stream")
    n = _get(body, "n", (int,), "an integer")
    if n is not None and n != 1:
        raise _APIError(f"'n' must be 1 on this server. Got {n} instead.", param="n")
    limit = _get(body, "max_completion_tokens", (int,), "an integer >= 1")
    param = "max_completion_tokens"
    if limit is None:
        limit = _get(body, "max_tokens", (int,), "an integer >= 1")
        param = "max_tokens"
    if limit is None:
        limit = default_max_tokens
    if limit < 1:
        raise _APIError(f"'{param}' must be >= 1. Got {limit} instead.", param=param)
    temperature = _get(body, "temperature", (int, float), "a number in [0, 2]")
    temperature = 1.0 if temperature is None else float(temperature)
    if not 0.0 <= temperature <= 2.0:
        raise _APIError(
            f"'temperature' must be in [0, 2]. Got {temperature} instead.",
            param="temperature",
        )
    seed = _get(body, "seed", (int,), "an integer")
    seed = secrets.randbits(31) if seed is None else seed % 2**63
    stop = _get(body, "stop", (str, list), "a string or an array of strings")
    stops = [stop] if isinstance(stop, str) else list(stop or [])
    if len(stops) > 4 or not all(isinstance(s, str) and s for s in stops):
        raise _APIError(
            f"'stop' must be up to 4 non-empty strings. Got {stop!r} instead.", param="stop"
        )
    want, top = False, 0
    if can_logprobs:  # otherwise ignored, like a server without log-probabilities
        want = bool(_get(body, "logprobs", (bool,), "a boolean"))
        what = f"an integer in [0, {_MAX_TOP_LOGPROBS}]"
        top = _get(body, "top_logprobs", (int,), what) or 0
        if not 0 <= top <= _MAX_TOP_LOGPROBS:
            raise _APIError(
                f"'top_logprobs' must be {what}. Got {top} instead.", param="top_logprobs"
            )
        if top and not want:
            raise _APIError("'logprobs' must be true when 'top_logprobs' is set.", param="logprobs")

    return _Request(messages, limit, temperature, seed, stops, want, top)


def create_app(
    chat_model: ChatModel,
    *,
    model_name: str | None = None,
    logprobs: bool = True,
    default_max_tokens: int = 256,
) -> FastAPI:
    """Return a FastAPI app that serves ``chat_model`` with OpenAI's chat-completions API.

    Parameters
    ----------
    chat_model : ChatModel
        The model to serve (usually :class:`lm.LocalChatModel`). Its call cache serves
        repeated requests.
    model_name : str, optional
        The model id clients send as ``model`` and ``GET /v1/models`` lists. Default:
        ``chat_model.model_id``. A request naming another model gets a 404, like OpenAI's
        ``model_not_found``; a request without ``model`` is served.
    logprobs : bool
        Whether to answer ``logprobs=true`` requests with the log-probabilities of the first
        reply token (needs ``chat_model.next_token_logprobs`` and ``.tokenizer``; a model
        without them answers ``logprobs: null``). False makes the server behave like one
        without log-probability support: the request fields are ignored and ``logprobs`` is
        null.
    default_max_tokens : int
        The reply length when a request gives neither ``max_tokens`` nor
        ``max_completion_tokens``.

    Returns
    -------
    fastapi.FastAPI
        Endpoints ``GET /v1/models``, ``POST /v1/chat/completions`` and ``GET /health``.

    Notes
    -----
    The request fields read are ``messages`` (text content; ``developer`` is read as
    ``system``), ``model``, ``max_tokens`` / ``max_completion_tokens``, ``temperature``
    (default 1, as OpenAI), ``seed`` (default: a random one), ``n`` (only 1), ``stop``,
    ``logprobs``, ``top_logprobs`` (0–20) and ``stream`` (only false); unknown fields are
    ignored. Log-probabilities cover the first reply token only (``logprobs.content`` has one
    entry): enough for option scoring. For a sampled reply that token is read back from the
    reply text. ``usage`` counts tokens with the model's tokenizer (the completion count
    re-tokenises the stripped reply, so it can be off by one); ``finish_reason`` is
    ``"length"`` when that count reaches the limit. Requests run one at a time on the model
    (in FastAPI's thread pool, so the server keeps answering, e.g. ``/health``). Bad requests
    get HTTP 400 with OpenAI's error body; model errors get 500.

    References
    ----------
    OpenAI API reference, "Chat Completions" (request, response and error formats).

    Examples
    --------
    >>> app = create_app(chat_model, model_name="smollm2")          # doctest: +SKIP
    >>> from fastapi.testclient import TestClient                    # doctest: +SKIP
    >>> TestClient(app).post("/v1/chat/completions", json={
    ...     "model": "smollm2", "messages": [{"role": "user", "content": "Hi"}],
    ...     "max_tokens": 8, "temperature": 0}).json()["choices"][0]["message"]
    ... # doctest: +SKIP
    {'role': 'assistant', 'content': 'Hello! How can I assist you today?'}
    """
    if not isinstance(chat_model, ChatModel):
        raise LMInputError(
            "The 'chat_model' parameter of create_app must be a lm.ChatModel. "
            f"Got {type(chat_model).__name__} instead."
        )
    name = model_name if model_name is not None else chat_model.model_id
    served = _Served(chat_model, name, logprobs=logprobs)
    app = FastAPI(
        title=f"OpenAI-compatible server for {served.name}", docs_url=None, redoc_url=None
    )
    _add_error_handlers(app)
    _add_routes(app, served, default_max_tokens)
    return app


class _Served:
    """The served model and what it can do; requests run on it one at a time."""

    def __init__(self, chat_model: ChatModel, name: str, *, logprobs: bool) -> None:
        self.model = chat_model
        self.name = name
        self.created = int(time.time())
        self.lock = threading.Lock()
        self.tokenizer = getattr(chat_model, "tokenizer", None)
        self.next_logprobs = getattr(chat_model, "next_token_logprobs", None)
        self.can_count = self.tokenizer is not None and hasattr(chat_model, "prompt_ids")
        self.can_logprobs = (
            logprobs and self.tokenizer is not None and callable(self.next_logprobs)
        )

    def run(self, request: _Request) -> tuple[str, NDArray[np.float64] | None]:
        """The reply and, if asked for, the log-probabilities of the first reply token."""
        try:
            with self.lock:
                reply = self.model.generate(
                    request.messages,
                    max_new_tokens=request.limit,
                    temperature=request.temperature,
                    seed=request.seed,
                )
                first = None
                if request.logprobs:
                    first = np.asarray(self.next_logprobs(request.messages), dtype=np.float64)
        except LMInputError as exc:
            raise _APIError(str(exc)) from None
        except LMError as exc:
            logger.exception("the model failed on a request")
            raise _APIError(str(exc), status=500, kind="server_error") from None
        return reply, first

    def usage(self, request: _Request, reply: str) -> tuple[dict[str, int] | None, str]:
        """The token counts (None if the model cannot count) and the finish reason."""
        if not self.can_count:
            return None, "stop"
        prompt_tokens = len(self.model.prompt_ids(request.messages))  # type: ignore[attr-defined]
        completion_tokens = len(self.tokenizer.encode(reply, add_special_tokens=False))
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
        return usage, "length" if completion_tokens >= request.limit else "stop"

    def logprobs_body(
        self, request: _Request, reply: str, first: NDArray[np.float64]
    ) -> dict[str, Any]:
        """OpenAI's ``logprobs`` object for the first reply token."""
        tokenizer = self.tokenizer
        if request.temperature == 0.0 or not reply:
            chosen = int(np.argmax(first))
        else:  # a sampled reply: read its first token back from the text
            chosen = int(tokenizer.encode(reply, add_special_tokens=False)[0])
        entry = _logprob_entry(tokenizer, chosen, first[chosen])
        best = np.argsort(-first, kind="stable")[: request.top_logprobs]
        entry["top_logprobs"] = [_logprob_entry(tokenizer, i, first[i]) for i in best]
        return {"content": [entry], "refusal": None}

    def complete(self, request: _Request) -> dict[str, Any]:
        """The chat-completion response body for a validated request."""
        reply, first = self.run(request)
        usage, finish = self.usage(request, reply)
        logprobs = None if first is None else self.logprobs_body(request, reply, first)
        cut = [reply.find(s) for s in request.stop if s in reply]
        if cut:
            reply, finish = reply[: min(cut)], "stop"
        return {
            "id": f"chatcmpl-{secrets.token_hex(12)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.name,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply},
                    "logprobs": logprobs,
                    "finish_reason": finish,
                }
            ],
            "usage": usage,
        }


def _add_error_handlers(app: FastAPI) -> None:
    """Answer every error, FastAPI's own included, with OpenAI's error body."""

    @app.exception_handler(_APIError)
    def _api_error(request: Request, exc: _APIError) -> JSONResponse:
        return _error_response(exc.status, exc.message, exc.param, exc.kind, exc.code)

    @app.exception_handler(RequestValidationError)
    def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or None
        message = first.get("msg", "invalid request")
        return _error_response(400, f"The request body is invalid: {message}.", where)

    @app.exception_handler(StarletteHTTPException)
    def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error_response(exc.status_code, str(exc.detail))


def _add_routes(app: FastAPI, served: _Served, default_max_tokens: int) -> None:
    """``GET /health``, ``GET /v1/models`` and ``POST /v1/chat/completions``."""

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "model": served.name}

    @app.get("/v1/models")
    def models() -> dict[str, Any]:
        model = {"id": served.name, "object": "model", "created": served.created}
        return {"object": "list", "data": [{**model, "owned_by": "collective"}]}

    @app.post("/v1/chat/completions")
    def chat_completions(body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        request = _read_request(body, served.name, served.can_logprobs, default_max_tokens)
        return served.complete(request)


class BackgroundServer:
    """Run an ASGI app with uvicorn in a background thread, on a free localhost port.

    For tests, notebooks and demos that need a real OpenAI-compatible server inside the
    current process. Use it as a context manager, or call :meth:`stop`.

    Parameters
    ----------
    app : ASGI application
        For example ``create_app(chat_model)``.
    host : str
        The interface to listen on.
    port : int
        The port; 0 picks a free one.
    timeout : float
        Seconds to wait for the server to start.

    Attributes
    ----------
    url : str
        ``http://host:port`` (the API root is ``url + "/v1"``).
    base_url : str
        ``url + "/v1"``, to pass to :class:`lm.HTTPChatModel`.

    Examples
    --------
    >>> from fastapi import FastAPI
    >>> import httpx
    >>> app = FastAPI()
    >>> _ = app.get("/ping")(lambda: {"pong": True})
    >>> with BackgroundServer(app) as server:
    ...     httpx.get(server.url + "/ping").json()
    {'pong': True}
    """

    def __init__(
        self, app: Any, *, host: str = "127.0.0.1", port: int = 0, timeout: float = 10.0
    ) -> None:
        import uvicorn

        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        port = self._socket.getsockname()[1]
        self.url = f"http://{host}:{port}"
        self.base_url = f"{self.url}/v1"
        config = uvicorn.Config(app, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise LMError(f"The background server at {self.url} did not start.")
            time.sleep(0.01)

    def stop(self) -> None:
        """Shut the server down and wait for its thread (at most 10 s)."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10.0)
        self._socket.close()

    def __enter__(self) -> BackgroundServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def serve(
    chat_model: ChatModel,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    model_name: str | None = None,
    logprobs: bool = True,
    **uvicorn_options: Any,
) -> None:
    """Serve ``chat_model`` at ``http://host:port/v1`` until interrupted (uvicorn).

    Parameters
    ----------
    chat_model : ChatModel
        The model to serve.
    host, port : str, int
        Where to listen. Keep ``127.0.0.1`` unless other machines must connect: the server
        has no authentication.
    model_name, logprobs
        Passed to :func:`create_app`.
    **uvicorn_options
        Passed to ``uvicorn.run`` (e.g. ``log_level="warning"``).

    Examples
    --------
    Serve the local model once and share it between processes::

        import lm
        lm.serve(lm.LocalChatModel(), port=8000, model_name="smollm2")

    and in each client (or with ``LM_BASE_URL=http://127.0.0.1:8000/v1 LM_MODEL=smollm2``):

    >>> chat = HTTPChatModel("http://127.0.0.1:8000/v1", "smollm2")  # doctest: +SKIP
    """
    import uvicorn

    app = create_app(chat_model, model_name=model_name, logprobs=logprobs)
    logger.info("serving %s at http://%s:%d/v1", model_name or chat_model.model_id, host, port)
    uvicorn.run(app, host=host, port=port, **uvicorn_options)
