"""Small display helpers shared by the app's pages: escaping, the page style and figures."""

from __future__ import annotations

import io
import re
from collections.abc import Hashable, Mapping
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure
    from matplotlib.text import Text

__all__ = [
    "FIGURE_DPI",
    "FIGURE_MAX_WIDTH",
    "MIN_TEXT_PX",
    "PAGE_STYLE",
    "PARTICIPANT_STYLE",
    "PHONE_COLUMN_PX",
    "apply_page_style",
    "apply_participant_style",
    "choice",
    "download",
    "figure_png",
    "get_store",
    "md_escape",
    "mime_type",
    "plain",
    "plain_markdown",
    "readable_figure",
    "show_figure",
    "show_table",
    "store_url",
]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}()<>#|~$:!+\-.=^])")

#: Width (CSS px) of the page's column on a 420 px wide phone, the narrowest screen served.
PHONE_COLUMN_PX = 380
#: The smallest text a figure shows on that phone (CSS px); browsers' own minimum is ~10.
MIN_TEXT_PX = 11.0
#: Widest a figure is shown (CSS px): wider, its text would grow past the page's own text.
FIGURE_MAX_WIDTH = 560
#: Resolution of the figures' PNGs (st.pyplot's default): sharp on 2x and 3x screens.
FIGURE_DPI = 200
_BODY_PT = 10.0  # the size of plain figure text (axis labels) the plots are designed for

#: CSS for every page. A table's toolbar (show/hide columns, download, search, full screen)
#: appears 44 px above the table's top edge while the table is hovered or, on a phone,
#: touched: with only the 16 px gap between elements, it covered the right end of the
#: control above (a select box's arrow). The margin keeps that strip free.
PAGE_STYLE = """
<style>
[data-testid="stElementContainer"]:has([data-testid="stElementToolbar"]) {
  margin-top: 1.75rem;
}
</style>
"""


def md_escape(text: object) -> str:
    r"""``text`` with every Markdown, LaTeX and emoji-shortcode character backslash-escaped.

    Streamlit renders the body of ``st.error``, ``st.success``, ``st.markdown`` ... as
    Markdown (with ``$...$`` as maths and ``:name:`` as icons); user-supplied text (labels,
    file names, the library's messages quoting them) goes through this first so it is shown
    literally.

    Examples
    --------
    >>> md_escape("**a** <b> $x$")
    '\\*\\*a\\*\\* \\<b\\> \\$x\\$'
    """
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def apply_page_style() -> None:
    """Add :data:`PAGE_STYLE` to the page (a style element only: nothing visible)."""
    import streamlit as st

    st.html(PAGE_STYLE)


def readable_figure(fig: Figure) -> Figure:
    """``fig`` with its text enlarged to stay readable when the figure fills a phone's width.

    A figure is shown scaled to the page's width, so a text of ``s`` points in a figure
    ``w`` inches wide shows ``s / 72 * shown_px / w`` pixels high: 6 px for 8 points in a
    6.4-inch figure on a phone. Every text is scaled by the same factor (titles stay larger
    than tick labels), and none ends below :data:`MIN_TEXT_PX` at :data:`PHONE_COLUMN_PX`.
    The figure's size is kept; its layout engine (``layout="constrained"``) makes room at
    the next draw.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(6.4, 4.0))
    >>> ax = fig.add_subplot()
    >>> label = ax.set_xlabel("angle", fontsize=8)
    >>> ax.tick_params(labelsize=7)
    >>> readable_figure(fig) is fig
    True
    >>> tick = ax.xaxis.get_major_ticks()[0]
    >>> round(ax.xaxis.label.get_fontsize(), 1), round(tick.label1.get_fontsize(), 1)
    (13.3, 13.3)
    """
    from matplotlib.text import Text

    floor_pt = MIN_TEXT_PX * 72 * float(fig.get_figwidth()) / PHONE_COLUMN_PX
    scale = max(1.0, floor_pt / _BODY_PT)

    def size(points: float) -> float:
        return max(points * scale, floor_pt)

    # tick labels are re-created at each draw from the axis' settings: set those instead
    axes_ticks = [(axis, _tick_texts(axis)) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)]
    skip = {id(text) for _, texts in axes_ticks for text in texts}
    for text in fig.findobj(Text):
        if id(text) not in skip and text.get_text():
            text.set_fontsize(size(text.get_fontsize()))
    for axis, texts in axes_ticks:
        if texts:
            axis.set_tick_params(which="both", labelsize=size(texts[0].get_fontsize()))
    return fig


def _tick_texts(axis: Axis) -> list[Text]:
    """The label texts of an axis' current ticks, major first."""
    ticks = axis.get_major_ticks() + axis.get_minor_ticks()
    return [label for tick in ticks for label in (tick.label1, tick.label2)]


def figure_png(fig: Figure, *, dpi: int = FIGURE_DPI) -> bytes:
    """``fig`` made readable (:func:`readable_figure`) as PNG bytes, cropped to its content.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(3, 2), layout="constrained")
    >>> _ = fig.add_subplot().plot([0, 1], [1, 0])
    >>> figure_png(fig)[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    """
    image = io.BytesIO()
    readable_figure(fig).savefig(image, format="png", bbox_inches="tight", dpi=dpi)
    return image.getvalue()


