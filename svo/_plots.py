"""Plots of SVO results: angle histogram, the SVO circle and group comparisons.

Matplotlib's object-oriented API only: a new plot is a :class:`matplotlib.figure.Figure` that
pyplot does not track (nothing to close, no global state, no display backend needed); pass
``ax=`` to draw into an existing Axes instead. Sizes and fonts suit a phone-sized screen.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Literal

import numpy as np

from _common.validation import check_choice, check_int

from ._compare import (
    STATISTICS,
    ComparisonReport,
    _bound_names,
    _by_columns,
    _groups,
    _scored_frame,
)
from ._errors import SVOError
from ._items import CATEGORIES, CATEGORY_BOUNDS, IDEAL_ANGLES, IDEAL_CHOICES, ITEMS, N_PRIMARY

__all__ = ["CATEGORY_COLORS", "plot_angles", "plot_circle", "plot_groups"]

CATEGORY_COLORS = {
    "altruistic": "#009E73",
    "prosocial": "#0072B2",
    "individualistic": "#E69F00",
    "competitive": "#D55E00",
}
"""One colour per category (Okabe & Ito's colour-blind-safe palette)."""

CUTOFFS = tuple(sorted(low for low, _ in CATEGORY_BOUNDS.values() if np.isfinite(low)))
"""The category cut-offs in degrees: −12.04, 22.45, 57.15."""
_TEXT = 9  # font size of annotations (points)


def _reachable() -> tuple[float, float]:
    """The exact extreme angles of the form: the competitor's and the altruist's."""
    from ._score import score

    angles = score([IDEAL_CHOICES["competitive"], IDEAL_CHOICES["altruistic"]])["angle"]
    return float(angles.iloc[0]), float(angles.iloc[1])


REACHABLE = _reachable()
"""The range of angles any answer pattern can reach: about (−16.26°, 61.39°)."""


def plot_angles(scored: Any, *, by: Hashable | None = None, bins: int = 40, ax: Any = None):
    """Histogram of SVO angles over the reachable range, with the category bands.

    Parameters
    ----------
    scored : pandas.DataFrame
        Scored respondents (an ``angle`` column, as from :func:`svo.score`) or a survey with
        the item columns, which is scored first. Respondents without an angle are left out
        (the title gives the count).
    by : column label, optional
        Draw one outlined histogram per group of this column (groups ordered as in
        :func:`svo.compare`), with a legend below the plot.
    bins : int, default 40
        Number of equal-width bins between −16.26° and 61.39°, in [1, 500].
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes; by default a new 6.4 × 4 inch Figure.

    Returns
    -------
    matplotlib.figure.Figure
        The new Figure, or ``ax.figure``.

    References
    ----------
    Murphy, R. O., Ackermann, K. A., & Handgraaf, M. J. J. (2011). Measuring social value
    orientation. *Judgment and Decision Making*, 6(8), 771–781, §3 (categories and cut-offs).

    Examples
    --------
    >>> import numpy as np, svo
    >>> scored = svo.score(np.random.default_rng(0).integers(0, 9, (200, 6)))
    >>> fig = svo.plot_angles(scored, bins=30)
    >>> len(fig.axes[0].patches)   # 4 category bands + 30 bars
    34
    """
    import pandas as pd
    from matplotlib.ticker import MaxNLocator

    bins = check_int(bins, "bins", "plot_angles", 1, 500, error=SVOError)
    frame = _scored_frame(scored, "plot_angles")
    angle = pd.to_numeric(frame["angle"], errors="coerce").to_numpy(dtype=float)
    valid = ~np.isnan(angle)
    fig, ax = _figure(ax, (6.4, 4.0))
    low, high = REACHABLE
    if valid.any():
        low, high = min(low, angle[valid].min()), max(high, angle[valid].max())
    edges = np.linspace(low, high, bins + 1)
    pad = 0.03 * (high - low)
    ax.set_xlim(low - pad, high + pad)
    _category_bands(ax, "x", low - pad, high + pad)
    if by is None:
        ax.hist(angle[valid], bins=edges, color="0.25", edgecolor="white", linewidth=0.5)
    else:
        groups = _groups_drawn(scored, by, "plot_angles", valid)
        for member, color, label in groups:
            ax.hist(angle[member], bins=edges, histtype="step", linewidth=1.8, color=color,
                    label=label)
        _legend_below(ax, len(groups))
    top = ax.get_ylim()[1]
    ax.set_ylim(0, top * 1.35 if top > 0 else 1)  # headroom for the band labels
    _band_labels(ax, "x", ax.get_xlim())
    for cut in CUTOFFS:
        ax.axvline(cut, color="0.35", linestyle="--", linewidth=0.8)
    secondary = ax.secondary_xaxis("top")
    secondary.set_xticks(CUTOFFS, labels=[_degrees(c) for c in CUTOFFS])
    secondary.tick_params(labelsize=8, length=3)
    ax.set_xlabel("SVO angle (degrees)", fontsize=10)
    ax.set_ylabel("respondents", fontsize=10)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(labelsize=9)
    missing = (~valid).sum()
    note = f", {missing} without an angle" if missing else ""
    ax.set_title(f"SVO angles (n = {valid.sum()}{note})", fontsize=11)
    return fig


def plot_circle(scored: Any, *, by: Hashable | None = None, ax: Any = None):
    """The SVO circle: each respondent's mean payoffs to self and other, with the ideal types.

    The six primary items are chords of the circle of radius 50 around (50, 50) (drawn faint);
    a respondent's angle is the direction of their mean allocation seen from the centre. The
    rays of the four ideal types are drawn in their category's colour and labelled; the
    category boundaries are dashed rays.

    Parameters
    ----------
    scored : pandas.DataFrame
        Scored respondents (``mean_self`` and ``mean_other`` columns, as from
        :func:`svo.score`) or a survey with the item columns, which is scored first.
    by : column label, optional
        Colour the points by this column's groups, with a legend in the empty lower right
        corner (below the plot for more than five groups).
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (its aspect is set to equal); by default a new 5.6 × 5.6 inch
        Figure.

    Returns
    -------
    matplotlib.figure.Figure
        The new Figure, or ``ax.figure``.

    References
    ----------
    Murphy, R. O., Ackermann, K. A., & Handgraaf, M. J. J. (2011). Measuring social value
    orientation. *Judgment and Decision Making*, 6(8), 771–781, Fig. 1–2 (the SVO circle).

    Examples
    --------
    >>> import numpy as np, svo
    >>> scored = svo.score(np.random.default_rng(0).integers(0, 9, (50, 6)))
    >>> fig = svo.plot_circle(scored)
    >>> sorted(t.get_text().split()[0] for t in fig.axes[0].texts)
    ['altruistic', 'competitive', 'individualistic', 'prosocial']
    """
    from matplotlib.patches import Circle

    frame = _scored_frame(scored, "plot_circle", ("mean_self", "mean_other"))
    x = np.asarray(frame["mean_self"], dtype=float)
    y = np.asarray(frame["mean_other"], dtype=float)
    valid = ~(np.isnan(x) | np.isnan(y))
    fig, ax = _figure(ax, (6.4, 5.2))
    ax.add_patch(Circle((50, 50), 50, fill=False, edgecolor="0.45", linewidth=1.0))
    for item in ITEMS[:N_PRIMARY]:
        ax.plot(item[[0, -1], 0], item[[0, -1], 1], color="0.82", linewidth=0.8, zorder=1)
    for cut in CUTOFFS:
        ax.plot(*_ray(cut), color="0.45", linestyle="--", linewidth=0.9, zorder=2)
    for name, angle in IDEAL_ANGLES.items():
        ax.plot(*_ray(angle), color=CATEGORY_COLORS[name], linewidth=2.0, zorder=2,
                solid_capstyle="round")
        (_, ex), (_, ey) = _ray(angle, radius=52.5)
        ax.text(ex, ey, f"{name} {_degrees(angle)}", fontsize=_TEXT - 0.5, ha="left",
                va="center", color=CATEGORY_COLORS[name], fontweight="bold")
    if by is None:
        ax.scatter(x[valid], y[valid], s=16, color="0.15", alpha=0.5, linewidths=0, zorder=3)
    else:
        groups = _groups_drawn(scored, by, "plot_circle", valid)
        for member, color, label in groups:
            ax.scatter(x[member], y[member], s=16, color=color, alpha=0.65, linewidths=0,
                       zorder=3, label=label)
        if len(groups) <= 5:  # the corner right of the circle and below the labels is empty
            ax.legend(loc="lower right", fontsize=8.5, frameon=False, markerscale=1.6,
                      handletextpad=0.3, borderaxespad=0.3)
        else:
            _legend_below(ax, len(groups))
    ax.plot([50], [50], marker="+", color="0.3", markersize=8)
    ax.set_aspect("equal")
    ax.set_xlim(-4, 148)  # room on the right for the ray labels
    ax.set_ylim(-4, 106)
    ax.set_xlabel("mean payoff to self", fontsize=10)
    ax.set_ylabel("mean payoff to other", fontsize=10)
    ax.tick_params(labelsize=9)
    ax.set_title(f"SVO circle (n = {valid.sum()})", fontsize=11)
    return fig


def plot_groups(comparison: Any, *, ax: Any = None,
                kind: Literal["both", "shares", "angle"] | None = None):
    """Category shares and mean angle per group, with the bootstrap confidence intervals.

    Parameters
    ----------
    comparison : pandas.DataFrame or ComparisonReport
        The output of :func:`svo.compare` or :func:`svo.compare_report`.
    ax : matplotlib.axes.Axes or a pair of Axes, optional
        Where to draw. By default a new Figure with two panels, one above the other: the
        category shares (grouped bars with error bars) and the mean angle (points with error
        bars over the category bands).
    kind : {'both', 'shares', 'angle'}, optional
        Which panels: both (needs ``ax=None`` or two Axes) or one of them (needs ``ax=None``
        or one Axes). Default: ``'both'``, or ``'shares'`` when a single Axes is given.

    Returns
    -------
    matplotlib.figure.Figure
        The new Figure, or the figure of the given Axes.

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman &
    Hall/CRC, ch. 13 (the percentile intervals drawn as error bars).

    Examples
    --------
    >>> import numpy as np, pandas as pd, svo
    >>> rng = np.random.default_rng(0)
    >>> survey = pd.DataFrame(rng.integers(0, 9, (60, 6)), columns=svo.PRIMARY_COLUMNS)
    >>> survey["group"] = rng.choice(["a", "b", "c"], 60)
    >>> fig = svo.plot_groups(svo.compare(survey, n_boot=200, rng=0))
    >>> len(fig.axes), len(fig.axes[0].patches)   # two panels; 3 groups x 4 categories
    (2, 12)
    """
    import pandas as pd

    level = None
    if isinstance(comparison, ComparisonReport):
        comparison, level = comparison.table, comparison.confidence
    elif isinstance(comparison, pd.DataFrame):
        level = comparison.attrs.get("confidence")
    if not isinstance(comparison, pd.DataFrame):
        raise SVOError(
            "The 'comparison' parameter of plot_groups must be the DataFrame returned by "
            f"svo.compare. Got {type(comparison).__name__} instead."
        )
    needed = ["n", *(c for name in STATISTICS[:-1] for c in _bound_names(name))]
    missing = [c for c in needed if c not in comparison.columns]
    if missing:
        raise SVOError(
            "The 'comparison' parameter of plot_groups must be the DataFrame returned by "
            f"svo.compare; it lacks the column(s) {missing}. Got columns "
            f"{list(comparison.columns)}."
        )
    single = ax is not None and not isinstance(ax, (list, tuple, np.ndarray))
    if kind is None:
        kind = "shares" if single else "both"
    check_choice(kind, "kind", "plot_groups", ("both", "shares", "angle"), error=SVOError)
    panels = 2 if kind == "both" else 1
    if ax is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(6.4, 3.6 * panels), layout="constrained")
        axes = list(np.atleast_1d(fig.subplots(panels, 1)))
    else:
        axes = [ax] if single else list(np.ravel(ax))
        if len(axes) != panels:
            raise SVOError(
                f"The 'ax' parameter of plot_groups must be {panels} Axes for kind={kind!r}. "
                f"Got {len(axes)} instead."
            )
        fig = axes[0].figure
    ci = f"{level:.0%} bootstrap CI" if level is not None else "bootstrap CI"
    ticks = [(_label(g), n) for g, n in zip(comparison.index, comparison["n"], strict=True)]
    if kind in ("both", "shares"):
        _shares_panel(axes[0], comparison, ticks, ci)
    if kind in ("both", "angle"):
        _angle_panel(axes[-1], comparison, ticks, ci)
    return fig


