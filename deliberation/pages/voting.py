"""The **Voting** page: paste or upload ballots, see the majority margins and the winners.

A researcher pastes ballots (CSV rankings or PrefLib text) or uploads a file and sees the
profile summary, the margin matrix as a heat map, the Condorcet winner (or the top cycle)
and the winners under every rule in :data:`socialchoice.RULES`. All the maths is
:mod:`socialchoice`'s; this module reads input and displays answers.
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
def analyse(text: str, kind: str, source: str) -> dict[str, Any]:
    """Parse ballots and compute everything the page shows, as plain (cacheable) data.

    Parameters
    ----------
    text : str
        The ballots.
    kind : {"csv", "preflib"}
        How to read ``text``.
    source : str
        A name for the input, used in PrefLib error messages.

    Returns
    -------
    dict
        ``candidates`` (labels as str), ``num_voters``, ``num_ballots``, ``is_linear``,
        ``margins`` (nested lists), ``condorcet_winner`` (str or None), ``smith`` (list of
        str, or None when no ``smith`` rule is registered) and ``rows``: one dict per rule
        with ``rule, family, winners, note, summary, reference``.

    Raises
    ------
    socialchoice.SocialChoiceError
        The ballots are malformed (the message names the line or row).
    """
    profile = _parse(text, kind, source)
    rows = []
    for name, won in sc.winners_by_rule(profile).items():
        rule = sc.RULES[name]
        row = {
            "rule": name,
            "family": rule.family,
            "winners": "",
            "note": "",
            "summary": rule.summary,
            "reference": rule.reference,
        }
        if isinstance(won, Exception):
            row["note"] = f"n/a — {won}"
        else:
            row["winners"] = ", ".join(str(c) for c in won)
            row["note"] = f"tie of {len(won)}" if len(won) > 1 else ""
        rows.append(row)
    cw = profile.condorcet_winner()
    smith = [str(c) for c in sc.winners(profile, "smith")] if "smith" in sc.RULES else None
    return {
        "candidates": [str(c) for c in profile.candidates],
        "num_voters": profile.num_voters,
        "num_ballots": len(profile),
        "is_linear": profile.is_linear,
        "margins": profile.margin_matrix().tolist(),
        "condorcet_winner": None if cw is None else str(cw),
        "smith": smith,
        "rows": rows,
    }


def _load_example() -> None:
    st.session_state[_KEY_TEXT] = EXAMPLES[st.session_state[_KEY_EXAMPLE]][0]


def _read_input() -> tuple[str, str, str] | None:
    """The ballots as ``(text, kind, source)``, or None when there is nothing to read yet."""
    pasted, uploaded = st.tabs(["Paste ballots", "Upload a file"])
    with uploaded:
        upload = st.file_uploader(
            "A PrefLib or CSV file",
            type=["soc", "soi", "toc", "toi", "csv", "txt"],
            help=_FORMAT_HELP,
        )
        if upload is not None:
            st.caption(f"Reading {md_escape(upload.name)}. Remove the file to use pasted ballots.")
    with pasted:
        if _KEY_TEXT not in st.session_state:
            st.session_state[_KEY_TEXT] = next(iter(EXAMPLES.values()))[0]
        example = st.selectbox(
            "Start from an example", list(EXAMPLES), key=_KEY_EXAMPLE, on_change=_load_example
        )
        st.caption(EXAMPLES[example][1])
        st.text_area("Ballots", key=_KEY_TEXT, height=220, help=_FORMAT_HELP)
        fmt = st.selectbox("Format", _FORMATS, index=0)
    if upload is not None:
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
    text = st.session_state[_KEY_TEXT]
    if not text.strip():
        st.info("Paste some ballots above, or upload a file.")
        return None
    if fmt == _FORMATS[0]:
        kind = "preflib" if _looks_like_preflib(text) else "csv"
    else:
        kind = "csv" if fmt == _FORMATS[1] else "preflib"
    return text, kind, "pasted ballots"


def _margin_table(res: dict[str, Any]) -> Any:
    labels = res["candidates"]
    df = pd.DataFrame(res["margins"], index=labels, columns=labels)
    bound = max(1, float(df.abs().to_numpy().max()))
    integral = bool((df == df.round()).all().all())
    spec = "{:+.0f}" if integral else "{:+.3g}"
    return df.style.background_gradient(cmap="RdBu", vmin=-bound, vmax=bound, axis=None).format(
        lambda v: spec.format(v) if v else "0"
    )


def _show(res: dict[str, Any]) -> None:
    st.subheader("Profile")
    c1, c2, c3 = st.columns(3)
    c1.metric("Candidates", len(res["candidates"]))
    c2.metric("Voters", res["num_voters"])
    c3.metric("Distinct ballots", res["num_ballots"])
    st.caption("Candidates: " + md_escape(", ".join(res["candidates"])))
    if not res["is_linear"]:
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

    cw = res["condorcet_winner"]
    if cw is not None:
        st.success(f"Condorcet winner: **{md_escape(cw)}** beats every other candidate.")
    else:
        msg = "No Condorcet winner: the majority relation has a cycle or ties."
        if res["smith"] is not None:
            msg += " Top cycle (Smith set): " + md_escape(", ".join(res["smith"])) + "."
        st.warning(msg)

    st.subheader("Winners by rule")
    table = pd.DataFrame(res["rows"], columns=["rule", "family", "winners", "note", "summary",
                                               "reference"])
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "rule": st.column_config.TextColumn("rule", pinned=True),
            "winners": st.column_config.TextColumn("winners", help="All tied winners."),
            "note": st.column_config.TextColumn(
                "note", help="n/a: the rule cannot handle these ballots (and why)."
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
    if got is None:
        return
    text, kind, source = got
    try:
        with st.spinner("Counting the ballots…"):
            res = analyse(text, kind, source)
    except sc.SocialChoiceError as exc:
        st.error("Could not read the ballots. " + md_escape(exc))
        return
    _show(res)
