"""The **Voting** page: paste or upload ballots, see the majority margins and the winners.

A researcher pastes ballots (CSV rankings or PrefLib text) or uploads a file, chosen with
one radio button, and sees the profile summary, the margin matrix as a heat map, the
Condorcet winner (or the top cycle) and the winners under every rule in
:data:`socialchoice.RULES`. Everything shown is :func:`socialchoice.summarize`'s; this
module reads input and displays answers.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import streamlit as st

import socialchoice as sc
from socialchoice import io as scio

from ._ui import md_escape, show_table

__all__ = ["EXAMPLES", "FIRST_ROW", "FORMATS", "analyse", "in_page_words", "render"]

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

#: The "Format" choices: label -> (format, CSV layout) for :func:`socialchoice.io.read_ballots`.
FORMATS: dict[str, tuple[str | None, str | None]] = {
    "Detect automatically": (None, None),
    "CSV: ranked lists (best first)": ("csv", "ranked"),
    "CSV: rank matrix (candidates in the header)": ("csv", "matrix"),
    "PrefLib (.soc .soi .toc .toi)": ("preflib", None),
}

#: The "First row" choices: label -> ``header`` for :func:`socialchoice.io.read_ballots`.
FIRST_ROW: dict[str, bool | None] = {"Detect": None, "Is a header": True, "Is a ballot": False}

_FORMAT_HELP = (
    "CSV: one ballot per row, candidates best first, `b=c` for a tie (or `a>b=c` in one "
    "cell), blank cells at the end for unranked candidates; an optional header such as "
    "`count,1st,2nd,3rd` adds a count column. Or a header of candidate names and each "
    "ballot's positions (1 = best). "
    "PrefLib: the text of a .soc/.soi/.toc/.toi file (header lines start with `#`)."
)

_KEY_TEXT = "voting_text"
_KEY_EXAMPLE = "voting_example"
_KEY_FORMAT = "voting_format"
_KEY_FIRST_ROW = "voting_first_row"
_KEY_SOURCE = "voting_source"
_KEY_UPLOAD = "voting_upload"
_KEY_TIME_LIMIT = "voting_time_limit"
_SAVED = "saved_"  # prefix of the copies of widget values kept while a widget is hidden

#: The two inputs; the radio button choosing between them is the page's one source of truth.
_SOURCES = ("Paste ballots", "Upload a file")
_TIME_LIMIT_LABEL = "Time limit per rule (seconds)"


#: The reader's argument names, as the page's controls that set them.
_CONTROL_WORDS = [
    (re.compile(r"layout='ranked'"), "the Format “CSV: ranked lists”"),
    (re.compile(r"layout='matrix'"), "the Format “CSV: rank matrix”"),
    (re.compile(r"format='csv'"), "a CSV Format"),
    (re.compile(r"format='preflib'"), "the Format “PrefLib”"),
    (re.compile(r"header=True"), "First row “Is a header”"),
    (re.compile(r"header=False"), "First row “Is a ballot”"),
    (re.compile(r"header=None"), "First row “Detect”"),
    (re.compile(r"\bread the file with\b"), "choose"),
]


def in_page_words(message: str) -> str:
    """A reader's message with its argument names replaced by the page's controls.

    >>> in_page_words("If the cells are candidate names, read the file with layout='ranked'.")
    'If the cells are candidate names, choose the Format “CSV: ranked lists”.'
    """
    for pattern, words in _CONTROL_WORDS:
        message = pattern.sub(words, message)
    return message


@st.cache_data(show_spinner=False, max_entries=32)
def analyse(
    data: bytes,
    name: str,
    fmt: str,
    first_row: str,
    time_limit: float | None,
) -> tuple[str, sc.Summary]:
    """Read ballots and summarise them under every rule (cached per input).

    Parameters
    ----------
    data : bytes
        The ballots (an uploaded file or the pasted text, UTF-8).
    name : str
        The file's name (or "pasted ballots"), used in messages; its extension, if any,
        tells the format when ``fmt`` is "Detect automatically".
    fmt, first_row : str
        Labels of :data:`FORMATS` and :data:`FIRST_ROW`.
    time_limit : float or None
        Seconds each rule's search may run.

    Returns
    -------
    description : str
        How the ballots were read (format and layout, detected or as chosen).
    summary : socialchoice.Summary
        :func:`socialchoice.summarize` of the ballots.

    Raises
    ------
    socialchoice.SocialChoiceError
        The ballots are malformed (the message names the line or row).
    """
    fmt_arg, layout = FORMATS[fmt]
    read = scio.read_ballots(data, format=fmt_arg, layout=layout, header=FIRST_ROW[first_row],
                             name=name)
    return read.description, sc.summarize(read.profile, time_limit=time_limit)


def _load_example() -> None:
    st.session_state[_KEY_TEXT] = EXAMPLES[st.session_state[_KEY_EXAMPLE]][0]


def _read_upload() -> tuple[bytes, str] | None:
    """The uploaded file as ``(data, name)``, or None when there is none (yet)."""
    upload = st.file_uploader(
        "A PrefLib or CSV file",
        type=["soc", "soi", "toc", "toi", "csv", "txt"],
        help=_FORMAT_HELP,
        key=_KEY_UPLOAD,
    )
    if upload is None:
        st.info("Upload a ballot file, or choose “Paste ballots” above.")
        return None
    return upload.getvalue(), upload.name


def _restore(key: str, default: Any) -> None:
    """Give widget ``key`` its last value back: streamlit forgets the state of widgets that
    were not drawn, e.g. the text box while "Upload a file" is chosen."""
    if key not in st.session_state:
        st.session_state[key] = st.session_state.get(_SAVED + key, default)


def _save(*keys: str) -> None:
    for key in keys:
        st.session_state[_SAVED + key] = st.session_state[key]


def _read_pasted() -> tuple[bytes, str] | None:
    """The pasted ballots as ``(data, name)``, or None when the box is empty."""
    _restore(_KEY_TEXT, next(iter(EXAMPLES.values()))[0])
    _restore(_KEY_EXAMPLE, next(iter(EXAMPLES)))
    example = st.selectbox(
        "Start from an example", list(EXAMPLES), key=_KEY_EXAMPLE, on_change=_load_example
    )
    st.caption(EXAMPLES[example][1])
    st.text_area("Ballots", key=_KEY_TEXT, height=220, help=_FORMAT_HELP)
    _save(_KEY_TEXT, _KEY_EXAMPLE)
    text = st.session_state[_KEY_TEXT]
    if not text.strip():
        st.info("Type or paste ballots in the “Ballots” box, or pick an example.")
        return None
    return text.encode("utf-8"), "pasted ballots"


def _reading_choices() -> tuple[str, str]:
    """The "Format" and "First row" choices (kept while the other input is shown)."""
    _restore(_KEY_FORMAT, next(iter(FORMATS)))
    _restore(_KEY_FIRST_ROW, next(iter(FIRST_ROW)))
    left, right = st.columns([2, 1])
    fmt = left.selectbox("Format", list(FORMATS), key=_KEY_FORMAT)
    first_row = right.selectbox(
        "First row", list(FIRST_ROW), key=_KEY_FIRST_ROW,
        help="CSV only: whether the first row names the columns or is already a ballot.",
    )
    _save(_KEY_FORMAT, _KEY_FIRST_ROW)
    return fmt, first_row


def _read_input() -> tuple[bytes, str, str, str] | None:
    """The ballots of the input the user chose, as ``(data, name, format, first row)``.

    One explicit choice, "Paste ballots" or "Upload a file": only the chosen input is read,
    so a file uploaded earlier never overrides the ballots being edited (and vice versa).
    None when there is nothing to read yet.
    """
    choice = st.radio("Ballots from", _SOURCES, key=_KEY_SOURCE, horizontal=True)
    got = _read_upload() if choice == _SOURCES[1] else _read_pasted()
    fmt, first_row = _reading_choices()
    return None if got is None else (*got, fmt, first_row)


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
    show_table(
        table.drop(columns="status"),
        {
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
        pin=True,
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
    data, name, fmt, first_row = got
    try:
        with st.spinner("Counting the ballots…"):
            how, res = analyse(data, name, fmt, first_row, float(time_limit))
    except sc.SocialChoiceError as exc:
        where = ("the uploaded file or the “Format” and “First row” choices"
                 if name != "pasted ballots"
                 else "the “Ballots” box or the “Format” and “First row” choices")
        st.error("Could not read the ballots. " + md_escape(f"{in_page_words(str(exc))} "
                                                            f"Check {where}."))
        return
    st.caption(md_escape(how))
    _show(res)
