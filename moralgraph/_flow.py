"""Aggregation Γ, ``method="flow"``: Bayesian edge weights and a per-context wisdom flow.

The votes of a moral graph (Klingefjord, Lowe & Edelman 2024, arXiv 2404.10636, §3 "Moral
graph" and its aggregation) become, per context, weighted edges from the less wise value to
the wiser one (:func:`edge_weights`); a PageRank-style flow (Page, Brin, Motwani & Winograd
1999) along these edges scores the values (:func:`flow_scores`). Both work on a votes
DataFrame with columns ``participant, from_value, to_value, context, verdict`` (as
:meth:`moralgraph.MoralGraph.votes_frame` returns, one vote per participant and ordered pair
and context) and the list of value ids. The slow reference is :mod:`moralgraph._flow_ref`.

This module imports pandas and scipy; the package imports it lazily.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.special import betainc

from _common.validation import check_float, check_int, parameter_error

from ._errors import MoralGraphError

__all__ = ["edge_weights", "flow_scores"]

logger = logging.getLogger(__name__)

ErrorType = type[Exception]
_COLUMNS = ("participant", "from_value", "to_value", "context", "verdict")


class _Coded(NamedTuple):
    """Votes as integer codes: context, from value, to value (value order), and verdicts."""

    c: NDArray[np.int64]
    i: NDArray[np.int64]
    j: NDArray[np.int64]
    verdict: NDArray[Any]
    index: pd.Index
    ctx_ids: list[str]


def _value_index(values: Sequence[str], func: str, error: ErrorType) -> pd.Index:
    index = pd.Index(list(values), dtype=object)
    if len(index) == 0:
        raise parameter_error("values", func, "a non-empty list of value ids", values, error)
    if not index.is_unique:
        dup = index[index.duplicated()][0]
        raise error(f"The 'values' parameter of {func} repeats the value id {dup!r}.")
    return index


def _prepare(
    votes: pd.DataFrame, values: Sequence[str], contexts: Any, func: str, error: ErrorType
) -> _Coded:
    """Validated votes coded as integers and restricted to ``contexts``."""
    if not isinstance(votes, pd.DataFrame):
        raise parameter_error("votes", func, "a pandas DataFrame", votes, error)
    missing = [c for c in _COLUMNS if c not in votes.columns]
    if missing:
        raise error(f"The votes table given to {func} lacks the column(s) {missing}.")
    index = _value_index(values, func, error)
    codes = []
    for column in ("from_value", "to_value"):
        local, uniques = pd.factorize(votes[column])
        code = np.where(local >= 0, index.get_indexer(uniques)[local], -1).astype(np.int64)
        if (code < 0).any():
            row = int(np.flatnonzero(code < 0)[0])
            raise error(
                f"Row {row} of the votes table given to {func} names the unknown value "
                f"{votes[column].iloc[row]!r} in column {column!r}; expected one of 'values'."
            )
        codes.append(code)
    if contexts is None:
        c, uniques = pd.factorize(votes["context"].to_numpy(dtype=object))
        chosen = [str(u) for u in uniques]
    else:
        if isinstance(contexts, str):
            chosen = [contexts]
        else:
            chosen = list(contexts) if isinstance(contexts, Sequence) else []
            if not chosen or not all(isinstance(x, str) for x in chosen):
                expected = "None, a context id or a non-empty list of ids"
                raise parameter_error("contexts", func, expected, contexts, error)
        chosen = list(dict.fromkeys(chosen))
        c = pd.Index(chosen, dtype=object).get_indexer(votes["context"].to_numpy(dtype=object))
    keep = c >= 0
    verdict = votes["verdict"].to_numpy(dtype=object)[keep]
    return _Coded(c[keep].astype(np.int64), codes[0][keep], codes[1][keep], verdict, index, chosen)


def _check_prior(prior: Any, func: str, error: ErrorType) -> tuple[float, float]:
    if not isinstance(prior, tuple | list) or len(prior) != 2:
        raise parameter_error("prior", func, "a pair (a, b) of positive floats", prior, error)
    a = check_float(prior[0], "prior", func, 0, low_open=True, error=error)
    b = check_float(prior[1], "prior", func, 0, low_open=True, error=error)
    return a, b


def _evidence(coded: _Coded) -> tuple[NDArray[Any], ...]:
    """Context code, from and to value codes, n_wiser and n_against of every evidenced pair."""
    n = len(coded.index)
    c, i, j, verdict = coded.c, coded.i, coded.j, coded.verdict
    wiser, not_wiser = verdict == "wiser", verdict == "not_wiser"
    # (A→B) wiser: for B over A; (A→B) not_wiser: against; (B→A) wiser: against B over A.
    key_for = (c[wiser] * n + i[wiser]) * n + j[wiser]
    key_against = np.concatenate(
        [
            (c[not_wiser] * n + i[not_wiser]) * n + j[not_wiser],
            (c[wiser] * n + j[wiser]) * n + i[wiser],
        ]
    )
    keys = np.concatenate([key_for, key_against])
    is_for = np.concatenate([np.ones(len(key_for)), np.zeros(len(key_against))])
    uniq, inverse = np.unique(keys, return_inverse=True)
    n_for = np.bincount(inverse, weights=is_for, minlength=len(uniq))
    n_all = np.bincount(inverse, minlength=len(uniq)).astype(np.float64)
    cc, rest = np.divmod(uniq, n * n)
    ii, jj = np.divmod(rest, n)
    return cc, ii, jj, n_for, n_all - n_for


def _weight(n_for: NDArray[np.float64], n_against: NDArray[np.float64], a: float, b: float):
    """max(0, 2·P(p > ½ | data) − 1) for p ~ Beta(a + n_for, b + n_against)."""
    p_above = betainc(b + n_against, a + n_for, 0.5)  # P(p > ½) = I_½(b', a')
    return np.clip(2.0 * p_above - 1.0, 0.0, 1.0)


def edge_weights(
    votes: pd.DataFrame,
    values: Sequence[str],
    *,
    contexts: str | Sequence[str] | None = None,
    prior: tuple[float, float] = (1.0, 1.0),
    error: ErrorType = MoralGraphError,
) -> pd.DataFrame:
    """The Bayesian weight of every evidenced edge "less wise A → wiser B", per context.

    For an ordered pair (A, B) in a context, let p be the probability that a participant
    judges B wiser than A. The evidence *for* is ``n_wiser``, the "wiser" votes on (A → B);
    the evidence *against* is ``n_against``, the "not_wiser" votes on (A → B) plus the
    "wiser" votes on (B → A) (B is then judged less wise). "unsure" votes carry no
    information about p and are ignored, and "not_wiser" on (B → A) is not counted for B
    (not wiser is not less wise: it allows "as wise"), as in the published scoring. With a
    Beta(a, b) prior the posterior is Beta(a + n_wiser, b + n_against) and the weight is::

        weight = max(0, 2 · P(p > ½ | votes) − 1)

    the posterior confidence, beyond a coin flip, that B is the wiser value. It is 0 without
    evidence or when the votes are split evenly, 0.5 for one lonely "wiser" vote, 0.75 for
    two, 0.9997 for twelve agreeing and ≈ 1 for thirty (under the uniform prior), and it
    falls smoothly as dissent grows, so there are no hard cuts. Unlike the posterior mean it
    rewards the *number* of agreeing votes, not only their share.

    Parameters
    ----------
    votes : pandas.DataFrame
        Columns ``participant, from_value, to_value, context, verdict`` (others ignored).
    values : sequence of str
        The value ids; every vote must name two of them.
    contexts : str, sequence of str or None, default None
        Restrict to this context or these contexts (None: every context with a vote).
    prior : (float, float), default (1.0, 1.0)
        The Beta prior (a, b) of p, both positive; (1, 1) is uniform.
    error : type of Exception, default MoralGraphError
        The exception class raised on bad input.

    Returns
    -------
    pandas.DataFrame
        One row per context and ordered pair with any evidence, columns ``context,
        from_value, to_value, n_wiser, n_against, weight``, sorted by context order and value
        order.

    References
    ----------
    Klingefjord, O., Lowe, R., & Edelman, J. (2024). What are human values, and how do we
    align AI to them? arXiv:2404.10636, §3.3 (the moral graph and its edge statistics).

    Examples
    --------
    >>> import pandas as pd
    >>> votes = pd.DataFrame({"participant": ["ann", "bob", "cy"],
    ...     "from_value": ["a", "a", "b"], "to_value": ["b", "b", "a"],
    ...     "context": ["c1"] * 3, "verdict": ["wiser", "wiser", "unsure"]})
    >>> edge_weights(votes, ["a", "b"])
      context from_value to_value  n_wiser  n_against  weight
    0      c1          a        b        2          0    0.75
    1      c1          b        a        0          2    0.00
    """
    func = "edge_weights"
    a, b = _check_prior(prior, func, error)
    coded = _prepare(votes, values, contexts, func, error)
    index, ctx_ids = coded.index, coded.ctx_ids
    cc, ii, jj, n_for, n_against = _evidence(coded)
    return pd.DataFrame(
        {
            "context": np.asarray(ctx_ids, dtype=object)[cc] if len(cc) else [],
            "from_value": index.to_numpy()[ii],
            "to_value": index.to_numpy()[jj],
            "n_wiser": n_for.astype(np.int64),
            "n_against": n_against.astype(np.int64),
            "weight": _weight(n_for, n_against, a, b),
        }
    )


def _base(base: Any, index: pd.Index, func: str, error: ErrorType) -> NDArray[np.float64]:
    """``base`` as a probability vector aligned with ``index`` (None: uniform)."""
    n = len(index)
    if base is None:
        return np.full(n, 1.0 / n)
    if isinstance(base, Mapping | pd.Series):
        series = pd.Series(base, dtype=object)
        unknown = series.index[~series.index.isin(index)]
        if len(unknown):
            raise error(f"The 'base' parameter of {func} names the unknown value {unknown[0]!r}.")
        base = series.reindex(index, fill_value=0.0).to_numpy()
    try:
        vec = np.asarray(base, dtype=np.float64)
    except (TypeError, ValueError):
        raise parameter_error("base", func, "numbers, one per value", base, error) from None
    if vec.shape != (n,) or not np.isfinite(vec).all() or (vec < 0).any() or vec.sum() <= 0:
        expected = f"{n} finite non-negative weights with a positive sum"
        raise parameter_error("base", func, expected, base, error)
    return vec / vec.sum()


class _Active(NamedTuple):
    """α Pᵀ on the active (context, value) nodes, i.e. the ends of positive-weight edges."""

    m: sp.csr_array
    ctx: NDArray[np.int64]
    node: NDArray[np.int64]


def _transition(
    cc: NDArray[np.int64],
    ii: NDArray[np.int64],
    jj: NDArray[np.int64],
    w: NDArray[np.float64],
    n: int,
    alpha: float,
) -> _Active:
    """α Pᵀ for the row-normalised block-diagonal transition matrix P (a block a context),
    restricted to the nodes on an edge: the others keep their base score (no flow in)."""
    keep = w > 0
    rows, cols, w = (cc * n + ii)[keep], (cc * n + jj)[keep], w[keep]
    active, inverse = np.unique(np.concatenate([rows, cols]), return_inverse=True)
    r, q, k = inverse[: len(rows)], inverse[len(rows) :], len(active)
    out = np.bincount(r, weights=w, minlength=k)
    m = sp.csr_array((alpha * w / out[r], (q, r)), shape=(k, k))
    return _Active(m, active // n, active % n)


def _power(
    act: _Active,
    base: NDArray[np.float64],
    counts: NDArray[np.float64],
    tol: float,
    max_iter: int,
    error: ErrorType,
) -> NDArray[np.float64]:
    """The contexts' scores averaged with weights ``counts``, by one stacked iteration.

    With the dangling mass sent to ``base`` (the personalization), a context's PageRank
    vector is ``y / sum(y)`` where ``y = (I − α Pᵀ)⁻¹ base`` (Del Corso, Gullì & Romani
    2005), so we iterate ``y ← α Pᵀ y + base`` on the active nodes of all contexts at once
    (elsewhere ``y = base``) and normalise each context. Converged when every context's
    normalised L1 change is below ``n · tol`` (networkx's criterion).
    """
    n, n_ctx = len(base), len(counts)
    b_act = base[act.node]
    rest = 1.0 - np.bincount(act.ctx, weights=b_act, minlength=n_ctx)  # inactive base mass
    y = b_act.copy()
    for _ in range(max_iter):
        new = act.m @ y
        new += b_act
        change = np.bincount(act.ctx, weights=np.abs(new - y), minlength=n_ctx)
        y = new
        mass = rest + np.bincount(act.ctx, weights=y, minlength=n_ctx)
        if (change < n * tol * mass).all():
            share = counts / mass / counts.sum()
            lift = np.bincount(act.node, weights=share[act.ctx] * (y - b_act), minlength=n)
            return base * share.sum() + lift
    raise error(
        f"flow_scores did not converge to tol={tol!r} in max_iter={max_iter} iterations; "
        "raise max_iter or tol."
    )


def flow_scores(
    votes: pd.DataFrame,
    values: Sequence[str],
    *,
    contexts: str | Sequence[str] | None = None,
    propagation: float = 0.85,
    base: Mapping[str, float] | Sequence[float] | None = None,
    prior: tuple[float, float] = (1.0, 1.0),
    tol: float = 1e-12,
    max_iter: int = 10_000,
    error: ErrorType = MoralGraphError,
) -> pd.Series:
    """Score values by the flow of wisdom along less-wise → wiser edges, per context.

    In each context c the edges are :func:`edge_weights`, row-normalised into a transition
    matrix P_c. The scores are the stationary distribution of::

        x = propagation · (P_cᵀ x + (dangling mass of x) · base) + (1 − propagation) · base

    (PageRank with damping ``propagation``, personalization and dangling distribution
    ``base``). So ``propagation`` is the share of a value's score that moves one step to the
    values judged wiser than it: 0 returns ``base`` (no wisdom flows) and 0.85 lets chains of
    about α/(1 − α) ≈ 5.7 steps carry weight. The scores of several contexts are averaged
    with weights their numbers of votes. A requested context without votes scores ``base``
    and logs a warning. All contexts are solved at once by power iteration on one sparse
    block-diagonal matrix restricted to the values on a weighted edge (the others keep their
    base share); 100,000 values, 1,000,000 votes and 50 contexts take about 1.6 s.

    Parameters
    ----------
    votes : pandas.DataFrame
        Columns ``participant, from_value, to_value, context, verdict``.
    values : sequence of str
        The value ids scored.
    contexts : str, sequence of str or None, default None
        One context, several pooled by their vote counts (the f(G_M, p) case), or None for
        every context weighted by its number of votes.
    propagation : float in [0, 1), default 0.85
        The share of score flowing one step along the edges.
    base : mapping value id → weight, sequence aligned with ``values``, or None
        The teleport (and dangling) distribution, normalised to sum 1; None is uniform.
        E.g. how many participants hold or adopted each card.
    prior : (float, float), default (1.0, 1.0)
        The Beta prior of :func:`edge_weights`.
    tol : float, default 1e-12
        Convergence: every context's L1 change per iteration below ``len(values) · tol``.
    max_iter : int, default 10000
        Iterations before giving up with ``error``.
    error : type of Exception, default MoralGraphError
        The exception class raised on bad input.

    Returns
    -------
    pandas.Series
        Value id → score (summing to 1), sorted descending, ties by value id.

    Notes
    -----
    More "wiser" votes on (A → B) raise B's score when nobody voted B wiser than A. With
    such reverse votes they also weaken B → A, and B can then lose score that A used to pass
    back to it (through its other edges or the base): PageRank rewards a value for what its
    neighbours return, not only for the votes it receives.

    References
    ----------
    Page, L., Brin, S., Motwani, R., & Winograd, T. (1999). The PageRank citation ranking:
    bringing order to the web. Stanford InfoLab Technical Report 1999-66.

    Del Corso, G. M., Gullì, A., & Romani, F. (2005). Fast PageRank computation via a sparse
    linear system. Internet Mathematics 2(3), 251-273.

    Klingefjord, O., Lowe, R., & Edelman, J. (2024). What are human values, and how do we
    align AI to them? arXiv:2404.10636, §3.3 and Appendix (PageRank over the moral graph).

    Examples
    --------
    >>> import pandas as pd
    >>> votes = pd.DataFrame({"participant": ["ann", "bob", "cy"],
    ...     "from_value": ["a", "a", "b"], "to_value": ["b", "b", "c"],
    ...     "context": ["c1"] * 3, "verdict": ["wiser", "wiser", "wiser"]})
    >>> flow_scores(votes, ["a", "b", "c"]).round(4)
    c    0.4744
    b    0.3412
    a    0.1844
    dtype: float64
    >>> flow_scores(votes, ["a", "b", "c"], propagation=0).round(4).tolist()
    [0.3333, 0.3333, 0.3333]
    """
    func = "flow_scores"
    alpha = check_float(propagation, "propagation", func, 0.0, 1.0, high_open=True, error=error)
    tol = check_float(tol, "tol", func, 0.0, low_open=True, error=error)
    max_iter = check_int(max_iter, "max_iter", func, 1, error=error)
    a, b = _check_prior(prior, func, error)
    coded = _prepare(votes, values, contexts, func, error)
    index, ctx_ids, n_ctx = coded.index, coded.ctx_ids, len(coded.ctx_ids)
    vec = _base(base, index, func, error)
    counts = np.bincount(coded.c, minlength=n_ctx).astype(np.float64)
    empty = [c for c, k in zip(ctx_ids, counts, strict=True) if k == 0]
    if empty:
        logger.warning(
            "%s: no votes in context(s) %s; they score the base distribution.", func, empty
        )
    if alpha == 0.0 or counts.sum() == 0:
        return _sorted(vec, index)
    cc, ii, jj, n_for, n_against = _evidence(coded)
    act = _transition(cc, ii, jj, _weight(n_for, n_against, a, b), len(index), alpha)
    scores = _power(act, vec, counts, tol, max_iter, error)
    return _sorted(scores / scores.sum(), index)


def _sorted(scores: NDArray[np.float64], index: pd.Index) -> pd.Series:
    """Scores as a Series sorted descending, ties broken by ascending value id."""
    ids = index.to_numpy()
    order = np.lexsort((ids.astype(str), -scores))
    return pd.Series(scores[order], index=pd.Index(ids[order], dtype=object), dtype=np.float64)
