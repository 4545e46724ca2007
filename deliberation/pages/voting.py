"""The **Voting** page: paste or upload ballots, see the majority margins and the winners.

A researcher pastes ballots (CSV rankings or PrefLib text) or uploads a file, chosen with
one radio button, and sees the profile summary, the margin matrix as a heat map, the
Condorcet winner (or the top cycle) and the winners under every rule in
:data:`socialchoice.RULES`. Everything shown is :func:`socialchoice.summarize`'s; this
module reads input and displays answers.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

import pandas as pd
import streamlit as st

import socialchoice as sc
from socialchoice import io as scio

from ._ui import md_escape

__all__ = ["EXAMPLES", "PREFLIB_SUFFIXES", "analyse", "render"]

#: Ready-made ballots for the text area: title -> (text, what it shows).
EXAMPLES: dict[str, tuple[str, str]] = {
    "The slides' cyclic example (a, b, c, d)": (
        "a,b,c,d\nc,d,a,b\nd,b,a,c\n",
        "Three voters whose majorities are the slides' preference function: a beats b and c, "
        "b beats c, c beats d, d beats a and b. There is no Condorcet winner; Copeland picks "
        "a and d, minimax ties all four.",
    ),
    "Tennessee capital (classic, PrefLib)": (
        "# FILE NAME: tennessee.soc\n"
        "# TITLE: Where should the capital of Tennessee be?\n"
        "# DATA TYPE: soc\n"
        "# MODIFICATION TYPE: synthetic\n"
        "# NUMBER ALTERNATIVES: 4\n"
        "# NUMBER VOTERS: 100\n"
        "# NUMBER UNIQUE ORDERS: 4\n"
        "# ALTERNATIVE NAME 1: Memphis\n"
        "# ALTERNATIVE NAME 2: Nashville\n"
        "# ALTERNATIVE NAME 3: Chattanooga\n"
        "# ALTERNATIVE NAME 4: Knoxville\n"
        "42: 1,2,3,4\n"
        "26: 2,3,4,1\n"
        "15: 3,4,2,1\n"
        "17: 4,3,2,1\n",
        "The textbook example in PrefLib format: Nashville is the Condorcet winner, "
        "plurality elects Memphis and instant runoff Knoxville.",
    ),
    "Ballots with ties and truncation (CSV)": (
        "count,1st,2nd,3rd,4th\n4,a,b=c,d\n3,b,a\n2,c=d,a,b\n2,d,c,b,a\n",
        "Weak and partial rankings with a count column; rules defined only on strict, "
        "complete rankings answer n/a.",
    ),
}

#: File name endings read as PrefLib; everything else is read as CSV ballots.
PREFLIB_SUFFIXES = (".soc", ".soi", ".toc", ".toi")

_FORMATS = ("Detect automatically", "CSV ballots", "PrefLib (.soc .soi .toc .toi)")

_FORMAT_HELP = (
    "CSV: one ballot per row, candidates best first, `b=c` for a tie, blank cells at the end "
    "for unranked candidates; an optional header such as `count,1st,2nd,3rd` adds a count "
    "column. Or a header of candidate names and each ballot's positions (1 = best). "
    "PrefLib: the text of a .soc/.soi/.toc/.toi file (header lines start with `#`)."
)

_KEY_TEXT = "voting_text"
_KEY_EXAMPLE = "voting_example"
_KEY_FORMAT = "voting_format"
_KEY_SOURCE = "voting_source"
_KEY_UPLOAD = "voting_upload"
_KEY_TIME_LIMIT = "voting_time_limit"
_SAVED = "saved_"  # prefix of the copies of widget values kept while a widget is hidden

#: The two inputs; the radio button choosing between them is the page's one source of truth.
_SOURCES = ("Paste ballots", "Upload a file")
_TIME_LIMIT_LABEL = "Time limit per rule (seconds)"


def _looks_like_preflib(text: str) -> bool:
    """PrefLib files start with ``# FIELD: value`` header lines."""
    for line in text.splitlines():
        if line.strip():
            head = line.lstrip()
            return head.startswith("#") and ":" in head
    return False


