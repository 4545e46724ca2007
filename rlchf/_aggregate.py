"""Variant 1 of RLCHF: aggregate each prompt's judgments with a voting rule, emit training pairs.

:func:`aggregate_pairs` reads every prompt's profile (the evaluators' rankings of its
responses, or their pairwise judgments), applies any :mod:`socialchoice` rule to get a
collective ranking of the responses, and returns the pairs that ranking orders, ready for
a reward model or DPO (:func:`rlchf.to_trl`). All prompts of one shape are aggregated in one
batched call (see :mod:`rlchf._aggregate_profiles` and :mod:`rlchf._aggregate_levels`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from numpy.typing import NDArray

import socialchoice as sc
from _common.progress import report
from _common.validation import check_choice, check_float, show

from ._aggregate_levels import collective_levels, dense_levels
from ._aggregate_profiles import (
    Batch,
    Index,
    batches,
    index_pairwise,
    index_ranking,
    take_sorted,
)
from ._data import _check_data
from ._errors import AggregationError, PreferenceDataError, RLCHFError

__all__ = ["PAIRS", "TIE_BREAKS", "AggregationError", "aggregate_pairs"]

_FUNC = "aggregate_pairs"
#: Which pairs of the collective ranking become training pairs.
PAIRS = ("all", "adjacent")
#: How responses tied in the collective ranking are handled.
TIE_BREAKS = ("none", "response_id")
#: The rule name that emits the pairs a strict majority agrees on, without a ranking.
MAJORITY = "pairwise_majority"
COLUMNS = ["prompt_id", "prompt", "chosen", "rejected", "margin"]


def _rule(rule: object, kind: str) -> sc.Rule | None:
    """The registry rule (``None`` for pairwise majority), checked against the data's kind."""
    if isinstance(rule, str) and rule == MAJORITY:
        return None
    try:
        r = sc.RULES[rule] if isinstance(rule, str) else rule
    except KeyError:
        raise AggregationError(
            f"Unknown rule {rule!r}; expected {MAJORITY!r} or a socialchoice rule: "
            f"{', '.join(sc.rule_names())}.") from None
    if not isinstance(r, sc.Rule):
        raise AggregationError(
            f"The 'rule' parameter of {_FUNC} must be a rule name (str). Got {show(rule)} "
            "instead.")
    if r.needs == "profile" and kind == "pairwise":
        margin_rules = [n for n in sc.rule_names() if sc.RULES[n].needs == "margins"]
        raise AggregationError(
            f"Rule {r.name!r} needs each evaluator's ranking, but this is pairwise data, which "
            f"gives only pairwise margins. Use ranking data (kind='ranking') or a margin-based "
            f"rule: {MAJORITY}, {', '.join(margin_rules)}.")
    return r


def _annotator(frame: pd.DataFrame, idx: Index, prompt: int, voter: int) -> object:
    """The annotator id of evaluator slot ``voter`` of prompt number ``prompt``."""
    row = np.flatnonzero((idx.prompt == prompt) & (idx.voter == voter))[0]
    return frame["annotator_id"].iloc[row]


def _check_linear(rule: sc.Rule, batch: Batch, frame: pd.DataFrame, idx: Index) -> None:
    """Rules defined on strict, complete rankings: name the first ballot that is not one."""
    R = batch.ranks
    m = R.shape[-1]
    ok = (np.sort(np.minimum(R, m - 1), axis=-1) == np.arange(m)).all(axis=-1)
    if ok.all():
        return
    b, v = (int(i) for i in np.argwhere(~ok)[0])
    p = int(batch.prompts[b])
    pid = frame["prompt_id"].iloc[idx.prompt_rows[p]]
    raise AggregationError(
        f"Rule {rule.name!r} is defined on strict, complete rankings, but annotator "
        f"{show(_annotator(frame, idx, p, v))} ranks the responses of prompt {show(pid)} with "
        "a tie or leaves out more than one of them. Use a rule that accepts ties (e.g. "
        "copeland, minimax, schulze) or strict rankings.")


