"""Model-backed oracles: raters from sentence embeddings or a chat model, and an LLM generator.

They take model objects from :mod:`lm` (anything with ``encode`` / ``option_scores_batch`` /
``generate_batch``) and never import :mod:`lm` themselves. Agents are identified by their
position in ``opinions`` (a sequence of texts) or by its keys (a mapping id -> text).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit, softmax

from .._errors import GenerativeError
from ._slate import as_scale

__all__ = [
    "EmbeddingRater",
    "GenerationRecord",
    "LLMGenerator",
    "LLMRater",
    "fit_calibration",
]

Progress = Callable[[int, int], None]

_SPREAD = 1.7  # one standard deviation of similarity moves P(agree) from 0.5 to about 0.85


def _as_opinions(opinions: Sequence[str] | Mapping[Hashable, str]) -> dict[Hashable, str]:
    if isinstance(opinions, str):
        raise GenerativeError(
            "opinions must be a list of texts or a mapping id -> text, not a single str."
        )
    items = opinions.items() if isinstance(opinions, Mapping) else enumerate(opinions)
    table: dict[Hashable, str] = {}
    for agent, text in items:
        if not isinstance(text, str) or not text.strip():
            raise GenerativeError(
                f"Every opinion must be a non-empty text; the opinion of agent {agent!r} is "
                f"{text!r}."
            )
        table[agent] = text.strip()
    if not table:
        raise GenerativeError("opinions must hold at least one opinion. Got none.")
    return table


def _lookup(table: Mapping[Hashable, Any], agent_ids: Sequence[Hashable]) -> list[Any]:
    missing = [a for a in agent_ids if a not in table]
    if missing:
        raise GenerativeError(
            f"Unknown agent id {missing[0]!r}: the rater knows {len(table)} agents "
            f"(ids such as {list(table)[:3]!r})."
        )
    return [table[a] for a in agent_ids]


def _check_statements(statements: Sequence[str]) -> list[str]:
    if isinstance(statements, str):
        raise GenerativeError("statements must be a list of texts, not a single str.")
    out = list(statements)
    for j, s in enumerate(out):
        if not isinstance(s, str) or not s.strip():
            raise GenerativeError(f"statements[{j}] must be a non-empty text. Got {s!r} instead.")
    return out


def fit_calibration(similarities: ArrayLike, agreed: ArrayLike) -> tuple[float, float]:
    """Fit ``P(agree) = sigmoid(a * similarity + b)`` by logistic regression; return ``(a, b)``.

    Parameters
    ----------
    similarities : array of float
        Cosine similarities between agents' opinions and statements.
    agreed : array of bool
        Whether each agent agreed with the statement (a real vote, or a high rating).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> cos = rng.uniform(-0.2, 0.8, 4000)
    >>> agree = rng.random(4000) < 1 / (1 + np.exp(-(6 * cos - 1.5)))
    >>> a, b = fit_calibration(cos, agree)
    >>> bool(abs(a - 6) < 1 and abs(b + 1.5) < 0.5)
    True
    """
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(similarities, dtype=np.float64).reshape(-1, 1)
    y = np.asarray(agreed, dtype=bool).reshape(-1)
    if x.shape[0] != y.shape[0] or x.shape[0] < 2 or np.unique(y).size < 2:
        raise GenerativeError(
            "fit_calibration needs as many similarities as votes, and both agreements and "
            f"disagreements. Got {x.shape[0]} similarities, {y.shape[0]} votes, "
            f"{int(y.sum())} agreements."
        )
    model = LogisticRegression(C=1e6, max_iter=1000).fit(x, y)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def _calibration(calibration: tuple[float, float] | str, vectors: NDArray) -> tuple[float, float]:
    if isinstance(calibration, str):
        if calibration != "auto":
            raise GenerativeError(
                "The 'calibration' parameter of EmbeddingRater must be 'auto' or a pair "
                f"(a, b) of floats. Got {calibration!r} instead."
            )
        n = vectors.shape[0]
        if n < 3:
            return (10.0, -4.0)  # too few agents to estimate a spread: cosine 0.4 -> rating 3
        sims = (vectors @ vectors.T)[~np.eye(n, dtype=bool)]
        spread = float(sims.std())
        if spread < 1e-9:
            return (10.0, -4.0)
        a = _SPREAD / spread
        return (a, -a * float(sims.mean()))
    try:
        a, b = (float(x) for x in calibration)
    except (TypeError, ValueError):
        raise GenerativeError(
            "The 'calibration' parameter of EmbeddingRater must be 'auto' or a pair (a, b) of "
            f"floats. Got {calibration!r} instead."
        ) from None
    if not (np.isfinite(a) and np.isfinite(b)):
        raise GenerativeError(f"The calibration (a, b) must be finite. Got {(a, b)!r} instead.")
    return (a, b)


class EmbeddingRater:
    """Rate statements by the cosine between each agent's opinion and the statement.

    ``rate = lo + (hi - lo) * sigmoid(a * cosine + b)``: the calibration ``(a, b)`` turns a
    similarity into a probability of agreement, then onto the rating scale.

    ``calibration="auto"`` calibrates on the data: the agents' opinions are compared with
    each other, and a similarity one standard deviation above their mean maps to
    ``P(agree) ≈ 0.85`` (rating ≈ 5.1 on 0–6), the mean to 3 and one below to ≈ 0.9. Pass
    ``(a, b)`` from :func:`fit_calibration` when real votes or ratings are available.
    Sentence embeddings measure topic more than stance: on the shipped Polis conversations
    the cosine between a participant's own statement and another statement barely predicts
    their vote (see ``benchmarks/RESULTS.md``), so read embedding ratings as a cheap proxy.

    Parameters
    ----------
    embedder : object with ``encode(texts) -> (n, d)`` unit-norm vectors
        For example ``lm.load_embedder()``.
    opinions : sequence of str or mapping id -> str
        Each agent's free-text opinion; agent ids are positions (sequence) or keys (mapping).
    calibration : (float, float) or "auto"
        ``(a, b)`` of the logistic map, or "auto" (see above).
    scale : (float, float)
        The rating scale, 0–6 as in Fish et al.'s pilot.

    References
    ----------
    .. [1] S. Fish et al., 'Generative Social Choice', arXiv:2309.01291 (2023), §5 (raters
       built from embeddings as a cheap discriminative query).

    Examples
    --------
    >>> class Toy:  # two-dimensional "embeddings": the share of 'yes' in a text
    ...     def encode(self, texts):
    ...         v = np.array([[t.count("yes") + 0.1, t.count("no") + 0.1] for t in texts])
    ...         return v / np.linalg.norm(v, axis=1, keepdims=True)
    >>> rater = EmbeddingRater(Toy(), ["yes yes", "no no"])
    >>> R = rater.rate([0, 1], ["yes", "no"])
    >>> bool(R[0, 0] > R[0, 1] and R[1, 1] > R[1, 0])
    True
    """

    def __init__(
        self,
        embedder: Any,
        opinions: Sequence[str] | Mapping[Hashable, str],
        *,
        calibration: tuple[float, float] | str = "auto",
        scale: tuple[float, float] = (0.0, 6.0),
    ) -> None:
        self.embedder = embedder
        self.opinions = _as_opinions(opinions)
        self.scale = as_scale(scale)
        ids = list(self.opinions)
        vectors = np.asarray(embedder.encode([self.opinions[i] for i in ids]), dtype=np.float64)
        self._vectors = dict(zip(ids, vectors, strict=True))
        self.calibration = _calibration(calibration, vectors)

    @classmethod
    def from_vectors(
        cls,
        embedder: Any,
        vectors: ArrayLike,
        *,
        ids: Sequence[Hashable] | None = None,
        calibration: tuple[float, float] | str = "auto",
        scale: tuple[float, float] = (0.0, 6.0),
    ) -> EmbeddingRater:
        """A rater whose agents are given as vectors (e.g. built from their votes), not texts.

        Rows are normalised to unit length; ``ids`` default to ``0..n-1``.
        """
        V = np.asarray(vectors, dtype=np.float64)
        if V.ndim != 2 or V.shape[0] == 0 or not np.isfinite(V).all():
            raise GenerativeError(
                f"vectors must be a finite (agents, dimension) matrix. Got shape {V.shape}."
            )
        norms = np.linalg.norm(V, axis=1, keepdims=True)
        V = V / np.where(norms > 0, norms, 1.0)
        ids = list(range(V.shape[0])) if ids is None else list(ids)
        if len(ids) != V.shape[0]:
            raise GenerativeError(f"ids has {len(ids)} entries for {V.shape[0]} vectors.")
        rater = cls.__new__(cls)
        rater.embedder = embedder
        rater.opinions = {}
        rater.scale = as_scale(scale)
        rater.calibration = _calibration(calibration, V)
        rater._vectors = dict(zip(ids, V, strict=True))
        return rater

    def similarity(
        self, agent_ids: Sequence[Hashable], statements: Sequence[str]
    ) -> NDArray[np.float64]:
        """Cosine similarities ``(len(agent_ids), len(statements))``."""
        agents = np.array(_lookup(self._vectors, list(agent_ids))).reshape(len(agent_ids), -1)
        texts = _check_statements(statements)
        if not texts or agents.shape[0] == 0:
            return np.zeros((agents.shape[0], len(texts)))
        S = np.asarray(self.embedder.encode(texts), dtype=np.float64)
        return np.clip(agents @ S.T, -1.0, 1.0)

    def agreement(
        self, agent_ids: Sequence[Hashable], statements: Sequence[str]
    ) -> NDArray[np.float64]:
        """Calibrated probabilities of agreement ``sigmoid(a * cosine + b)``."""
        a, b = self.calibration
        return expit(a * self.similarity(agent_ids, statements) + b)

    def rate(self, agent_ids: Sequence[Hashable], statements: Sequence[str]) -> NDArray[np.float64]:
        """Ratings on ``scale``, shape ``(len(agent_ids), len(statements))``."""
        lo, hi = self.scale
        return lo + (hi - lo) * self.agreement(agent_ids, statements)

    def __repr__(self) -> str:
        return f"EmbeddingRater({len(self._vectors)} agents, calibration={self.calibration})"


_RATING_SYSTEM = (
    "You judge how well a statement represents a person's opinion. Answer with one digit."
)


@dataclass(frozen=True)
class _Orientation:
    low: str
    high: str
    reverse: bool


_ORIENTATIONS = (
    _Orientation("not at all", "perfectly", reverse=False),
    _Orientation("perfectly", "not at all", reverse=True),
)


class LLMRater:
    """Rate statements 0–6 with a chat model, reading the digit probabilities directly.

    For each (agent, statement) the model sees the agent's opinion and the statement and is
    asked for a digit 0–6; :meth:`lm.ChatModel.option_scores_batch` gives the probability
    of each digit (no text parsing) and the rating is the expected value. With
    ``both_orders=True`` the question is also asked with the scale reversed (0 = perfectly)
    and the two are averaged, which cancels a model's preference for a digit position.

    Small local models (SmolLM2-135M) are close to chance at this; the class behaves the
    same with a larger model behind an OpenAI-compatible endpoint.

    References
    ----------
    .. [1] S. Fish et al., 'Generative Social Choice', arXiv:2309.01291 (2023), §5
       (discriminative queries answered by an LLM).

    Examples
    --------
    >>> rater = LLMRater(chat_model, ["Assistants should never lecture."])   # doctest: +SKIP
    >>> rater.rate([0], ["The assistant should not moralise."])              # doctest: +SKIP
    array([[3.9]])
    """

    scale = (0.0, 6.0)

    def __init__(
        self,
        chat_model: Any,
        opinions: Sequence[str] | Mapping[Hashable, str],
        *,
        question: str | None = None,
        both_orders: bool = True,
        progress: Progress | None = None,
    ) -> None:
        self.chat_model = chat_model
        self.opinions = _as_opinions(opinions)
        self.question = question
        self.both_orders = both_orders
        self.progress = progress

    def prompt(
        self, opinion: str, statement: str, *, reverse: bool = False
    ) -> list[dict[str, str]]:
        """The messages asking for one rating (``reverse``: 0 means perfectly)."""
        o = _ORIENTATIONS[1 if reverse else 0]
        context = f"Question: {self.question}\n\n" if self.question else ""
        user = (
            f'{context}A person\'s opinion: "{opinion}"\n\nStatement: "{statement}"\n\n'
            f"On a scale from 0 to 6, how well does the statement represent this person's "
            f"opinion? 0 = {o.low}, 6 = {o.high}. Answer with one digit."
        )
        return [{"role": "system", "content": _RATING_SYSTEM}, {"role": "user", "content": user}]

    def rating_distribution(
        self, agent_ids: Sequence[Hashable], statements: Sequence[str]
    ) -> NDArray[np.float64]:
        """Probabilities of each rating 0..6, shape ``(len(agent_ids), len(statements), 7)``."""
        opinions = _lookup(self.opinions, list(agent_ids))
        texts = _check_statements(statements)
        orientations = _ORIENTATIONS if self.both_orders else _ORIENTATIONS[:1]
        prompts = [
            self.prompt(o, s, reverse=orientation.reverse)
            for orientation in orientations
            for o in opinions
            for s in texts
        ]
        if not prompts:
            return np.zeros((len(opinions), len(texts), 7))
        digits = [str(d) for d in range(7)]
        logp = self.chat_model.option_scores_batch(prompts, digits, progress=self.progress)
        probs = softmax(np.asarray(logp, dtype=np.float64), axis=-1)
        probs = probs.reshape(len(orientations), len(opinions), len(texts), 7)
        if self.both_orders:
            probs[1] = probs[1][..., ::-1]
        return probs.mean(axis=0)

    def rate(self, agent_ids: Sequence[Hashable], statements: Sequence[str]) -> NDArray[np.float64]:
        """Expected ratings on 0–6, shape ``(len(agent_ids), len(statements))``."""
        return self.rating_distribution(agent_ids, statements) @ np.arange(7.0)

    def __repr__(self) -> str:
        return f"LLMRater({self.chat_model!r}, {len(self.opinions)} agents)"


_WRITE_SYSTEM = (
    "You write one short consensus statement (one or two sentences) that a group of people "
    "would agree with. Reply with the statement only."
)


@dataclass(frozen=True)
class GenerationRecord:
    """One call of :meth:`LLMGenerator.generate`: candidates, their scores and the pick."""

    agents: tuple[Hashable, ...]
    r: int
    candidates: tuple[str, ...]
    scores: tuple[float, ...]
    chosen: int


class LLMGenerator:
    """A generative query answered by a chat model: write candidates, keep the best.

    For the remaining agents and a round size ``r`` it shows the model a sample of their
    opinions, samples ``n_candidates`` statements, adds the ``pool`` statements (if any), rates
    every candidate for every agent with ``rater`` and returns the candidate with the highest
    ``r``-th highest rating — the objective of Fish et al.'s generative query. Every call is
    recorded in :attr:`history`.

    Parameters
    ----------
    chat_model : object with ``generate_batch``
        For example ``lm.load_chat_model()``.
    opinions : sequence of str or mapping id -> str
        The agents' opinions (the same ids as the rater's).
    rater : Rater
        Scores the candidates (e.g. :class:`EmbeddingRater` or :class:`LLMRater`).
    pool : sequence of str, optional
        Statements that are always candidates too (so a weak model never does worse than the
        pool).
    n_candidates : int
        Statements sampled from the model per call.
    max_opinions : int
        At most this many opinions (a random sample) go into the prompt.

    References
    ----------
    .. [1] S. Fish et al., 'Generative Social Choice', arXiv:2309.01291 (2023), §4
       (generative queries implemented by sampling an LLM and scoring the samples).

    Examples
    --------
    >>> generator = LLMGenerator(chat_model, opinions, rater, n_candidates=4)   # doctest: +SKIP
    >>> generate_slate(len(opinions), 3, rater, generator, rng=0)                # doctest: +SKIP
    """

    def __init__(
        self,
        chat_model: Any,
        opinions: Sequence[str] | Mapping[Hashable, str],
        rater: Any,
        *,
        question: str | None = None,
        pool: Sequence[str] | None = None,
        n_candidates: int = 4,
        max_opinions: int = 12,
        temperature: float = 0.8,
        max_new_tokens: int = 64,
    ) -> None:
        if (
            isinstance(n_candidates, bool)
            or not isinstance(n_candidates, int)
            or not (0 <= n_candidates <= 64)
        ):
            raise GenerativeError(
                "The 'n_candidates' parameter of LLMGenerator must be an int in [0, 64]. "
                f"Got {n_candidates!r} instead."
            )
        self.pool = _check_statements(pool) if pool is not None else []
        if n_candidates == 0 and not self.pool:
            raise GenerativeError("LLMGenerator needs n_candidates >= 1 or a non-empty pool.")
        self.chat_model = chat_model
        self.opinions = _as_opinions(opinions)
        self.rater = rater
        self.question = question
        self.n_candidates = n_candidates
        self.max_opinions = max_opinions
        self.temperature = temperature
        self.max_new_tokens = max_new_tokens
        self.history: list[GenerationRecord] = []

    def prompt(self, opinions: Sequence[str]) -> list[dict[str, str]]:
        """The messages asking for one statement that these opinions would agree with."""
        listed = "\n".join(f"- {o}" for o in opinions)
        context = f"Question: {self.question}\n\n" if self.question else ""
        user = (
            f"{context}Opinions of a group of people:\n{listed}\n\n"
            "Write one statement that as many of these people as possible would agree with."
        )
        return [{"role": "system", "content": _WRITE_SYSTEM}, {"role": "user", "content": user}]

    def candidates(
        self, agent_ids: Sequence[Hashable], rng: np.random.Generator | int | None = None
    ) -> list[str]:
        """Sample candidate statements for these agents (pool statements are added after)."""
        rng = np.random.default_rng(rng)
        if self.n_candidates == 0:
            return []
        ids = list(agent_ids)
        chosen = rng.permutation(len(ids))[: self.max_opinions]
        opinions = _lookup(self.opinions, [ids[i] for i in sorted(chosen)])
        seed = int(rng.integers(0, 2**31 - 1))
        replies = self.chat_model.generate_batch(
            [self.prompt(opinions)] * self.n_candidates,
            max_new_tokens=self.max_new_tokens,
            temperature=self.temperature,
            seed=seed,
        )
        return [s for s in dict.fromkeys(_clean_statement(r) for r in replies) if s]

    def generate(
        self,
        agent_ids: Sequence[Hashable],
        r: int,
        *,
        rng: np.random.Generator | int | None = None,
    ) -> str:
        """The candidate maximising the ``r``-th highest rating among ``agent_ids``."""
        ids = list(agent_ids)
        if not 1 <= r <= len(ids):
            raise GenerativeError(
                f"The 'r' parameter of LLMGenerator.generate must be an int in [1, {len(ids)}]. "
                f"Got {r!r} instead."
            )
        candidates = list(dict.fromkeys(self.candidates(ids, rng) + self.pool))
        if not candidates:
            raise GenerativeError(
                "The chat model wrote no usable statement (every sample was empty) and there "
                "is no pool to fall back on."
            )
        U = np.asarray(self.rater.rate(ids, candidates), dtype=np.float64)
        rth = -np.sort(-U, axis=0)[r - 1]
        best = int(np.argmax(rth))
        self.history.append(
            GenerationRecord(tuple(ids), r, tuple(candidates), tuple(map(float, rth)), best)
        )
        return candidates[best]


def _clean_statement(reply: str) -> str:
    """First paragraph of a reply, without a 'Statement:' label or wrapping quotes."""
    text = reply.strip().split("\n\n")[0].strip()
    for label in ("Statement:", "statement:", "Consensus statement:"):
        if text.startswith(label):
            text = text[len(label) :].strip()
    return text.strip().strip('"“”').strip()