def _parse(text: str, kind: str, source: str) -> sc.Profile:
    if kind == "preflib":
        return scio.parse_preflib(text, source=source)
    return scio.parse_ballots_csv(text, source=source)


@st.cache_data(show_spinner=False, max_entries=32)
def analyse(text: str, kind: str, source: str, time_limit: float | None) -> sc.Summary:
    """Parse ballots and summarise them under every rule (cached per input).

    Parameters
    ----------
    text : str
        The ballots.
    kind : {"csv", "preflib"}
        How to read ``text``.
    source : str
        A name for the input, used in error messages.
    time_limit : float or None
        Seconds each rule's search may run.

    Returns
    -------
    socialchoice.Summary
        :func:`socialchoice.summarize` of the ballots.

    Raises
    ------
    socialchoice.SocialChoiceError
        The ballots are malformed (the message names the line or row).
    """
    return sc.summarize(_parse(text, kind, source), time_limit=time_limit)


def _load_example() -> None:
    st.session_state[_KEY_TEXT] = EXAMPLES[st.session_state[_KEY_EXAMPLE]][0]


def _read_upload() -> tuple[str, str, str] | None:
    """The uploaded file as ``(text, kind, name)``, or None when there is none (yet)."""
    upload = st.file_uploader(
        "A PrefLib or CSV file",
        type=["soc", "soi", "toc", "toi", "csv", "txt"],
        help=_FORMAT_HELP,
        key=_KEY_UPLOAD,
    )
    if upload is None:
        st.info("Upload a ballot file, or choose “Paste ballots” above.")
        return None
    try:
        text = upload.getvalue().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        st.error(
            f"Could not read {md_escape(upload.name)}: it is not UTF-8 text "
            f"(byte {exc.start}). Save it as UTF-8 and upload it again."
        )
        return None
    kind = "preflib" if PurePath(upload.name).suffix.lower() in PREFLIB_SUFFIXES else "csv"
    return text, kind, upload.name


def _restore(key: str, default: Any) -> None:
    """Give widget ``key`` its last value back: streamlit forgets the state of widgets that
    were not drawn, e.g. the text box while "Upload a file" is chosen."""
    if key not in st.session_state:
        st.session_state[key] = st.session_state.get(_SAVED + key, default)


def _save(*keys: str) -> None:
    for key in keys:
        st.session_state[_SAVED + key] = st.session_state[key]


def _read_pasted() -> tuple[str, str, str] | None:
    """The pasted ballots as ``(text, kind, source)``, or None when the box is empty."""
    _restore(_KEY_TEXT, next(iter(EXAMPLES.values()))[0])
    _restore(_KEY_EXAMPLE, next(iter(EXAMPLES)))
    _restore(_KEY_FORMAT, _FORMATS[0])
    example = st.selectbox(
        "Start from an example", list(EXAMPLES), key=_KEY_EXAMPLE, on_change=_load_example
    )
    st.caption(EXAMPLES[example][1])
    st.text_area("Ballots", key=_KEY_TEXT, height=220, help=_FORMAT_HELP)
    fmt = st.selectbox("Format", _FORMATS, key=_KEY_FORMAT)
    _save(_KEY_TEXT, _KEY_EXAMPLE, _KEY_FORMAT)
    text = st.session_state[_KEY_TEXT]
    if not text.strip():
        st.info("Type or paste ballots in the “Ballots” box, or pick an example.")
        return None
    if fmt == _FORMATS[0]:
        kind = "preflib" if _looks_like_preflib(text) else "csv"
    else:
        kind = "csv" if fmt == _FORMATS[1] else "preflib"
    return text, kind, "pasted ballots"


def _read_input() -> tuple[str, str, str] | None:
    """The ballots of the input the user chose, as ``(text, kind, source)``, or None.

    One explicit choice, "Paste ballots" or "Upload a file": only the chosen input is read,
    so a file uploaded earlier never overrides the ballots being edited (and vice versa).
    """
    choice = st.radio("Ballots from", _SOURCES, key=_KEY_SOURCE, horizontal=True)
    return _read_upload() if choice == _SOURCES[1] else _read_pasted()


