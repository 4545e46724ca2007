"""Scoring the slider measure: angle, category, transitivity and the secondary index.

Everything is vectorised over respondents: a million respondents score in about a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ._errors import ChoiceError
from ._items import (
    CATEGORIES,
    CATEGORY_BOUNDS,
    ENDPOINT_TYPES,
    ITEM_COLUMNS,
    ITEMS,
    N_ITEMS,
    N_OPTIONS,
    N_PRIMARY,
    SECONDARY_IDEALS,
)

__all__ = ["Problem", "categorize", "score"]

_ON_LINE_TOLERANCE = 1.0  # payoff units; printed values are at most 0.5 off the line per axis
_MAX_LISTED = 5
SCORE_COLUMNS = ("mean_self", "mean_other", "angle", "category", "transitive", "ia_index")


@dataclass(frozen=True)
class Problem:
    """One answer that could not be scored: where it is and what was wrong.

    Attributes
    ----------
    row : int
        0-based position of the respondent in the input.
    respondent : object
        The respondent's label (the DataFrame index; the row number for arrays).
    column : str
        The item column, e.g. ``'item4'`` (``'item4_self'`` for allocations).
    value : object
        The offending value as given.
    message : str
        What was wrong and what was expected.
    """

    row: int
    respondent: Any
    column: str
    value: Any
    message: str

    def __str__(self) -> str:
        who = "" if self.respondent == self.row else f" (respondent {self.respondent!r})"
        return f"row {self.row}{who}, column {self.column!r}: {self.message}"


def categorize(angles: Any) -> np.ndarray:
    """The SVO category of each angle (degrees), as an array of strings.

    Bands include their lower bound, as in the authors' scorer: altruistic ≥ 57.15°,
    prosocial [22.45°, 57.15°), individualistic [−12.04°, 22.45°), competitive < −12.04°.
    NaN angles give ``None``.

    Examples
    --------
    >>> from svo import categorize
    >>> categorize([61.39, 37.48, 22.45, -7.82, -16.26]).tolist()
    ['altruistic', 'prosocial', 'prosocial', 'individualistic', 'competitive']
    """
    angles = np.asarray(angles, dtype=float)
    codes = _category_codes(angles)
    names = np.array([*CATEGORIES, None], dtype=object)
    return names[np.where(codes < 0, len(CATEGORIES), codes)]


def _category_codes(angles: np.ndarray) -> np.ndarray:
    codes = np.full(angles.shape, -1, dtype=np.int8)
    for code, name in enumerate(CATEGORIES):
        low, high = CATEGORY_BOUNDS[name]
        codes[(angles >= low) & (angles < high)] = code
    return codes


def _transitive_table() -> np.ndarray:
    """Whether each of the 3**6 patterns of primary-item preferences is free of cycles.

    Digit k of the pattern (base 3) is 0 when item k+1's answer is nearer its first
    endpoint, 2 when nearer its second and 1 when exactly in between (no preference).
    """
    types = sorted({t for pair in ENDPOINT_TYPES for t in pair})
    node = {t: i for i, t in enumerate(types)}
    table = np.zeros(3**N_PRIMARY, dtype=bool)
    for pattern in range(3**N_PRIMARY):
        beats = np.eye(len(types), dtype=bool)  # reflexive closure of "is preferred to"
        for k, (first, second) in enumerate(ENDPOINT_TYPES):
            digit = pattern // 3**k % 3
            if digit == 0:
                beats[node[first], node[second]] = True
            elif digit == 2:
                beats[node[second], node[first]] = True
        for via in range(len(types)):  # Warshall's transitive closure
            beats |= beats[:, [via]] & beats[[via], :]
        table[pattern] = not np.any(beats & beats.T & ~np.eye(len(types), dtype=bool))
    return table


_TRANSITIVE = _transitive_table()


def score(choices: Any, *, errors: Literal["raise", "coerce"] = "raise"):
    """Score SVO slider answers: one row per respondent.

    Parameters
    ----------
    choices : DataFrame or array-like
        Either chosen option indices (0–8, left to right as printed) or chosen allocations:

        - an array of shape ``(n, 6)`` or ``(n, 15)`` of option indices, or of shape
          ``(n, 6, 2)`` / ``(n, 15, 2)`` of (self, other) payoffs; a single respondent may be
          given as one row;
        - a DataFrame with columns ``item1`` … ``item6`` (and optionally ``item7`` …
          ``item15``) of option indices, or ``item1_self``, ``item1_other``, … of payoffs.
          Other columns (ids, demographics) are ignored; the index labels the respondents.

        NaN marks a missing answer. An allocation may be any point on the item's line
        (within one payoff unit, as from a continuous slider); printed options map to their
        index exactly.
    errors : {'raise', 'coerce'}
        What to do with an answer that is not on the form (an index outside 0–8 or not an
        integer, a payoff pair off the item's line, a non-numeric cell): raise a
        :class:`ChoiceError` naming row and column, or drop that respondent and list the
        problem in ``result.attrs['dropped']``.

    Returns
    -------
    pandas.DataFrame
        Indexed like the input, with columns

        - ``mean_self``, ``mean_other``: mean payoffs over the six primary items;
        - ``angle``: ``arctan((mean_other - 50) / (mean_self - 50))`` in degrees;
        - ``category``: altruistic / prosocial / individualistic / competitive (an ordered
          categorical; bands include their lower bound, see :func:`categorize`);
        - ``transitive``: whether the primary answers are consistent — each item compares two
          of the reference allocations altruistic (50, 100), prosocial (85, 85),
          individualistic (100, 50) and competitive (85, 15); the answer prefers the endpoint
          it is nearer to (no preference exactly in the middle), and the six preferences must
          contain no cycle;
        - ``ia_index``: the secondary items' inequality-aversion index
          ``D_IA / (D_IA + D_JG)`` (0 = inequality averse, 1 = joint-gain maximiser), where
          ``D`` is the mean distance ``|chosen − ideal| / 8`` to an ideal's options; only for
          respondents who answered all 15 items and whose two nearest ideals (strictly, among
          inequality aversion, joint gain, individualist and altruist) are IA and JG; else NaN.

        Respondents with a missing primary answer keep their row with missing values; their
        labels are in ``result.attrs['incomplete']``. ``result.attrs['dropped']`` lists the
        :class:`Problem` of each respondent dropped under ``errors='coerce'``.

    Raises
    ------
    ChoiceError
        An answer is not on the form (``errors='raise'``), or the input has the wrong shape
        or lacks the six primary item columns.

    References
    ----------
    Murphy, R. O., Ackermann, K. A., & Handgraaf, M. J. J. (2011). Measuring social value
    orientation. *Judgment and Decision Making*, 6(8), 771–781, §2–3 and Appendix.

    Examples
    --------
    The four ideal types (option indices on the six primary items):

    >>> import svo
    >>> scored = svo.score([[0, 8, 0, 0, 8, 8], [0, 8, 8, 3, 4, 8],
    ...                     [8, 8, 8, 8, 0, 0], [8, 0, 8, 8, 0, 0]])
    >>> scored["angle"].round(2).tolist()
    [61.39, 37.48, -7.82, -16.26]
    >>> scored["category"].tolist()
    ['altruistic', 'prosocial', 'individualistic', 'competitive']
    >>> bool(scored["transitive"].all())
    True
    """
    import pandas as pd

    if errors not in ("raise", "coerce"):
        raise ChoiceError(f"The 'errors' parameter of score must be 'raise' or 'coerce'. Got {errors!r}.")
    parsed = _parse(choices)
    problems = _validate(parsed)
    if problems and errors == "raise":
        listed = "; ".join(str(p) for p in problems[:_MAX_LISTED])
        more = f" (and {len(problems) - _MAX_LISTED} more)" if len(problems) > _MAX_LISTED else ""
        raise ChoiceError(f"{len(problems)} answer(s) are not on the SVO slider form: {listed}{more}.")
    keep = np.ones(len(parsed.labels), dtype=bool)
    keep[[p.row for p in problems]] = False
    positions, payoffs = parsed.positions[keep], parsed.payoffs[keep]
    labels = parsed.labels[keep]

    primary = payoffs[:, :N_PRIMARY]
    complete = ~np.isnan(positions[:, :N_PRIMARY]).any(axis=1)
    with np.errstate(invalid="ignore"):
        mean_self = primary[:, :, 0].mean(axis=1)
        mean_other = primary[:, :, 1].mean(axis=1)
    angle = np.degrees(np.arctan2(mean_other - 50.0, mean_self - 50.0))
    codes = _category_codes(angle)
    transitive = pd.array(_transitive(primary), dtype="boolean")
    transitive[~complete] = pd.NA
    result = pd.DataFrame(
        {
            "mean_self": mean_self,
            "mean_other": mean_other,
            "angle": angle,
            "category": pd.Categorical.from_codes(codes, categories=list(CATEGORIES)),
            "transitive": transitive,
            "ia_index": _ia_index(positions),
        },
        index=labels,
    )
    result.attrs["incomplete"] = tuple(labels[~complete].tolist())
    result.attrs["dropped"] = tuple(problems)
    return result


@dataclass
class _Parsed:
    labels: Any  # pandas Index
    columns: tuple[str, ...]  # the column named in messages, per item
    raw: np.ndarray  # (n, m) or (n, m, 2) float, NaN where missing
    bad_cells: list[tuple[int, int, Any]]  # (row, item, value) that were not numbers
    is_allocation: bool
    positions: np.ndarray = None  # (n, m) float: option index or position on the line
    payoffs: np.ndarray = None  # (n, m, 2) float


def _parse(choices: Any) -> _Parsed:
    import pandas as pd

    if isinstance(choices, pd.DataFrame):
        return _parse_frame(choices)
    try:
        array = np.asarray(choices, dtype=float)
        bad: list[tuple[int, int, Any]] = []
    except (TypeError, ValueError):
        array, bad = _coerce_object_array(np.asarray(choices, dtype=object))
    if array.ndim in (1, 2) and array.shape[-1:] == (2,) and array.ndim == 2 and array.shape[0] in (N_PRIMARY, N_ITEMS):
        array = array[None]  # one respondent's allocations
    elif array.ndim == 1:
        array = array[None]
    allocation = array.ndim == 3
    if array.ndim not in (2, 3) or array.shape[1] not in (N_PRIMARY, N_ITEMS) or (
        allocation and array.shape[2] != 2
    ):
        raise ChoiceError(
            "choices must have shape (n, 6) or (n, 15) of option indices, or (n, 6, 2) or "
            f"(n, 15, 2) of (self, other) payoffs. Got shape {np.shape(choices)}."
        )
    m = array.shape[1]
    columns = tuple(f"{c}_self/other" if allocation else c for c in ITEM_COLUMNS[:m])
    return _Parsed(pd.RangeIndex(array.shape[0]), columns, array, bad, allocation)


def _coerce_object_array(values: np.ndarray) -> tuple[np.ndarray, list[tuple[int, int, Any]]]:
    import pandas as pd

    flat = values.reshape(values.shape[0], -1) if values.ndim > 1 else values[None]
    numeric = pd.DataFrame(flat).apply(pd.to_numeric, errors="coerce").to_numpy(float)
    bad_mask = np.isnan(numeric) & ~pd.isna(pd.DataFrame(flat)).to_numpy()
    per_item = 2 if values.ndim == 3 else 1
    bad = [(int(r), int(c) // per_item, flat[r, c]) for r, c in zip(*np.nonzero(bad_mask), strict=True)]
    return numeric.reshape(values.shape if values.ndim > 1 else values.shape), bad


def _parse_frame(frame) -> _Parsed:
    import pandas as pd

    lower = {str(c).strip().lower().replace("_", ""): c for c in frame.columns}
    index_cols = [lower.get(c) for c in ITEM_COLUMNS]
    self_cols = [lower.get(f"{c}self") for c in ITEM_COLUMNS]
    other_cols = [lower.get(f"{c}other") for c in ITEM_COLUMNS]
    allocation = all(c is not None for c in self_cols[:N_PRIMARY] + other_cols[:N_PRIMARY])
    if allocation:
        present = [s is not None and o is not None for s, o in zip(self_cols, other_cols, strict=True)]
    else:
        present = [c is not None for c in index_cols]
    if not all(present[:N_PRIMARY]):
        missing = [ITEM_COLUMNS[i] for i in range(N_PRIMARY) if not present[i]]
        raise ChoiceError(
            f"The survey lacks the primary item column(s) {', '.join(missing)}: expected columns "
            "item1 … item6 of option indices 0–8 (or item1_self, item1_other, … of payoffs). "
            f"Got columns {list(frame.columns)[:20]}."
        )
    secondary = present[N_PRIMARY:]
    if any(secondary) and not all(secondary):
        missing = [ITEM_COLUMNS[N_PRIMARY + i] for i, p in enumerate(secondary) if not p]
        raise ChoiceError(
            f"The secondary items must be all nine (item7 … item15) or none; missing "
            f"{', '.join(missing)}."
        )
    m = N_ITEMS if all(secondary) else N_PRIMARY
    if allocation:
        names = [c for pair in zip(self_cols[:m], other_cols[:m], strict=True) for c in pair]
    else:
        names = index_cols[:m]
    block = frame[names]
    numeric = block.apply(pd.to_numeric, errors="coerce")
    bad_mask = numeric.isna().to_numpy() & block.notna().to_numpy()
    bad = [
        (int(r), int(c) // (2 if allocation else 1), (str(names[c]), block.iat[r, c]))
        for r, c in zip(*np.nonzero(bad_mask), strict=True)
    ]
    raw = numeric.to_numpy(dtype=float)
    if allocation:
        raw = raw.reshape(len(frame), m, 2)
    columns = tuple(str(c) for c in names[:: 2 if allocation else 1])
    return _Parsed(frame.index, columns, raw, bad, allocation)


def _validate(parsed: _Parsed) -> list[Problem]:
    """Fill ``positions`` and ``payoffs``; return every answer that is not on the form."""
    raw, m = parsed.raw, parsed.raw.shape[1]
    items = ITEMS[:m].astype(float)
    issues: dict[tuple[int, int], tuple[Any, str]] = {}
    for r, k, value in parsed.bad_cells:
        column, shown = value if isinstance(value, tuple) else (parsed.columns[k], value)
        issues[(r, k)] = (shown, f"{shown!r} is not a number; expected an option index 0–8"
                          if not parsed.is_allocation else f"{shown!r} is not a number; expected a payoff")
    if parsed.is_allocation:
        positions, payoffs, off_line = _positions_on_lines(raw, items)
        for r, k in zip(*np.nonzero(off_line), strict=True):
            a, b = ITEMS[k, 0], ITEMS[k, -1]
            pair = (raw[r, k, 0], raw[r, k, 1])
            issues.setdefault(
                (int(r), int(k)),
                (pair, f"the payoff pair ({pair[0]:g}, {pair[1]:g}) is not on item {k + 1}'s line "
                       f"from ({a[0]}, {a[1]}) to ({b[0]}, {b[1]})"),
            )
    else:
        positions = raw.copy()
        with np.errstate(invalid="ignore"):
            wrong = ~np.isnan(raw) & ((raw != np.round(raw)) | (raw < 0) | (raw > N_OPTIONS - 1))
        for r, k in zip(*np.nonzero(wrong), strict=True):
            issues.setdefault(
                (int(r), int(k)),
                (raw[r, k], f"option {raw[r, k]:g} is not an option index; expected an integer in 0–8"),
            )
        positions[wrong] = np.nan
        index = np.where(np.isnan(positions), 0, positions).astype(np.intp)
        payoffs = items[np.arange(m), index]  # (n, m, 2)
        payoffs[np.isnan(positions)] = np.nan
    parsed.positions, parsed.payoffs = positions, payoffs
    return [
        Problem(r, parsed.labels[r], parsed.columns[k], value, message)
        for (r, k), (value, message) in sorted(issues.items())
    ]


def _positions_on_lines(raw: np.ndarray, items: np.ndarray):
    """Project (self, other) pairs on each item's line: position 0–8 and off-line mask."""
    start, end = items[:, 0], items[:, -1]  # (m, 2)
    direction = end - start
    with np.errstate(invalid="ignore"):
        t = ((raw - start) * direction).sum(-1) / (direction**2).sum(-1)  # 0..1 along the line
        t = np.clip(t, 0.0, 1.0)
        nearest = start + t[..., None] * direction
        distance = np.sqrt(((raw - nearest) ** 2).sum(-1))
    missing = np.isnan(raw).any(-1)
    off_line = ~missing & ~(distance <= _ON_LINE_TOLERANCE)
    positions = t * (N_OPTIONS - 1)
    # a printed option maps to its index exactly
    option = np.clip(np.rint(np.nan_to_num(positions)), 0, N_OPTIONS - 1).astype(np.intp)
    printed = items[np.arange(items.shape[0]), option]
    exact = (printed == raw).all(-1)
    positions = np.where(exact, option, positions)
    positions[missing | off_line] = np.nan
    payoffs = raw.copy()
    payoffs[missing | off_line] = np.nan
    return positions, payoffs, off_line


def _transitive(primary: np.ndarray) -> np.ndarray:
    """Transitivity of each respondent's six primary answers (payoffs, shape (n, 6, 2))."""
    start, end = ITEMS[:N_PRIMARY, 0], ITEMS[:N_PRIMARY, -1]
    with np.errstate(invalid="ignore"):
        to_start = ((primary - start) ** 2).sum(-1)
        to_end = ((primary - end) ** 2).sum(-1)
        digit = np.sign(to_start - to_end) + 1  # 0 nearer start, 1 tie, 2 nearer end
    pattern = (np.nan_to_num(digit).astype(np.intp) * 3 ** np.arange(N_PRIMARY)).sum(axis=1)
    return _TRANSITIVE[pattern]


def _ia_index(positions: np.ndarray) -> np.ndarray:
    """D_IA / (D_IA + D_JG) when all 15 items are answered and IA, JG are the nearest ideals."""
    n = positions.shape[0]
    if positions.shape[1] < N_ITEMS:
        return np.full(n, np.nan)
    secondary = positions[:, N_PRIMARY:]
    distance = {}
    for name, ideal in SECONDARY_IDEALS.items():
        defined = ~np.isnan(ideal)
        gap = np.abs(secondary[:, defined] - ideal[defined])
        distance[name] = gap.mean(axis=1) / (N_OPTIONS - 1)  # NaN if an answer is missing
    ia, jg = distance["inequality_aversion"], distance["joint_gain"]
    others = np.minimum(distance["individualistic"], distance["altruistic"])
    valid = ~np.isnan(positions).any(axis=1) & (np.maximum(ia, jg) < others)
    with np.errstate(invalid="ignore", divide="ignore"):
        index = ia / (ia + jg)
    return np.where(valid, index, np.nan)