def _levels(rule: sc.Rule, batch: Batch, time_limit: float | None) -> NDArray:
    return collective_levels(rule, batch.margins, batch.ranks, batch.weights,
                             time_limit=time_limit)


def _first_failing(rule: sc.Rule, batch: Batch, time_limit: float | None) -> int:
    """Position of a profile the rule raises on, by bisection (batched calls only)."""
    lo, hi = 0, len(batch.prompts)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        part = Batch(*(None if x is None else x[lo:mid] for x in (
            batch.prompts, batch.cands, batch.margins, batch.evaluators, batch.ranks,
            batch.weights)))
        try:
            _levels(rule, part, time_limit)
        except sc.RuleInputError:
            hi = mid
        else:
            lo = mid
    return lo


def _safe_levels(rule: sc.Rule, batch: Batch, time_limit: float | None,
                 frame: pd.DataFrame, idx: Index) -> NDArray:
    """Collective levels; a rule's input error is re-raised naming the prompt."""
    if rule.linear_only:
        _check_linear(rule, batch, frame, idx)
    try:
        return _levels(rule, batch, time_limit)
    except sc.RuleInputError as exc:
        b = _first_failing(rule, batch, time_limit)
        p = int(batch.prompts[b])
        pid = frame["prompt_id"].iloc[idx.prompt_rows[p]]
        raise AggregationError(f"Rule {rule.name!r} cannot aggregate prompt {show(pid)}"
                               f"{_named(rule, batch, b, frame, idx, exc)}") from None


def _named(rule: sc.Rule, batch: Batch, b: int, frame: pd.DataFrame, idx: Index,
           exc: Exception) -> str:
    """socialchoice's message for profile ``b`` with responses and annotators named."""
    if batch.ranks is None:
        return f": {exc}"
    labels = [idx.ids[k] for k in idx.cand_keys[batch.cands[b]]]
    ballots = []
    for row in batch.ranks[b]:
        tiers = [tuple(labels[c] for c in np.flatnonzero(row == k)) for k in np.unique(row)
                 if k < len(labels)]
        ballots.append([t[0] if len(t) == 1 else t for t in tiers])
    try:
        sc.winners(sc.Profile(ballots, candidates=labels), rule.name)
    except sc.RuleInputError as named:
        p = int(batch.prompts[b])
        who = ", ".join(show(_annotator(frame, idx, p, v)) for v in range(len(ballots)))
        return f" (its ballots, in order, are annotators {who}): {named}"
    return f": {exc}"


def _strict_by_id(levels: NDArray, id_rank: NDArray) -> NDArray:
    """Ties of each row broken by ``id_rank`` (smaller first)."""
    m = levels.shape[1]
    within = np.argsort(np.argsort(id_rank, axis=1, kind="stable"), axis=1, kind="stable")
    return dense_levels(levels * m + within)


def _ordered_pairs(batch: Batch, levels: NDArray, pairs: str) -> tuple[NDArray, ...]:
    """(profile, chosen slot, rejected slot) of the pairs the levels order strictly."""
    m = levels.shape[1]
    order = np.argsort(levels, axis=1, kind="stable")
    sl = np.take_along_axis(levels, order, axis=1)
    i, j = np.triu_indices(m, 1)
    keep = sl[:, j] > sl[:, i] if pairs == "all" else sl[:, j] == sl[:, i] + 1
    b, k = np.nonzero(keep)
    return b, order[b, i[k]], order[b, j[k]]


def _majority_pairs(batch: Batch) -> tuple[NDArray, ...]:
    """(profile, chosen slot, rejected slot) of every pair with a positive margin."""
    m = batch.margins.shape[1]
    i, j = np.triu_indices(m, 1)
    s = batch.margins[:, i, j]
    b, k = np.nonzero(s != 0)
    up = s[b, k] > 0
    return b, np.where(up, i[k], j[k]), np.where(up, j[k], i[k])


