"""From opinions to an audited slate: rate the pool, build the slate, audit, compare.

:func:`build_slate` is the pipeline behind ``collective slate`` and the app's Slate page:
every participant rates every candidate statement through an embedding or a language-model
rater, :func:`~socialchoice.generative.generate_slate` builds the slate, which is audited
for BJR against the pool and compared with the baseline slates. The models are passed in
(objects from :mod:`lm`); this module never imports :mod:`lm`, and pandas only inside the
methods that return tables. Slots are numbered from 1 in every output, in the order the
rounds filled them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from _common.progress import Progress, report
from _common.validation import check_choice, check_int, check_rng, parameter_error

from .._errors import GenerativeError
from ._baselines import baseline_slates
from ._bjr import BJRViolation, bjr_violations
from ._compare import compare_slates
from ._improve import improve_slate
from ._matching import rate_slates
from ._opinions import Opinions, Pool, pool_from_opinions
from ._pool import PoolGenerator
from ._protocols import check_progress
from ._raters import EmbeddingRater, LLMGenerator, LLMRater
from ._slate import Slate, generate_slate
from ._work import Meter, slate_work

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["SLATE_GENERATORS", "SLATE_RATERS", "SlateRun", "build_slate", "collect_warnings"]

#: The raters :func:`build_slate` knows: sentence embeddings or a language model.
SLATE_RATERS = ("embedding", "llm")

#: Where :func:`build_slate` takes each round's statement from: the pool or a language model.
SLATE_GENERATORS = ("pool", "llm")


@dataclass(frozen=True, eq=False)
class SlateRun:
    """Everything :func:`build_slate` computed: slate, pool ratings, audit and comparison.

    Attributes
    ----------
    opinions, pool : Opinions, Pool
    k : int
    rater, generator : str
    seed : int or None
        The ``rng`` seed when it was an int (recorded in the audit), else None.
    question : str or None
    pool_utilities : ndarray of shape (n, C)
        Every participant's rating (0--6) of every pool statement.
    slate : Slate
        The generative slate; agents are positions ``0..n-1``.
    baselines : dict of str to Slate
        Baseline slates on the same ratings (empty when the pool has fewer than k statements).
    violations : list of BJRViolation
        The slate's BJR violations against the pool.
    comparison : pandas.DataFrame
        :func:`~socialchoice.generative.compare_slates` of the slate and the baselines.
    warnings : tuple of str
        Warnings the library logged while building (e.g. a committee rule whose approval
        threshold nobody reaches), for the front ends to show.

    References
    ----------
    .. [1] S. Fish et al., 'Generative Social Choice', arXiv:2309.01291 (2023), §3 (BJR)
       and §5 (the pilot's representation levels).

    Examples
    --------
    >>> from socialchoice.generative import read_opinions
    >>> class Toy:  # counts "yes" and "no"; stands in for a sentence model
    ...     def encode(self, texts, *, progress=None):
    ...         v = np.array([[t.count("yes") + 0.1, t.count("no") + 0.1] for t in texts])
    ...         return v / np.linalg.norm(v, axis=1, keepdims=True)
    >>> ops = read_opinions(b"participant,opinion\\na,yes yes\\nb,yes\\nc,no no\\nd,no\\n")
    >>> run = build_slate(ops, 2, embedder=Toy())
    >>> run.assignment_frame()[["participant", "slot", "statement"]]
      participant  slot statement
    0           a     1   yes yes
    1           b     1   yes yes
    2           c     2     no no
    3           d     2     no no
    >>> run.violation_records()
    []
    >>> sorted(run.to_dict())[:4]
    ['assignment', 'bjr_violations', 'comparison', 'generator']
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     [p.name for p in run.write(folder)]
    ['slate.csv', 'assignment.csv', 'audit.json']
    """

    opinions: Opinions
    pool: Pool
    k: int
    rater: str
    generator: str
    seed: int | None
    question: str | None
    pool_utilities: np.ndarray
    slate: Slate
    baselines: dict[str, Slate]
    violations: list[BJRViolation]
    comparison: pd.DataFrame
    warnings: tuple[str, ...] = ()

    def slate_frame(self) -> pd.DataFrame:
        """One row per slot: ``slot`` (1..k), ``statement``, ``group_size``, ``mean_utility``."""
        import pandas as pd

        a, u, k = self.slate.assignment, self.slate.utilities, self.slate.k
        sizes = np.bincount(a, minlength=k)
        means = np.bincount(a, weights=u, minlength=k) / np.maximum(sizes, 1)
        return pd.DataFrame(
            {
                "slot": np.arange(1, k + 1),
                "statement": list(self.slate.statements),
                "group_size": sizes,
                "mean_utility": means,
            }
        )

    def assignment_frame(self) -> pd.DataFrame:
        """One row per participant: ``participant``, ``slot`` (1..k), ``statement``, ``utility``."""
        frame = self.slate.to_frame().rename(columns={"agent": "participant"})
        frame["participant"] = list(self.opinions.participants)
        frame["slot"] = frame["slot"] + 1
        return frame

    def violation_records(self) -> list[dict[str, Any]]:
        """The BJR violations with pool statement ids and coalitions as participant ids."""
        who = self.opinions.participants
        return [
            {
                "statement_id": self.pool.ids[v.statement],
                "statement": self.pool.statements[v.statement],
                "threshold": v.threshold,
                "size": v.size,
                "coalition": [who[i] for i in v.coalition],
            }
            for v in self.violations
        ]

    def audit(self) -> dict[str, Any]:
        """The audit as plain data (``audit.json``)."""
        table = self.comparison.reset_index()
        return {
            "k": self.k,
            "n": len(self.opinions),
            "pool_size": len(self.pool),
            "pool": self.pool.name,
            "rater": self.rater,
            "generator": self.generator,
            "seed": self.seed,
            "question": self.question,
            "bjr_violations": self.violation_records(),
            "warnings": list(self.warnings),
            "comparison": json.loads(table.to_json(orient="records")),
        }

    def to_dict(self) -> dict[str, Any]:
        """Audit, slate and assignment as plain data (``collective slate --format json``)."""
        return {
            **self.audit(),
            "slate": json.loads(self.slate_frame().to_json(orient="records")),
            "assignment": json.loads(self.assignment_frame().to_json(orient="records")),
        }

    def write(self, folder: str | os.PathLike[str]) -> list[Path]:
        """Write ``slate.csv``, ``assignment.csv`` and ``audit.json`` into ``folder``."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        paths = [out / "slate.csv", out / "assignment.csv", out / "audit.json"]
        self.slate_frame().to_csv(paths[0], index=False)
        self.assignment_frame().to_csv(paths[1], index=False)
        paths[2].write_text(json.dumps(self.audit(), indent=2, ensure_ascii=False) + "\n")
        return paths


class _CachedRatings:
    """A rater that serves the rated pool from ``U`` and rates other statements once.

    The language-model generator puts the pool statements among its candidates in every
    round; they were rated already, so only the statements it writes are rated (once per
    agent), reporting ``progress(done, total)`` of each such call.
    """

    def __init__(self, rater: Any, statements: Sequence[str], U: np.ndarray) -> None:
        self.rater = rater
        self.scale = rater.scale
        self.progress: Progress = None
        self._known = {s: U[:, j].copy() for j, s in enumerate(statements)}
        self._n = U.shape[0]

    def rate(self, agent_ids: Sequence[Any], statements: Sequence[str]) -> np.ndarray:
        rows = np.asarray(agent_ids, dtype=np.intp)
        new = [s for s in dict.fromkeys(statements) if s not in self._known]
        if hasattr(self.rater, "progress"):
            self.rater.progress = self.progress
        if new:
            values = np.asarray(self.rater.rate(list(rows), new), dtype=np.float64)
            for j, s in enumerate(new):
                column = np.full(self._n, np.nan)
                column[rows] = values[:, j]
                self._known[s] = column
        report(self.progress, 1, 1)
        for s in statements:
            missing = rows[np.isnan(self._known[s][rows])]
            if missing.size:
                self._known[s][missing] = np.asarray(self.rater.rate(list(missing), [s]))[:, 0]
        return np.column_stack([self._known[s][rows] for s in statements])


def _rate_pool(rater: Any, n: int, pool: Pool, progress: Progress) -> np.ndarray:
    """Every participant's rating of every pool statement (``progress`` per batch)."""
    agents = list(range(n))
    if isinstance(rater, LLMRater):  # one batched call, progress per batch of prompts
        rater.progress = progress
        return np.asarray(rater.rate(agents, list(pool.statements)), dtype=np.float64)
    parts = []
    batch = 32
    for start in range(0, len(pool), batch):
        chunk = list(pool.statements[start : start + batch])
        parts.append(np.asarray(rater.rate(agents, chunk), dtype=np.float64))
        report(progress, min(start + batch, len(pool)), len(pool))
    return np.hstack(parts)


def _check_options(
    opinions: Opinions, k: object, rater: str, generator: str, chat_model: Any
) -> None:
    n = len(opinions)
    func = "build_slate"
    try:
        check_int(k, "k", func, 1, n, error=GenerativeError)
    except GenerativeError:  # the same check, with what n is
        expected = f"an int in [1, {n}] (the number of participants in {opinions.name})"
        raise parameter_error("k", func, expected, k, GenerativeError) from None
    check_choice(rater, "rater", func, SLATE_RATERS, error=GenerativeError)
    check_choice(generator, "generator", func, SLATE_GENERATORS, error=GenerativeError)
    if chat_model is None and "llm" in (rater, generator):
        raise GenerativeError(
            f"The 'chat_model' parameter of build_slate must be a loaded chat model (e.g. "
            f"lm.load_chat_model()) when rater={rater!r} and generator={generator!r}. "
            "Got None instead."
        )


class _LogCollector(logging.Handler):
    """Collects the warnings :mod:`socialchoice` logs in this thread, in order, once each."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.thread == self.thread and message not in self.messages:
            self.messages.append(message)


@contextlib.contextmanager
def collect_warnings() -> Iterator[list[str]]:
    """Collect the warnings the library logs (logger ``socialchoice``) inside the block.

    Front ends show them next to the result instead of leaving them in the server log.

    >>> import logging
    >>> with collect_warnings() as seen:
    ...     logging.getLogger("socialchoice.generative").warning("careful: %d", 3)
    >>> seen
    ['careful: 3']
    """
    handler = _LogCollector()
    logger = logging.getLogger("socialchoice")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


class _RoundMeter:
    """``progress`` of :func:`generate_slate`: moves the meter and points the language-model
    oracles' progress at the stages of the next round."""

    def __init__(self, meter: Meter, k: int, writer: Any = None, judge: Any = None) -> None:
        self.meter, self.k, self.writer, self.judge = meter, k, writer, judge

    def __call__(self, done: int, total: int) -> None:
        if self.writer is None:  # the exact pool generator: one unit per round
            if done:
                self.meter.finish(("round", done - 1))
            return
        if done:
            self.meter.finish(("judge", done - 1))
        if done < self.k:
            self.writer.progress = self.meter.at(("write", done))
            self.judge.progress = self.meter.at(("judge", done))


def _generative_slate(
    opinions: Opinions,
    k: int,
    pool: Pool,
    U: np.ndarray,
    oracle: Any,
    options: dict[str, Any],
    meter: Meter,
) -> Slate:
    """The generative slate: exact over the rated pool, or written by the language model."""
    n = len(opinions)
    rng = options["rng"]
    if options["generator"] == "pool":
        pool_oracle = PoolGenerator(pool.statements, U, scale=oracle.scale)
        return generate_slate(n, k, pool_oracle, pool_oracle, rng, progress=_RoundMeter(meter, k))
    judge = _CachedRatings(oracle, pool.statements, U)
    writer = LLMGenerator(
        options["chat_model"],
        list(opinions.texts),
        judge,
        question=options["question"],
        pool=pool.statements,
    )
    rounds = _RoundMeter(meter, k, writer, judge)
    return generate_slate(n, k, judge, writer, rng, distinct=True, progress=rounds)


def _oracle(opinions: Opinions, embedder: Any, rater: str, chat_model: Any, question: Any) -> Any:
    if rater == "embedding":
        return EmbeddingRater(embedder, list(opinions.texts))
    return LLMRater(chat_model, list(opinions.texts), question=question)


def _compare(
    slate: Slate, baselines: dict[str, Slate], U: np.ndarray, k: int, pool: Pool, oracle: Any,
    improve: bool,
) -> tuple[Slate, pd.DataFrame]:
    """The (improved) slate and its comparison with the baselines under one matching."""
    cache: dict[str, np.ndarray] = {}
    greedy = {"generative (greedy)": slate} if improve else {}
    if improve:
        R = rate_slates(greedy, U, pool.statements, oracle, cache)["generative (greedy)"]
        slate = improve_slate(slate, U, k, statements=pool.statements, ratings=R)
        if slate.statements == greedy["generative (greedy)"].statements:
            greedy = {}  # the improvement re-matched at most: the matched comparison is the same
    slates = {"generative": slate, **baselines, **greedy}
    ratings = rate_slates(slates, U, pool.statements, oracle, cache)
    return slate, compare_slates(U, slates, k, oracle.scale, ratings=ratings)


def build_slate(
    opinions: Opinions,
    k: int,
    *,
    embedder: Any,
    pool: Pool | None = None,
    rater: str = "embedding",
    generator: str = "pool",
    chat_model: Any = None,
    question: str | None = None,
    rng: np.random.Generator | int | None = 0,
    progress: Progress = None,
    improve: bool = True,
) -> SlateRun:
    """Rate the pool, build the slate, audit it for BJR and compare it with the baselines.

    Parameters
    ----------
    opinions : Opinions
        The participants (agents ``0..n-1`` in this order) and their opinions.
    k : int
        Slate size, in ``[1, n]``.
    embedder : Embedder
        A loaded sentence embedder (e.g. ``lm.load_embedder()``) with
        ``encode(texts, *, progress=None)``; always needed, for the k-means baseline and the
        embedding rater.
    pool : Pool, optional
        Candidate statements; default: the distinct opinions themselves
        (:func:`~socialchoice.generative.pool_from_opinions`).
    rater : {"embedding", "llm"}
        :class:`~socialchoice.generative.EmbeddingRater` or
        :class:`~socialchoice.generative.LLMRater`.
    generator : {"pool", "llm"}
        The exact :class:`~socialchoice.generative.PoolGenerator` over the rated pool, or
        :class:`~socialchoice.generative.LLMGenerator` (writes new statements; the pool
        statements stay candidates; the slate's statements are distinct).
    chat_model : object, optional
        A loaded chat model (e.g. ``lm.load_chat_model()``); needed when ``rater`` or
        ``generator`` is ``"llm"``.
    question : str, optional
        The question the opinions answer (shown to the language model).
    rng : numpy.random.Generator, int or None
        Seeds the language model's sampling and k-means (any int, negative ones included).
    progress : callable, optional
        ``progress(done, total)`` in the work units of :func:`slate_work` (its
        :meth:`~SlateWork.describe` says what runs at ``done``): first ``(0, total)``, last
        ``(total, total)``.
    improve : bool
        Re-match and improve the slate after the rounds
        (:func:`~socialchoice.generative.improve_slate`, never adding a BJR violation); when
        it swapped statements, the rounds' own slate stays in the comparison as
        ``"generative (greedy)"``.

    Returns
    -------
    SlateRun
        With the warnings the library logged during the build in ``warnings``.

    Raises
    ------
    socialchoice.GenerativeError
        ``k`` not in ``[1, n]``, an unknown rater or generator, no ``chat_model`` where one
        is needed, or a malformed oracle answer.

    References
    ----------
    .. [1] S. Fish, P. Gölz, D. C. Parkes, A. D. Procaccia, G. Rusak, I. Shapira and
       M. Wüthrich, 'Generative Social Choice', arXiv:2309.01291 (2023).

    Examples
    --------
    A toy embedder that counts "yes" and "no" stands in for a sentence model:

    >>> from socialchoice.generative import read_opinions
    >>> class Toy:
    ...     def encode(self, texts, *, progress=None):
    ...         v = np.array([[t.count("yes") + 0.1, t.count("no") + 0.1] for t in texts])
    ...         return v / np.linalg.norm(v, axis=1, keepdims=True)
    >>> ops = read_opinions(b"opinion\\nyes yes\\nyes\\nno no\\nno\\n")
    >>> run = build_slate(ops, 2, embedder=Toy())
    >>> run.slate_frame()[["slot", "statement", "group_size"]]
       slot statement  group_size
    0     1   yes yes           2
    1     2     no no           2
    >>> run.violations, list(run.comparison.index)[:2], run.warnings
    ([], ['generative', 'top_mean'], ())
    """
    _check_options(opinions, k, rater, generator, chat_model)
    check_progress(progress, "build_slate")
    seed = int(rng) if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) else None
    rng = check_rng(rng, "build_slate", error=GenerativeError)
    pool = pool if pool is not None else pool_from_opinions(opinions)
    meter = Meter(slate_work(opinions, k, pool=pool, rater=rater, generator=generator), progress)
    meter.at(("embed",))(0, 1)
    with collect_warnings() as warnings:
        texts = list(opinions.texts)
        embeddings = np.asarray(embedder.encode(texts, progress=meter.at(("embed",))), dtype=float)
        meter.finish(("embed",))
        oracle = _oracle(opinions, embedder, rater, chat_model, question)
        U = _rate_pool(oracle, len(opinions), pool, meter.at(("rate",)))
        meter.finish(("rate",))
        options = {
            "rng": rng,
            "generator": generator,
            "chat_model": chat_model,
            "question": question,
        }
        slate = _generative_slate(opinions, k, pool, U, oracle, options, meter)
        baselines: dict[str, Slate] = {}
        if k <= len(pool):
            baselines = baseline_slates(
                pool.statements,
                U,
                k,
                opinion_embeddings=embeddings,
                rng=rng,
                progress=meter.at(("baselines",)),
            )
        slate, comparison = _compare(slate, baselines, U, k, pool, oracle, improve)
        violations = bjr_violations(U, slate.utilities, k)
    report(progress, meter.work.total, meter.work.total)
    return SlateRun(
        opinions=opinions,
        pool=pool,
        k=int(k),
        rater=str(rater),
        generator=str(generator),
        seed=seed,
        question=question,
        pool_utilities=U,
        slate=slate,
        baselines=baselines,
        violations=violations,
        comparison=comparison,
        warnings=tuple(warnings),
    )
