"""A population simulator for moral graphs, with ground truth (latent wisdom per context).

Used by tests and benchmarks to ask whether an aggregation finds the truly wisest value.
:func:`simulate` generates the cards and their latent wisdom; :func:`simulate_votes` takes
given cards and a given latent wisdom (the demo deliberation ``data/moralgraph_demo`` is
built with it) and draws the votes the same way. pandas is imported when they run, not when
this module is imported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from _common.validation import (
    check_float,
    check_int,
    check_probability,
    check_rng,
    parameter_error,
    show,
)

from ._errors import MoralGraphError
from ._graph import MoralGraph
from ._model import Context, ValueCard, WiserVote

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Simulation", "simulate", "simulate_votes"]

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


def _wisdom_frame(cards: Any, wisdom: Any, func: str) -> pd.DataFrame:
    """``wisdom`` as a values × contexts float frame in the cards' order (NaN: not judged)."""
    import pandas as pd

    if isinstance(cards, ValueCard | str) or not isinstance(cards, Sequence):
        raise parameter_error("cards", func, "a sequence of ValueCard", cards, MoralGraphError)
    for i, card in enumerate(cards):
        if not isinstance(card, ValueCard):
            raise parameter_error("cards", func, f"a sequence of ValueCard; item {i} is not",
                                  card, MoralGraphError)
    ids = [card.id for card in cards]
    if isinstance(wisdom, Mapping):
        wisdom = pd.DataFrame({str(c): pd.Series(col, dtype=object) for c, col in wisdom.items()})
    if not isinstance(wisdom, pd.DataFrame):
        raise parameter_error("wisdom", func, "a DataFrame or a mapping context -> "
                              "{value id: wisdom}", wisdom, MoralGraphError)
    missing = [v for v in ids if v not in wisdom.index]
    extra = [v for v in wisdom.index if v not in set(ids)]
    if missing or extra:
        raise MoralGraphError(
            f"The 'wisdom' parameter of {func} must have one row per card id; "
            + (f"card {missing[0]!r} has none." if missing else f"{extra[0]!r} is no card.")
        )
    frame = wisdom.loc[ids].apply(pd.to_numeric, errors="coerce").astype(np.float64)
    given = wisdom.loc[ids].notna().to_numpy()
    bad = np.isinf(frame.to_numpy()) | (frame.isna().to_numpy() & given)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise MoralGraphError(
            f"The 'wisdom' parameter of {func} must hold finite numbers or None/NaN (not "
            f"judged in the context). Got {show(wisdom.loc[ids].iat[i, j])} for value "
            f"{ids[i]!r} in context {str(frame.columns[j])!r} instead."
        )
    frame.index = pd.Index(ids, name="value")
    frame.columns = pd.Index([str(c) for c in frame.columns], name="context")
    return frame


def _context_pairs(
    frame: pd.DataFrame, p: int, k: int, rng: np.random.Generator
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.int64]]:
    """``k`` votes per participant: a context drawn uniformly among those with pairs left,
    then an ordered pair of values judged there, distinct per participant over contexts."""
    eligible = [np.flatnonzero(frame[c].notna().to_numpy()) for c in frame.columns]
    pairs = [[(int(a), int(b)) for a in e for b in e if a != b] for e in eligible]
    a_out, b_out, c_out = [], [], []
    for _ in range(p):
        used: set[tuple[int, int]] = set()
        for _ in range(k):
            left = [[q for q in ps if q not in used] for ps in pairs]
            open_ = [j for j, ps in enumerate(left) if ps]
            j = open_[int(rng.integers(len(open_)))]
            pair = left[j][int(rng.integers(len(left[j])))]
            used.add(pair)
            a_out.append(pair[0])
            b_out.append(pair[1])
            c_out.append(j)
    return (np.asarray(a_out, dtype=np.intp), np.asarray(b_out, dtype=np.intp),
            np.asarray(c_out, dtype=np.int64))


