"""Streamlit entry point of the Collective Alignment Toolkit: page set-up and navigation only.

Run with ``make app`` or ``streamlit run app.py``. The pages live in :mod:`deliberation.pages`:
the participant flow at ``/`` ("Take part": ``/?d=<id>`` joins, ``/?t=<token>`` resumes),
the researchers' results and admin pages, and the analyst tools on uploaded files.
"""

import streamlit as st

from deliberation.pages import admin as admin_page
from deliberation.pages import participate, slate, statements, svo, voting
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

take_part = [
    st.Page(
        participate.render,
        title="Take part",
        icon=":material/record_voice_over:",
        url_path="take-part",
        default=True,
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

tools = [
    st.Page(
        voting.render,
        title="Voting",
        icon=":material/how_to_vote:",
        url_path="voting",
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

sections = {"Take part": take_part, "Results": results, "Admin": admin, "Tools": tools}
# A participant who came by a join or resume link sees their flow only, no menu.
participant_link = "t" in st.query_params or "d" in st.query_params
st.navigation(
    {name: pages for name, pages in sections.items() if pages},
    position="hidden" if participant_link else "sidebar",
).run()
