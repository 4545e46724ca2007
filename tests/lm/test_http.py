"""The HTTP chat back-end against real servers on localhost.

Model tests talk to :func:`lm._server.create_app` serving the local SmolLM2 through uvicorn
(the served copy has no cache, so every answer is computed by the server). Failure tests use
tiny scripted FastAPI apps and plain sockets: real HTTP, real time-outs, real retries.
"""

from __future__ import annotations

import asyncio
import copy
import math
import socket
import threading
import time

import numpy as np
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from lm import EndpointError, LMInputError
from lm._http import HTTPChatModel, match_option
from lm._server import BackgroundServer, create_app

NAME = "smollm2"
PROMPTS = [
    "Answer with one letter. Which is a fruit? A) car B) apple C) chair",
    "Which letter comes first in the alphabet: A, B or C? Answer with the letter.",
]


@pytest.fixture(scope="module")
def served(chat_model):
    """``(base_url without logprobs, base_url with logprobs)`` serving the local model."""
    uncached = copy.copy(chat_model)
    uncached.cache = None
    with (
        BackgroundServer(create_app(uncached, model_name=NAME)) as full,
        BackgroundServer(create_app(uncached, model_name=NAME, logprobs=False)) as plain,
    ):
        yield full.base_url, plain.base_url


def http_model(base_url: str, **options) -> HTTPChatModel:
    options = {"cache": False, "retries": 0, "timeout": 60.0, **options}
    return HTTPChatModel(base_url, NAME, **options)


def completion(content: str, logprobs=None) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": NAME,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "logprobs": logprobs,
                "finish_reason": "stop",
            }
        ],
    }


def top_logprobs(pairs: list[tuple[str, float]]) -> dict:
    entries = [{"token": t, "logprob": lp, "bytes": None} for t, lp in pairs]
    return {"content": [{**entries[0], "top_logprobs": entries}]}


def scripted(answer) -> tuple[BackgroundServer, list[dict]]:
    """A real server whose ``/v1/chat/completions`` answers ``answer(call_number, body)``."""
    app = FastAPI()
    calls: list[dict] = []

    @app.post("/v1/chat/completions")
    async def completions(request: Request):
        body = await request.json()
        calls.append({"body": body, "authorization": request.headers.get("authorization")})
        result = answer(len(calls), body)
        if asyncio.iscoroutine(result):
            result = await result
        return result if isinstance(result, JSONResponse) else JSONResponse(result)

    return BackgroundServer(app), calls


# -- against the local model --------------------------------------------------------------------
def test_greedy_generation_over_http_equals_local(served, chat_model):
    with http_model(served[0]) as chat:
        assert chat.list_models() == [NAME]
        remote = chat.generate_batch(PROMPTS, max_new_tokens=8)
    assert remote == chat_model.generate_batch(PROMPTS, max_new_tokens=8)
    assert all(remote)


def test_top_logprobs_option_scores_equal_local(served, chat_model):
    options = ["A", "B", "C"]
    with http_model(served[0]) as chat:
        assert chat.scoring_method == "auto"
        remote = chat.option_scores_batch(PROMPTS, options)
        assert chat.scoring_method == "top_logprobs"
    local = chat_model.option_scores_batch(PROMPTS, options)
    for row, prompt in enumerate(PROMPTS):
        twentieth = np.sort(chat_model.next_token_logprobs(prompt))[-20]
        for j in range(len(options)):
            if np.isfinite(remote[row, j]):  # among the server's top 20: the same token
                assert remote[row, j] == pytest.approx(local[row, j], abs=1e-4)
            else:
                assert local[row, j] < twentieth + 1e-4
        assert np.isfinite(remote[row]).sum() >= 2
        assert np.argmax(remote[row]) == np.argmax(local[row])


def test_auto_picks_constrained_without_logprobs(served, chat_model):
    options = ["A", "B", "C"]
    with http_model(served[1]) as chat:
        scores = chat.option_scores(PROMPTS[0], options)
        assert chat.scoring_method == "constrained"
    reply = chat_model.generate(PROMPTS[0], max_new_tokens=16)
    chosen = int(np.argmax(scores))
    assert scores[chosen] == 0.0
    assert np.isneginf(np.delete(scores, chosen)).all()
    assert reply.upper().startswith(options[chosen])
    assert chosen == int(np.argmax(chat_model.option_scores(PROMPTS[0], options)))


