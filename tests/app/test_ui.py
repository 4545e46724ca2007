"""The pages' shared display helpers: figures readable on a phone, the page style."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image
from streamlit.testing.v1 import AppTest

import svo
from deliberation.pages import _ui

DEMO = Path(__file__).resolve().parents[2] / "data" / "svo_demo_survey.csv"


def _shown_px(fig: Figure, text: Text) -> float:
    """How many CSS pixels high ``text`` shows when ``fig`` fills a phone's column."""
    return text.get_fontsize() / 72 * _ui.PHONE_COLUMN_PX / fig.get_figwidth()


def _texts(fig: Figure) -> list[Text]:
    fig.draw_without_rendering()  # creates the tick labels as they will be drawn
    return [t for t in fig.findobj(Text) if t.get_text() and t.get_visible()]


@pytest.fixture(scope="module")
def survey():
    """The demo survey's table (what the SVO page plots), read once."""
    return svo.read_survey(DEMO).data


@pytest.mark.parametrize("plot", ["plot_circle", "plot_angles", "plot_groups"])
def test_svo_plots_show_no_text_below_the_minimum_on_a_phone(survey, plot: str) -> None:
    data = svo.compare(survey, by="group") if plot == "plot_groups" else survey
    fig = _ui.readable_figure(getattr(svo, plot)(data))
    sizes = [_shown_px(fig, text) for text in _texts(fig)]
    assert min(sizes) >= _ui.MIN_TEXT_PX - 1e-9


def test_readable_figure_keeps_titles_larger_than_tick_labels() -> None:
    fig = Figure(figsize=(6.4, 4.0), layout="constrained")
    ax = fig.add_subplot()
    ax.set_title("title", fontsize=11)
    ax.tick_params(labelsize=8)
    _ui.readable_figure(fig)
    ticks = [t for t in _texts(fig) if t is not ax.title]
    assert all(ax.title.get_fontsize() > t.get_fontsize() for t in ticks)
    assert min(_shown_px(fig, t) for t in ticks) == pytest.approx(_ui.MIN_TEXT_PX)


def test_readable_figure_leaves_large_text_of_a_small_figure_alone() -> None:
    fig = Figure(figsize=(3.0, 2.0))
    label = fig.add_subplot().set_xlabel("x", fontsize=12)
    _ui.readable_figure(fig)
    assert label.get_fontsize() == 12


def test_figure_png_is_cropped_to_the_figure_at_the_shared_dpi() -> None:
    fig = Figure(figsize=(4.0, 3.0), layout="constrained")
    fig.add_subplot().plot([0, 1], [0, 1])
    width, _ = Image.open(io.BytesIO(_ui.figure_png(fig))).size
    assert 0.8 * 4.0 * _ui.FIGURE_DPI < width <= (4.0 + 2 * 0.1) * _ui.FIGURE_DPI  # pad 0.1 in


def test_page_style_is_a_style_element_only() -> None:
    style = _ui.PAGE_STYLE.strip()
    assert style.startswith("<style>") and style.endswith("</style>")
    assert style.count("<") == 2


_WIDGETS = '''
import pandas as pd
import streamlit as st
from deliberation.pages._ui import choice, download, show_table

picked = choice("Pick", {"a": "Apple", "b": "Banana"}, horizontal=True)
st.write(f"picked {picked}")
frame = pd.DataFrame({"name": ["x"], "v": [1.5]})
show_table(frame, {"v": st.column_config.NumberColumn("value")}, pin=True)
show_table(frame)
download("Download it (CSV)", "a,b\\n", "it.csv")
'''


def test_widget_helpers_show_labels_pin_the_first_column_and_hide_the_index() -> None:
    at = AppTest.from_string(_WIDGETS).run()
    assert not at.exception
    assert at.radio[0].options == ["Apple", "Banana"] and at.radio[0].value == "a"
    pinned, plain = (json.loads(t.proto.columns) for t in at.dataframe)
    assert pinned["name"] == {"label": "name", "pinned": True, "type_config": {"type": "text"}}
    assert pinned["v"]["label"] == "value" and pinned["_index"] == {"hidden": True}
    assert plain == {"_index": {"hidden": True}}
    button = at.get("download_button")[0]
    assert button.proto.label == "Download it (CSV)" and button.proto.url.endswith(".csv")


@pytest.mark.parametrize(("name", "mime"), [("a.csv", "text/csv"), ("b.JSON", "application/json")])
def test_mime_type_follows_the_suffix(name: str, mime: str) -> None:
    assert _ui.mime_type(name) == mime
