"""Generative social choice: proportional slates of statements from oracle queries.

Fish et al.'s algorithm (:func:`generate_slate`) builds a slate of ``k`` statements round
by round, asking a :class:`Generator` for the statement that the ``r``-th most satisfied of
the remaining agents likes best and a :class:`Rater` for how much each agent likes it.
With the exact oracle :class:`PoolGenerator` (a finite pool with known utilities) the slate
satisfies balanced justified representation, which :func:`bjr_violations` audits. Baseline
slates (top-k by mean, committee rules, k-means) and :func:`compare_slates` put a slate next
to the alternatives. :func:`build_slate` runs the whole pipeline on free-text opinions read
by :func:`read_opinions` (and candidate statements read by :func:`read_pool`): it rates,
builds, audits and compares, for ``collective slate`` and the app's Slate page.

References
----------
.. [1] S. Fish, P. Gölz, D. C. Parkes, A. D. Procaccia, G. Rusak, I. Shapira and
   M. Wüthrich, 'Generative Social Choice', arXiv:2309.01291 (2023).

Examples
--------
>>> from socialchoice.generative import PoolGenerator, bjr_violations, generate_slate
>>> U = [[6, 0, 3], [5, 1, 3], [0, 6, 3], [1, 5, 3]]
>>> pool = PoolGenerator(["left", "right", "middle"], U)
>>> slate = generate_slate(4, 2, rater=pool, generator=pool)
>>> slate.statements
('left', 'right')
>>> bjr_violations(U, slate.utilities, 2)
[]
"""

from ._baselines import (
    BASELINE_RULES,
    balanced_assignment,
    baseline_slates,
    committee_slate,
    kmeans_slate,
    top_mean_slate,
)
from ._bjr import BJRViolation, bjr_violations
from ._calibration import fit_calibration
from ._cf_rater import VoteRater, agree_probabilities, complete_votes, vote_utilities
from ._compare import (
    PILOT_REPRESENTATION,
    REPRESENTATION_LEVELS,
    compare_slates,
    representation_levels,
)
from ._improve import improve_slate
from ._matching import matched_utilities, rematch, slate_ratings
from ._opinions import DEMO_FOLDER, Opinions, Pool, pool_from_opinions, read_opinions, read_pool
from ._pipeline import SLATE_GENERATORS, SLATE_RATERS, SlateRun, build_slate, collect_warnings
from ._pool import PoolGenerator
from ._protocols import Embedder, Generator, Rater
from ._raters import EmbeddingRater, GenerationRecord, LLMGenerator, LLMRater
from ._slate import Slate, SlateRound, generate_slate, round_sizes
from ._validation import (
    RaterValidation,
    binary_metrics,
    hide_votes,
    majority_baseline,
    validate_rater,
)
from ._work import SlateWork, slate_work

__all__ = [
    "BASELINE_RULES",
    "DEMO_FOLDER",
    "PILOT_REPRESENTATION",
    "REPRESENTATION_LEVELS",
    "SLATE_GENERATORS",
    "SLATE_RATERS",
    "BJRViolation",
    "Embedder",
    "EmbeddingRater",
    "GenerationRecord",
    "Generator",
    "LLMGenerator",
    "LLMRater",
    "Opinions",
    "Pool",
    "PoolGenerator",
    "Rater",
    "RaterValidation",
    "Slate",
    "SlateRound",
    "SlateRun",
    "SlateWork",
    "VoteRater",
    "agree_probabilities",
    "balanced_assignment",
    "baseline_slates",
    "binary_metrics",
    "bjr_violations",
    "build_slate",
    "collect_warnings",
    "committee_slate",
    "compare_slates",
    "complete_votes",
    "fit_calibration",
    "generate_slate",
    "hide_votes",
    "improve_slate",
    "kmeans_slate",
    "majority_baseline",
    "matched_utilities",
    "pool_from_opinions",
    "read_opinions",
    "read_pool",
    "rematch",
    "representation_levels",
    "round_sizes",
    "slate_ratings",
    "slate_work",
    "top_mean_slate",
    "validate_rater",
    "vote_utilities",
]