def test_wrong_model_name_fails_at_once_with_the_servers_message(served):
    chat = HTTPChatModel(served[0], "gpt-4", cache=False, retries=3, backoff=1.0)
    started = time.perf_counter()
    with pytest.raises(EndpointError, match=r"HTTP 404.*does not exist.*LM_MODEL"):
        chat.generate("Hi", max_new_tokens=2)
    assert time.perf_counter() - started < 1.0


# -- transport failures -------------------------------------------------------------------------
def test_connection_refused_names_the_url_quickly():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    chat = HTTPChatModel(url, "m", cache=False, retries=2, backoff=0.01)
    started = time.perf_counter()
    with pytest.raises(EndpointError) as caught:
        chat.generate("Hi")
    assert time.perf_counter() - started < 2.0
    message = str(caught.value)
    assert f"{url}/chat/completions" in message
    assert "cannot connect" in message and "3 attempts" in message
    assert "server running" in message and "LM_BASE_URL" in message


def test_a_server_that_never_answers_times_out():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def hold() -> None:  # accept connections, never answer
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    try:
        chat = HTTPChatModel(url, "m", cache=False, timeout=0.5, retries=1, backoff=0.01)
        started = time.perf_counter()
        with pytest.raises(EndpointError, match=r"timed out after 0\.5s \(2 attempts\)"):
            chat.generate("Hi")
        assert 0.9 < time.perf_counter() - started < 3.0
        assert len(accepted) == 2
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        listener.close()


def test_503_then_200_succeeds_by_retrying():
    def answer(call, body):
        if call <= 2:
            return JSONResponse({"error": {"message": "overloaded"}}, status_code=503)
        return completion("  fine  ")

    server, calls = scripted(answer)
    with server, HTTPChatModel(server.base_url, NAME, cache=False, backoff=0.01) as chat:
        assert chat.generate("Hi", max_new_tokens=5, temperature=0.5, seed=3) == "fine"
    assert len(calls) == 3
    assert calls[-1]["body"] == {
        "model": NAME,
        "messages": [{"role": "user", "content": "Hi"}],
        "max_tokens": 5,
        "temperature": 0.5,
        "seed": 3,
    }


def test_5xx_after_the_last_retry_reports_the_status_and_message():
    server, calls = scripted(
        lambda call, body: JSONResponse({"error": {"message": "GPU on fire"}}, status_code=500)
    )
    with server, HTTPChatModel(server.base_url, NAME, cache=False, retries=1, backoff=0.01) as chat:
        with pytest.raises(EndpointError, match=r"HTTP 500 .*GPU on fire \(2 attempts\)"):
            chat.generate("Hi")
    assert len(calls) == 2


def test_401_fails_at_once_with_the_servers_message():
    def answer(call, body):
        message = {"error": {"message": "Incorrect API key provided: sk-wrong."}}
        return JSONResponse(message, status_code=401)

    server, calls = scripted(answer)
    with server, HTTPChatModel(server.base_url, NAME, "sk-wrong", cache=False, retries=3) as chat:
        with pytest.raises(EndpointError, match=r"HTTP 401 .*Incorrect API key.*LM_API_KEY"):
            chat.generate("Hi")
    assert len(calls) == 1
    assert calls[0]["authorization"] == "Bearer sk-wrong"


@pytest.mark.parametrize(
    ("body", "missing"),
    [({"object": "error"}, "'choices'"), ({"choices": [{"message": {}}]}, r"choices\[0\]")],
)
def test_a_body_without_the_expected_fields_names_the_field(body, missing):
    server, _ = scripted(lambda call, _: body)
    with server, HTTPChatModel(server.base_url, NAME, cache=False) as chat:
        with pytest.raises(EndpointError, match=missing):
            chat.generate("Hi")


