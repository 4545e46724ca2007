"""``collective rlchf``: reinforcement learning from collective human feedback (Conitzer et al.).

- ``collective rlchf aggregate DATA --kind ranking --rule copeland --out pairs.parquet``:
  read preference data (:func:`rlchf.read_preferences`; a CSV, Parquet or JSON Lines file or
  a folder of Parquet files), aggregate each prompt's judgments with a voting rule
  (:func:`rlchf.aggregate_pairs`) and write the training pairs; with ``--engine dask
  [--scheduler tcp://...]`` a Parquet file or folder is aggregated on a Dask cluster
  (:func:`rlchf.dask.aggregate_pairs_dask`; a local one by default) into a folder of
  Parquet parts holding the same rows;
- ``collective rlchf simulate --prompts 1000 --out data.parquet``: simulate a population of
  annotator groups with known utilities (:func:`rlchf.synthetic.population`, or
  :func:`rlchf.synthetic.write_parquet` for a folder) and write its judgments;
- ``collective rlchf train DATA --kind ranking --features age,region --out model/``: train a
  pooled :class:`rlchf.RewardModel` or a :class:`rlchf.FeatureConditionedRewardModel` on
  DATA and save it (``save``: safetensors + JSON config);
- ``collective rlchf eval model/ DATA --kind ranking --by region --png acc.png``: load any
  saved model (:func:`rlchf.load_model`), evaluate it on held-out DATA
  (:func:`rlchf.evaluate`), print the table and draw the per-group accuracy
  (:func:`rlchf.plot_evaluation`).

``train`` and ``eval`` embed texts with :func:`lm.load_embedder` (all-MiniLM-L6-v2) unless
``--embedder MODULE:NAME`` names another: an importable object with
``encode(list[str]) -> (n, d)``, or a class or function called without arguments to make one
(the tests pass ``tests.rlchf.fake_embedder:FakeEmbedder``, which needs no model). A model
must be evaluated with the embedder it was trained with.

:data:`rlchf_app` is a typer sub-application. The library is imported when a command runs,
so ``collective rlchf --help`` stays light.
"""

from __future__ import annotations

import enum
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from ._console import (
    fail,
    format_option,
    path_option,
    seed_option,
    simple_table,
    stdout,
    time_limit_option,
)
from ._engine import (
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

__all__ = ["rlchf_app"]

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
    help="RLCHF: aggregate judgments into pairs, train and evaluate reward models, simulate.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Output suffixes the commands write, and how.
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
    _head_table(pairs, show)


def _head_table(pairs: pd.DataFrame, show: int) -> None:
    """The first ``show`` pairs as a table."""
    if show <= 0 or not len(pairs):
        return
    con = stdout()
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
    out: Annotated[Path | None, out_option(
        "PAIRS", "Write the pairs here (.parquet, .csv or .jsonl); with --engine dask, a new "
        "folder of Parquet parts.")] = None,
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
    engine: Annotated[Engine, engine_option(
        "shuffled by prompt and aggregated on a Dask cluster (same rows)")] = Engine.memory,
    scheduler: Annotated[str | None, scheduler_option()] = None,
    memory_limit: Annotated[str | None, memory_limit_option()] = None,
) -> None:
    """Aggregate each prompt's judgments in DATA with a voting rule into training pairs.

    The JSON output lists the pairs themselves when there is no --out.
    """
    import rlchf
    import socialchoice as sc

    if rule != "pairwise_majority" and rule not in sc.RULES:
        fail(f"unknown rule {rule!r}; valid rules are: pairwise_majority, "
             f"{', '.join(sc.rule_names())}.", code=2)
    memory_limit = check_engine(engine, scheduler, memory_limit)
    if engine is Engine.dask:
        options = {"kind": kind.value, "rule": rule, "features": _features(features),
                   "pairs": pairs.value, "tie_break": tie_break.value,
                   "time_limit": time_limit or None}
        _aggregate_dask(data, out, options, scheduler, memory_limit, fmt, show)
        return
    writer = table_writer(out) if out is not None else None
    quiet = fmt is OutputFormat.json
    with rule_errors(rule, (rlchf.RLCHFError, sc.SocialChoiceError)):
        with count_progress("Reading", disable=quiet):
            prefs = rlchf.read_preferences(data, kind=kind.value,
                                           features=_features(features))
        start = time.perf_counter()
        with count_progress("Aggregating prompts", disable=quiet) as progress:
            table = rlchf.aggregate_pairs(prefs, rule, pairs=pairs.value,
                                          tie_break=tie_break.value,
                                          time_limit=time_limit or None, progress=progress)
        seconds = time.perf_counter() - start
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


