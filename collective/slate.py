"""``collective slate OPINIONS.csv -k K``: a proportional slate of statements from opinions.

OPINIONS.csv holds one free-text opinion per participant (columns ``participant`` and
``opinion`` by default). The candidate statements are a pool CSV (``--pool``, column
``statement``) or, without one, the opinions themselves: each participant's opinion is a
candidate, as in the pilot of Fish et al. Every participant rates every candidate with an
embedding or a language-model rater (0--6), :func:`socialchoice.generative.generate_slate`
builds the slate round by round, and the slate is audited for balanced justified
representation (BJR) against the pool and compared with the baseline slates.

The pipeline (:func:`~socialchoice.generative.read_opinions`,
:func:`~socialchoice.generative.read_pool`, :func:`~socialchoice.generative.build_slate`)
lives in :mod:`socialchoice.generative` and also serves the app's Slate page; this module
loads the models, shows progress (with :func:`~socialchoice.generative.slate_work`'s
description of what runs), prints the library's warnings on stderr and prints or writes the
result. Slots are numbered from 1
in every output, in the order the rounds filled them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

import socialchoice as sc
from socialchoice import generative as gen

from ._console import (
    fail,
    file_argument,
    format_option,
    fraction_progress,
    seed_option,
    simple_table,
    stderr,
    stdout,
)
from ._output import OutputFormat, to_json

__all__ = ["GeneratorChoice", "RaterChoice", "slate_command"]


#: How participants' ratings of statements are estimated: the library's ``gen.SLATE_RATERS``.
RaterChoice = enum.StrEnum("RaterChoice", [(name, name) for name in gen.SLATE_RATERS])
#: Where each round's statement comes from: the library's ``gen.SLATE_GENERATORS``.
GeneratorChoice = enum.StrEnum(
    "GeneratorChoice", [(name, name) for name in gen.SLATE_GENERATORS]
)


def _slate_table(run: gen.SlateRun) -> Table:
    t = simple_table("Slate")
    t.add_column("slot", justify="right")
    t.add_column("statement", ratio=1)
    t.add_column("group", justify="right")
    t.add_column("mean rating", justify="right")
    for row in run.slate_frame().itertuples(index=False):
        t.add_row(
            str(row.slot), Text(row.statement), str(row.group_size), f"{row.mean_utility:.2f}"
        )
    return t


def _violations_table(run: gen.SlateRun) -> Table:
    v = simple_table("BJR violations against the pool")
    v.add_column("statement", ratio=1)
    v.add_column("threshold", justify="right")
    v.add_column("coalition", ratio=1)
    for r in run.violation_records():
        v.add_row(
            Text(f"{r['statement_id']}: {r['statement']}"),
            f"{r['threshold']:.2f}",
            Text(f"{r['size']}: " + ", ".join(r["coalition"])),
        )
    return v


def _comparison_table(run: gen.SlateRun) -> Table:
    c = simple_table(
        "Slates compared: BJR violations, matched rating (0–6), share represented",
    )
    c.add_column("slate", no_wrap=True)
    for col in ("BJR", "mean", "min"):
        c.add_column(col, justify="right")
    c.add_column("represented % (" + " · ".join(gen.REPRESENTATION_LEVELS) + ")", ratio=1)
    for name, row in run.comparison.iterrows():
        shares = " · ".join(f"{100 * row[level]:.0f}" for level in gen.REPRESENTATION_LEVELS)
        c.add_row(
            str(name),
            str(int(row["bjr_violations"])),
            f"{row['mean']:.2f}",
            f"{row['min']:.2f}",
            shares,
        )
    return c


def _print_run(run: gen.SlateRun, written: list[Path]) -> None:
    con = stdout()
    con.print(
        Text.assemble(
            ("Slate: ", "bold"),
            f"k = {run.k} for {len(run.opinions)} participants; {len(run.pool)} candidate "
            f"statements from {run.pool.name}; rater {run.rater}, generator {run.generator}",
        )
    )
    con.print(_slate_table(run))
    if not run.violations:
        con.print(Text("No BJR violation against the pool.", style="green"))
    else:
        con.print(_violations_table(run))
    con.print(_comparison_table(run))
    if not run.baselines:
        con.print(f"No baselines: the pool has fewer than k = {run.k} statements.")
    if written:
        con.print(Text("Wrote " + ", ".join(str(p) for p in written)))


def _warn(messages: Iterable[str]) -> None:
    """One ``Warning: ...`` line on stderr per message (the library's logged warnings too)."""
    con = stderr()
    for message in messages:
        con.print(Text(f"Warning: {message}", style="yellow"), soft_wrap=True)


def _read(
    opinions: Path,
    pool: Path | None,
    opinion_column: str,
    id_column: str | None,
    statement_column: str,
    k: int,
) -> tuple[gen.Opinions, gen.Pool | None]:
    """The opinions and candidate statements, or exit 2 naming the file and option."""
    try:
        ops = gen.read_opinions(opinions, opinion_column=opinion_column, id_column=id_column)
        candidates = gen.read_pool(pool, statement_column=statement_column) if pool else None
    except sc.GenerativeError as exc:
        fail(str(exc), code=2)
    if not 1 <= k <= len(ops):
        fail(
            f"-k must be in [1, {len(ops)}] (the number of participants in {ops.name}). "
            f"Got {k} instead.",
            code=2,
        )
    return ops, candidates


def _run(
    ops: gen.Opinions, k: int, candidates: gen.Pool | None, options: dict[str, Any], quiet: bool
) -> gen.SlateRun:
    """Load the models and build the slate behind a progress bar (exit 1 on a model error)."""
    import lm

    work = gen.slate_work(
        ops, k, pool=candidates, rater=options["rater"], generator=options["generator"]
    )
    _warn(work.warnings())
    try:
        with fraction_progress("starting", disable=quiet) as bar:
            bar(0.0, "loading the embedder")
            embedder = lm.load_embedder()
            chat_model = None
            if "llm" in (options["rater"], options["generator"]):
                bar(0.0, "loading the language model")
                chat_model = lm.load_chat_model()
            return gen.build_slate(
                ops,
                k,
                embedder=embedder,
                chat_model=chat_model,
                pool=candidates,
                progress=lambda done, total: bar(done / total, work.describe(done)),
                **options,
            )
    except (sc.SocialChoiceError, lm.LMError) as exc:
        fail(str(exc))


def slate_command(
    opinions: Annotated[
        Path,
        file_argument(
            "OPINIONS.csv",
            "CSV with one free-text opinion per participant (columns 'participant', "
            "'opinion' by default).",
        ),
    ],
    k: Annotated[int, typer.Option("-k", "--size", help="Slate size (statements).")] = 5,
    pool: Annotated[
        Path | None,
        typer.Option(
            "--pool",
            exists=True,
            dir_okay=False,
            readable=True,
            metavar="POOL.csv",
            help="CSV of candidate statements (column 'statement'); default: the opinions.",
        ),
    ] = None,
    rater: Annotated[
        RaterChoice,
        typer.Option("--rater", help="Ratings from sentence embeddings or the language model."),
    ] = RaterChoice.embedding,
    generator: Annotated[
        GeneratorChoice,
        typer.Option(
            "--generator",
            help="Pick statements from the pool, or have the language model write them.",
        ),
    ] = GeneratorChoice.pool,
    opinion_column: Annotated[
        str, typer.Option("--opinion-column", help="Column of the opinions.")
    ] = "opinion",
    id_column: Annotated[
        str | None,
        typer.Option(
            "--id-column",
            help="Column of the participant ids (default: 'participant' if present, else 1..n).",
            show_default=False,
        ),
    ] = None,
    statement_column: Annotated[
        str, typer.Option("--statement-column", help="Column of the statements in POOL.csv.")
    ] = "statement",
    question: Annotated[
        str | None,
        typer.Option(
            "--question",
            help="The question the opinions answer, for the language model (default: the "
            "text of question.txt beside OPINIONS.csv, if present).",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int, seed_option("Seed of sampling and k-means.")] = 0,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            file_okay=False,
            metavar="DIR",
            help="Write slate.csv, assignment.csv and audit.json into DIR.",
        ),
    ] = None,
    fmt: Annotated[OutputFormat, format_option()] = OutputFormat.table,
) -> None:
    """Build a proportional slate of K statements from the free-text opinions in OPINIONS.csv."""
    ops, candidates = _read(opinions, pool, opinion_column, id_column, statement_column, k)
    options = {
        "rater": rater.value,
        "generator": generator.value,
        "question": ops.question if question is None else question,
        "rng": seed,
    }
    run = _run(ops, k, candidates, options, quiet=fmt is OutputFormat.json)
    _warn(run.warnings)
    written = run.write(out) if out is not None else []
    if fmt is OutputFormat.json:
        typer.echo(to_json(run.to_dict()))
        return
    _print_run(run, written)
