"""Group comparisons of SVO scores with percentile-bootstrap confidence intervals.

Respondents are resampled with replacement within each group; every statistic of a group
(the mean angle, the four category shares, the share of transitive respondents) is computed on
the same resamples. The resampling is vectorised: each block of bootstrap samples is one
``(b, n)`` matrix of indices turned into resample counts, and the statistics of all ``b``
samples are one matrix product.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np

from _common.validation import check_float, check_int, check_rng, show

from ._errors import SVOError
from ._items import CATEGORIES
from ._results import Survey
from ._score import _category_codes, score

__all__ = ["ComparisonReport", "compare", "compare_report", "difference"]

logger = logging.getLogger(__name__)

N_BOOT_RANGE = (100, 1_000_000)
STATISTICS = ("angle_mean", *(f"share_{c}" for c in CATEGORIES), "transitive_share")
"""The statistics :func:`compare` reports per group (each with ``_low`` and ``_high``)."""
_BLOCK_ELEMENTS = 1 << 22  # resample indices held in memory at once (32 MiB of int64)
_SMALL_GROUP = 10
_REFERENCE = (
    "Efron, B., & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & "
    "Hall/CRC, ch. 6 (bootstrap standard errors) and ch. 13 (percentile intervals)."
)
# columns of the per-respondent value matrix: angle, one-hot category (4), transitive, known
_ANGLE, _SHARES, _TRUE, _KNOWN = 0, slice(1, 1 + len(CATEGORIES)), 5, 6


def compare(
    data: Any,
    by: Hashable | list[Hashable] = "group",
    *,
    n_boot: int = 2000,
    confidence: float = 0.95,
    rng: np.random.Generator | int | None = None,
):
    """Mean SVO angle and category shares per group, with bootstrap confidence intervals.

    Parameters
    ----------
    data : pandas.DataFrame or Survey
        One row per respondent with the ``by`` column(s) and either scored columns (an
        ``angle`` column as from :func:`svo.score`, optionally ``transitive``) or the item
        columns ``item1`` … ``item6`` (or … ``item15``), which are then scored with
        :func:`svo.score`. The category of each respondent is derived from the angle with the
        published cut-offs (:func:`svo.categorize`).
    by : column label or list of column labels, default 'group'
        The grouping column; with a list, one row per observed combination (a MultiIndex).
        Groups come in sorted order, or in category order for a categorical column (then every
        category gets a row, with ``n = 0`` if nobody is in it). Rows with a missing group
        value are left out, with a logged warning.
    n_boot : int, default 2000
        Bootstrap samples per group, in [100, 1000000].
    confidence : float, default 0.95
        Coverage of the intervals, in (0, 1).
    rng : numpy.random.Generator, int or None
        Source of randomness (a seed makes the intervals reproducible).

    Returns
    -------
    pandas.DataFrame
        One row per group (index named after ``by``) with columns ``n`` (respondents with an
        angle), ``n_excluded`` (respondents of the group without an angle: a missing primary
        answer), ``angle_mean``, ``angle_low``, ``angle_high``; for each category ``c`` of
        :data:`svo.CATEGORIES`: ``share_<c>``, ``share_<c>_low``, ``share_<c>_high``; and
        ``transitive_share``, ``transitive_share_low``, ``transitive_share_high`` (among
        respondents whose transitivity is known; NaN without a ``transitive`` column).
        Estimates are the sample values; ``_low`` and ``_high`` are the percentile-bootstrap
        bounds. A group with ``n = 0`` has NaN statistics. ``result.attrs`` records ``by``,
        ``n_boot``, ``confidence``, ``method`` and ``n_missing_group`` (for
        :func:`svo.plot_groups`); :func:`compare_report` returns them, with the warnings,
        as a typed :class:`ComparisonReport`.

    Raises
    ------
    SVOError
        A parameter is invalid or a ``by`` column is not in ``data``.
    ChoiceError
        ``data`` is scored here and holds an answer that is not on the form.

    Notes
    -----
    The percentile interval is the ``(1 - confidence)/2`` and ``(1 + confidence)/2``
    quantiles of the statistic over the bootstrap samples. It is reliable for moderately
    large groups; with fewer than 10 respondents a warning is logged (and listed in
    :attr:`ComparisonReport.warnings`), and a group of one has a zero-width interval. Groups
    are resampled independently, so intervals of different groups can be compared (or use
    :func:`svo._compare.difference` for the difference).

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman &
    Hall/CRC, ch. 6 and ch. 13 (the percentile interval).

    Examples
    --------
    >>> import numpy as np, pandas as pd, svo
    >>> prosocial, individualist = [0, 8, 8, 3, 4, 8], [8, 8, 8, 8, 0, 0]
    >>> survey = pd.DataFrame([prosocial] * 40 + [individualist] * 40,
    ...                       columns=svo.PRIMARY_COLUMNS)
    >>> survey["group"] = ["b"] * 10 + ["a"] * 30 + ["b"] * 30 + ["a"] * 10
    >>> table = svo.compare(survey, by="group", n_boot=1000, rng=0)
    >>> table[["n", "angle_mean", "share_prosocial"]].round(2)
            n  angle_mean  share_prosocial
    group
    a      40       26.16             0.75
    b      40        3.51             0.25
    >>> bool((table["share_prosocial_low"] < 0.5).any())   # b's interval
    True
    >>> table.loc["a", ["share_prosocial_low", "share_prosocial_high"]].tolist()
    [0.6..., 0.8...]
    """
    report = compare_report(data, by, n_boot=n_boot, confidence=confidence, rng=rng)
    for warning in report.warnings:
        logger.warning("compare: %s", warning)
    table = report.table.copy()
    table.attrs.update(
        by=by, n_boot=report.n_boot, confidence=report.confidence, method=report.method,
        n_missing_group=report.n_missing_group,
    )
    return table


@dataclass(frozen=True)
class ComparisonReport:
    """What :func:`compare_report` returns: the per-group table, its settings and warnings.

    Attributes
    ----------
    table : pandas.DataFrame
        The table :func:`compare` returns (one row per group).
    by : column label or list of column labels
        The grouping column(s).
    n_boot : int
        Bootstrap samples per group.
    confidence : float
        Coverage of the intervals.
    method : str
        ``'percentile bootstrap'``.
    n_missing_group : int
        Rows left out for a missing value in the grouping column(s).
    warnings : tuple of str
        What the reader should know: groups too small for a reliable interval, rows left
        out for a missing group.

    Examples
    --------
    >>> import pandas as pd, svo
    >>> survey = pd.DataFrame([[0, 8, 8, 3, 4, 8]] * 12 + [[8, 8, 8, 8, 0, 0]] * 3,
    ...                       columns=svo.PRIMARY_COLUMNS)
    >>> survey["group"] = ["a"] * 12 + ["b"] * 3
    >>> report = svo.compare_report(survey, by="group", n_boot=200, rng=0)
    >>> report.table["n"].tolist()
    [12, 3]
    >>> report.warnings
    ("group 'b' has only 3 respondents with an angle; its bootstrap intervals are unreliable.",)
    """

    table: Any
    by: Any
    n_boot: int
    confidence: float
    method: str = "percentile bootstrap"
    n_missing_group: int = 0
    warnings: tuple[str, ...] = ()


def compare_report(
    data: Any,
    by: Hashable | list[Hashable] = "group",
    *,
    n_boot: int = 2000,
    confidence: float = 0.95,
    rng: np.random.Generator | int | None = None,
) -> ComparisonReport:
    """:func:`compare` as a typed result: the table, its settings and its warnings.

    Parameters
    ----------
    data, by, n_boot, confidence, rng
        As in :func:`compare`.

    Returns
    -------
    ComparisonReport
        The table :func:`compare` returns, the settings, the rows without a group and the
        warnings (nothing is logged: the caller shows them).

    Raises
    ------
    SVOError, ChoiceError
        As :func:`compare`.

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman &
    Hall/CRC, ch. 6 and ch. 13 (the percentile interval).

    Examples
    --------
    >>> import pandas as pd, svo
    >>> survey = pd.DataFrame([[0, 8, 8, 3, 4, 8]] * 20, columns=svo.PRIMARY_COLUMNS)
    >>> survey["group"] = ["a"] * 10 + ["b"] * 9 + [None]
    >>> report = svo.compare_report(survey, n_boot=100, rng=0)
    >>> report.n_missing_group, len(report.warnings)
    (1, 2)
    """
    import pandas as pd

    _check_parameters("compare", n_boot, confidence)
    data = _frame(data)
    keys = _by_columns(data, by, "compare")
    values = _respondent_values(data, "compare")
    labels, index_name, group_of, n_missing = _groups(data, keys, by)
    warnings = _missing_warning(n_missing, keys)
    generator = check_rng(rng, "compare", error=SVOError)
    alpha = 1.0 - confidence
    valid = ~np.isnan(values[:, _ANGLE])
    rows = []
    for g in range(len(labels)):
        member = group_of == g
        sample = values[member & valid]
        if 0 < len(sample) < _SMALL_GROUP:
            warnings.append(
                f"group {show(labels[g])} has only {len(sample)} respondent"
                f"{'s' if len(sample) > 1 else ''} with an angle; its bootstrap intervals are "
                "unreliable."
            )
        rows.append(_group_row(sample, int((member & ~valid).sum()), n_boot, alpha, generator))
    columns = ["n", "n_excluded", *(c for name in STATISTICS for c in _bound_names(name))]
    index = _index(labels, index_name, data[keys[0]].dtype)
    result = pd.DataFrame(rows, index=index, columns=columns)
    result[["n", "n_excluded"]] = result[["n", "n_excluded"]].astype(np.int64)
    return ComparisonReport(result, by, n_boot, confidence, "percentile bootstrap", n_missing,
                            tuple(warnings))


def _group_row(sample: np.ndarray, excluded: int, n_boot: int, alpha: float,
               rng: np.random.Generator) -> dict[str, Any]:
    """One group's row of the comparison table."""
    estimate, low, high = _interval(sample, n_boot, alpha, rng)
    row: dict[str, Any] = {"n": len(sample), "n_excluded": excluded}
    for k, name in enumerate(STATISTICS):
        point, lower, upper = _bound_names(name)
        row[point], row[lower], row[upper] = estimate[k], low[k], high[k]
    return row


