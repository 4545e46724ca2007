"""The Streamlit app's back end: pages (:mod:`deliberation.pages`), and later its models and
services. It holds no domain maths: it reads input, calls the domain packages
(:mod:`socialchoice`, :mod:`moralgraph`, :mod:`svo`, ...) and displays their answers.
``app.py`` at the repository root is the entry point.
"""