def _shares_panel(ax: Any, comparison: Any, ticks: list[tuple[str, int]], ci: str) -> None:
    from matplotlib.ticker import PercentFormatter

    x = np.arange(len(comparison))
    width = 0.8 / len(CATEGORIES)
    for k, name in enumerate(CATEGORIES):
        share, _, _, error = _interval_columns(comparison, f"share_{name}")
        ax.bar(x + (k - 1.5) * width, share, width, color=CATEGORY_COLORS[name], label=name,
               yerr=error, capsize=2, error_kw={"elinewidth": 0.8, "ecolor": "0.2"})
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("share of respondents", fontsize=10)
    _group_axis(ax, ticks)
    ax.set_title(f"Categories per group ({ci})", fontsize=11, pad=22)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(CATEGORIES),
              fontsize=8.5, frameon=False, handlelength=1.2, columnspacing=1.0,
              borderaxespad=0.2)


def _angle_panel(ax: Any, comparison: Any, ticks: list[tuple[str, int]], ci: str) -> None:
    x = np.arange(len(comparison))
    mean, low, high, error = _interval_columns(comparison, "angle_mean")
    ax.errorbar(x, mean, yerr=error, fmt="o", color="0.1", markersize=6, capsize=4,
                elinewidth=1.2, zorder=3)
    shown = np.concatenate([low, high, mean])
    shown = shown[~np.isnan(shown)]
    reach = REACHABLE
    bottom = max(reach[0], shown.min() - 8) if len(shown) else reach[0]
    top = min(reach[1], shown.max() + 8) if len(shown) else reach[1]
    ax.set_ylim(bottom - 1, top + 1)
    _category_bands(ax, "y", bottom - 1, top + 1)
    _band_labels(ax, "y", ax.get_ylim())
    ax.set_xlim(-0.6, len(comparison) - 0.4)
    ax.set_ylabel("mean SVO angle (degrees)", fontsize=10)
    _group_axis(ax, ticks)
    ax.set_title(f"Mean angle per group ({ci})", fontsize=11)


