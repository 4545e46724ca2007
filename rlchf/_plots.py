"""Plots of reward-model evaluations: per-group accuracy of one or several models.

Matplotlib's object-oriented API only (imported when a plot is drawn, never at
``import rlchf``): a new plot is a :class:`matplotlib.figure.Figure` that pyplot does not
track (nothing to close, no display needed); pass ``ax=`` to draw into an existing Axes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ._errors import RLCHFError

__all__ = ["plot_evaluation"]

_FUNC = "plot_evaluation"
_ALL = "all"


def _tables(tables: Any) -> dict[str, pd.DataFrame]:
    """``{label: evaluate table}`` from one table or a mapping of them."""
    if isinstance(tables, pd.DataFrame):
        tables = {"model": tables}
    if not isinstance(tables, Mapping) or not tables:
        raise RLCHFError(f"{_FUNC} takes a table returned by rlchf.evaluate or a non-empty "
                         f"mapping of them. Got {type(tables).__name__} instead.")
    for label, table in tables.items():
        missing = ({"metric", "feature", "group", "value"} - set(table.columns)
                   if isinstance(table, pd.DataFrame) else {"(not a DataFrame)"})
        if missing:
            raise RLCHFError(f"{_FUNC}: the table {str(label)!r} is not one rlchf.evaluate "
                             f"returns; it lacks {sorted(missing)}.")
    return {str(k): v for k, v in tables.items()}


def _feature(tables: dict[str, pd.DataFrame], feature: str | None) -> str:
    """The ``by`` feature to draw: ``feature``, or the first one any table has groups of."""
    have: list[str] = []
    for table in tables.values():
        rows = table[(table["metric"] == "accuracy") & table["feature"].notna()]
        have += [f for f in rows["feature"].unique() if f not in have]
    if feature is None and have:
        return have[0]
    if feature is None or feature not in have:
        raise RLCHFError(
            f"The 'feature' parameter of {_FUNC} must be a feature the tables have per-group "
            f"accuracy for ({have or 'none: call evaluate with by=[...]'}). "
            f"Got {feature!r} instead.")
    return feature


def _accuracy(table: pd.DataFrame, feature: str) -> tuple[pd.Series, Any]:
    """Pooled and per-group accuracy (indexed ``all``, then the groups) and the worst group."""
    acc = table[table["metric"] == "accuracy"]
    pooled = acc[acc["feature"].isna()]["value"]
    groups = acc[acc["feature"] == feature]
    values = pd.Series([*pooled.iloc[:1], *groups["value"]],
                       index=[_ALL] * min(1, len(pooled)) + [str(g) for g in groups["group"]],
                       dtype=float)
    worst = table[(table["metric"] == "worst_group_accuracy") & (table["feature"] == feature)]
    return values, (str(worst["group"].iloc[0]) if len(worst) else None)


def plot_evaluation(tables: Any, feature: str | None = None, *, ax: Any = None) -> Any:
    """Bar chart of held-out accuracy per group (and pooled) for one or several models.

    Parameters
    ----------
    tables : pandas.DataFrame or mapping of str to pandas.DataFrame
        What :func:`~rlchf.evaluate` returns (with ``by=``), or ``{label: table}`` to
        compare models side by side (e.g. ``{"pooled": ..., "conditioned": ...}``).
    feature : str, optional
        The ``by`` feature whose groups to draw; default the first one in the tables.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes; by default a new Figure.

    Returns
    -------
    matplotlib.figure.Figure
        One group of bars per group of ``feature`` (first ``all``, the pooled accuracy), one
        bar per model, labelled with its value; each model's worst group is drawn hatched and
        a dotted line marks chance (0.5).

    Raises
    ------
    RLCHFError
        A table that ``evaluate`` did not return, or no per-group accuracy for ``feature``.

    Examples
    --------
    >>> table = pd.DataFrame({"metric": ["accuracy", "accuracy", "accuracy",
    ...                                  "worst_group_accuracy"],
    ...                       "feature": [None, "region", "region", "region"],
    ...                       "group": [None, "north", "south", "south"],
    ...                       "rule": None, "value": [0.7, 0.8, 0.55, 0.55], "n": 10})
    >>> fig = plot_evaluation({"pooled": table})
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['all', 'north', 'south']
    """
    tables_in, tables = tables, _tables(tables)
    feature = _feature(tables, feature)
    series = {label: _accuracy(t, feature) for label, t in tables.items()}
    labels: list[str] = []
    for values, _ in series.values():
        labels += [g for g in values.index if g not in labels]
    if ax is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(max(4.0, 1.1 * len(labels) * max(1, len(series)) ** 0.5 + 2),
                              3.6), layout="constrained")
        ax = fig.add_subplot()
    x = np.arange(len(labels))
    width = 0.8 / len(series)
    for i, (label, (values, worst)) in enumerate(series.items()):
        v = values.reindex(labels).to_numpy(dtype=float)
        bars = ax.bar(x + (i - (len(series) - 1) / 2) * width, np.nan_to_num(v), width,
                      label=label, color=f"C{i}")
        ax.bar_label(bars, labels=["" if np.isnan(a) else f"{a:.2f}" for a in v], fontsize=8)
        if worst is not None:
            bars[labels.index(worst)].set_hatch("//")
    ax.axhline(0.5, color="grey", lw=0.8, ls=":")
    ax.set_xticks(x, labels)
    ax.set_ylim(0, 1.08)
    ax.set_xlabel(feature)
    ax.set_ylabel("held-out accuracy")
    named = f"{next(iter(series))}: a" if len(series) == 1 and not isinstance(
        tables_in, pd.DataFrame) else "A"
    ax.set_title(f"{named}ccuracy per {feature} (hatched: worst group)")
    if len(series) > 1:
        ax.legend(loc="lower right", fontsize=8)
    return ax.figure
