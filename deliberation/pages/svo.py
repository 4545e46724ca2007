"""The **SVO** page: analyse a Social Value Orientation slider survey.

An analyst picks the shipped demo survey or uploads one (CSV, Excel or Parquet, in the wide
or long format of :func:`svo.read_survey`) and sees the validation report, the scored table
(with a CSV download), the circle plot and the angle histogram, the comparison of groups with
bootstrap intervals (:func:`svo.compare`) and, on request, how the local language model
answers the same items under a few personas (:func:`svo.llm.evaluate_personas`). All the
maths is :mod:`svo`'s (:func:`svo.read_survey` reads the upload's bytes, never a temporary
file; :func:`svo.scored_table`, :func:`svo.summarize`, :func:`svo.compare_report`,
:func:`svo.llm.persona_table` and :meth:`svo.llm.LLMEvaluation.warnings` are what the page
shows); this module reads input and displays answers. Errors name the page's controls, not
the library's parameters. Texts from the survey are shown as escaped Markdown or table cells,
never as HTML.
"""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Any

import pandas as pd
import streamlit as st

import lm
import svo

from ._ui import choice, download, figure_png, md_escape, show_figure, show_table

__all__ = [
    "DEMO_SURVEY",
    "MAX_GROUPS",
    "PAGE_CONTROLS",
    "comparison_table",
    "render",
]

#: The shipped synthetic survey (``data/svo_demo/build.py`` writes it).
DEMO_SURVEY = Path(__file__).resolve().parents[2] / "data" / "svo_demo_survey.csv"

#: A grouping column with more distinct values than this is not compared (e.g. an age).
MAX_GROUPS = 20

_DEMO = "Demo survey"
_UPLOAD = "Upload a survey"
_FORMATS = {"auto": "Detect", "wide": "Wide", "long": "Long"}
_ERRORS = {
    "raise": "Stop at the first bad answer",
    "coerce": "Drop respondents with bad answers and list them",
}
_KEY_LLM = "svo_llm_runs"

#: The settings a library message suggests, named as this page's controls.
PAGE_CONTROLS = {
    "errors='coerce'": (
        f"“Bad answers” to “{_ERRORS['coerce']}” under Reading options"
    ),
    "option_base=1": "“Options are numbered from” to 1 (1–9) under Reading options",
    "option_base=0": "“Options are numbered from” to 0 (0–8) under Reading options",
}


def comparison_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """:func:`svo.compare`'s table with readable labels, rounded, for display.

    One row per group: the group, ``n``, ``mean angle`` (degrees, 1 decimal), its interval as
    text, the share of each category and of transitive respondents (fractions, 3 decimals).

    Examples
    --------
    >>> import pandas as pd, svo
    >>> row = {"n": 10, "angle_mean": 30.04, "angle_low": 25.0, "angle_high": 35.55}
    >>> for c in svo.CATEGORIES:
    ...     row |= {f"share_{c}": 0.25, f"share_{c}_low": 0.1, f"share_{c}_high": 0.4}
    >>> row["transitive_share"] = 0.9
    >>> table = comparison_table(pd.DataFrame([row], index=pd.Index(["a"], name="group")))
    >>> table.loc[0, "group"], float(table.loc[0, "mean angle"]), table.loc[0, "interval"]
    ('a', 30.0, '25.0 to 35.5')
    >>> list(table.columns[4:])
    ['altruistic', 'prosocial', 'individualistic', 'competitive', 'transitive']
    """
    by = comparison.index.name or "group"
    table = pd.DataFrame(
        {
            by: comparison.index.astype(str),
            "n": comparison["n"].astype(int).to_numpy(),
            "mean angle": comparison["angle_mean"].round(1).to_numpy(),
            "interval": [
                "" if pd.isna(low) or pd.isna(high) else f"{low:.1f} to {high:.1f}"
                for low, high in zip(comparison["angle_low"], comparison["angle_high"], strict=True)
            ],
        }
    )
    for c in svo.CATEGORIES:
        table[c] = comparison[f"share_{c}"].round(3).to_numpy()
    table["transitive"] = comparison["transitive_share"].round(3).to_numpy()
    return table


@st.cache_data(show_spinner=False, max_entries=16)
def _analyse(
    data: bytes, name: str, fmt: str, option_base: int, errors: str
) -> tuple[svo.Survey, pd.DataFrame]:
    """Read, validate and score a survey file given as bytes: the survey and its scores."""
    survey = svo.read_survey(
        data, name=name, format=fmt, option_base=option_base, errors=errors
    )
    return survey, svo.score(survey, errors=errors)


