"""Streamlit entry point of the Collective Alignment Toolkit: page set-up and navigation only.

Run with ``make app`` or ``streamlit run app.py``. The pages live in :mod:`deliberation.pages`.
"""

import streamlit as st

from deliberation.pages import slate, statements, svo, voting

st.set_page_config(
    page_title="Collective Alignment Toolkit",
    page_icon=":material/groups:",
    layout="centered",
)

pages = [
    st.Page(
        voting.render,
        title="Voting",
        icon=":material/how_to_vote:",
        url_path="voting",
        default=True,
    ),
    st.Page(
        statements.render,
        title="Statements",
        icon=":material/forum:",
        url_path="statements",
    ),
    st.Page(
        slate.render,
        title="Slate",
        icon=":material/format_list_bulleted:",
        url_path="slate",
    ),
    st.Page(
        svo.render,
        title="SVO",
        icon=":material/balance:",
        url_path="svo",
    ),
]

st.navigation(pages).run()
