"""Speed of the local model back-ends: load, generation, option scoring, embeddings."""

from __future__ import annotations

import os
import tempfile
import time

import torch

import lm
from lm._local import convert_gguf

PROMPT = (
    "A person's opinion: \"Adults can decide for themselves; an assistant should answer the "
    'question and skip the lecture."\n\nStatement: "The assistant should help, and state the '
    'most important risks once."\n\nOn a scale from 0 to 6, how well does the statement '
    "represent this person's opinion? Answer with one digit."
)


def _tokens(chat: lm.LocalChatModel, texts: list[str]) -> int:
    return sum(len(chat.tokenizer.encode(t, add_special_tokens=False)) for t in texts)


def _run(chat: lm.LocalChatModel, quick: bool) -> dict[str, float]:
    n_new = 32 if quick else 64
    prompts = [f"{PROMPT} (case {i})" for i in range(8)]
    t0 = time.perf_counter()
    one = chat._generate_batch(
        [lm._base.normalize_messages("Describe a good assistant.")], n_new, 0.0, [0]
    )
    single = _tokens(chat, one) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    many = chat._generate_batch(
        [lm._base.normalize_messages(f"Describe a good assistant, idea {i}.") for i in range(8)],
        n_new,
        0.7,
        list(range(8)),
    )
    batched = _tokens(chat, many) / (time.perf_counter() - t0)
    conversations = [lm._base.normalize_messages(p) for p in prompts]
    digits = [str(d) for d in range(7)]
    chat._option_scores_batch(conversations[:2], digits)  # warm-up
    t0 = time.perf_counter()
    chat._option_scores_batch(conversations, digits)
    digit_rate = len(prompts) / (time.perf_counter() - t0)
    options = ["Not at all", "Somewhat", "Perfectly well"]
    t0 = time.perf_counter()
    chat._option_scores_batch(conversations[:4], options)
    multi_rate = 4 / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for c in conversations[:4]:  # the naive way: one forward pass per (prompt, option)
        for o in options:
            ids = chat.prompt_ids(c) + chat.tokenizer.encode(o, add_special_tokens=False)
            with torch.inference_mode():
                chat.model(torch.tensor([ids]))
    naive_rate = 4 / (time.perf_counter() - t0)
    return {
        "single": single,
        "batched": batched,
        "digits": digit_rate,
        "multi": multi_rate,
        "naive": naive_rate,
    }


def lm_speed(quick: bool = False) -> list[str]:
    rows = [
        "### Local model back-ends (lm/)",
        "",
        "SmolLM2-135M-Instruct (float32, transformers, CPU) and all-MiniLM-L6-v2 "
        "(sentence-transformers). Cache off. Generation: greedy for one prompt, temperature 0.7 "
        "for a batch of 8 (new tokens per second over the batch). Option scoring: prompts per "
        "second for a rating prompt of about 90 tokens, 8 per forward pass; 7 single-token "
        "options (digits) are read from one pass; 3 multi-token options share the prompt's "
        'key/value cache ("naive" runs one full pass per option).',
        "",
    ]
    if not quick:
        with tempfile.TemporaryDirectory() as scratch:
            t0 = time.perf_counter()
            convert_gguf(os.path.join(scratch, "smollm2"))
            seconds = time.perf_counter() - t0
            rows.append(f"- First use converts the GGUF file once: {seconds:.1f} s.")
    t0 = time.perf_counter()
    chat = lm.LocalChatModel(cache=False)
    rows.append(
        f"- Chat model load from the converted folder: {time.perf_counter() - t0:.2f} s "
        "(in a process that has already imported torch and transformers)."
    )
    t0 = time.perf_counter()
    emb = lm.Embedder(cache=False)
    rows.append(f"- Embedder load: {time.perf_counter() - t0:.2f} s.")
    texts = [
        f"Statement {i}: the assistant should weigh risk {i % 7} against autonomy."
        for i in range(256 if quick else 1024)
    ]
    emb.encode(texts[:64])
    t0 = time.perf_counter()
    emb.encode(texts)
    rows.append(
        f"- Embedder: {len(texts) / (time.perf_counter() - t0):,.0f} sentences/s (batches of 64)."
    )
    rows += [
        "",
        "| torch threads | generate, 1 prompt (tok/s) | generate, batch of 8 (tok/s) "
        "| option scores, 7 digits (prompts/s) | 3 multi-token options (prompts/s) "
        "| naive multi-token (prompts/s) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    before = torch.get_num_threads()
    for threads in (1, 2):
        torch.set_num_threads(threads)
        r = _run(chat, quick)
        rows.append(
            f"| {threads} | {r['single']:.1f} | {r['batched']:.1f} | {r['digits']:.1f} "
            f"| {r['multi']:.1f} | {r['naive']:.1f} |"
        )
    torch.set_num_threads(before)
    return rows


if __name__ == "__main__":
    print("\n".join(lm_speed(quick=True)))