def _index(labels: list[Any], index_name: Any, dtype: Any):
    """The comparison table's index: a MultiIndex for several columns, categorical for a
    categorical column."""
    import pandas as pd

    if isinstance(index_name, list):
        return pd.MultiIndex.from_tuples(labels, names=index_name)
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.CategoricalIndex(labels, dtype=dtype, name=index_name)
    return pd.Index(labels, name=index_name)


def _missing_warning(n_missing: int, keys: list[Hashable]) -> list[str]:
    if not n_missing:
        return []
    return [f"{n_missing} row(s) with a missing value in the grouping column(s) "
            f"{', '.join(show(k) for k in keys)} were left out."]


def difference(
    data: Any,
    by: Hashable | list[Hashable] = "group",
    groups: tuple[Hashable, Hashable] | None = None,
    *,
    n_boot: int = 2000,
    confidence: float = 0.95,
    rng: np.random.Generator | int | None = None,
):
    """The difference between two groups in mean angle and category shares, with a CI.

    Each group is resampled independently (as in :func:`compare`); the difference of the two
    groups' statistics over the paired bootstrap samples gives a percentile interval for the
    difference. An interval that excludes 0 indicates a difference at the
    ``1 - confidence`` level.

    Parameters
    ----------
    data : pandas.DataFrame
        As for :func:`compare`.
    by : column label or list of column labels, default 'group'
        The grouping column(s).
    groups : pair of group values, optional
        The two groups ``(a, b)``; the difference is ``a - b``. Required unless ``by`` has
        exactly two groups (then they are taken in :func:`compare`'s order).
    n_boot : int, default 2000
        Bootstrap samples per group, in [100, 1000000].
    confidence : float, default 0.95
        Coverage of the interval, in (0, 1).
    rng : numpy.random.Generator, int or None
        Source of randomness.

    Returns
    -------
    pandas.DataFrame
        One row per statistic (``angle_mean``, ``share_<c>`` for each category,
        ``transitive_share``) with columns ``a`` and ``b`` (the two groups' estimates, named
        by the group values), ``difference`` (a − b), ``low`` and ``high``.

    Raises
    ------
    SVOError
        A parameter is invalid, a group is unknown, or a group has no respondent with an
        angle.

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman &
    Hall/CRC, ch. 13 (percentile intervals) and §16.2 (two-sample problems).

    Examples
    --------
    >>> import numpy as np, pandas as pd, svo
    >>> from svo._compare import difference
    >>> survey = pd.DataFrame([[0, 8, 8, 3, 4, 8]] * 30 + [[8, 8, 8, 8, 0, 0]] * 30,
    ...                       columns=svo.PRIMARY_COLUMNS)
    >>> survey["group"] = ["x"] * 25 + ["y"] * 30 + ["x"] * 5
    >>> table = difference(survey, groups=("x", "y"), rng=0)
    >>> table.loc["share_prosocial", ["x", "y", "difference"]].round(3).tolist()
    [0.833, 0.167, 0.667]
    >>> bool(table.loc["share_prosocial", "low"] > 0)
    True
    """
    import pandas as pd

    _check_parameters("difference", n_boot, confidence)
    data = _frame(data)
    keys = _by_columns(data, by, "difference")
    values = _respondent_values(data, "difference")
    labels, _, group_of, _ = _groups(data, keys, by)
    if groups is None:
        if len(labels) != 2:
            raise SVOError(
                "The 'groups' parameter of difference is required when 'by' does not have "
                f"exactly two groups. Got groups {labels}."
            )
        groups = (labels[0], labels[1])
    if not isinstance(groups, (tuple, list)) or len(groups) != 2:
        raise SVOError(
            f"The 'groups' parameter of difference must be a pair (a, b) of values of {by!r}. "
            f"Got {groups!r} instead."
        )
    generator = check_rng(rng, "difference", error=SVOError)
    alpha = 1.0 - confidence
    valid = ~np.isnan(values[:, _ANGLE])
    estimates, replicates = [], []
    for group in groups:
        if group not in labels:
            raise SVOError(
                f"The 'groups' parameter of difference names {group!r}, which is not a value "
                f"of {by!r}; the groups are {labels}."
            )
        sample = values[(group_of == labels.index(group)) & valid]
        if len(sample) == 0:
            raise SVOError(f"Group {group!r} has no respondent with an angle to compare.")
        estimates.append(_statistics(sample.mean(axis=0)))
        replicates.append(_statistics(_replicate_means(sample, n_boot, generator)))
    with np.errstate(invalid="ignore"):
        spread = replicates[0] - replicates[1]
    low, high = _quantiles(spread, alpha)
    a, b = groups
    return pd.DataFrame(
        {a: estimates[0], b: estimates[1], "difference": estimates[0] - estimates[1],
         "low": low, "high": high},
        index=pd.Index(STATISTICS, name="statistic"),
    )


