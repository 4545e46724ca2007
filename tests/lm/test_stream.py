"""``ChatModel.stream``: the reply in pieces, equal to ``generate``'s, through the cache."""

from __future__ import annotations

import pytest

from lm import CallCache, LMInputError
from lm._base import ChatModel


class Counting(ChatModel):
    """Replies with the last message upper-cased; counts the generations it runs."""

    model_id = "test:counting"

    def __init__(self, cache=False):
        super().__init__(cache)
        self.calls = 0

    def _generate_batch(self, conversations, max_new_tokens, temperature, seeds):
        self.calls += len(conversations)
        return [c[-1]["content"].upper() for c in conversations]

    def _option_scores_batch(self, conversations, options):  # pragma: no cover - unused
        raise NotImplementedError


def test_the_default_stream_yields_the_whole_reply_once():
    model = Counting()
    assert list(model.stream("hello there")) == ["HELLO THERE"]
    assert model.calls == 1


def test_a_streamed_reply_is_cached_and_shared_with_generate(tmp_path):
    model = Counting(cache=CallCache(tmp_path / "calls.sqlite"))
    assert "".join(model.stream("hello")) == "HELLO"
    assert model.generate("hello") == "HELLO"
    assert list(model.stream("hello")) == ["HELLO"]
    assert model.calls == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"messages": []}, "non-empty list"),
        ({"messages": "x", "max_new_tokens": 0}, "max_new_tokens"),
        ({"messages": "x", "temperature": -1.0}, "temperature"),
        ({"messages": [{"role": "assistant", "content": "x"}]}, "must end with a user"),
    ],
)
def test_bad_arguments_are_refused_before_anything_runs(kwargs, message):
    model = Counting()
    with pytest.raises(LMInputError, match=message):
        model.stream(**kwargs)
    assert model.calls == 0


def test_the_local_model_streams_its_greedy_reply_in_several_pieces(chat_model):
    prompt = [{"role": "user", "content": "Name three colours of the rainbow, please."}]
    pieces = list(chat_model.stream(prompt, max_new_tokens=24))
    assert len(pieces) > 1
    direct = chat_model._generate_batch([prompt], 24, 0.0, [0])[0]
    assert "".join(pieces).strip() == direct
    assert list(chat_model.stream(prompt, max_new_tokens=24)) == [direct]  # now from the cache
