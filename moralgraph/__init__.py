"""The moral graph of values (Democratic Fine-Tuning; Klingefjord, Lowe & Edelman 2024).

Participants articulate *value cards* (:class:`ValueCard`: a title, a description and the
attentional policies) and judge, *in a context* (:class:`Context`), whether moving from one
value to another is a gain in wisdom (:class:`WiserVote`, verdict in :data:`VERDICTS`). A
:class:`MoralGraph` holds cards, contexts and votes, validated together (errors are
:class:`MoralGraphError`, a ``ValueError``); it is built from objects, from pandas tables
(:meth:`MoralGraph.from_frames`) or from JSON in a versioned schema
(:meth:`MoralGraph.to_json` / :meth:`MoralGraph.from_json`). The aggregation Γ scores the
values: :meth:`MoralGraph.scores` with ``method="flow"`` (per-context flow with Bayesian
edge weights and a ``propagation`` parameter) or ``method="mai"`` (the Meaning Alignment
Institute's published scoring, exactly), :meth:`MoralGraph.edge_summary`,
:meth:`MoralGraph.wisest`, :meth:`MoralGraph.support_level`, :meth:`MoralGraph.legitimacy`;
:meth:`MoralGraph.merge_values` merges duplicate cards and :meth:`MoralGraph.plot` draws the
graph; :func:`simulate` draws deliberations with a known latent wisdom (:func:`simulate_votes`
on given cards), and :func:`load_demo` loads the shipped demo deliberation
(``data/moralgraph_demo``). The formulas are in docs/reference.md §7.
Importing the package loads neither pandas nor torch.

>>> from moralgraph import MoralGraph, ValueCard, WiserVote
>>> cards = [ValueCard("comfort", "Comfort", "Soothe first.", ["how the person feels"]),
...          ValueCard("agency", "Agency", "Help them act.", ["what they can do next"])]
>>> votes = [WiserVote("ann", "comfort", "agency", "distress", "wiser"),
...          WiserVote("bob", "comfort", "agency", "distress", "not_wiser")]
>>> g = MoralGraph(cards, votes)
>>> g
MoralGraph(2 values, 2 votes, 1 contexts)
>>> MoralGraph.from_json(g.to_json()) == g
True
"""

from ._demo import load_demo
from ._errors import MoralGraphError
from ._graph import MoralGraph
from ._llm import Articulation, Deduplication, articulate_value, dedupe_values, to_preference_pairs
from ._mai_json import read_mai_json
from ._merge import Merge
from ._model import VERDICTS, Context, ValueCard, WiserVote
from ._read import read_graph
from ._report import ContextScores, ScoreReport, principles_report, score_report
from ._simulate import Simulation, simulate, simulate_votes
from ._targets import suggest_pairs

__all__ = [
    "VERDICTS",
    "Articulation",
    "Context",
    "ContextScores",
    "Deduplication",
    "Merge",
    "MoralGraph",
    "MoralGraphError",
    "ScoreReport",
    "Simulation",
    "ValueCard",
    "WiserVote",
    "articulate_value",
    "dedupe_values",
    "load_demo",
    "principles_report",
    "read_graph",
    "read_mai_json",
    "score_report",
    "simulate",
    "simulate_votes",
    "suggest_pairs",
    "to_preference_pairs",
]
