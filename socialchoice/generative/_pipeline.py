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

import inspect
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._errors import GenerativeError
from ._baselines import baseline_slates
from ._bjr import BJRViolation, bjr_violations
from ._compare import compare_slates
from ._improve import improve_slate
from ._matching import rate_slates
from ._opinions import Opinions, Pool, pool_from_opinions
from ._pool import PoolGenerator
from ._raters import EmbeddingRater, LLMGenerator, LLMRater
from ._slate import Slate, generate_slate

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["SLATE_GENERATORS", "SLATE_RATERS", "SlateRun", "build_slate"]

#: The raters :func:`build_slate` knows: sentence embeddings or a language model.
SLATE_RATERS = ("embedding", "llm")

#: Where :func:`build_slate` takes each round's statement from: the pool or a language model.
SLATE_GENERATORS = ("pool", "llm")

#: ``progress(done, what)``: the share of the work done (0..1) and what is running.
ProgressFn = Callable[[float, str], Any]


@dataclass(frozen=True, eq=False)
class SlateRun:
    """Everything :func:`build_slate` computed: slate, pool ratings, audit and comparison.

    Attributes
    ----------
    opinions, pool : Opinions, Pool
    k : int
    rater, generator : str
    seed : int
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

    References
    ----------
    .. [1] S. Fish et al., 'Generative Social Choice', arXiv:2309.01291 (2023), §3 (BJR)
       and §5 (the pilot's representation levels).

    Examples
    --------
    >>> from socialchoice.generative import read_opinions
    >>> class Toy:  # counts "yes" and "no"; stands in for a sentence model
    ...     def encode(self, texts):
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
    seed: int
    question: str | None
    pool_utilities: np.ndarray
    slate: Slate
    baselines: dict[str, Slate]
    violations: list[BJRViolation]
    comparison: pd.DataFrame

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


def _rate_pool(rater: Any, n: int, pool: Pool, batch: int, progress: ProgressFn) -> np.ndarray:
    agents = list(range(n))
    parts = []
    for start in range(0, len(pool), batch):
        chunk = list(pool.statements[start : start + batch])
        parts.append(np.asarray(rater.rate(agents, chunk), dtype=np.float64))
        done = min(start + batch, len(pool))
        progress(done / len(pool), f"rating statements {done}/{len(pool)}")
    return np.hstack(parts)


def _embed(embedder: Any, texts: Sequence[str], progress: Callable[[float], Any]) -> np.ndarray:
    """``embedder.encode(texts)`` as floats, reporting progress when the embedder can."""
    try:
        takes_progress = "progress" in inspect.signature(embedder.encode).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        takes_progress = False
    if takes_progress:
        vectors = embedder.encode(list(texts), progress=lambda done, total: progress(done / total))
    else:
        vectors = embedder.encode(list(texts))
    return np.asarray(vectors, dtype=np.float64)


def _check_options(opinions: Opinions, k: int, rater: str, generator: str, chat_model: Any) -> None:
    n = len(opinions)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= n:
        raise GenerativeError(
            f"The slate size k must be an int in [1, {n}] (the number of participants in "
            f"{opinions.name}). Got {k!r} instead."
        )
    if rater not in SLATE_RATERS or generator not in SLATE_GENERATORS:
        raise GenerativeError(
            f"rater must be one of {list(SLATE_RATERS)} and generator one of "
            f"{list(SLATE_GENERATORS)}. Got {rater!r} and {generator!r} instead."
        )
    if chat_model is None and "llm" in (rater, generator):
        raise GenerativeError(
            f"The 'chat_model' parameter of build_slate must be a loaded chat model (e.g. "
            f"lm.load_chat_model()) when rater={rater!r} and generator={generator!r}. "
            "Got None instead."
        )


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
    seed: int = 0,
    progress: ProgressFn | None = None,
    improve: bool = True,
) -> SlateRun:
    """Rate the pool, build the slate, audit it for BJR and compare it with the baselines.

    Parameters
    ----------
    opinions : Opinions
        The participants (agents ``0..n-1`` in this order) and their opinions.
    k : int
        Slate size, in ``[1, n]``.
    embedder : object with ``encode(texts)``
        A loaded sentence embedder (e.g. ``lm.load_embedder()``); always needed, for the
        k-means baseline and the embedding rater. ``encode`` may take a
        ``progress(done, total)`` keyword.
    pool : Pool, optional
        Candidate statements; default: the distinct opinions themselves
        (:func:`~socialchoice.generative.pool_from_opinions`).
    rater : {"embedding", "llm"}
        :class:`~socialchoice.generative.EmbeddingRater` or
        :class:`~socialchoice.generative.LLMRater`.
    generator : {"pool", "llm"}
        The exact :class:`~socialchoice.generative.PoolGenerator` over the rated pool, or
        :class:`~socialchoice.generative.LLMGenerator` (writes new statements; the pool
        statements stay candidates).
    chat_model : object, optional
        A loaded chat model (e.g. ``lm.load_chat_model()``); needed when ``rater`` or
        ``generator`` is ``"llm"``.
    question : str, optional
        The question the opinions answer (shown to the language model).
    seed : int
        Seeds the language model's sampling and k-means.
    progress : callable, optional
        ``progress(done, what)`` with ``done`` in [0, 1].
    improve : bool
        Re-match and improve the slate after the rounds
        (:func:`~socialchoice.generative.improve_slate`, never adding a BJR violation); when
        it swapped statements, the rounds' own slate stays in the comparison as
        ``"generative (greedy)"``.

    Returns
    -------
    SlateRun

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
    ...     def encode(self, texts):
    ...         v = np.array([[t.count("yes") + 0.1, t.count("no") + 0.1] for t in texts])
    ...         return v / np.linalg.norm(v, axis=1, keepdims=True)
    >>> ops = read_opinions(b"opinion\\nyes yes\\nyes\\nno no\\nno\\n")
    >>> run = build_slate(ops, 2, embedder=Toy())
    >>> run.slate_frame()[["slot", "statement", "group_size"]]
       slot statement  group_size
    0     1   yes yes           2
    1     2     no no           2
    >>> run.violations, list(run.comparison.index)[:2]
    ([], ['generative', 'top_mean'])
    """
    _check_options(opinions, k, rater, generator, chat_model)
    n = len(opinions)
    report: ProgressFn = progress or (lambda done, what: None)
    pool = pool if pool is not None else pool_from_opinions(opinions)
    # shares of the progress bar: rating ends at `rated`, the rounds at `built`
    rated, built = (0.6, 0.7) if generator == "pool" else (0.35, 0.9)
    embeddings = _embed(
        embedder, opinions.texts, lambda done: report(0.15 * done, "embedding the opinions")
    )
    if rater == "embedding":
        oracle: Any = EmbeddingRater(embedder, list(opinions.texts))
    else:
        oracle = LLMRater(chat_model, list(opinions.texts), question=question)
    U = _rate_pool(
        oracle,
        n,
        pool,
        batch=32 if rater == "embedding" else 1,
        progress=lambda done, what: report(0.15 + (rated - 0.15) * done, what),
    )
    pool_oracle = PoolGenerator(pool.statements, U, scale=oracle.scale)

    def rounds(done: int, total: int) -> None:
        report(rated + (built - rated) * done / total, f"round {done}/{total}")

    report(rated, f"round 0/{k}")
    if generator == "pool":
        slate = generate_slate(n, k, pool_oracle, pool_oracle, rng=seed, progress=rounds)
    else:
        writer = LLMGenerator(
            chat_model, list(opinions.texts), oracle, question=question, pool=pool.statements
        )
        slate = generate_slate(n, k, oracle, writer, rng=seed, progress=rounds)
    baselines: dict[str, Slate] = {}
    if k <= len(pool):
        baselines = baseline_slates(
            pool.statements,
            U,
            k,
            opinion_embeddings=embeddings,
            rng=seed,
            progress=lambda done, total, name: report(
                built + (1 - built) * done / total, f"baseline {name}"
            ),
        )
    cache: dict[str, np.ndarray] = {}
    greedy = {"generative (greedy)": slate} if improve else {}
    if improve:
        R = rate_slates(greedy, U, pool.statements, oracle, cache)["generative (greedy)"]
        slate = improve_slate(slate, U, k, statements=pool.statements, ratings=R)
        if slate.statements == greedy["generative (greedy)"].statements:
            greedy = {}  # the improvement re-matched at most: the matched comparison is the same
    slates = {"generative": slate, **baselines, **greedy}
    ratings = rate_slates(slates, U, pool.statements, oracle, cache)
    comparison = compare_slates(U, slates, k, oracle.scale, ratings=ratings)
    violations = bjr_violations(U, slate.utilities, k)
    report(1.0, "done")
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
    )
