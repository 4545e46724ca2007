"""Model-backed oracles: raters from sentence embeddings or a chat model, and an LLM generator.

They take model objects from :mod:`lm` (anything with ``encode`` / ``option_scores_batch`` /
``generate_batch``) and never import :mod:`lm` themselves. Agents are identified by their
position in ``opinions`` (a sequence of texts) or by its keys (a mapping id -> text).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit, softmax

from _common.progress import Progress, report
from _common.validation import check_int, check_matrix, check_rng, parameter_error

from .._errors import GenerativeError
from ._calibration import fit_calibration
from ._slate import as_scale

__all__ = [
    "EmbeddingRater",
    "GenerationRecord",
    "LLMGenerator",
    "LLMRater",
    "fit_calibration",
]

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
        func = "EmbeddingRater.from_vectors"
        V = check_matrix(vectors, "vectors", func, min_rows=1, min_cols=1, error=GenerativeError)
        norms = np.linalg.norm(V, axis=1, keepdims=True)
        V = V / np.where(norms > 0, norms, 1.0)
        ids = list(range(V.shape[0])) if ids is None else list(ids)
        if len(ids) != V.shape[0]:
            raise parameter_error(
                "ids", func, f"one id per row of vectors ({V.shape[0]})", ids, GenerativeError
            )
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

    Parameters
    ----------
    chat_model : object with ``option_scores_batch``
        For example ``lm.load_chat_model()``.
    opinions : sequence of str or mapping id -> str
        Each agent's opinion.
    question : str, optional
        The question the opinions answer, shown in every prompt.
    both_orders : bool
        Ask with the scale in both orders and average.
    progress : callable(done, total), optional
        Called as the prompts of each :meth:`rate` call are answered (an attribute: the
        caller may swap it between calls).

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
        progress: Progress = None,
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
    opinions, samples ``n_candidates`` statements (one model call each), adds the ``pool``
    statements (if any), drops every candidate in ``exclude`` (the statements already on the
    slate, compared ignoring case and spacing), rates the rest for every agent with
    ``rater`` and returns the candidate with the highest ``r``-th highest rating — the
    objective of Fish et al.'s generative query. Every call is recorded in :attr:`history`.

    Parameters
    ----------
    chat_model : object with ``generate_batch``
        For example ``lm.load_chat_model()``.
    opinions : sequence of str or mapping id -> str
        The agents' opinions (the same ids as the rater's).
    rater : Rater
        Scores the candidates (e.g. :class:`EmbeddingRater` or :class:`LLMRater`).
    question : str, optional
        The question the opinions answer, shown in the prompt.
    pool : sequence of str, optional
        Statements that are always candidates too (so a weak model never does worse than the
        pool).
    n_candidates : int in [0, 64]
        Statements sampled from the model per call.
    max_opinions : int >= 1
        At most this many opinions (a random sample) go into the prompt.
    temperature : float
        Sampling temperature of the model.
    max_new_tokens : int >= 1
        Length limit of each sampled statement.
    progress : callable(done, total), optional
        Called after each candidate statement is written, within each :meth:`generate` call
        (an attribute: the caller may swap it between calls).

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
        progress: Progress = None,
    ) -> None:
        func = "LLMGenerator"
        self.n_candidates = check_int(
            n_candidates, "n_candidates", func, 0, 64, error=GenerativeError
        )
        self.max_opinions = check_int(max_opinions, "max_opinions", func, 1, error=GenerativeError)
        self.max_new_tokens = check_int(
            max_new_tokens, "max_new_tokens", func, 1, error=GenerativeError
        )
        self.pool = _check_statements(pool) if pool is not None else []
        if self.n_candidates == 0 and not self.pool:
            raise GenerativeError("LLMGenerator needs n_candidates >= 1 or a non-empty pool.")
        self.chat_model = chat_model
        self.opinions = _as_opinions(opinions)
        self.rater = rater
        self.question = question
        self.temperature = temperature
        self.progress = progress
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
        """Sample candidate statements for these agents, one model call each, reporting
        ``progress(done, n_candidates)`` after each (pool statements are added after)."""
        rng = check_rng(rng, "LLMGenerator.candidates", error=GenerativeError)
        if self.n_candidates == 0:
            return []
        ids = list(agent_ids)
        chosen = rng.permutation(len(ids))[: self.max_opinions]
        prompt = self.prompt(_lookup(self.opinions, [ids[i] for i in sorted(chosen)]))
        seed = int(rng.integers(0, 2**31 - 1))
        replies: list[str] = []
        report(self.progress, 0, self.n_candidates)
        for i in range(self.n_candidates):
            replies += self.chat_model.generate_batch(
                [prompt],
                max_new_tokens=self.max_new_tokens,
                temperature=self.temperature,
                seed=seed + i,
            )
            report(self.progress, i + 1, self.n_candidates)
        return [s for s in dict.fromkeys(_clean_statement(r) for r in replies) if s]

    def generate(
        self,
        agent_ids: Sequence[Hashable],
        r: int,
        *,
        rng: np.random.Generator | int | None = None,
        exclude: Collection[str] = (),
    ) -> str:
        """The candidate not in ``exclude`` maximising the ``r``-th highest rating."""
        ids = list(agent_ids)
        r = check_int(r, "r", "LLMGenerator.generate", 1, len(ids), error=GenerativeError)
        taken = {_key(s) for s in exclude}
        written = self.candidates(ids, rng)
        candidates = [s for s in dict.fromkeys(written + self.pool) if _key(s) not in taken]
        if not candidates:
            raise GenerativeError(
                "The chat model wrote no new statement (every sample was empty or already on "
                "the slate) and no candidate statement is left to fall back on; give more "
                "candidate statements or a smaller slate."
            )
        U = np.asarray(self.rater.rate(ids, candidates), dtype=np.float64)
        rth = -np.sort(-U, axis=0)[r - 1]
        best = int(np.argmax(rth))
        self.history.append(
            GenerationRecord(tuple(ids), r, tuple(candidates), tuple(map(float, rth)), best)
        )
        return candidates[best]


def _key(statement: str) -> str:
    """A statement compared ignoring case and spacing."""
    return " ".join(statement.split()).casefold()


def _clean_statement(reply: str) -> str:
    """First paragraph of a reply, without a 'Statement:' label or wrapping quotes."""
    text = reply.strip().split("\n\n")[0].strip()
    for label in ("Statement:", "statement:", "Consensus statement:"):
        if text.startswith(label):
            text = text[len(label) :].strip()
    return text.strip().strip('"“”').strip()
