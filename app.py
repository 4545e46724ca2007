"""Streamlit entry point of the Collective Alignment Toolkit: page set-up and navigation only.

Run with ``make app`` or ``streamlit run app.py``. The pages live in :mod:`deliberation.pages`.
"""

import streamlit as st

from deliberation.pages import slate, statements, svo, voting
from deliberation.pages._ui import apply_page_style

st.set_page_config(
    page_title="Collective Alignment Toolkit",
    page_icon=":material/groups:",
    layout="centered",
)
apply_page_style()

voting_page = st.Page(
    voting.render,
    title="Voting",
    icon=":material/how_to_vote:",
    url_path="voting",
)


def _land_on_voting() -> None:
    """The root address opens the Voting page at its own address, ``/voting``.

    Streamlit serves the default page at the root and ignores its ``url_path``, so a
    default Voting page made ``/voting`` a "Page not found"; this hidden default page
    only forwards there.
    """
    st.switch_page(voting_page)


pages = [
    st.Page(_land_on_voting, title="Home", url_path="home", default=True, visibility="hidden"),
    voting_page,
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