def _aggregate_dask(data: Path, out: Path | None, options: dict[str, Any],
                    scheduler: str | None, memory_limit: str, fmt: OutputFormat,
                    show: int) -> None:
    """``aggregate --engine dask``: :func:`rlchf.dask.aggregate_pairs_dask`, then a summary."""
    import pandas as pd

    import rlchf
    import socialchoice as sc
    from rlchf.dask import aggregate_pairs_dask

    out = check_dask_paths(data, out, "its pairs")
    quiet = fmt is OutputFormat.json
    start = time.perf_counter()
    with rule_errors(options["rule"], (rlchf.RLCHFError, sc.SocialChoiceError)), \
            count_progress("Aggregating on Dask (2 passes)", disable=quiet) as progress:
        result = aggregate_pairs_dask(data, out=out, scheduler=scheduler,
                                      memory_limit=memory_limit, progress=progress, **options)
    seconds = time.perf_counter() - start
    if quiet:
        typer.echo(to_json({"rule": options["rule"], "kind": options["kind"], "engine": "dask",
                            "prompts": result.prompts, "pairs": result.pairs, "out": str(out),
                            "files": len(result.files)}))
        return
    stdout().print(Text.assemble(
        ("Pairs: ", "bold"), f"{result.pairs:,} from {result.prompts:,} prompts under "
        f"{options['rule']} in {seconds:.2f} s; written to {out} ({len(result.files)} "
        "Parquet files)"))
    if result.files:
        _head_table(pd.read_parquet(result.files[0]), show)


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
            with count_progress("Writing partitions") as progress:
                files = synthetic.write_parquet(out, prompts, responses, annotators,
                                                partitions=partitions, progress=progress,
                                                rng=seed, **options)
            stdout().print(Text.assemble(
                ("Simulated: ", "bold"),
                f"{prompts:,} prompts in {len(files)} Parquet file(s) in {out} "
                f"({time.perf_counter() - start:.2f} s)."))
            return
        writer = table_writer(out)
        pop = synthetic.population(prompts, responses, annotators, rng=seed, **options)
    except rlchf.RLCHFError as exc:
        fail(str(exc))
    writer(pop.data.frame, out)
    _simulate_summary(pop, out, time.perf_counter() - start)


# ---------------------------------------------------------------------- train / eval
class ModelChoice(enum.StrEnum):
    """Which reward model ``train`` fits."""

    pooled = "pooled"
    conditioned = "conditioned"


def embedder_option() -> Any:
    """The ``--embedder MODULE:NAME`` option of ``train`` and ``eval``."""
    return typer.Option(
        "--embedder", metavar="MODULE:NAME", show_default=False,
        help="The sentence embedder: an importable object with an encode(texts) method, or a "
             "class or function making one (default: lm.load_embedder(), all-MiniLM-L6-v2). "
             "Evaluate a model with the embedder it was trained with.")


def _load_embedder(spec: str | None) -> Any:
    """The object ``--embedder`` names (None: the models' default); a bad name exits 2."""
    if spec is None:
        return None
    import importlib

    module, _, name = spec.partition(":")
    if not module or not name:
        fail(f"--embedder {spec}: expected MODULE:NAME, e.g. lm:load_embedder.", code=2)
    try:
        value = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        fail(f"--embedder {spec}: cannot import it ({exc}).", code=2)
    if isinstance(value, type) or (callable(value) and not hasattr(value, "encode")):
        value = value()
    if not callable(getattr(value, "encode", None)):
        fail(f"--embedder {spec}: {type(value).__name__} has no encode(list[str]) method.",
             code=2)
    return value


