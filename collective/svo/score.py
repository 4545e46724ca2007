"""``collective svo score SURVEY``: validate and score an SVO slider survey file.

The helpers :func:`scored_frame` and :func:`summarize` are what the command writes and
prints; the maths lives in :mod:`svo`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

import svo

from .._console import fail, seed_option, stderr, stdout
from .._output import records, to_json
from ._common import Errors, TableFormat
from ._score_report import _print_groups, _print_report, _print_summary, _report_dict

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["PICTURE_SUFFIXES", "score_command", "scored_frame", "summarize"]

#: File suffixes ``--plot`` and ``--circle`` can write (matplotlib picks the format from it).
PICTURE_SUFFIXES = (".png", ".svg", ".pdf")

_SCORE_COLUMNS = ("mean_self", "mean_other", "angle", "category", "transitive", "ia_index")
_ITEM_COLUMN = re.compile(r"^item\d+(_self|_other)?$")  # answers, not demographics


def scored_frame(survey: pd.DataFrame, scored: pd.DataFrame) -> pd.DataFrame:
    """The scored table: respondent id, the survey's other columns, then the scores.

    Parameters
    ----------
    survey : pandas.DataFrame
        A validated survey (:func:`svo.read_survey`), indexed by respondent.
    scored : pandas.DataFrame
        :func:`svo.score` of it (same index, or a subset of it).

    Returns
    -------
    pandas.DataFrame
        Columns ``respondent`` (the index name of ``survey``), every non-item column of
        ``survey`` (demographics such as ``group``) in file order, then ``mean_self``,
        ``mean_other``, ``angle``, ``category``, ``transitive``, ``ia_index``. Respondents
        with a missing primary answer keep their row with empty scores.

    Examples
    --------
    >>> import pandas as pd, svo
    >>> survey = pd.DataFrame({"group": ["a", "b"], "item1": [0, 8], "item2": [8, 8],
    ...                        "item3": [0, 8], "item4": [0, 8], "item5": [8, 0],
    ...                        "item6": [8, 0]}, index=pd.Index(["r1", "r2"], name="respondent"))
    >>> table = scored_frame(survey, svo.score(survey))
    >>> list(table.columns)[:3], table["category"].tolist()
    (['respondent', 'group', 'mean_self'], ['altruistic', 'individualistic'])
    """
    demographics = [c for c in survey.columns if not _ITEM_COLUMN.match(str(c))]
    name = survey.index.name or "respondent"
    table = survey.loc[scored.index, demographics].join(scored.loc[:, list(_SCORE_COLUMNS)])
    table.index.name = name
    return table.reset_index()


def summarize(scored: pd.DataFrame) -> dict[str, Any]:
    """Category counts and shares, mean angle and transitive share of scored respondents.

    Respondents without an angle (a missing primary answer) are left out.

    Parameters
    ----------
    scored : pandas.DataFrame
        :func:`svo.score` output (columns ``angle``, ``category``, ``transitive``).

    Returns
    -------
    dict
        ``n`` (respondents with an angle), ``categories`` (category -> ``{"n", "share"}``, in
        the order of :data:`svo.CATEGORIES`), ``angle_mean``, ``angle_sd`` (degrees) and
        ``transitive_share``; the statistics are ``None`` when ``n`` is 0.

    References
    ----------
    Murphy, R. O., Ackermann, K. A., & Handgraaf, M. J. J. (2011). Measuring social value
    orientation. *Judgment and Decision Making*, 6(8), 771–781, §3 (categories, transitivity).

    Examples
    --------
    >>> import svo
    >>> s = summarize(svo.score([[0, 8, 8, 3, 4, 8], [0, 8, 8, 3, 4, 8], [8, 8, 8, 8, 0, 0]]))
    >>> s["n"], s["categories"]["prosocial"], round(s["angle_mean"], 2), s["transitive_share"]
    (3, {'n': 2, 'share': 0.6666666666666666}, 22.38, 1.0)
    """
    ok = scored[scored["angle"].notna()]
    n = len(ok)
    counts = ok["category"].astype(object).value_counts()
    categories = {
        c: {"n": int(counts.get(c, 0)), "share": float(counts.get(c, 0)) / n if n else None}
        for c in svo.CATEGORIES
    }
    angles = ok["angle"].to_numpy(dtype=float)
    return {
        "n": n,
        "categories": categories,
        "angle_mean": float(angles.mean()) if n else None,
        "angle_sd": float(angles.std(ddof=1)) if n > 1 else None,
        "transitive_share": float(ok["transitive"].astype(float).mean()) if n else None,
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


def _cli_words(message: str) -> str:
    """The library's advice in command-line terms (``errors='coerce'`` → ``--errors coerce``)."""
    for api, cli in (
        ("errors='coerce'", "--errors coerce"),
        ("option_base=1", "--option-base 1"),
        ("option_base=0", "--option-base 0"),
    ):
        message = message.replace(api, cli)
    return message


