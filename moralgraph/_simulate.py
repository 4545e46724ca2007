"""A population simulator for moral graphs, with ground truth (latent wisdom per context).

Used by tests and benchmarks to ask whether an aggregation finds the truly wisest value.
pandas is imported when :func:`simulate` runs, not when this module is imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from _common.validation import check_float, check_int, check_probability, check_rng, show

from ._errors import MoralGraphError
from ._graph import MoralGraph
from ._model import Context, ValueCard, WiserVote

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Simulation", "simulate"]

_FUNC = "simulate"


@dataclass(frozen=True, eq=False)
class Simulation:
    """A simulated deliberation and the ground truth it was drawn from.

    Parameters
    ----------
    graph : MoralGraph
        The value cards, contexts and votes.
    wisdom : pandas.DataFrame
        The latent wisdom: one row per value id (in the graph's order), one column per
        context id; larger is wiser.

    Examples
    --------
    >>> from moralgraph._simulate import simulate
    >>> sim = simulate(n_values=4, contexts=1, n_participants=5, votes_per_participant=2, rng=1)
    >>> sim.truth("c0") == (str(sim.wisdom["c0"].idxmax()),)
    True
    """

    graph: MoralGraph
    wisdom: pd.DataFrame

    def truth(self, context: str) -> tuple[str, ...]:
        """The id(s) of the truly wisest value in ``context`` (several only on an exact tie).

        Raises
        ------
        MoralGraphError
            ``context`` is not one of the simulation's context ids.
        """
        if not isinstance(context, str) or context not in self.wisdom.columns:
            known = ", ".join(map(repr, self.wisdom.columns[:10]))
            raise MoralGraphError(
                f"The 'context' parameter of Simulation.truth must be a context id of the "
                f"simulation ({known}). Got {show(context)} instead."
            )
        column = self.wisdom[context]
        return tuple(str(v) for v in column.index[column.to_numpy() == column.max()])


def _check(
    n_values: Any, contexts: Any, n_participants: Any, votes_per_participant: Any,
    noise: Any, unsure_rate: Any,
) -> tuple[int, int, int, int, float, float]:
    """The parameters of :func:`simulate`, checked (errors name the parameter)."""
    n = check_int(n_values, "n_values", _FUNC, 2, error=MoralGraphError)
    c = check_int(contexts, "contexts", _FUNC, 1, error=MoralGraphError)
    p = check_int(n_participants, "n_participants", _FUNC, 1, error=MoralGraphError)
    k = check_int(
        votes_per_participant, "votes_per_participant", _FUNC, 0, n * (n - 1),
        error=MoralGraphError,
    )
    sigma = check_float(noise, "noise", _FUNC, 0.0, error=MoralGraphError)
    u = check_probability(unsure_rate, "unsure_rate", _FUNC, error=MoralGraphError)
    return n, c, p, k, sigma, u


def _pairs(
    n: int, p: int, k: int, rng: np.random.Generator
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """``k`` distinct ordered pairs ``(a, b)``, ``a != b``, per participant, as flat arrays."""
    codes = np.empty((p, k), dtype=np.intp)
    for i in range(p):  # one draw per participant: distinct pairs without replacement
        codes[i] = rng.choice(n * (n - 1), size=k, replace=False)
    a, r = np.divmod(codes.ravel(), n - 1)
    return a, r + (r >= a)  # skip the diagonal: b ranges over the values other than a


def _verdicts(
    gap: NDArray[np.float64], sigma: float, u: float, rng: np.random.Generator
) -> NDArray[np.str_]:
    """Thurstone Case V verdicts for latent gaps ``gap = w_B - w_A``, with "unsure" draws."""
    perceived = gap + sigma * np.sqrt(2.0) * rng.standard_normal(gap.size)
    closeness = np.exp(-0.5 * (gap / sigma) ** 2) if sigma > 0 else np.zeros(gap.size)
    unsure = rng.random(gap.size) < u + (1.0 - u) * u * closeness
    return np.where(unsure, "unsure", np.where(perceived > 0, "wiser", "not_wiser"))


def _graph(
    n: int, c: int, p: int, k: int,
    draws: tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.int64], NDArray[np.str_]],
) -> MoralGraph:
    """The generated cards and contexts, and the votes ``(a, b, context, verdict)`` drawn."""
    a, b, ctx, verdicts = draws
    value_ids = [f"v{i}" for i in range(n)]
    context_ids = [f"c{j}" for j in range(c)]
    people = [f"p{q}" for q in range(p)]
    cards = [
        ValueCard(
            value_ids[i], f"Value {i}", f"Simulated value {i}.",
            (f"attends to A{i}", f"attends to B{i}"), tuple(people[i::n]),
        )
        for i in range(n)
    ]
    voters = np.repeat(np.arange(p), k)
    votes = [
        WiserVote(people[q], value_ids[x], value_ids[y], context_ids[j], str(v))
        for q, x, y, j, v in zip(
            voters.tolist(), a.tolist(), b.tolist(), ctx.tolist(), verdicts.tolist(),
            strict=True,
        )
    ]
    return MoralGraph(cards, votes, [Context(context_ids[j], f"Context {j}") for j in range(c)])


def simulate(
    n_values: int = 20,
    contexts: int = 3,
    n_participants: int = 100,
    votes_per_participant: int = 10,
    *,
    noise: float = 1.0,
    unsure_rate: float = 0.1,
    rng: np.random.Generator | int | None = None,
) -> Simulation:
    r"""Simulate a deliberation: value cards with latent wisdom and participants' noisy votes.

    **Values.** Value ``i`` has id ``"v{i}"``, title ``"Value {i}"``, a generated description
    and the policies ``("attends to A{i}", "attends to B{i}")``. Its latent wisdom in context
    ``j`` (id ``"c{j}"``, text ``"Context {j}"``) is
    :math:`w_{ij} = (g_i + e_{ij}) / \sqrt{2}` with :math:`g_i, e_{ij}` independent standard
    normals: each column is standard normal and a value's wisdom in two contexts has
    correlation ½ (a value wise in one context tends to be wise in others).

    **Participants.** Participant ``"p{k}"`` authors card ``k mod n_values`` (its
    ``authors``; with fewer participants than values some cards have no author). Each casts
    ``votes_per_participant`` votes on *distinct* ordered pairs ``(A, B)``, ``A != B``, drawn
    uniformly without replacement (one vote per participant and ordered pair, so the graph
    replaces none), each in a context drawn uniformly.

    **Verdicts** (Thurstone 1927, Case V). With :math:`d = w_B - w_A` in the vote's context
    and :math:`\sigma` = ``noise``, the participant perceives each value's wisdom with
    independent :math:`N(0, \sigma^2)` error and says "wiser" if B is perceived above A,
    i.e. with probability :math:`\Phi(d / (\sigma\sqrt{2}))`, else "not_wiser"; with
    ``noise=0`` every verdict follows the latent order. Independently the verdict is
    "unsure" with probability :math:`u + (1 - u)\,u\,e^{-d^2 / (2\sigma^2)}`, ``u`` =
    ``unsure_rate``: ``u`` for values far apart, up to :math:`u(2 - u)` for values equally
    wise (exactly ``u`` when ``noise=0``; never when ``u=0``).

    Parameters
    ----------
    n_values : int, default 20
        Number of value cards, at least 2.
    contexts : int, default 3
        Number of contexts, at least 1.
    n_participants : int, default 100
        Number of participants, at least 1.
    votes_per_participant : int, default 10
        Votes per participant, in [0, n_values·(n_values − 1)].
    noise : float, default 1.0
        The scale σ ≥ 0 of the perception error (the latent wisdom has scale 1).
    unsure_rate : float, default 0.1
        The base probability ``u`` in [0, 1] of an "unsure" verdict.
    rng : numpy.random.Generator, int or None
        The randomness; the same seed gives the same simulation.

    Returns
    -------
    Simulation
        ``graph`` (n_values cards, n_participants·votes_per_participant votes, the contexts)
        and ``wisdom`` (values × contexts DataFrame); ``truth(context)`` names the wisest.

    Raises
    ------
    MoralGraphError
        A parameter of the wrong type or out of range (the message names it).

    References
    ----------
    Klingefjord, O., Lowe, R. and Edelman, J. (2024). What are human values, and how do we
    align AI to them? arXiv:2404.10636.
    Thurstone, L. L. (1927). A law of comparative judgment. Psychological Review 34, 273–286.

    Examples
    --------
    >>> from moralgraph._simulate import simulate
    >>> sim = simulate(n_values=5, contexts=2, n_participants=10, votes_per_participant=3,
    ...                rng=0)
    >>> sim.graph
    MoralGraph(5 values, 30 votes, 2 contexts)
    >>> sim.wisdom.shape, sim.graph.values[3].policies
    ((5, 2), ('attends to A3', 'attends to B3'))
    >>> len(sim.truth("c0"))
    1
    >>> simulate(noise=-1)
    Traceback (most recent call last):
    ...
    moralgraph._errors.MoralGraphError: The 'noise' parameter of simulate must be a float ...
    """
    n, c, p, k, sigma, u = _check(
        n_values, contexts, n_participants, votes_per_participant, noise, unsure_rate
    )
    gen = check_rng(rng, _FUNC, error=MoralGraphError)
    import pandas as pd

    wisdom = (gen.standard_normal((n, 1)) + gen.standard_normal((n, c))) / np.sqrt(2.0)
    a, b = _pairs(n, p, k, gen)
    ctx = gen.integers(c, size=a.size)
    verdicts = _verdicts(wisdom[b, ctx] - wisdom[a, ctx], sigma, u, gen)
    graph = _graph(n, c, p, k, (a, b, ctx, verdicts))
    value_ids = [card.id for card in graph.values]
    context_ids = [context.id for context in graph.contexts]
    frame = pd.DataFrame(wisdom, index=pd.Index(value_ids, name="value"),
                         columns=pd.Index(context_ids, name="context"))
    return Simulation(graph=graph, wisdom=frame)
