"""The work of one :func:`~socialchoice.generative.build_slate` call, for progress and warnings.

:func:`slate_work` lists the stages a slate build goes through (embedding the opinions,
rating the candidates, each round — for a language-model generator: writing each round's
candidate statements, then rating them — and the baselines) with an estimated cost in work
units. :func:`~socialchoice.generative.build_slate` reports ``progress(done, total)`` in these
units; a front end shows :meth:`SlateWork.describe` beside its bar and
:meth:`SlateWork.warnings` before a slow build.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

from _common.progress import Progress, report

from ._baselines import BASELINE_RULES
from ._opinions import Opinions, Pool
from ._slate import round_sizes

__all__ = ["SlateWork", "Stage", "slate_work"]

#: Estimated cost units: one text embedded, one prompt scored by the language model, and one
#: statement written by it (up to 64 new tokens, each a forward pass with a cache).
EMBED_UNIT, SCORE_UNIT, WRITE_UNIT = 1, 1, 20


@dataclass(frozen=True)
class Stage:
    """One stage of a slate build: a key, what it does (for a progress bar) and its cost.

    Attributes
    ----------
    key : tuple
        ``("embed",)``, ``("rate",)``, ``("round", j)``, ``("write", j)``, ``("judge", j)``
        or ``("baselines",)``; ``j`` counts rounds from 0.
    label : str
        What runs, e.g. ``"round 2 of 5: writing candidate statements"``.
    units : int
        Estimated cost in work units (at least 1).
    model_calls : int
        Language-model calls it makes (0 without a language model).

    Examples
    --------
    >>> Stage(("embed",), "embedding the opinions", 120, 0).units
    120
    """

    key: tuple[Hashable, ...]
    label: str
    units: int
    model_calls: int = 0


@dataclass(frozen=True)
class SlateWork:
    """The stages of one slate build, with their costs, and the warnings to show before it.

    Attributes
    ----------
    stages : tuple of Stage
    n, candidates, k, n_candidates : int
        Participants, candidate statements, slate size, statements written per round.
    rater, generator : str

    Examples
    --------
    >>> from socialchoice.generative import Opinions
    >>> ops = Opinions(("a", "b", "c"), ("Yes.", "No.", "Maybe."), "ops.csv")
    >>> work = slate_work(ops, 2)
    >>> work.total, work.describe(0), work.describe(work.total)
    (14, 'embedding the opinions', 'done')
    >>> work.warnings()
    []
    """

    stages: tuple[Stage, ...]
    n: int
    candidates: int
    k: int
    rater: str
    generator: str
    n_candidates: int

    @property
    def total(self) -> int:
        """All work units."""
        return sum(s.units for s in self.stages)

    @property
    def model_calls(self) -> int:
        """Estimated language-model calls (0 without a language model)."""
        return sum(s.model_calls for s in self.stages)

    def offset(self, key: tuple[Hashable, ...]) -> tuple[int, int]:
        """Units done before the stage ``key`` starts, and the stage's units."""
        start = 0
        for s in self.stages:
            if s.key == key:
                return start, s.units
            start += s.units
        raise KeyError(key)

    def describe(self, done: int) -> str:
        """What runs when ``done`` units are done (``"done"`` at the end)."""
        start = 0
        for s in self.stages:
            start += s.units
            if done < start:
                return s.label
        return "done"

    def warnings(self) -> list[str]:
        """Why this build may be slow, for the user to read before starting it."""
        out = []
        if self.rater == "llm":
            out.append(
                f"Slow: the language model rates each of the {self.n} × {self.candidates} "
                "participant–statement pairs (asked twice, scale reversed). The small local "
                "model (SmolLM2-135M) is near chance at this; a bigger model behind "
                "LM_BASE_URL rates in earnest."
            )
        if self.generator == "llm":
            written = self.k * self.n_candidates
            rating = (
                f"; rating them takes about {self.model_calls - written} more model calls"
                if self.rater == "llm"
                else ""
            )
            out.append(
                f"Slow: the language model writes {self.n_candidates} candidate statements "
                f"in each of the {self.k} rounds ({written} statements of up to 64 tokens "
                f"each{rating}). With the small local model on a CPU this takes minutes."
            )
        return out


