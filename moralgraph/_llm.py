"""Language models around a moral graph: articulate value cards, merge duplicates, judge pairs.

:func:`articulate_value` asks a chat model to turn a deliberation transcript into a
:class:`ValueCard` (JSON, validated, one repair attempt, never an invented card);
:func:`dedupe_values` merges near-identical cards by embedding similarity;
:func:`to_preference_pairs` ranks candidate responses by how well they follow the graph's
principles, with a judge model asked in both orders to cancel position bias. The models are
duck-typed: a chat model has ``generate(messages, max_new_tokens=..., temperature=...,
seed=...)`` and ``option_scores(prompt, options)`` (as :class:`lm.ChatModel`), an embedder has
``encode(texts) -> (n, d)`` unit rows (as :class:`lm.Embedder`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING, Any

import numpy as np

from _common.validation import check_float, check_int, parameter_error, show

from ._errors import MoralGraphError
from ._model import ValueCard

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ._graph import MoralGraph

__all__ = [
    "Articulation",
    "Deduplication",
    "articulate_value",
    "dedupe_values",
    "to_preference_pairs",
]

_MIN_POLICIES, _MAX_POLICIES = 3, 6
_LOGPROB_FLOOR = -50.0
_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)

_ARTICULATE = """You help a participant articulate one of their values as a value card.
Read the conversation below and reply with ONLY a JSON object of the form
{{"title": "<a short title>", "description": "<one or two sentences>",
 "policies": ["<what a person with this value attends to when choosing>", ...]}}
with {lo} to {hi} policies. Use only what the participant said; do not invent a value.
{context}
Conversation:
{transcript}"""

_REPAIR = """Your reply was not a valid value card: {error}
Reply again with ONLY the JSON object (title, description and {lo} to {hi} policies)."""

_JUDGE = """Principles:
{principles}

User prompt:
{prompt}

Response A:
{a}

Response B:
{b}