def _bound_names(statistic: str) -> tuple[str, str, str]:
    """Output columns of a statistic: estimate, lower and upper bound."""
    stem = "angle" if statistic == "angle_mean" else statistic
    return statistic, f"{stem}_low", f"{stem}_high"


# -- the bootstrap ---------------------------------------------------------------------------


def _interval(sample: np.ndarray, n_boot: int, alpha: float, rng: np.random.Generator):
    """Estimates and percentile bounds of the statistics of one group's value matrix."""
    if len(sample) == 0:
        nan = np.full(len(STATISTICS), np.nan)
        return nan, nan, nan
    estimate = _statistics(sample.mean(axis=0))
    low, high = _quantiles(_statistics(_replicate_means(sample, n_boot, rng)), alpha)
    return estimate, low, high


def _quantiles(replicates: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bounds per column; NaN (without a warning) for a column with no value."""
    finite = ~np.isnan(replicates).all(axis=0)
    low, high = np.full((2, replicates.shape[1]), np.nan)
    if not finite.any():  # nanquantile over zero columns would not return two rows
        return low, high
    with np.errstate(invalid="ignore"):
        low[finite], high[finite] = np.nanquantile(
            replicates[:, finite], [alpha / 2, 1 - alpha / 2], axis=0
        )
    return low, high


def _statistics(means: np.ndarray) -> np.ndarray:
    """Column means of the value matrix -> the statistics (the transitive share is a ratio)."""
    means = np.asarray(means, dtype=float)
    known = means[..., _KNOWN]
    with np.errstate(invalid="ignore", divide="ignore"):
        transitive = np.where(known > 0, means[..., _TRUE] / known, np.nan)
    return np.concatenate([means[..., : _SHARES.stop], transitive[..., None]], axis=-1)


def _replicate_means(values: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Column means of ``n_boot`` resamples (with replacement) of the rows: (n_boot, k).

    Blocks of resamples bound the memory; each block is one index matrix.
    """
    n = values.shape[0]
    out = np.empty((n_boot, values.shape[1]))
    step = max(1, _BLOCK_ELEMENTS // n)
    for start in range(0, n_boot, step):
        stop = min(start + step, n_boot)
        index = rng.integers(0, n, size=(stop - start, n))
        out[start:stop] = _resample_means(values, index)
    return out


def _resample_means(values: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Column means of the resamples ``values[index[b]]``, as resample counts @ values."""
    b, n = index.shape
    offset = (index + n * np.arange(b)[:, None]).ravel()
    counts = np.bincount(offset, minlength=b * n).reshape(b, n)
    return counts @ values / n


def _resample_means_reference(values: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Slow, obviously correct :func:`_resample_means`: one resample at a time."""
    return np.array([values[row].mean(axis=0) for row in index]).reshape(len(index), -1)


# -- inputs ----------------------------------------------------------------------------------


def _check_parameters(caller: str, n_boot: Any, confidence: Any) -> None:
    check_int(n_boot, "n_boot", caller, *N_BOOT_RANGE, error=SVOError)
    check_float(confidence, "confidence", caller, 0.0, 1.0, low_open=True, high_open=True,
                error=SVOError)


def _frame(data: Any) -> Any:
    """The table of a :class:`svo.Survey`; anything else as it is."""
    return data.data if isinstance(data, Survey) else data


def _check_frame(data: Any, caller: str) -> None:
    import pandas as pd

    if not isinstance(data, pd.DataFrame):
        raise SVOError(
            f"The 'data' parameter of {caller} must be a pandas DataFrame with one row per "
            f"respondent. Got {type(data).__name__} instead."
        )


def _by_columns(data: Any, by: Any, caller: str) -> list[Hashable]:
    """The grouping columns as a list, checked against ``data``."""
    _check_frame(data, caller)
    multi = isinstance(by, list) or (isinstance(by, tuple) and by not in data.columns)
    keys = list(by) if multi else [by]
    if not keys:
        raise SVOError(f"The 'by' parameter of {caller} must name at least one column. Got {by!r}.")
    for key in keys:
        try:
            present = key in data.columns
        except TypeError:  # unhashable
            present = False
        if not present:
            raise SVOError(
                f"The 'by' parameter of {caller} must name a column of data. Got {key!r}; "
                f"the columns are {list(data.columns)}."
            )
    return keys


def _scored_frame(data: Any, caller: str, needed: tuple[str, ...] = ("angle",)):
    """``data`` itself when it holds the ``needed`` score columns, else ``svo.score(data)``.

    The scored frame has the rows of ``data`` in the same order (``score`` raises rather than
    dropping), so other columns of ``data`` align with it by position.
    """
    _check_frame(data, caller)
    if all(column in data.columns for column in needed):
        return data
    if not any(str(column).lower().startswith("item") for column in data.columns):
        raise SVOError(
            f"{caller} needs scored data (column(s) {', '.join(needed)}, as returned by "
            "svo.score) or the item columns item1 … item6 to score. Got columns "
            f"{list(data.columns)[:20]}."
        )
    return score(data)


def _respondent_values(data: Any, caller: str) -> np.ndarray:
    """(n, 7) floats per respondent: angle, category one-hot (4), transitive, transitive known.

    Rows without an angle have NaN in every column.
    """
    import pandas as pd

    scored = _scored_frame(data, caller)
    column = scored["angle"]
    angle = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(angle) & column.notna().to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise SVOError(
            f"The 'angle' column must hold numbers (degrees). Got {column.iloc[row]!r} "
            f"in row {row} (respondent {scored.index[row]!r})."
        )
    values = np.zeros((len(angle), 7))
    values[:, _ANGLE] = angle
    codes = _category_codes(angle)
    rows = np.flatnonzero(codes >= 0)
    values[rows, 1 + codes[rows]] = 1.0
    if "transitive" in scored.columns:
        transitive = pd.array(scored["transitive"], dtype="boolean")
        known = ~transitive.isna()
        values[:, _TRUE] = transitive.fillna(False).to_numpy(dtype=float)
        values[:, _KNOWN] = known.astype(float)
    values[np.isnan(angle)] = np.nan
    return values


def _groups(data, keys: list[Hashable], by: Any):
    """Group labels (in order), the index name(s), each row's group (−1: missing) and the count
    of rows with a missing group value."""
    import pandas as pd

    if len(keys) == 1:
        column = data[keys[0]]
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes = column.cat.codes.to_numpy()
            labels = list(column.cat.categories)
        else:
            codes, uniques = pd.factorize(column, sort=True)
            labels = list(uniques)
        name: Any = keys[0]
    else:
        grouped = data.groupby(keys, sort=True, dropna=True, observed=True)
        codes = grouped.ngroup().fillna(-1).to_numpy(dtype=np.int64)
        labels = list(grouped.size().index)
        name = list(keys)
    codes = np.asarray(codes, dtype=np.int64)
    return labels, name, codes, int((codes < 0).sum())