def test_a_body_that_is_not_json():
    app = FastAPI()
    app.post("/v1/chat/completions")(lambda: Response("<html>"))
    with BackgroundServer(app) as server, HTTPChatModel(server.base_url, NAME, cache=False) as chat:
        with pytest.raises(EndpointError, match=r"not JSON.*/v1"):
            chat.generate("Hi")


def test_generation_runs_concurrently_and_keeps_the_order():
    async def answer(call, body):
        await asyncio.sleep(0.3)
        return completion(body["messages"][-1]["content"].upper())

    server, calls = scripted(answer)
    with server, HTTPChatModel(server.base_url, NAME, cache=False, batch_size=4) as chat:
        started = time.perf_counter()
        replies = chat.generate_batch(["a", "b", "c", "d"], max_new_tokens=3, temperature=1.0)
        elapsed = time.perf_counter() - started
    assert replies == ["A", "B", "C", "D"]
    seeds = {c["body"]["messages"][0]["content"]: c["body"]["seed"] for c in calls}
    assert seeds == {"a": 0, "b": 1, "c": 2, "d": 3}
    assert elapsed < 0.9  # four 0.3 s requests at once, not one after another


# -- option scoring against scripted servers ----------------------------------------------------
def test_top_logprobs_sums_variants_and_ignores_absent_options():
    pairs = [("A", -0.5), (" A", -2.0), ("B", -1.5), ("\n", -3.0)]
    server, calls = scripted(lambda call, body: completion("A", top_logprobs(pairs)))
    with server, HTTPChatModel(server.base_url, NAME, cache=False) as chat:
        scores = chat.option_scores("Pick.", ["A", "B", "C"])
        assert chat.scoring_method == "top_logprobs"
        chat.option_scores("Again.", ["A", "B"])
    assert scores[0] == pytest.approx(math.log(math.exp(-0.5) + math.exp(-2.0)))
    assert scores[1] == -1.5 and scores[2] == -math.inf
    assert len(calls) == 2  # the probe's answer served the first prompt
    assert calls[0]["body"]["logprobs"] is True and calls[0]["body"]["top_logprobs"] == 20
    assert calls[0]["body"]["max_tokens"] == 1 and calls[0]["body"]["temperature"] == 0.0


def test_options_sharing_a_first_token_fall_back_to_constrained(caplog):
    def answer(call, body):
        if body.get("logprobs"):
            return completion("1", top_logprobs([("1", -0.1)]))
        return completion("10 out of 10.")

    server, calls = scripted(answer)
    with server, HTTPChatModel(server.base_url, NAME, cache=False, scoring="top_logprobs") as chat:
        with caplog.at_level("INFO", logger="lm._http"):
            scores = chat.option_scores("Rate it.", ["1", "5", "10"])
    assert scores.tolist() == [-math.inf, -math.inf, 0.0]
    assert "prefix" in caplog.text
    assert [c["body"]["max_tokens"] for c in calls] == [16]


def test_an_option_that_is_several_server_tokens_falls_back_for_that_prompt():
    def answer(call, body):
        if body.get("logprobs"):
            return completion("Dis", top_logprobs([("Dis", -0.2), ("Agree", -1.9)]))
        return completion("Disagree, because")

    server, calls = scripted(answer)
    with server, HTTPChatModel(server.base_url, NAME, cache=False, scoring="top_logprobs") as chat:
        scores = chat.option_scores("Agree?", ["Agree", "Disagree"])
    assert scores.tolist() == [-math.inf, 0.0]
    assert len(calls) == 2


def test_forced_constrained_and_an_invalid_answer():
    server, calls = scripted(lambda call, body: completion("I cannot decide."))
    with server, HTTPChatModel(server.base_url, NAME, cache=False, scoring="constrained") as chat:
        scores = chat.option_scores("Pick.", ["A", "B"])
        assert chat.scoring_method == "constrained"
    assert np.isneginf(scores).all()
    assert "logprobs" not in calls[0]["body"]


