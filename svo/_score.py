"""Scoring the slider measure: angle, category, transitivity and the secondary index.

Everything is vectorised over respondents: a million respondents with all 15 answers score in
about a second (option indices; payoff pairs take about twice as long).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from _common.validation import check_choice

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
    PRIMARY_COLUMNS,
    SECONDARY_IDEALS,
)
from ._results import Problem, ScoreReport, Survey

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Problem", "categorize", "score", "score_report"]

_ON_LINE_TOLERANCE = 1.0  # payoff units; printed values are at most 0.5 off the line per axis
_MAX_LISTED = 5
SCORE_COLUMNS = ("mean_self", "mean_other", "angle", "category", "transitive", "ia_index")


def _py(value: Any) -> Any:
    """A numpy scalar as the Python scalar (for readable messages)."""
    return value.item() if isinstance(value, np.generic) else value


def categorize(angles: Any) -> np.ndarray:
    """The SVO category of each angle (degrees), as an array of strings.

    Bands include their lower bound, as in the authors' scorer: altruistic ≥ 57.15°,
    prosocial [22.45°, 57.15°), individualistic [−12.04°, 22.45°), competitive < −12.04°.
    NaN angles give ``None``.

    References
    ----------
    Murphy, R. O., Ackermann, K. A., & Handgraaf, M. J. J. (2011). Measuring social value
    orientation. *Judgment and Decision Making*, 6(8), 771–781, §2–3 (the category
    boundaries).

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


def score(choices: Any, *, errors: Literal["raise", "coerce"] = "raise") -> pd.DataFrame:
    """Score SVO slider answers: one row per respondent.

    Parameters
    ----------
    choices : Survey, DataFrame or array-like
        A :class:`svo.Survey` (as :func:`svo.read_survey` returns), or either chosen option
        indices (0–8, left to right as printed) or chosen allocations:

        - an array of shape ``(n, 6)`` or ``(n, 15)`` of option indices, or of shape
          ``(n, 6, 2)`` / ``(n, 15, 2)`` of (self, other) payoffs;
        - one respondent: a flat list of 6 or 15 option indices, or a ``(6, 2)`` /
          ``(15, 2)`` array of payoffs (a table of respondents always has 6 or 15 columns,
          so these shapes are never ambiguous; anything else, e.g. a single pair of length 2,
          is an error);
        - a DataFrame with columns ``item1`` … ``item6`` (and optionally all of ``item7`` …
          ``item15``) of option indices, or ``item1_self``, ``item1_other``, … of payoffs.
          Names are matched ignoring case and underscores (``Item_1`` is ``item1``); when
          both forms are present for the same items they must agree (else an error); a mix
          (options for some items, payoffs for others) is an error. Other columns (ids,
          demographics) are ignored; the index labels the respondents.

        NaN (or ``None``) marks a missing answer; a payoff pair is missing when both payoffs
        are. An allocation may be any point within one payoff unit of the item's line
        segment (as from a continuous slider): its payoffs enter the means as given, and its
        position on the slider (0–8, from its projection on the segment) enters the
        secondary index; printed options map to their index exactly.
    errors : {'raise', 'coerce'}
        What to do with an answer that is not on the form (an index outside 0–8 or not an
        integer, a payoff pair off the item's line or with one payoff missing, a non-numeric
        cell): raise a :class:`ChoiceError` naming row and column, or drop that respondent
        (:func:`score_report` lists the problems).

    Returns
    -------
    pandas.DataFrame
        Indexed like the input, with columns

        - ``mean_self``, ``mean_other``: mean payoffs over the six primary items;
        - ``angle``: ``arctan((mean_other - 50) / (mean_self - 50))`` in degrees;
        - ``category``: altruistic / prosocial / individualistic / competitive, an ordered
          categorical in that order (bands include their lower bound, see
          :func:`categorize`);
        - ``transitive``: whether the primary answers are consistent — each item compares two
          of the reference allocations altruistic (50, 100), prosocial (85, 85),
          individualistic (100, 50) and competitive (85, 15); the answer prefers the endpoint
          it is nearer to (Euclidean distance in payoff space; no preference exactly in the
          middle), and the six preferences must contain no cycle (nullable boolean);
        - ``ia_index``: the secondary items' inequality-aversion index
          ``D_IA / (D_IA + D_JG)`` (0 = inequality averse, 1 = joint-gain maximiser), where
          ``D`` is the mean distance ``|chosen − ideal| / 8`` to an ideal's options; only for
          respondents who answered all 15 items and whose two nearest ideals, among
          inequality aversion, joint gain, individualist and altruist, are IA and JG; else
          NaN. Ties are broken as in the authors' scorer (``SVO_Slider.m``: a stable sort in
          that order), so IA and JG win them: a tie for second place between JG and another
          ideal reports the index.

        Respondents with a missing primary answer keep their row with missing values;
        :func:`score_report` returns the same table with their labels and the
        :class:`Problem` of each answer of the respondents dropped under ``errors='coerce'``.

    Raises
    ------
    ChoiceError
        An answer is not on the form (``errors='raise'``), or the input has the wrong shape,
        lacks the six primary item columns, has only some secondary columns or two columns
        for the same item.

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

    An answer off the form is an error naming its row and column:

    >>> svo.score([[0, 8, 0, 0, 8, 9]])
    Traceback (most recent call last):
    ...
    svo._errors.ChoiceError: 1 answer(s) are not on the SVO slider form: row 0, column 'item6': \
option 9 is not an option index; expected an integer in 0–8.
    """
    return score_report(choices, errors=errors).scores


