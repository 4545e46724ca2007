"""The **Slate** page: a proportional slate of statements from free-text opinions.

A researcher picks the shipped demo opinions or uploads a CSV of opinions (and, optionally,
one of candidate statements), chooses the slate size and the rater, and builds the slate
with :func:`socialchoice.generative.generate_slate` (through
:func:`socialchoice.generative.build_slate`, the pipeline of ``collective slate``). The page shows
the slate with each statement's group, who is matched to what, the BJR audit against the
pool, and how well represented the participants are compared with the baseline slates.
Texts are shown as escaped Markdown or table cells, never as HTML. Before a slow build the
page shows :func:`socialchoice.generative.slate_work`'s warnings, during it the stage that
runs, and after it the warnings the library logged; errors name the page's controls.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

import lm
import socialchoice as sc
from socialchoice import generative as gen
from socialchoice.generative import (
    DEMO_FOLDER,
    Opinions,
    Pool,
    SlateRun,
    SlateWork,
    build_slate,
    read_opinions,
    read_pool,
    slate_work,
)

from ._ui import choice, download, md_escape, show_table

__all__ = [
    "LEVEL_COLOURS",
    "PILOT_LABEL",
    "build_run",
    "built_run",
    "render",
    "representation_frame",
    "show_run",
]

_KEY_CACHE = "slate_runs"
_DEMO = "Demo: assistant opinions"
_UPLOAD = "Upload a CSV"
_DEMO_POOL = "The demo pool (30 statements)"
_OWN = "The opinions themselves"

#: The row of the representation chart that shows the published pilot's answers.
PILOT_LABEL = "pilot (Fish et al.)"

#: Colour of each representation level, best (green) to worst (red).
LEVEL_COLOURS = ("#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027")


def representation_frame(comparison: pd.DataFrame, *, pilot: bool = True) -> pd.DataFrame:
    """Long table ``slate, level, rank, share`` of the representation levels of each slate.

    ``comparison`` is :func:`socialchoice.generative.compare_slates`'s table; with ``pilot``
    the published pilot's distribution (:data:`socialchoice.generative.PILOT_REPRESENTATION`)
    is appended as a last row labelled :data:`PILOT_LABEL`.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame(
    ...     [[1.0, 0.0, 0.0, 0.0, 0.0]], columns=list(gen.REPRESENTATION_LEVELS),
    ...     index=pd.Index(["generative"], name="slate"),
    ... )
    >>> frame = representation_frame(table)
    >>> frame.shape, frame["slate"].iloc[-1] == PILOT_LABEL
    ((10, 4), True)
    """
    levels = list(gen.REPRESENTATION_LEVELS)
    shares = comparison[levels].copy()
    if pilot:
        shares.loc[PILOT_LABEL] = [gen.PILOT_REPRESENTATION[level] for level in levels]
    long = shares.rename_axis("slate").reset_index().melt("slate", var_name="level")
    long = long.rename(columns={"value": "share"})
    long["rank"] = long["level"].map({level: i for i, level in enumerate(levels)})
    return long[["slate", "level", "rank", "share"]]


def _digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


def _choose_data() -> tuple[str, Opinions, Pool | None, str | None] | None:
    """Source id, opinions, pool (None: the opinions) and question of the chosen data."""
    how = st.radio("Opinions", [_DEMO, _UPLOAD], horizontal=True, key="slate_how")
    if how == _DEMO:
        opinions = read_opinions(DEMO_FOLDER / "opinions.csv")
        st.markdown(f"**Question:** {md_escape(opinions.question or '')}")
        st.caption(
            "120 short opinions written for this project (not real people's answers), and 30 "
            "candidate statements. See data/assistant_opinions/README.md."
        )
        which = st.radio(
            "Candidate statements", [_DEMO_POOL, _OWN], horizontal=True, key="slate_pool_choice"
        )
        pool = read_pool(DEMO_FOLDER / "pool.csv") if which == _DEMO_POOL else None
        return f"demo:{which}", opinions, pool, opinions.question
    uploaded = st.file_uploader(
        "Opinions: a CSV with one row per participant (columns participant, opinion)",
        type=["csv"],
        key="slate_opinions_file",
    )
    pool_file = st.file_uploader(
        "Candidate statements (optional): a CSV with a column statement; without it, every "
        "opinion is a candidate",
        type=["csv"],
        key="slate_pool_file",
    )
    with st.expander("Columns and question"):
        opinion_column = st.text_input("Opinion column", "opinion")
        id_column = st.text_input("Participant id column (empty: participant, or row numbers)")
        statement_column = st.text_input("Statement column of the candidates", "statement")
        question = st.text_input("The question the opinions answer (for the language model)")
    if uploaded is None:
        st.info("Upload a CSV of opinions to build a slate from it.")
        return None
    data = uploaded.getvalue()
    with _controls(_OPINION_CONTROLS):
        opinions = read_opinions(
            data, opinion_column=opinion_column, id_column=id_column or None, name=uploaded.name
        )
    pool = None
    pool_data = b""
    if pool_file is not None:
        pool_data = pool_file.getvalue()
        with _controls(_POOL_CONTROLS):
            pool = read_pool(pool_data, statement_column=statement_column, name=pool_file.name)
    source = _digest(data, pool_data, opinion_column, id_column, statement_column, question)
    return f"upload:{source}", opinions, pool, question.strip() or None


class _PageError(Exception):
    """A library error with a hint naming the page's controls (Markdown, shown unescaped)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint

    def markdown(self) -> str:
        """The escaped library message, then the hint."""
        return f"{md_escape(self.args[0])}\n\n{self.hint}"


