"""``collective rlchf``: reinforcement learning from collective human feedback (Conitzer et al.).

- ``collective rlchf aggregate DATA --kind ranking --rule copeland --out pairs.parquet``:
  read preference data (:func:`rlchf.read_preferences`; a CSV, Parquet or JSON Lines file or
  a folder of Parquet files), aggregate each prompt's judgments with a voting rule
  (:func:`rlchf.aggregate_pairs`) and write the training pairs;
- ``collective rlchf simulate --prompts 1000 --out data.parquet``: simulate a population of
  annotator groups with known utilities (:func:`rlchf.synthetic.population`, or
  :func:`rlchf.synthetic.write_parquet` for a folder) and write its judgments.

:data:`rlchf_app` is a typer sub-application; further commands (``train``, ``eval``) are
added to it with ``@rlchf_app.command``. The library is imported when a command runs, so
``collective rlchf --help`` stays light.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from ._console import (
    fail,
    format_option,
    path_option,
    seed_option,
    simple_table,
    stderr,
    stdout,
    time_limit_option,
)
from ._output import OutputFormat, records, to_json

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["WRITERS", "rlchf_app"]

class Kind(enum.StrEnum):
    """The shape of preference data."""

    ranking = "ranking"
    pairwise = "pairwise"


class PairsChoice(enum.StrEnum):
    """Which pairs of the collective ranking become training pairs."""

    all = "all"
    adjacent = "adjacent"


class TieBreak(enum.StrEnum):
    """How responses tied in the collective ranking are handled."""

    none = "none"
    response_id = "response_id"


rlchf_app = typer.Typer(
    name="rlchf",
    help="RLCHF: aggregate many annotators' judgments into training pairs, simulate data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Output suffixes the commands write, and how.
WRITERS: dict[str, Callable[[Any, Path], None]] = {
    ".parquet": lambda frame, path: frame.to_parquet(path, index=False),
    ".csv": lambda frame, path: frame.to_csv(path, index=False),
    ".jsonl": lambda frame, path: frame.to_json(path, orient="records", lines=True,
                                                force_ascii=False),
}


def _writer(out: Path) -> Callable[[Any, Path], None]:
    """The writer for ``out``'s suffix; an unknown suffix is a usage error (exit 2)."""
    writer = WRITERS.get(out.suffix.lower())
    if writer is None:
        fail(f"--out {out}: the file name must end in {', '.join(WRITERS)}.", code=2)
    return writer


