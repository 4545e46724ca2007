"""svo.plot_angles, svo.plot_circle, svo.plot_groups: Figures with the expected artists."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle

import svo
from svo._plots import CATEGORY_COLORS, CUTOFFS, REACHABLE


@pytest.fixture(autouse=True)
def no_pyplot_leak():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before


@pytest.fixture(scope="module")
def survey():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.integers(0, 9, (120, 6)), columns=svo.PRIMARY_COLUMNS)
    frame = frame.astype(float)
    frame.loc[[0, 1], "item4"] = np.nan  # two incomplete respondents
    frame["group"] = rng.choice(["b", "a", "c"], 120)
    return frame


@pytest.fixture(scope="module")
def scored(survey):
    result = svo.score(survey)
    result["group"] = survey["group"].to_numpy()
    return result


def texts(ax):
    return [t.get_text() for t in ax.texts]


def renders(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=40)
    return buffer.getvalue()[:4] == b"\x89PNG"


def test_reachable_range_is_the_published_one():
    assert np.round(REACHABLE, 2).tolist() == [-16.26, 61.39]
    assert CUTOFFS == (-12.04, 22.45, 57.15)


# -- plot_angles ----------------------------------------------------------------------------------


def test_plot_angles_histogram_bands_and_cutoffs(scored):
    fig = svo.plot_angles(scored, bins=25)
    assert isinstance(fig, Figure) and renders(fig)
    ax = fig.axes[0]
    assert len(ax.patches) == 4 + 25  # category bands + bars
    heights = [p.get_height() for p in ax.patches[4:]]
    assert sum(heights) == 118  # the two incomplete respondents are left out
    assert sorted(texts(ax)) == sorted(svo.CATEGORIES)
    dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert sorted(line.get_xdata()[0] for line in dashed) == list(CUTOFFS)
    low, high = ax.get_xlim()
    assert low < REACHABLE[0] and high > REACHABLE[1] and high - low < 90
    assert "n = 118, 2 without an angle" in ax.get_title()
    top = ax.child_axes[0]  # the secondary axis naming the cut-offs
    assert [t.get_text() for t in top.get_xticklabels()] == ["−12.04°", "22.45°", "57.15°"]


def test_plot_angles_band_colours(scored):
    ax = svo.plot_angles(scored).axes[0]
    colours = [matplotlib.colors.to_hex(p.get_facecolor()[:3]) for p in ax.patches[:4]]
    assert colours == [CATEGORY_COLORS[c].lower() for c in svo.CATEGORIES]


def test_plot_angles_by_group(scored):
    fig = svo.plot_angles(scored, by="group", bins=10)
    ax = fig.axes[0]
    assert len(ax.patches) == 4 + 3  # bands + one outlined histogram per group
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    counts = scored.dropna(subset=["angle"])["group"].value_counts()
    assert legend == [f"{g} (n={counts[g]})" for g in ["a", "b", "c"]]
    assert renders(fig)


def test_plot_angles_on_a_given_axes_and_from_raw_items(survey):
    fig = Figure()
    ax = fig.add_subplot()
    returned = svo.plot_angles(survey, ax=ax, bins=12)  # scores the items itself
    assert returned is fig and len(ax.patches) == 16
    assert isinstance(ax, Axes)


def test_plot_angles_bad_input(scored):
    with pytest.raises(svo.SVOError, match=r"'bins' parameter of plot_angles must be an int "
                                           r"in \[1, 500\]\. Got 0"):
        svo.plot_angles(scored, bins=0)
    with pytest.raises(svo.SVOError, match=r"'by' parameter of plot_angles.*Got 'grp'"):
        svo.plot_angles(scored, by="grp")
    with pytest.raises(svo.SVOError, match="needs scored data"):
        svo.plot_angles(pd.DataFrame({"x": [1.0]}))


def test_plot_angles_with_no_angles():
    empty = svo.score(np.full((3, 6), np.nan))
    fig = svo.plot_angles(empty)
    assert "n = 0, 3 without an angle" in fig.axes[0].get_title() and renders(fig)


# -- plot_circle ----------------------------------------------------------------------------------


def test_plot_circle_artists(scored):
    fig = svo.plot_circle(scored)
    assert isinstance(fig, Figure) and renders(fig)
    ax = fig.axes[0]
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    assert len(circles) == 1
    assert circles[0].center == (50, 50) and circles[0].radius == 50
    assert ax.get_aspect() == 1.0
    solid_rays = {
        matplotlib.colors.to_hex(line.get_color()): line
        for line in ax.lines
        if line.get_linestyle() == "-" and len(line.get_xdata()) == 2
        and (line.get_xdata()[0], line.get_ydata()[0]) == (50, 50)
    }
    assert len(solid_rays) == 4
    for name, angle in svo.IDEAL_ANGLES.items():
        ray = solid_rays[CATEGORY_COLORS[name].lower()]
        dx, dy = np.diff(ray.get_xdata())[0], np.diff(ray.get_ydata())[0]
        assert np.degrees(np.arctan2(dy, dx)) == pytest.approx(angle)
        assert np.hypot(dx, dy) == pytest.approx(50)
    dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert len(dashed) == 3
    angles = sorted(
        np.degrees(np.arctan2(np.diff(d.get_ydata())[0], np.diff(d.get_xdata())[0]))
        for d in dashed
    )
    np.testing.assert_allclose(angles, CUTOFFS)
    assert sorted(texts(ax)) == sorted(
        f"{n} {a:.2f}°".replace("-", "−") for n, a in svo.IDEAL_ANGLES.items()
    )
    points = ax.collections[0].get_offsets()
    assert len(points) == 118
    np.testing.assert_allclose(
        np.sort(points[:, 0]), np.sort(scored["mean_self"].dropna().to_numpy())
    )


def test_ideal_types_lie_on_their_rays():
    ideals = svo.score(np.array([svo.IDEAL_CHOICES[c] for c in svo.CATEGORIES]))
    ax = svo.plot_circle(ideals).axes[0]
    x, y = np.asarray(ax.collections[0].get_offsets()).T
    angles = np.degrees(np.arctan2(y - 50, x - 50))
    np.testing.assert_allclose(angles, list(svo.IDEAL_ANGLES.values()), atol=0.005)


def test_plot_circle_by_group_and_given_axes(scored):
    fig = Figure()
    ax = fig.add_subplot()
    assert svo.plot_circle(scored, by="group", ax=ax) is fig
    assert len(ax.collections) == 3
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert [t.split()[0] for t in legend] == ["a", "b", "c"]
    assert renders(fig)


def test_plot_circle_bad_input():
    with pytest.raises(svo.SVOError, match="mean_self, mean_other"):
        svo.plot_circle(pd.DataFrame({"angle": [1.0]}))
    with pytest.raises(svo.SVOError, match="must be a pandas DataFrame"):
        svo.plot_circle([[0, 8, 8, 3, 4, 8]])


# -- plot_groups ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def comparison(scored):
    return svo.compare(scored, by="group", n_boot=200, rng=0)


def test_plot_groups_two_panels(comparison):
    fig = svo.plot_groups(comparison)
    assert isinstance(fig, Figure) and renders(fig)
    shares_ax, angle_ax = fig.axes
    assert len(shares_ax.patches) == 3 * 4  # 3 groups x 4 categories
    heights = np.array([p.get_height() for p in shares_ax.patches]).reshape(4, 3)
    expected = comparison[[f"share_{c}" for c in svo.CATEGORIES]].to_numpy().T
    np.testing.assert_allclose(heights, expected)
    kinds = [type(c).__name__ for c in shares_ax.containers]
    assert kinds.count("BarContainer") == 4 and kinds.count("ErrorbarContainer") == 4
    assert [t.get_text() for t in shares_ax.get_legend().get_texts()] == list(svo.CATEGORIES)
    labels = [t.get_text() for t in shares_ax.get_xticklabels()]
    assert labels == [f"{g}\n(n={n})" for g, n in comparison["n"].items()]
    assert "95% bootstrap CI" in shares_ax.get_title()
    line = angle_ax.containers[0].lines[0]  # the error bar's data line
    np.testing.assert_allclose(line.get_ydata(), comparison["angle_mean"])


def test_plot_groups_takes_the_typed_report(scored):
    report = svo.compare_report(scored, by="group", n_boot=200, rng=0, confidence=0.9)
    fig = svo.plot_groups(report)
    assert renders(fig) and "90% bootstrap CI" in fig.axes[0].get_title()


def test_plot_groups_on_given_axes(comparison):
    fig = Figure()
    one = fig.add_subplot(2, 1, 1)
    assert svo.plot_groups(comparison, ax=one) is fig and len(one.patches) == 12
    other = fig.add_subplot(2, 1, 2)
    svo.plot_groups(comparison, ax=other, kind="angle")
    assert len(other.patches) >= 1 and len(other.containers) == 1  # bands + one errorbar
    pair = Figure().subplots(1, 2)
    fig2 = svo.plot_groups(comparison, ax=pair)
    assert fig2 is pair[0].figure and len(pair[0].patches) == 12
    assert len(svo.plot_groups(comparison, kind="angle").axes) == 1


def test_plot_groups_many_groups_and_multiindex(survey):
    data = survey.assign(wave=np.random.default_rng(1).choice([1, 2, 3], len(survey)))
    table = svo.compare(data, by=["group", "wave"], n_boot=100, rng=0)
    fig = svo.plot_groups(table)
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels[0].startswith("a / 1 (n=") and len(labels) == len(table)
    assert renders(fig)


def test_plot_groups_with_an_empty_group(survey):
    data = survey.assign(group=pd.Categorical(survey["group"], categories=["a", "b", "c", "d"]))
    fig = svo.plot_groups(svo.compare(data, n_boot=100, rng=0))
    assert len(fig.axes[0].patches) == 16 and renders(fig)


def test_plot_groups_bad_input(comparison):
    with pytest.raises(svo.SVOError, match=r"lacks the column\(s\) \['angle_mean'"):
        svo.plot_groups(comparison.drop(columns=["angle_mean"]))
    with pytest.raises(svo.SVOError, match=r"must be the DataFrame returned by svo\.compare"):
        svo.plot_groups([1, 2])
    with pytest.raises(svo.SVOError, match=r"'kind' parameter of plot_groups.*Got 'pie'"):
        svo.plot_groups(comparison, kind="pie")
    ax = Figure().add_subplot()
    with pytest.raises(svo.SVOError, match=r"must be 2 Axes for kind='both'\. Got 1"):
        svo.plot_groups(comparison, ax=ax, kind="both")