# -- helpers ---------------------------------------------------------------------------------


def _interval_columns(comparison: Any, statistic: str):
    """A statistic's estimates, lower and upper bounds per group, and the error-bar lengths
    below and above the estimate (a ``(2, groups)`` array, never negative)."""
    point, low, high = (comparison[c].to_numpy(dtype=float) for c in _bound_names(statistic))
    return point, low, high, np.clip(np.vstack([point - low, high - point]), 0, None)


def _figure(ax: Any, size: tuple[float, float]):
    """A new untracked Figure with one Axes, or the given Axes and its figure."""
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def _groups_drawn(data: Any, by: Any, caller: str,
                  valid: np.ndarray) -> list[tuple[np.ndarray, Any, str]]:
    """Per group of ``by`` (in :func:`svo.compare`'s order): its valid respondents (a mask),
    its colour and its legend label with the count."""
    from matplotlib import colormaps

    labels, _, codes, _ = _groups(data, _by_columns(data, by, caller), by)
    palette = colormaps["tab10" if len(labels) <= 10 else "tab20"]
    drawn = []
    for g, label in enumerate(labels):
        member = valid & (codes == g)
        drawn.append((member, palette(g % palette.N), f"{_label(label)} (n={member.sum()})"))
    return drawn


def _label(value: Any) -> str:
    return " / ".join(map(str, value)) if isinstance(value, tuple) else str(value)


