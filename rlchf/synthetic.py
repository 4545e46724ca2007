"""A population of annotators with known ground truth, for testing RLCHF end to end.

Annotator *groups* are defined by feature values and have population shares. Each prompt
has ``R`` responses with latent utilities (docs/reference.md §6)::

    u[g, p, r] = shared_scale · S[p, r] + 1[p contested] · group_scale · C[g, p, r]

with ``S`` and ``C`` independent standard normal. A share ``contested`` of the prompts gets
the group component, redrawn until the groups' favourite responses are not all the same
(the groups disagree); on the other, *consensus*, prompts every group has the same
utilities. Annotator ``i`` of group ``g`` judges prompt ``p`` with
``u[g, p, r] + ε[i, p, r]``: Gumbel noise of scale ``noise`` (``model="bradley_terry"``:
pairs follow Bradley–Terry, ``P(a ≻ b) = σ((u_a − u_b) / noise)``, rankings
Plackett–Luce) or normal noise of standard deviation ``noise`` (``model="thurstone"``:
``P(a ≻ b) = Φ((u_a − u_b) / (noise·√2))``). Everything is drawn with numpy over
(prompt, annotator, response) at once, seeded by ``rng``.

The *true collective* judgment of the population is known: see
:meth:`SyntheticPopulation.margins`, :meth:`~SyntheticPopulation.true_winners` and
:meth:`~SyntheticPopulation.true_ranking`. :func:`write_parquet` writes data sets too large
for memory as a folder of Parquet files, one partition at a time.

>>> from rlchf import synthetic
>>> pop = synthetic.population(n_prompts=20, n_annotators=30, contested=0.5, rng=0)
>>> pop.data
PreferenceData(kind='pairwise', 100 rows, 20 prompts, 30 annotators, features=('group',))
>>> pop.utilities.shape                      # (groups, prompts, responses)
(3, 20, 4)
>>> int(pop.contested.sum())
10
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from _common.progress import Progress, report
from _common.validation import (
    check_choice,
    check_int,
    check_rng,
    show,
)

from ._data import PreferenceData
from ._errors import RLCHFError
from ._simparams import (
    OPTIONS,
    check_groups,
    check_k,
    check_params,
    make_pool,
)
from ._simulate import simulate_block

__all__ = ["SyntheticPopulation", "population", "write_parquet"]

BASES = ("expected", "groups")
#: Rules :meth:`SyntheticPopulation.true_ranking` orders by a score.
SCORED = ("borda", "copeland", "minimax", "utilitarian", "egalitarian")
#: Decimals margins are rounded to, so that float residues of balanced weights are ties.
_DECIMALS = 12


@dataclass(frozen=True, eq=False)
class SyntheticPopulation:
    """Simulated judgments and the ground truth they were drawn from.

    Attributes
    ----------
    data : PreferenceData
        The judgments; the declared features are the groups' feature columns. Prompt ``p``
        has ``prompt_id == p`` and response ``r`` of it ``response_id == r`` (pairwise data
        carries ``response_a_id`` / ``response_b_id``), so they index the arrays below.
    groups : pandas.DataFrame
        One row per group: its feature values and ``share`` (normalised to sum 1).
    annotators : pandas.DataFrame
        The annotator pool: ``annotator_id``, ``group_index`` (row of :attr:`groups`) and
        the features.
    utilities : ndarray, shape (groups, prompts, responses)
        Each group's latent utility of each response.
    contested : ndarray of bool, shape (prompts,)
        The prompts that got a group component (the groups' favourites differ).
    model : str
        ``"bradley_terry"`` or ``"thurstone"``.
    noise : float
        The scale of the individual noise.
    """

    data: PreferenceData
    groups: pd.DataFrame
    annotators: pd.DataFrame
    utilities: NDArray[np.float64]
    contested: NDArray[np.bool_]
    model: str
    noise: float

    @property
    def shares(self) -> NDArray[np.float64]:
        """The groups' population shares (summing to 1)."""
        return self.groups["share"].to_numpy(dtype=np.float64)

    def probabilities(self) -> NDArray[np.float64]:
        """``P[g, p, a, b]``: probability that a member of group g prefers a to b on prompt p.

        ``σ((u_a − u_b) / noise)`` (Bradley–Terry) or ``Φ((u_a − u_b) / (noise·√2))``
        (Thurstone); with ``noise == 0``, 1, 0.5 or 0 by the sign of ``u_a − u_b``.

        >>> pop = population(n_prompts=2, n_annotators=10, rng=0)
        >>> P = pop.probabilities()
        >>> P.shape, bool(np.allclose(P + P.transpose(0, 1, 3, 2), 1))
        ((3, 2, 4, 4), True)
        """
        from scipy.special import expit, ndtr

        d = self.utilities[..., :, None] - self.utilities[..., None, :]
        if self.noise == 0:
            return 0.5 * (1 + np.sign(d))
        if self.model == "bradley_terry":
            return expit(d / self.noise)
        return ndtr(d / (self.noise * np.sqrt(2.0)))

    def margins(self, basis: str = "expected") -> NDArray[np.float64]:
        """The population's normalised pairwise margins ``M[p, a, b]`` in [−1, 1].

        ``basis="expected"``: the margins of an infinitely large population drawn by the
        shares, ``M = Σ_g share_g · (2·P[g, p, a, b] − 1)`` (the expected share preferring
        a minus the share preferring b). ``basis="groups"``: each group votes as a block with
        its noise-free ranking, ``M = Σ_g share_g · sign(u[g, p, a] − u[g, p, b])``.
        Margins are rounded to 12 decimals, so balanced weights give exact ties.

        >>> pop = population(n_prompts=3, n_annotators=10, rng=1)
        >>> M = pop.margins()
        >>> M.shape, bool(np.allclose(M, -M.transpose(0, 2, 1)))
        ((3, 4, 4), True)
        """
        basis = check_choice(basis, "basis", "SyntheticPopulation.margins", BASES,
                             error=RLCHFError)
        if basis == "expected":
            per_group = 2 * self.probabilities() - 1
        else:
            d = self.utilities[..., :, None] - self.utilities[..., None, :]
            per_group = np.sign(d)
        M = np.tensordot(self.shares, per_group, axes=1)
        M = (M - M.transpose(0, 2, 1)) / 2  # exactly antisymmetric
        # snapped to 1e-12 so that balanced weights tie exactly (0.7 - 0.1 - 0.6 is not 0.0)
        return np.round(M, _DECIMALS) + 0.0

    def true_winners(self, rule: str = "copeland", basis: str = "expected") -> NDArray:
        """The true collective winners ``(prompts, responses)`` (bool) under ``rule``.

        ``rule`` is a margin-based :mod:`socialchoice` rule (``copeland``, ``minimax``,
        ``schulze``, ``ranked_pairs``, ``maximal_lottery``, ...) applied to
        :meth:`margins`, ``"borda"`` (the expected Borda score ``Σ_b M[a, b]``), or a
        welfare function: ``"utilitarian"`` (largest ``Σ_g share_g u[g]``) or
        ``"egalitarian"`` (largest ``min_g u[g]``). With ``basis="groups"`` any
        :mod:`socialchoice` rule works: the profile is each group's noise-free ranking with
        its share as weight. Several winners only on exact ties.

        >>> pop = population(n_prompts=4, n_annotators=10, rng=2)
        >>> pop.true_winners("copeland").sum(axis=1).tolist()
        [1, 1, 1, 1]
        """
        import socialchoice as sc

        func = "SyntheticPopulation.true_winners"
        basis = check_choice(basis, "basis", func, BASES, error=RLCHFError)
        if rule in SCORED:
            score = self._scores(rule, basis)
            return score == score.max(axis=1, keepdims=True)
        names = sc.rule_names() if basis == "groups" else [
            n for n in sc.rule_names() if sc.RULES[n].needs == "margins"]
        check_choice(rule, "rule", func, [*names, *SCORED], error=RLCHFError)
        if basis == "expected":
            return sc.winner_mask(self.margins("expected"), rule)
        ranks = np.argsort(np.argsort(-self.utilities, axis=-1), axis=-1)  # (G, P, R)
        weights = np.broadcast_to(self.shares, (ranks.shape[1], ranks.shape[0]))
        return sc.winner_mask(ranks=ranks.transpose(1, 0, 2), weights=weights, rule=rule)

    def true_ranking(self, rule: str = "borda", basis: str = "expected") -> NDArray:
        """True collective ranking levels ``(prompts, responses)``: 0 = best, ties share.

        By score: ``"borda"`` ``Σ_b M[a, b]``, ``"copeland"`` ``Σ_b sign M[a, b]``,
        ``"minimax"`` ``−max_b M[b, a]``, ``"utilitarian"`` and ``"egalitarian"`` as in
        :meth:`true_winners`, with ``M`` from :meth:`margins` (``basis``).

        >>> pop = population(n_prompts=2, n_responses=3, n_annotators=10, rng=3)
        >>> sorted(pop.true_ranking("borda")[0].tolist())
        [0, 1, 2]
        """
        func = "SyntheticPopulation.true_ranking"
        rule = check_choice(rule, "rule", func, SCORED, error=RLCHFError)
        basis = check_choice(basis, "basis", func, BASES, error=RLCHFError)
        score = self._scores(rule, basis)
        ranks = pd.DataFrame(-score).rank(axis=1, method="dense").to_numpy() - 1
        return ranks.astype(np.int64)

    def _scores(self, rule: str, basis: str) -> NDArray[np.float64]:
        if rule == "utilitarian":
            return np.tensordot(self.shares, self.utilities, axes=1)
        if rule == "egalitarian":
            return self.utilities.min(axis=0)
        M = self.margins(basis)
        if rule == "borda":
            return M.sum(axis=2)
        if rule == "copeland":
            return np.sign(M).sum(axis=2)
        m = M.shape[-1]
        off = np.where(np.eye(m, dtype=bool), -np.inf, M)
        return -off.max(axis=1)  # minimax: the worst defeat, max_b M[b, a]


def population(
    n_prompts: int = 100,
    n_responses: int = 4,
    n_annotators: int = 60,
    *,
    annotators_per_prompt: int = 5,
    groups: pd.DataFrame | None = None,
    contested: float = 0.5,
    kind: str = "pairwise",
    pairs: str = "random",
    model: str = "bradley_terry",
    shared_scale: float = 1.0,
    group_scale: float = 2.0,
    noise: float = 1.0,
    rng: np.random.Generator | int | None = None,
) -> SyntheticPopulation:
    """Simulate annotator judgments from groups with known utilities (module docstring).

    Parameters
    ----------
    n_prompts, n_responses : int
        Prompts, and responses per prompt (at least 2).
    n_annotators : int
        The annotator pool; group sizes follow the shares (largest remainders).
    annotators_per_prompt : int
        Distinct annotators drawn uniformly from the pool for each prompt.
    groups : pandas.DataFrame, optional
        One row per group: feature columns (the data's declared features) and ``share``
        (positive; normalised). Default: ``group`` A, B, C with shares 0.5, 0.3, 0.2.
    contested : float in [0, 1]
        Share of prompts on which the groups disagree (rounded to whole prompts).
    kind : {"pairwise", "ranking"}
        Pairwise: each annotator judges one random pair of a prompt's responses
        (``pairs="random"``) or every pair (``pairs="all"``, orientation random). Ranking:
        each annotator ranks all responses (strict ranks).
    pairs : {"random", "all"}
        See ``kind``.
    model : {"bradley_terry", "thurstone"}
        The individual noise: Gumbel (Bradley–Terry / Plackett–Luce) or normal (Thurstone).
    shared_scale, group_scale, noise : float >= 0
        Scales of the shared component, the group component and the individual noise.
    rng : numpy.random.Generator, int or None
        Seed or generator.

    Returns
    -------
    SyntheticPopulation

    Raises
    ------
    RLCHFError
        A parameter out of range (named), too few annotators for the groups, or contested
        prompts requested with one group or ``group_scale == 0``.

    Examples
    --------
    >>> pop = population(n_prompts=50, n_annotators=40, kind="ranking", rng=7)
    >>> pop.data.kind, len(pop.data)                          # 50 prompts x 5 x 4
    ('ranking', 1000)
    >>> winners = pop.true_winners("copeland")                 # (prompts, responses)
    >>> bool((winners.sum(axis=1) >= 1).all())
    True
    """
    generator = check_rng(rng, "population", error=RLCHFError)
    n = check_int(n_prompts, "n_prompts", "population", 1, error=RLCHFError)
    g = check_groups(groups)
    p = check_params(n_responses, annotators_per_prompt, contested, kind, pairs, model,
               shared_scale, group_scale, noise, len(g))
    pool = make_pool(g, n_annotators, generator)
    check_k(p, len(pool))
    frame, U, flags = simulate_block(p, 0, n, pool, generator)
    # valid by construction (the tests check that from_pandas agrees); not validated again
    data = PreferenceData._valid(frame, p.kind, tuple(g.columns[:-1]))
    return SyntheticPopulation(data, g, pool, U, flags, p.model, p.noise)


def write_parquet(
    path: str | os.PathLike[str],
    n_prompts: int,
    n_responses: int = 4,
    n_annotators: int = 60,
    *,
    partitions: int = 1,
    progress: Progress = None,
    rng: np.random.Generator | int | None = None,
    **options: Any,
) -> list[Path]:
    """Write a large simulated data set as a folder of Parquet files, one partition at a time.

    ``path`` is a folder (created; it must not hold Parquet files already) that receives
    ``part-00000.parquet``, ... Each partition holds a contiguous range of prompt ids and is
    simulated, written and dropped before the next, so memory stays at one partition.
    ``options`` are :func:`population`'s keyword parameters (``kind``, ``groups``,
    ``contested``, ...). The annotator pool is drawn first from ``rng``; partition *i*
    uses the *i*-th generator spawned from it, so a seed gives the same files. The truth is
    not kept (use :func:`population` for sizes that fit in memory). ``progress(done,
    total)`` is called per partition. Read the folder with :func:`rlchf.read_preferences`.

    >>> import tempfile
    >>> from rlchf import read_preferences
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     files = write_parquet(tmp, 30, partitions=3, rng=0, kind="ranking")
    ...     data = read_preferences(tmp, kind="ranking", features=["group"])
    >>> [f.name for f in files], len(data)
    (['part-00000.parquet', 'part-00001.parquet', 'part-00002.parquet'], 600)
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    func = "write_parquet"
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise RLCHFError(f"{func} got unknown option(s) {', '.join(map(repr, unknown))}; "
                         f"options are {', '.join(sorted(OPTIONS))}.")
    root = check_rng(rng, func, error=RLCHFError)
    n = check_int(n_prompts, "n_prompts", func, 1, error=RLCHFError)
    parts = check_int(partitions, "partitions", func, 1, n, error=RLCHFError)
    o = {**OPTIONS, **options}
    g = check_groups(o["groups"])
    p = check_params(n_responses, o["annotators_per_prompt"], o["contested"], o["kind"],
                     o["pairs"], o["model"], o["shared_scale"], o["group_scale"], o["noise"],
                     len(g))
    pool = make_pool(g, n_annotators, root)
    check_k(p, len(pool))
    folder = Path(path)
    if folder.exists() and (not folder.is_dir() or any(folder.glob("*.parquet"))):
        raise RLCHFError(f"{folder}: write_parquet needs a new or empty folder; this one "
                         "exists and holds Parquet files (or is a file).")
    folder.mkdir(parents=True, exist_ok=True)
    bounds = np.linspace(0, n, parts + 1).round().astype(int)
    files = []
    report(progress, 0, parts)
    for i, child in enumerate(root.spawn(parts)):
        lo, hi = int(bounds[i]), int(bounds[i + 1])
        frame, _, _ = simulate_block(p, lo, hi - lo, pool, child)
        target = folder / f"part-{i:05d}.parquet"
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), target)
        files.append(target)
        del frame
        report(progress, i + 1, parts)
    return files


def groups_of(data: PreferenceData, groups: pd.DataFrame) -> NDArray[np.int64]:
    """The group index (row of ``groups``) of each row of ``data``, from its features.

    >>> pop = population(n_prompts=2, n_annotators=6, rng=0)
    >>> bool((groups_of(pop.data, pop.groups) < 3).all())
    True
    """
    features: Sequence[str] = [c for c in groups.columns if c != "share"]
    key = groups[list(features)].reset_index(drop=True).reset_index(names="_group")
    merged = data.frame[list(features)].merge(key, how="left", on=list(features))
    missing = merged["_group"].isna().to_numpy()
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise RLCHFError(f"Row {row} of the data: its features "
                         f"{show(data.frame[list(features)].iloc[row].to_dict())} match no group.")
    return merged["_group"].to_numpy(dtype=np.int64)