def _id_ranks(idx: Index) -> NDArray:
    """Each candidate's position when the response ids are sorted."""
    try:
        order = idx.ids.argsort()
    except TypeError:
        raise RLCHFError(
            "tie_break='response_id' needs response ids that can be sorted; these mix types "
            f"(e.g. {show(idx.ids[0])} and {show(idx.ids[-1])}).") from None
    rank = np.empty(len(idx.ids), dtype=np.int64)
    rank[order] = np.arange(len(idx.ids))
    return rank[idx.cand_keys]


def _frame(frame: pd.DataFrame, idx: Index, kind: str, parts: list[tuple[NDArray, ...]]
           ) -> pd.DataFrame:
    """The output table from the pairs of every group, in prompt order."""
    if parts:
        prompt, chosen, rejected, margin = (np.concatenate(x) for x in zip(*parts, strict=True))
    else:
        prompt = chosen = rejected = np.zeros(0, dtype=np.int64)
        margin = np.zeros(0)
    if len(parts) > 1:
        order = np.argsort(prompt, kind="stable")
        prompt, chosen, rejected, margin = prompt[order], chosen[order], rejected[order], \
            margin[order]
    # take each prompt's and candidate's text once (one pass over the long columns), then
    # index those short arrays
    prompt_ids = take_sorted(frame["prompt_id"], idx.prompt_rows)
    prompts = take_sorted(frame["prompt"], idx.prompt_rows)
    if kind == "ranking":
        texts = take_sorted(frame["response"], idx.cand_first)
    else:
        texts = take_sorted(pd.Series(idx.ids.array), idx.cand_keys)
    return pd.DataFrame({
        "prompt_id": take_sorted(pd.Series(prompt_ids), prompt),
        "prompt": take_sorted(pd.Series(prompts), prompt),
        "chosen": take_sorted(pd.Series(texts), chosen),
        "rejected": take_sorted(pd.Series(texts), rejected),
        "margin": margin,
    }, columns=COLUMNS)


def _check_options(pairs: object, tie_break: object, time_limit: object, rule: sc.Rule | None
                   ) -> float | None:
    check_choice(pairs, "pairs", _FUNC, PAIRS, error=RLCHFError)
    check_choice(tie_break, "tie_break", _FUNC, TIE_BREAKS, error=RLCHFError)
    if rule is None and pairs == "adjacent":
        raise RLCHFError(
            f"pairs='adjacent' needs a collective ranking, and rule={MAJORITY!r} makes none (it "
            "emits every pair a strict majority agrees on); use pairs='all' or a ranking rule.")
    if time_limit is None:
        return None
    return check_float(time_limit, "time_limit", _FUNC, 0.0, error=RLCHFError)


