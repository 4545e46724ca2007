"""Streamlit entry point of the Collective Alignment Toolkit: page set-up and navigation only.

Run with ``make app`` or ``streamlit run app.py``. The pages live in :mod:`deliberation.pages`.
"""

import streamlit as st

from deliberation.pages import admin as admin_page
from deliberation.pages import slate, statements, svo, voting
from deliberation.pages._ui import apply_page_style
from deliberation.pages.results import monitoring, moral_graph, rankings
from deliberation.pages.results import statements as statement_results
from deliberation.pages.results import svo as svo_results
from deliberation.pages.results._shared import load_demo

st.set_page_config(
    page_title="Collective Alignment Toolkit",
    page_icon=":material/groups:",
    layout="centered",
)
apply_page_style()
load_demo()  # an empty database gets the demo deliberation (once per database)

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

# Researchers' pages (results of the stored deliberations) and the admin page.
results = [
    st.Page(moral_graph.render, title="Moral graph", icon=":material/hub:",
            url_path="results-moral-graph"),
    st.Page(statement_results.render, title="Statement results", icon=":material/groups:",
            url_path="results-statements"),
    st.Page(rankings.render, title="Rankings", icon=":material/leaderboard:",
            url_path="results-rankings"),
    st.Page(svo_results.render, title="SVO results", icon=":material/donut_large:",
            url_path="results-svo"),
    st.Page(monitoring.render, title="Monitoring", icon=":material/monitoring:",
            url_path="results-monitoring"),
]
admin = [
    st.Page(admin_page.render, title="Admin", icon=":material/admin_panel_settings:",
            url_path="admin"),
]

st.navigation({"Tools": pages, "Results": results, "Admin": admin}).run()
