"""Per-prompt profiles of long-form preference data, batched by shape (private).

:func:`index_ranking` and :func:`index_pairwise` code a validated frame once: prompts
(in order of first appearance), candidates (a prompt's distinct responses, numbered 0..m-1
in ascending order of response id, for pairwise data of response text),
evaluators (a prompt's distinct annotators) and each row's cell. :func:`batches` then yields
the prompts in groups of one shape, each as dense arrays: margins ``(B, m, m)``, the number of
evaluators, and for ranking data the ballots ``(B, n, m)``. Everything is hashing
(:func:`pandas.factorize`), counting and scattering over whole columns; the only loops are
over the groups of one shape.

Prompts are grouped by their number of responses ``m`` and, for ranking data, their number of
evaluators ``n``. For margin-based rules ``n`` is rounded up to a power of two above 16 and the
missing evaluators are padding ballots of weight 0 (margins are sums over weighted ballots, so
padding changes nothing); rules that read the ballots get groups of one exact ``n``, without
padding.

A response an evaluator did not rank is not compared with the others by that evaluator: it
adds nothing to the margins (as pref_voting's default for truncated ballots, and as
:meth:`rlchf.PreferenceData.to_pairwise`, so ranking data and its pairwise form have the
same margins). Rules that read the ballots get them as truncated ballots, the unranked
responses at position ``m``, and apply their own convention for those (plurality counts the
top choice, instant runoff exhausts the ballot, Borda accepts one missing response as last).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pandas.api.extensions import ExtensionArray

import socialchoice as sc

from ._aggregate_levels import canonical_ranks
from ._codes import arrow_strings as _arrow
from ._codes import changes as _changes

__all__ = ["Batch", "Index", "batches", "index_pairwise", "index_ranking", "take_sorted"]


#: Codes already computed for some columns: name -> (codes per row, number of codes).
Known = dict[str, tuple[NDArray, int]]


@dataclass
class Index:
    """The coded data.

    ``prompt`` (row → prompt, P prompts), ``cand`` (row → candidate, U candidates; for
    pairwise data two columns, one per response), ``voter`` (row → (prompt, annotator)),
    per prompt ``m`` and ``n``, per candidate its prompt and ``slot`` (0..m-1), the rows to
    take a prompt's and a candidate's text from, and ``cand_order`` (candidates sorted by
    prompt then slot, with ``cand_start`` per prompt).
    """

    prompt: NDArray
    cand: NDArray
    voter: NDArray
    m: NDArray
    n: NDArray
    slot: NDArray
    cand_order: NDArray
    cand_start: NDArray
    prompt_rows: NDArray
    cand_first: NDArray  # candidate → a position of it in the (interleaved) id column
    cand_keys: NDArray   # candidate → code of its id (response_id, or text for pairwise)
    ids: pd.Index        # the distinct ids those codes point to (sorted when sortable)


@dataclass
class Batch:
    """Prompts of one shape: global prompt numbers ``(B,)``, candidates ``(B, m)``,
    margins ``(B, m, m)``, evaluators ``(B,)``; ballots ``(B, n, m)`` and weights if asked."""

    prompts: NDArray
    cands: NDArray
    margins: NDArray
    evaluators: NDArray
    ranks: NDArray | None = None
    weights: NDArray | None = None


def _factorize(values: pd.Series | NDArray) -> tuple[NDArray, pd.Index]:
    codes, uniques = pd.factorize(values, sort=False)
    return codes.astype(np.int64, copy=False), pd.Index(uniques)


def _id_codes(values: pd.Series) -> tuple[NDArray, pd.Index]:
    """Codes of response ids that follow the ids' sort order, and the sorted distinct ids.

    Small non-negative integer ids are their own codes (no hashing); others are factorized
    and their distinct values sorted (in order of first appearance if they cannot be
    sorted, e.g. a mix of numbers and strings).
    """
    if pd.api.types.is_integer_dtype(values.dtype) and len(values):
        x = values.to_numpy()
        lo, hi = int(x.min()), int(x.max())
        if lo >= 0 and hi < 2 * len(values) + 1024:
            return x.astype(np.int64, copy=False), pd.Index(np.arange(hi + 1))
    codes, ids = _factorize(values)
    try:
        order = np.asarray(ids.argsort())
    except TypeError:
        return codes, ids
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids))
    return rank[codes], ids[order]


#: Extra (prompt, response) keys a dense table may hold beyond 4 per row of data.
DENSE_EXTRA = 1 << 20


def _candidates(p: NDArray, r: NDArray, P: int, R: int) -> tuple[NDArray, ...]:
    """Candidates (distinct (prompt, response) pairs) numbered by prompt, then response code.

    Returns each row's candidate, each candidate's prompt, one row of each candidate and
    each candidate's response code. A dense table of all (prompt, code) keys is used when
    it is not much larger than the data; otherwise the keys are hashed and sorted.
    """
    key = p * R + r
    if P * R <= 4 * len(key) + DENSE_EXTRA:
        present = np.zeros(P * R, dtype=bool)
        present[key] = True
        code = np.cumsum(present) - 1
        cand = code[key]
        keys = np.flatnonzero(present)
        row = np.empty(len(keys), dtype=np.int64)
        row[cand] = np.arange(len(key))  # any row of a candidate will do
    else:
        first_code, first_keys = pd.factorize(key, sort=False)
        order = np.argsort(first_keys)
        renumber = np.empty(len(order), dtype=np.int64)
        renumber[order] = np.arange(len(order))
        cand = renumber[first_code]
        keys = np.asarray(first_keys)[order]
        row = _first_rows(first_code)[order]
    return cand, keys // R, row, keys % R


def take_sorted(values: pd.Series, rows: NDArray) -> ExtensionArray:
    """``values.array.take(rows)``, as one contiguous array of the column's dtype.

    Arrow text columns are taken as 32-bit-offset strings (:func:`_arrow`), and chunk by
    chunk when ``rows`` ascend.
    """
    chunked = _arrow(values)
    if chunked is None:
        return values.array.take(rows)
    import pyarrow as pa

    if chunked.num_chunks > 1 and bool((rows[1:] >= rows[:-1]).all()):
        # chunk by chunk: Arrow's take on a chunked column concatenates it first
        ends = np.cumsum([len(c) for c in chunked.chunks])
        cut = np.searchsorted(rows, np.concatenate([[0], ends]))
        starts = np.concatenate([[0], ends[:-1]])
        parts = [c.take(pa.array(rows[cut[k]:cut[k + 1]] - starts[k], type=pa.int64()))
                 for k, c in enumerate(chunked.chunks)]
        taken = pa.concat_arrays(parts)
    else:
        taken = chunked.take(pa.array(rows, type=pa.int64())).combine_chunks()
    return pd.array(pa.chunked_array([taken]), dtype=values.dtype)


def _run_codes(values: pd.Series, change: NDArray) -> tuple[NDArray, pd.Index, NDArray]:
    """Codes of ``values`` (by first appearance) hashing one value per run of rows.

    ``change`` marks where runs start (every change of ``values`` must start a run); rows of
    a run share its first row's code, so long runs (data grouped by prompt) hash little.
    Returns the codes of the runs' first rows, the distinct values and the runs' lengths
    (``np.repeat(codes, lengths)`` are the rows' codes).
    """
    heads = np.flatnonzero(change)
    codes, uniques = _factorize(take_sorted(values, heads))
    return codes, uniques, np.diff(heads, append=len(change))


def _first_rows(codes: NDArray) -> NDArray:
    """Row of the first occurrence of each code (codes numbered by first appearance)."""
    if len(codes) == 0:
        return np.zeros(0, dtype=np.int64)
    prev = np.maximum.accumulate(codes)
    first = np.ones(len(codes), dtype=bool)
    first[1:] = codes[1:] > prev[:-1]
    return np.flatnonzero(first)


def _slots(group: NDArray, n_groups: int) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """Position of each item within its group (items in index order), group sizes,
    group starts and the items sorted by group (stable)."""
    counts = np.bincount(group, minlength=n_groups)
    if len(group) < 2 or bool((group[1:] >= group[:-1]).all()):
        order = np.arange(len(group))
    else:
        order = np.argsort(group, kind="stable")
    start = np.cumsum(counts) - counts
    slot = np.empty(len(group), dtype=np.int64)
    slot[order] = np.arange(len(group)) - start[group[order]]
    return slot, counts, start, order


def _pair_codes(a: NDArray, b: NDArray, nb: int) -> tuple[NDArray, NDArray]:
    """Codes of the pairs ``(a, b)`` in order of first appearance, and each code's ``a``."""
    codes, keys = pd.factorize(a * nb + b, sort=False)
    return codes.astype(np.int64, copy=False), np.asarray(keys) // max(nb, 1)


def _voters(frame: pd.DataFrame, prompt_change: NDArray, p: NDArray,
            known: tuple[NDArray, int] | None = None) -> tuple[NDArray, ...]:
    """Each row's evaluator slot within its prompt, and each prompt's number of evaluators.

    ``known``: the annotator ids' codes and their number, if already computed.
    """
    if known is None:
        change = prompt_change | _changes(frame["annotator_id"])
        a_head, annotators, lengths = _run_codes(frame["annotator_id"], change)
        n_annotators = len(annotators)
    else:
        a, n_annotators = known
        change = prompt_change.copy()
        change[1:] |= a[1:] != a[:-1]
        heads = np.flatnonzero(change)
        a_head, lengths = a[heads], np.diff(heads, append=len(a))
    head_prompt = p[np.flatnonzero(change)]
    P = int(p.max(initial=-1)) + 1
    one_run = _one_run_each(head_prompt, a_head, P)
    if one_run is not None:  # each evaluator's rows of a prompt are one run: no hashing
        vslot, n = one_run
        return np.repeat(vslot, lengths), n
    v_head, voter_prompt = _pair_codes(head_prompt, a_head, n_annotators)
    vslot, n, _, _ = _slots(voter_prompt, P)
    return np.repeat(vslot[v_head], lengths), n


def _one_run_each(head_prompt: NDArray, head_annotator: NDArray, P: int,
                  max_runs: int = 16) -> tuple[NDArray, NDArray] | None:
    """Evaluator slots when the data is grouped by prompt and each evaluator's rows of a
    prompt form one run (checked: no annotator twice among a prompt's runs); else ``None``.

    With at most ``max_runs`` runs per prompt the check compares each run with the few
    before it; larger prompts are left to hashing.
    """
    H = len(head_prompt)
    if H == 0 or not bool((head_prompt[1:] >= head_prompt[:-1]).all()):
        return None
    counts = np.bincount(head_prompt, minlength=P)
    k = int(counts.max())
    if k > max_runs:
        return None
    for shift in range(1, k):
        same = (head_annotator[shift:] == head_annotator[:-shift]) & \
            (head_prompt[shift:] == head_prompt[:-shift])
        if same.any():
            return None
    start = np.cumsum(counts) - counts
    return np.arange(H) - start[head_prompt], counts


def _in_first_appearance_order(codes: NDArray, k: int) -> bool:
    """Whether codes ``0..k-1`` first appear in this order (each new code is the next)."""
    if len(codes) == 0:
        return k == 0
    running = np.maximum.accumulate(codes)
    return int(codes[0]) == 0 and int(running[-1]) == k - 1 and \
        bool((np.diff(running) <= 1).all())


def _index(frame: pd.DataFrame, cand_ids: pd.Series, known: Known | None = None) -> Index:
    rows = len(frame)
    known = known or {}
    if "prompt_id" in known and _in_first_appearance_order(*known["prompt_id"]):
        p, P = known["prompt_id"]
        prompt_change = np.ones(rows, dtype=bool)
        prompt_change[1:] = p[1:] != p[:-1]
    else:
        prompt_change = _changes(frame["prompt_id"])
        p_head, prompts, lengths = _run_codes(frame["prompt_id"], prompt_change)
        p = np.repeat(p_head, lengths)
        P = len(prompts)
    reps = len(cand_ids) // max(rows, 1)   # 2 for pairwise data (a, b interleaved)
    r, ids = _id_codes(cand_ids)
    cu, cand_prompt, first, cand_keys = _candidates(
        np.repeat(p, reps) if reps > 1 else p, r, P, len(ids))
    slot, m, start, order = _slots(cand_prompt, P)
    voter, n = _voters(frame, prompt_change, p, known.get("annotator_id"))
    return Index(
        prompt=p, cand=cu.reshape(rows, reps) if reps > 1 else cu, voter=voter,
        m=m, n=n, slot=slot, cand_order=order, cand_start=start,
        prompt_rows=_first_rows(p), cand_first=first, cand_keys=cand_keys, ids=ids,
    )


def index_ranking(frame: pd.DataFrame, known: Known | None = None) -> Index:
    """Code ranking data (validated: one row per annotator, prompt and response).

    ``known``: codes of ``prompt_id`` and ``annotator_id`` validation computed (any
    numbering; prompt codes are used if numbered by first appearance).
    """
    return _index(frame, frame["response_id"], known)


def index_pairwise(frame: pd.DataFrame, known: Known | None = None) -> Index:
    """Code pairwise data: a prompt's candidates are the texts it compares (``known`` as in
    :func:`index_ranking`)."""
    n = len(frame)
    stacked = pd.concat([frame["response_a"], frame["response_b"]], ignore_index=True)
    # row by row, a before b (the order of first appearance if texts cannot be sorted)
    interleaved = np.column_stack([np.arange(n), np.arange(n) + n]).ravel()
    return _index(frame, pd.Series(stacked.array.take(interleaved)), known)


def _groups(keys: NDArray) -> tuple[NDArray, list[NDArray]]:
    """Distinct keys and, for each, the positions holding it (ascending)."""
    uniq, inverse = np.unique(keys, return_inverse=True)
    if len(uniq) == 1:
        return uniq, [np.arange(len(keys))]
    order = np.argsort(inverse.astype(np.int32), kind="stable")
    bounds = np.cumsum(np.bincount(inverse, minlength=len(uniq)))[:-1]
    return uniq, np.split(order, bounds)


def _padded_n(n: NDArray) -> NDArray:
    """Evaluator counts rounded up to a power of two above 16 (the padded group size)."""
    big = n > 16
    out = n.copy()
    out[big] = 2 ** np.ceil(np.log2(n[big])).astype(np.int64)
    return out


def _margins(R: NDArray, W: NDArray | None, unranked: int) -> NDArray:
    """Margins counting only pairs an evaluator ranked both of (see the module notes).

    :func:`socialchoice.margins` puts unranked candidates below ranked ones; the mean of the
    margins with unranked cells below everything and above everything cancels exactly the
    pairs with one unranked member (+1 and -1) and keeps the others (both terms agree).
    """
    high = sc.margins(R, W)
    missing = R == unranked
    if not missing.any():
        return high
    low = sc.margins(np.where(missing, np.asarray(-1, dtype=R.dtype), R), W)
    total = high + low
    return total // 2 if total.dtype.kind in "iu" else total / 2


def _rank_batches(idx: Index, ranks: NDArray, profile: bool) -> Iterator[Batch]:
    """Ranking data: ballots scattered into ``(B, n, m)`` per group of one shape."""
    n_group = idx.n if profile else _padded_n(idx.n)
    key = idx.m * (int(n_group.max(initial=0)) + 1) + n_group
    uniq, prompt_groups = _groups(key)
    row_groups = [None] if len(uniq) == 1 else _groups(key[idx.prompt])[1]
    local = np.empty(len(idx.m), dtype=np.int64)
    sentinel = int(ranks.max(initial=0)) + 1
    dtype = np.int8 if sentinel < 127 else np.int16 if sentinel < 2**15 else np.int64
    ranks = ranks.astype(dtype, copy=False)
    slot = idx.slot[idx.cand]
    for prompts, rows in zip(prompt_groups, row_groups, strict=True):
        B, m = len(prompts), int(idx.m[prompts[0]])
        n = int(n_group[prompts[0]])
        R = np.full((B, n, m), sentinel, dtype=dtype)
        if rows is None:  # one group: every prompt, local number = global number
            flat = (idx.prompt * n + idx.voter) * m + slot
            R.reshape(-1)[flat] = ranks
        else:
            local[prompts] = np.arange(B)
            flat = (local[idx.prompt[rows]] * n + idx.voter[rows]) * m + slot[rows]
            R.reshape(-1)[flat] = ranks[rows]
        n_real = idx.n[prompts]
        W = None
        if bool((n_real < n).any()):
            W = (np.arange(n)[None, :] < n_real[:, None]).astype(np.int64)
        M = _margins(R, W, sentinel)
        if profile:
            R = canonical_ranks(R.astype(np.int64), R < sentinel)
        cands = idx.cand_order[idx.cand_start[prompts][:, None] + np.arange(m)]
        yield Batch(prompts, cands, M, n_real, R if profile else None, W)


def _pairwise_batches(idx: Index, label: NDArray, annotator_weight: NDArray) -> Iterator[Batch]:
    """Pairwise data: margins summed per group of one ``m`` (label 1 → +1 for a over b)."""
    sign = (2.0 * label - 1.0) * annotator_weight
    uniq, prompt_groups = _groups(idx.m)
    row_groups = [np.arange(len(label))] if len(uniq) == 1 else _groups(idx.m[idx.prompt])[1]
    local = np.empty(len(idx.m), dtype=np.int64)
    integral = bool((sign == np.round(sign)).all())
    for prompts, rows in zip(prompt_groups, row_groups, strict=True):
        B, m = len(prompts), int(idx.m[prompts[0]])
        local[prompts] = np.arange(B)
        sa, sb = idx.slot[idx.cand[rows, 0]], idx.slot[idx.cand[rows, 1]]
        flat = (local[idx.prompt[rows]] * m + sa) * m + sb
        X = np.bincount(flat, weights=sign[rows], minlength=B * m * m).reshape(B, m, m)
        M = X - np.swapaxes(X, 1, 2)
        if integral:
            M = np.round(M).astype(np.int64)
        cands = idx.cand_order[idx.cand_start[prompts][:, None] + np.arange(m)]
        yield Batch(prompts, cands, M, idx.n[prompts])


def repeat_weights(idx: Index) -> NDArray:
    """Pairwise data: ``1 / k`` for each of the ``k`` judgments an annotator gave one pair of
    responses of one prompt, so that an annotator's repeated judgments count as their mean."""
    a, b = idx.cand[:, 0], idx.cand[:, 1]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    U = int(idx.cand.max(initial=0)) + 1
    voter_key = idx.prompt * (int(idx.voter.max(initial=0)) + 1) + idx.voter
    codes = pd.MultiIndex.from_arrays([voter_key, lo * U + hi]).factorize()[0]
    counts = np.bincount(codes)
    return 1.0 / counts[codes]


def batches(idx: Index, frame: pd.DataFrame, kind: str, profile: bool) -> Iterator[Batch]:
    """The prompts of ``frame`` in groups of one shape (see the module notes)."""
    if kind == "ranking":
        ranks = frame["rank"].to_numpy(dtype=np.int64)
        return _rank_batches(idx, ranks, profile)
    label = frame["label"].to_numpy(dtype=np.float64)
    return _pairwise_batches(idx, label, repeat_weights(idx))
