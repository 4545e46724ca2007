"""Moral graph: how often the local SmolLM2-135M articulates a valid value card.

Runs :func:`moralgraph.articulate_value` (greedy decoding, one repair attempt) with the local
SmolLM2-135M-Instruct on the twelve hand-written demo transcripts of
``data/moralgraph_demo/transcripts.jsonl`` and counts the cards valid on the first reply,
valid after the repair prompt, and failed (with the validation error), plus the time per
transcript. Run on its own (``python benchmarks/moralgraph_articulate.py``) it replaces its
section of benchmarks/RESULTS.md (and the README's copy).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections import Counter

TITLE = "### Moral graph: value cards articulated by SmolLM2-135M"


def _outcome(reason: str, has_card: bool) -> str:
    if not has_card:
        return "failed"
    return "valid" if reason.startswith("valid on the first") else "repaired"


def _why(reason: str) -> str:
    """The validation error in a reason, without the quoted model output (kept short)."""
    text = reason.removeprefix("no valid card after a repair attempt: ")
    repaired = "valid after a repair attempt (first reply: "
    if text.startswith(repaired):
        text = text[len(repaired):].removesuffix(")")
    text = re.sub(r"; got .*", "", text, flags=re.DOTALL)
    text = re.sub(r"character \d+", "character N", text)
    return " ".join(text.split()).removesuffix(".").replace("|", "/")


def _cell(text: str, width: int = 60) -> str:
    text = " ".join(text.split()).replace("|", "/")
    return text if len(text) <= width else text[: width - 1] + "…"


def articulate_benchmark(limit: int | None = None) -> list[str]:
    """Articulate a card from every demo transcript; return the RESULTS.md section."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import lm
    import moralgraph
    from moralgraph._demo import demo_transcripts

    transcripts = demo_transcripts()[:limit]
    t0 = time.perf_counter()
    chat = lm.LocalChatModel(cache=lm.CallCache(":memory:"))  # fresh: every reply computed
    load = time.perf_counter() - t0
    rows, outcomes, seconds, reasons = [], Counter(), [], Counter()
    for item in transcripts:
        sys.stderr.write(f"articulate {item['id']}\n")
        t0 = time.perf_counter()
        result = moralgraph.articulate_value(item["messages"], chat, context=item["context"])
        seconds.append(time.perf_counter() - t0)
        sys.stderr.write(f"  {result.reason[:100]!r} in {seconds[-1]:.0f} s\n")
        outcome = _outcome(result.reason, result.card is not None)
        outcomes[outcome] += 1
        if outcome != "valid":
            reasons[_why(result.reason)] += 1
        card = result.card
        what = (
            f"{_cell(card.title, 40)} ({len(card.policies)} policies)" if card
            else _cell(_why(result.reason))
        )
        rows.append(
            f"| {item['id']} | {item['context']} | {outcome} | {what} | {seconds[-1]:.1f} |"
        )
    n = len(transcripts)
    total = sum(seconds)
    lines = [
        TITLE,
        "",
        f"`moralgraph.articulate_value` with the local SmolLM2-135M-Instruct (CPU, greedy "
        f"decoding, at most 300 new tokens per reply, one repair prompt quoting the error) "
        f"on the {n} hand-written demo transcripts of `data/moralgraph_demo/transcripts.jsonl` "
        f"(a fresh cache: every reply computed). A card is *valid* when the reply holds a JSON "
        "object with a non-empty title, a string description and 3–6 non-empty policies; "
        "validity says nothing about whether the card is faithful to the transcript.",
        "",
        "| outcome | transcripts |",
        "|---|---:|",
        f"| valid on the first reply | {outcomes['valid']} of {n} |",
        f"| valid after the repair prompt | {outcomes['repaired']} of {n} |",
        f"| failed (no card) | {outcomes['failed']} of {n} |",
        "",
        "The validation error in the reason: the first reply's for a repaired card, the "
        "repair reply's for a failed one:",
        "",
        "| validation error | count |",
        "|---|---:|",
        *(f"| {reason} | {count} |" for reason, count in reasons.most_common()),
        *(["| none | 0 |"] if not reasons else []),
        "",
        "| transcript | context | outcome | card title, or the error | seconds |",
        "|---|---|---|---|---:|",
        *rows,
        "",
        f"Model loading {load:.1f} s; {total / max(n, 1):.1f} s per transcript on average "
        f"({min(seconds, default=0):.1f}–{max(seconds, default=0):.1f} s; a repair doubles "
        "the work) on this shared 2-core machine. The app shows the draft card, or the "
        "error, as a form the participant edits: with a model this small, expect to write "
        "most cards by hand or point `LM_BASE_URL` at a larger model.",
    ]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--limit", type=int, default=None, help="only the first N transcripts")
    args = ap.parse_args()
    from _results import write_section

    write_section(articulate_benchmark(args.limit))


if __name__ == "__main__":
    main()