Which response better follows the principles? Answer with A or B."""


@dataclass(frozen=True)
class Articulation:
    """The outcome of :func:`articulate_value`.

    Attributes
    ----------
    card : ValueCard or None
        The card, or ``None`` when the model gave no valid card in two attempts.
    reason : str
        How the card was obtained, or why there is none (the last validation error).
    raw : str
        The model's last reply, verbatim.
    """

    card: ValueCard | None
    reason: str
    raw: str


@dataclass(frozen=True)
class Deduplication:
    """The outcome of :func:`dedupe_values`.

    Attributes
    ----------
    clusters : list of list of str
        Card ids per cluster, canonical card first, clusters in input order of first member.
    mapping : dict of str to str
        Every card id -> the id of its cluster's canonical card.
    """

    clusters: list[list[str]]
    mapping: dict[str, str]


def _slug(title: str) -> str:
    """A lowercase id from a title: runs of non-alphanumerics become ``-``."""
    slug = re.sub(r"[^0-9a-z]+", "-", title.lower()).strip("-")
    return slug or "value"


def _transcript_text(transcript: Any) -> str:
    """A transcript (a string or a list of ``{"role", "content"}`` dicts) as plain text."""
    if isinstance(transcript, str) and transcript.strip():
        return transcript
    if isinstance(transcript, Sequence) and not isinstance(transcript, str) and transcript:
        lines = []
        for turn in transcript:
            if not (isinstance(turn, dict) and isinstance(turn.get("content"), str)):
                break
            lines.append(f"{turn.get('role', 'user')}: {turn['content']}")
        else:
            return "\n".join(lines)
    raise parameter_error(
        "transcript", "articulate_value",
        "a non-empty string or a list of {'role', 'content'} dicts", transcript, MoralGraphError,
    )


def _parse_card(reply: str, context: str | None) -> ValueCard:
    """The value card in a model reply; ``ValueError`` saying what is wrong otherwise."""
    fenced = _FENCE.search(reply)
    text = fenced.group(1) if fenced else reply
    start = text.find("{")
    if start < 0:
        raise ValueError("the reply contains no JSON object (no '{').")
    try:
        data, _ = json.JSONDecoder().raw_decode(text[start:])
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"the JSON object does not parse ({exc.msg}; character {exc.pos})."
        ) from None
    if not isinstance(data, dict):
        raise ValueError("the JSON value is not an object.")
    title, description, policies = (data.get(k) for k in ("title", "description", "policies"))
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"'title' must be a non-empty string; got {show(title)}.")
    if description is None:
        description = ""
    if not isinstance(description, str):
        raise ValueError(f"'description' must be a string; got {show(description)}.")
    ok = isinstance(policies, list) and all(isinstance(p, str) and p.strip() for p in policies)
    if not ok or not _MIN_POLICIES <= len(policies) <= _MAX_POLICIES:
        raise ValueError(
            f"'policies' must be a list of {_MIN_POLICIES} to {_MAX_POLICIES} non-empty "
            f"strings; got {show(policies)}."
        )
    clean = [p.strip() for p in policies]
    return ValueCard(_slug(title), title.strip(), description.strip(), clean, context=context)


def articulate_value(
    transcript: str | Sequence[dict[str, str]],
    chat_model: Any,
    *,
    context: str | None = None,
    max_new_tokens: int = 300,
) -> Articulation:
    """Ask a chat model to articulate the value in a transcript as a :class:`ValueCard`.

    The model is asked (greedy decoding) for a JSON object with a title, a description and
    3 to 6 attentional policies. The reply is parsed leniently (code fences stripped, the
    first ``{...}`` object read, trailing text ignored) and validated strictly. If it is not a
    valid card, the model is asked once more, quoting the error; if the second reply fails
    too, the result has ``card=None`` and the error as ``reason`` — a card is never made up.
    The card id is a slug of the title (lowercase, ``-`` between words).

    Parameters
    ----------
    transcript : str or list of dict
        The conversation, as text or as ``[{"role": ..., "content": ...}]`` turns.
    chat_model : object
        Has ``generate(messages, max_new_tokens=..., temperature=..., seed=...) -> str``
        (e.g. :class:`lm.ChatModel`).
    context : str, optional
        The context id the card belongs to; named in the prompt and set on the card.
    max_new_tokens : int, default 300
        The longest reply, in [1, 8192].

    Returns
    -------
    Articulation
        ``card``, ``reason`` and the model's last reply ``raw``.

    Raises
    ------
    MoralGraphError
        An empty or malformed transcript, a bad ``context`` or ``max_new_tokens``.

    Examples
    --------
    >>> class Fake:
    ...     def generate(self, messages, max_new_tokens=128, temperature=0.0, seed=0):
    ...         return ('```json\\n{"title": "Informed autonomy", "description": "Let them '
    ...                 'choose.", "policies": ["options", "risks", "their goals"]}\\n```')
    >>> result = articulate_value("user: I want to decide myself.", Fake())
    >>> result.card.id, result.card.policies, result.reason
    ('informed-autonomy', ('options', 'risks', 'their goals'), 'valid on the first attempt')
    """
    func = "articulate_value"
    text = _transcript_text(transcript)
    max_new_tokens = check_int(max_new_tokens, "max_new_tokens", func, 1, 8192,
                               error=MoralGraphError)
    if context is not None and (not isinstance(context, str) or not context.strip()):
        raise parameter_error("context", func, "a non-empty string or None", context,
                              MoralGraphError)
    where = f"The conversation happened in the context: {context}.\n" if context else ""
    messages = [{"role": "user", "content": _ARTICULATE.format(
        lo=_MIN_POLICIES, hi=_MAX_POLICIES, context=where, transcript=text)}]
    raw = str(chat_model.generate(messages, max_new_tokens=max_new_tokens, temperature=0.0,
                                  seed=0))
    try:
        return Articulation(_parse_card(raw, context), "valid on the first attempt", raw)
    except ValueError as exc:
        first_error = str(exc)
    messages += [
        {"role": "assistant", "content": raw},
        {"role": "user", "content": _REPAIR.format(error=first_error, lo=_MIN_POLICIES,
                                                   hi=_MAX_POLICIES)},
    ]
    raw = str(chat_model.generate(messages, max_new_tokens=max_new_tokens, temperature=0.0,
                                  seed=0))
    try:
        card = _parse_card(raw, context)
    except ValueError as exc:
        return Articulation(None, f"no valid card after a repair attempt: {exc}", raw)
    return Articulation(card, f"valid after a repair attempt (first reply: {first_error})", raw)


def _embeddings(embedder: Any, texts: list[str], func: str) -> np.ndarray:
    """``embedder.encode(texts)`` checked to be ``(len(texts), d)`` finite, rows normalised."""
    rows = np.asarray(embedder.encode(texts), dtype=np.float64)
    if rows.ndim != 2 or rows.shape[0] != len(texts) or not np.isfinite(rows).all():
        raise MoralGraphError(
            f"{func}: the embedder must return a finite ({len(texts)}, d) array. "
            f"Got {show(rows)} instead."
        )
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    if (norms == 0).any():
        raise MoralGraphError(f"{func}: the embedder returned a zero vector.")
    return rows / norms


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def dedupe_values(
    cards: Sequence[ValueCard], embedder: Any, threshold: float = 0.85
) -> Deduplication:
    """Group near-identical value cards and pick a canonical card per group.

    Each card is embedded as its title followed by its policies; two cards are linked when
    their cosine similarity is at least ``threshold``, and the groups are the connected
    components (single linkage, so ``a~b`` and ``b~c`` group ``a, b, c`` even if ``a`` and
    ``c`` are further apart). The canonical card of a group is the one most similar to the
    group's mean embedding (ties: the first in input order).

    Parameters
    ----------
    cards : sequence of ValueCard
        Cards with distinct ids.
    embedder : object
        Has ``encode(texts) -> (n, d)`` (rows are normalised here in any case).
    threshold : float in [-1, 1], default 0.85

    Returns
    -------
    Deduplication
        ``clusters`` (canonical id first, then the others in input order) and ``mapping``.

    Raises
    ------
    MoralGraphError
        A non-card, a repeated id, a bad ``threshold`` or embedder output.

    Examples
    --------
    >>> class Fake:
    ...     def encode(self, texts):
    ...         return np.array([[1.0, 0.0] if "care" in t.lower() else [0.0, 1.0] for t in texts])
    >>> cards = [ValueCard("a", "Care", "", ["feelings"]), ValueCard("b", "Care more", "", ["x"]),
    ...          ValueCard("c", "Honesty", "", ["truth"])]
    >>> result = dedupe_values(cards, Fake())
    >>> result.clusters, result.mapping
    ([['a', 'b'], ['c']], {'a': 'a', 'b': 'a', 'c': 'c'})
    """
    func = "dedupe_values"
    threshold = check_float(threshold, "threshold", func, -1.0, 1.0, error=MoralGraphError)
    if isinstance(cards, ValueCard) or not isinstance(cards, Sequence):
        raise parameter_error("cards", func, "a list of ValueCard", cards, MoralGraphError)
    seen: set[str] = set()
    for i, card in enumerate(cards):
        if not isinstance(card, ValueCard):
            raise parameter_error("cards", func, f"a list of ValueCard; item {i} is not", card,
                                  MoralGraphError)
        if card.id in seen:
            raise MoralGraphError(f"{func}: card id {card.id!r} is repeated (item {i}).")
        seen.add(card.id)
    if not cards:
        return Deduplication([], {})
    texts = [f"{c.title}. " + "; ".join(c.policies) for c in cards]
    rows = _embeddings(embedder, texts, func)
    linked = np.argwhere(np.triu(rows @ rows.T >= threshold - 1e-12, k=1))
    parent = list(range(len(cards)))
    for i, j in linked:
        a, b = _find(parent, int(i)), _find(parent, int(j))
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for i in range(len(cards)):
        groups.setdefault(_find(parent, i), []).append(i)
    clusters, mapping = [], {}
    for members in groups.values():
        closeness = rows[members] @ rows[members].mean(axis=0)
        best = members[int(np.argmax(closeness >= closeness.max() - 1e-12))]
        ids = [cards[best].id] + [cards[m].id for m in members if m != best]
        clusters.append(ids)
        mapping.update({i: cards[best].id for i in ids})
    return Deduplication(clusters, {c.id: mapping[c.id] for c in cards})


def _prefers_first(judge: Any, text: str, func: str) -> float:
    """Log-odds ``log p(A) - log p(B)`` of the judge, log-probabilities floored at -50."""
    scores = np.asarray(judge.option_scores(text, ["A", "B"]), dtype=np.float64)
    if scores.shape != (2,) or np.isnan(scores).any() or (scores == np.inf).any():
        raise MoralGraphError(
            f"{func}: the judge's option_scores must return 2 log-probabilities. "
            f"Got {show(scores)} instead."
        )
    scores = np.maximum(scores, _LOGPROB_FLOOR)
    return float(scores[0] - scores[1])


def to_preference_pairs(
    graph: MoralGraph,
    prompt: str,
    responses: Sequence[str],
    judge: Any,
    embedder: Any = None,
    *,
    contexts: Sequence[str] | None = None,
    k: int = 3,
) -> pd.DataFrame:
    """Preference pairs (for DPO-style training) judged against a moral graph's principles.

    The principles are :meth:`MoralGraph.principles` of ``contexts`` (if given) or of the
    prompt (matched with ``embedder``), ``k`` wisest values each. For every unordered pair of
    responses the judge is asked which one better follows the principles, once with each
    response in position A: ``option_scores(text, ["A", "B"])``. The two log-odds in favour of
    the first response (``log p(A) - log p(B)``, then ``log p(B) - log p(A)`` with positions
    swapped; log-probabilities floored at -50 so a hard ``-inf`` stays finite) are averaged,
    which cancels a constant preference for one position. ``chosen`` is the favoured
    response and ``margin`` the absolute average. A judge that only follows position scores
    margin 0; on a tie (margin 0) the response listed first is ``chosen``.

    Parameters
    ----------
    graph : MoralGraph
    prompt : str
        The user prompt the responses answer.
    responses : sequence of str
        At least two responses.
    judge : object
        Has ``option_scores(prompt, options) -> log-probabilities`` (e.g. :class:`lm.ChatModel`).
    embedder : object, optional
        Has ``encode(texts)``; needed when ``contexts`` is not given.
    contexts : sequence of str, optional
        Context ids whose principles to use, instead of matching the prompt.
    k : int, default 3
        Wisest values per context.

    Returns
    -------
    pandas.DataFrame
        Columns ``prompt, chosen, rejected, margin``, one row per pair of responses, in the
        order of the pairs ``(0, 1), (0, 2), ..., (1, 2), ...``.

    Raises
    ------
    MoralGraphError
        A bad prompt or responses, no principles for the contexts, bad judge output, or an
        error from :meth:`MoralGraph.principles`.

    Examples
    --------
    >>> from moralgraph import Context, MoralGraph, WiserVote
    >>> cards = [ValueCard("comfort", "Comfort", "", ["how they feel"]),
    ...          ValueCard("agency", "Agency", "", ["next steps"])]
    >>> votes = [WiserVote(p, "comfort", "agency", "distress", "wiser") for p in "xyz"]
    >>> g = MoralGraph(cards, votes, [Context("distress", "When the user is in distress")])
    >>> class Judge:  # prefers the response that names a next step, wherever it stands
    ...     def option_scores(self, prompt, options):
    ...         a = prompt.split("Response A:")[1].split("Response B:")[0]
    ...         return np.log([0.8, 0.2]) if "step" in a else np.log([0.3, 0.7])
    >>> df = to_preference_pairs(g, "I failed.", ["Sorry.", "A first step: ..."], Judge(),
    ...                          contexts=["distress"])
    >>> df[["chosen", "rejected"]].values.tolist(), round(float(df.margin[0]), 3)
    ([['A first step: ...', 'Sorry.']], 1.117)
    """
    import pandas as pd

    func = "to_preference_pairs"
    if not isinstance(prompt, str) or not prompt.strip():
        raise parameter_error("prompt", func, "a non-empty string", prompt, MoralGraphError)
    ok = not isinstance(responses, str) and isinstance(responses, Sequence)
    if not ok or len(responses) < 2 or not all(isinstance(r, str) for r in responses):
        raise parameter_error("responses", func, "a list of at least two strings", responses,
                              MoralGraphError)
    k = check_int(k, "k", func, 1, error=MoralGraphError)
    source = list(contexts) if contexts is not None else prompt
    principles = graph.principles(source, k, embedder=embedder)
    if not principles:
        raise MoralGraphError(
            f"{func}: the graph gives no principles for {show(source)} (no votes in the "
            "selected contexts), so there is nothing to judge the responses against."
        )
    listed = "\n".join(f"- {p}" for p in principles)
    rows = []
    for i, j in combinations(range(len(responses)), 2):
        a, b = responses[i], responses[j]
        forward = _prefers_first(judge, _JUDGE.format(principles=listed, prompt=prompt,
                                                      a=a, b=b), func)
        backward = _prefers_first(judge, _JUDGE.format(principles=listed, prompt=prompt,
                                                       a=b, b=a), func)
        log_odds = (forward - backward) / 2.0
        chosen, rejected = (a, b) if log_odds >= 0 else (b, a)
        rows.append((prompt, chosen, rejected, abs(log_odds)))
    return pd.DataFrame(rows, columns=["prompt", "chosen", "rejected", "margin"])