@st.cache_data(show_spinner=False, max_entries=16)
def _compare(data: pd.DataFrame, by: str) -> svo.ComparisonReport:
    return svo.compare_report(data, by=by, rng=0)


def _choose_data() -> tuple[bytes, str, str, int, str] | None:
    """The survey as (bytes, file name, format, option base, errors), None before an upload."""
    how = st.radio("Survey", [_DEMO, _UPLOAD], horizontal=True, key="svo_how")
    if how == _DEMO:
        st.caption(
            "A synthetic survey made for this project (respondents drawn from a mixture of the "
            "four SVO types with answer noise), not real people's answers. See "
            "data/svo_demo/build.py."
        )
        return DEMO_SURVEY.read_bytes(), DEMO_SURVEY.name, "auto", 0, "raise"
    uploaded = st.file_uploader(
        "A survey file: CSV, Excel or Parquet",
        type=["csv", "tsv", "txt", "xlsx", "xls", "parquet"],
        key="svo_file",
        help=(
            "Wide format: one row per respondent with a respondent id column, optional "
            "demographics (e.g. group) and columns item1 … item6 (or … item15) holding the "
            "chosen option, left to right. Long format: columns respondent, item, choice."
        ),
    )
    with st.expander("Reading options"):
        fmt = choice("Layout", _FORMATS, horizontal=True, key="svo_fmt")
        option_base = choice(
            "Options are numbered from", {0: "0 (0–8)", 1: "1 (1–9)"}, horizontal=True,
            key="svo_base",
        )
        errors = choice("Bad answers", _ERRORS, key="svo_errors")
    if uploaded is None:
        st.info("Upload a survey file to analyse it.")
        return None
    return uploaded.getvalue(), PurePath(uploaded.name).name, fmt, int(option_base), errors


def _show_report(survey: svo.Survey) -> None:
    report = survey.report
    st.subheader("Validation")
    complete = report.n_complete if report.n_items == len(svo.ITEM_COLUMNS) else "—"
    counts = [
        ("Rows", report.n_rows, "Data rows in the file."),
        ("Respondents", report.n_respondents, "Respondents kept."),
        ("Scored", report.n_scorable, "Answered all six primary items."),
        ("All 15 items", complete, "Also answered items 7–15."),
        ("Incomplete", len(report.incomplete), "A primary answer is missing."),
        ("Dropped", report.n_dropped, "An answer was not on the form."),
    ]
    with st.container(horizontal=True, gap="medium"):  # wraps on a phone instead of stacking
        for label, value, about in counts:
            st.metric(label, value, help=about, width="content")
    lines = [line for line in str(report.summary()).splitlines() if line.strip()]
    if lines:
        st.caption("  \n".join(md_escape(line) for line in lines))
    if not report.incomplete and not report.dropped:
        return
    with st.expander(
        f"Incomplete ({len(report.incomplete)}) and dropped ({report.n_dropped}) respondents"
    ):
        if report.incomplete:
            st.markdown(
                "**Incomplete**: kept in the table without a score, since a primary answer is "
                "missing."
            )
            missing = survey.data.loc[list(report.incomplete), survey.item_columns]
            show_table(missing.reset_index())
        if report.dropped:
            st.markdown("**Dropped**: an answer is not on the form; the respondent is left out.")
            problems = report.to_frame()
            problems["value"] = problems["value"].astype(str)
            problems["respondent"] = problems["respondent"].astype(str)
            show_table(problems)


def _show_scores(survey: svo.Survey, scores: pd.DataFrame) -> None:
    st.subheader("Scores")
    table = svo.scored_table(survey, scores)
    show_table(
        table,
        {
            "mean_self": st.column_config.NumberColumn(
                "mean self", format="%.1f", help="Mean payoff to self, six primary items."
            ),
            "mean_other": st.column_config.NumberColumn(
                "mean other", format="%.1f", help="Mean payoff to the other, six primary items."
            ),
            "angle": st.column_config.NumberColumn(
                "angle", format="%.2f°", help="SVO angle in degrees (Murphy et al. 2011)."
            ),
            "transitive": st.column_config.CheckboxColumn(
                "transitive", help="The six primary answers contain no preference cycle."
            ),
            "ia_index": st.column_config.NumberColumn(
                "IA index",
                format="%.2f",
                help="Secondary items: 0 inequality averse, 1 joint-gain maximiser; empty "
                "unless all 15 items are answered and those two are the nearest ideals.",
            ),
        },
        pin=True,
    )
    summary = svo.summarize(scores)
    st.caption(
        "Categories: "
        + ", ".join(f"{c} {share or 0:.0%}" for c, share in summary.shares.items())
        + f" of {summary.n} scored respondents."
    )
    download(
        "Download the scored survey (CSV)",
        table.to_csv(index=False),
        "svo_scored.csv",
        key="svo_download_scored",
    )


