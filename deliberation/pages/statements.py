"""The **Statements** page: a Polis conversation as an opinion map, groups and a bridging slate.

A researcher picks one of the shipped Polis conversations or uploads an export (the CSV
files or a .zip) and sees the opinion map (PCA scatter coloured by group), each group's
representative statements, the consensus statements and a bridging slate with its
proportionality audit. The maths is :mod:`socialchoice.bridging`'s; this module reads input
and displays answers. Statement texts are shown as data (tables, escaped text), never as
HTML or Markdown.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

import socialchoice as sc
from socialchoice import bridging, committee

from ._ui import choice, download, md_escape, show_table

__all__ = ["analyse", "audit_frame", "load_upload", "render", "show_report"]

_KEY_CACHE = "statements_reports"
_SHIPPED = "A shipped conversation"
_UPLOAD = "Upload a Polis export"
_POLIS_FILES = ("comments.csv", "participants-votes.csv", "votes.csv", "summary.csv")


def load_upload(files: list[tuple[str, bytes]]) -> sc.bridging.Conversation:
    """Read uploaded Polis files (``(name, content)`` pairs: the CSV files or one .zip) from
    memory. The conversation is titled by summary.csv's topic, else by the uploaded file
    name(s); error messages name the uploaded files.

    Raises
    ------
    socialchoice.PolisError
        A required file is missing or malformed (the message names file, line, column).
    """
    zips = [(name, data) for name, data in files if name.lower().endswith(".zip")]
    if len(zips) > 1 or (zips and len(files) > 1):
        raise sc.PolisError(
            f"Upload one .zip, or the export's CSV files, not both; got "
            f"{', '.join(name for name, _ in files)}."
        )
    if zips:
        name, data = zips[0]
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise sc.PolisError(
                f"{name} is not a .zip archive; upload the export's CSV files or a .zip of "
                "its folder."
            )
        return sc.read_polis(data, name=name)
    named = {Path(name).name: data for name, data in files}
    return sc.read_polis(named, name=", ".join(sorted(named)))


def analyse(source_id: str, conv: Any, groups: str, k: int, rule: str, top: int) -> Any:
    """Analyse once per (input, options) in this session, with a progress bar.

    ``source_id`` names the input (a deliberation's id names its data version too, so a
    new vote gives a new analysis).
    """
    cache = st.session_state.setdefault(_KEY_CACHE, {})
    key = (source_id, groups, k, rule, top)
    if key not in cache:
        bar = st.progress(0.0, text="Analysing the conversation…")

        def progress(done: int, total: int) -> None:
            bar.progress(done / total, text=f"Analysing: {bridging.analysis_step(done)}")

        cache[key] = bridging.analyse_conversation(
            conv, groups=groups, k=k, rule=rule, top=top, rng=0, progress=progress
        )
        bar.empty()
        if len(cache) > 16:
            cache.pop(next(iter(cache)))
    return cache[key]


def _choose_conversation() -> tuple[str, Any] | None:
    shipped = bridging.shipped_conversations()
    how = st.radio("Conversation", [_SHIPPED, _UPLOAD], horizontal=True, key="statements_how")
    if how == _SHIPPED and shipped:
        name = st.selectbox("Shipped Polis conversation (CC BY 4.0)", sorted(shipped))
        return f"shipped:{name}", sc.read_polis(shipped[name])
    uploads = st.file_uploader(
        "Polis export: comments.csv and participants-votes.csv (votes.csv and summary.csv "
        "optional), or one .zip of the export folder",
        type=["csv", "zip"],
        accept_multiple_files=True,
    )
    if not uploads:
        st.info("Upload the export's CSV files (or a .zip) to analyse your conversation.")
        return None
    files = [(u.name, u.getvalue()) for u in uploads]
    digest = hashlib.sha256(b"".join(n.encode() + b"\0" + b for n, b in sorted(files))).hexdigest()
    return f"upload:{digest}", load_upload(files)


def _opinion_map(report: Any) -> None:
    frame = report.map_frame()
    chart = (
        alt.Chart(frame)
        .mark_circle(size=40, opacity=0.7)
        .encode(
            x=alt.X("x:Q", title="first principal component"),
            y=alt.Y("y:Q", title="second principal component"),
            color=alt.Color("group:N", title="group"),
            tooltip=["participant", "group"],
        )
    )
    st.altair_chart(chart, width="stretch")
    st.caption(
        f"{len(frame)} participants with enough votes; PCA of the vote matrix with unseen "
        "votes imputed by the statement's mean. Groups: "
        + (
            "Polis's own (from the export)."
            if report.group_source == "polis"
            else "recomputed here (k-means, k by silhouette)."
        )
    )


def _statement(number: int, text: str, detail: str) -> None:
    """One statement as a numbered, escaped line with its numbers underneath (phone-friendly)."""
    st.markdown(f"{number}\\. {md_escape(text)}")
    st.caption(detail)


def _representative(report: Any) -> None:
    sizes = report.group_sizes()
    tabs = st.tabs([f"Group {g} ({n})" for g, n in sizes.items()])
    for tab, g in zip(tabs, sizes, strict=True):
        with tab:
            reps = report.representative.get(g, [])
            if not reps:
                st.write("No statement sets this group apart significantly.")
            for i, r in enumerate(reps, 1):
                _statement(
                    i,
                    report.text(r.statement),
                    f"{r.p:.0%} of group {g} {r.direction}; "
                    f"{r.repness:.1f}× the rate in the other groups",
                )


def _consensus(report: Any) -> None:
    for direction in ("agree", "disagree"):
        items = getattr(report.consensus, direction)
        st.markdown(f"**Most {direction}d overall**")
        if not items:
            st.write(f"No statement with significant consensus to {direction}.")
        for i, c in enumerate(items, 1):
            _statement(i, report.text(c.statement), f"{c.p:.0%} {direction} (z = {c.z:.1f})")


def audit_frame(audit: committee.ProportionalityReport) -> pd.DataFrame:
    """The slate's proportionality audit as a table: one row per axiom (JR, PJR, EJR, EJR+)."""
    return pd.DataFrame(audit.axiom_rows(), columns=["axiom", "holds", "witness"]).rename(
        columns={"witness": "witness of a violation"}
    )