_OPINION_CONTROLS = (
    "Check the uploaded opinions file, or set **Opinion column** and **Participant id column** "
    "under *Columns and question*."
)
_POOL_CONTROLS = (
    "Check the candidate statements file, or set **Statement column of the candidates** "
    "under *Columns and question*."
)
_BUILD_CONTROLS = (
    "Try other **Ratings** or **Statements** options, a smaller **Slate size k**, or more "
    "candidate statements."
)


@contextlib.contextmanager
def _controls(hint: str) -> Iterator[None]:
    """Re-raise the library's input errors inside the block with ``hint`` on the controls."""
    try:
        yield
    except (sc.SocialChoiceError, lm.LMError) as exc:
        raise _PageError(str(exc), hint) from exc


def build_run(
    key: tuple[Any, ...], work: SlateWork, opinions: Opinions, pool: Pool | None, **options: Any
) -> None:
    """Run the pipeline with a progress bar and keep the result for this session."""
    cache: dict[tuple[Any, ...], SlateRun] = st.session_state.setdefault(_KEY_CACHE, {})
    bar = st.progress(0.0, text="Building the slate…")

    def progress(done: int, total: int) -> None:
        share = min(max(done / max(total, 1), 0.0), 1.0)
        bar.progress(share, text=f"Building the slate: {work.describe(done)}")

    try:
        bar.progress(0.0, text="Building the slate: loading the embedder")
        embedder = lm.load_embedder()
        chat_model = None
        if "llm" in (options.get("rater"), options.get("generator")):
            bar.progress(0.0, text="Building the slate: loading the language model")
            chat_model = lm.load_chat_model()
        cache[key] = build_slate(
            opinions,
            pool=pool,
            embedder=embedder,
            chat_model=chat_model,
            progress=progress,
            **options,
        )
    finally:
        bar.empty()
    while len(cache) > 8:
        cache.pop(next(iter(cache)))


def built_run(key: tuple[Any, ...]) -> SlateRun | None:
    """The run :func:`build_run` kept for ``key`` in this session, if any."""
    return st.session_state.get(_KEY_CACHE, {}).get(key)


def _show_warnings(run: SlateRun) -> None:
    """The warnings the library logged while building, on the page (not only in the log)."""
    for message in run.warnings:
        st.warning(md_escape(message))


def _show_slate(run: SlateRun) -> None:
    frame = run.slate_frame()
    first: dict[str, int] = {}
    for row in frame.itertuples(index=False):
        with st.container(border=True):
            st.markdown(f"**{row.slot}\\.** {md_escape(row.statement)}")
            again = first.setdefault(row.statement, row.slot)
            note = f" · the same statement as slot {again}" if again != row.slot else ""
            st.caption(
                f"{row.group_size} participants · mean rating {row.mean_utility:.1f} of 6{note}"
            )
    with st.expander("Who is matched to which statement"):
        show_table(
            run.assignment_frame(),
            {"utility": st.column_config.NumberColumn("rating", format="%.2f")},
        )


def _show_audit(run: SlateRun) -> None:
    n, k = len(run.opinions), run.k
    if not run.violations:
        st.success("No BJR violation against the pool")
    else:
        st.warning(f"{len(run.violations)} BJR violations against the pool")
        show_table(
            pd.DataFrame(
                [
                    {
                        "statement": r["statement"],
                        "threshold": r["threshold"],
                        "coalition size": r["size"],
                        "coalition": ", ".join(r["coalition"]),
                    }
                    for r in run.violation_records()
                ]
            )
        )
    st.caption(
        f"Balanced justified representation: no group of at least n/k = {n / k:.1f} "
        "participants who all rate some candidate statement at least θ is matched to "
        f"statements they all rate below θ ({len(run.pool)} candidates, {run.rater} ratings)."
    )