@st.cache_data(show_spinner=False, max_entries=16)
def _figure(plot: str, data: pd.DataFrame) -> bytes:
    """``svo.<plot>(data)`` as the PNG st.pyplot would show, drawn once per (plot, data).

    Drawing the three figures takes about a second; without the cache every rerun (any
    widget on the page) would redraw them.
    """
    return figure_png(getattr(svo, plot)(data))


def _show_figure(plot: str, data: pd.DataFrame) -> None:
    show_figure(_figure(plot, data))


def _show_plots(scored: pd.DataFrame) -> None:
    st.subheader("Plots")
    complete = scored[scored["angle"].notna()]
    if complete.empty:
        st.info("No respondent answered all six primary items: nothing to plot.")
        return
    _show_figure("plot_circle", complete)
    st.caption(
        "Each respondent's mean payoff to self and to the other over the six primary items; "
        "the rays are the ideal types and the category boundaries."
    )
    _show_figure("plot_angles", complete)
    st.caption(
        "SVO angles with the category bands: altruistic ≥ 57.15°, prosocial 22.45°–57.15°, "
        "individualistic −12.04°–22.45°, competitive < −12.04°."
    )


def _show_groups(survey: svo.Survey, scored: pd.DataFrame) -> None:
    st.subheader("Groups")
    frame, columns = survey.data, survey.demographics
    if not columns:
        st.info("The survey has no demographic columns to compare groups by.")
        return
    by = st.selectbox(
        "Compare groups by",
        columns,  # the original labels: an Excel header may be a number such as 2023
        index=columns.index("group") if "group" in columns else 0,
        format_func=str,
        key="svo_by",
    )
    data = frame[[by]].join(scored[["angle", "transitive"]])  # compare reports missing groups
    groups = data[by].nunique()
    if groups > MAX_GROUPS:
        st.warning(
            f"The column {md_escape(by)} has {groups} distinct values; pick a column with at "
            f"most {MAX_GROUPS} groups."
        )
        return
    if not (data["angle"].notna() & data[by].notna()).any():
        st.info("No scored respondent has a value in this column.")
        return
    with st.spinner("Bootstrapping the intervals…"):
        report = _compare(data, by)
    comparison = report.table
    table = comparison_table(comparison)
    share = st.column_config.NumberColumn(format="percent")
    show_table(
        table,
        {
            "mean angle": st.column_config.NumberColumn("mean angle", format="%.1f°"),
            "interval": st.column_config.TextColumn(
                "95% interval", help="Bootstrap interval of the mean angle (degrees)."
            ),
            **{c: share for c in (*svo.CATEGORIES, "transitive")},
        },
        pin=True,
    )
    for warning in report.warnings:
        st.warning(md_escape(warning))
    _show_figure("plot_groups", comparison)
    st.caption(
        "Mean angle and category shares per group with 95% bootstrap intervals (2000 "
        "resamples of the respondents in each group). Small groups have wide intervals."
    )
    download(
        "Download the group comparison (CSV)",
        comparison.reset_index().to_csv(index=False),
        "svo_groups.csv",
        key="svo_download_groups",
    )


def _run_model(key: tuple[Any, ...], personas: list[str], samples: int) -> None:
    """Ask the chat model the six primary items under each persona; keep the result."""
    from svo import llm as svo_llm

    with st.spinner("Loading the language model…"):
        chat = lm.load_chat_model()
    bar = st.progress(0.0, text="Asking the language model…")

    def progress(done: int, total: int) -> None:
        bar.progress(min(done / max(total, 1), 1.0), text=f"Asked {done} of {total} questions")

    try:
        table = svo_llm.evaluate_personas(chat, personas, samples=samples, rng=0, progress=progress)
    finally:
        bar.empty()
    runs: dict[tuple[Any, ...], Any] = st.session_state.setdefault(_KEY_LLM, {})
    runs[key] = (str(getattr(chat, "model_id", type(chat).__name__)), table)
    while len(runs) > 8:
        runs.pop(next(iter(runs)))