def _slate(report: Any) -> None:
    slate = report.slate
    frame = report.slate_frame()
    groups = list(report.group_sizes())
    for i, row in enumerate(frame.itertuples(index=False), 1):
        shares = [getattr(row, f"agree_group_{g}") for g in groups]
        agree = " · ".join(
            f"group {g} {'—' if np.isnan(x) else f'{x:.0%}'}"
            for g, x in zip(groups, shares, strict=True)
        )
        _statement(i, row.statement, f"consensus {row.consensus:.3f} · agree: {agree}")
    download(
        "Download the slate (CSV)",
        frame.to_csv(index=False).encode(),
        f"{report.conversation.name}-slate.csv",
        width="content",
    )
    audit = slate.audit
    show_table(audit_frame(audit))
    welfare = audit.welfare()
    st.caption(
        f"Audit over 'agree' votes of the {int(audit.total_weight)} grouped participants: "
        f"{welfare['coverage']:.0%} agreed with at least one slate statement; on average "
        f"{welfare['average_welfare']:.2f} each."
    )


def render() -> None:
    """Draw the Statements page."""
    st.title("Statements")
    st.write(
        "Turn agree/disagree votes on short statements into opinion groups, the statements "
        "that set each group apart, what everyone agrees on, and a slate of statements with "
        "support across groups — audited for proportional representation."
    )
    try:
        chosen = _choose_conversation()
    except sc.SocialChoiceError as exc:
        st.error(md_escape(exc))
        return
    if chosen is None:
        return
    source_id, conv = chosen
    with st.expander("Options"):
        groups = choice(
            "Opinion groups",
            {"polis": "Polis's own (from the export)", "ours": "Recompute (PCA + k-means)"},
            horizontal=True,
        )
        rules = ["consensus", *committee.rule_names()]
        rule = st.selectbox(
            "Slate rule",
            rules,
            help="consensus: group-aware consensus (every group must "
            "agree); committee rules: proportional slates over 'agree' votes.",
        )
        # the slate is drawn from the statements that were not moderated out
        n_slate = max(1, min(10, conv.accepted().n_statements))
        k = st.slider("Slate size", 1, n_slate, min(5, n_slate)) if n_slate > 1 else 1
        top = st.slider("Statements per list", 1, 10, 5)
    try:
        report = analyse(source_id, conv, groups, k, rule, top)
    except sc.SocialChoiceError as exc:
        st.error(md_escape(exc))
        return
    info = report.to_dict()["conversation"]
    st.subheader(md_escape(info["topic"]))
    cols = st.columns(3)
    cols[0].metric("Participants", info["participants"])
    cols[1].metric("Statements", info["statements"])
    cols[2].metric("Votes", info["votes"])
    for note in info["notes"]:
        st.caption(md_escape(f"Note on the export: {note}"))
    show_report(report)


def show_report(report: Any) -> None:
    """The opinion map, each group's statements, the consensus and the bridging slate."""
    st.subheader("Opinion map")
    _opinion_map(report)
    st.subheader("What sets each group apart")
    _representative(report)
    st.subheader("Consensus")
    _consensus(report)
    st.subheader(f"Bridging slate of {len(report.slate)}")
    _slate(report)
