"""``collective svo score SURVEY``: validate and score an SVO slider survey file.

The command renders what :mod:`svo` returns: the survey's report (:func:`svo.read_survey`),
the scored table (:func:`svo.scored_table`), the summary (:func:`svo.summarize`) and the
group comparison with its warnings (:func:`svo.compare_report`). With ``--engine dask`` a
Parquet file or folder is scored on a Dask cluster instead (:mod:`._score_dask`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

import svo

from .._console import fail, path_option, seed_option, stderr, stdout
from .._engine import (
    Engine,
    check_engine,
    engine_option,
    memory_limit_option,
    out_option,
    scheduler_option,
    table_writer,
)
from .._output import records, to_json
from ._common import Errors, TableFormat
from ._score_dask import score_on_dask
from ._score_report import (
    _print_groups,
    _print_report,
    _print_summary,
    _print_warnings,
    _report_dict,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["CLI_CONTROLS", "PICTURE_SUFFIXES", "score_command"]

#: File suffixes ``--plot`` and ``--circle`` can write (matplotlib picks the format from it).
PICTURE_SUFFIXES = (".png", ".svg", ".pdf")

#: The settings a library message suggests, as this command's options.
CLI_CONTROLS = {
    "errors='coerce'": "--errors coerce",
    "option_base=1": "--option-base 1",
    "option_base=0": "--option-base 0",
}


def _picture(path: Path | None, option: str) -> None:
    if path is not None and path.suffix.lower() not in PICTURE_SUFFIXES:
        fail(
            f"{option} must be a file name ending in {', '.join(PICTURE_SUFFIXES)} (the picture "
            f"format follows the suffix). Got {str(path)!r} instead.",
            code=2,
        )


def _save(figure: Any, path: Path) -> Path:
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format=path.suffix.lower().lstrip("."), bbox_inches="tight")
    plt.close(figure)
    return path


def score_command(
    survey_path: Annotated[
        Path,
        typer.Argument(
            exists=True,
            readable=True,
            metavar="SURVEY",
            help="Survey file (CSV, Excel or Parquet), wide (respondent, demographics, "
            "item1..item6 or ..item15) or long (respondent, item, choice); with --engine "
            "dask, a Parquet file or a folder of them.",
        ),
    ],
    out: Annotated[
        Path | None,
        out_option(
            "SCORED.csv",
            "Write the scored table (.csv, .parquet or .jsonl): respondent, the demographic "
            "columns, mean_self, mean_other, angle, category, transitive, ia_index; with "
            "--engine dask, a new folder of Parquet parts.",
        ),
    ] = None,
    plot: Annotated[
        Path | None,
        path_option(
            "--plot",
            "ANGLES.png",
            "Write the angle histogram with the category bands (.png, .svg or .pdf).",
        ),
    ] = None,
    circle: Annotated[
        Path | None,
        path_option(
            "--circle",
            "CIRCLE.png",
            "Write the circle plot: mean self vs mean other with the ideal-type rays.",
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="COLUMN",
            help="Compare groups of this column (bootstrap confidence intervals); the plots "
            "are split by it too.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        TableFormat,
        typer.Option(
            "--format",
            help="Rich tables; the scored table as CSV on stdout; or everything as JSON.",
        ),
    ] = TableFormat.table,
    errors: Annotated[
        Errors,
        typer.Option(
            "--errors",
            help="An answer not on the form (bad index, non-numeric cell): stop with an "
            "error naming row and column, or drop that respondent and report it.",
        ),
    ] = Errors.raise_,
    option_base: Annotated[
        int,
        typer.Option(
            "--option-base",
            min=0,
            max=1,
            help="Option numbering in the file: 0 (options 0-8) or 1 (options 1-9).",
        ),
    ] = 0,
    id_column: Annotated[
        str | None,
        typer.Option(
            "--id-column",
            metavar="COLUMN",
            help="Column of the respondent ids (default: respondent, respondent_id or id).",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int, seed_option("Seed of the bootstrap (--by).")] = 0,
    engine: Annotated[Engine, engine_option(
        "scored on a Dask cluster (same rows; no --plot, --circle, --by)")] = Engine.memory,
    scheduler: Annotated[str | None, scheduler_option()] = None,
    memory_limit: Annotated[str | None, memory_limit_option()] = None,
) -> None:
    """Validate and score the SVO slider survey in SURVEY (Murphy et al. 2011)."""
    _picture(plot, "--plot")
    _picture(circle, "--circle")
    memory_limit = check_engine(engine, scheduler, memory_limit)
    if engine is Engine.dask:
        options = {"errors": errors.value, "option_base": option_base, "id_column": id_column}
        score_on_dask(survey_path, out, {"--plot": plot, "--circle": circle, "--by": by}, fmt,
                      options, scheduler, memory_limit, CLI_CONTROLS)
        return
    if survey_path.is_dir():
        fail(f"{survey_path} is a directory: the in-memory engine reads one survey file; "
             "score a folder of Parquet files with --engine dask.", code=2)
    writer = None if out is None else table_writer(out)
    confidence = 0.95
    try:
        survey = svo.read_survey(
            survey_path, id_column=id_column, option_base=option_base, errors=errors.value
        )
        _check_by(survey, by, survey_path)
        result = svo.score_report(survey, errors=errors.value)
        table = svo.scored_table(survey, result.scores)
        summary = svo.summarize(result.scores)
        groups = None
        if by is not None:
            groups = svo.compare_report(
                _with_by(result.scores, survey, by, scored_only=True), by=by,
                confidence=confidence, rng=seed,
            )
    except svo.SVOError as exc:
        fail(exc.worded(CLI_CONTROLS), code=2)
    written = _write(table, result.scores, survey, by, (out, writer), plot, circle)
    report = survey.report
    if fmt is TableFormat.csv:
        stderr().print(report.summary(), markup=False, soft_wrap=True)
        typer.echo(table.to_csv(index=False), nl=False)
        return
    if fmt is TableFormat.json:
        document: dict[str, Any] = {
            "report": _report_dict(report),
            "summary": summary.to_dict(),
            "groups": None if groups is None else records(groups.table.reset_index()),
            "warnings": [] if groups is None else list(groups.warnings),
            "by": by,
            "written": [str(p) for p in written],
            "respondents": records(table),
        }
        typer.echo(to_json(document))
        return
    _print_report(report)
    _print_summary(summary)
    if groups is not None:
        _print_groups(groups.table, by, confidence)
        _print_warnings(groups.warnings)
    if written:
        stdout().print(Text("Wrote " + ", ".join(str(p) for p in written)))


def _check_by(survey: svo.Survey, by: str | None, path: Path) -> None:
    """``--by`` must name one of the survey's non-item columns."""
    if by is not None and by not in survey.demographics:
        raise svo.SurveyError(
            f"--by {by!r}: {path.name} has no such column; its non-item columns are "
            f"{', '.join(repr(c) for c in survey.demographics) or 'none'}."
        )


def _write(table: pd.DataFrame, scores: pd.DataFrame, survey: svo.Survey, by: str | None,
           out: tuple[Path | None, Any], plot: Path | None, circle: Path | None
           ) -> list[Path]:
    """Write the scored table (``out``: path and writer) and the pictures asked for; the
    paths written."""
    written: list[Path] = []
    path, writer = out
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        writer(table, path)
        written.append(path)
    if plot is not None:
        written.append(_save(svo.plot_angles(_with_by(scores, survey, by), by=by), plot))
    if circle is not None:
        written.append(_save(svo.plot_circle(_with_by(scores, survey, by), by=by), circle))
    return written


def _with_by(scores: pd.DataFrame, survey: svo.Survey, by: str | None,
             scored_only: bool = False) -> pd.DataFrame:
    """``scores`` with the ``by`` column of the survey joined on (for the plots and
    :func:`svo.compare_report`; ``scored_only`` keeps the respondents with an angle)."""
    if scored_only:
        scores = scores[scores["angle"].notna()]
    if by is None:
        return scores
    return scores.join(survey.data.loc[scores.index, [by]])