def simulate_votes(
    cards: Sequence[ValueCard],
    wisdom: pd.DataFrame | Mapping[str, Mapping[str, float | None]],
    contexts: Sequence[Context] | None = None,
    n_participants: int = 50,
    votes_per_participant: int = 8,
    *,
    noise: float = 1.0,
    unsure_rate: float = 0.1,
    rng: np.random.Generator | int | None = None,
) -> Simulation:
    r"""Simulated votes on given value cards, from a latent wisdom given per card and context.

    The counterpart of :func:`simulate` for hand-written deliberations (the demo data set
    ``data/moralgraph_demo`` is built with it): the cards, contexts and latent wisdom are
    yours; the participants ``"p0"``, ``"p1"``, ... and their votes are simulated. A value
    whose wisdom in a context is missing (None or NaN) is *not judged* there: no vote in
    that context involves it.

    **Pairs.** Each participant casts ``votes_per_participant`` votes on distinct ordered
    pairs (one vote per participant and ordered pair, whatever the context, so the graph
    replaces none). For each vote a context is drawn uniformly among the contexts where the
    participant still has an unjudged pair, then an ordered pair ``(A, B)`` uniformly among
    that context's unjudged pairs of values judged there.

    **Verdicts** exactly as in :func:`simulate` (Thurstone Case V with ``noise`` σ, and
    "unsure" with probability :math:`u + (1 - u)\,u\,e^{-d^2 / (2\sigma^2)}`), with
    :math:`d = w_B - w_A` in the vote's context. Cards keep their ``authors`` and
    ``context`` as given.

    Parameters
    ----------
    cards : sequence of ValueCard
        The value cards (distinct ids).
    wisdom : pandas.DataFrame or mapping
        The latent wisdom: a frame with one row per card id and one column per context id,
        or a mapping ``{context id: {card id: wisdom or None}}``; larger is wiser.
    contexts : sequence of Context, optional
        The contexts (their texts), in order; default: the wisdom's columns, text = id.
    n_participants : int, default 50
        At least 1.
    votes_per_participant : int, default 8
        At least 0 and at most the number of distinct ordered pairs judged in some context.
    noise, unsure_rate, rng
        As in :func:`simulate`.

    Returns
    -------
    Simulation
        The graph (the cards, the contexts, the votes in voting order: participant by
        participant) and ``wisdom`` (the latent wisdom as a float frame, NaN where a value
        is not judged).

    Raises
    ------
    MoralGraphError
        Not a card list, a wisdom table without a row for a card (or with a row for no
        card), a non-numeric or infinite wisdom, contexts that are not the wisdom's
        columns, or a parameter out of range (the message names it).

    Examples
    --------
    >>> from moralgraph import Context, ValueCard
    >>> cards = [ValueCard("comfort", "Comfort", "", ["how they feel"]),
    ...          ValueCard("agency", "Agency", "", ["next steps"]),
    ...          ValueCard("truth", "Truth", "", ["facts they avoid"])]
    >>> wisdom = {"distress": {"comfort": 1.0, "agency": 0.0, "truth": None},
    ...           "verdict": {"comfort": -1.0, "agency": 0.5, "truth": 1.0}}
    >>> sim = simulate_votes(cards, wisdom, n_participants=20, votes_per_participant=2,
    ...                      noise=0.5, rng=0)
    >>> sim.graph, sim.truth("distress"), sim.truth("verdict")
    (MoralGraph(3 values, 40 votes, 2 contexts), ('comfort',), ('truth',))
    >>> any(v.context == "distress" and "truth" in (v.from_value, v.to_value)
    ...     for v in sim.graph.votes)
    False
    """
    func = "simulate_votes"
    frame = _wisdom_frame(cards, wisdom, func)
    if contexts is None:
        contexts = [Context(str(c)) for c in frame.columns]
    contexts = list(contexts)
    if [getattr(c, "id", c) for c in contexts] != list(frame.columns):
        raise MoralGraphError(
            f"The 'contexts' parameter of {func} must list Context objects whose ids are the "
            f"wisdom's columns {list(frame.columns)}, in order. Got {show(contexts)} instead."
        )
    counts = frame.notna().sum().to_numpy()
    eligible = [np.flatnonzero(frame[c].notna().to_numpy()) for c in frame.columns]
    judged = {(a, b) for e in eligible for a in e for b in e if a != b}
    if (counts < 2).all():
        raise MoralGraphError(f"{func}: no context has two values with a wisdom to compare.")
    p = check_int(n_participants, "n_participants", func, 1, error=MoralGraphError)
    k = check_int(votes_per_participant, "votes_per_participant", func, 0, len(judged),
                  error=MoralGraphError)
    sigma = check_float(noise, "noise", func, 0.0, error=MoralGraphError)
    u = check_probability(unsure_rate, "unsure_rate", func, error=MoralGraphError)
    gen = check_rng(rng, func, error=MoralGraphError)
    a, b, ctx = _context_pairs(frame, p, k, gen)
    latent = frame.to_numpy()
    verdicts = _verdicts(latent[b, ctx] - latent[a, ctx], sigma, u, gen)
    ids, context_ids = list(frame.index), list(frame.columns)
    voters = np.repeat(np.arange(p), k)
    votes = [
        WiserVote(f"p{q}", ids[x], ids[y], context_ids[j], str(v))
        for q, x, y, j, v in zip(voters.tolist(), a.tolist(), b.tolist(), ctx.tolist(),
                                 verdicts.tolist(), strict=True)
    ]
    return Simulation(graph=MoralGraph(list(cards), votes, contexts), wisdom=frame)