def _show_comparison(run: SlateRun) -> None:
    long = representation_frame(run.comparison)
    order = [*run.comparison.index, PILOT_LABEL]
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("slate:N", sort=order, title=None, axis=alt.Axis(labelLimit=110)),
            x=alt.X(
                "share:Q",
                stack="normalize",
                axis=alt.Axis(format="%"),
                title="share of participants",
            ),
            color=alt.Color(
                "level:N",
                sort=list(gen.REPRESENTATION_LEVELS),
                scale=alt.Scale(domain=list(gen.REPRESENTATION_LEVELS), range=LEVEL_COLOURS),
                legend=alt.Legend(orient="bottom", title="represented", columns=3),
            ),
            order=alt.Order("rank:Q"),
            tooltip=["slate", "level", alt.Tooltip("share:Q", format=".0%")],
        )
        .properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    )
    st.altair_chart(chart, width="stretch")
    st.caption(
        "How well each participant's matched statement represents them, read from the "
        "ratings (≥ 5.5 of 6 perfectly, ≥ 4.5 mostly, ≥ 2.5 somewhat, ≥ 0.5 poorly). The "
        "pilot row is what 100 people answered in Fish et al.'s pilot (k = 5); the rows above "
        "are estimates from a model's ratings, not people's answers."
    )
    if not run.baselines:
        st.caption(f"No baselines: there are fewer than k = {run.k} candidate statements.")
    shown = ["bjr_violations", "largest_coalition", "mean", "min", "median"]
    table = run.comparison[shown + list(gen.REPRESENTATION_LEVELS)].reset_index()
    percent = st.column_config.NumberColumn(format="percent")
    number = st.column_config.NumberColumn(format="%.2f")
    show_table(
        table,
        {
            "bjr_violations": st.column_config.NumberColumn("BJR violations"),
            "largest_coalition": st.column_config.NumberColumn("largest coalition"),
            **{c: number for c in ("mean", "min", "median")},
            **{level: percent for level in gen.REPRESENTATION_LEVELS},
        },
        pin=True,
    )


def _downloads(run: SlateRun) -> None:
    files = {
        "slate.csv": ("the slate", run.slate_frame().to_csv(index=False)),
        "assignment.csv": ("the assignment", run.assignment_frame().to_csv(index=False)),
        "audit.json": ("the audit", json.dumps(run.audit(), indent=2, ensure_ascii=False)),
    }
    for name, (what, text) in files.items():
        kind = name.rsplit(".", 1)[1].upper()
        download(f"Download {what} ({kind})", text.encode(), name)


def _options(n: int, candidates: int) -> tuple[int, str, str]:
    """The slate size, rater and generator the user picks."""
    k = st.slider("Slate size k", 1, min(10, n), min(5, n), key="slate_k")
    rater = choice(
        "Ratings",
        {"embedding": "Sentence embeddings (fast)", "llm": "Language model"},
        horizontal=True,
        key="slate_rater",
    )
    generator = choice(
        "Statements",
        {"pool": "Chosen from the candidates", "llm": "Written by the language model"},
        horizontal=True,
        key="slate_generator",
    )
    if generator == "llm":
        st.caption(
            "The language model writes 4 candidate statements in each of the k rounds; the "
            f"{candidates} candidates above compete with them, and no statement is used twice."
        )
    return k, rater, generator


def show_run(run: SlateRun) -> None:
    """The slate, its BJR audit, the representation against the baselines, downloads."""
    _show_warnings(run)
    st.subheader(f"Slate of {run.k} statements")
    _show_slate(run)
    st.subheader("Audit")
    _show_audit(run)
    st.subheader("Representation against the baselines")
    _show_comparison(run)
    _downloads(run)


def render() -> None:
    """Draw the Slate page."""
    st.title("Slate")
    st.write(
        "Turn many free-text opinions into a short slate of statements so that every group "
        "of participants, in proportion to its size, is matched to a statement it rates "
        "highly (generative social choice, Fish et al. 2023)."
    )
    try:
        chosen = _choose_data()
    except _PageError as exc:
        st.error(exc.markdown())
        return
    except sc.SocialChoiceError as exc:
        st.error(md_escape(exc))
        return
    if chosen is None:
        return
    source, opinions, pool, question = chosen
    n = len(opinions)
    candidates = len(pool) if pool is not None else len(set(opinions.texts))
    k, rater, generator = _options(n, candidates)
    work = slate_work(opinions, k, pool=pool, rater=rater, generator=generator)
    for warning in work.warnings():
        st.caption(md_escape(warning))
    key = (source, k, rater, generator)
    if st.button("Build slate", type="primary", width="stretch", key="slate_build"):
        try:
            with _controls(_BUILD_CONTROLS):
                build_run(
                    key,
                    work,
                    opinions,
                    pool,
                    k=k,
                    rater=rater,
                    generator=generator,
                    question=question,
                    rng=0,
                )
        except _PageError as exc:
            st.error(exc.markdown())
            return
    run = st.session_state.get(_KEY_CACHE, {}).get(key)
    if run is None:
        st.info(f"{n} participants, {candidates} candidate statements. Press Build slate.")
        return
    show_run(run)