def score_report(choices: Any, *, errors: Literal["raise", "coerce"] = "raise") -> ScoreReport:
    """Score SVO slider answers as :func:`score` does, with what could not be scored.

    Parameters
    ----------
    choices : Survey, DataFrame or array-like
        As in :func:`score`.
    errors : {'raise', 'coerce'}
        As in :func:`score`.

    Returns
    -------
    ScoreReport
        ``scores`` (the table :func:`score` returns), ``incomplete`` (labels of the
        respondents without all six primary answers, kept without an angle) and ``dropped``
        (under ``errors='coerce'``, the :class:`Problem` of each answer of the respondents
        dropped).

    Raises
    ------
    ChoiceError
        As :func:`score`.

    References
    ----------
    Murphy, R. O., Ackermann, K. A., & Handgraaf, M. J. J. (2011). Measuring social value
    orientation. *Judgment and Decision Making*, 6(8), 771–781, §2–3 and Appendix.

    Examples
    --------
    >>> import svo
    >>> result = svo.score_report([[0, 8, 8, 3, 4, 8], [0, 8, 8, 3, 4, 9]], errors="coerce")
    >>> result.scores["category"].tolist(), [p.column for p in result.dropped]
    (['prosocial'], ['item6'])
    """
    check_choice(errors, "errors", "score", ("raise", "coerce"), error=ChoiceError)
    parsed = _parse(choices.data if isinstance(choices, Survey) else choices)
    if parsed.is_allocation:
        scored, issues = _score_allocations(parsed.raw)
    else:
        scored, issues = _score_indices(parsed.raw)
    problems = _problems(parsed, issues)
    if problems and errors == "raise":
        listed = "; ".join(str(p) for p in problems[:_MAX_LISTED])
        more = f" (and {len(problems) - _MAX_LISTED} more)" if len(problems) > _MAX_LISTED else ""
        raise ChoiceError(
            f"{len(problems)} answer(s) are not on the SVO slider form: {listed}{more}."
        )
    labels = parsed.labels
    if problems:
        keep = np.ones(len(labels), dtype=bool)
        keep[[p.row for p in problems]] = False
        scored = {name: values[keep] for name, values in scored.items()}
        labels = labels[keep]
    complete = scored["complete"]
    return ScoreReport(_table(scored, labels), tuple(labels[~complete].tolist()),
                       tuple(problems))


def _table(scored: dict[str, np.ndarray], labels: Any) -> pd.DataFrame:
    """The scores table from the per-respondent arrays of the scorers."""
    import pandas as pd

    mean_self, mean_other, complete = scored["mean_self"], scored["mean_other"], scored["complete"]
    angle = np.degrees(np.arctan2(mean_other - 50.0, mean_self - 50.0))
    category = pd.Categorical.from_codes(
        _category_codes(angle), dtype=pd.CategoricalDtype(list(CATEGORIES), ordered=True)
    )
    transitive = pd.arrays.BooleanArray(_TRANSITIVE[scored["pattern"]], ~complete)
    return pd.DataFrame(
        {
            "mean_self": mean_self,
            "mean_other": mean_other,
            "angle": angle,
            "category": category,
            "transitive": transitive,
            "ia_index": scored["ia_index"],
        },
        index=labels,
        copy=False,
    )