@contextmanager
def _progress(what: str, *, disable: bool = False) -> Iterator[Callable[[int, int], None]]:
    """A transient rich bar on stderr driven by ``progress(done, total)``."""
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn()]
    with Progress(*columns, console=stderr(), transient=True, disable=disable) as bar:
        task = bar.add_task(what, total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield progress


def _features(text: str | None) -> list[str]:
    return [f.strip() for f in text.split(",") if f.strip()] if text else []


def _pairs_table(pairs: pd.DataFrame, prompts: int, out: Path | None, seconds: float,
                 rule: str, show: int) -> None:
    con = stdout()
    where = f"; written to {out}" if out is not None else ""
    con.print(Text.assemble(
        ("Pairs: ", "bold"),
        f"{len(pairs):,} from {prompts:,} prompts under {rule} in {seconds:.2f} s{where}"))
    if len(pairs):
        m = pairs["margin"]
        con.print(f"Margin: mean {m.mean():.3f}, min {m.min():.3f}, max {m.max():.3f}; "
                  f"{int((m <= 0).sum()):,} pairs against or without a majority.")
    if show <= 0 or not len(pairs):
        return
    table = simple_table(f"First {min(show, len(pairs))} pairs")
    for col in ("prompt_id", "chosen", "rejected"):
        table.add_column(col, overflow="fold")
    table.add_column("margin", justify="right")
    for row in pairs.head(show).itertuples(index=False):
        table.add_row(Text(str(row.prompt_id)), Text(str(row.chosen)), Text(str(row.rejected)),
                      f"{row.margin:.3f}")
    con.print(table)


@rlchf_app.command("aggregate")
def aggregate_command(
    data: Annotated[Path, typer.Argument(
        exists=True, readable=True, metavar="DATA",
        help="Preference data: a CSV, Parquet or JSON Lines file, or a folder of Parquet "
             "files.")],
    kind: Annotated[Kind, typer.Option(
        "--kind", help="The data's shape (said, never guessed from the columns).")],
    rule: Annotated[str, typer.Option(
        "--rule", "-r", help="A voting rule (see `collective rules`) or 'pairwise_majority'."
    )] = "copeland",
    out: Annotated[Path | None, path_option(
        "--out", "PAIRS", "Write the pairs here (.parquet, .csv or .jsonl).")] = None,
    features: Annotated[str | None, typer.Option(
        "--features", help="Comma-separated annotator feature columns to declare.")] = None,
    pairs: Annotated[PairsChoice, typer.Option(
        "--pairs", help="Every pair the collective ranking orders, or adjacent tiers only."
    )] = PairsChoice.all,
    tie_break: Annotated[TieBreak, typer.Option(
        "--tie-break", help="Tied responses form no pair (none) or are ordered by id."
    )] = TieBreak.none,
    time_limit: Annotated[float, time_limit_option(
        "Seconds each search that can take exponential time (Kemeny, Slater, ranked pairs, "
        "stable voting) may run before the command stops with an error"
    )] = 10.0,
    show: Annotated[int, typer.Option(
        "--show", min=0, help="How many pairs to print in the table.")] = 5,
    fmt: Annotated[OutputFormat, format_option("a summary table")] = OutputFormat.table,
) -> None:
    """Aggregate each prompt's judgments in DATA with a voting rule into training pairs.

    The JSON output lists the pairs themselves when there is no --out.
    """
    import rlchf
    import socialchoice as sc

    if rule != "pairwise_majority" and rule not in sc.RULES:
        fail(f"unknown rule {rule!r}; valid rules are: pairwise_majority, "
             f"{', '.join(sc.rule_names())}.", code=2)
    writer = _writer(out) if out is not None else None
    quiet = fmt is OutputFormat.json
    try:
        with _progress("Reading", disable=quiet):
            prefs = rlchf.read_preferences(data, kind=kind.value,
                                           features=_features(features))
        start = time.perf_counter()
        with _progress("Aggregating prompts", disable=quiet) as progress:
            table = rlchf.aggregate_pairs(prefs, rule, pairs=pairs.value,
                                          tie_break=tie_break.value,
                                          time_limit=time_limit or None, progress=progress)
        seconds = time.perf_counter() - start
    except sc.TimeLimitError as exc:
        fail(f"rule {rule} did not finish within --time-limit {exc.time_limit:g} s; raise "
             "--time-limit SECONDS (0 = no limit) to get the exact answer.")
    except (rlchf.RLCHFError, sc.SocialChoiceError) as exc:
        fail(str(exc))
    if writer is not None:
        writer(table, out)
    prompts = len(prefs.prompt_ids)
    if quiet:
        doc: dict[str, Any] = {"rule": rule, "kind": kind.value, "prompts": prompts,
                               "pairs": len(table), "out": None if out is None else str(out)}
        if out is None:
            doc["rows"] = records(table)
        typer.echo(to_json(doc))
        return
    _pairs_table(table, prompts, out, seconds, rule, show)


def _simulate_summary(pop: Any, out: Path, seconds: float) -> None:
    con = stdout()
    data = pop.data
    con.print(Text.assemble(
        ("Simulated: ", "bold"),
        f"{len(data.prompt_ids):,} prompts, {len(data):,} {data.kind} rows from "
        f"{len(pop.annotators):,} annotators in {seconds:.2f} s; "
        f"{int(pop.contested.sum()):,} contested prompts; written to {out}"))
    table = simple_table("Annotator groups")
    for col in pop.groups.columns:
        table.add_column(str(col), justify="right" if col == "share" else "left")
    for row in pop.groups.itertuples(index=False):
        table.add_row(*(f"{v:.3f}" if isinstance(v, float) else Text(str(v)) for v in row))
    con.print(table)


@rlchf_app.command("simulate")
def simulate_command(
    out: Annotated[Path, typer.Option(
        "--out", metavar="DATA", show_default=False,
        help="A .parquet, .csv or .jsonl file, or a folder (no suffix) of Parquet "
             "partitions for data larger than memory.")],
    prompts: Annotated[int, typer.Option("--prompts", min=1, help="Number of prompts.")] = 1000,
    responses: Annotated[int, typer.Option(
        "--responses", min=2, help="Responses per prompt.")] = 4,
    annotators: Annotated[int, typer.Option(
        "--annotators", min=1, help="Size of the annotator pool.")] = 60,
    per_prompt: Annotated[int, typer.Option(
        "--per-prompt", min=1, help="Distinct annotators judging each prompt.")] = 5,
    kind: Annotated[Kind, typer.Option("--kind", help="The data's shape.")] = Kind.ranking,
    contested: Annotated[float, typer.Option(
        "--contested", min=0.0, max=1.0,
        help="Share of prompts on which the groups disagree.")] = 0.5,
    partitions: Annotated[int, typer.Option(
        "--partitions", min=1, help="Parquet files when --out is a folder.")] = 1,
    seed: Annotated[int, seed_option("Seed of the simulation.")] = 0,
) -> None:
    """Simulate annotator groups with known utilities and write their judgments to --out."""
    import rlchf
    from rlchf import synthetic

    options = {"annotators_per_prompt": per_prompt, "kind": kind.value,
               "contested": contested}
    start = time.perf_counter()
    try:
        if out.suffix == "":
            with _progress("Writing partitions") as progress:
                files = synthetic.write_parquet(out, prompts, responses, annotators,
                                                partitions=partitions, progress=progress,
                                                rng=seed, **options)
            stdout().print(Text.assemble(
                ("Simulated: ", "bold"),
                f"{prompts:,} prompts in {len(files)} Parquet file(s) in {out} "
                f"({time.perf_counter() - start:.2f} s)."))
            return
        writer = _writer(out)
        pop = synthetic.population(prompts, responses, annotators, rng=seed, **options)
    except rlchf.RLCHFError as exc:
        fail(str(exc))
    writer(pop.data.frame, out)
    _simulate_summary(pop, out, time.perf_counter() - start)
