"""The Meaning Alignment Institute's published moral-graph scoring, number for number.

``method="mai"`` of the moral graph: the edge statistics of their ``summarizeGraph``
(steps 1-3), the weighted PageRank of their ``calculatePageRank`` (step 4), their
"wisdom" sum and the support label of a context's winner (step 5).

References
----------
O. Klingefjord, R. Lowe and J. Edelman, "What are human values, and how do we align AI
to them?", arXiv:2404.10636 (2024).

Meaning Alignment Institute, ``meaningalignment/values-tools``,
``src/services/moral-graph.ts`` (``summarizeGraph``, ``calculateEntropy``,
``calculatePageRank``), the code transcribed here. Steps 1-3 are the same in
``meaningalignment/dft``, ``app/values-tools/generate-moral-graph.ts`` (with the
threshold fixed at 2 and no PageRank).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from _common.validation import check_int, show

__all__ = [
    "EDGE_COLUMNS",
    "VERDICTS",
    "VOTE_COLUMNS",
    "check_votes",
    "mai_edge_summary",
    "mai_pagerank",
    "mai_wisdom",
    "support_label",
]

VOTE_COLUMNS = ("participant", "from_value", "to_value", "context", "verdict")
VERDICTS = ("wiser", "not_wiser", "unsure")
EDGE_COLUMNS = (
    "from_value",
    "to_value",
    "contexts",
    "marked_wiser",
    "marked_not_wiser",
    "marked_less_wise",
    "marked_unsure",
    "impressions",
    "wiser_likelihood",
    "entropy",
)
_COUNTS = ("marked_wiser", "marked_not_wiser", "marked_less_wise", "marked_unsure", "impressions")
MIN_LIKELIHOOD = 0.33
MAX_ENTROPY = 1.69
DAMPING = 0.85
ITERATIONS = 100
ErrorType = type[Exception]


def _first_bad(mask: np.ndarray, frame: pd.DataFrame) -> object:
    return frame.index[int(np.flatnonzero(mask)[0])]


def check_votes(votes: object, func: str, *, error: ErrorType = ValueError) -> pd.DataFrame:
    """The vote table checked: a DataFrame with the vote columns, verdicts in the set.

    Raises ``error`` naming the first offending row (its index label) and column.

    >>> check_votes(pd.DataFrame({"participant": [1], "from_value": ["a"], "to_value": ["b"],
    ...     "context": ["c"], "verdict": ["maybe"]}), "f")
    Traceback (most recent call last):
    ...
    ValueError: f: row 0, column 'verdict' is 'maybe'; expected 'wiser', 'not_wiser' or 'unsure'.
    """
    if not isinstance(votes, pd.DataFrame):
        raise error(
            f"{func}: votes must be a pandas DataFrame. Got {type(votes).__name__} instead."
        )
    missing = [c for c in VOTE_COLUMNS if c not in votes.columns]
    if missing:
        raise error(
            f"{func}: the votes have no column {missing[0]!r}; expected the columns "
            f"{', '.join(map(repr, VOTE_COLUMNS))}."
        )
    for column in ("from_value", "to_value"):
        null = votes[column].isna().to_numpy()
        if null.any():
            row = _first_bad(null, votes)
            raise error(
                f"{func}: row {show(row)}, column {column!r} is missing; expected a value id."
            )
    bad = ~votes["verdict"].isin(VERDICTS).to_numpy()
    if bad.any():
        row = _first_bad(bad, votes)
        value = votes["verdict"].to_numpy()[int(np.flatnonzero(bad)[0])]
        raise error(
            f"{func}: row {show(row)}, column 'verdict' is {show(value)}; expected "
            "'wiser', 'not_wiser' or 'unsure'."
        )
    loop = (votes["from_value"].to_numpy() == votes["to_value"].to_numpy()).astype(bool)
    if loop.any():
        row = _first_bad(loop, votes)
        value = votes["from_value"].to_numpy()[int(np.flatnonzero(loop)[0])]
        raise error(
            f"{func}: row {show(row)} judges value {show(value)} against itself; "
            "columns 'from_value' and 'to_value' must differ."
        )
    return votes


def _entropy_bits(counts: np.ndarray) -> np.ndarray:
    """Shannon entropy (bits) of each row of counts, summed left to right as their code does."""
    total = counts.sum(axis=1)
    entropy = np.zeros(len(counts))
    for j in range(counts.shape[1]):
        p = counts[:, j] / total
        term = np.zeros_like(p)
        np.multiply(p, np.log2(p, where=p > 0, out=np.zeros_like(p)), where=p > 0, out=term)
        entropy = entropy - term
    return entropy


def _pair_table(votes: pd.DataFrame) -> pd.DataFrame:
    """One row per (pair, vote) contribution: every forward vote, then its reverse bookkeeping."""
    verdict = votes["verdict"].to_numpy()
    wiser = (verdict == "wiser").astype(np.int64)
    zeros = np.zeros(len(votes), dtype=np.int64)
    a, b = votes["from_value"].to_numpy(), votes["to_value"].to_numpy()
    context = votes["context"].to_numpy()
    return pd.DataFrame(
        {
            "from_value": np.concatenate([a, b]),
            "to_value": np.concatenate([b, a]),
            "context": np.concatenate([context, context]),
            "marked_wiser": np.concatenate([wiser, zeros]),
            "marked_not_wiser": np.concatenate([(verdict == "not_wiser").astype(np.int64), zeros]),
            "marked_less_wise": np.concatenate([zeros, wiser]),
            "marked_unsure": np.concatenate([(verdict == "unsure").astype(np.int64), zeros]),
            "impressions": np.ones(2 * len(votes), dtype=np.int64),
        }
    )


def _count_pairs(long: pd.DataFrame) -> pd.DataFrame:
    """Counts and first-seen contexts per ordered pair, pairs in first-seen (PairMap) order."""
    pair = long.groupby(["from_value", "to_value"], sort=False).ngroup().to_numpy()
    long = long.assign(_pair=pair)
    table = long.drop_duplicates("_pair")[["from_value", "to_value"]].reset_index(drop=True)
    counts = long.groupby("_pair")[list(_COUNTS)].sum()
    table[list(_COUNTS)] = counts.to_numpy()
    seen = long[["_pair", "context"]].drop_duplicates()
    order = np.argsort(seen["_pair"].to_numpy(), kind="stable")
    codes = seen["_pair"].to_numpy()[order]
    contexts = seen["context"].to_numpy().astype(object)[order].tolist()
    starts = np.flatnonzero(np.r_[True, np.diff(codes) != 0]).tolist() if len(codes) else []
    ends = [*starts[1:], len(contexts)][: len(starts)]
    parts = [tuple(contexts[i:j]) for i, j in zip(starts, ends, strict=True)]
    table["contexts"] = pd.Series(parts, dtype=object)
    return table


def mai_edge_summary(
    votes: pd.DataFrame,
    *,
    context: object = None,
    min_wiser: int = 2,
    keep_all: bool = False,
    error: ErrorType = ValueError,
) -> pd.DataFrame:
    """Edge statistics of MAI's ``summarizeGraph`` (steps 1-3), exactly.

    1. Every vote on (A -> B) adds its context and one impression to the pair (A, B), and
       one to ``marked_wiser``, ``marked_not_wiser`` or ``marked_unsure`` by verdict; it
       also adds its context and one impression to the reverse pair (B, A), and one to
       ``marked_less_wise`` there if the verdict is "wiser".
    2. ``wiser_likelihood = (marked_wiser - marked_less_wise) / (marked_wiser +
       marked_not_wiser + marked_unsure + marked_less_wise)`` (NaN when that sum is 0, as
       JavaScript's 0/0); ``entropy`` is the Shannon entropy in bits of the FIVE counts
       **including impressions**: their ``calculateEntropy`` is called on the whole
       ``counts`` object, so impressions enter the distribution. We reproduce that.
    3. A pair is kept if ``marked_wiser >= max(min_wiser, 1)`` (their code also drops
       pairs with no "wiser" vote whatever the threshold), ``wiser_likelihood >= 0.33``
       and ``entropy <= 1.69``.

    Parameters
    ----------
    votes : pandas.DataFrame
        Columns ``participant, from_value, to_value, context, verdict``; ``verdict`` in
        {"wiser", "not_wiser", "unsure"} ("is ``to_value`` wiser than ``from_value``?").
    context : object, optional
        Keep only the votes in this context first (how their follow-on platform picks a
        winner per context). ``None`` merges all contexts, as ``summarizeGraph`` does.
    min_wiser : int, default 2
        Their ``markedWiserThreshold``.
    keep_all : bool, default False
        Return every pair (their ``allEdges``) instead of the kept ones.
    error : type of Exception, default ValueError
        The exception raised for bad votes or parameters.

    Returns
    -------
    pandas.DataFrame
        Columns ``from_value`` (the less wise value, their ``sourceValueId``),
        ``to_value`` (their ``wiserValueId``), ``contexts`` (a tuple in first-seen order),
        the five counts, ``wiser_likelihood`` and ``entropy``; one row per ordered pair in
        the order their ``PairMap`` creates them.

    References
    ----------
    Klingefjord, Lowe & Edelman (2024), arXiv:2404.10636; ``meaningalignment/values-tools``,
    ``src/services/moral-graph.ts`` (``summarizeGraph``).

    Examples
    --------
    >>> votes = pd.DataFrame({"participant": [1, 2, 3], "from_value": ["a", "a", "a"],
    ...     "to_value": ["b", "b", "b"], "context": ["c"] * 3,
    ...     "verdict": ["wiser", "wiser", "wiser"]})
    >>> s = mai_edge_summary(votes)
    >>> s[["from_value", "to_value", "marked_wiser", "impressions", "wiser_likelihood"]]
      from_value to_value  marked_wiser  impressions  wiser_likelihood
    0          a        b             3            3               1.0
    >>> round(float(s.entropy[0]), 6)  # counts (3, 0, 0, 0, 3): one bit, impressions included
    1.0
    """
    func = "mai_edge_summary"
    check_votes(votes, func, error=error)
    min_wiser = check_int(min_wiser, "min_wiser", func, 0, error=error)
    if context is not None:
        votes = votes[(votes["context"] == context).to_numpy()]
    table = _count_pairs(_pair_table(votes))
    c = table[list(_COUNTS)].to_numpy(dtype=np.float64)
    judged = c[:, 0] + c[:, 1] + c[:, 3] + c[:, 2]
    with np.errstate(invalid="ignore", divide="ignore"):
        table["wiser_likelihood"] = (c[:, 0] - c[:, 2]) / judged
    table["entropy"] = _entropy_bits(c) if len(c) else np.zeros(0)
    table = table[list(EDGE_COLUMNS)].astype({k: np.int64 for k in _COUNTS})
    return table if keep_all else _kept(table, min_wiser)


def _kept(table: pd.DataFrame, min_wiser: int) -> pd.DataFrame:
    """Their trim: some "wiser" votes, at least ``min_wiser``, likelihood and entropy cuts."""
    mw = table["marked_wiser"].to_numpy()
    keep = (
        (mw >= max(min_wiser, 1))
        & (table["wiser_likelihood"].to_numpy() >= MIN_LIKELIHOOD)
        & (table["entropy"].to_numpy() <= MAX_ENTROPY)
    )
    return table[keep].reset_index(drop=True)


def _check_edges(edges: object, func: str, error: ErrorType) -> pd.DataFrame:
    if not isinstance(edges, pd.DataFrame):
        raise error(
            f"{func}: edges must be a pandas DataFrame. Got {type(edges).__name__} instead."
        )
    for column in ("from_value", "to_value", "wiser_likelihood"):
        if column not in edges.columns:
            raise error(
                f"{func}: the edges have no column {column!r}; pass the table that "
                "mai_edge_summary returns."
            )
    w = pd.to_numeric(edges["wiser_likelihood"], errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(w) | (w <= 0)
    if bad.any():
        row = _first_bad(bad, edges)
        raise error(
            f"{func}: row {show(row)}, column 'wiser_likelihood' is "
            f"{show(edges['wiser_likelihood'].iloc[np.flatnonzero(bad)[0]])}; expected a "
            "positive number (a kept pair)."
        )
    return edges


def mai_pagerank(edges: pd.DataFrame, *, error: ErrorType = ValueError) -> pd.Series:
    """MAI's weighted PageRank over the kept pairs (``calculatePageRank``), exactly.

    Nodes are the endpoints of the pairs (first-seen order), each starting at 1/N. Each of
    exactly 100 iterations sets every node to the teleport term (1 - 0.85)/N, then adds,
    pair by pair, ``0.85 * rank[from] * w / W(from)`` to ``rank[to]``, where ``w`` is the
    pair's ``wiser_likelihood`` and ``W(from)`` the sum over the pairs leaving ``from``.
    Rank thus flows from the less wise to the wiser value. A sink's rank is not passed on,
    so the scores need not sum to 1.

    Parameters
    ----------
    edges : pandas.DataFrame
        The kept pairs, as :func:`mai_edge_summary` returns them (columns ``from_value``,
        ``to_value``, ``wiser_likelihood``). Every row is used as given.
    error : type of Exception, default ValueError
        The exception raised for a malformed table.

    Returns
    -------
    pandas.Series
        Score per value id (values on no pair are absent), sorted descending (ties in
        first-seen order).

    References
    ----------
    Klingefjord, Lowe & Edelman (2024), arXiv:2404.10636; ``meaningalignment/values-tools``,
    ``src/services/moral-graph.ts`` (``calculatePageRank``).

    Examples
    --------
    >>> edges = pd.DataFrame({"from_value": ["a"], "to_value": ["b"], "wiser_likelihood": [1.0]})
    >>> mai_pagerank(edges).round(6).to_dict()  # a: 0.075; b: 0.075 + 0.85 * 0.075
    {'b': 0.13875, 'a': 0.075}
    """
    _check_edges(edges, "mai_pagerank", error)
    ends = np.column_stack([edges["from_value"].to_numpy(), edges["to_value"].to_numpy()]).ravel()
    codes, nodes = pd.factorize(pd.Series(ends, dtype=object))
    src, dst = codes[0::2], codes[1::2]
    n = len(nodes)
    w = edges["wiser_likelihood"].to_numpy(dtype=np.float64)
    out_weight = np.zeros(n)
    np.add.at(out_weight, src, w)
    rank = np.full(n, 1 / n) if n else np.zeros(0)
    for _ in range(ITERATIONS):
        new = np.full(n, (1 - DAMPING) / n) if n else np.zeros(0)
        np.add.at(new, dst, DAMPING * rank[src] * w / out_weight[src])
        rank = new
    scores = pd.Series(rank, index=pd.Index(nodes, dtype=object), name="score", dtype=np.float64)
    return scores.sort_values(ascending=False, kind="stable")


def mai_wisdom(edges: pd.DataFrame, *, error: ErrorType = ValueError) -> pd.Series:
    """MAI's "wisdom" score: the sum of ``wiser_likelihood`` over the kept pairs into a value.

    Only values whose sum exceeds 1 are listed, as in their report.

    Parameters
    ----------
    edges : pandas.DataFrame
        The kept pairs, as :func:`mai_edge_summary` returns them.
    error : type of Exception, default ValueError
        The exception raised for a malformed table.

    Returns
    -------
    pandas.Series
        Wisdom per value id (``to_value``), only those > 1, sorted descending.

    Examples
    --------
    >>> edges = pd.DataFrame({"from_value": ["a", "c", "a"], "to_value": ["b", "b", "c"],
    ...     "wiser_likelihood": [0.5, 0.75, 0.9]})
    >>> mai_wisdom(edges).to_dict()  # b: 0.5 + 0.75; c: 0.9 is not > 1
    {'b': 1.25}
    """
    _check_edges(edges, "mai_wisdom", error)
    sums = edges.groupby("to_value", sort=False)["wiser_likelihood"].sum().astype(np.float64)
    sums.index = pd.Index(sums.index, dtype=object)
    return (
        sums[sums > 1]
        .rename("wisdom")
        .rename_axis(None)
        .sort_values(ascending=False, kind="stable")
    )


def support_label(scores: pd.Series | np.ndarray, *, error: ErrorType = ValueError) -> str:
    """The support label of a context's winner, from that context's scores.

    ``z = (winner - mean) / std`` and ``gap = winner / runner_up``; "broadly supported" if
    ``z > 2.5`` and ``gap > 2``, "some support" if ``z > 1.5`` or ``gap > 1.5``, else
    "contested". ``std`` is the population standard deviation (``ddof=0``); MAI's code
    for this label was not found in their public repositories, so this choice is ours.
    Edge cases, from the formulas: if all scores are equal (``std == 0``, including a
    single value) ``z = 0``; if there is no runner-up or it scores 0, ``gap`` is infinite
    (a lone value thus gets "some support"); a tie for first gives ``gap = 1``.

    Parameters
    ----------
    scores : pandas.Series or array_like
        The scores of one context's values (e.g. :func:`mai_pagerank`), finite and >= 0.
    error : type of Exception, default ValueError
        The exception raised for empty, non-finite or negative scores.

    Returns
    -------
    str
        "broadly supported", "some support" or "contested".

    Examples
    --------
    >>> support_label(np.array([0.9, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]))
    'broadly supported'
    >>> support_label(np.array([0.3, 0.25, 0.2]))
    'contested'
    """
    s = np.asarray(scores, dtype=np.float64).ravel()
    if s.size == 0:
        raise error("support_label: no scores; a context needs at least one scored value.")
    if not np.isfinite(s).all() or (s < 0).any():
        raise error(f"support_label: scores must be finite and >= 0. Got {show(s)} instead.")
    ordered = np.sort(s)[::-1]
    winner = ordered[0]
    std = float(s.std())
    z = 0.0 if std == 0 else (winner - s.mean()) / std
    runner_up = ordered[1] if s.size > 1 else 0.0
    if runner_up > 0:
        gap = winner / runner_up
    else:
        gap = np.inf if winner > 0 else 1.0
    if z > 2.5 and gap > 2:
        return "broadly supported"
    if z > 1.5 or gap > 1.5:
        return "some support"
    return "contested"
