"""Pages of the Streamlit app, one module per page, each exposing ``render()``.

``app.py`` at the repository root lists them in ``st.navigation``. A page reads input,
calls the domain packages (:mod:`socialchoice`, ...) and displays their answers; it does
no domain maths itself.
"""
