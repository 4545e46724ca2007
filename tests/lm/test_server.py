"""The OpenAI-compatible server, over real HTTP (uvicorn on localhost) with the local model."""

from __future__ import annotations

import threading
import time

import httpx
import numpy as np
import pytest

from lm import LMInputError
from lm._server import BackgroundServer, create_app

NAME = "smollm2"
QUESTION = "Answer with one letter. Which is a fruit? A) car B) apple C) chair"


@pytest.fixture(scope="module")
def server(chat_model):
    with BackgroundServer(create_app(chat_model, model_name=NAME)) as running:
        yield running


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.base_url, timeout=60.0) as http:
        yield http


def ask(client: httpx.Client, **fields) -> httpx.Response:
    body = {"model": NAME, "messages": [{"role": "user", "content": QUESTION}], **fields}
    return client.post("/chat/completions", json=body)


def test_models_and_health(server, client):
    listing = client.get("/models").json()
    assert listing["object"] == "list"
    assert [(m["id"], m["object"]) for m in listing["data"]] == [(NAME, "model")]
    assert httpx.get(server.url + "/health").json() == {"status": "ok", "model": NAME}


def test_completion_in_openai_format(client, chat_model):
    response = ask(client, max_tokens=8, temperature=0, seed=1, frequency_penalty=0.0, user="x")
    assert response.status_code == 200
    body = response.json()
    assert body["id"].startswith("chatcmpl-") and body["object"] == "chat.completion"
    assert isinstance(body["created"], int) and body["model"] == NAME
    (choice,) = body["choices"]
    assert choice["message"]["role"] == "assistant"
    assert choice["message"]["content"] == chat_model.generate(QUESTION, max_new_tokens=8)
    assert choice["logprobs"] is None and choice["finish_reason"] in {"stop", "length"}
    usage = body["usage"]
    assert usage["prompt_tokens"] == len(chat_model.prompt_ids(QUESTION))
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert 1 <= usage["completion_tokens"] <= 8


def test_first_token_logprobs(client, chat_model):
    body = ask(client, max_completion_tokens=1, temperature=0, logprobs=True, top_logprobs=5)
    choice = body.json()["choices"][0]
    (first,) = choice["logprobs"]["content"]
    expected = chat_model.next_token_logprobs(QUESTION)
    best = np.argsort(-expected)[:5]
    assert [t["token"] for t in first["top_logprobs"]] == [
        chat_model.tokenizer.decode([int(i)]) for i in best
    ]
    assert [t["logprob"] for t in first["top_logprobs"]] == pytest.approx(expected[best])
    assert first["token"] == first["top_logprobs"][0]["token"] == choice["message"]["content"]
    assert first["bytes"] == list(first["token"].encode())
    assert choice["finish_reason"] == "length"
    plain = ask(client, max_tokens=1, temperature=0, logprobs=True).json()["choices"][0]
    assert plain["logprobs"]["content"][0]["top_logprobs"] == []


def test_text_parts_developer_role_and_stop(client, chat_model):
    messages = [
        {"role": "developer", "content": "You are terse."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is the capital "},
                {"type": "text", "text": "of France?"},
            ],
        },
    ]
    reply = chat_model.generate(
        [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "What is the capital of France?"},
        ],
        max_new_tokens=10,
    )
    assert "Paris" in reply
    body = {"model": NAME, "messages": messages, "max_tokens": 10, "temperature": 0}
    answer = client.post("/chat/completions", json=body).json()["choices"][0]
    assert answer["message"]["content"] == reply
    cut = client.post("/chat/completions", json={**body, "stop": ["Paris"]}).json()
    assert cut["choices"][0]["message"]["content"] == reply[: reply.index("Paris")]
    assert cut["choices"][0]["finish_reason"] == "stop"


def test_the_server_answers_while_generating(server, client):
    thread = threading.Thread(target=ask, args=(client,), kwargs={"max_tokens": 8, "seed": 99})
    thread.start()
    answered_meanwhile = 0
    while thread.is_alive():
        health = httpx.get(server.url + "/health", timeout=5.0)
        answered_meanwhile += health.status_code == 200 and thread.is_alive()
        time.sleep(0.1)
    thread.join()
    assert answered_meanwhile >= 1


def test_without_logprobs_the_fields_are_ignored(chat_model):
    app = create_app(chat_model, model_name=NAME, logprobs=False)
    with BackgroundServer(app) as plain, httpx.Client(base_url=plain.base_url) as http:
        response = ask(http, max_tokens=1, temperature=0, logprobs=True, top_logprobs=99)
    assert response.status_code == 200
    assert response.json()["choices"][0]["logprobs"] is None


@pytest.mark.parametrize(
    ("fields", "param", "words"),
    [
        ({"n": 2}, "n", "'n' must be 1"),
        ({"stream": True}, "stream", "not supported"),
        ({"messages": []}, "messages", "non-empty array"),
        ({"messages": "hi"}, "messages", "non-empty array"),
        ({"messages": [{"role": "robot", "content": "hi"}]}, "messages", "'role'"),
        ({"messages": [{"role": "user"}]}, "messages", "'content'"),
        ({"messages": [{"role": "assistant", "content": "hi"}]}, "messages", "must end"),
        (
            {"messages": [{"role": "user", "content": [{"type": "image_url"}]}]},
            "messages[0].content",
            "text part",
        ),
        ({"top_logprobs": 21, "logprobs": True}, "top_logprobs", "[0, 20]"),
        ({"top_logprobs": 3}, "logprobs", "must be true"),
        ({"logprobs": "yes"}, "logprobs", "boolean"),
        ({"temperature": 3}, "temperature", "[0, 2]"),
        ({"max_tokens": 0}, "max_tokens", ">= 1"),
        ({"max_completion_tokens": 2.5}, "max_completion_tokens", "integer"),
        ({"seed": "x"}, "seed", "integer"),
        ({"stop": [""]}, "stop", "non-empty"),
    ],
)
def test_bad_requests_get_openai_400s(client, fields, param, words):
    response = ask(client, **{"max_tokens": 1, **fields})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and error["param"] == param
    assert words in error["message"]


def test_model_errors_and_bodies_that_are_not_objects(client):
    too_long = ask(client, max_tokens=100_000)  # the model's own limit: LMInputError -> 400
    assert too_long.status_code == 400 and "max_new_tokens" in too_long.json()["error"]["message"]
    for content in (b"[1, 2]", b"{not json"):
        response = client.post(
            "/chat/completions", content=content, headers={"content-type": "application/json"}
        )
        assert response.status_code == 400
        assert response.json()["error"]["type"] == "invalid_request_error"
    other = ask(client, model="gpt-4")
    assert other.status_code == 404 and other.json()["error"]["code"] == "model_not_found"
    missing = client.get("/nothing-here")
    assert missing.status_code == 404 and "error" in missing.json()


def test_create_app_needs_a_chat_model():
    with pytest.raises(LMInputError, match="chat_model"):
        create_app(object())