def test_a_server_rejecting_logprobs_makes_auto_constrained():
    def answer(call, body):
        if body.get("logprobs"):
            return JSONResponse({"error": {"message": "logprobs unsupported"}}, status_code=400)
        return completion("B.")

    server, _ = scripted(answer)
    with server, HTTPChatModel(server.base_url, NAME, cache=False) as chat:
        assert chat.option_scores("Pick.", ["A", "B"]).tolist() == [-math.inf, 0.0]
        assert chat.scoring_method == "constrained"


@pytest.mark.parametrize(
    ("reply", "options", "expected"),
    [
        ("A", "ABC", 0),
        ("b) apple", "ABC", 1),
        ("(C) chair", "ABC", 2),
        ("**A**", "ABC", 0),
        ("Absolutely B", "ABC", None),
        ("", "ABC", None),
        ("10.", ["1", "5", "10"], 2),
        ("1 star", ["1", "5", "10"], 0),
        (" yes, surely", ["No", "Yes"], 1),
        ("I would choose B", "ABCDEFGHI", None),
        ("A good answer is C", "ABC", None),
        ("I", "ABCDEFGHI", 8),
        ("I.", "ABCDEFGHI", 8),
        ("B is best", "ABC", 1),
    ],
)
def test_match_option(reply, options, expected):
    assert match_option(reply, list(options)) == expected


@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("base_url", "localhost:8000"),
        ("model", ""),
        ("scoring", "logits"),
        ("timeout", 0),
        ("retries", -1),
        ("batch_size", 0),
        ("backoff", float("nan")),
    ],
)
def test_bad_arguments(argument, value):
    arguments = {"base_url": "http://127.0.0.1:1/v1", "model": "m", argument: value}
    with pytest.raises(LMInputError, match=argument):
        HTTPChatModel(**arguments, cache=False)


def test_cached_calls_skip_the_server_and_scoring_modes_are_keyed_apart():
    from lm import CallCache

    def answer(call, body):
        if body.get("logprobs"):
            return completion("A", top_logprobs([("A", -0.1), ("B", -2.5)]))
        return completion("B")

    cache = CallCache(":memory:")
    server, calls = scripted(answer)
    with server:
        with HTTPChatModel(server.base_url, NAME, cache=cache) as chat:
            first = chat.option_scores("Pick.", ["A", "B"])
            assert chat.option_scores("Pick.", ["A", "B"]).tolist() == first.tolist()
            assert chat.generate("Hi") == chat.generate("Hi") == "B"
        assert len(calls) == 2
        with HTTPChatModel(server.base_url, NAME, cache=cache, scoring="constrained") as chat:
            assert chat.option_scores("Pick.", ["A", "B"]).tolist() == [-math.inf, 0.0]
        assert len(calls) == 3
    assert first.tolist() == [-0.1, -2.5]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"max_new_tokens": 0},
         "The 'max_new_tokens' parameter of generate_batch must be an int in [1, 8192]. "
         "Got 0 instead."),
        ({"temperature": -1},
         "The 'temperature' parameter of generate_batch must be a float in [0, inf). "
         "Got -1 instead."),
        ({"temperature": float("nan")}, "'temperature' parameter of generate_batch"),
        ({"seed": True}, "The 'seed' parameter of generate_batch must be an int in [0, inf). "
                         "Got True instead."),
    ],
)
def test_generation_arguments_use_the_shared_message_form(arguments, message):
    """Checked before any request, in the toolkit's one message form."""
    with HTTPChatModel("http://127.0.0.1:1/v1", "m", cache=False) as chat:
        with pytest.raises(LMInputError) as info:
            chat.generate("x", **arguments)
    assert message in str(info.value)


def test_constructor_arguments_use_the_shared_message_form():
    with pytest.raises(LMInputError) as info:
        HTTPChatModel("http://127.0.0.1:1/v1", "m", retries=-1, cache=False)
    assert str(info.value) == (
        "The 'retries' parameter of HTTPChatModel must be an int in [0, inf). Got -1 instead.")
    with pytest.raises(LMInputError, match=r"'timeout' parameter of HTTPChatModel must be a "
                                           r"float in \(0, inf\)\. Got 0 instead\."):
        HTTPChatModel("http://127.0.0.1:1/v1", "m", timeout=0, cache=False)