def _show_llm(scored: pd.DataFrame) -> None:
    with st.expander("Compare with a language model"):
        from svo import llm as svo_llm

        st.write(
            "The language model answers the six primary items, each as a choice among the "
            "nine allocations labelled A–I in a new random order per sample, under a persona "
            "(a system instruction; none: no instruction). Its choice is read from the "
            "probabilities of the nine letters (Zhang et al. 2023)."
        )
        names = list(svo_llm.PERSONAS)
        default = [n for n in ("none", "altruistic", "competitive") if n in names]
        chosen = st.multiselect("Personas", names, default=default, key="svo_personas")
        samples = int(
            st.number_input(
                "Samples per persona", min_value=1, max_value=20, value=2, key="svo_samples"
            )
        )
        st.caption(
            f"{len(chosen) * samples * len(svo.PRIMARY_COLUMNS)} questions for the model; the "
            "local model takes about 1–3 s per question on a CPU."
        )
        key = (tuple(chosen), samples)
        if st.button(
            "Run the language model", disabled=not chosen, width="stretch", key="svo_llm_run"
        ):
            try:
                _run_model(key, chosen, samples)
            except (lm.LMError, svo.SVOError) as exc:
                st.error(md_escape(exc))
                return
        got = st.session_state.get(_KEY_LLM, {}).get(key)
        if got is None:
            return
        model_id, table = got
        _show_persona_table(table, scored)
        _llm_caption(model_id, table, samples)
        for row in table.itertuples(index=False):
            if row.warnings:
                st.warning(md_escape(f"{row.persona}: {'; '.join(row.warnings)}."))


def _show_persona_table(table: pd.DataFrame, scored: pd.DataFrame) -> None:
    """The survey's row above each persona's, as a table."""
    from svo import llm as svo_llm

    shown = svo_llm.persona_table(table, scored)
    share = st.column_config.NumberColumn(format="percent")
    show_table(
        shown,
        {
            "angle": st.column_config.NumberColumn("angle", format="%.1f°"),
            "interval": st.column_config.TextColumn(
                "95% interval", help="Bootstrap interval over the samples (degrees)."
            ),
            **{c: share for c in svo.CATEGORIES},
            "first position": st.column_config.NumberColumn(
                "most chosen letter",
                format="percent",
                help="Share of answers at the most chosen position A–I (11% without "
                "position bias).",
            ),
            "p": st.column_config.NumberColumn(
                "p (position bias)",
                format="%.2g",
                help="Chi-square test of the positions chosen against uniform.",
            ),
        },
        pin=True,
    )


def _p_value(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}"


def _llm_caption(model_id: str, table: pd.DataFrame, samples: int) -> None:
    answers = samples * len(svo.PRIMARY_COLUMNS)
    bias = ", ".join(
        f"{md_escape(row.persona)} {row.top_position_share:.0%} ({_p_value(row.order_bias_pvalue)})"
        for row in table.itertuples(index=False)
    )
    if table["order_biased"].any():
        verdict = (
            "The model picks a letter position more than an allocation, so its angles mostly "
            "reflect the random option orders, not its values or the personas."
        )
    else:
        verdict = "No clear position bias at this number of answers."
    rough = (
        " The test is rough below 45 answers per persona: use more samples." if answers < 45 else ""
    )
    spread = ""
    if len(table) > 1:
        spread = f" The personas' angles span {table['angle'].max() - table['angle'].min():.1f}°."
    st.caption(
        f"Model: {md_escape(model_id)}, {samples} sample(s) × 6 items per persona. The survey "
        "row is the respondents' mean angle and category shares; a persona row is the angle of "
        "the model's mean allocations and the share of its samples in each category. Position "
        "bias, as the share of a persona's answers at its most chosen letter (11% without "
        f"bias) and a chi-square test against uniform: {bias}.{rough} {verdict}{spread} Small "
        "models such as the local SmolLM2-135M tend to answer by letter rather than by "
        "allocation; a bigger model behind LM_BASE_URL answers in earnest."
    )


def render() -> None:
    """Draw the SVO page."""
    st.title("Social Value Orientation")
    st.write(
        "Score a survey of the SVO slider measure (Murphy, Ackermann & Handgraaf 2011): each "
        "respondent's angle and category, whether the answers are consistent, and how groups "
        "differ."
    )
    chosen = _choose_data()
    if chosen is None:
        return
    data, name, fmt, option_base, errors = chosen
    try:
        with st.spinner("Reading and scoring the survey…"):
            survey, scored = _analyse(data, name, fmt, option_base, errors)
    except svo.SVOError as exc:
        message = exc.worded(PAGE_CONTROLS)
        prefix = "" if name in message else f"Could not read {name}. "
        st.error(md_escape(f"{prefix}{message}"))
        return
    _show_report(survey)
    _show_scores(survey, scored)
    _show_plots(scored)
    _show_groups(survey, scored)
    _show_llm(scored)