def _round_stages(n: int, k: int, rater: str, generator: str, n_candidates: int) -> list[Stage]:
    if generator == "pool":
        return [Stage(("round", j), f"round {j + 1} of {k}", 1) for j in range(k)]
    stages = []
    remaining = n
    for j, r in enumerate(round_sizes(n, k)):
        pairs = remaining * n_candidates
        calls = 2 * pairs if rater == "llm" else 0
        stages += [
            Stage(
                ("write", j),
                f"round {j + 1} of {k}: writing candidate statements",
                max(1, WRITE_UNIT * n_candidates),
                n_candidates,
            ),
            Stage(
                ("judge", j),
                f"round {j + 1} of {k}: rating the written statements",
                max(1, SCORE_UNIT * calls if calls else n_candidates),
                calls,
            ),
        ]
        remaining -= r
    return stages


def slate_work(
    opinions: Opinions,
    k: int,
    *,
    pool: Pool | None = None,
    rater: str = "embedding",
    generator: str = "pool",
    n_candidates: int = 4,
) -> SlateWork:
    """The stages of ``build_slate(opinions, k, pool=pool, rater=rater, generator=generator)``.

    Costs are estimates in work units: one text embedded, one prompt scored by the language
    model (each rating asks twice), twenty for a statement the model writes.

    Parameters
    ----------
    opinions : Opinions
    k : int
        Slate size (not checked here; :func:`build_slate` checks it).
    pool : Pool, optional
        Candidate statements; default the distinct opinions.
    rater, generator : str
        As for :func:`build_slate`.
    n_candidates : int
        Statements the language model writes per round.

    Returns
    -------
    SlateWork

    Examples
    --------
    >>> from socialchoice.generative import Opinions
    >>> ops = Opinions(tuple("abcd"), ("Yes.", "No.", "Yes!", "No!"), "ops.csv")
    >>> work = slate_work(ops, 2, generator="llm")
    >>> [s.label for s in work.stages][2:4]
    ['round 1 of 2: writing candidate statements', 'round 1 of 2: rating the written statements']
    >>> work.warnings()[0].startswith("Slow: the language model writes 4 candidate statements")
    True
    """
    n = len(opinions)
    candidates = len(pool) if pool is not None else len(set(opinions.texts))
    pairs = n * candidates
    rating = Stage(
        ("rate",),
        f"rating {candidates} candidate statements for {n} participants",
        max(1, 2 * SCORE_UNIT * pairs if rater == "llm" else EMBED_UNIT * candidates),
        2 * pairs if rater == "llm" else 0,
    )
    stages = [Stage(("embed",), "embedding the opinions", max(1, EMBED_UNIT * n)), rating]
    stages += _round_stages(n, k, rater, generator, n_candidates)
    if 1 <= k <= candidates:
        stages.append(Stage(("baselines",), "baseline slates", len(BASELINE_RULES) + 2))
    return SlateWork(tuple(stages), n, candidates, k, rater, generator, n_candidates)


class Meter:
    """Turns each stage's own ``(done, total)`` into overall progress in :class:`SlateWork` units.

    Reports never go backwards; :meth:`finish` completes a stage (a stage may do less work
    than estimated).

    Examples
    --------
    >>> from socialchoice.generative import Opinions
    >>> seen = []
    >>> meter = Meter(slate_work(Opinions(("a",), ("Yes.",), "o"), 1), lambda d, t: seen.append(d))
    >>> meter.at(("embed",))(1, 2); meter.finish(("rate",))
    >>> seen
    [0, 2]
    """

    def __init__(self, work: SlateWork, progress: Progress) -> None:
        self.work = work
        self.progress = progress
        self.done = 0

    def _move(self, value: int) -> None:
        if value > self.done or value == 0:
            self.done = max(self.done, value)
            report(self.progress, self.done, self.work.total)

    def at(self, key: tuple[Hashable, ...]) -> Callable[[int, int], None]:
        """A ``progress(done, total)`` callback for the stage ``key``."""
        start, units = self.work.offset(key)

        def progress(done: int, total: int) -> None:
            self._move(start + (units * min(done, total)) // max(total, 1))

        return progress

    def finish(self, key: tuple[Hashable, ...]) -> None:
        """Mark the stage ``key`` (and every stage before it) done."""
        start, units = self.work.offset(key)
        self._move(start + units)