@dataclass
class _Parsed:
    labels: Any  # pandas Index
    raw: np.ndarray  # (n, m) or (n, m, 2) float, NaN where missing or not a number
    columns: list[tuple[str, ...]]  # per item: (name,) or (self name, other name)
    bad_cells: list[tuple[int, int, int, Any]]  # (row, item, 0 self / 1 other, value)
    is_allocation: bool


def _parse(choices: Any) -> _Parsed:
    import pandas as pd

    if isinstance(choices, pd.DataFrame):
        return _parse_frame(choices)
    if isinstance(choices, pd.Series):
        choices = choices.to_numpy()  # one respondent
    array, bad, values = _as_float_array(choices)
    if (array.ndim == 1 and array.shape[0] in (N_PRIMARY, N_ITEMS)) or (
        array.ndim == 2 and array.shape[1] == 2 and array.shape[0] in (N_PRIMARY, N_ITEMS)
    ):
        # one respondent: option indices (6 or 15,) or allocations (6 or 15, 2)
        array, bad, values = array[None], bad[None], values[None]
    allocation = array.ndim == 3
    if array.ndim not in (2, 3) or array.shape[1] not in (N_PRIMARY, N_ITEMS) or (
        allocation and array.shape[2] != 2
    ):
        raise _shape_error(choices)
    m = array.shape[1]
    if allocation:
        columns = [(f"{c}_self", f"{c}_other") for c in ITEM_COLUMNS[:m]]
    else:
        columns = [(c,) for c in ITEM_COLUMNS[:m]]
    bad_cells = [
        (int(cell[0]), int(cell[1]), int(cell[2]) if allocation else 0, values[tuple(cell)])
        for cell in np.argwhere(bad)
    ]
    return _Parsed(pd.RangeIndex(array.shape[0]), array, columns, bad_cells, allocation)


def _shape_error(choices: Any) -> ChoiceError:
    try:
        got = f"shape {np.shape(choices)}"
    except ValueError:
        got = f"a ragged {type(choices).__name__}"
    return ChoiceError(
        "choices must have shape (n, 6) or (n, 15) of option indices, or (n, 6, 2) or "
        "(n, 15, 2) of (self, other) payoffs (one respondent: 6 or 15 indices, or a "
        f"(6, 2) or (15, 2) array of payoffs). Got {got} instead."
    )