def _time_limit() -> float:
    with st.expander("Options"):
        return st.number_input(
            _TIME_LIMIT_LABEL,
            min_value=0.1,
            max_value=600.0,
            value=sc.DEFAULT_TIME_LIMIT,
            step=1.0,
            key=_KEY_TIME_LIMIT,
            help="Kemeny, Slater, ranked pairs (with tied margins) and stable voting can take "
            "exponential time; a rule still searching after this many seconds is shown as n/a.",
        )


def _margin_table(res: sc.Summary) -> Any:
    labels = [str(c) for c in res.candidates]
    df = pd.DataFrame(res.margins, index=labels, columns=labels)
    bound = max(1, float(df.abs().to_numpy().max()))
    integral = bool((df == df.round()).all().all())
    spec = "{:+.0f}" if integral else "{:+.3g}"
    return df.style.background_gradient(cmap="RdBu", vmin=-bound, vmax=bound, axis=None).format(
        lambda v: spec.format(v) if v else "0"
    )


def _labels(xs: tuple) -> str:
    return md_escape(", ".join(str(c) for c in xs))


def _show_profile(res: sc.Summary) -> None:
    st.subheader("Profile")
    c1, c2, c3 = st.columns(3)
    c1.metric("Candidates", len(res.candidates))
    c2.metric("Voters", res.num_voters)
    c3.metric("Distinct ballots", res.num_ballots)
    st.caption("Candidates: " + _labels(res.candidates))
    if not res.is_linear:
        st.caption(
            "Some ballots have ties or leave candidates out; rules defined only on strict "
            "rankings say n/a below."
        )

    st.subheader("Majority margins")
    st.dataframe(_margin_table(res), width="stretch")
    st.caption(
        "Row beats column by: voters ranking the row candidate above the column candidate "
        "minus those ranking it below. Blue: the row candidate wins the pair; red: it loses."
    )

    cw = res.condorcet_winner
    if cw is not None:
        st.success(f"Condorcet winner: **{md_escape(cw)}** beats every other candidate.")
    else:
        msg = "No Condorcet winner: the majority relation has a cycle or ties."
        if res.smith_set is not None:
            msg += " Top cycle (Smith set): " + _labels(res.smith_set) + "."
        st.warning(msg)


def _show(res: sc.Summary) -> None:
    _show_profile(res)
    st.subheader("Winners by rule")
    table = res.to_frame()
    slow = table["status"] == "time limit"
    table.loc[slow, "note"] += f"; raise “{_TIME_LIMIT_LABEL}” under Options"
    st.dataframe(
        table.drop(columns="status"),
        hide_index=True,
        width="stretch",
        column_config={
            "rule": st.column_config.TextColumn("rule", pinned=True),
            "winners": st.column_config.TextColumn("winners", help="All tied winners."),
            "note": st.column_config.TextColumn(
                "note", help="n/a: the rule cannot handle these ballots or ran out of time "
                "(and why)."
            ),
            "summary": st.column_config.TextColumn("about", help="What the rule does."),
            "reference": st.column_config.TextColumn(
                "reference", help="The paper or book section that defines the rule."
            ),
        },
    )


def render() -> None:
    """Draw the Voting page."""
    st.title("Voting")
    st.write(
        "Paste ballots or upload a file to compare the winners under every voting rule "
        "in the toolkit."
    )
    got = _read_input()
    time_limit = _time_limit()
    if got is None:
        return
    text, kind, source = got
    try:
        with st.spinner("Counting the ballots…"):
            res = analyse(text, kind, source, float(time_limit))
    except sc.SocialChoiceError as exc:
        where = (
            f"the uploaded file {source}" if source != "pasted ballots"
            else "the “Ballots” box (or the “Format” choice)"
        )
        st.error("Could not read the ballots. " + md_escape(f"{exc} Check {where}."))
        return
    _show(res)
