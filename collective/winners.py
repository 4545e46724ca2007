"""``collective winners TABLE --rule copeland``: the winners of every election of a ballot table.

TABLE is a long ballot table (one row per election, voter and candidate, with the
candidate's rank, 0 = best): a CSV or Parquet file, or a folder of Parquet files. Each
election's winners are computed with :func:`socialchoice.winners_table` (or, with
``--margins``, its pairwise margins with :func:`socialchoice.margins_table`), a short summary
is printed and the table is written to ``--out`` (.parquet, .csv or .jsonl). With
``--engine dask [--scheduler tcp://...]`` a Parquet file or folder is processed on a Dask
cluster (:mod:`socialchoice.dask`; a local one by default) into a new folder of Parquet
parts holding the same rows.

The column names default to those of ranking data in :mod:`rlchf`
(``prompt_id``, ``annotator_id``, ``response_id``, ``rank``), so the output of
``collective rlchf simulate`` works as it is.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from _common.parquet import read_parquet_data

from ._console import fail, format_option, simple_table, stdout, time_limit_option
from ._engine import (
    PARQUET,
    Engine,
    check_dask_paths,
    check_engine,
    count_progress,
    engine_option,
    memory_limit_option,
    out_option,
    rule_errors,
    scheduler_option,
    table_writer,
)
from ._output import OutputFormat, records, to_json

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["winners_command"]

def _read(path: Path) -> pd.DataFrame:
    """TABLE for the memory engine: a CSV file, a Parquet file or a folder of Parquet files."""
    import pandas as pd

    if path.is_dir() or path.suffix.lower() in PARQUET:
        try:
            return read_parquet_data(path, ValueError)
        except ValueError as exc:
            fail(str(exc))
    if path.suffix.lower() != ".csv":
        fail(f"{path}: TABLE must be a .csv or .parquet file or a folder of Parquet files.",
             code=2)
    try:
        return pd.read_csv(path)
    except (OSError, ValueError) as exc:  # pandas' parse errors are ValueErrors
        fail(f"{path}: cannot be read as CSV ({exc}).")


def _summary(kind: str, rule: str | None, elections: int, rows: int, tied: int | None,
             seconds: float, where: str) -> None:
    if kind == "winners":
        text = (f"{elections:,} elections, {rows:,} candidates under {rule} in "
                f"{seconds:.2f} s; {tied:,} elections with tied winners{where}")
    else:
        text = (f"{rows:,} ordered pairs of candidates from {elections:,} elections in "
                f"{seconds:.2f} s{where}")
    stdout().print(Text.assemble((f"{kind.capitalize()}: ", "bold"), text))


def _head(frame: pd.DataFrame, show: int) -> None:
    """The first ``show`` rows as a table."""
    if show <= 0 or not len(frame):
        return
    table = simple_table(f"First {min(show, len(frame))} rows")
    for col in frame.columns:
        table.add_column(str(col), overflow="fold")
    for row in frame.head(show).itertuples(index=False):
        table.add_row(*(Text(str(v)) for v in row))
    stdout().print(table)


def _tied(frame: pd.DataFrame, election: str) -> int:
    return int((frame.groupby(election, sort=False)["winner"].sum() > 1).sum())


def _run_memory(table: Path, out: Path | None, rule: str | None, columns: dict[str, Any],
                time_limit: float | None, fmt: OutputFormat, show: int) -> None:
    import socialchoice as sc

    writer = None if out is None else table_writer(out)
    quiet = fmt is OutputFormat.json
    frame = _read(table)
    start = time.perf_counter()
    with rule_errors(rule, (sc.SocialChoiceError,)), count_progress("Computing", disable=quiet):
        if rule is None:
            result = sc.margins_table(frame, name=table.name, **columns)
        else:
            result = sc.winners_table(frame, rule, time_limit=time_limit, name=table.name,
                                      **columns)
    seconds = time.perf_counter() - start
    if writer is not None:
        writer(result, out)
    election = columns["election"]
    elections = int(frame[election].nunique())
    tied = None if rule is None else _tied(result, election)
    kind = "margins" if rule is None else "winners"
    if quiet:
        doc = {"kind": kind, "rule": rule, "engine": "memory", "elections": elections,
               "rows": len(result), "tied": tied, "out": None if out is None else str(out)}
        if out is None:
            doc["table"] = records(result)
        typer.echo(to_json(doc))
        return
    where = "" if out is None else f"; written to {out}"
    _summary(kind, rule, elections, len(result), tied, seconds, where)
    _head(result, show)


def _run_dask(table: Path, out: Path | None, rule: str | None, columns: dict[str, Any],
              time_limit: float | None, fmt: OutputFormat, show: int,
              cluster: dict[str, Any]) -> None:
    import pandas as pd

    import socialchoice as sc
    from socialchoice.dask import margins_table_dask, winners_table_dask

    out = check_dask_paths(table, out, "its table")
    quiet = fmt is OutputFormat.json
    start = time.perf_counter()
    with rule_errors(rule, (sc.SocialChoiceError,)), \
            count_progress("Computing on Dask (2 passes)", disable=quiet) as progress:
        if rule is None:
            result = margins_table_dask(table, out=out, progress=progress, **cluster,
                                        **columns)
        else:
            result = winners_table_dask(table, rule, out=out, progress=progress,
                                        time_limit=time_limit, **cluster, **columns)
    seconds = time.perf_counter() - start
    kind = "margins" if rule is None else "winners"
    if quiet:
        typer.echo(to_json({"kind": kind, "rule": rule, "engine": "dask",
                            "elections": result.elections, "rows": result.rows,
                            "tied": result.tied, "out": str(out),
                            "files": len(result.files)}))
        return
    where = f"; written to {out} ({len(result.files)} Parquet files)"
    _summary(kind, rule, result.elections, result.rows, result.tied, seconds, where)
    if result.files:
        _head(pd.read_parquet(result.files[0]), show)


def winners_command(
    table: Annotated[Path, typer.Argument(
        exists=True, readable=True, metavar="TABLE",
        help="A ballot table, one row per (election, voter, candidate) with the rank "
             "(0 = best): a CSV or Parquet file, or a folder of Parquet files.")],
    rule: Annotated[str | None, typer.Option(
        "--rule", "-r", show_default=False,
        help="A voting rule (see `collective rules`); default copeland.")] = None,
    margins: Annotated[bool, typer.Option(
        "--margins", help="Write each election's pairwise margins (election, a, b, margin; "
        "every ordered pair) instead of its winners.")] = False,
    out: Annotated[Path | None, out_option(
        "OUT", "Write the table here (.parquet, .csv or .jsonl); with --engine dask, a new "
        "folder of Parquet parts.")] = None,
    election: Annotated[str, typer.Option(
        "--election", metavar="COL", help="The election (prompt) column.")] = "prompt_id",
    voter: Annotated[str, typer.Option(
        "--voter", metavar="COL", help="The voter (annotator) column.")] = "annotator_id",
    candidate: Annotated[str, typer.Option(
        "--candidate", metavar="COL", help="The candidate (response) column.")
    ] = "response_id",
    rank: Annotated[str, typer.Option(
        "--rank", metavar="COL", help="The rank column (0 = best, ties share a rank).")
    ] = "rank",
    weight: Annotated[str | None, typer.Option(
        "--weight", metavar="COL", show_default=False,
        help="A column of voter weights (default: one vote each).")] = None,
    time_limit: Annotated[float, time_limit_option(
        "Seconds each search that can take exponential time (Kemeny, Slater, ranked pairs, "
        "stable voting) may run before the command stops with an error")] = 10.0,
    show: Annotated[int, typer.Option(
        "--show", min=0, help="How many rows of the table to print.")] = 5,
    fmt: Annotated[OutputFormat, format_option("a summary table")] = OutputFormat.table,
    engine: Annotated[Engine, engine_option(
        "shuffled by election and computed on a Dask cluster (same rows)")] = Engine.memory,
    scheduler: Annotated[str | None, scheduler_option()] = None,
    memory_limit: Annotated[str | None, memory_limit_option()] = None,
) -> None:
    """Winners (or margins) of every election of a long ballot table, in memory or on Dask.

    The JSON output lists the table itself when there is no --out.
    """
    import socialchoice as sc

    if margins and rule is not None:
        fail("--margins writes the margins of each election, which need no rule; leave out "
             "--rule.", code=2)
    if not margins:
        rule = rule or "copeland"
        if rule not in sc.RULES:
            fail(f"unknown rule {rule!r}; valid rules are: {', '.join(sc.rule_names())}.",
                 code=2)
    columns = {"election": election, "voter": voter, "candidate": candidate, "rank": rank,
               "weight": weight}
    limit = time_limit or None
    memory_limit = check_engine(engine, scheduler, memory_limit)
    if engine is Engine.dask:
        cluster = {"scheduler": scheduler, "memory_limit": memory_limit}
        _run_dask(table, out, rule, columns, limit, fmt, show, cluster)
        return
    _run_memory(table, out, rule, columns, limit, fmt, show)