def _train_summary(model: Any, prefs: Any, out: Path, seconds: float) -> dict[str, Any]:
    history = model.history_
    last = history.iloc[-1] if len(history) else None
    return {
        "model": type(model).__name__, "features": list(getattr(model, "features", [])),
        "rows": len(prefs), "prompts": len(prefs.prompt_ids), "pairs": int(model.n_pairs_),
        "epochs_run": len(history), "seconds": round(seconds, 3),
        "train_loss": None if last is None else float(last["train_loss"]),
        "val_loss": (float(last["val_loss"]) if last is not None and "val_loss" in history
                     else None),
        "out": str(out),
    }


def _print_train(doc: dict[str, Any]) -> None:
    features = f" conditioned on {', '.join(doc['features'])}" if doc["features"] else ""
    val = "" if doc["val_loss"] is None else f", validation loss {doc['val_loss']:.4f}"
    stdout().print(Text.assemble(
        ("Trained: ", "bold"),
        f"{doc['model']}{features} on {doc['pairs']:,} pairs from {doc['prompts']:,} prompts "
        f"in {doc['seconds']:.2f} s; {doc['epochs_run']} epochs, training loss "
        f"{doc['train_loss']:.4f}{val}; saved to {doc['out']}"))


@rlchf_app.command("train")
def train_command(
    data: Annotated[Path, typer.Argument(
        exists=True, readable=True, metavar="DATA",
        help="Preference data: a CSV, Parquet or JSON Lines file, or a folder of Parquet "
             "files.")],
    kind: Annotated[Kind, typer.Option(
        "--kind", help="The data's shape (said, never guessed from the columns).")],
    out: Annotated[Path, typer.Option(
        "--out", metavar="MODEL", show_default=False, file_okay=False,
        help="The folder to save the model in (model.safetensors and config.json).")],
    features: Annotated[str | None, typer.Option(
        "--features", help="Comma-separated annotator feature columns to declare (and, for "
                           "the conditioned model, to condition on).")] = None,
    model: Annotated[ModelChoice | None, typer.Option(
        "--model", show_default=False,
        help="pooled (RewardModel) or conditioned (FeatureConditionedRewardModel); default "
             "conditioned when --features is given, else pooled.")] = None,
    categorical: Annotated[str | None, typer.Option(
        "--categorical", help="Comma-separated numeric features to one-hot (e.g. integer "
                              "group ids).")] = None,
    epochs: Annotated[int, typer.Option("--epochs", min=1, help="Maximum epochs.")] = 30,
    hidden: Annotated[int, typer.Option("--hidden", min=1, help="Hidden units.")] = 64,
    lr: Annotated[float, typer.Option("--lr", min=0.0, help="Learning rate.")] = 3e-3,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Pairs per step.")
                          ] = 256,
    validation: Annotated[float, typer.Option(
        "--validation", min=0.0, max=1.0,
        help="Share of pairs held out for early stopping (0: none).")] = 0.1,
    patience: Annotated[int, typer.Option(
        "--patience", min=1, help="Epochs without a lower validation loss before stopping.")
    ] = 3,
    seed: Annotated[int, seed_option("Seed of the weights, split and batch order.")] = 0,
    embedder: Annotated[str | None, embedder_option()] = None,
    fmt: Annotated[OutputFormat, format_option("a summary")] = OutputFormat.table,
) -> None:
    """Train a reward model on DATA's pairwise judgments and save it to --out."""
    import rlchf

    declared = _features(features)
    choice = model or (ModelChoice.conditioned if declared else ModelChoice.pooled)
    if choice is ModelChoice.conditioned and not declared:
        fail("--model conditioned needs --features: the annotator features to condition on.",
             code=2)
    if categorical and choice is ModelChoice.pooled:
        fail("--categorical applies to the conditioned model only.", code=2)
    emb = _load_embedder(embedder)
    quiet = fmt is OutputFormat.json
    options = {"hidden": hidden, "epochs": epochs, "lr": lr, "batch_size": batch_size,
               "validation": validation, "patience": patience, "rng": seed}
    start = time.perf_counter()
    try:
        with count_progress("Reading", disable=quiet):
            prefs = rlchf.read_preferences(data, kind=kind.value, features=declared)
        with count_progress("Training (epochs)", disable=quiet) as progress:
            if choice is ModelChoice.conditioned:
                fitted = rlchf.FeatureConditionedRewardModel(
                    declared, emb, categorical=_features(categorical), progress=progress,
                    **options).fit(prefs)
            else:
                fitted = rlchf.RewardModel(emb, progress=progress, **options).fit(prefs)
    except rlchf.RLCHFError as exc:
        fail(str(exc))
    fitted.save(out)
    doc = _train_summary(fitted, prefs, out, time.perf_counter() - start)
    if quiet:
        typer.echo(to_json(doc))
    else:
        _print_train(doc)