def _legend_below(ax: Any, n: int) -> None:
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=min(n, 3), fontsize=8.5,
              frameon=False, markerscale=1.6)


def _group_axis(ax: Any, ticks: list[tuple[str, int]]) -> None:
    """Group names with their sizes under the x axis (slanted, one line, when crowded)."""
    crowded = len(ticks) > 5 or max((len(name) for name, _ in ticks), default=0) > 12
    labels = [f"{name} (n={n})" if crowded else f"{name}\n(n={n})" for name, n in ticks]
    ax.set_xticks(np.arange(len(ticks)), labels=labels, fontsize=9 if len(ticks) <= 12 else 7.5,
                  rotation=40 if crowded else 0, ha="right" if crowded else "center",
                  rotation_mode="anchor" if crowded else "default")
    ax.tick_params(axis="y", labelsize=9)


def _visible_bands(low: float, high: float):
    """Each category with its band clipped to [low, high], if anything of it is left."""
    for name in CATEGORIES:
        start, stop = CATEGORY_BOUNDS[name]
        start, stop = max(start, low), min(stop, high)
        if start < stop:
            yield name, start, stop


def _category_bands(ax: Any, axis: str, low: float, high: float) -> None:
    """Shade each category's band (clipped to [low, high]) along the x or y axis."""
    span = ax.axvspan if axis == "x" else ax.axhspan
    for name, start, stop in _visible_bands(low, high):
        span(start, stop, color=CATEGORY_COLORS[name], alpha=0.12, linewidth=0, zorder=0)


def _band_labels(ax: Any, axis: str, limits: tuple[float, float]) -> None:
    """Name each visible category band inside the axes (vertical text for narrow bands)."""
    low, high = sorted(limits)
    for name, start, stop in _visible_bands(low, high):
        middle = (start + stop) / 2
        narrow = (stop - start) < 0.15 * (high - low)
        style = {"fontsize": _TEXT - 0.5, "color": CATEGORY_COLORS[name], "fontweight": "bold",
                 "clip_on": True, "zorder": 1}  # under the data
        if axis == "x":
            ax.text(middle, 0.97, name, transform=ax.get_xaxis_transform(), ha="center",
                    va="top", rotation=90 if narrow else 0, **style)
        elif not narrow:
            ax.text(0.99, middle, name, transform=ax.get_yaxis_transform(), ha="right",
                    va="center", **style)


def _degrees(angle: float) -> str:
    return f"{angle:.2f}°".replace("-", "\N{MINUS SIGN}")


def _ray(angle: float, radius: float = 50.0) -> tuple[list[float], list[float]]:
    theta = np.radians(angle)
    return [50.0, 50.0 + radius * np.cos(theta)], [50.0, 50.0 + radius * np.sin(theta)]
