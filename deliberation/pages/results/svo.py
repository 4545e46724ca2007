"""The **SVO** results page: the participants' social value orientation.

The slider answers (:meth:`deliberation.Store.svo_survey`, the wide layout
:func:`svo.read_survey` reads) are scored by :func:`svo.score`; the page shows the category
shares, the SVO circle (:func:`svo.plot_circle`) and offers the answers as a CSV file.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

import svo

from .._ui import download, figure_png, show_figure, show_table
from ._shared import choose_deliberation

__all__ = ["category_shares", "render"]


@st.cache_data(show_spinner=False, max_entries=16)
def _scored(key: str, _survey: Any) -> Any:
    return svo.score(_survey.set_index("respondent"), errors="coerce")


@st.cache_data(show_spinner=False, max_entries=16)
def _circle(key: str, _scored_table: Any, by: str | None) -> bytes:
    return figure_png(svo.plot_circle(_scored_table, by=by))


def category_shares(scored: Any) -> Any:
    """Respondents and share per SVO category (every category, in the scale's order).

    Examples
    --------
    >>> import svo
    >>> category_shares(svo.score([[0, 8, 8, 3, 4, 8], [8, 8, 8, 8, 0, 0]]))["respondents"].tolist()
    [0, 1, 1, 0]
    """
    counts = scored["category"].value_counts(sort=False).reindex(svo.CATEGORIES, fill_value=0)
    total = int(counts.sum())
    frame = counts.rename("respondents").rename_axis("category").reset_index()
    frame["share"] = frame["respondents"] / total if total else float("nan")
    return frame


def render() -> None:
    """Draw the SVO results page."""
    st.title("SVO results")
    chosen = choose_deliberation("svo_deliberation")
    if chosen is None:
        return
    survey = chosen.get("svo_survey")
    if survey.empty:
        st.info("No SVO answers yet.")
        return
    scored = _scored(chosen.key, survey)
    # colour only by fields with the admin's options (free text may hold matplotlib maths)
    features = [f["name"] for f in chosen.info.demographics
                if f.get("options") and f["name"] in survey.columns]
    st.metric("Respondents", len(scored))
    show_table(category_shares(scored),
               {"share": st.column_config.NumberColumn(format="percent")})
    by = st.selectbox("Colour by", ["(none)", *features], key="svo_by") if features else "(none)"
    grouped = scored.join(survey.set_index("respondent")[features]) if features else scored
    show_figure(_circle(chosen.key, grouped, None if by == "(none)" else by))
    download("Download the answers (CSV for svo.read_survey)",
             survey.to_csv(index=False).encode(), f"svo-{chosen.info.id}.csv")