def _eval_table(table: pd.DataFrame, title: str) -> None:
    out = simple_table(title)
    for col in ("metric", "feature", "group", "rule"):
        out.add_column(col)
    out.add_column("value", justify="right")
    out.add_column("n", justify="right")
    for row in table.itertuples(index=False):
        out.add_row(*(Text("" if v is None else str(v))
                      for v in (row.metric, row.feature, row.group, row.rule)),
                    f"{row.value:.3f}", f"{row.n:,}")
    stdout().print(out)


def _save_png(table: pd.DataFrame, label: str, png: Path) -> None:
    import rlchf

    figure = rlchf.plot_evaluation({label: table})
    try:
        figure.savefig(png, format="png", dpi=150)
    except OSError as exc:
        fail(f"--png {png}: cannot write it ({exc}).")


@rlchf_app.command("eval")
def eval_command(
    model: Annotated[Path, typer.Argument(
        exists=True, file_okay=False, metavar="MODEL",
        help="A folder written by `collective rlchf train` (or a reward model's save()).")],
    data: Annotated[Path, typer.Argument(
        exists=True, readable=True, metavar="DATA",
        help="Held-out preference data: a CSV, Parquet or JSON Lines file, or a folder of "
             "Parquet files.")],
    kind: Annotated[Kind, typer.Option(
        "--kind", help="The data's shape (said, never guessed from the columns).")],
    by: Annotated[str | None, typer.Option(
        "--by", help="Comma-separated columns to group the accuracy by (annotator "
                     "features).")] = None,
    rule: Annotated[list[str] | None, typer.Option(
        "--rule", "-r", metavar="RULE",
        help="A rule for the Kendall τ rows (repeatable; Borda or a "
                             "margin-based rule). Default: borda, copeland, minimax, "
                             "maximal_lottery.")] = None,
    features: Annotated[str | None, typer.Option(
        "--features", help="Further feature columns to declare.")] = None,
    png: Annotated[Path | None, path_option(
        "--png", "PNG", "Draw the per-group accuracy of the first --by feature here.")] = None,
    embedder: Annotated[str | None, embedder_option()] = None,
    fmt: Annotated[OutputFormat, format_option("a table")] = OutputFormat.table,
) -> None:
    """Evaluate a saved reward model on DATA: accuracy per group, worst group, ECE, Kendall τ."""
    import rlchf
    import socialchoice as sc

    groups = _features(by)
    if png is not None and not groups:
        fail("--png draws the accuracy per group: give --by.", code=2)
    emb = _load_embedder(embedder)
    quiet = fmt is OutputFormat.json
    try:
        fitted = rlchf.load_model(model, embedder=emb)
        own = ([] if isinstance(fitted, rlchf.LatentGroupRewardModel)
               else list(getattr(fitted, "features", [])))
        declared = list(dict.fromkeys([*own, *groups, *_features(features)]))
        with count_progress("Reading", disable=quiet):
            prefs = rlchf.read_preferences(data, kind=kind.value, features=declared)
        with count_progress("Evaluating", disable=quiet):
            options = {} if rule is None else {"rules": rule}
            table = rlchf.evaluate(fitted, prefs, by=groups, **options)
    except (rlchf.RLCHFError, sc.SocialChoiceError) as exc:
        fail(str(exc))
    if png is not None:
        _save_png(table, type(fitted).__name__, png)
    if quiet:
        typer.echo(to_json({"model": str(model), "class": type(fitted).__name__,
                            "rows": records(table),
                            "png": None if png is None else str(png)}))
        return
    _eval_table(table, f"{type(fitted).__name__} on {len(prefs):,} {prefs.kind} rows")
    if png is not None:
        stdout().print(f"Per-group accuracy drawn in {png}")
