"""Polis group statistics: group-aware consensus, representative and consensus statements.

Counts per group and statement (``na`` agree, ``nd`` disagree, ``ns`` seen = any vote,
passes included) give every statistic of Polis's ``repness.clj`` / red-dwarf's
``utils/stats.py``:

* ``pa = (na + 1) / (ns + 2)``, ``pd = (nd + 1) / (ns + 2)`` (Laplace smoothing);
* ``pat``, ``pdt``: one-proportion z, ``2 √(ns+1) ((na+1)/(ns+1) − ½)``;
* ``ra = pa(g) / pa(¬g)``, ``rd`` likewise, where ¬g pools the *other groups* (participants in
  no group are in no statistic of a group);
* ``rat``, ``rdt``: two-proportion z of g against ¬g, every count plus one, 0 when the
  pooled proportion is 1.

The counts are vectorised over participants and statements (per block of participants and per
group, column-wise ``count_nonzero``): a 100,000 × 1,000 conversation is counted in a third
of a second.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from _common.validation import check_choice

from .._errors import VoteMatrixError
from ._input import as_columns, as_groups, as_vote_matrix, z_of

__all__ = [
    "ConsensusResult",
    "ConsensusStatement",
    "RepresentativeStatement",
    "consensus_statements",
    "group_aware_consensus",
    "representative_statements",
]

Direction = Literal["agree", "disagree"]
_FIELDS = ("na", "nd", "ns", "pa", "pd", "pat", "pdt", "ra", "rd", "rat", "rdt")
_CELLS_PER_BLOCK = 1 << 21


@dataclass(frozen=True)
class RepresentativeStatement:
    """A statement that represents a group: its counts, probabilities and z-scores there.

    ``direction`` is ``"agree"`` when ``rat > rdt`` (Polis's ``repful-for``); the properties
    ``n_success``, ``p``, ``p_test``, ``repness`` and ``repness_test`` pick that direction's
    numbers. ``best_agree`` marks the statement Polis puts first as the group's best agreement;
    its ``direction`` is still chosen by ``rat > rdt``, so it can read ``"disagree"`` (Polis
    and red-dwarf do the same). ``n_agree`` is always the agree count (Polis's ``n-agree``;
    red-dwarf's ``n-agree`` is ``n_success``, the disagree count for such a statement).
    """

    statement: int
    direction: Direction
    n_agree: int
    n_disagree: int
    n_seen: int
    pa: float
    pd: float
    pat: float
    pdt: float
    ra: float
    rd: float
    rat: float
    rdt: float
    best_agree: bool = False

    @property
    def n_success(self) -> int:
        return self.n_agree if self.direction == "agree" else self.n_disagree

    @property
    def p(self) -> float:
        return self.pa if self.direction == "agree" else self.pd

    @property
    def p_test(self) -> float:
        return self.pat if self.direction == "agree" else self.pdt

    @property
    def repness(self) -> float:
        return self.ra if self.direction == "agree" else self.rd

    @property
    def repness_test(self) -> float:
        return self.rat if self.direction == "agree" else self.rdt


@dataclass(frozen=True)
class ConsensusStatement:
    """A statement agreed (or disagreed) with overall: ``p`` its smoothed share, ``z`` its test."""

    statement: int
    direction: Direction
    n_agree: int
    n_disagree: int
    n_seen: int
    p: float
    z: float

    @property
    def n_success(self) -> int:
        return self.n_agree if self.direction == "agree" else self.n_disagree


@dataclass(frozen=True)
class ConsensusResult:
    """Consensus statements, strongest first: ``agree`` and ``disagree`` lists."""

    agree: list[ConsensusStatement]
    disagree: list[ConsensusStatement]


# ----------------------------------------------------------------------------- counting


def _counts(V: NDArray, labels: NDArray, G: int) -> NDArray[np.int64]:
    """``(3, G, m)`` counts of agree, disagree and seen per group (labels -1 are skipped)."""
    n, m = V.shape
    out = np.zeros((3, G, m), dtype=np.int64)
    step = max(1, _CELLS_PER_BLOCK // m)
    for start in range(0, n, step):  # blocks of participants bound the temporaries' memory
        block, lab = V[start : start + step], labels[start : start + step]
        for g in range(G):  # a handful of groups
            member = lab == g
            rows = block if member.all() else block[member]
            out[0, g] += np.count_nonzero(rows == 1.0, axis=0)
            out[1, g] += np.count_nonzero(rows == -1.0, axis=0)
            out[2, g] += np.count_nonzero(~np.isnan(rows), axis=0)
    return out


def _one_prop(succ: NDArray, n: NDArray) -> NDArray:
    succ, n = succ + 1, n + 1
    return 2 * np.sqrt(n) * ((succ / n) - 0.5)


def _two_prop(succ_in: NDArray, succ_out: NDArray, n_in: NDArray, n_out: NDArray) -> NDArray:
    succ_in, succ_out, n_in, n_out = succ_in + 1, succ_out + 1, n_in + 1, n_out + 1
    pi_hat = (succ_in + succ_out) / (n_in + n_out)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (succ_in / n_in - succ_out / n_out) / np.sqrt(
            pi_hat * (1 - pi_hat) * (1 / n_in + 1 / n_out)
        )
    return np.where(pi_hat == 1, 0.0, z)


def _stats(na: NDArray, nd: NDArray, ns: NDArray) -> dict[str, NDArray]:
    """Per-group statistics from ``(G, m)`` counts; the out-group of g is the other groups."""
    s = {"na": na, "nd": nd, "ns": ns}
    s["pa"], s["pd"] = (1 + na) / (2 + ns), (1 + nd) / (2 + ns)
    s["pat"], s["pdt"] = _one_prop(na, ns), _one_prop(nd, ns)
    na_o, nd_o, ns_o = (x.sum(axis=0) - x for x in (na, nd, ns))
    s["ra"] = s["pa"] / ((1 + na_o) / (2 + ns_o))
    s["rd"] = s["pd"] / ((1 + nd_o) / (2 + ns_o))
    s["rat"], s["rdt"] = _two_prop(na, na_o, ns, ns_o), _two_prop(nd, nd_o, ns, ns_o)
    return s


def _group_stats(V: NDArray, groups: NDArray) -> tuple[NDArray, dict[str, NDArray]]:
    ids, labels = np.unique(groups, return_inverse=True)
    if ids[0] < 0:  # -1 (no group) sorts first: shift it out
        ids, labels = ids[1:], labels - 1
    return ids, _stats(*_counts(V, labels, ids.size))


# ----------------------------------------------------------------------------- public


def group_aware_consensus(
    V: ArrayLike, groups: ArrayLike, *, direction: Direction = "agree"
) -> NDArray[np.float64]:
    """Polis's group-aware consensus of every statement: ``Π_g p_a(g, c)``.

    ``p_a(g, c) = (n_agree + 1) / (n_seen + 2)`` over the participants of group ``g`` (a pass
    counts as seen). A statement scores high only if *every* group tends to agree, however
    small the group. Participants with group -1 are ignored. ``direction="disagree"`` gives
    the same product of ``p_d`` (red-dwarf's ``group-aware-consensus-disagree``; Polis itself
    computes only the agree product).

    This is Polis's formula (``:group-aware-consensus`` in ``conversation.clj``: per group,
    ``(A + 1.0) / (S + 2.0)`` with ``A`` the agrees and ``S`` every vote, then the product
    over the groups), which newer exports write as ``group-informed-consensus`` in
    comments.csv. Given the export's latest votes and its ``group-id`` column, the result
    equals that column to within 2 units in the last place (bg2050-volunteers: all 371
    comments, 264 bit for bit; the last bits of Polis's stored values are not reproduced by
    any order of this arithmetic, see ``data/polis/README.md``).

    Parameters
    ----------
    V : array_like, shape (n, m)
        Votes: +1 agree, -1 disagree, 0 pass, NaN unseen.
    groups : array_like of int, shape (n,)
        Group id per participant, -1 for none.
    direction : {"agree", "disagree"}

    Returns
    -------
    ndarray of float, shape (m,)

    References
    ----------
    compdemocracy/polis, ``math/src/polismath/math/conversation.clj`` (``:group-aware-consensus``);
    Anthropic & Collective Intelligence Project (2023), "Collective Constitutional AI", §2.

    Examples
    --------
    >>> import numpy as np
    >>> V = np.array([[1, 1], [1, -1], [1, np.nan], [0, 1]])
    >>> group_aware_consensus(V, [0, 0, 1, 1]).round(4)   # (3/4)·(2/4), (2/4)·(2/3)
    array([0.375 , 0.3333])
    """
    func = "group_aware_consensus"
    check_choice(direction, "direction", func, ("agree", "disagree"), error=VoteMatrixError)
    V = as_vote_matrix(V, func)
    _, s = _group_stats(V, as_groups(groups, V.shape[0], func))
    return s["pa" if direction == "agree" else "pd"].prod(axis=0)


def _records(metric: NDArray, eligible: NDArray, j: int) -> NDArray[np.intp]:
    """Positions after ``j`` where ``metric`` beats everything eligible since ``j``."""
    seg = np.where(eligible[j + 1 :], metric[j + 1 :], -np.inf)
    prior = np.maximum.accumulate(np.concatenate(([metric[j]], seg)))[:-1]
    return j + 1 + np.flatnonzero(seg > prior)


def _best_agree(s: dict[str, NDArray], z: float) -> int:
    """Polis's ``beats-best-agr?`` scan in statement order; -1 when nothing qualifies."""
    voted = (s["na"] + s["nd"]) > 0
    first = np.flatnonzero(voted & ((s["pat"] > z) | ((s["ra"] > 1.0) & (s["pa"] > 0.5))))
    if first.size == 0:
        return -1
    by_rep = s["ra"] > 1.0  # which metric the current best is beaten by
    metrics = (s["pa"] * s["pat"], s["ra"] * s["rat"] * s["pa"] * s["pat"])
    j = int(first[0])
    while True:  # one pass per switch between the two metrics
        rec = _records(metrics[int(by_rep[j])], voted, j)
        switch = rec[by_rep[rec] != by_rep[j]]
        if switch.size:
            j = int(switch[0])
        else:
            return int(rec[-1]) if rec.size else j


def _select_group(s: dict[str, NDArray], z: float, top: int) -> list[tuple[int, bool]]:
    """Indices (into the candidate columns) Polis selects for one group, and best-agree flags."""
    agree_dir = s["rat"] > s["rdt"]
    sig = ((s["pat"] > z) & (s["rat"] > z)) | ((s["pdt"] > z) & (s["rdt"] > z))
    best = _best_agree(s, z)
    if sig.any():
        if best < 0:  # red-dwarf drops the significant statements here (Polis keeps them)
            return []
        rep_a = s["ra"] * s["rat"] * s["pa"] * s["pat"]
        metric = np.where(agree_dir, rep_a, s["rd"] * s["rdt"] * s["pd"] * s["pdt"])
        suff = np.flatnonzero(sig)
        suff = suff[np.argsort(-metric[suff], kind="stable")]
        chosen = [best, *(int(i) for i in suff if i != best)]
    elif best >= 0:
        chosen = [best]
    elif s["rat"].size:
        chosen = [int(np.argmax(np.maximum(s["rat"], s["rdt"])))]
    else:
        chosen = []
    chosen = sorted(chosen[:top], key=lambda i: not agree_dir[i])  # stable: agrees first
    return [(i, i == best) for i in chosen]


def representative_statements(
    V: ArrayLike,
    groups: ArrayLike,
    *,
    top: int = 5,
    confidence: float = 0.90,
    exclude: ArrayLike | None = None,
) -> dict[int, list[RepresentativeStatement]]:
    """The statements that set each opinion group apart, selected exactly as Polis does.

    For group ``g`` (compared with the pooled other groups; participants with group -1 are
    left out) a statement is *significant* if ``pat`` and ``rat`` — or ``pdt`` and ``rdt`` —
    exceed the one-sided critical value ``z`` of ``confidence`` (1.28155 at 90%). Polis's
    ``select-rep-comments``:

    1. the *best agree*: scanning statements in column order, the first voted-on statement
       with ``pat > z`` or (``ra > 1`` and ``pa > ½``), replaced by each later one that beats
       it on ``ra·rat·pa·pat`` (if the current best has ``ra > 1``) or else on ``pa·pat``;
    2. significant statements sorted by ``repness · repness_test · p · p_test`` of their
       direction (``"agree"`` if ``rat > rdt``), best agree first, at most ``top``;
    3. with no significant statement: the best agree alone, or else the statement of largest
       ``max(rat, rdt)``;
    4. agrees before disagrees (stable).

    Deviations (this follows red-dwarf 0.4.0, the test oracle): the critical value is
    ``scipy.stats.norm.ppf(confidence)`` (Polis hard-codes 1.2816); when a group has
    significant statements but no best agree, red-dwarf returns *no* statement (Polis returns
    the sorted significant ones); Polis rounds ``repness-test`` to 32-bit float in its output
    and in the fallback comparison of step 3 (here float64, as red-dwarf). Exact ties of the
    sort metric keep column order (Polis's stable ``sort-by``; red-dwarf's pandas quicksort
    may order exact ties otherwise).

    Parameters
    ----------
    V : array_like, shape (n, m)
        Votes: +1 agree, -1 disagree, 0 pass, NaN unseen.
    groups : array_like of int, shape (n,)
        Group id per participant, -1 for none.
    top : int
        At most this many statements per group (Polis: 5).
    confidence : float
        One-sided significance level of the z-tests (Polis: 0.90).
    exclude : array_like, optional
        Statements never selected (Polis's ``mod-out``: moderated out), as column indices or
        a boolean mask; the statistics of the others do not change. For a
        :class:`Conversation` ``conv``, Polis's mod-out is
        ``[s.moderated == -1 for s in conv.statements]``.

    Returns
    -------
    dict
        Group id (ascending) -> list of :class:`RepresentativeStatement`.

    References
    ----------
    Small, C. et al. (2021). "Polis: Scaling deliberation by mapping high dimensional opinion
    spaces", *Recerca* 26(2); compdemocracy/polis ``math/src/polismath/math/repness.clj``;
    red-dwarf ``utils/stats.py`` (``select_representative_statements``).

    Examples
    --------
    >>> import numpy as np
    >>> V = np.array([[1, -1]] * 6 + [[-1, 1]] * 6)
    >>> rep = representative_statements(V, [0] * 6 + [1] * 6)
    >>> [(r.statement, r.direction, r.best_agree) for r in rep[0]]
    [(0, 'agree', True), (1, 'disagree', False)]
    >>> round(rep[0][0].pa, 4), round(rep[0][0].ra, 4), round(rep[0][0].rat, 4)
    (0.875, 7.0, 3.2404)
    """
    func = "representative_statements"
    V = as_vote_matrix(V, func)
    n, m = V.shape
    ids, s = _group_stats(V, as_groups(groups, n, func))
    z = z_of(top, confidence, func)
    cols = np.flatnonzero(~as_columns(exclude, m, "exclude", func))
    out: dict[int, list[RepresentativeStatement]] = {}
    for k, gid in enumerate(ids.tolist()):  # loop over groups (a handful)
        sg = {f: s[f][k, cols] for f in _FIELDS}
        out[gid] = [
            _representative(int(cols[i]), {f: sg[f][i] for f in _FIELDS}, best)
            for i, best in _select_group(sg, z, top)
        ]
    return out


def _representative(c: int, v: dict, best: bool) -> RepresentativeStatement:
    ints = {f: int(v[f]) for f in ("na", "nd", "ns")}
    floats = {f: float(v[f]) for f in _FIELDS[3:]}
    return RepresentativeStatement(
        statement=c,
        direction="agree" if floats["rat"] > floats["rdt"] else "disagree",
        n_agree=ints["na"],
        n_disagree=ints["nd"],
        n_seen=ints["ns"],
        best_agree=best,
        **floats,
    )


def consensus_statements(
    V: ArrayLike,
    *,
    top: int = 5,
    groups: ArrayLike | None = None,
    confidence: float = 0.90,
    prob_threshold: float = 0.5,
    exclude: ArrayLike | None = None,
) -> ConsensusResult:
    """Statements most agreed and most disagreed with overall, as Polis selects them.

    Over all participants (Polis and red-dwarf count everyone who voted, grouped or not),
    a statement is an agree candidate if ``pa > prob_threshold`` and ``pat > z``
    (``z = norm.ppf(confidence)``); candidates are ranked by ``pa · pat``, at most ``top``
    kept. Disagree likewise with ``pd``, ``pdt``. Ties keep column order (Polis's stable sort;
    red-dwarf ranks ties with pandas' quicksort). Polis hard-codes z = 1.2816; red-dwarf,
    followed here, uses ``norm.ppf(0.90) = 1.28155``.

    Parameters
    ----------
    V : array_like, shape (n, m)
        Votes: +1 agree, -1 disagree, 0 pass, NaN unseen.
    top : int
        At most this many statements per direction (Polis: 5).
    groups : array_like of int, shape (n,), optional
        If given, only participants in a group (id >= 0) are counted — not Polis's default.
    confidence, prob_threshold : float
        Significance level of the one-proportion test and the minimum smoothed share.
    exclude : array_like, optional
        Statements never selected (moderated out), as column indices or a boolean mask.

    Returns
    -------
    ConsensusResult
        ``agree`` and ``disagree`` lists of :class:`ConsensusStatement`, strongest first.

    References
    ----------
    compdemocracy/polis ``math/src/polismath/math/repness.clj`` (``select-consensus-comments``);
    red-dwarf ``utils/consensus.py`` (``select_consensus_statements``).

    Examples
    --------
    >>> import numpy as np
    >>> V = np.array([[1, -1, 0]] * 5 + [[1, 1, 1]])
    >>> res = consensus_statements(V)
    >>> [(c.statement, c.n_agree, c.n_seen, round(c.p, 4)) for c in res.agree]
    [(0, 6, 6, 0.875)]
    >>> [(c.statement, c.n_disagree, round(c.z, 4)) for c in res.disagree]
    [(1, 5, 1.8898)]
    """
    func = "consensus_statements"
    V = as_vote_matrix(V, func)
    n, m = V.shape
    labels = (np.zeros(n, dtype=np.int64) if groups is None
              else np.minimum(as_groups(groups, n, func), 0))
    z = z_of(top, confidence, func)
    na, nd, ns = (x[0] for x in _counts(V, labels, 1))
    keep = ~as_columns(exclude, m, "exclude", func)
    pa, pd = (1 + na) / (2 + ns), (1 + nd) / (2 + ns)
    pat, pdt = _one_prop(na, ns), _one_prop(nd, ns)
    lists: dict[str, list[ConsensusStatement]] = {}
    for direction, p, t in (("agree", pa, pat), ("disagree", pd, pdt)):
        idx = np.flatnonzero(keep & (p > prob_threshold) & (t > z))
        idx = idx[np.argsort(-(p * t)[idx], kind="stable")][:top]
        lists[direction] = [
            ConsensusStatement(
                int(c), direction, int(na[c]), int(nd[c]), int(ns[c]), float(p[c]), float(t[c])
            )
            for c in idx
        ]
    return ConsensusResult(**lists)


# ----------------------------------------------------------------------------- references


def _stats_reference(votes: list[list[float]]) -> list[dict[str, float]]:
    """Statistics of one statement in every group, from per-group vote lists (Polis's way)."""

    def one_prop(succ: float, n: float) -> float:
        return 2 * math.sqrt(n + 1) * ((succ + 1) / (n + 1) - 0.5)

    def two_prop(s_in: float, s_out: float, n_in: float, n_out: float) -> float:
        s_in, s_out, n_in, n_out = s_in + 1, s_out + 1, n_in + 1, n_out + 1
        pi_hat = (s_in + s_out) / (n_in + n_out)
        if pi_hat == 1:
            return 0.0
        return (s_in / n_in - s_out / n_out) / math.sqrt(
            pi_hat * (1 - pi_hat) * (1 / n_in + 1 / n_out)
        )

    counts = [
        (sum(v == 1 for v in vs), sum(v == -1 for v in vs), sum(not math.isnan(v) for v in vs))
        for vs in votes
    ]
    out = []
    for g, (na, nd, ns) in enumerate(counts):
        na_o, nd_o, ns_o = (sum(c[i] for h, c in enumerate(counts) if h != g) for i in range(3))
        pa, pd = (1 + na) / (2 + ns), (1 + nd) / (2 + ns)
        out.append(
            {
                "na": na, "nd": nd, "ns": ns, "pa": pa, "pd": pd,
                "pat": one_prop(na, ns), "pdt": one_prop(nd, ns),
                "ra": pa / ((1 + na_o) / (2 + ns_o)), "rd": pd / ((1 + nd_o) / (2 + ns_o)),
                "rat": two_prop(na, na_o, ns, ns_o), "rdt": two_prop(nd, nd_o, ns, ns_o),
            }
        )  # fmt: skip
    return out


def _columns_reference(V: NDArray, groups: NDArray) -> tuple[list[int], list[list[dict]]]:
    ids = sorted({int(g) for g in groups if g >= 0})
    per = [
        _stats_reference([[V[i, c] for i in range(len(V)) if groups[i] == g] for g in ids])
        for c in range(V.shape[1])
    ]
    return ids, per  # per[c][k]: statement c in group ids[k]


def _group_aware_consensus_reference(V: ArrayLike, groups: ArrayLike, direction: str) -> list:
    V = as_vote_matrix(V, "reference")
    _, per = _columns_reference(V, as_groups(groups, len(V), "reference"))
    key = "pa" if direction == "agree" else "pd"
    return [math.prod(st[key] for st in col) for col in per]


def _repness_reference(
    V: ArrayLike, groups: ArrayLike, top: int = 5, confidence: float = 0.9, exclude=None
) -> dict[int, list[RepresentativeStatement]]:
    """Statement-by-statement port of Polis's ``select-rep-comments`` (red-dwarf variant)."""
    V = as_vote_matrix(V, "reference")
    ids, per = _columns_reference(V, as_groups(groups, len(V), "reference"))
    z = z_of(top, confidence, "reference")
    skip = as_columns(exclude, V.shape[1], "exclude", "reference")
    out = {}
    for k, gid in enumerate(ids):
        best, best_agree, sufficient = None, None, []
        for c, col in enumerate(per):
            if skip[c]:
                continue
            st = dict(col[k], c=c)
            if (st["pat"] > z and st["rat"] > z) or (st["pdt"] > z and st["rdt"] > z):
                sufficient.append(st)
            if not sufficient and (best is None or max(st["rat"], st["rdt"]) > best["mx"]):
                best = dict(st, mx=max(st["rat"], st["rdt"]))
            if st["na"] == 0 and st["nd"] == 0:
                continue
            if best_agree is None:
                if st["pat"] > z or (st["ra"] > 1.0 and st["pa"] > 0.5):
                    best_agree = st
            elif best_agree["ra"] > 1.0:
                keys = ("ra", "rat", "pa", "pat")
                if math.prod(st[x] for x in keys) > math.prod(best_agree[x] for x in keys):
                    best_agree = st
            elif st["pa"] * st["pat"] > best_agree["pa"] * best_agree["pat"]:
                best_agree = st

        def metric(st: dict) -> float:
            if st["rat"] > st["rdt"]:
                return st["ra"] * st["rat"] * st["pa"] * st["pat"]
            return st["rd"] * st["rdt"] * st["pd"] * st["pdt"]

        if not sufficient:
            chosen = [best_agree or best] if (best_agree or best) else []
        elif best_agree is None:
            chosen = []  # red-dwarf; Polis would keep the sorted sufficient statements
        else:
            rest = [s for s in sufficient if s["c"] != best_agree["c"]]
            chosen = [best_agree, *sorted(rest, key=metric, reverse=True)]
        chosen = chosen[:top]
        chosen = [s for s in chosen if s["rat"] > s["rdt"]] + [
            s for s in chosen if not s["rat"] > s["rdt"]
        ]
        out[gid] = [
            _representative(s["c"], s, best_agree is not None and s["c"] == best_agree["c"])
            for s in chosen
        ]
    return out


def _consensus_reference(
    V: ArrayLike, top: int = 5, confidence: float = 0.9, prob_threshold: float = 0.5, exclude=None
) -> ConsensusResult:
    V = as_vote_matrix(V, "reference")
    z = z_of(top, confidence, "reference")
    skip = as_columns(exclude, V.shape[1], "exclude", "reference")
    stats = [_stats_reference([list(V[:, c])])[0] for c in range(V.shape[1])]
    lists = {}
    for direction, p, t in (("agree", "pa", "pat"), ("disagree", "pd", "pdt")):
        cand = [
            c for c, st in enumerate(stats) if not skip[c] and st[p] > prob_threshold and st[t] > z
        ]
        cand.sort(key=lambda c: -(stats[c][p] * stats[c][t]))  # stable: ties keep column order
        lists[direction] = [
            ConsensusStatement(c, direction, *(stats[c][x] for x in ("na", "nd", "ns", p, t)))
            for c in cand[:top]
        ]
    return ConsensusResult(**lists)