def aggregate_pairs(
    data: object,
    rule: str = "copeland",
    *,
    pairs: str = "all",
    tie_break: str = "none",
    time_limit: float | None = sc.DEFAULT_TIME_LIMIT,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Training pairs from each prompt's collective ranking under a voting rule (RLCHF variant 1).

    Parameters
    ----------
    data : PreferenceData
        Ranking or pairwise judgments. Every prompt's evaluators form one profile over its
        responses; for pairwise data the judgments are summed into pairwise margins directly
        (label 1 is +1 for ``response_a`` over ``response_b``, 0 is -1, 0.5 is 0; an
        annotator's repeated judgments of one pair count as their mean).
    rule : str, default "copeland"
        A :data:`socialchoice.RULES` name, or ``"pairwise_majority"``: every pair a strict
        majority prefers (positive margin), without a ranking. How each rule ranks (its score,
        its order, or repeated winner removal) is in :mod:`rlchf._aggregate_levels`.
        Rules that need the ballots (Borda, plurality, instant runoff, ...) need ranking data.
    pairs : {"all", "adjacent"}
        ``"all"``: every pair of responses the collective ranking orders strictly (responses
        tied in the ranking form no pair); ``"adjacent"``: only responses of neighbouring
        tiers.
    tie_break : {"none", "response_id"}
        ``"none"``: tied responses form no pair. ``"response_id"``: ties in the collective
        ranking are broken by response id, smallest first (for pairwise data the id is the
        response text), so every pair is ordered. Pairwise majority ignores it (a pair without
        a strict majority is not a preference).
    time_limit : float or None, default 10
        Seconds for each search of rules that can take exponential time (Kemeny, Slater,
        ranked pairs, stable voting); ``None`` for no limit.
    progress : callable, optional
        ``progress(prompts_done, prompts_total)``, called after each group of prompts.

    Returns
    -------
    pandas.DataFrame
        Columns ``prompt_id, prompt, chosen, rejected, margin``: ``chosen`` and ``rejected``
        are response texts; ``margin`` is the normalised pairwise margin
        ``M[chosen, rejected] / n`` in [-1, 1], with ``M`` the number of the prompt's
        evaluators preferring ``chosen`` minus those preferring ``rejected`` and ``n`` the
        number of the prompt's evaluators (an evaluator who tied them, or did not rank both
        of them, counts 0). It can be negative when a rule orders a pair against its majority
        (e.g. Borda). Rows come in prompt order (first appearance), then best response first.

    Raises
    ------
    PreferenceDataError
        ``data`` is not a PreferenceData.
    AggregationError
        Unknown rule; a ballot-based rule given pairwise data; ballots the rule is not
        defined on (the message names the prompt and, where known, the annotator).
    RLCHFError
        A bad ``pairs``, ``tie_break`` or ``time_limit``.
    socialchoice.TimeLimitError
        A search did not finish within ``time_limit``.

    Notes
    -----
    Prompts with the same number of responses (and, for ranking data, of evaluators) are
    aggregated together with :func:`socialchoice.margins` and the rule's batched functions:
    the Python loops run over these groups, never over prompts.

    Examples
    --------
    >>> import pandas as pd
    >>> from rlchf import PreferenceData, aggregate_pairs
    >>> df = pd.DataFrame({
    ...     "prompt_id": 1, "prompt": "Greet me.", "response_id": [0, 1, 2] * 3,
    ...     "response": ["Hi!", "Hello there.", "Go away."] * 3,
    ...     "annotator_id": ["ann"] * 3 + ["bob"] * 3 + ["cy"] * 3,
    ...     "rank": [0, 1, 2, 1, 0, 2, 0, 2, 1]})
    >>> data = PreferenceData.from_pandas(df, kind="ranking")
    >>> aggregate_pairs(data, "copeland")
       prompt_id     prompt         chosen      rejected    margin
    0          1  Greet me.            Hi!  Hello there.  0.333333
    1          1  Greet me.            Hi!      Go away.  1.000000
    2          1  Greet me.   Hello there.      Go away.  0.333333
    """
    data = _check_data(data, _FUNC)
    r = _rule(rule, data.kind)
    time_limit = _check_options(pairs, tie_break, time_limit, r)
    frame = data.frame
    known = getattr(data, "_known", None)
    idx = index_ranking(frame, known) if data.kind == "ranking" else \
        index_pairwise(frame, known)
    one = np.flatnonzero(idx.m < 2)
    if len(one):
        pid = frame["prompt_id"].iloc[idx.prompt_rows[one[0]]]
        raise PreferenceDataError(f"prompt {show(pid)} has one response; a preference needs two.")
    id_rank = _id_ranks(idx) if tie_break == "response_id" and r is not None else None
    total, done = len(idx.m), 0
    report(progress, 0, total)
    parts = []
    profile = r is not None and r.needs == "profile"
    for batch in batches(idx, frame, data.kind, profile):
        if r is None:
            b, ci, cj = _majority_pairs(batch)
        else:
            levels = _safe_levels(r, batch, time_limit, frame, idx)
            if id_rank is not None:
                levels = _strict_by_id(levels, id_rank[batch.cands])
            b, ci, cj = _ordered_pairs(batch, levels, pairs)
        margin = batch.margins[b, ci, cj] / batch.evaluators[b]
        parts.append((batch.prompts[b], batch.cands[b, ci], batch.cands[b, cj], margin))
        done += len(batch.prompts)
        report(progress, done, total)
    return _frame(frame, idx, data.kind, parts)