def score_command(
    survey: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            metavar="SURVEY",
            help="Survey file (CSV, Excel or Parquet), wide (respondent, demographics, "
            "item1..item6 or ..item15) or long (respondent, item, choice).",
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            dir_okay=False,
            metavar="SCORED.csv",
            help="Write the scored table: respondent, the demographic columns, mean_self, "
            "mean_other, angle, category, transitive, ia_index.",
            show_default=False,
        ),
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot",
            dir_okay=False,
            metavar="ANGLES.png",
            help="Write the angle histogram with the category bands (.png, .svg or .pdf).",
            show_default=False,
        ),
    ] = None,
    circle: Annotated[
        Path | None,
        typer.Option(
            "--circle",
            dir_okay=False,
            metavar="CIRCLE.png",
            help="Write the circle plot: mean self vs mean other with the ideal-type rays.",
            show_default=False,
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
) -> None:
    """Validate and score the SVO slider survey in SURVEY (Murphy et al. 2011)."""
    _picture(plot, "--plot")
    _picture(circle, "--circle")
    try:
        frame = svo.read_survey(
            survey, id_column=id_column, option_base=option_base, errors=errors.value
        )
        if by is not None and by not in frame.columns:
            others = [c for c in frame.columns if not _ITEM_COLUMN.match(str(c))]
            raise svo.SurveyError(
                f"--by {by!r}: {survey.name} has no such column; its non-item columns are "
                f"{', '.join(repr(c) for c in others) or 'none'}."
            )
        scored = svo.score(frame, errors=errors.value)
        report = frame.attrs["report"]
        table = scored_frame(frame, scored)
        summary = summarize(scored)
        groups = None
        confidence = 0.95
        if by is not None:
            ok = scored["angle"].notna()
            data = scored.loc[ok].join(frame.loc[ok[ok].index, [by]])
            groups = svo.compare(data, by=by, confidence=confidence, rng=seed)
    except svo.SVOError as exc:
        fail(_cli_words(str(exc)), code=2)
    written: list[Path] = []
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(out, index=False)
        written.append(out)
    if plot is not None:
        written.append(_save(svo.plot_angles(_with_by(scored, frame, by), by=by), plot))
    if circle is not None:
        written.append(_save(svo.plot_circle(_with_by(scored, frame, by), by=by), circle))

    if fmt is TableFormat.csv:
        stderr().print(report.summary(), markup=False, soft_wrap=True)
        typer.echo(table.to_csv(index=False), nl=False)
        return
    if fmt is TableFormat.json:
        result: dict[str, Any] = {
            "report": _report_dict(report),
            "summary": summary,
            "groups": None if groups is None else records(groups.reset_index()),
            "by": by,
            "written": [str(p) for p in written],
            "respondents": records(table),
        }
        typer.echo(to_json(result))
        return
    _print_report(report)
    _print_summary(summary)
    if groups is not None:
        _print_groups(groups, by, confidence)
    if written:
        stdout().print(Text("Wrote " + ", ".join(str(p) for p in written)))


def _with_by(scored: pd.DataFrame, frame: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """``scored`` with the ``by`` column of ``frame`` joined on (for the plots)."""
    if by is None:
        return scored
    return scored.join(frame.loc[scored.index, [by]])