def _as_float_array(choices: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A float array, a mask of the cells that are not numbers, and the values as given."""
    import pandas as pd

    try:
        values = np.asarray(choices)
    except ValueError:  # ragged nested sequences
        values = np.asarray(choices, dtype=object)
    if values.ndim == 0:
        raise _shape_error(choices)
    if values.dtype.kind in "iuf":
        return values.astype(float, copy=False), np.zeros(values.shape, dtype=bool), values
    if values.dtype == object and values.size:
        nested = np.frompyfunc(lambda cell: isinstance(cell, list | tuple | np.ndarray), 1, 1)
        is_sequence = nested(values).astype(bool)
        if values.ndim == 1 and is_sequence.all():
            lengths = [len(row) for row in values]
            row = next(i for i, length in enumerate(lengths) if length != lengths[0])
            raise ChoiceError(
                f"choices must be a rectangular table: row 0 has {lengths[0]} answers but row "
                f"{row} has {lengths[row]}. Expected 6 or 15 answers per row (NaN for a "
                "missing answer)."
            )
        if is_sequence.any():
            position = tuple(int(i) for i in np.argwhere(is_sequence)[0])
            raise ChoiceError(
                "choices must be a rectangular array of option indices or of (self, other) "
                f"pairs; the cell at position {position} is {values[position]!r} while other "
                "cells are single values (give a missing allocation as (nan, nan), a missing "
                "option index as nan)."
            )
    flat = values.reshape(values.shape[0], -1)
    numeric = np.full(flat.shape, np.nan)
    if values.dtype.kind != "b":  # a boolean is not an answer
        for c in range(flat.shape[1]):
            numeric[:, c] = _to_numeric(flat[:, c])
    bad = np.isnan(numeric) & ~pd.isna(flat)
    return numeric.reshape(values.shape), bad.reshape(values.shape), values


def _to_numeric(cells: np.ndarray) -> np.ndarray:
    """Numbers and numeric strings of a 1-D object array as floats; NaN for anything else
    (including booleans, which are not answers)."""
    import pandas as pd

    numeric = np.array(pd.to_numeric(pd.Series(cells, dtype=object), errors="coerce"), float)
    is_bool = np.frompyfunc(lambda cell: isinstance(cell, bool | np.bool_), 1, 1)(cells)
    numeric[is_bool.astype(bool)] = np.nan
    return numeric


def _normalise(name: Any) -> str:
    return str(name).strip().lower().replace("_", "")


def _parse_frame(frame) -> _Parsed:
    """The answers of a DataFrame: its item columns found, checked and read as floats."""
    columns, allocation, duplicate = _frame_layout(frame)
    m = len(columns)
    raw, bad = _frame_values(frame, [c for group in columns for c in group], allocation)
    if allocation:
        raw = raw.reshape(len(frame), m, 2)
        if duplicate:
            _check_duplicate_layout(frame, duplicate, raw)
    columns = [tuple(str(c) for c in group) for group in columns]
    return _Parsed(frame.index, raw, columns, bad, allocation)


def _frame_layout(frame) -> tuple[list[tuple[Any, ...]], bool, list[Any]]:
    """The item columns of a DataFrame, per item ``(name,)`` or ``(self, other)``; whether
    they hold payoffs; and the option columns given beside payoff columns (to be checked)."""
    found: dict[str, list[Any]] = {}
    for column in frame.columns:
        found.setdefault(_normalise(column), []).append(column)
    wanted = [c for item in ITEM_COLUMNS for c in (item, f"{item}self", f"{item}other")]
    for key in wanted:
        if len(found.get(key, ())) > 1:
            raise ChoiceError(
                f"The columns {found[key]!r} all name the same answer {key!r}; keep one of them."
            )
    index_cols = [found.get(c, [None])[0] for c in ITEM_COLUMNS]
    self_cols = [found.get(f"{c}self", [None])[0] for c in ITEM_COLUMNS]
    other_cols = [found.get(f"{c}other", [None])[0] for c in ITEM_COLUMNS]
    pairs = [
        None if s is None or o is None else (s, o)
        for s, o in zip(self_cols, other_cols, strict=True)
    ]
    allocation = all(p is not None for p in pairs[:N_PRIMARY])
    present = [p is not None for p in pairs] if allocation else [c is not None for c in index_cols]
    if not all(present[:N_PRIMARY]):
        raise _missing_primary(frame, index_cols, self_cols, other_cols, present)
    secondary = present[N_PRIMARY:]
    if any(secondary) and not all(secondary):
        missing = [ITEM_COLUMNS[N_PRIMARY + i] for i, p in enumerate(secondary) if not p]
        raise ChoiceError(
            "The secondary items must be all nine (item7 … item15) or none; missing "
            f"{', '.join(missing)}."
        )
    m = N_ITEMS if all(secondary) else N_PRIMARY
    # the other layout's columns are allowed only as a complete duplicate (payoffs then win)
    if allocation:
        stray = [c for c in index_cols if c is not None]
        duplicate = len(stray) == m and all(c is not None for c in index_cols[:m])
    else:
        stray = [c for c in self_cols + other_cols if c is not None]
        duplicate = False
    if stray and not duplicate:
        raise ChoiceError(
            f"The column(s) {stray[:6]!r} do not fit the survey's layout: the primary items "
            f"are given as {'payoff pairs' if allocation else 'option indices'}, so every "
            "item must take that form (item1 … item15 of option indices, or item1_self and "
            "item1_other … of payoffs; not a mix)."
        )
    columns = pairs[:m] if allocation else [(c,) for c in index_cols[:m]]
    return columns, allocation, index_cols[:m] if duplicate else []


def _missing_primary(frame, index_cols: list[Any], self_cols: list[Any],
                     other_cols: list[Any], present: list[bool]) -> ChoiceError:
    """The error for a DataFrame without all six primary items."""
    any_payoff = any(c is not None for c in self_cols + other_cols)
    if any_payoff and all(c is None for c in index_cols[:N_PRIMARY]):
        missing = [
            name
            for i, item in enumerate(PRIMARY_COLUMNS)
            for name, col in ((f"{item}_self", self_cols[i]), (f"{item}_other", other_cols[i]))
            if col is None
        ]
    else:
        missing = [ITEM_COLUMNS[i] for i in range(N_PRIMARY) if not present[i]]
    return ChoiceError(
        f"The survey lacks the primary item column(s) {', '.join(missing)}: expected columns "
        "item1 … item6 of option indices 0–8 (or item1_self, item1_other, … of payoffs). "
        f"Got columns {list(frame.columns)[:20]}."
    )


def _frame_values(frame, names: list[Any],
                  allocation: bool) -> tuple[np.ndarray, list[tuple[int, int, int, Any]]]:
    """The cells of ``names`` as floats (NaN where missing or not a number) and the cells that
    are not numbers, as ``(row, item, 0 self / 1 other, value)``."""
    import pandas as pd

    block = frame[names]
    raw = np.empty(block.shape)
    bad: list[tuple[int, int, int, Any]] = []
    for j in range(len(names)):
        series = block.iloc[:, j]
        if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
            series.dtype
        ):
            raw[:, j] = series.to_numpy(dtype=float, na_value=np.nan)
            continue
        if pd.api.types.is_bool_dtype(series.dtype):
            numeric = np.full(len(series), np.nan)  # a boolean is not an answer
        else:
            numeric = _to_numeric(series.to_numpy(dtype=object))
        raw[:, j] = numeric
        for r in np.flatnonzero(np.isnan(numeric) & series.notna().to_numpy()):
            item, part = divmod(j, 2) if allocation else (j, 0)
            bad.append((int(r), item, part, series.iat[r]))
    return raw, bad


def _check_duplicate_layout(frame, index_cols: list[Any], payoffs: np.ndarray) -> None:
    """Option columns given beside payoff columns must name the same allocations."""
    import pandas as pd

    options = frame[index_cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    valid = np.isfinite(options) & (options == np.round(options)) & (options >= 0)
    valid &= options <= N_OPTIONS - 1
    index = np.where(valid, options, 0).astype(np.intp)
    printed = ITEMS[np.arange(len(index_cols)), index].astype(float)  # (n, m, 2)
    given = ~np.isnan(payoffs).any(axis=-1)
    disagree = given & (~valid | (printed != payoffs).any(axis=-1))
    if disagree.any():
        r, k = (int(v[0]) for v in np.nonzero(disagree))
        raise ChoiceError(
            f"Row {r} (respondent {frame.index[r]!r}): column {index_cols[k]!r} says option "
            f"{options[r, k]:.12g} but the payoff columns give ({payoffs[r, k, 0]:.12g}, "
            f"{payoffs[r, k, 1]:.12g}); {int(disagree.sum())} answer(s) disagree. Keep one "
            "layout (option indices or payoffs)."
        )


def _problems(parsed: _Parsed, issues: dict[tuple[int, int], tuple[Any, str]]) -> list[Problem]:
    """Every answer not on the form: cells that are not numbers first, then ``issues``."""
    found: dict[tuple[int, int], Problem] = {}
    expected = "a payoff" if parsed.is_allocation else "an option index 0–8"
    for r, k, part, value in parsed.bad_cells:
        value = _py(value)
        if (r, k) not in found:
            found[(r, k)] = Problem(
                r, parsed.labels[r], parsed.columns[k][part], value,
                f"{value!r} is not a number; expected {expected}",
            )
    for (r, k), (value, message) in issues.items():
        if (r, k) not in found:
            found[(r, k)] = Problem(r, parsed.labels[r], "/".join(parsed.columns[k]), value,
                                    message)
    return [found[key] for key in sorted(found)]


def _score_indices(raw: np.ndarray):
    """Scores from option indices ``(n, m)``; issues {(row, item): (value, message)}."""
    n, m = raw.shape
    with np.errstate(invalid="ignore"):
        index = raw.astype(np.intp)  # NaN and huge values give garbage, caught by ==
        valid = (index == raw) & (index >= 0) & (index < N_OPTIONS)
    issues = {}
    if not valid.all():
        for r, k in zip(*np.nonzero(~valid & ~np.isnan(raw)), strict=True):
            issues[(int(r), int(k))] = (
                float(raw[r, k]),
                f"option {raw[r, k]:.12g} is not an option index; expected an integer in 0–8",
            )
    # option N_OPTIONS is a sentinel for "no valid answer": NaN payoffs, no preference
    option = np.where(valid[:, :N_PRIMARY], index[:, :N_PRIMARY], N_OPTIONS)
    option += np.arange(N_PRIMARY) * (N_OPTIONS + 1)
    complete = valid[:, :N_PRIMARY].all(axis=1)
    if m == N_ITEMS:
        secondary = np.where(valid[:, N_PRIMARY:], raw[:, N_PRIMARY:], np.nan)
        ia_index = _ia_index(secondary, complete)
    else:
        ia_index = np.full(n, np.nan)
    scored = {
        "mean_self": _SELF_TABLE[option].sum(axis=1) / N_PRIMARY,
        "mean_other": _OTHER_TABLE[option].sum(axis=1) / N_PRIMARY,
        "pattern": _PATTERN_TABLE[option].sum(axis=1),
        "complete": complete,
        "ia_index": ia_index,
    }
    return scored, issues


def _score_allocations(raw: np.ndarray):
    """Scores from (self, other) payoffs ``(n, m, 2)``; issues as in :func:`_score_indices`."""
    n, m = raw.shape[:2]
    items = ITEMS[:m].astype(float)
    (s0, o0), (s1, o1) = items[:, 0].T, items[:, -1].T  # endpoints, each (m,)
    ds, do = s1 - s0, o1 - o0
    # component arrays: reductions over a trailing axis of length 2 are slow in numpy
    s, o = np.ascontiguousarray(raw[..., 0]), np.ascontiguousarray(raw[..., 1])
    with np.errstate(invalid="ignore"):
        # t: where the pair projects on the segment, 0 at the first endpoint, 1 at the last
        ts, to = s - s0, o - o0
        t = ts * ds
        t += to * do
        t /= ds * ds + do * do
        np.clip(t, 0.0, 1.0, out=t)
        ts -= t * ds  # the residual from the nearest point of the segment
        to -= t * do
        ts *= ts
        to *= to
        ts += to
        valid = ts <= _ON_LINE_TOLERANCE**2  # False for NaN
    del ts, to
    issues = {}
    if not valid.all():
        missing = np.isnan(s) & np.isnan(o)
        for r, k in zip(*np.nonzero(~valid & ~missing), strict=True):
            a, b, pair = ITEMS[k, 0], ITEMS[k, -1], (float(s[r, k]), float(o[r, k]))
            if np.isnan(pair).any():
                message = (f"the payoff pair ({pair[0]:.12g}, {pair[1]:.12g}) has one payoff "
                           "missing; expected both payoffs or neither")
            else:
                message = (f"the payoff pair ({pair[0]:.12g}, {pair[1]:.12g}) is not on item "
                           f"{k + 1}'s line from ({a[0]}, {a[1]}) to ({b[0]}, {b[1]})")
            issues[(int(r), int(k))] = (pair, message)
    complete = valid[:, :N_PRIMARY].all(axis=1)
    primary_s = np.where(valid[:, :N_PRIMARY], s[:, :N_PRIMARY], np.nan)
    primary_o = np.where(valid[:, :N_PRIMARY], o[:, :N_PRIMARY], np.nan)
    if m == N_ITEMS:
        # position on the slider; a printed option maps to its index exactly
        positions = t[:, N_PRIMARY:] * (N_OPTIONS - 1)
        option = np.rint(np.where(valid[:, N_PRIMARY:], positions, 0)).astype(np.intp)
        option += np.arange(N_PRIMARY, N_ITEMS) * N_OPTIONS
        exact = (_ALL_SELF[option] == s[:, N_PRIMARY:]) & (_ALL_OTHER[option] == o[:, N_PRIMARY:])
        positions = np.where(exact, np.rint(positions), positions)
        positions[~valid[:, N_PRIMARY:]] = np.nan
        ia_index = _ia_index(positions, complete)
    else:
        ia_index = np.full(n, np.nan)
    scored = {
        "mean_self": primary_s.sum(axis=1) / N_PRIMARY,
        "mean_other": primary_o.sum(axis=1) / N_PRIMARY,
        "pattern": _preference_pattern(primary_s, primary_o),
        "complete": complete,
        "ia_index": ia_index,
    }
    return scored, issues


def _preference_pattern(s: np.ndarray, o: np.ndarray) -> np.ndarray:
    """Base-3 preference pattern (see :func:`_transitive_table`) of primary payoffs, each
    ``(..., 6)``; a NaN answer expresses no preference."""
    (s0, o0), (s1, o1) = ITEMS[:N_PRIMARY, 0].T, ITEMS[:N_PRIMARY, -1].T
    with np.errstate(invalid="ignore"):
        closer_to_end = (s - s0) ** 2 + (o - o0) ** 2 - (s - s1) ** 2 - (o - o1) ** 2
    # digit 0 nearer the start, 1 tie or missing, 2 nearer the end; the float product is exact
    digit = np.sign(np.nan_to_num(closer_to_end, nan=0.0)) + 1.0
    return (digit @ 3.0 ** np.arange(N_PRIMARY)).astype(np.intp)


def _lookup_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Self payoff, other payoff and weighted preference digit of each (primary item, option),
    flattened, with an extra option per item for "no valid answer" (NaN payoffs, no
    preference)."""
    payoffs = np.full((N_PRIMARY, N_OPTIONS + 1, 2), np.nan)
    payoffs[:, :N_OPTIONS] = ITEMS[:N_PRIMARY]
    s, o = payoffs[..., 0].T, payoffs[..., 1].T  # (option, item)
    digit = (_preference_pattern(s, o)[:, None] // 3 ** np.arange(N_PRIMARY)) % 3
    pattern = digit.T * 3 ** np.arange(N_PRIMARY)[:, None]
    return payoffs[..., 0].ravel(), payoffs[..., 1].ravel(), pattern.ravel()


_SELF_TABLE, _OTHER_TABLE, _PATTERN_TABLE = _lookup_tables()
_ALL_SELF, _ALL_OTHER = ITEMS[..., 0].ravel().astype(float), ITEMS[..., 1].ravel().astype(float)


def _ideal_weights() -> tuple[np.ndarray, np.ndarray]:
    """Ideal options of the secondary items (NaN → 0) and the weights that turn
    ``|position − ideal|`` into a multiple of the mean distance D, (9, 4) each, columns in
    ``SECONDARY_IDEALS`` order. The weights are small integers (D times a common factor), so
    integer positions give exact sums and exact ties."""
    ideals = np.column_stack(list(SECONDARY_IDEALS.values()))
    defined = ~np.isnan(ideals)
    counts = defined.sum(axis=0)
    return np.nan_to_num(ideals), defined * (np.lcm.reduce(counts) // counts)


_IDEALS, _IDEAL_WEIGHTS = _ideal_weights()
_IA, _JG, _IND, _ALT = (list(SECONDARY_IDEALS).index(name) for name in (
    "inequality_aversion", "joint_gain", "individualistic", "altruistic"))


def _ia_index(secondary: np.ndarray, complete: np.ndarray) -> np.ndarray:
    """D_IA / (D_IA + D_JG) of positions ``(n, 9)`` on items 7–15 (NaN = not answered) when
    all 15 items are answered (``complete``: the primary ones) and IA, JG are the two nearest
    ideals as the authors' scorer decides it; NaN otherwise.

    ``SVO_Slider.m`` sorts the four distances with MATLAB's stable ``sort`` in the order IA,
    JG, individualist, altruist and reports the index when the first two are IA and JG. IA and
    JG come first in that order, so they win every tie: the index is reported exactly when
    ``max(D_IA, D_JG) <= min(D_individualist, D_altruist)``.
    """
    # proportional to D, with the same factor for every ideal; NaN if an answer is missing
    distance, gap = [], np.empty_like(secondary)
    for j in range(_IDEALS.shape[1]):
        np.abs(np.subtract(secondary, _IDEALS[:, j], out=gap), out=gap)
        distance.append(gap @ _IDEAL_WEIGHTS[:, j])
    ia, jg = distance[_IA], distance[_JG]
    with np.errstate(invalid="ignore"):
        valid = complete & (np.maximum(ia, jg) <= np.minimum(distance[_IND], distance[_ALT]))
        return np.where(valid, ia / np.where(valid, ia + jg, 1.0), np.nan)
