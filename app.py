"""Streamlit entry point of the Collective Alignment Toolkit: page set-up and navigation only.

Run with ``make app`` or ``streamlit run app.py``. The pages live in :mod:`deliberation.pages`:
the participant flow at ``/`` ("Take part": ``/?d=<id>`` joins, ``/?t=<token>`` resumes),
the researchers' results and admin pages, and the analyst tools on uploaded files.
"""

import streamlit as st

from deliberation.pages import participate, slate, statements, svo, voting
from deliberation.pages._ui import apply_page_style

st.set_page_config(
    page_title="Collective Alignment Toolkit",
    page_icon=":material/groups:",
    layout="centered",
)
apply_page_style()

take_part = [
    st.Page(
        participate.render,
        title="Take part",
        icon=":material/record_voice_over:",
        url_path="take-part",
        default=True,
    ),
]

# Researchers' pages (moral graph, statements, rankings, SVO, monitoring): added here.
results: list = []

# The admin page (behind COLLECTIVE_ADMIN_TOKEN): added here.
admin: list = []

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