def show_figure(png: bytes) -> None:
    """Show a figure's PNG at the page's width, at most :data:`FIGURE_MAX_WIDTH` pixels."""
    import streamlit as st

    st.image(png, width=FIGURE_MAX_WIDTH)


def show_table(
    frame: pd.DataFrame, columns: Mapping[Hashable, Any] | None = None, *, pin: bool = False
) -> None:
    """``frame`` as a table at the page's width, without its index, tall enough to show
    every row (up to :data:`MAX_TABLE_ROWS`, then it scrolls) — on a phone a short box
    that scrolls inside a scrolling page hides rows nobody knows are there.

    ``columns`` configures columns (``st.column_config``) by name; with ``pin`` the first
    column is kept in view as text while the table scrolls sideways.
    """
    import streamlit as st

    config: dict[Hashable, Any] = {}
    if pin:
        first = frame.columns[0]
        config[first] = st.column_config.TextColumn(first, pinned=True)
    config.update(columns or {})
    st.dataframe(
        frame, hide_index=True, width="stretch", column_config=config,
        height=table_height(len(frame)),
    )


#: Rows a table shows before it scrolls (Streamlit's default box shows about ten).
MAX_TABLE_ROWS = 30
_ROW_PX = 35  # Streamlit's row height, the header row included


def table_height(rows: int) -> int:
    """Pixels for a table of ``rows`` rows and a header, at most :data:`MAX_TABLE_ROWS` rows.

    Examples
    --------
    >>> table_height(0), table_height(23), table_height(500)
    (38, 843, 1088)
    """
    return _ROW_PX * (min(rows, MAX_TABLE_ROWS) + 1) + 3


#: The media type of each kind of file the pages offer for download, by suffix.
_MIME_TYPES = {".csv": "text/csv", ".json": "application/json", ".png": "image/png"}


def mime_type(file_name: str) -> str:
    """The media type of a download, from its file name's suffix.

    Examples
    --------
    >>> mime_type("slate.csv"), mime_type("audit.json")
    ('text/csv', 'application/json')
    """
    return _MIME_TYPES[PurePath(file_name).suffix.lower()]


def download(label: str, data: str | bytes, file_name: str, **options: Any) -> None:
    """A button downloading ``data`` as ``file_name``, at the page's width by default.

    ``options`` go to ``st.download_button`` (``key``, or ``width="content"``).
    """
    import streamlit as st

    options.setdefault("width", "stretch")
    st.download_button(label, data, file_name=file_name, mime=mime_type(file_name), **options)


def choice(label: str, labels: Mapping[Any, str], **options: Any) -> Any:
    """Radio buttons choosing one key of ``labels``, each shown as its label.

    ``options`` go to ``st.radio`` (``horizontal``, ``key``, ``help``).
    """
    import streamlit as st

    return st.radio(label, list(labels), format_func=labels.get, **options)


def plain_markdown(text: object) -> str:
    r"""``text`` as Markdown that shows it literally, line breaks kept.

    Every Markdown, HTML, LaTeX and icon character is escaped (:func:`md_escape`), so a
    participant's ``<script>`` or ``![x](http://evil/x.png)`` shows as those characters and
    never runs or loads anything; each line break becomes a Markdown hard break.

    Examples
    --------
    >>> plain_markdown("![x](http://evil/x.png)\nok")
    '\\!\\[x\\]\\(http\\://evil/x\\.png\\)  \nok'
    """
    return "  \n".join(md_escape(line) for line in str(text).splitlines() or [""])


def plain(text: object, *, size: str | None = None) -> None:
    """Show participant (or model) text as plain text: nothing in it is interpreted.

    ``size`` ``"large"`` shows it bigger (a statement to vote on, a card's title).
    """
    import streamlit as st

    body = plain_markdown(text)
    if size == "large":
        st.subheader(body, anchor=False)  # no link icon beside it
    else:
        st.markdown(body)


def store_url() -> str:
    """The app's database: ``DATABASE_URL``, else the SQLite file of :data:`DEFAULT_URL`."""
    import os

    from deliberation import DEFAULT_URL

    return os.environ.get("DATABASE_URL") or DEFAULT_URL


def _open_store(url: str) -> Any:
    from pathlib import Path

    from deliberation import Store

    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return Store(url)


def get_store() -> Any:
    """The app's one :class:`deliberation.Store`, opened once per database URL and process.

    Every page calls this (no page opens a Store of its own); tests point it at a
    temporary database through ``DATABASE_URL``.
    """
    import streamlit as st

    global _CACHED_STORE
    if _CACHED_STORE is None:
        _CACHED_STORE = st.cache_resource(show_spinner=False)(_open_store)
    return _CACHED_STORE(store_url())


_CACHED_STORE: Any = None


#: CSS for the participant pages on a phone: Streamlit's 6rem above the first element left
#: a tenth of a 844 px screen blank; the step starts right under the (empty) top bar.
PARTICIPANT_STYLE = """
<style>
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-top: 3.5rem; }
}
</style>
"""


def apply_participant_style() -> None:
    """Add :data:`PARTICIPANT_STYLE` to the page (a style element only: nothing visible)."""
    import streamlit as st

    st.html(PARTICIPANT_STYLE)
