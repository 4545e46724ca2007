"""``collective svo score SURVEY --engine dask``: score a Parquet survey on a Dask cluster.

The command renders what :func:`svo.dask.score_dask` returns: the survey's report and the
summary, as the in-memory engine prints them, and the folder of Parquet parts it wrote.
Pictures and group comparisons need every score in this process, so ``--plot``,
``--circle``, ``--by`` and ``--format csv`` are refused with the way to get them.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer
from rich.text import Text

import svo

from .._console import fail, stdout
from .._engine import check_dask_paths, count_progress
from .._output import to_json
from ._common import TableFormat
from ._score_report import _print_report, _print_summary, _report_dict

__all__ = ["score_on_dask"]

def _refuse(survey: Path, out: Path | None, pictures: dict[str, Any],
            fmt: TableFormat) -> Path:
    """The usage errors of ``--engine dask`` (exit 2); the output folder."""
    asked = [flag for flag, value in pictures.items() if value is not None]
    if asked:
        fail(f"{', '.join(asked)} need every score in this process; with --engine dask, "
             "score in memory (the default engine), or plot from the written folder "
             "(svo.plot_angles(pandas.read_parquet(FOLDER))).", code=2)
    if fmt is TableFormat.csv:
        fail("--format csv prints the whole scored table; with --engine dask it is written "
             "to --out FOLDER (read it with pandas.read_parquet).", code=2)
    return check_dask_paths(survey, out, "the scored table")


def score_on_dask(survey: Path, out: Path | None, pictures: dict[str, Any], fmt: TableFormat,
                  options: dict[str, Any], scheduler: str | None, memory_limit: str,
                  controls: dict[str, str]) -> None:
    """``svo score --engine dask``: :func:`svo.dask.score_dask`, then the report."""
    from svo.dask import score_dask

    folder = _refuse(survey, out, pictures, fmt)
    quiet = fmt is TableFormat.json
    start = time.perf_counter()
    try:
        with count_progress("Scoring on Dask (2 passes)", disable=quiet) as progress:
            result = score_dask(survey, out=folder, scheduler=scheduler,
                                memory_limit=memory_limit, progress=progress, **options)
    except svo.SVOError as exc:
        fail(exc.worded(controls), code=2)
    seconds = time.perf_counter() - start
    if quiet:
        typer.echo(to_json({
            "engine": "dask", "report": _report_dict(result.report),
            "summary": result.summary.to_dict(), "groups": None, "warnings": [], "by": None,
            "written": [str(folder)], "files": len(result.files), "rows": result.rows}))
        return
    _print_report(result.report)
    _print_summary(result.summary)
    stdout().print(Text(f"Wrote {folder} ({result.rows:,} respondents in "
                        f"{len(result.files)} Parquet files) in {seconds:.2f} s"))
